//! The project's virtualenv, found from files: `.venv` in the project, else
//! Poetry's `{virtualenvs.path}/<name>-<hash>-py3.X` (several candidates:
//! `poetry env info --path`, with a timeout). Its `pyvenv.cfg` home and
//! `bin/python` must exist: Poetry itself hides a broken venv (`env info` says
//! `Valid: False` and exits 0; Poetry 2 `run` recreates it empty). A venv that
//! runs must still have a Python the project's range admits (`venv_range`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::super::{Finding, Fix, Group, Input};
use super::Project;
use crate::plan::{Cmd, Plan};
use crate::probe::python::pyvenv_cfg_value;
use crate::pyproject::normalize_name;

const G: Group = Group::Venv;

/// Poetry's `virtualenvs.path`: `POETRY_VIRTUALENVS_PATH`, Poetry's config.toml,
/// else `{cache-dir}/virtualenvs`.
pub fn virtualenvs_path(input: &Input) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("POETRY_VIRTUALENVS_PATH").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = input.env.home.clone();
    let config_dir = std::env::var_os("POETRY_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME").map(|x| PathBuf::from(x).join("pypoetry")))
        .or_else(|| home.as_ref().map(|h| h.join(".config/pypoetry")));
    let config: Option<toml_edit::DocumentMut> = config_dir
        .and_then(|d| std::fs::read_to_string(d.join("config.toml")).ok())
        .and_then(|t| t.parse().ok());
    let get = |keys: &[&str]| -> Option<String> {
        let mut item = config.as_ref()?.as_item();
        for k in keys {
            item = item.get(k)?;
        }
        item.as_str().map(str::to_string)
    };
    if let Some(p) = get(&["virtualenvs", "path"]) {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("POETRY_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| get(&["cache-dir"]).map(PathBuf::from))
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("pypoetry")))
        .or_else(|| home.map(|h| h.join(".cache/pypoetry")))?;
    Some(cache.join("virtualenvs"))
}

/// Poetry's env name prefix: the canonical name, some characters replaced, 42 at most.
fn env_prefix(name: &str) -> String {
    let s: String = normalize_name(name)
        .chars()
        .map(|c| {
            if " $`!*@\"\\\r\n\t".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(42)
        .collect();
    format!("{s}-")
}

/// The 8 characters Poetry puts after the name: the URL-safe base64 of the
/// SHA-256 of the project folder's real path. Without them another project of
/// the same name elsewhere, or `NAME-two`, would pass for this one.
fn env_hash(dir: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let real = std::fs::canonicalize(dir).ok()?;
    let digest = Sha256::digest(real.as_os_str().as_encoded_bytes());
    // 6 bytes are exactly 8 characters.
    let bits = digest[..6]
        .iter()
        .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    Some(
        (0..8)
            .map(|i| B64[((bits >> (42 - 6 * i)) & 63) as usize] as char)
            .collect(),
    )
}

/// Where the project's venv is (it may be broken), if it has one.
pub fn locate(input: &Input, project_name: Option<&str>) -> Option<PathBuf> {
    let local = input.dir.join(".venv");
    if local.join("pyvenv.cfg").is_file() {
        return Some(local);
    }
    let name = project_name?;
    let base = virtualenvs_path(input)?;
    // `NAME-HASH-py3.X`; the name alone when the folder cannot be resolved.
    let prefix = match env_hash(&input.dir) {
        Some(h) => format!("{}{h}-py", env_prefix(name)),
        None => env_prefix(name),
    };
    let mut found: Vec<PathBuf> = std::fs::read_dir(&base)
        .ok()?
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&prefix)
                && n.rsplit_once("-py").is_some()
                && e.path().join("pyvenv.cfg").is_file()
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        0 => None,
        1 => found.pop(),
        // The same name in several folders, or several Pythons: ask Poetry.
        _ => {
            let poetry = super::poetry(input)?;
            let out = crate::exec::capture(
                &Cmd::new(poetry)
                    .args(["env", "info", "--path", "--no-ansi"])
                    .cwd(&input.dir)
                    .timeout(Duration::from_secs(15)),
            )?;
            let p = PathBuf::from(out.lines().last()?.trim());
            p.join("pyvenv.cfg").is_file().then_some(p)
        }
    }
}

/// Why doctor must not run this venv's Python, if it must not: git tracks
/// the venv (someone else's files, however its links point: a committed
/// `site-packages/*.pth` runs code at start-up), or its `bin/python`, links
/// followed, lies inside the project.
pub fn untrusted(dir: &Path, venv: &Path) -> Option<String> {
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
pub fn tracked_by_git(dir: &Path, venv: &Path) -> bool {
    git_tracks(dir, venv) == Some(true)
}

/// Whether git tracks a file under `venv`, which lies in the project `dir`
/// (the repository may be a folder above it); None when git could not say.
/// Outside a repository, or for a venv outside the project, Some(false).
/// Read with git itself, fsmonitor and hooks off (nothing of the project's
/// runs), and with any owner's repository readable: a clone owned by someone
/// else is exactly the one to ask about.
pub fn git_tracks(dir: &Path, venv: &Path) -> Option<bool> {
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

/// Why this venv cannot run, if it cannot.
pub fn broken(venv: &Path) -> Option<String> {
    let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).ok()?;
    let python = venv.join("bin/python");
    let mut why = Vec::new();
    if let Some(home) = pyvenv_cfg_value(&cfg, "home") {
        let home = PathBuf::from(home);
        let has_python = std::fs::read_dir(&home)
            .map(|rd| {
                rd.flatten().any(|e| {
                    crate::probe::python::is_python_name(&e.file_name().to_string_lossy())
                        && std::fs::metadata(e.path()).is_ok()
                })
            })
            .unwrap_or(false);
        if !has_python {
            why.push(format!(
                "pyvenv.cfg: home = {} holds no Python any more",
                home.display()
            ));
        }
    }
    if std::fs::metadata(&python).is_err() {
        let target = std::fs::read_link(&python)
            .map(|t| format!(" -> {} (gone)", t.display()))
            .unwrap_or_default();
        why.push(format!("{}{target} does not run", python.display()));
    }
    (!why.is_empty()).then(|| why.join("\n"))
}

pub fn check(input: &Input) -> Vec<Finding> {
    let Some(p) = Project::load(&input.dir) else {
        return Vec::new();
    };
    let name = p.info().and_then(|i| i.name.clone());
    let dir = &input.dir;
    let Some(venv) = locate(input, name.as_deref()) else {
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

/// A distribution's dist-info folder is in the venv's site-packages.
pub fn installed(venv: &Path, dist: &str) -> bool {
    let want = normalize_name(dist).replace('-', "_");
    let Ok(libs) = std::fs::read_dir(venv.join("lib")) else {
        return false;
    };
    libs.flatten().any(|lib| {
        std::fs::read_dir(lib.path().join("site-packages"))
            .map(|rd| {
                rd.flatten().any(|e| {
                    let n = e.file_name().to_string_lossy().to_lowercase();
                    // `name-1.0.dist-info`: the name is before the last hyphen of the stem.
                    n.strip_suffix(".dist-info")
                        .and_then(|stem| stem.rsplit_once('-'))
                        .is_some_and(|(head, _)| normalize_name(head).replace('-', "_") == want)
                })
            })
            .unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
    /// Poetry's own values (Python: urlsafe_b64encode(sha256(realpath)))[:8]):
    /// the same name in another folder is another venv.
    #[test]
    fn env_hash_is_poetrys() {
        assert_eq!(
            super::env_hash(std::path::Path::new("/")).as_deref(),
            Some("il7asoJj")
        );
        assert_eq!(
            super::env_hash(std::path::Path::new("/tmp")).as_deref(),
            Some("6WcazSRI")
        );
    }

    #[test]
    fn finds_installed_distributions_by_their_dist_info() {
        let venv = tempfile::tempdir().unwrap();
        let sp = venv.path().join("lib/python3.11/site-packages");
        for d in [
            "arcaflow_plugin_sdk-0.14.3.dist-info",
            "PyYAML-6.0.3.dist-info",
            "flake8-7.3.0.dist-info",
        ] {
            std::fs::create_dir_all(sp.join(d)).unwrap();
        }
        for name in ["arcaflow-plugin-sdk", "pyyaml", "flake8"] {
            assert!(super::installed(venv.path(), name), "{name}");
        }
        assert!(!super::installed(venv.path(), "coverage"));
        assert!(!super::installed(venv.path(), "arcaflow-plugin"));
    }
}
