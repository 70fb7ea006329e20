//! Container engines (docker, podman) and whether they can build.

use std::path::PathBuf;

use super::ProbeEnv;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Engine {
    /// "docker" or "podman".
    pub name: String,
    pub path: PathBuf,
    /// True when the engine answers (e.g. `docker info` succeeds): a client alone is not usable.
    pub usable: bool,
    /// Why not usable, in one line.
    pub detail: String,
}

/// TODO(probe helper): implement.
pub fn find_all(_env: &ProbeEnv) -> Vec<Engine> {
    Vec::new()
}
