//! "Continue where you left off?": the per-project state (`session::state`)
//! keeps the answers and the steps done; at the start of a journey the
//! full-screen wizard offers to take those answers again. Done steps need no
//! help from here: their checks see the work on disk and skip them.

use std::path::{Path, PathBuf};

use crate::journey::driver::{Event, Interact};
use crate::journey::{Answer, Context, Question};
use crate::session::ProjectState;

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

/// A state with answers whose steps are not all done.
fn unfinished(st: &ProjectState, ids: &[&str]) -> bool {
    !st.answers.is_empty() && !ids.iter().all(|id| st.done.contains(*id))
}

/// Unfinished projects of `journey` in the state folder, most recent first.
pub(crate) fn recent(state_dir: &Path, journey: &str, ids: &[&str]) -> Vec<ProjectState> {
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

/// Ask, and take the chosen state's answers into `ctx` (answers given on the
/// command line win). False when the user quit at the question.
pub(crate) fn offer(r: &Resume, ids: &[&str], ctx: &mut Context, ui: &mut dyn Interact) -> bool {
    let candidates = match &r.project {
        Some(p) => {
            let st = ProjectState::load(&r.state_dir, p, r.journey);
            if unfinished(&st, ids) {
                vec![st]
            } else {
                Vec::new()
            }
        }
        None => recent(&r.state_dir, r.journey, ids),
    };
    if candidates.is_empty() {
        return true;
    }
    let chosen = if r.project.is_some() {
        let st = &candidates[0];
        let q = Question::yes_no(
            "resume",
            format!(
                "Continue where you left off? {} of {} steps done (answers: {})",
                ids.iter().filter(|i| st.done.contains(**i)).count(),
                ids.len(),
                answers_line(st)
            ),
            true,
        );
        let Some(v) = ask(ui, &q) else {
            return false;
        };
        match v {
            v if v == "yes" => Some(st.clone()),
            _ => {
                ProjectState::forget(&r.state_dir, &st.project, r.journey);
                None
            }
        }
    } else {
        let mut opts: Vec<(String, String)> = candidates
            .iter()
            .enumerate()
            .map(|(i, st)| {
                (
                    format!("p{i}"),
                    format!(
                        "Continue {} ({} of {} steps done; answers: {})",
                        st.project.display(),
                        ids.iter().filter(|id| st.done.contains(**id)).count(),
                        ids.len(),
                        answers_line(st)
                    ),
                )
            })
            .collect();
        opts.push(("fresh".into(), "No: start afresh".into()));
        let q = Question::choice(
            "resume",
            "Continue where you left off? Unfinished projects:",
            opts,
        )
        .default("p0");
        let Some(v) = ask(ui, &q) else {
            return false;
        };
        v.strip_prefix('p')
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| candidates.get(i).cloned())
    };
    if let Some(st) = chosen {
        for (k, v) in &st.answers {
            ctx.answers.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if r.project.is_none() {
            // The folder is where the state says, whichever folder this run started in.
            ctx.answers
                .insert("dir".into(), st.project.to_string_lossy().into_owned());
        }
        ui.event(&Event::Note(format!(
            "continuing {} with the earlier answers ({}); finished steps are skipped",
            st.project.display(),
            answers_line(&st)
        )));
    }
    true
}

fn ask(ui: &mut dyn Interact, q: &Question) -> Option<String> {
    let mut error: Option<String> = None;
    loop {
        match ui.ask(q, error.as_deref()) {
            Answer::Value(v) => match q.accept(&v) {
                Ok(v) => return Some(v),
                Err(e) => error = Some(e),
            },
            Answer::Quit | Answer::Unanswerable(_) => return None,
        }
    }
}
