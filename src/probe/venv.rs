//! A project's virtualenv, found from files: `.venv` in the project, else
//! Poetry's `{virtualenvs.path}/<name>-<hash>-py3.X` (several candidates:
//! `poetry env info --path`, with a timeout); whether it still runs, and what
//! is installed in it. Doctor's venv checks and `new`'s env step both read it
//! here, so they agree on which venv is the project's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::python::{pyvenv_cfg_home, pyvenv_cfg_version};
use super::ProbeEnv;
use crate::plan::Cmd;
use crate::pyproject::normalize_name;
use crate::version::Version;

/// What a venv's pyvenv.cfg says about its interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VenvPython {
    /// `version = 3.11.7` (venv) or `version_info = 3.11.7.final.0` (virtualenv).
    pub version: Version,
    /// `home`: the folder of the interpreter the venv was made from.
    pub home: Option<String>,
}

impl VenvPython {
    pub(crate) fn read(venv: &Path) -> Option<VenvPython> {
        Some(VenvPython {
            version: pyvenv_cfg_version(venv)?,
            home: pyvenv_cfg_home(venv),
        })
    }
}

/// Poetry's `virtualenvs.path`: `POETRY_VIRTUALENVS_PATH`, Poetry's config.toml,
/// else `{cache-dir}/virtualenvs`.
pub(crate) fn virtualenvs_path(env: &ProbeEnv) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("POETRY_VIRTUALENVS_PATH").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = env.home.clone();
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
/// `dir` is the project folder; Poetry, when it must be asked, is the first on the probe PATH.
pub(crate) fn locate(dir: &Path, env: &ProbeEnv, project_name: Option<&str>) -> Option<PathBuf> {
    let local = dir.join(".venv");
    if local.join("pyvenv.cfg").is_file() {
        return Some(local);
    }
    let name = project_name?;
    let base = virtualenvs_path(env)?;
    // `NAME-HASH-py3.X`; the name alone when the folder cannot be resolved.
    let prefix = match env_hash(dir) {
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
            let poetry = which::which_in("poetry", Some(&env.path), dir).ok()?;
            let out = crate::exec::query::ask(
                &Cmd::new(poetry)
                    .args(["env", "info", "--path", "--no-ansi"])
                    .cwd(dir)
                    .timeout(Duration::from_secs(15)),
            )?;
            let p = PathBuf::from(out.lines().last()?.trim());
            p.join("pyvenv.cfg").is_file().then_some(p)
        }
    }
}

/// Why this venv cannot run, if it cannot.
pub(crate) fn broken(venv: &Path) -> Option<String> {
    std::fs::File::open(venv.join("pyvenv.cfg")).ok()?;
    let python = venv.join("bin/python");
    let mut why = Vec::new();
    if let Some(home) = pyvenv_cfg_home(venv) {
        let home = PathBuf::from(home);
        let has_python = std::fs::read_dir(&home)
            .map(|rd| {
                rd.flatten().any(|e| {
                    super::python::is_python_name(&e.file_name().to_string_lossy())
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

/// A distribution's dist-info folder is in the venv's site-packages.
pub(crate) fn installed(venv: &Path, dist: &str) -> bool {
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
