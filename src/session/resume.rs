//! Which unfinished runs a journey may continue: the per-project states
//! (`state`) with answers whose steps are not all done. Asking is the
//! journey's side (`journey::resume`); this only reads the state folder.

use std::path::{Path, PathBuf};

use super::ProjectState;

/// What to offer: the state folder, the journey, and the project folder when it
/// is known before the first question (DIR or --name given); otherwise every
/// unfinished project of this journey is listed.
#[derive(Debug, Clone)]
pub struct Resume {
    pub state_dir: PathBuf,
    pub journey: &'static str,
    pub project: Option<PathBuf>,
}

/// How many recent projects the list shows at most.
const LIST_MAX: usize = 8;

impl Resume {
    /// The states to offer, most recent first: the known project's alone, or
    /// the journey's unfinished ones. `ids`: the journey's step ids.
    pub fn candidates(&self, ids: &[&str]) -> Vec<ProjectState> {
        match &self.project {
            Some(p) => {
                let st = ProjectState::load(&self.state_dir, p, self.journey);
                if unfinished(&st, ids) {
                    vec![st]
                } else {
                    Vec::new()
                }
            }
            None => recent(&self.state_dir, self.journey, ids),
        }
    }
}

/// A state with answers whose steps are not all done.
fn unfinished(st: &ProjectState, ids: &[&str]) -> bool {
    !st.answers.is_empty() && !ids.iter().all(|id| st.done.contains(*id))
}

/// Unfinished projects of `journey` in the state folder, most recent first.
fn recent(state_dir: &Path, journey: &str, ids: &[&str]) -> Vec<ProjectState> {
    let Ok(rd) = std::fs::read_dir(state_dir.join("projects")) else {
        return Vec::new();
    };
    let mut found: Vec<(std::time::SystemTime, ProjectState)> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "toml"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            let st: ProjectState = toml_edit::de::from_str(&text).ok()?;
            let when = e.metadata().and_then(|m| m.modified()).ok()?;
            (st.journey == journey && unfinished(&st, ids)).then_some((when, st))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().take(LIST_MAX).map(|(_, s)| s).collect()
}

/// The answers of a state, shown in one line (long values cut).
pub(crate) fn answers_line(st: &ProjectState) -> String {
    st.answers
        .iter()
        .map(|(k, v)| {
            let v: String = if v.chars().count() > 40 {
                v.chars().take(39).chain(['…']).collect()
            } else {
                v.clone()
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
