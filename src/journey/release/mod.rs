//! `release`: a guided, safe release to PyPI (issue 6). Checks, version bump,
//! build and its contents, the token (never on a command line), a real upload to
//! a test index and an install back from it, then PyPI itself.
//!
//! Answers (`ctx.answers`): `repository`, `repository_url` (from the flags),
//! `version`, `dirty_ok`, `pypi`. Secrets (`ctx.secrets`): `token` for the test
//! repository, `pypi_token` for PyPI; tokens found in the environment are moved
//! there too (see `commands::release`), so no child but `poetry publish` sees them.
//! Learned (`ctx.learned`): `current_version`, `new_version`, `resume_version`.

mod build;
mod checks;
pub mod ci;
mod finish;
mod index;
mod install;
mod publish;
mod pypi;
mod token;
mod version;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Context, Failure, Step};
use crate::names::PluginNames;
use crate::plan::Cmd;
use crate::pyproject::{self, ProjectInfo};

pub use index::{
    is_file_of, query as index_query, refuse_hidden_parts, repository_url_env_var, simple_url,
    version_on_page, IndexAnswer, Target,
};
pub use token::{
    auth_toml_has_token, check_env_token, check_token, holds_token, keep_token_advice,
    looks_like_token, secret_key, token_env_var, token_given_as, token_warning,
};
/// The version question's key (a failure that finds the version taken asks it again).
pub(crate) use version::KEY as VERSION_KEY;

/// The journey: first where to publish from; then either the publish workflow
/// or the release from this machine (the other side's steps are skipped).
pub fn steps() -> Vec<Box<dyn Step>> {
    let mut out: Vec<Box<dyn Step>> = vec![
        Box::new(ci::PublishFrom),
        Box::new(ci::OnlyIf {
            ci: true,
            step: Box::new(ci::PublishWorkflow),
        }),
    ];
    out.extend(
        here_steps()
            .into_iter()
            .map(|step| Box::new(ci::OnlyIf { ci: false, step }) as Box<dyn Step>),
    );
    out
}

/// `release --ci`: the publish workflow alone.
pub fn ci_steps() -> Vec<Box<dyn Step>> {
    vec![Box::new(ci::PublishWorkflow)]
}

/// The release from this machine.
fn here_steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(checks::Checks),
        Box::new(version::VersionStep::default()),
        Box::new(build::Build),
        Box::new(install::WheelInstall),
        Box::new(token::TokenStep),
        Box::new(publish::Publish),
        Box::new(install::InstallBack),
        Box::new(pypi::PypiConfirm),
        Box::new(pypi::Pypi),
        Box::new(finish::Finish),
    ]
}

/// The project folder (absolute).
pub(crate) fn project_dir(ctx: &Context) -> PathBuf {
    ctx.dir.clone()
}

/// The project's pyproject.toml, read.
pub(crate) fn project_info(ctx: &Context) -> Result<ProjectInfo, Failure> {
    let path = project_dir(ctx).join("pyproject.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::usage(format!("cannot read {}: {e}", path.display()))
            .hint("Run `arcaflow-wizard release` in the plugin's folder, or give the folder: arcaflow-wizard release DIR")
    })?;
    let doc = pyproject::parse(&text).map_err(|e| Failure::usage(e.to_string()))?;
    Ok(pyproject::inspect(&doc))
}

/// The pyproject.toml in `dir`, read (None when it cannot be).
pub fn project_info_at(dir: &Path) -> Option<ProjectInfo> {
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
    Some(pyproject::inspect(&pyproject::parse(&text).ok()?))
}

/// The project's pyproject.toml, checked before any step runs: valid TOML, a name
/// that is a plugin name, a PEP 440 version. Poetry would otherwise stop the first
/// step (`poetry install`) with its own message, and a bad version would only be
/// found at the bump, after the checks ran.
pub fn check_project(dir: &Path) -> Result<ProjectInfo, Failure> {
    let path = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let doc = pyproject::parse(&text).map_err(|e| {
        Failure::usage(e.to_string()).hint(format!(
            "Correct it in {}:\n{}",
            path.display(),
            e.excerpt(&text)
        ))
    })?;
    let info = pyproject::inspect(&doc);
    let table = match info.form {
        pyproject::Form::Pep621 | pyproject::Form::Mixed => "[project]",
        _ => "[tool.poetry]",
    };
    let at = |key: &str| {
        pyproject::position_at(&text, &["tool", "poetry", key])
            .or_else(|| pyproject::position_at(&text, &["project", key]))
            .map(|(l, c)| format!("pyproject.toml: line {l}, column {c}"))
            .unwrap_or_else(|| "pyproject.toml".to_string())
    };
    // A value of the wrong kind is read as missing: say which.
    let missing = |key: &str, example: &str| match info
        .warnings
        .iter()
        .find(|w| w.contains(&format!(".{key} should be")))
    {
        Some(w) => Failure::usage(format!("{}: {w}", at(key))),
        None => Failure::usage(format!(
            "pyproject.toml has no {key}: add {key} = \"{example}\" to {table}"
        )),
    };
    let Some(name) = &info.name else {
        return Err(missing("name", "arcaflow-plugin-NAME"));
    };
    PluginNames::parse(name)
        .map_err(|e| Failure::usage(format!("{}: the project name {name:?}: {e}", at("name"))))?;
    let Some(version) = &info.version else {
        return Err(missing("version", "0.1.0"));
    };
    crate::version::normalize_pep440(version).map_err(|e| {
        Failure::usage(format!("{}: the version: {e}", at("version"))).hint(
            "Poetry refuses it too (`Invalid version`): set a version such as 0.1.0, then run the release again.",
        )
    })?;
    Ok(info)
}

/// The distribution name, as Poetry builds it.
pub(crate) fn dist_name(ctx: &Context) -> Result<String, Failure> {
    project_info(ctx)?
        .name
        .ok_or_else(|| Failure::usage("pyproject.toml has no project name"))
}

/// The plugin's names (entry module, test file) from the distribution name.
pub(crate) fn names(ctx: &Context) -> Result<PluginNames, Failure> {
    let dist = dist_name(ctx)?;
    PluginNames::parse(&dist).map_err(|e| Failure::usage(format!("project name {dist}: {e}")))
}

/// The code folder: `packages`, else the name's folder.
pub(crate) fn code_folder(ctx: &Context) -> Result<String, Failure> {
    let info = project_info(ctx)?;
    info.code_folders()
        .into_iter()
        .next()
        .ok_or_else(|| Failure::usage("pyproject.toml names no code folder"))
}

/// The version being released: the bumped one once the version step ran.
pub(crate) fn release_version(ctx: &Context) -> Result<String, Failure> {
    if let Some(v) = ctx.learned.get("new_version") {
        return Ok(v.clone());
    }
    // A dry run writes no file and learns nothing: its script installs and
    // tests the version it bumps to, not the one pyproject.toml says now.
    if ctx.opts.dry_run {
        return version::next_version(ctx).map(|(_, next)| next);
    }
    project_info(ctx)?
        .version
        .ok_or_else(|| Failure::usage("pyproject.toml has no version"))
}

/// The project's primary package source (`[[tool.poetry.source]]`), for pip.
pub(crate) fn primary_source(ctx: &Context) -> Option<String> {
    let info = project_info(ctx).ok()?;
    let sources: Vec<_> = info.sources.iter().filter(|s| s.url.is_some()).collect();
    sources
        .iter()
        .find(|s| matches!(s.priority.as_deref(), Some("primary" | "default") | None))
        .or(sources.first())
        .and_then(|s| s.url.clone())
}

/// A Poetry command in the project folder. Poetry gets no keyring (a locked one can
/// hang, facts file): tokens reach it through `POETRY_PYPI_TOKEN_<NAME>`, and one
/// stored in auth.toml is read without a keyring.
pub(crate) fn poetry_cmd(ctx: &Context, args: &[&str]) -> Cmd {
    let program = match crate::journey::new::chosen_poetry(ctx) {
        Ok(p) if p.first_on_path => PathBuf::from("poetry"),
        Ok(p) => p.path.clone(),
        Err(_) => PathBuf::from("poetry"),
    };
    Cmd::new(program)
        .args(args.iter().copied())
        .cwd(project_dir(ctx))
        .env("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        .timeout(Duration::from_secs(900))
}

/// A Python for throwaway venvs and index queries: the project's virtualenv's
/// interpreter (the project's own Python), else the best one found.
pub(crate) fn base_python(ctx: &Context) -> PathBuf {
    if let Some(p) = ctx.learned.get("python") {
        return PathBuf::from(p);
    }
    if !ctx.opts.dry_run {
        let cmd =
            poetry_cmd(ctx, &["env", "info", "--executable"]).timeout(Duration::from_secs(60));
        if let Some(out) = crate::exec::capture(&cmd) {
            let p = PathBuf::from(out.lines().last().unwrap_or_default().trim());
            if p.is_file() {
                return p;
            }
        }
    }
    ctx.facts
        .best_python()
        .map(|p| p.path.clone())
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Where `ctx.learned` holds this run's scratch folder.
pub const SCRATCH_KEY: &str = "scratch_dir";

/// The scratch folder's stand-in in a `--dry-run` script, which makes its own
/// with `mktemp -d` when it runs (see `commands::release`).
pub const SCRIPT_SCRATCH: &str = "/ARCAFLOW_WIZARD_SCRATCH";

/// A fresh private folder (0700, a random name) for one run's throwaway
/// virtualenvs, removed when dropped. A name anyone can predict could be made
/// first by another user, with a `pip/` in it that the install would import.
pub fn make_scratch() -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile makes a folder with the umask's mode (0755) unless told.
    tempfile::Builder::new()
        .prefix("arcaflow-wizard-release-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// This run's scratch folder (see [`make_scratch`]).
pub(crate) fn scratch_dir(ctx: &Context) -> Result<PathBuf, Failure> {
    if ctx.opts.dry_run {
        return Ok(PathBuf::from(SCRIPT_SCRATCH));
    }
    ctx.learned
        .get(SCRATCH_KEY)
        .map(PathBuf::from)
        .ok_or_else(|| {
            Failure::new("this run has no private scratch folder for its throwaway virtualenvs")
        })
}

/// `rm -rf DIR`, as an action of a plan (so the script shows it too).
pub(crate) fn remove_dir(dir: &Path) -> Cmd {
    Cmd::new("rm")
        .arg("-rf")
        .arg(dir.to_string_lossy().into_owned())
}

/// The version pyproject.toml says now.
pub fn project_version(ctx: &Context) -> Option<String> {
    project_info(ctx).ok()?.version
}
