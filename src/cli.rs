//! The command line. This is a contract: scripts and CI call it (DESIGN.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "arcaflow-wizard",
    version,
    about = "Create, check and release official Arcaflow plugins with Poetry; repair a broken Python/Poetry setup.",
    long_about = "Create, check and release official Arcaflow plugins with Poetry; repair a broken Python/Poetry setup.\n\n\
        Every step shows the command it runs and why, so you learn the process as the wizard does it.\n\
        With no subcommand and a terminal, opens a menu of the journeys.",
    after_help = "Examples:\n  arcaflow-wizard new --name example\n  arcaflow-wizard doctor ./arcaflow-plugin-example\n  arcaflow-wizard release --repository testpypi\n\n\
        Exit codes: 0 done or healthy, 1 a step failed or a problem was found, 2 bad usage or input (nothing changed)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new official Arcaflow plugin, step by step, and test it the way the official build will.
    #[command(
        after_help = "Examples:\n  arcaflow-wizard new --name example\n  arcaflow-wizard new ./my-plugin --name example --yes\n  arcaflow-wizard new --name example --dry-run > make-plugin.sh\n  arcaflow-wizard new --answers answers.toml --yes\n\n\
        An answers file holds the same answers as TOML, keys named like the flags:\n  name = \"example\"\n  description = \"Says hello\"\n  author = \"Jane Doe <jane@example.com>\"\n  python = \"/usr/bin/python3.11\"\n  target = \"3.9\"\n  git = true"
    )]
    New(NewArgs),
    /// Set up a plugin that exists (a folder, or a git URL to clone) and test it the way the official build does.
    #[command(
        after_help = "Examples:\n  arcaflow-wizard setup https://github.com/arcalot/arcaflow-plugin-example\n  arcaflow-wizard setup ./arcaflow-plugin-example --yes\n  arcaflow-wizard setup https://github.com/arcalot/arcaflow-plugin-example my-clone --dry-run > setup.sh\n\n\
        Setup changes none of the project's files. A failing test of the plugin's own exits 1; the setup itself is then complete.\n\
        An answers file holds the same answers as TOML, keys named like the flags:\n  source = \"https://github.com/arcalot/arcaflow-plugin-example\"\n  python = \"/usr/bin/python3.9\""
    )]
    Setup(SetupArgs),
    /// Release the plugin to PyPI: version bump, checks, build, token, test upload, then PyPI.
    #[command(
        after_help = "Examples:\n  arcaflow-wizard release --version patch\n  POETRY_PYPI_TOKEN_TESTPYPI=... arcaflow-wizard release --repository testpypi --yes\n  arcaflow-wizard release --ci   (publish from GitHub Actions with PyPI Trusted Publishing)\n\n\
        The token is never a flag: it comes from the masked prompt, Poetry's own configuration,\n\
        or POETRY_PYPI_TOKEN_<NAME> in the environment (NAME upper-cased, '-' to '_')."
    )]
    Release(ReleaseArgs),
    /// Diagnose the Python/Poetry setup and a plugin project, and offer each fix.
    #[command(
        after_help = "Examples:\n  arcaflow-wizard doctor\n  arcaflow-wizard doctor ./arcaflow-plugin-example --json\n  arcaflow-wizard doctor --fix --yes"
    )]
    Doctor(DoctorArgs),
    /// Run the plugin's example step in the real Arcaflow engine (Python deployer, from the committed HEAD).
    #[command(
        after_help = "Examples:\n  arcaflow-wizard try\n  arcaflow-wizard try ./arcaflow-plugin-example\n\n\
        Exit codes: 0 the step returned success, 1 it did not (or the engine could not run), 2 bad usage."
    )]
    Try(TryArgs),
    /// Print shell completions, e.g. `arcaflow-wizard completions bash > ~/.local/share/bash-completion/completions/arcaflow-wizard`.
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args, Clone, Default)]
pub struct NewArgs {
    /// The project folder [default: ./arcaflow-plugin-NAME]
    pub dir: Option<PathBuf>,
    /// The plugin's short name, e.g. `example` for arcaflow-plugin-example
    #[arg(long)]
    pub name: Option<String>,
    /// The Python interpreter for the project (3.9 or newer)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// The Poetry executable to use when several are installed
    #[arg(long, value_name = "PATH")]
    pub poetry: Option<PathBuf>,
    /// Make URL the project's primary package source (a mirror or company proxy)
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// The Python the plugin supports: 3.9 (3.9 and newer, SDK ^0.14.3, every official image) or
    /// 3.12 (3.12 only, SDK ^0.14.4, as arcaflow-plugin-opensearch) [default: 3.9]
    #[arg(long, value_name = "3.9|3.12")]
    pub target: Option<String>,
    #[command(flatten)]
    pub common: Common,
    /// Take answers from a TOML file (keys named like the flags, plus description and author)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Print the whole plan as a bash script; run and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct SetupArgs {
    /// The plugin: a folder [default: .], or a git URL to clone
    #[arg(value_name = "DIR | GIT-URL")]
    pub source: Option<String>,
    /// Where a git URL is cloned to [default: ./NAME, as git names it]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The Python interpreter for the project's virtualenv (one its range admits)
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// The Poetry executable to use when several are installed
    #[arg(long, value_name = "PATH")]
    pub poetry: Option<PathBuf>,
    /// Install the tools the build image brings (flake8, coverage) from URL; the project's own dependencies come from its sources
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    #[command(flatten)]
    pub common: Common,
    /// Take answers from a TOML file (keys named like the flags, and source)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Print the whole plan as a bash script; run and write nothing (a git URL is read from a temporary clone)
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// Accept every default; fail (exit 2) on a question that has none
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Line-by-line output instead of the full-screen wizard
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ReleaseArgs {
    /// The project folder [default: .]
    pub dir: Option<PathBuf>,
    /// The index to upload to first: testpypi (the default), pypi, or a name of your own with --repository-url
    #[arg(long, value_name = "NAME")]
    pub repository: Option<String>,
    /// The upload URL of that repository (given to Poetry as POETRY_REPOSITORIES_<NAME>_URL, for the upload only)
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,
    /// The new version: X.Y.Z, or patch, minor or major
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// Publish from GitHub Actions instead: write .github/workflows/publish.yaml (PyPI Trusted
    /// Publishing) and print what to register on PyPI and TestPyPI
    #[arg(long, conflicts_with_all = ["repository", "repository_url", "version", "dry_run"])]
    pub ci: bool,
    #[command(flatten)]
    pub common: Common,
    /// Print the plan as a bash script; run nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct DoctorArgs {
    /// The project folder [default: .]
    pub dir: Option<PathBuf>,
    /// Print the findings as JSON (documented in README.md)
    #[arg(long)]
    pub json: bool,
    /// Offer each fix in turn (with --yes: apply every safe fix without asking)
    #[arg(long)]
    pub fix: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args, Clone, Default)]
pub struct TryArgs {
    /// The project folder [default: .]
    pub dir: Option<PathBuf>,
    /// The Python for the engine's Python deployer [default: the oldest the project admits]
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Also save the workflow and config in the project as workflows/try/ (a diff and a question before replacing yours)
    #[arg(long)]
    pub save: bool,
    #[command(flatten)]
    pub common: Common,
    /// Take answers from a TOML file (keys: dir, python, save = true/false)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Print the plan as a bash script; run nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What a URL given on the command line (or in an answers file) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlUse {
    /// An index pip and Poetry install from (`--index-url`): its simple page.
    Index,
    /// Where `poetry publish` uploads to (`--repository-url`).
    Upload,
}

/// Check a URL given with `flag`: why it is refused, or nothing. A URL that holds
/// a password or a token is refused without being repeated: it would be written
/// to pyproject.toml or Poetry's configuration, the session log and a command line.
pub fn check_url(flag: &str, url: &str, usage: UrlUse) -> Result<(), String> {
    if crate::journey::release::holds_token(url) {
        return Err(crate::journey::release::token_given_as(flag));
    }
    let u = url.trim();
    if u.is_empty() {
        return Err(format!(
            "{flag}: the URL is empty: give an http:// or https:// URL"
        ));
    }
    let rest = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"));
    let Some(rest) = rest.filter(|_| !url.contains(char::is_whitespace)) else {
        return Err(format!("{flag} {url}: give an http:// or https:// URL"));
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rsplit_once('@') {
        Some((user, _)) if user.contains(':') => {
            let how = match usage {
                UrlUse::Index => format!(
                    "Poetry reads them from POETRY_HTTP_BASIC_{}_USERNAME and _PASSWORD, \
                     or asks once: poetry config http-basic.{} USER",
                    crate::pyproject::generate::INDEX_SOURCE_NAME
                        .to_ascii_uppercase()
                        .replace('-', "_"),
                    crate::pyproject::generate::INDEX_SOURCE_NAME
                ),
                UrlUse::Upload => {
                    "the upload takes a token from POETRY_PYPI_TOKEN_<NAME> or the masked prompt"
                        .to_string()
                }
            };
            return Err(format!(
                "{flag}: the URL holds a password (user:password@host, not shown here); it would be \
                 written to the project or Poetry's configuration and shown in logs. Give the URL \
                 without it: {how}."
            ));
        }
        Some((_, host)) => host,
        None => authority,
    };
    let hostname = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if hostname.is_empty() {
        return Err(format!("{flag} {url}: the URL has no host name"));
    }
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let last = path.rsplit('/').next().unwrap_or_default();
    match usage {
        UrlUse::Index if last == "legacy" => Err(format!(
            "{flag} {url}: this is an upload URL; give the index pip installs from \
             (its simple page), e.g. https://pypi.org/simple/"
        )),
        UrlUse::Upload if last == "simple" || last == "+simple" => Err(format!(
            "{flag} {url}: this is an index's simple page, where pip installs from; give the \
             upload URL (TestPyPI: https://test.pypi.org/legacy/, pypiserver: http://HOST:PORT/)"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        use UrlUse::*;
        assert!(check_url("--index-url", "https://pypi.org/simple/", Index).is_ok());
        assert!(check_url("--index-url", "http://[::1]:8080/simple/", Index).is_ok());
        assert!(check_url("--index-url", "https://u@h/simple/", Index).is_ok());
        assert!(check_url("--repository-url", "http://127.0.0.1:8080/", Upload).is_ok());
        assert!(check_url("--repository-url", "https://test.pypi.org/legacy/", Upload).is_ok());
        let e = check_url("--index-url", "https://u:secret@h/simple/", Index).unwrap_err();
        assert!(
            e.contains("holds a password") && !e.contains("secret"),
            "{e}"
        );
        assert!(
            e.contains("POETRY_HTTP_BASIC_PRIMARY_INDEX_USERNAME"),
            "{e}"
        );
        let e = check_url("--index-url", "http://:80/simple/", Index).unwrap_err();
        assert!(e.contains("no host name"), "{e}");
        let e = check_url("--repository-url", "https://test.pypi.org/simple", Upload).unwrap_err();
        assert!(e.contains("simple page"), "{e}");
        let e = check_url("--index-url", "https://upload.pypi.org/legacy/", Index).unwrap_err();
        assert!(e.contains("upload URL"), "{e}");
    }
}
