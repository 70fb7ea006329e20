//! pyenv shims, read rather than run (each costs ~120 ms of bash): what a
//! shim execs, which version pyenv selects, and the file `pyenv which` would
//! give. Both the Python and the Poetry probes resolve shims here.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::run::{self, is_executable, read_head, PROBE_TIMEOUT};
use super::ProbeEnv;

/// What a pyenv shim says about itself: the pyenv program it execs and its root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PyenvShim {
    pub pyenv: PathBuf,
    pub root: PathBuf,
}

/// How a file found on PATH is to be treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ShimKind {
    /// pyenv's own shim: resolved from `pyenv version-name` and the versions folder.
    Pyenv(PyenvShim),
    /// In a shims folder but not in pyenv's format: run it to learn what it runs.
    Opaque,
}

/// Whether `path` (found on PATH) is a shim: a file in `<pyenv_root>/shims/`, or
/// a small script in pyenv's shim format anywhere.
pub(crate) fn shim_kind(path: &Path, env: &ProbeEnv) -> Option<ShimKind> {
    let in_shims_dir = env
        .pyenv_root
        .as_ref()
        .is_some_and(|r| path.parent() == Some(&r.join("shims")))
        || path.parent().and_then(Path::file_name) == Some(OsStr::new("shims"));
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() < 8192);
    if !small {
        return None;
    }
    let head = read_head(path, 4096)?;
    if !head.starts_with("#!") {
        return in_shims_dir.then_some(ShimKind::Opaque);
    }
    match parse_pyenv_shim(&head) {
        Some(s) => Some(ShimKind::Pyenv(s)),
        None => in_shims_dir.then_some(ShimKind::Opaque),
    }
}

/// Parse pyenv's shim script:
/// `export PYENV_ROOT="/root/.pyenv"` and `exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@"`.
pub(crate) fn parse_pyenv_shim(text: &str) -> Option<PyenvShim> {
    let mut root = None;
    let mut pyenv = None;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("export PYENV_ROOT=") {
            root = Some(PathBuf::from(unquote(v)));
        } else if let Some(rest) = line.strip_prefix("exec ") {
            let (prog, after) = split_word(rest)?;
            if after.trim_start().starts_with("exec") && prog.ends_with("pyenv") {
                pyenv = Some(PathBuf::from(prog));
            }
        }
    }
    Some(PyenvShim {
        pyenv: pyenv?,
        root: root?,
    })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
}

/// The first shell word (double-, single- or un-quoted) and the rest.
pub(crate) fn split_word(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    let q = s.chars().next()?;
    if q == '"' || q == '\'' {
        let end = s[1..].find(q)? + 1;
        Some((s[1..end].to_string(), &s[end + 1..]))
    } else {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        Some((s[..end].to_string(), &s[end..]))
    }
}

/// The versions pyenv selects (`pyenv version-name`: `PYENV_VERSION`,
/// `.python-version` from the working folder up, `<root>/version`), e.g.
/// `["3.11.7"]` or `["3.11.7", "3.9.18"]`; Err with pyenv's message when none
/// is usable (a selected version that is not installed).
pub(crate) fn pyenv_selected(shim: &PyenvShim, env: &ProbeEnv) -> Result<Vec<String>, String> {
    let out = run::run(
        &shim.pyenv,
        &["version-name"],
        env,
        &[("PYENV_ROOT", shim.root.as_os_str())],
        PROBE_TIMEOUT,
    );
    if !out.success() {
        return Err(out
            .first_error_line()
            .or(out.spawn_error.as_deref())
            .unwrap_or("pyenv version-name failed")
            .to_string());
    }
    Ok(out
        .stdout
        .trim()
        .split(':')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect())
}

/// `pyenv which NAME`, done here: the first selected version whose `bin/NAME`
/// is executable; `system` means PATH without the shims folder.
pub(crate) fn pyenv_which(
    name: &str,
    selected: &[String],
    shim: &PyenvShim,
    env: &ProbeEnv,
) -> Option<PathBuf> {
    let shims = shim.root.join("shims");
    for v in selected {
        let p = if v == "system" {
            env.path_dirs()
                .into_iter()
                .filter(|d| *d != shims)
                .map(|d| d.join(name))
                .find(|p| is_executable(p))
        } else {
            Some(shim.root.join("versions").join(v).join("bin").join(name))
        };
        if let Some(p) = p.filter(|p| is_executable(p)) {
            return Some(p);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pyenv_shims() {
        let text = "#!/usr/bin/env bash\nset -e\n[ -n \"$PYENV_DEBUG\" ] && set -x\n\nprogram=\"${0##*/}\"\n\nexport PYENV_ROOT=\"/root/.pyenv\"\nSHIM_PATH=${0%/*}\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n";
        assert_eq!(
            parse_pyenv_shim(text),
            Some(PyenvShim {
                pyenv: "/root/.pyenv/libexec/pyenv".into(),
                root: "/root/.pyenv".into()
            })
        );
        assert_eq!(
            parse_pyenv_shim("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n"),
            None
        );
    }
}
