//! The fix for a venv that must be made again, and what it would lose.
//!
//! Made again with the interpreter the user chose: the same exact version the
//! venv was made with (pyvenv.cfg), never another patch release silently.
//! Only that venv is removed (never `poetry env remove --all`, which takes the
//! project's other envs with it), and the fix names it. Removing is losing, so
//! such a fix is never safe: `--fix --yes` skips it. Anything in the venv that
//! pip did not install (an editable `src/` checkout, a file of the user's) is
//! named too, before the user is asked.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::super::{Fix, Input};
use super::venv_range::{candidates, Candidate};
use crate::plan::{Cmd, Plan};
use crate::probe::venv::VenvPython;

/// The interpreter to make the venv again with, and a note when it is not the
/// exact version the venv had.
pub(crate) struct Replacement {
    pub path: PathBuf,
    pub note: Option<String>,
}

/// The same exact version as the venv's (the one whose folder matches the
/// venv's old `home` first), else the newest patch of the same minor, said so.
pub(crate) fn replacement(input: &Input, venv: &Path) -> Option<Replacement> {
    let had = VenvPython::read(venv)?;
    pick(&had, &candidates(input))
}

fn pick(had: &VenvPython, found: &[Candidate]) -> Option<Replacement> {
    let home = had.home.as_deref().map(Path::new);
    let exact: Vec<&Candidate> = found
        .iter()
        .filter(|c| !c.minor_only && c.version == had.version)
        .collect();
    if let Some(c) = exact
        .iter()
        .find(|c| home.is_some_and(|h| c.path.starts_with(h)))
        .or(exact.first())
    {
        return Some(Replacement {
            path: c.path.clone(),
            note: None,
        });
    }
    let same_minor = found
        .iter()
        .filter(|c| c.version.major == had.version.major && c.version.minor == had.version.minor)
        .max_by_key(|c| (!c.minor_only, c.version.patch))?;
    let shown = if same_minor.minor_only {
        format!("{}.{}", same_minor.version.major, same_minor.version.minor)
    } else {
        same_minor.version.to_string()
    };
    Some(Replacement {
        path: same_minor.path.clone(),
        note: Some(format!(
            "Python {} (the one this venv was made with) is not on this machine any more: \
             the fix uses {} (Python {shown}) instead",
            had.version,
            same_minor.path.display()
        )),
    })
}

/// The fix for a broken venv: remove that venv only, and make it again with
/// the same interpreter (in the project when it was there, by `python -m venv`). It comes before
/// every other fix that runs Poetry (which would replace a broken venv with
/// one of its own choosing); `poetry install` then follows as the
/// `venv-deps-missing` fix, after the lock. None when no interpreter of that
/// minor is left (the caller gives advice instead).
pub(crate) fn remake(input: &Input, venv: &Path) -> Option<(Fix, Option<String>)> {
    let dir = &input.dir;
    let py = replacement(input, venv)?;
    let shown_py = py.path.display().to_string();
    let in_project = venv == dir.join(".venv");
    let q = |s: &str| crate::plan::shell_quote(s);
    let (shown, plan) = if in_project {
        // Made by the interpreter itself: Poetry 2.5.1's `env use`, even with
        // virtualenvs.in-project set, hands back an env from its cache when
        // there is no .venv, and Poetry then uses the new .venv as it finds it.
        (
            format!("rm -rf .venv && {} -m venv .venv", q(&shown_py)),
            Plan::new()
                .run(Cmd::new("rm").args(["-rf", "--", ".venv"]).cwd(dir))
                .run(Cmd::new(&py.path).args(["-m", "venv", ".venv"]).cwd(dir)),
        )
    } else {
        let shown_venv = venv.display().to_string();
        (
            format!(
                "rm -rf {} && poetry env use {}",
                q(&shown_venv),
                q(&shown_py)
            ),
            Plan::new()
                .run(Cmd::new("rm").args(["-rf", "--", &shown_venv]).cwd(dir))
                .run(Cmd::new("poetry").args(["env", "use", &shown_py]).cwd(dir)),
        )
    };
    let fix = Fix::run(shown, plan, false).deleting(what_is_lost(venv));
    Some((fix, py.note))
}

/// While a venv is broken, any fix that runs Poetry deletes it too: Poetry
/// (1.8 and 2) says "seems to be broken. Recreating virtualenv" and replaces
/// it, with an interpreter of its own choosing. Such fixes are marked so.
pub(crate) fn mark_poetry_losses(findings: &mut [crate::journey::doctor::Finding]) {
    let Some(lost) = findings
        .iter()
        .find(|f| f.id == BROKEN && f.severity != crate::journey::doctor::Severity::Ok)
        .and_then(|f| f.fix.as_ref()?.deletes.clone())
    else {
        return;
    };
    for f in findings.iter_mut().filter(|f| f.id != BROKEN) {
        let runs_poetry = f.fix.as_ref().is_some_and(|x| {
            x.deletes.is_none()
                && x.plan.actions.iter().any(|a| {
                    matches!(a, crate::plan::Action::Run(c)
                        if c.program.file_name().is_some_and(|n| n == "poetry"))
                })
        });
        if runs_poetry {
            f.fix = f.fix.take().map(|x| {
                x.deleting(format!(
                    "{lost}: Poetry replaces a broken venv whenever it runs (fix {BROKEN} first)"
                ))
            });
        }
    }
}

/// The id of a venv whose interpreter is gone.
pub(crate) const BROKEN: &str = "venv-python-missing";

/// "the venv at PATH", and what in it pip did not put there.
pub(crate) fn what_is_lost(venv: &Path) -> String {
    let foreign = not_from_pip(venv);
    if foreign.is_empty() {
        format!(
            "the virtualenv {} (only what pip installed)",
            venv.display()
        )
    } else {
        format!(
            "the virtualenv {}, with what pip did not put there: {}",
            venv.display(),
            foreign.join(", ")
        )
    }
}

/// What a venv holds that neither the venv tool nor pip put there, as paths
/// relative to it (`src/` for a folder). pip lists every file it installs in
/// the `RECORD` of its `*.dist-info`; the venv tools make `bin/activate*`, the
/// `python` links, `pyvenv.cfg` and a few marker files.
pub(crate) fn not_from_pip(venv: &Path) -> Vec<String> {
    let claimed = recorded(venv);
    let mut out = Vec::new();
    walk(venv, Path::new(""), &claimed, &mut out);
    out.sort();
    out
}

/// Every path the RECORD files name, relative to the venv, and their folders.
fn recorded(venv: &Path) -> HashSet<PathBuf> {
    let mut set = HashSet::new();
    for site in site_packages(venv) {
        let Ok(rd) = std::fs::read_dir(&site) else {
            continue;
        };
        for e in rd.flatten() {
            if !e.file_name().to_string_lossy().ends_with(".dist-info") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path().join("RECORD")) else {
                continue;
            };
            for line in text.lines() {
                // `path,hash,size`: a path with a comma is quoted.
                let path = match line.strip_prefix('"') {
                    Some(rest) => rest.split('"').next().unwrap_or_default(),
                    None => line.split(',').next().unwrap_or_default(),
                };
                if path.is_empty() {
                    continue;
                }
                if let Some(rel) = normalize(&site.join(path))
                    .and_then(|p| p.strip_prefix(normalize(venv)?).ok().map(Path::to_path_buf))
                {
                    let mut a = rel.as_path();
                    set.insert(a.to_path_buf());
                    while let Some(parent) = a.parent() {
                        if parent.as_os_str().is_empty() {
                            break;
                        }
                        set.insert(parent.to_path_buf());
                        a = parent;
                    }
                }
            }
        }
    }
    set
}

fn site_packages(venv: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(venv.join("lib"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect()
}

/// `a/b/../c` -> `a/c`, without touching the file system.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Made by `python -m venv` or virtualenv (as Poetry makes venvs), not by pip.
fn venv_made(rel: &Path) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.last().map(String::as_str).unwrap_or_default();
    if name == "__pycache__" || name.ends_with(".pyc") {
        return true;
    }
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["pyvenv.cfg" | ".gitignore" | "CACHEDIR.TAG" | "lib64" | "bin" | "lib" | "include"] => {
            true
        }
        ["bin", n] => [
            "activate",
            "Activate.ps1",
            "deactivate.nu",
            "python",
            "pip",
            "wheel",
            "easy_install",
        ]
        .iter()
        .any(|p| n.starts_with(p)),
        // `include/python3.X/` (venv makes it empty; pip's headers are in RECORD).
        ["lib" | "include", _] | ["lib", _, "site-packages"] => true,
        ["lib", _, "site-packages", n] => {
            matches!(*n, "_virtualenv.py" | "_virtualenv.pth" | "README.txt")
                || n.ends_with(".virtualenv")
        }
        _ => false,
    }
}

fn walk(venv: &Path, rel: &Path, claimed: &HashSet<PathBuf>, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(venv.join(rel)) else {
        return;
    };
    for e in rd.flatten() {
        let r = rel.join(e.file_name());
        let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let ours = venv_made(&r);
        if claimed.contains(&r) || ours {
            // A folder of pip's or the venv's may still hold something of the user's.
            if is_dir && !(ours && r.file_name().is_some_and(|n| n == "__pycache__")) {
                walk(venv, &r, claimed, out);
            }
            continue;
        }
        let shown = r.display().to_string();
        out.push(if is_dir { format!("{shown}/") } else { shown });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::Version;

    fn cand(path: &str, v: (u32, u32, u32), minor_only: bool) -> Candidate {
        Candidate {
            path: PathBuf::from(path),
            version: Version::new(v.0, v.1, v.2),
            minor_only,
        }
    }

    /// pyenv's 3.11.7 must not become the system's 3.11.2 because it is first on PATH.
    #[test]
    fn the_exact_version_wins_over_the_first_of_its_minor() {
        let had = VenvPython {
            version: Version::new(3, 11, 7),
            home: Some("/gone/bin".into()),
        };
        let found = [
            cand("/usr/bin/python3.11", (3, 11, 2), false),
            cand(
                "/root/.pyenv/versions/3.11.7/bin/python3.11",
                (3, 11, 7),
                false,
            ),
        ];
        let r = pick(&had, &found).unwrap();
        assert_eq!(
            r.path,
            PathBuf::from("/root/.pyenv/versions/3.11.7/bin/python3.11")
        );
        assert!(r.note.is_none());
        // Without the exact one, the nearest is used, and said.
        let r = pick(&had, &found[..1]).unwrap();
        assert_eq!(r.path, PathBuf::from("/usr/bin/python3.11"));
        let note = r.note.unwrap();
        assert!(
            note.contains("Python 3.11.7") && note.contains("3.11.2"),
            "{note}"
        );
        // No 3.11 at all: nothing to make it again with.
        assert!(pick(&had, &[cand("/usr/bin/python3.9", (3, 9, 18), false)]).is_none());
    }

    #[test]
    fn only_what_pip_and_the_venv_tool_made_is_not_named() {
        let t = tempfile::tempdir().unwrap();
        let v = t.path();
        let site = v.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(site.join("flake8/__pycache__")).unwrap();
        std::fs::create_dir_all(site.join("flake8-7.0.0.dist-info")).unwrap();
        std::fs::create_dir_all(v.join("bin")).unwrap();
        std::fs::create_dir_all(v.join("include/python3.11")).unwrap();
        for f in [
            "pyvenv.cfg",
            "bin/activate",
            "bin/python3.11",
            "bin/flake8",
            "lib/python3.11/site-packages/_virtualenv.pth",
            "lib/python3.11/site-packages/flake8/__init__.py",
            "lib/python3.11/site-packages/flake8/__pycache__/x.pyc",
        ] {
            std::fs::write(v.join(f), "").unwrap();
        }
        std::fs::write(
            site.join("flake8-7.0.0.dist-info/RECORD"),
            "../../../bin/flake8,sha256=x,1\nflake8/__init__.py,sha256=y,2\n\
             flake8-7.0.0.dist-info/RECORD,,\n",
        )
        .unwrap();
        assert_eq!(not_from_pip(v), Vec::<String>::new());
        assert!(what_is_lost(v).contains("only what pip installed"));
        // An editable checkout, a note, a stray module and script: named.
        std::fs::create_dir_all(v.join("src/mylib")).unwrap();
        std::fs::write(v.join("notes.txt"), "mine").unwrap();
        std::fs::write(site.join("hand_made.py"), "").unwrap();
        std::fs::write(v.join("bin/my-tool"), "").unwrap();
        assert_eq!(
            not_from_pip(v),
            [
                "bin/my-tool",
                "lib/python3.11/site-packages/hand_made.py",
                "notes.txt",
                "src/"
            ]
        );
        assert!(
            what_is_lost(v).ends_with("notes.txt, src/"),
            "{}",
            what_is_lost(v)
        );
    }
}
