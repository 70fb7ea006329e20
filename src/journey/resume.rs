//! "Continue where you left off?", asked through whichever front end runs
//! the journey: the earlier answers are taken again. Done steps need no help
//! from here: their checks see the work on disk and skip them.

use super::driver::{Event, Interact};
use super::{Answer, Context, Question, Step};
use crate::session::resume::{answers_line, Resume};

/// Ask, and take the chosen state's answers into `ctx` (answers given on the
/// command line win). False when the user quit at the question.
pub fn offer(
    r: &Resume,
    steps: &[Box<dyn Step>],
    ctx: &mut Context,
    ui: &mut dyn Interact,
) -> bool {
    let ids: Vec<&str> = steps.iter().map(|s| s.id()).collect();
    let candidates = r.candidates(&ids);
    if candidates.is_empty() {
        return true;
    }
    let done_of =
        |st: &crate::session::ProjectState| ids.iter().filter(|id| st.done.contains(**id)).count();
    let chosen = if r.project.is_some() {
        let st = &candidates[0];
        // Which steps, by name: the question says only how many.
        let titles: Vec<&str> = steps
            .iter()
            .filter(|s| st.done.contains(s.id()))
            .map(|s| s.title())
            .collect();
        if !titles.is_empty() {
            ui.event(&Event::Note(format!(
                "an earlier run of {} stopped; done then: {}",
                st.project.display(),
                titles.join(", ")
            )));
        }
        let q = Question::yes_no(
            "resume",
            format!(
                "Continue where you left off? {} of {} steps done (answers: {})",
                done_of(st),
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
                crate::session::ProjectState::forget(&r.state_dir, &st.project, r.journey);
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
                        done_of(st),
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
