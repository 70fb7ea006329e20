//! Every Poetry install: PATH entries, pipx, the official installer's folder,
//! `python -m poetry` per interpreter, distro packages; with version, owning
//! Python and how it was installed.

use std::path::PathBuf;

use super::ProbeEnv;
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallMethod {
    /// The official installer (venv under $POETRY_HOME or ~/.local/share/pypoetry).
    OfficialInstaller,
    Pipx,
    /// `pip install poetry` into an interpreter or a venv.
    Pip,
    /// A distro package (/usr/bin/poetry owned by the system Python).
    Distro,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoetryInstall {
    /// The `poetry` executable (script) to run.
    pub path: PathBuf,
    pub version: Option<Version>,
    /// The interpreter that owns it (the script's shebang or venv python).
    pub python: Option<PathBuf>,
    /// False when that interpreter is gone: this Poetry cannot run.
    pub python_exists: bool,
    pub method: InstallMethod,
    /// True for the one `poetry` on PATH resolves to.
    pub first_on_path: bool,
}

impl PoetryInstall {
    pub fn is_v2(&self) -> bool {
        self.version.is_some_and(|v| v.major >= 2)
    }
    /// The command that removes this install, for the "more than one Poetry" message.
    pub fn uninstall_hint(&self) -> String {
        match self.method {
            InstallMethod::OfficialInstaller => {
                "curl -sSL https://install.python-poetry.org | python3 - --uninstall".into()
            }
            InstallMethod::Pipx => "pipx uninstall poetry".into(),
            InstallMethod::Pip => match &self.python {
                Some(py) => format!("{} -m pip uninstall -y poetry", py.display()),
                None => "pip uninstall poetry".into(),
            },
            InstallMethod::Distro => {
                "sudo apt-get remove python3-poetry   # or: sudo dnf remove python3-poetry".into()
            }
            InstallMethod::Unknown => format!("rm {}", self.path.display()),
        }
    }
}

/// TODO(probe helper): implement.
pub fn find_all(_env: &ProbeEnv) -> Vec<PoetryInstall> {
    Vec::new()
}
