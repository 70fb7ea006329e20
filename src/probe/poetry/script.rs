//! Reading a `poetry` script: its shebang (or a wrapper's `exec` line) names
//! the interpreter that owns it, hence the venv or site-packages holding Poetry.

use std::path::{Path, PathBuf};

use crate::probe::pyenv;
use crate::probe::python::is_python_name;
use crate::probe::run::{is_executable, read_head};
use crate::probe::ProbeEnv;

/// What a `poetry` script says about its owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct ScriptOwner {
    /// The interpreter from the shebang (for `#!/usr/bin/env python3`, the PATH lookup).
    pub python: Option<PathBuf>,
    /// The script that really runs, after following shell wrappers (Homebrew's).
    pub script: PathBuf,
    /// `#!/usr/bin/env NAME` and no NAME on PATH: the script cannot run.
    pub not_on_path: bool,
}

/// The interpreter a script's first lines name: `#!/path/python`,
/// `#!/usr/bin/env [-S] python3`, or pip's long-path form
/// `#!/bin/sh` + `'''exec' /path/python "$0" "$@"`. None for other programs.
pub(super) fn shebang_python(text: &str) -> Option<ShebangPython> {
    let mut lines = text.lines();
    let first = lines.next()?.strip_prefix("#!")?.trim();
    let (interp, rest) = pyenv::split_word(first)?;
    let base = Path::new(&interp).file_name()?.to_str()?.to_string();
    if base == "env" {
        let prog = rest
            .split_whitespace()
            .find(|w| !w.starts_with('-') && !w.contains('='))?;
        return is_python_like(prog).then(|| ShebangPython::OnPath(prog.to_string()));
    }
    if is_python_like(&base) {
        return Some(ShebangPython::Abs(PathBuf::from(interp)));
    }
    if ["sh", "bash", "dash", "zsh"].contains(&base.as_str()) {
        for line in lines.take(5) {
            if let Some(rest) = line.trim().strip_prefix("'''exec' ") {
                let (py, _) = pyenv::split_word(rest)?;
                return Some(ShebangPython::Abs(PathBuf::from(py)));
            }
        }
    }
    None
}

/// A shebang's interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ShebangPython {
    Abs(PathBuf),
    /// `#!/usr/bin/env NAME`: looked up on PATH.
    OnPath(String),
}

pub(super) fn is_python_like(name: &str) -> bool {
    is_python_name(name) || name.starts_with("python") || name.starts_with("pypy")
}

/// A shell wrapper's `exec "/path/to/poetry" "$@"` target (Homebrew writes these).
pub(super) fn wrapper_target(text: &str) -> Option<PathBuf> {
    let mut lines = text.lines();
    let first = lines.next()?.strip_prefix("#!")?;
    let base = Path::new(first.split_whitespace().next()?)
        .file_name()?
        .to_str()?;
    if !["sh", "bash", "dash", "zsh"].contains(&base) {
        return None;
    }
    lines.find_map(|l| {
        let l = l.trim();
        // `exec "..."`, or Homebrew's `PYTHONPATH="..." exec "..." "$@"`.
        let at = if l.starts_with("exec ") {
            0
        } else {
            l.find(" exec ")? + 1
        };
        let rest = &l[at + 5..];
        let (target, _) = pyenv::split_word(rest)?;
        let p = PathBuf::from(target);
        p.file_name()?.to_str()?.starts_with("poetry").then_some(p)
    })
}

/// Under a test root, a script's absolute shebang paths are read under the root too.
pub(super) fn rooted(env: &ProbeEnv, script: &Path, p: PathBuf) -> PathBuf {
    if env.root != Path::new("/") && script.starts_with(&env.root) && !p.exists() {
        let r = env.under_root(&p.to_string_lossy());
        if r.exists() || std::fs::symlink_metadata(&r).is_ok() {
            return r;
        }
    }
    p
}

/// The owner of the script at `script` (already resolved), following up to two wrappers.
pub(super) fn script_owner(env: &ProbeEnv, script: &Path) -> ScriptOwner {
    let mut current = script.to_path_buf();
    for _ in 0..3 {
        let Some(head) = read_head(&current, 4096) else {
            break;
        };
        if let Some(sp) = shebang_python(&head) {
            let (python, not_on_path) = match sp {
                ShebangPython::Abs(p) => (Some(rooted(env, &current, p)), false),
                ShebangPython::OnPath(name) => {
                    let found = env
                        .path_dirs()
                        .into_iter()
                        .map(|d| d.join(&name))
                        .find(|p| is_executable(p));
                    let missing = found.is_none();
                    (found, missing)
                }
            };
            return ScriptOwner {
                python,
                script: current,
                not_on_path,
            };
        }
        match wrapper_target(&head) {
            Some(t) => {
                let t = rooted(env, &current, t);
                current = std::fs::canonicalize(&t).unwrap_or(t);
            }
            None => break,
        }
    }
    ScriptOwner {
        python: None,
        script: current,
        not_on_path: false,
    }
}
