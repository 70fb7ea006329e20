//! The doctor's checks, one module per group. Each is `check(&Input) -> Vec<Finding>`.

pub mod act;
pub mod dockerfile;
pub mod engine;
pub mod poetry;
pub mod project;
pub mod publish_workflow;
pub mod python;
pub mod python_m;
pub mod tokens;
pub mod venv;
pub mod venv_fix;
pub mod venv_range;
pub mod workflow;

use std::path::{Path, PathBuf};

use super::Input;
use crate::pyproject::{self, ProjectInfo, TomlError};

/// pyproject.toml as read now.
pub struct Project {
    pub path: PathBuf,
    pub text: String,
    pub parsed: Result<(toml_edit::DocumentMut, ProjectInfo), TomlError>,
}

impl Project {
    pub fn load(dir: &Path) -> Option<Project> {
        let path = dir.join("pyproject.toml");
        let text = std::fs::read_to_string(&path).ok()?;
        let parsed = pyproject::parse(&text).map(|doc| {
            let info = pyproject::inspect(&doc);
            (doc, info)
        });
        Some(Project { path, text, parsed })
    }
    pub fn info(&self) -> Option<&ProjectInfo> {
        self.parsed.as_ref().ok().map(|(_, i)| i)
    }
}

/// The first `name` on the probe PATH.
pub fn on_path(input: &Input, name: &str) -> Option<PathBuf> {
    which::which_in(name, Some(&input.env.path), &input.dir).ok()
}

/// The `poetry` a user gets by typing `poetry`.
pub fn poetry(input: &Input) -> Option<PathBuf> {
    on_path(input, "poetry")
}

/// Poetry's version from its dist-info beside the script's interpreter, else `poetry --version`.
pub fn poetry_version(poetry: &Path) -> Option<crate::version::Version> {
    let out = crate::exec::capture(
        &crate::plan::Cmd::new(poetry)
            .arg("--version")
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(10)),
    )?;
    crate::version::Version::find_in(&out)
}
