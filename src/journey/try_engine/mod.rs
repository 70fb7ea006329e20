//! `try`: the plugin's example step in the real Arcaflow engine, before
//! anything is pushed. Three steps: the engine (a pinned, hash-checked wheel
//! in the wizard's cache), the commit to serve (a bare clone of HEAD for
//! dumb-HTTP git, and the wheels its pip install needs), and the run (a
//! one-step workflow and its config, then the engine through
//! assets/checks/try_launch.py).
//!
//! Everything is keyed by the commit, so a second `try` on the same commit
//! reuses the deployer's venv (`modulePullPolicy: IfNotPresent`).

mod engine;
mod example;
mod run;
mod serve;

use std::path::{Path, PathBuf};

use super::{Context, Failure, Step};
use crate::probe::Python;

pub use engine::{ENGINE_VERSION, ENGINE_WHEEL_SHA256};
pub use example::{find_example, TryExample};

pub fn steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(engine::Engine),
        Box::new(serve::Serve),
        Box::new(run::Run),
    ]
}

/// The wizard's cache: `$XDG_CACHE_HOME/arcaflow-wizard` on Linux.
pub fn cache_dir() -> PathBuf {
    match directories::ProjectDirs::from("io", "arcalot", "arcaflow-wizard") {
        Some(d) => d.cache_dir().to_path_buf(),
        None => std::env::temp_dir().join("arcaflow-wizard-cache"),
    }
}

/// Keys in `ctx.learned` set by `commands::try_cmd` before the steps run.
pub const SHA: &str = "try_sha";
pub const DIST: &str = "try_dist";
pub const PYTHON: &str = "try_python";
/// Answer: save the workflow and config as workflows/try/ in the project.
pub const SAVE: &str = "save";

pub(crate) fn learned<'a>(ctx: &'a Context, key: &str) -> Result<&'a str, Failure> {
    ctx.learned
        .get(key)
        .map(String::as_str)
        .ok_or_else(|| Failure::new(format!("internal: {key} was not set")))
}

/// The folder of one commit: the served repository, the wheels, the
/// workflow, the deployer's workdir.
pub(crate) fn commit_dir(ctx: &Context) -> Result<PathBuf, Failure> {
    Ok(cache_dir().join("try").join(learned(ctx, SHA)?))
}

/// The interpreter for the engine's venv and the deployer's plugin venv: the
/// oldest Python the project admits (the official images run 3.9).
pub fn pick_python<'a>(pythons: &'a [Python], lowest: Option<&str>) -> Option<&'a Python> {
    let min = lowest
        .and_then(crate::version::Version::find_in)
        .unwrap_or(crate::version::Version::new(3, 9, 0));
    pythons
        .iter()
        .filter(|p| p.version >= min && p.venv().is_none())
        .min_by(|a, b| a.version.cmp(&b.version))
}

/// The commit HEAD names, read with git (no hook runs for rev-parse).
pub fn head_commit(dir: &Path) -> Result<String, Failure> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Failure::new(format!("cannot run git: {e}")))?;
    let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || sha.len() != 40 {
        return Err(Failure::usage(format!(
            "{} has no commit: the engine installs the plugin from its committed HEAD. Commit first (git add -A && git commit).",
            dir.display()
        )));
    }
    Ok(sha)
}

/// Uncommitted changes are not in what the engine runs: say so.
pub fn dirty(dir: &Path) -> bool {
    std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false)
}

/// util-linux's `unshare`: on PATH, else where distros put it.
pub fn unshare_program() -> Option<PathBuf> {
    which::which("unshare").ok().or_else(|| {
        ["/usr/bin/unshare", "/bin/unshare"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    })
}

/// Why `try` cannot serve the plugin here, or nothing: it needs a private
/// network namespace, or root and a free 127.0.0.1:80.
pub fn cannot_serve() -> Option<String> {
    let ns = unshare_program().is_some_and(|u| {
        std::process::Command::new(u)
            .args(["--user", "--map-root-user", "--net", "true"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if ns {
        return None;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some(
            "neither a private network namespace (unshare --user --net) nor root is available"
                .into(),
        );
    }
    match std::net::TcpListener::bind(("127.0.0.1", 80)) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "no private network namespace (unshare --user --net), and 127.0.0.1:80 is taken: {e}"
        )),
    }
}

/// The last check of `new`'s test build: `arcaflow-wizard try DIR`, when the
/// project has a commit, the engine is installed (`try` itself fetches it
/// the first time: `new` downloads nothing unasked) and the plugin can be
/// served; else why not.
pub fn after_new(dir: &Path, committed: bool) -> Result<crate::plan::Cmd, String> {
    if !committed {
        return Err(
            "the project has no git commit, and the engine installs the committed plugin".into(),
        );
    }
    if engine::binary().is_none() {
        return Err(format!(
            "the Arcaflow engine is not installed yet (`try` installs it the first time: the arcaflow {ENGINE_VERSION} wheel, 9.6 MB)"
        ));
    }
    if let Some(why) = cannot_serve() {
        return Err(why);
    }
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find the wizard's own program: {e}"))?;
    Ok(crate::plan::Cmd::new(exe)
        .arg("try")
        .arg(dir.to_string_lossy())
        .timeout(std::time::Duration::from_secs(900)))
}
