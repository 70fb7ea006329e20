//! Every Python interpreter on the machine: PATH entries named python, python3,
//! python3.X; pyenv versions; the usual system folders (under the probe root).

use std::path::PathBuf;

use super::ProbeEnv;
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PythonSource {
    /// Found on PATH (first match for its name).
    Path,
    Pyenv,
    /// A usual system folder not on PATH.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Python {
    /// The path as found (e.g. `/usr/bin/python3`).
    pub path: PathBuf,
    /// After resolving symlinks; two found paths with the same real path are one interpreter.
    pub real_path: PathBuf,
    pub version: Version,
    /// Names it answers to on PATH (`python3`, `python3.11`, ...).
    pub names: Vec<String>,
    pub source: PythonSource,
}

/// TODO(probe helper): implement.
pub fn find_all(_env: &ProbeEnv) -> Vec<Python> {
    Vec::new()
}
