//! Per-project state: the answers given and the steps done, so an interrupted
//! journey resumes where it stopped. Secrets are never stored here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProjectState {
    pub project: PathBuf,
    pub journey: String,
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// Files the wizard wrote, with a hash of what it wrote: a file that still
    /// has that hash was not changed by the user since.
    #[serde(default)]
    pub written: BTreeMap<String, String>,
}

impl ProjectState {
    /// The state file of a project folder (one per folder and journey).
    pub fn file_for(state_dir: &Path, project: &Path, journey: &str) -> PathBuf {
        state_dir
            .join("projects")
            .join(format!("{}-{journey}.toml", path_key(project)))
    }

    pub fn load(state_dir: &Path, project: &Path, journey: &str) -> ProjectState {
        let f = Self::file_for(state_dir, project, journey);
        std::fs::read_to_string(f)
            .ok()
            .and_then(|t| toml_edit::de::from_str(&t).ok())
            .unwrap_or_else(|| ProjectState {
                project: project.to_path_buf(),
                journey: journey.into(),
                ..Default::default()
            })
    }

    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        let f = Self::file_for(state_dir, &self.project, &self.journey);
        super::private_dir(state_dir, "projects")?;
        let text = toml_edit::ser::to_string_pretty(self).map_err(std::io::Error::other)?;
        crate::exec::write::write_file(
            &f,
            text.as_bytes(),
            crate::exec::write::Mode::Exactly(0o600),
        )
        .map(|_| ())
    }

    pub fn forget(state_dir: &Path, project: &Path, journey: &str) {
        let _ = std::fs::remove_file(Self::file_for(state_dir, project, journey));
    }
}

/// A short stable key for a path (FNV-1a), plus its last component for humans.
fn path_key(p: &Path) -> String {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(
        "{name}-{:016x}",
        content_hash(p.to_string_lossy().as_bytes())
    )
}

/// FNV-1a, 64 bits: enough to tell "this file is what we wrote" from "changed".
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_per_project() {
        let dir = tempfile::tempdir().unwrap();
        let mut st = ProjectState::load(dir.path(), Path::new("/x/arcaflow-plugin-a"), "new");
        assert!(st.done.is_empty());
        st.answers.insert("name".into(), "a".into());
        st.done.insert("python".into());
        st.save(dir.path()).unwrap();
        let back = ProjectState::load(dir.path(), Path::new("/x/arcaflow-plugin-a"), "new");
        assert_eq!(back, st);
        let other = ProjectState::load(dir.path(), Path::new("/y/arcaflow-plugin-a"), "new");
        assert!(other.answers.is_empty());
    }
}
