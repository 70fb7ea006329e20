//! The project's virtualenv (found by `probe::venv`): git must not track it,
//! its `pyvenv.cfg` home and `bin/python` must exist (Poetry itself hides a
//! broken venv: `env info` says `Valid: False` and exits 0; Poetry 2 `run`
//! recreates it empty), its Python must be one the project's range admits
//! (`venv_range`), and the dependencies must be installed.

use std::path::Path;
use std::time::Duration;

use super::super::{Finding, Fix, Group, Input};
use super::Project;
use crate::plan::{Cmd, Plan};
use crate::probe::venv::{broken, installed, locate};

const G: Group = Group::Venv;

/// Why doctor must not run this venv's Python, if it must not: git tracks
/// the venv (someone else's files, however its links point: a committed
/// `site-packages/*.pth` runs code at start-up), or its `bin/python`, links
/// followed, lies inside the project.
pub(crate) fn untrusted(dir: &Path, venv: &Path) -> Option<String> {
    match git_tracks(dir, venv) {
        Some(true) => {
            return Some(format!(
                "git tracks {}: it came with the repository",
                venv.display()
            ))
        }
        // A repository git cannot read: whether the venv came with it is unknown.
        None if venv.starts_with(dir) && dir.join(".git").exists() => {
            return Some(format!(
                "git could not say whether it tracks {}",
                venv.display()
            ))
        }
        _ => {}
    }
    let real_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match std::fs::canonicalize(venv.join("bin/python")) {
        Ok(real) if real.starts_with(&real_dir) => Some(format!(
            "{} is {}, inside the project",
            venv.join("bin/python").display(),
            real.display()
        )),
        Ok(_) => None,
        Err(_) => Some(format!(
            "{} cannot be resolved",
            venv.join("bin/python").display()
        )),
    }
}

/// Git tracks a file under `venv` (see [`git_tracks`]).
pub(crate) fn tracked_by_git(dir: &Path, venv: &Path) -> bool {
    git_tracks(dir, venv) == Some(true)
}

/// Whether git tracks a file under `venv`, which lies in the project `dir`
/// (the repository may be a folder above it); None when git could not say.
/// Outside a repository, or for a venv outside the project, Some(false).
/// Read with git itself, fsmonitor and hooks off (nothing of the project's
/// runs), and with any owner's repository readable: a clone owned by someone
/// else is exactly the one to ask about.
pub(crate) fn git_tracks(dir: &Path, venv: &Path) -> Option<bool> {
    let Ok(rel) = venv.strip_prefix(dir) else {
        return Some(false);
    };
    let cmd = |args: &[&str]| {
        Cmd::new("git")
            .args([
                "-c",
                "core.fsmonitor=false",
                "-c",
                "core.hooksPath=/dev/null",
                "-c",
                "safe.directory=*",
            ])
            .args(args.iter().copied())
            .cwd(dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .timeout(Duration::from_secs(10))
    };
    // Not in a repository at all: nothing is tracked.
    if crate::exec::capture(&cmd(&["rev-parse", "--git-dir"])).is_none() {
        return (!dir.join(".git").exists()).then_some(false);
    }
    let rel = rel.to_string_lossy();
    let out = crate::exec::capture(&cmd(&["ls-files", "-z", "--", &rel]))?;
    Some(!out.trim_matches('\0').is_empty())
}

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let Some(p) = Project::load(&input.dir) else {
        return Vec::new();
    };
    let name = p.info().and_then(|i| i.name.clone());
    let dir = &input.dir;
    let Some(venv) = locate(&input.dir, &input.env, name.as_deref()) else {
        return vec![
            Finding::warning(G, "venv-missing", "the project has no virtualenv yet")
                .detail("`poetry install` creates it and installs the dependencies")
                .fix(Fix::run(
                    "poetry install",
                    Plan::new().run(Cmd::new("poetry").arg("install").cwd(dir)),
                    true,
                )),
        ];
    };
    if tracked_by_git(dir, &venv) {
        return vec![Finding::problem(
            G,
            "venv-tracked",
            "git tracks the project's virtualenv: doctor does not run it",
        )
        .detail(format!(
            "{}\nA venv in the repository is someone else's files: its Python and its site-packages (a `.pth` file runs \
             code at start-up) would run as you. A venv is made on each machine by `poetry install`.",
            venv.display()
        ))
        .fix(Fix::manual(
            "git rm -r --cached .venv && echo .venv/ >> .gitignore   # then, having read what it holds: rm -rf .venv && poetry install",
        ))];
    }
    if let Some(why) = broken(&venv) {
        let (fix, note) = match super::venv_fix::remake(input, &venv) {
            Some((fix, note)) => (fix, note),
            None => {
                let had = crate::probe::python::pyvenv_cfg_version(&venv)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "3.X".into());
                (
                    Fix::manual(format!(
                        "no Python {had} (the one this venv was made with) was found: install it, then run: \
                         rm -rf {} && poetry env use /path/to/python && poetry install",
                        crate::plan::shell_quote(&venv.display().to_string())
                    )),
                    None,
                )
            }
        };
        let deletes = fix
            .deletes
            .as_ref()
            .map(|d| format!("\nThe fix deletes {d}."))
            .unwrap_or_default();
        let note = note.map(|n| format!("\n{n}.")).unwrap_or_default();
        return vec![Finding::problem(G, "venv-python-missing", "the project's virtualenv points at a Python that is gone")
            .detail(format!(
                "{}\n{why}\nPoetry hides this: `poetry env info` says `Valid: False` and exits 0, and Poetry 2 `poetry run` recreates the venv EMPTY.{note}{deletes}",
                venv.display()
            ))
            .fix(fix)];
    }
    // A venv that runs but whose Python the project excludes: Poetry refuses it,
    // and the fix makes a new one, so what is installed in this one does not matter.
    let mut out = Vec::new();
    if let Some(mut f) = super::venv_range::check(input, &venv, p.info().and_then(|i| i.python())) {
        if f.severity != super::super::Severity::Ok {
            // `poetry env use` replaces an in-project .venv: that deletes it.
            if venv == dir.join(".venv") {
                f.fix = f.fix.map(|x| {
                    if x.automatic() {
                        x.deleting(super::venv_fix::what_is_lost(&venv))
                    } else {
                        x
                    }
                });
            }
            return vec![f];
        }
        out.push(f);
    }
    // The dependencies, from their dist-info folders.
    let missing: Vec<String> = p
        .info()
        .map(|i| {
            i.dependencies
                .iter()
                .filter(|d| {
                    matches!(
                        d.source,
                        crate::pyproject::DepSource::Poetry | crate::pyproject::DepSource::Project
                    )
                })
                .map(|d| d.name.clone())
                .filter(|n| !installed(&venv, n))
                .collect()
        })
        .unwrap_or_default();
    let version = crate::probe::python::pyvenv_cfg_version(&venv)
        .map(|v| v.to_string())
        .unwrap_or_default();
    if !missing.is_empty() {
        out.push(
            Finding::warning(
                G,
                "venv-deps-missing",
                format!("not installed in the virtualenv: {}", missing.join(", ")),
            )
            .detail(venv.display().to_string())
            .fix(Fix::run(
                "poetry install",
                Plan::new().run(Cmd::new("poetry").arg("install").cwd(dir)),
                true,
            )),
        );
        return out;
    }
    out.push(
        Finding::ok(
            G,
            "venv-python-missing",
            format!("the virtualenv runs Python {version}"),
        )
        .detail(venv.display().to_string()),
    );
    out
}
