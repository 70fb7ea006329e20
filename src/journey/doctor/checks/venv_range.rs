//! Part of the venv group: the venv's interpreter against the project's Python
//! range. A venv made with 3.8 for a `^3.9` project runs, so nothing looks
//! broken, but Poetry refuses it: `install`, `run` and `add` stop with
//! `Current Python version (3.8.18) is not allowed by the project (^3.9)`.
//!
//! Everything is read from files (pyvenv.cfg, interpreter paths and names):
//! doctor starts no process for it.

use std::cmp::Reverse;
use std::path::{Path, PathBuf};

use super::super::{Finding, Fix, Group, Input};
use crate::plan::{Cmd, Plan};
use crate::probe::python::{locate, venv_root, version_from_files};
use crate::probe::venv::VenvPython;
use crate::pyproject::{Constraint, PythonReq};
use crate::version::Version;

const G: Group = Group::Venv;

/// The check's id: `ok` when the venv's Python is in the range.
pub(crate) const ID: &str = "venv-python-out-of-range";

/// An interpreter that could replace the venv's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub path: PathBuf,
    pub version: Version,
    /// Only its name (`python3.11`) tells the version: the patch is unknown (0 here).
    pub minor_only: bool,
}

impl Candidate {
    /// Whether the range admits it. A name tells only the minor, so X.Y.0 stands
    /// for it: `>=3.9.5` then does not pick a `python3.9` of unknown patch.
    fn admitted_by(&self, range: &Constraint) -> bool {
        range.contains(&pep440(self.version))
    }
}

/// Our version as pep440_rs reads it, for `Constraint::contains`.
pub(crate) fn pep440(v: Version) -> pep440_rs::Version {
    pep440_rs::Version::new([u64::from(v.major), u64::from(v.minor), u64::from(v.patch)])
}

/// `python3.11` -> 3.11; other names say nothing.
fn minor_from_name(path: &Path) -> Option<Version> {
    let name = path.file_name()?.to_str()?;
    let (major, minor) = name.strip_prefix("python")?.split_once('.')?;
    Some(Version::new(major.parse().ok()?, minor.parse().ok()?, 0))
}

/// The interpreters on this machine whose version files tell (PATH, pyenv, the
/// system folders), in that order; venvs left out (a venv made from a venv's
/// Python breaks with it).
pub(crate) fn candidates(input: &Input) -> Vec<Candidate> {
    locate(&input.env)
        .into_iter()
        .filter(|p| venv_root(p).is_none())
        .filter_map(|p| {
            // Also drops dangling links.
            let real = std::fs::canonicalize(&p).ok()?;
            let (version, minor_only) = match version_from_files(&p, &real) {
                Some(v) => (v, false),
                None => (
                    minor_from_name(&p).or_else(|| minor_from_name(&real))?,
                    true,
                ),
            };
            // `versions/3.9.18/bin/python3` reads better as its `python3.9` beside it.
            let named = p.with_file_name(format!("python{}.{}", version.major, version.minor));
            let path = if named != p && named.is_file() {
                named
            } else {
                p
            };
            Some(Candidate {
                path,
                version,
                minor_only,
            })
        })
        .collect()
}

/// The interpreter to recreate the venv with: the lowest minor the range admits
/// (the official images run the lowest supported, 3.9), of it the newest known
/// patch, and of equals the first found (PATH comes first).
pub(crate) fn best<'a>(range: &Constraint, found: &'a [Candidate]) -> Option<&'a Candidate> {
    found
        .iter()
        .filter(|c| c.admitted_by(range))
        .min_by_key(|c| {
            (
                c.version.major,
                c.version.minor,
                c.minor_only,
                Reverse(c.version.patch),
            )
        })
}

/// The verdict for this venv (pure but for `found`, called only when the venv's
/// Python is out of range). None when the project's range cannot be read: the
/// project checks report that.
pub(crate) fn verdict(
    venv: &Path,
    py: &VenvPython,
    req: &PythonReq,
    dir: &Path,
    found: impl FnOnce() -> Vec<Candidate>,
) -> Option<Finding> {
    if req.error.is_some() {
        return None;
    }
    let range = req.parsed().ok()?;
    if range.contains(&pep440(py.version)) {
        return Some(Finding::ok(
            G,
            ID,
            format!(
                "the virtualenv's Python {} is in the project's range `{}`",
                py.version, req.constraint
            ),
        ));
    }
    let home = py
        .home
        .as_deref()
        .map(|h| format!(", home = {h}"))
        .unwrap_or_default();
    let detail = format!(
        "{}\npyvenv.cfg: version {}{home}\nPoetry refuses this venv: `poetry install`, `run` and `add` stop with \
         `Current Python version ({}) is not allowed by the project`.",
        venv.display(),
        py.version,
        py.version
    );
    let candidates = found();
    let fix = match best(&range, &candidates) {
        Some(c) => {
            let py = c.path.display().to_string();
            // `env use` recreates an in-project .venv too (Poetry does that when
            // the .venv's Python differs from the one asked for).
            Fix::run(
                format!("poetry env use {py} && poetry install"),
                Plan::new()
                    .run(Cmd::new("poetry").args(["env", "use", &py]).cwd(dir))
                    .run(Cmd::new("poetry").arg("install").cwd(dir)),
                true,
            )
        }
        None => {
            let lowest = range.lower_bound().map(|b| {
                let r = b.version.release();
                format!("{}.{}", r[0], r.get(1).copied().unwrap_or(0))
            });
            Fix::manual(match lowest {
                Some(x) => format!(
                    "no Python that `{}` admits was found: install Python {x} (or another version the range admits), \
                     then run: poetry env use /path/to/python{x} && poetry install",
                    req.constraint
                ),
                None => format!(
                    "no Python that `{}` admits was found: install one, \
                     then run: poetry env use /path/to/python3.X && poetry install",
                    req.constraint
                ),
            })
        }
    };
    Some(
        Finding::problem(
            G,
            ID,
            format!(
                "the virtualenv runs Python {}, which the project's range `{}` excludes",
                py.version, req.constraint
            ),
        )
        .detail(detail)
        .fix(fix),
    )
}

/// The finding for the project's (working) venv, if its range and version can be read.
pub(crate) fn check(input: &Input, venv: &Path, req: Option<&PythonReq>) -> Option<Finding> {
    let py = VenvPython::read(venv)?;
    verdict(venv, &py, req?, &input.dir, || candidates(input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::Severity;

    /// The project's range as doctor reads it from a pyproject.toml.
    fn req(table: &str, key: &str, range: &str) -> PythonReq {
        let text = format!("[{table}]\n{key} = \"{range}\"\n");
        let doc = crate::pyproject::parse(&text).unwrap();
        crate::pyproject::inspect(&doc).python().cloned().unwrap()
    }

    fn poetry(range: &str) -> PythonReq {
        req("tool.poetry.dependencies", "python", range)
    }

    fn venv_py(v: &str) -> VenvPython {
        VenvPython {
            version: Version::find_in(v).unwrap(),
            home: Some(format!("/opt/py{v}/bin")),
        }
    }

    fn cand(path: &str, v: &str, minor_only: bool) -> Candidate {
        Candidate {
            path: PathBuf::from(path),
            version: Version::find_in(v).unwrap(),
            minor_only,
        }
    }

    fn judge(py: &str, r: &PythonReq, found: Vec<Candidate>) -> Finding {
        verdict(
            Path::new("/p/.venv"),
            &venv_py(py),
            r,
            Path::new("/p"),
            || found,
        )
        .unwrap()
    }

    #[test]
    fn reads_venv_and_virtualenv_cfgs() {
        let d = tempfile::tempdir().unwrap();
        let cfg = d.path().join("pyvenv.cfg");
        std::fs::write(
            &cfg,
            "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.8.18\n",
        )
        .unwrap();
        assert_eq!(
            VenvPython::read(d.path()),
            Some(VenvPython {
                version: Version::new(3, 8, 18),
                home: Some("/usr/bin".into())
            })
        );
        std::fs::write(&cfg, "home = /x/bin\nimplementation = CPython\nversion_info = 2.7.18.final.0\nvirtualenv = 20.26.6\n").unwrap();
        assert_eq!(
            VenvPython::read(d.path()).unwrap().version,
            Version::new(2, 7, 18)
        );
        std::fs::write(&cfg, "home = /x/bin\n").unwrap();
        assert_eq!(VenvPython::read(d.path()), None);
    }

    #[test]
    fn a_python_in_range_is_ok_in_either_form() {
        let f = judge("3.11.7", &poetry("^3.9"), vec![]);
        assert_eq!((f.id, f.severity), (ID, Severity::Ok));
        assert_eq!(
            f.title,
            "the virtualenv's Python 3.11.7 is in the project's range `^3.9`"
        );
        let pep = req("project", "requires-python", ">=3.9,<4.0");
        assert_eq!(judge("3.9.0", &pep, vec![]).severity, Severity::Ok);
    }

    #[test]
    fn an_older_python_is_a_problem_fixed_with_the_lowest_admitted() {
        let found = vec![
            cand("/usr/bin/python3.8", "3.8", true),
            cand(
                "/home/u/.pyenv/versions/3.12.1/bin/python3.12",
                "3.12.1",
                false,
            ),
            cand("/usr/bin/python3.9", "3.9", true),
            cand(
                "/home/u/.pyenv/versions/3.9.18/bin/python3.9",
                "3.9.18",
                false,
            ),
            cand(
                "/home/u/.pyenv/versions/3.9.2/bin/python3.9",
                "3.9.2",
                false,
            ),
        ];
        let f = judge("3.8.18", &poetry("^3.9"), found);
        assert_eq!((f.id, f.severity), (ID, Severity::Problem));
        assert_eq!(
            f.title,
            "the virtualenv runs Python 3.8.18, which the project's range `^3.9` excludes"
        );
        assert!(
            f.detail
                .starts_with("/p/.venv\npyvenv.cfg: version 3.8.18, home = /opt/py3.8.18/bin\n"),
            "{}",
            f.detail
        );
        assert!(
            f.detail
                .contains("`Current Python version (3.8.18) is not allowed by the project`"),
            "{}",
            f.detail
        );
        let fix = f.fix.unwrap();
        assert_eq!(
            fix.command,
            "poetry env use /home/u/.pyenv/versions/3.9.18/bin/python3.9 && poetry install"
        );
        assert!(fix.automatic() && fix.safe);
    }

    #[test]
    fn a_newer_python_than_the_range_allows_is_a_problem_too() {
        let r = req("project", "requires-python", ">=3.9,<3.12");
        let found = vec![
            cand("/usr/bin/python3.13", "3.13", true),
            cand("/usr/bin/python3.11", "3.11", true),
        ];
        let f = judge("3.13.0", &r, found);
        assert_eq!(f.severity, Severity::Problem);
        assert_eq!(
            f.fix.unwrap().command,
            "poetry env use /usr/bin/python3.11 && poetry install"
        );
    }

    /// A name tells the minor only: `>=3.9.5` does not take a python3.9 of unknown patch.
    #[test]
    fn a_patch_bound_needs_a_known_patch() {
        let found = vec![cand("/usr/bin/python3.9", "3.9", true)];
        let f = judge("3.9.2", &poetry(">=3.9.5,<4.0"), found);
        assert_eq!(f.severity, Severity::Problem);
        let fix = f.fix.unwrap();
        assert!(!fix.automatic());
        assert_eq!(
            fix.command,
            "no Python that `>=3.9.5,<4.0` admits was found: install Python 3.9 (or another version the range admits), \
             then run: poetry env use /path/to/python3.9 && poetry install"
        );
    }

    #[test]
    fn without_an_admitted_python_the_fix_says_which_to_install() {
        let f = judge(
            "3.8.18",
            &poetry("^3.9"),
            vec![cand("/usr/bin/python3.8", "3.8.18", false)],
        );
        let fix = f.fix.unwrap();
        assert_eq!(fix.plan, Plan::new());
        assert!(
            fix.command
                .starts_with("no Python that `^3.9` admits was found: install Python 3.9 "),
            "{}",
            fix.command
        );
    }

    #[test]
    fn an_unreadable_range_is_left_to_the_project_checks() {
        let r = poetry("^^3.9");
        assert!(r.error.is_some());
        let called = std::cell::Cell::new(false);
        let got = verdict(
            Path::new("/p/.venv"),
            &venv_py("3.8.18"),
            &r,
            Path::new("/p"),
            || {
                called.set(true);
                vec![]
            },
        );
        assert_eq!(got, None);
        assert!(!called.get());
    }

    /// Interpreters come from files: versions from pyenv's folder names and
    /// venvs' cfgs, the minor from a `python3.X` name; venvs are left out.
    #[test]
    fn candidates_are_found_from_files() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        let exe = |p: &Path| {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "#!/bin/sh\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let pyenv = root.join("pyenv");
        exe(&pyenv.join("versions/3.9.18/bin/python3"));
        exe(&pyenv.join("versions/3.9.18/bin/python3.9"));
        let bin = root.join("bin");
        exe(&bin.join("python3.12"));
        let venv = root.join("venv");
        exe(&venv.join("bin/python3.10"));
        std::fs::write(venv.join("pyvenv.cfg"), "version = 3.10.13\n").unwrap();
        let sysroot = root.join("sysroot");
        std::fs::create_dir_all(&sysroot).unwrap();
        let input = Input {
            dir: root.to_path_buf(),
            env: crate::probe::ProbeEnv {
                path: format!("{}:{}", bin.display(), venv.join("bin").display()),
                home: None,
                root: sysroot,
                pyenv_root: Some(pyenv.clone()),
                poetry_home: None,
            },
        };
        let got = candidates(&input);
        assert_eq!(
            got,
            vec![
                cand(&bin.join("python3.12").display().to_string(), "3.12", true),
                cand(
                    &pyenv
                        .join("versions/3.9.18/bin/python3.9")
                        .display()
                        .to_string(),
                    "3.9.18",
                    false
                ),
            ]
        );
        let r = poetry("^3.9").parsed().unwrap();
        assert_eq!(best(&r, &got).unwrap().version, Version::new(3, 9, 18));
    }
}
