//! The distro, from `/etc/os-release` under the probe root, and how to install
//! Python on it.

use super::ProbeEnv;

#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Distro {
    pub id: String,
    pub id_like: Vec<String>,
    pub pretty_name: String,
}

/// TODO(probe helper): implement.
pub fn read(_env: &ProbeEnv) -> Option<Distro> {
    None
}

/// The command that installs Python >= 3.9 here (macOS when `distro` is None and the OS is macOS; pyenv as the fallback).
pub fn python_install_hint(_distro: Option<&Distro>) -> String {
    "pyenv install 3.9 (https://github.com/pyenv/pyenv#installation)".into()
}
