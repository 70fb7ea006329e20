//! The doctor's checks, one module per group. Each is `check(&Input) -> Vec<Finding>`.

pub(crate) mod act;
pub(crate) mod dockerfile;
pub(crate) mod engine;
pub(crate) mod poetry;
pub(crate) mod project;
pub(crate) mod publish_workflow;
pub(crate) mod python;
pub(crate) mod python_m;
pub(crate) mod tokens;
pub(crate) mod venv;
pub(crate) mod venv_fix;
pub(crate) mod venv_range;
pub(crate) mod workflow;

use std::path::{Path, PathBuf};

use super::Input;
use crate::pyproject::{self, ProjectInfo, TomlError};

/// pyproject.toml as read now.
pub(crate) struct Project {
    pub path: PathBuf,
    pub text: String,
    pub parsed: Result<(toml_edit::DocumentMut, ProjectInfo), TomlError>,
}

impl Project {
    pub(crate) fn load(dir: &Path) -> Option<Project> {
        let path = dir.join("pyproject.toml");
        let text = std::fs::read_to_string(&path).ok()?;
        let parsed = pyproject::parse(&text).map(|doc| {
            let info = pyproject::inspect(&doc);
            (doc, info)
        });
        Some(Project { path, text, parsed })
    }
    pub(crate) fn info(&self) -> Option<&ProjectInfo> {
        self.parsed.as_ref().ok().map(|(_, i)| i)
    }
}

/// The first `name` on the probe PATH.
pub(crate) fn on_path(input: &Input, name: &str) -> Option<PathBuf> {
    which::which_in(name, Some(&input.env.path), &input.dir).ok()
}

/// The `poetry` a user gets by typing `poetry`.
pub(crate) fn poetry(input: &Input) -> Option<PathBuf> {
    on_path(input, "poetry")
}
