//! What a failed tool run means, from the stable part of its message (the exit
//! code does not tell Poetry's failures apart: facts file, "What Poetry prints").

use super::Failure;
use crate::exec::{Ending, RunResult};
use crate::plan::Cmd;

/// Known messages, in the order they are tried: (needle, meaning, what to do).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "Could not find a matching version of package arcaflow-plugin-sdk-python",
        "There is no package called arcaflow-plugin-sdk-python: the SDK is published as arcaflow-plugin-sdk.",
        "poetry add 'arcaflow-plugin-sdk@^0.14.3'",
    ),
    (
        "Could not find a matching version of package",
        "The package index has no version of that package that fits.",
        "Check the package name and that the index (see [[tool.poetry.source]] in pyproject.toml) holds it.",
    ),
    (
        "supported Python range",
        "The project's Python range is open or wider than a dependency allows (the SDK needs <4.0).",
        "Give the range an upper bound: python = \"^3.9\" in [tool.poetry.dependencies] (or requires-python = \">=3.9,<4.0\").",
    ),
    (
        "Could not find the python executable",
        "Poetry cannot find that Python interpreter.",
        "Pass the full path of an existing python3.9 or newer (see `arcaflow-wizard doctor`).",
    ),
    (
        "is not supported by the project",
        "That Python is outside the project's Python range.",
        "Use Python 3.9 or newer.",
    ),
    (
        "Group(s) not found: dev",
        "The project has no dev dependency group, and the official Dockerfile runs `poetry install --without dev`.",
        "Add a [tool.poetry.group.dev.dependencies] table (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "[tool.poetry] section not found",
        "This Poetry (1.x, as in the official build image) reads only the legacy [tool.poetry] form.",
        "Move the project's metadata to [tool.poetry] (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "are required in package mode",
        "This Poetry (1.x) needs name, version, description and authors in [tool.poetry].",
        "Move the project's metadata to [tool.poetry] (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "changed significantly since poetry.lock was last generated",
        "poetry.lock is out of date with pyproject.toml.",
        "poetry lock",
    ),
    (
        "No file/folder found for package",
        "The code folder does not match the package name (Poetry looks for the name with hyphens turned into underscores).",
        "Rename the code folder, or set packages = [{ include = \"<folder>\" }] in [tool.poetry].",
    ),
    (
        "Invalid TOML file",
        "pyproject.toml is not valid TOML.",
        "Fix the line and column named above.",
    ),
    (
        "Error connecting to repository",
        "The package index could not be reached.",
        "Check the index URL and your network or proxy.",
    ),
    (
        "unable to connect to the repository",
        "The package index could not be reached.",
        "Check the index URL and your network or proxy.",
    ),
    (
        "The requested command export does not exist",
        "Poetry 2 does not include `poetry export`; it needs poetry-plugin-export.",
        "poetry self add poetry-plugin-export",
    ),
    (
        "No files to publish",
        "There is nothing in dist/ to upload.",
        "poetry build",
    ),
];

/// A failure in the user's terms for a command whose output we recognise.
pub fn tool_failure(cmd: &Cmd, res: &RunResult) -> Option<Failure> {
    match res.ending {
        Ending::TimedOut => {
            return Some(
                Failure::new(format!("`{}` took too long and was stopped.", cmd.display()))
                    .hint("A network problem or a prompt waiting for input is the usual cause; run it by hand to see."),
            )
        }
        Ending::Cancelled => return Some(Failure::new(format!("`{}` was cancelled.", cmd.display()))),
        _ => {}
    }
    let text = res.tail_text();
    if let Some(f) = unreachable_index(cmd, &text) {
        return Some(f);
    }
    KNOWN
        .iter()
        .find(|(needle, _, _)| text.contains(needle))
        .map(|(_, meaning, fix)| {
            let f = Failure::new(format!("`{}` failed: {meaning}", cmd.display()))
                .hint(format!("Fix: {fix}"));
            match runnable(cmd, fix) {
                Some(plan) => f.fix(plan),
                None => f,
            }
        })
}

/// Poetry's "All attempts to connect to HOST:PORT failed." names neither the
/// index nor what to try. Say which one it was: a source of the project's
/// pyproject.toml (`--index-url` writes one) found by its host, or PyPI.
fn unreachable_index(cmd: &Cmd, text: &str) -> Option<Failure> {
    let host = text
        .split("All attempts to connect to ")
        .nth(1)?
        .split(" failed")
        .next()?
        .trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let bare = host.split(':').next().unwrap_or(host);
    if matches!(bare, "pypi.org" | "files.pythonhosted.org") {
        return Some(
            Failure::new(format!(
                "`{}` failed: PyPI ({host}) did not answer.",
                cmd.display()
            ))
            .hint(
                "Fix: check the network connection; behind a proxy, set HTTPS_PROXY; \
                 or use a mirror or company index with --index-url URL.",
            ),
        );
    }
    let source = cmd
        .cwd
        .as_deref()
        .and_then(|dir| std::fs::read_to_string(dir.join("pyproject.toml")).ok())
        .and_then(|t| crate::pyproject::parse(&t).ok())
        .map(|doc| crate::pyproject::read::inspect(&doc).sources)
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.url.as_deref().is_some_and(|u| url_host(u) == Some(host)));
    let given = source
        .as_ref()
        .is_some_and(|s| s.name == crate::pyproject::generate::INDEX_SOURCE_NAME);
    let (which, url) = match &source {
        Some(s) => {
            let url = without_credentials(s.url.as_deref().unwrap_or_default());
            let whose = if given {
                "the --index-url given".to_string()
            } else {
                format!("the project's source '{}'", s.name)
            };
            (format!("the package index {url} ({whose})"), url)
        }
        None => (
            format!("the package index at {host}"),
            format!("http://{host}/"),
        ),
    };
    let instead = if given {
        "To use PyPI instead, run the same command again without --index-url \
         after removing the [[tool.poetry.source]] it wrote to pyproject.toml."
    } else {
        "Or remove that [[tool.poetry.source]] from pyproject.toml to use PyPI."
    };
    Some(
        Failure::new(format!(
            "`{}` failed: {which} did not answer.",
            cmd.display()
        ))
        .hint(format!(
            "Fix: check that the index runs and the URL is right (`curl -sI {url}` \
                 should answer; the URL usually ends in /simple/); behind a proxy, set \
                 HTTPS_PROXY. {instead}"
        )),
    )
}

/// The URL without a `user:password@` part: a source URL may carry a token,
/// which is never shown.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{}", &rest[end..])
        }
        None => url.to_string(),
    }
}

/// `host[:port]` of an http(s) URL, as Poetry names it in its message.
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split("://").nth(1)?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    Some(authority)
}

/// Fixes that are a Poetry command on the same project: run with the same
/// Poetry, folder and environment as the command that failed, so the front
/// ends can offer them (`f`) instead of only printing them. (`poetry build`
/// is left out: a release builds into a folder of its own.)
const RUNNABLE: &[(&str, &[&str])] = &[("poetry lock", &["lock"])];

fn runnable(cmd: &Cmd, fix: &str) -> Option<crate::plan::Plan> {
    let (_, args) = RUNNABLE.iter().find(|(text, _)| *text == fix)?;
    if cmd.program.file_name()? != "poetry" {
        return None;
    }
    let mut run = Cmd::new(cmd.program.clone()).args(args.iter().copied());
    run.env = cmd.env.clone();
    run.cwd.clone_from(&cmd.cwd);
    run.timeout = cmd.timeout;
    Some(crate::plan::Plan::new().run(run))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::time::Duration;

    fn res(lines: &[&str]) -> RunResult {
        RunResult {
            ending: Ending::Exited(1),
            tail: lines.iter().map(|s| s.to_string()).collect::<VecDeque<_>>(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn recognises_the_wrong_sdk_name_before_the_generic_message() {
        let f = tool_failure(
            &Cmd::new("poetry").arg("add"),
            &res(&[
                "",
                "Could not find a matching version of package arcaflow-plugin-sdk-python",
            ]),
        )
        .unwrap();
        assert!(
            f.message.contains("published as arcaflow-plugin-sdk"),
            "{f}"
        );
    }

    /// A fix that is a Poetry command comes with its plan, so `f` is offered.
    #[test]
    fn a_stale_lock_comes_with_poetry_lock_to_run() {
        let cmd = Cmd::new("/opt/poetry/bin/poetry")
            .arg("install")
            .cwd("/p")
            .env("POETRY_VIRTUALENVS_IN_PROJECT", "true");
        let f = tool_failure(
            &cmd,
            &res(&["pyproject.toml changed significantly since poetry.lock was last generated. Run `poetry lock` to fix the lock file."]),
        )
        .unwrap();
        let plan = f.fix.expect("a plan to run");
        assert_eq!(
            plan.actions,
            vec![crate::plan::Action::Run(
                Cmd::new("/opt/poetry/bin/poetry")
                    .arg("lock")
                    .cwd("/p")
                    .env("POETRY_VIRTUALENVS_IN_PROJECT", "true")
            )]
        );
        // Advice that is no command stays advice.
        let f = tool_failure(&cmd, &res(&["Group(s) not found: dev"])).unwrap();
        assert!(f.fix.is_none());
    }

    #[test]
    fn unknown_output_is_not_explained() {
        assert!(tool_failure(&Cmd::new("x"), &res(&["something else"])).is_none());
    }
    #[test]
    fn an_index_that_does_not_answer_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.poetry]\nname = \"x\"\n\n[[tool.poetry.source]]\nname = \"primary-index\"\n\
             url = \"http://__token__:s3cret@127.0.0.1:9/simple/\"\npriority = \"primary\"\n",
        )
        .unwrap();
        let cmd = Cmd::new("poetry").arg("add").cwd(dir.path());
        let out = res(&[
            "",
            "All attempts to connect to 127.0.0.1:9 failed.",
            "",
            "Probable Causes:",
        ]);
        let f = tool_failure(&cmd, &out).unwrap();
        assert!(
            f.message
                .contains("http://127.0.0.1:9/simple/ (the --index-url given) did not answer"),
            "{}",
            f.message
        );
        let hint = f.hint.unwrap();
        assert!(
            hint.contains("without --index-url")
                && hint.contains("curl -sI")
                && !hint.contains("  "),
            "{hint}"
        );
        assert!(
            !format!("{}{hint}", f.message).contains("s3cret"),
            "the token never shows"
        );

        let pypi = res(&["All attempts to connect to pypi.org failed."]);
        let f = tool_failure(&Cmd::new("poetry").arg("add"), &pypi).unwrap();
        assert!(
            f.message.contains("PyPI (pypi.org) did not answer"),
            "{}",
            f.message
        );
        let hint = f.hint.unwrap();
        assert!(
            hint.contains("--index-url") && !hint.contains("  "),
            "{hint}"
        );

        // A host no source names: said as Poetry gave it.
        let other = res(&["All attempts to connect to mirror.example failed."]);
        let f = tool_failure(&cmd, &other).unwrap();
        assert!(
            f.message
                .contains("the package index at mirror.example did not answer"),
            "{}",
            f.message
        );
    }
}

// ---------------------------------------------------------------- uploads

/// What `poetry publish` printed when an index refused an upload, read from the
/// stable part: `HTTP Error CODE: REASON | b'<html...'` (the server's page follows
/// as a Python bytes literal, which is not shown: its text is extracted instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadError {
    /// The HTTP status, or None for a network error.
    pub status: Option<u16>,
    /// The server's reason, in plain words (e.g. "File already exists. See ...").
    pub reason: String,
}

/// Find an upload error in a tool's output.
pub fn upload_error(text: &str) -> Option<UploadError> {
    if let Some(i) = text.find("HTTP Error ") {
        let rest = &text[i + "HTTP Error ".len()..];
        let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let status = code.parse::<u16>().ok()?;
        let after = rest[code.len()..].trim_start_matches(':').trim_start();
        let (phrase, body) = match after.find(" | b") {
            Some(j) => (&after[..j], &after[j + 4..]),
            None => (after.lines().next().unwrap_or(after), ""),
        };
        let mut reason = phrase.trim().to_string();
        let page = page_text(body);
        if !page.is_empty() && !reason.contains(&page) && !page.contains(&reason) {
            reason = format!("{reason} ({page})");
        } else if page.len() > reason.len() {
            reason = page;
        }
        return Some(UploadError {
            status: Some(status),
            reason,
        });
    }
    for needle in [
        "Error connecting to repository",
        "unable to connect to the repository",
        "Connection refused",
        "Name or service not known",
        "Max retries exceeded",
    ] {
        if let Some(l) = text.lines().find(|l| l.contains(needle)) {
            return Some(UploadError {
                status: None,
                reason: l.trim().to_string(),
            });
        }
    }
    None
}

/// `block` with each server page that Poetry prints as a bytes literal after
/// its status (`HTTP Error 409: Conflict | b'<html>\n ...'`) cut to one line:
/// the status, and where the page is. None when there is none.
pub fn fold_pages(block: &str) -> Option<String> {
    const CUT: [&str; 2] = [" | b'", " | b\""];
    // Where a page starts on this line: after `HTTP Error`, a bytes literal with a tag.
    let page_at = |l: &str| {
        if !l.contains("HTTP Error ") {
            return None;
        }
        CUT.iter()
            .filter_map(|c| l.find(c))
            .min()
            .filter(|&i| l[i..].contains('<'))
    };
    if !block.split('\n').any(|l| page_at(l).is_some()) {
        return None;
    }
    let lines: Vec<String> = block
        .split('\n')
        .map(|l| match page_at(l) {
            Some(i) => format!("{} | (the server's page: in the session log)", &l[..i]),
            None => l.to_string(),
        })
        .collect();
    Some(lines.join("\n"))
}

/// The words of a server's HTML page given as a Python bytes literal (`'<html>\n...'`),
/// without tags, escapes or repeated blanks; at most 200 characters.
fn page_text(literal: &str) -> String {
    let s = literal.trim();
    let s = s
        .strip_prefix('\'')
        .or_else(|| s.strip_prefix('"'))
        .unwrap_or(s);
    let s = s
        .replace("\\n", " ")
        .replace("\\t", " ")
        .replace("\\'", "'");
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_title = false;
    let mut tag = String::new();
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                let t = tag.to_ascii_lowercase();
                // The title repeats the status line; the body says more.
                if t.starts_with("title") {
                    in_title = true;
                } else if t.starts_with("/title") {
                    in_title = false;
                }
                out.push(' ');
            }
            _ if in_tag => tag.push(c),
            _ if in_title => {}
            _ => out.push(c),
        }
    }
    let words: Vec<&str> = out
        .split_whitespace()
        .filter(|w| *w != "'" && *w != "\"")
        .collect();
    let mut text = words.join(" ");
    text = text.trim_end_matches(['\'', '"']).trim().to_string();
    if text.chars().count() > 200 {
        text = text.chars().take(200).collect::<String>() + "...";
    }
    text
}

/// A failed upload in the user's terms: what it means and what to do. `repo` is the
/// repository's name for Poetry, `token_var` the variable its token is read from.
pub fn upload_failure(text: &str, repo: &str, token_var: &str) -> Option<Failure> {
    let e = upload_error(text)?;
    let (meaning, fix) = match e.status {
        Some(401) => (
            format!("no credentials reached {repo} (401: {})", e.reason),
            format!(
                "Give the token: set {token_var}, or run the wizard on a terminal and paste it into its masked \
                 field. Poetry never prompts for it on upload, and a token in your keyring is not used (the wizard \
                 runs Poetry without one). To keep it, {}.",
                crate::journey::release::keep_token_advice(repo)
            ),
        ),
        Some(403) => (
            format!("{repo} refused the token (403: {})", e.reason),
            format!(
                "The token is wrong, expired, or for another project or index (TestPyPI tokens do not \
                 work on PyPI, nor the reverse). Make a new one for this index, scoped to this project \
                 once it exists; `t` takes it (not shown), or set {token_var} and run again. \
                 Nothing was uploaded."
            ),
        ),
        Some(400) if e.reason.to_ascii_lowercase().contains("exist") => version_exists(repo, &e.reason),
        Some(409) => version_exists(repo, &e.reason),
        Some(400) => (
            format!("{repo} rejected the upload (400: {})", e.reason),
            "The index's reason is above: usually the metadata (name, version, description, classifiers) \
             in pyproject.toml. Fix it, `poetry build`, and run the release again."
                .to_string(),
        ),
        Some(code) => (
            format!("{repo} answered HTTP {code}: {}", e.reason),
            "Check the repository's upload URL (--repository-url, for one of your own) and try again later."
                .to_string(),
        ),
        None => (
            format!("the index {repo} could not be reached ({})", e.reason),
            "Check the repository's upload URL (--repository-url, for one of your own), your network and proxy \
             settings, then run the release again: nothing was uploaded."
                .to_string(),
        ),
    };
    Some(Failure::new(format!("The upload failed: {meaning}.")).hint(format!("Fix: {fix}")))
}

/// Poetry 2.x's `poetry publish` uploads the highest version it finds in its
/// folder (`dist/` unless `--dist-dir`), not the project's version; Poetry 1.8
/// uploads the project's. Measured with 2.5.1: the project said 0.1.1, a fresh
/// 0.1.1 build lay beside a failed run's 0.2.0 files, and 0.2.0 went up (409).
/// An upload whose "Uploading FILE" lines name another version than `version`
/// is that trap: say so, not "choose another version".
pub fn stale_upload(text: &str, dist: &str, version: &str) -> Option<Failure> {
    let files: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- Uploading "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let other: Vec<&str> = files
        .iter()
        .copied()
        .filter(|f| !crate::journey::release::is_file_of(f, dist, version))
        .collect();
    if other.is_empty() {
        return None;
    }
    Some(
        Failure::new(format!(
            "Poetry uploaded {}, not {dist} {version}: Poetry 2.x uploads the highest version it finds in its folder, not the project's.",
            other.join(", ")
        ))
        .hint(
            "Files of an earlier run lay beside this build. The wizard builds each release into a folder of its own \
             (`poetry build --output DIR`, `poetry publish --dist-dir DIR`); by hand, empty dist/ before `poetry build`.",
        ),
    )
}

fn version_exists(repo: &str, reason: &str) -> (String, String) {
    (
        format!("this version is already on {repo}: an index never takes the same version twice ({reason})"),
        "Release a new version: arcaflow-wizard release --version patch (or minor, major, X.Y.Z). \
         A deleted release's version cannot be used again either."
            .to_string(),
    )
}

#[cfg(test)]
mod upload_tests {
    use super::*;

    #[test]
    fn reads_the_reason_not_the_bytes_literal() {
        let out = "Publishing arcaflow-plugin-x (0.1.1) to local\n - Uploading arcaflow_plugin_x-0.1.1-py3-none-any.whl FAILED\n\nHTTP Error 403: Forbidden | b'<html>\\n <head>\\n  <title>403 Forbidden</title>\\n </head>\\n <body>\\n  <h1>403 Forbidden</h1>\\n  Access was denied.\\n </body>\\n</html>\\n'";
        let e = upload_error(out).unwrap();
        assert_eq!(e.status, Some(403));
        assert!(!e.reason.contains("b'"), "{e:?}");
        assert!(!e.reason.contains('<'), "{e:?}");
        let f = upload_failure(out, "local", "POETRY_PYPI_TOKEN_LOCAL").unwrap();
        assert!(f.message.contains("refused the token"), "{f}");
        assert!(!f.to_string().contains("<html"), "{f}");
        assert!(f.hint.unwrap().contains("POETRY_PYPI_TOKEN_LOCAL"));
    }

    #[test]
    fn a_raw_page_is_folded_to_its_status_line() {
        let block = "Uploading x.whl 100%\nHTTP Error 409: Conflict | b'<html>\\n <head>\\n  <title>409 Conflict</title>\\n </head>'\nmore";
        let f = super::fold_pages(block).unwrap();
        assert_eq!(
            f,
            "Uploading x.whl 100%\nHTTP Error 409: Conflict | (the server's page: in the session log)\nmore"
        );
        assert_eq!(super::fold_pages("HTTP Error 403: Forbidden\n"), None);
        // pypiserver's page starts with a line break and a doctype.
        let pypiserver = "HTTP Error 403: Forbidden | b'\\n    <!DOCTYPE HTML PUBLIC>\\n <html>'";
        assert_eq!(
            super::fold_pages(pypiserver).unwrap(),
            "HTTP Error 403: Forbidden | (the server's page: in the session log)"
        );
    }

    /// Poetry 2.5.1's output when a failed run's 0.2.0 lay beside the 0.1.1 build.
    #[test]
    fn a_higher_version_left_in_dist_is_named_as_the_trap() {
        let out = "Publishing arcaflow-plugin-x (0.2.0) to local\n - Uploading arcaflow_plugin_x-0.2.0-py3-none-any.whl 100%\n - Uploading arcaflow_plugin_x-0.2.0.tar.gz FAILED\nHTTP Error 409: Conflict";
        let f = super::stale_upload(out, "arcaflow-plugin-x", "0.1.1").unwrap();
        assert!(
            f.message
                .contains("arcaflow_plugin_x-0.2.0-py3-none-any.whl"),
            "{f}"
        );
        assert!(f.message.contains("highest version"), "{f}");
        let ok =
            "- Uploading arcaflow_plugin_x-0.1.1-py3-none-any.whl 100%\nHTTP Error 409: Conflict";
        assert_eq!(super::stale_upload(ok, "arcaflow-plugin-x", "0.1.1"), None);
    }

    #[test]
    fn version_exists_on_pypi_and_pypiserver() {
        let pypi = "HTTP Error 400: File already exists. See https://test.pypi.org/help/#file-name-reuse for more information. | b'<html>\\n <head>\\n  <title>400 File already exists.</title>\\n </head></html>'";
        let f = upload_failure(pypi, "testpypi", "POETRY_PYPI_TOKEN_TESTPYPI").unwrap();
        assert!(f.message.contains("already on testpypi"), "{f}");
        assert!(f.message.contains("File already exists"), "{f}");
        let ps =
            "HTTP Error 409: Conflict | b'<html><body>Package x already exists!</body></html>'";
        let f = upload_failure(ps, "local", "V").unwrap();
        assert!(f.message.contains("already on local"), "{f}");
        let f = upload_failure(
            "HTTP Error 400: Invalid value for classifiers | b''",
            "pypi",
            "V",
        )
        .unwrap();
        assert!(
            f.message
                .contains("rejected the upload (400: Invalid value for classifiers)"),
            "{f}"
        );
    }

    #[test]
    fn no_credentials_and_network() {
        let f = upload_failure(
            "HTTP Error 401: Unauthorized | b''",
            "pypi",
            "POETRY_PYPI_TOKEN_PYPI",
        )
        .unwrap();
        assert!(f.message.contains("no credentials"), "{f}");
        // The advice keeps the token off command lines: no `poetry config pypi-token`.
        let hint = f.hint.unwrap();
        assert!(
            hint.contains("export POETRY_PYPI_TOKEN_PYPI=\"$(cat ~/.pypi-token)\""),
            "{hint}"
        );
        assert!(!hint.contains("poetry config"), "{hint}");
        let f = upload_failure("Error connecting to repository", "local", "V").unwrap();
        assert!(f.message.contains("could not be reached"), "{f}");
        assert!(upload_failure("all good", "x", "V").is_none());
    }
}
