//! Facts about the machine. Each probe is a pure function of what it reads and
//! runs; `gather` runs them in parallel, each with a timeout, so the wall time
//! is that of the slowest.

pub mod distro;
pub mod engine;
pub(crate) mod given;
pub(crate) mod layout;
pub mod poetry;
pub(crate) mod pyenv;
pub mod python;
pub(crate) mod run;
pub(crate) mod venv;

use std::path::{Path, PathBuf};

pub use distro::Distro;
pub use engine::Engine;
pub use poetry::{InstallMethod, PoetryInstall};
pub use python::{Python, PythonSource};

/// Where probes look. Tests build their own: a PATH, a HOME, and a root folder that
/// stands in for `/` (os-release, system interpreter folders).
#[derive(Debug, Clone)]
pub struct ProbeEnv {
    pub path: String,
    pub home: Option<PathBuf>,
    /// Stands in for `/`: `/etc/os-release` and system folders are read under it.
    pub root: PathBuf,
    /// `PYENV_ROOT`, or `~/.pyenv`.
    pub pyenv_root: Option<PathBuf>,
    /// `POETRY_HOME`, or the official installer's default folder.
    pub poetry_home: Option<PathBuf>,
}

impl ProbeEnv {
    /// The real environment. `ARCAFLOW_WIZARD_ROOT` moves `/` (for tests).
    pub fn from_env() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let pyenv_root = std::env::var_os("PYENV_ROOT")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".pyenv")));
        let poetry_home = std::env::var_os("POETRY_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".local/share/pypoetry")));
        ProbeEnv {
            path: std::env::var("PATH").unwrap_or_default(),
            home,
            root: std::env::var_os("ARCAFLOW_WIZARD_ROOT")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/")),
            pyenv_root,
            poetry_home,
        }
    }

    /// A path under the probe root, e.g. `under_root("/etc/os-release")`.
    pub fn under_root(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    pub fn path_dirs(&self) -> Vec<PathBuf> {
        std::env::split_paths(&self.path)
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    }
}

/// Everything the probes found.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub pythons: Vec<Python>,
    pub poetries: Vec<PoetryInstall>,
    pub distro: Option<Distro>,
    pub engines: Vec<Engine>,
}

impl Facts {
    /// The interpreter `python3` on PATH resolves to, if any.
    pub fn python3_on_path(&self) -> Option<&Python> {
        self.pythons
            .iter()
            .find(|p| p.names.iter().any(|n| n == "python3") && p.source == PythonSource::Path)
    }
    /// The best interpreter for a plugin: python3 when it is >= 3.9, else the
    /// oldest >= 3.9 (closest to the official images' 3.9).
    pub fn best_python(&self) -> Option<&Python> {
        let min = crate::official::MIN_PYTHON;
        if let Some(p) = self.python3_on_path().filter(|p| p.version >= min) {
            return Some(p);
        }
        self.pythons
            .iter()
            .filter(|p| p.version >= min)
            .min_by_key(|p| p.version)
    }
    pub fn python_at(&self, path: &Path) -> Option<&Python> {
        // The path itself first: a link to the same interpreter is not what was named.
        self.pythons
            .iter()
            .find(|p| p.path == path)
            .or_else(|| self.pythons.iter().find(|p| p.real_path == path))
    }
}

/// Run every probe at once and wait for all (each has its own timeout).
pub fn gather(env: &ProbeEnv) -> Facts {
    std::thread::scope(|s| {
        let py = s.spawn(|| python::find_all(env));
        let po = s.spawn(|| poetry::find_all(env));
        let di = s.spawn(|| distro::read(env));
        let en = s.spawn(|| engine::find_all(env));
        Facts {
            pythons: py.join().unwrap_or_default(),
            poetries: po.join().unwrap_or_default(),
            distro: di.join().unwrap_or_default(),
            engines: en.join().unwrap_or_default(),
        }
    })
}
