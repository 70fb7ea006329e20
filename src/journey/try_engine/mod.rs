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
mod image;
mod run;
mod serve;

use std::path::{Path, PathBuf};

use super::{Context, Failure, Step};
use crate::plan::Plan;
use crate::probe::Python;

pub(crate) use example::find_example;

pub(crate) fn steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(engine::Engine),
        Box::new(serve::Serve),
        Box::new(image::Image),
        Box::new(run::Run),
    ]
}

/// The wizard's cache: `$XDG_CACHE_HOME/arcaflow-wizard` on Linux.
pub(crate) fn cache_dir() -> PathBuf {
    crate::session::cache_dir()
}

/// Keys in `ctx.learned` set by `commands::try_cmd` before the steps run.
pub(crate) const SHA: &str = "try_sha";
pub(crate) const DIST: &str = "try_dist";
pub(crate) const PYTHON: &str = "try_python";
/// Picks the way to serve port 80: namespace, root, or none (see
/// assets/checks/try_launch.py).
pub(crate) const SERVE_ENV: &str = "ARCAFLOW_WIZARD_TRY_SERVE";
/// The container engine for the image deployer ("docker" or "podman"), and
/// its path: set only when one works here.
pub(crate) const IMAGE_ENGINE: &str = "try_image_engine";
pub(crate) const IMAGE_ENGINE_PATH: &str = "try_image_engine_path";
/// Answer: save the workflow and config as workflows/try/ in the project.
pub(crate) const SAVE: &str = "save";

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
pub(crate) fn pick_python<'a>(pythons: &'a [Python], lowest: Option<&str>) -> Option<&'a Python> {
    let min = lowest
        .and_then(crate::version::Version::find_in)
        .unwrap_or(crate::official::MIN_PYTHON);
    pythons
        .iter()
        .filter(|p| p.version >= min && p.venv().is_none())
        .min_by(|a, b| a.version.cmp(&b.version))
}

/// The commit HEAD names, read with git (no hook runs for rev-parse).
pub(crate) fn head_commit(dir: &Path) -> Result<String, Failure> {
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

/// The files of commit `sha` in a temporary folder (`git archive`, which
/// runs no hook): what the engine installs, to be judged before it runs.
pub(crate) fn committed_files(dir: &Path, sha: &str) -> Result<tempfile::TempDir, Failure> {
    use std::process::{Command, Stdio};
    let tmp = tempfile::Builder::new()
        .prefix("arcaflow-wizard-try-")
        .tempdir()
        .map_err(|e| Failure::new(format!("cannot make a temporary folder: {e}")))?;
    let cannot = |e: String| Failure::new(format!("cannot read commit {sha}'s files: {e}"));
    let mut archive = Command::new("git")
        .args(["archive", "--format=tar", sha])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| cannot(format!("git: {e}")))?;
    let tar_in = archive.stdout.take().map_or_else(Stdio::null, Stdio::from);
    let untar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(tmp.path())
        .stdin(tar_in)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| cannot(format!("tar: {e}")))?;
    let archived = archive.wait().map_err(|e| cannot(e.to_string()))?;
    if !archived.success() || !untar.success() {
        return Err(cannot(format!("git archive {archived}, tar {untar}")));
    }
    Ok(tmp)
}

/// Uncommitted changes are not in what the engine runs: say so.
pub(crate) fn dirty(dir: &Path) -> bool {
    std::process::Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false)
}

/// util-linux's `unshare`: on PATH, else where distros put it.
pub(crate) fn unshare_program() -> Option<PathBuf> {
    which::which("unshare").ok().or_else(|| {
        ["/usr/bin/unshare", "/bin/unshare"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
    })
}

/// Why `try` cannot serve the plugin here, or nothing: it needs a private
/// network namespace, or root and a free 127.0.0.1:80.
///
/// `ARCAFLOW_WIZARD_TRY_SERVE=none` says no way may be tried (a machine
/// where the engine must not run; the tests of everything but `try`).
pub(crate) fn cannot_serve() -> Option<String> {
    if std::env::var_os(SERVE_ENV).is_some_and(|v| v == "none") {
        return Some(format!("{SERVE_ENV}=none forbids serving the plugin"));
    }
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
    if crate::sys::ffi::geteuid() != 0 {
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

/// The container engine for the image deployer, when one works: the first
/// usable of docker and podman, unless a way to serve the Python deployer
/// is forced (`ARCAFLOW_WIZARD_TRY_SERVE`).
pub(crate) fn pick_image_engine(engines: &[crate::probe::Engine]) -> Option<&crate::probe::Engine> {
    if std::env::var_os(SERVE_ENV).is_some_and(|v| !v.is_empty()) {
        return None;
    }
    engines.iter().find(|e| e.usable)
}

/// The image deployer's engine, as `try` chose it: (name, path).
pub(crate) fn image_engine(ctx: &Context) -> Option<(&str, &str)> {
    Some((
        ctx.learned.get(IMAGE_ENGINE)?.as_str(),
        ctx.learned.get(IMAGE_ENGINE_PATH)?.as_str(),
    ))
}

/// Why `new`'s test build cannot end with the run in the engine, or
/// nothing: the engine installs the committed plugin, served on port 80.
/// `images`: a container engine works here, so the image deployer needs no
/// port 80.
pub(crate) fn new_cannot_run(committed: bool, images: bool) -> Option<String> {
    if !committed {
        return Some(
            "the project has no git commit, and the engine installs the committed plugin".into(),
        );
    }
    if std::env::var_os(SERVE_ENV).is_some_and(|v| v == "none") {
        return Some(format!("{SERVE_ENV}=none forbids the engine run"));
    }
    if images {
        return None;
    }
    cannot_serve()
}

/// What `new` says when the engine cannot run here: why, and how to run the
/// same check once the commit is pushed (a SHA: the deployer takes no tag).
pub(crate) fn new_skipped_note(dir: &Path, dist: &str, why: &str) -> String {
    format!(
        "The run in the Arcaflow engine was skipped: {why}. This is not a failure of new. \
         Where it can run (root, or a user namespace): arcaflow-wizard try {dir}\n\
         After pushing, anywhere: `arcaflow-wizard try --save {dir}` writes workflows/try/ and prints the engine's \
         command; in workflows/try/workflow.yaml set\n  \
         src: \"{dist}@git+https://github.com/<owner>/{dist}.git@<commit SHA>\"\n\
         (a commit SHA, not a tag), then run that command.",
        dir = dir.display()
    )
}

/// The end of `new`'s test build: the engine's install when it is not in
/// the wizard's cache yet (made with `python`, from `index_url` when given),
/// then `arcaflow-wizard try DIR`. A dry run's script names the wizard as a
/// user types it; a real run names this very program.
pub(crate) fn after_new(dir: &Path, python: &str, index_url: Option<&str>, dry_run: bool) -> Plan {
    let mut plan = match engine::binary() {
        Some(_) => Plan::new(),
        None => engine::install_plan(python, index_url),
    };
    let exe = match std::env::current_exe() {
        Ok(exe) if !dry_run => exe,
        _ => PathBuf::from("arcaflow-wizard"),
    };
    plan = plan.run(
        crate::plan::Cmd::new(exe)
            .arg("try")
            .arg(dir.to_string_lossy())
            .timeout(std::time::Duration::from_secs(900)),
    );
    plan
}
