//! Walks a journey's steps: asks, checks, plans, executes through the runner,
//! verifies, and on failure asks the front end what to do. It knows nothing of
//! terminals: it talks to the front end through `Interact` and `Event`s.

use std::path::Path;
use std::time::Instant;

use super::explain;
use super::{Answer, Check, Context, Failure, Question, Step, StepState};
use crate::exec::{self, CancelToken};
use crate::plan::{self, Action, Cmd, Overwrite, Plan, ScriptSection};
use crate::session::SessionLog;

mod event;
mod group;
mod interact;
#[cfg(test)]
mod tests;
mod write;

pub use event::{BlockState, Event, Shown};

/// `ctx.learned` key: the answer last given again after a failure (a step
/// that resumes a half-done run, as release's version does, must not resume
/// past an answer the user just changed).
pub const ASKED_AGAIN: &str = "asked_again";
pub use interact::{FailureChoice, FileChange, Interact, Outcome};

/// Called after each finished step with its id, e.g. to save the state file.
pub type StepDone<'a> = Box<dyn FnMut(&str, &Context) + 'a>;

pub struct Driver<'a> {
    pub steps: &'a [Box<dyn Step>],
    pub log: &'a SessionLog,
    pub cancel: CancelToken,
    pub on_step_done: StepDone<'a>,
}

impl<'a> Driver<'a> {
    pub fn new(steps: &'a [Box<dyn Step>], log: &'a SessionLog) -> Self {
        Driver {
            steps,
            log,
            cancel: CancelToken::new(),
            on_step_done: Box::new(|_, _| {}),
        }
    }

    fn emit(&self, ui: &mut dyn Interact, ev: Event) {
        match &ev {
            Event::StepState {
                index,
                state,
                detail,
            } => self.log.line(&format!(
                "== step {} {:?} {}",
                self.steps[*index].id(),
                state,
                detail
            )),
            Event::Note(n) => self.log.line(&format!("note: {n}")),
            Event::ActionStart(s) => self.log.line(&s.summary),
            Event::Output(o) | Event::LogOnly(o) => self.log.output_block(o.clone()),
            Event::ActionEnd {
                ok,
                summary,
                elapsed,
            } => self.log.line(&format!(
                "  -> {} ({:.1}s): {summary}",
                if *ok { "ok" } else { "FAILED" },
                elapsed.as_secs_f64()
            )),
            Event::File { path, written } => self.log.line(&format!(
                "{} {}",
                if *written {
                    "wrote"
                } else {
                    "kept (user's version)"
                },
                path.display()
            )),
            Event::GroupStart(s) => self.log.line(&format!(
                "== {} commands at once (each one's output follows whole, in start order)",
                s.len()
            )),
            Event::Block {
                summary,
                output,
                ok,
                ending,
                elapsed,
                ..
            } => {
                self.log.line(summary);
                if !output.is_empty() {
                    self.log.output_block(output.clone());
                }
                self.log.line(&format!(
                    "  -> {} ({:.1}s): {ending}",
                    if *ok { "ok" } else { "FAILED" },
                    elapsed.as_secs_f64()
                ));
            }
            Event::GroupEnd { elapsed } => self.log.line(&format!(
                "== the commands at once took {:.2}s in all",
                elapsed.as_secs_f64()
            )),
            Event::Steps(_) | Event::OutputIdle | Event::GroupStatus(_) => {}
        }
        ui.event(&ev);
    }

    /// Ask every question of a step that has no valid answer yet.
    fn ask_questions(
        &self,
        step: &dyn Step,
        ctx: &mut Context,
        ui: &mut dyn Interact,
    ) -> Result<(), Outcome> {
        for q in step.questions(ctx) {
            let mut error: Option<String> = None;
            if let Some(given) = ctx.answers.get(q.key).cloned() {
                match q.accept(&given) {
                    Ok(v) => {
                        ctx.answers.insert(q.key.to_string(), v);
                        continue;
                    }
                    Err(e) => error = Some(format!("'{given}' is not accepted: {e}")),
                }
            }
            self.ask_until_valid(&q, error, ctx, ui)?;
        }
        Ok(())
    }

    /// Ask `q` until the answer is accepted; a secret goes to `ctx.secrets`
    /// (and the log's redaction list), never to the answers or the log.
    fn ask_until_valid(
        &self,
        q: &Question,
        mut error: Option<String>,
        ctx: &mut Context,
        ui: &mut dyn Interact,
    ) -> Result<(), Outcome> {
        loop {
            match ui.ask(q, error.as_deref()) {
                Answer::Quit => return Err(Outcome::Quit),
                Answer::Unanswerable(why) => return Err(Outcome::Failed(Failure::usage(why))),
                Answer::Value(v) => match q.accept(&v) {
                    Ok(v) => {
                        if q.kind == super::QuestionKind::Secret {
                            self.log.add_secret(&v);
                            ctx.secrets.insert(q.key.to_string(), v);
                        } else {
                            self.log.line(&format!("answer {} = {v}", q.key));
                            ctx.answers.insert(q.key.to_string(), v);
                        }
                        return Ok(());
                    }
                    Err(e) => error = Some(e),
                },
            }
        }
    }

    /// Print every step's plan as one bash script (`--dry-run`): nothing runs.
    pub fn script(
        &self,
        ctx: &mut Context,
        ui: &mut dyn Interact,
        header: &str,
    ) -> Result<String, Outcome> {
        let mut plans = Vec::new();
        for step in self.steps {
            self.ask_questions(step.as_ref(), ctx, ui)?;
            let plan = step.plan(ctx).map_err(Outcome::Failed)?;
            plans.push(plan);
        }
        let base = std::env::current_dir().unwrap_or_default();
        let sections: Vec<_> = self
            .steps
            .iter()
            .zip(&plans)
            .map(|(s, p)| (s, relative_plan(p, &base)))
            .collect();
        let sections: Vec<ScriptSection> = sections
            .iter()
            .map(|(s, p)| ScriptSection {
                title: s.title(),
                why: s.why(),
                plan: p,
            })
            .collect();
        Ok(plan::to_shell_script(header, &sections))
    }

    /// Run the journey.
    pub fn run(&mut self, ctx: &mut Context, ui: &mut dyn Interact) -> Outcome {
        let titles = self
            .steps
            .iter()
            .map(|s| (s.id().to_string(), s.title().to_string()))
            .collect();
        ui.event(&Event::Steps(titles));
        let mut index = 0;
        while let Some(step) = self.steps.get(index) {
            let step = step.as_ref();
            self.emit(
                ui,
                Event::StepState {
                    index,
                    state: StepState::Running,
                    detail: String::new(),
                },
            );
            // Test builds only (the pty test of a step that panics); a release
            // build has no such switch.
            if cfg!(debug_assertions)
                && std::env::var_os("ARCAFLOW_WIZARD_TEST_PANIC").is_some_and(|v| v == "step")
            {
                panic!(
                    "panic injected in step {} by ARCAFLOW_WIZARD_TEST_PANIC",
                    step.id()
                );
            }
            if let Err(o) = self.ask_questions(step, ctx, ui) {
                self.emit(
                    ui,
                    Event::StepState {
                        index,
                        state: StepState::Failed,
                        detail: "stopped".into(),
                    },
                );
                return o;
            }
            match self.run_step(index, ctx, ui) {
                StepEnd::Back(to) => {
                    // An earlier step's answer was given again (another
                    // version after "already on the index"): from that step
                    // on, everything runs again with it, and the questions
                    // of the steps after it are asked again (a yes to
                    // "upload to PyPI?" was a yes to the other version).
                    for i in to + 1..=index {
                        for q in self.steps[i].questions(ctx) {
                            ctx.answers.remove(q.key);
                        }
                    }
                    for i in (to + 1..=index).rev() {
                        self.emit(
                            ui,
                            Event::StepState {
                                index: i,
                                state: StepState::Waiting,
                                detail: String::new(),
                            },
                        );
                    }
                    self.emit(
                        ui,
                        Event::Note(format!(
                            "Back to \"{}\": it and the steps after it run again with the new answer.",
                            self.steps[to].title()
                        )),
                    );
                    index = to;
                    continue;
                }
                StepEnd::Done(state, detail) => {
                    self.emit(
                        ui,
                        Event::StepState {
                            index,
                            state,
                            detail,
                        },
                    );
                    (self.on_step_done)(step.id(), ctx);
                }
                StepEnd::Skipped(f) => {
                    self.emit(
                        ui,
                        Event::StepState {
                            index,
                            state: StepState::Failed,
                            detail: format!("skipped: {}", f.message),
                        },
                    );
                }
                StepEnd::Stop(f) => {
                    self.emit(
                        ui,
                        Event::StepState {
                            index,
                            state: StepState::Failed,
                            // The front end showed the whole failure; the step list needs its gist.
                            detail: f.message.lines().next().unwrap_or_default().to_string(),
                        },
                    );
                    return Outcome::Failed(f);
                }
            }
            index += 1;
        }
        Outcome::Done
    }

    fn run_step(&mut self, index: usize, ctx: &mut Context, ui: &mut dyn Interact) -> StepEnd {
        let steps = self.steps;
        let step = steps[index].as_ref();
        loop {
            let attempt = self.attempt(step, ctx, ui);
            let failure = match attempt {
                Ok(end) => return end,
                Err(f) => f,
            };
            self.log.line(&format!("failure: {failure}"));
            match ui.on_failure(step.title(), &failure) {
                FailureChoice::Retry => step.refresh(ctx),
                FailureChoice::RunFix => {
                    if let Some(fix) = failure.fix.clone() {
                        if let Err(f) = self.execute(step, &fix, ctx, ui) {
                            return StepEnd::Stop(f);
                        }
                    }
                    step.refresh(ctx);
                }
                FailureChoice::AskAgain => {
                    // The step that asks this answer: this one (a token), or
                    // an earlier one (the version, when the upload finds it
                    // taken), which then runs again with the steps after it.
                    let Some(key) = failure.ask_again else {
                        continue;
                    };
                    let owner = (0..=index)
                        .rev()
                        .find_map(|i| steps[i].ask_again(ctx, key).map(|q| (i, q)));
                    let Some((owner, q)) = owner else {
                        step.refresh(ctx);
                        continue;
                    };
                    self.log.line(&format!("asking {} again", q.key));
                    if self.ask_until_valid(&q, None, ctx, ui).is_err() {
                        return StepEnd::Stop(failure);
                    }
                    ctx.learned.insert(ASKED_AGAIN.into(), key.into());
                    steps[owner].refresh(ctx);
                    if owner < index {
                        return StepEnd::Back(owner);
                    }
                }
                FailureChoice::Skip => return StepEnd::Skipped(failure),
                FailureChoice::Quit => return StepEnd::Stop(failure),
            }
        }
    }

    fn attempt(
        &mut self,
        step: &dyn Step,
        ctx: &mut Context,
        ui: &mut dyn Interact,
    ) -> Result<StepEnd, Failure> {
        match step.check(ctx)? {
            Check::Done(what) => return Ok(StepEnd::Done(StepState::Skipped, what)),
            Check::Declined(what) => return Ok(StepEnd::Done(StepState::Declined, what)),
            Check::LeftToYou(what) => return Ok(StepEnd::Done(StepState::LeftToYou, what)),
            Check::Todo => {}
        }
        if let Some(n) = step.note(ctx) {
            self.emit(ui, Event::Note(n));
        }
        let plan = step.plan(ctx)?;
        self.execute(step, &plan, ctx, ui)?;
        let verified = step.verify(ctx);
        for n in std::mem::take(&mut ctx.notes) {
            self.emit(ui, Event::Note(n));
        }
        verified?;
        Ok(StepEnd::Done(StepState::Done, String::new()))
    }

    fn execute(
        &self,
        step: &dyn Step,
        plan: &Plan,
        ctx: &mut Context,
        ui: &mut dyn Interact,
    ) -> Result<(), Failure> {
        let mut i = 0;
        while i < plan.actions.len() {
            let action = &plan.actions[i];
            i += 1;
            // A change the user asked for: it and the writes of its kind right
            // after it are one change (one diff, one question, all or none).
            if let Action::WriteFile {
                overwrite: Overwrite::AskedFor,
                ..
            } = action
            {
                let mut group = vec![action];
                while let Some(
                    next @ Action::WriteFile {
                        overwrite: Overwrite::AskedFor,
                        ..
                    },
                ) = plan.actions.get(i)
                {
                    group.push(next);
                    i += 1;
                }
                self.write_together(&group, ui)?;
                continue;
            }
            match action {
                Action::Run(cmd) => {
                    let out = self.run_command(step, cmd, ctx, ui)?;
                    ctx.outputs.insert(cmd.display(), out);
                }
                Action::WriteFile {
                    path,
                    contents,
                    overwrite,
                    executable,
                } => {
                    self.write_file(path, contents, *overwrite, *executable, ui)?;
                }
                Action::CreateDir(p) => {
                    self.log.line(&action.summary());
                    std::fs::create_dir_all(p).map_err(|e| {
                        Failure::new(format!("could not create {}: {e}", p.display()))
                    })?;
                }
                Action::Parallel(branches) => self.run_group(step, branches, ctx, ui)?,
            }
        }
        Ok(())
    }

    fn run_command(
        &self,
        step: &dyn Step,
        cmd: &Cmd,
        ctx: &Context,
        ui: &mut dyn Interact,
    ) -> Result<String, Failure> {
        let shown = Shown::of(cmd);
        let summary = shown.summary.clone();
        self.emit(ui, Event::ActionStart(shown));
        let secrets: Vec<String> = ctx.secrets.values().cloned().collect();
        let started = Instant::now();
        let ui = std::cell::RefCell::new(ui);
        // The start of the output, for the step's verify (already redacted).
        let mut kept = String::new();
        let res = exec::run_blocks(
            cmd,
            &secrets,
            &self.cancel,
            &mut |block| {
                if kept.len() < super::context::OUTPUT_KEPT {
                    kept.push_str(block);
                    kept.push('\n');
                }
                match explain::fold_pages(block) {
                    // A server's raw HTML page (Poetry's 403/409): one line on
                    // screen, the whole page in the log.
                    Some(folded) => {
                        self.log.output_block(block.into());
                        ui.borrow_mut().event(&Event::Output(folded.into()));
                    }
                    None => self.emit(*ui.borrow_mut(), Event::Output(block.into())),
                }
            },
            &mut || self.emit(*ui.borrow_mut(), Event::OutputIdle),
        );
        let ui = ui.into_inner();
        if let Some(path) = &cmd.log_file {
            self.log_whole(path, ui);
        }
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                self.emit(
                    ui,
                    Event::ActionEnd {
                        ok: false,
                        summary,
                        elapsed: started.elapsed(),
                    },
                );
                return Err(Failure::new(format!("could not start {}: {e}", cmd.program.display())).hint(
                    "Check that the program exists and can run; `arcaflow-wizard doctor` lists what was found.",
                ));
            }
        };
        self.emit(
            ui,
            Event::ActionEnd {
                ok: res.success(),
                summary: res.describe(),
                elapsed: res.elapsed,
            },
        );
        let failure = if res.success() {
            match step.judge(ctx, cmd, &kept) {
                Ok(()) => return Ok(kept),
                Err(f) => f,
            }
        } else {
            step.explain(ctx, cmd, &res)
                .or_else(|| explain::tool_failure(cmd, &res))
                .unwrap_or_else(|| Failure::new(format!("`{}` {}", cmd.display(), res.describe())))
        };
        if failure.warning {
            self.emit(ui, Event::Note(format!("Warning: {failure}")));
            return Ok(kept);
        }
        Err(failure)
    }

    /// A command's log file, whole, into the session log (between the
    /// command and its result, like its output).
    fn log_whole(&self, path: &Path, ui: &mut dyn Interact) {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => format!("(no {}: {e})", path.display()),
        };
        let lines = text.lines().count();
        let block = format!(
            "--- {} ({lines} lines, in the session log only)\n{}\n--- end of {}",
            path.display(),
            text.trim_end_matches('\n'),
            path.display()
        );
        self.emit(ui, Event::LogOnly(block.into()));
    }
}

enum StepEnd {
    Done(StepState, String),
    /// Run again from this earlier step (its answer was given again).
    Back(usize),
    Skipped(Failure),
    Stop(Failure),
}

/// Paths in a script read best relative to where it is run.
fn relative_plan(p: &Plan, base: &Path) -> Plan {
    let mut out = Plan::new();
    for a in &p.actions {
        out.push(match a.clone() {
            Action::Run(mut c) => {
                c.cwd = c
                    .cwd
                    .map(|d| plan::relative_to(&d, base))
                    .filter(|d| !d.as_os_str().is_empty());
                Action::Run(c)
            }
            Action::WriteFile {
                path,
                contents,
                overwrite,
                executable,
            } => Action::WriteFile {
                path: plan::relative_to(&path, base),
                contents,
                overwrite,
                executable,
            },
            Action::CreateDir(d) => Action::CreateDir(plan::relative_to(&d, base)),
            Action::Parallel(branches) => Action::Parallel(
                branches
                    .into_iter()
                    .map(|b| {
                        b.into_iter()
                            .map(|mut c| {
                                c.cwd = c
                                    .cwd
                                    .map(|d| plan::relative_to(&d, base))
                                    .filter(|d| !d.as_os_str().is_empty());
                                c
                            })
                            .collect()
                    })
                    .collect(),
            ),
        });
    }
    out
}
