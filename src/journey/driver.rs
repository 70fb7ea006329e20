//! Walks a journey's steps: asks, checks, plans, executes through the runner,
//! verifies, and on failure asks the front end what to do. It knows nothing of
//! terminals: it talks to the front end through `Interact` and `Event`s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{diff, explain};
use super::{Answer, Check, Context, Failure, Question, Step, StepState};
use crate::exec::{self, CancelToken};
use crate::plan::{self, Action, Cmd, Overwrite, Plan, ScriptSection};
use crate::session::SessionLog;

mod group;

/// What the front end is told, in order. Everything a screen shows comes from here.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The journey's steps, before anything runs.
    Steps(Vec<(String, String)>),
    StepState {
        index: usize,
        state: StepState,
        detail: String,
    },
    /// A one-line note at the current step (why the guide differs, a skipped build...).
    Note(String),
    /// An action is about to run: its summary (the command as typed).
    ActionStart(String),
    /// Lines of the running command's output: one or more, joined with `\n`.
    /// Shared, not copied, between the session log and the front end.
    Output(std::sync::Arc<str>),
    /// The running command has no more output for now: draw what came.
    OutputIdle,
    /// Text for the session log alone (a command's `log_file`): front ends
    /// draw nothing of it.
    LogOnly(std::sync::Arc<str>),
    ActionEnd {
        ok: bool,
        summary: String,
        elapsed: Duration,
    },
    /// A file was written (or kept, when the user said no).
    File { path: PathBuf, written: bool },
    /// Commands started at once: their summaries, in start order.
    GroupStart(Vec<String>),
    /// Where each command of the group is, on each change and every tick
    /// (for a live status line; not logged).
    GroupStatus(Vec<BlockState>),
    /// One command of the group, whole: sent in start order, each once it
    /// and those started before it ended.
    Block {
        index: usize,
        summary: String,
        output: std::sync::Arc<str>,
        ok: bool,
        /// How it ended ("exited with code 1", "not run: ...").
        ending: String,
        elapsed: Duration,
    },
    /// Every command of the group ended, this long after the group started.
    GroupEnd { elapsed: Duration },
}

/// One command of a group, for the live status line.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockState {
    Waiting,
    Running { since: Instant },
    Done { ok: bool, elapsed: Duration },
    NotRun,
}

/// What the user chose after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureChoice {
    Retry,
    RunFix,
    /// Give the answer in `Failure::ask_again` again (masked for a secret), then retry.
    AskAgain,
    Skip,
    Quit,
}

/// The front end's side: draw events, answer questions.
pub trait Interact {
    fn event(&mut self, ev: &Event);
    /// Ask a question; `error` is why the last answer was refused.
    fn ask(&mut self, q: &Question, error: Option<&str>) -> Answer;
    /// A file that exists would change: show the diff and ask.
    fn confirm_write(&mut self, path: &Path, change: &FileChange) -> bool;
    fn on_failure(&mut self, step_title: &str, failure: &Failure) -> FailureChoice;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// A step failed and the user stopped (or could not be asked).
    Failed(Failure),
    /// The user quit at a question.
    Quit,
}

impl Outcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Done => 0,
            Outcome::Failed(f) if f.usage => 2,
            Outcome::Failed(_) | Outcome::Quit => 1,
        }
    }
}

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
            Event::ActionStart(s) => self.log.line(s),
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
        for (index, step) in self.steps.iter().enumerate() {
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
            match self.run_step(step, ctx, ui) {
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
        }
        Outcome::Done
    }

    fn run_step(&mut self, step: &dyn Step, ctx: &mut Context, ui: &mut dyn Interact) -> StepEnd {
        loop {
            let attempt = self.attempt(step, ctx, ui);
            let failure = match attempt {
                Ok(end) => return end,
                Err(f) => f,
            };
            self.log.line(&format!("failure: {failure}"));
            match ui.on_failure(step.title(), &failure) {
                FailureChoice::Retry => {
                    step.refresh(ctx);
                    continue;
                }
                FailureChoice::RunFix => {
                    if let Some(fix) = failure.fix.clone() {
                        if let Err(f) = self.execute(step, &fix, ctx, ui) {
                            return StepEnd::Stop(f);
                        }
                    }
                    step.refresh(ctx);
                    continue;
                }
                FailureChoice::AskAgain => {
                    let q = failure.ask_again.and_then(|k| step.ask_again(ctx, k));
                    if let Some(q) = q {
                        self.log.line(&format!("asking {} again", q.key));
                        if self.ask_until_valid(&q, None, ctx, ui).is_err() {
                            return StepEnd::Stop(failure);
                        }
                    }
                    step.refresh(ctx);
                    continue;
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
        let summary = match &cmd.label {
            Some(l) => format!("$ {}  # {l}", cmd.display()),
            None => format!("$ {}", cmd.display()),
        };
        self.emit(ui, Event::ActionStart(summary.clone()));
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
        if res.success() {
            step.judge(ctx, cmd, &kept)?;
            return Ok(kept);
        }
        Err(step
            .explain(ctx, cmd, &res)
            .or_else(|| explain::tool_failure(cmd, &res))
            .unwrap_or_else(|| Failure::new(format!("`{}` {}", cmd.display(), res.describe()))))
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

    fn write_file(
        &self,
        path: &Path,
        contents: &str,
        overwrite: Overwrite,
        executable: bool,
        ui: &mut dyn Interact,
    ) -> Result<(), Failure> {
        let current = match std::fs::read_to_string(path) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Failure::new(format!(
                    "could not read {}: {e}",
                    path.display()
                )))
            }
        };
        if current.as_deref() == Some(contents) {
            return Ok(());
        }
        // An empty file loses nothing; a file made earlier in this plan is not the user's.
        let theirs = current.as_deref().is_some_and(|c| !c.trim().is_empty())
            && overwrite == Overwrite::AskIfDifferent;
        let shown = shown_path(path);
        let change = FileChange {
            new: current.is_none(),
            diff: diff::unified(&shown, current.as_deref().unwrap_or(""), contents),
            replaces_users_file: theirs,
            ..FileChange::default()
        };
        if !ui.confirm_write(path, &change) {
            self.emit(
                ui,
                Event::File {
                    path: path.to_path_buf(),
                    written: false,
                },
            );
            return Ok(());
        }
        write_atomically(path, contents, executable)
            .map_err(|e| Failure::new(format!("could not write {}: {e}", path.display())).hint(
                "Check that the folder is writable and the disk is not full; nothing else was changed.",
            ))?;
        self.emit(
            ui,
            Event::File {
                path: path.to_path_buf(),
                written: true,
            },
        );
        Ok(())
    }
}

/// A file about to be written, for the front end's yes/no.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileChange {
    /// The file does not exist yet (the diff is its whole content).
    pub new: bool,
    pub diff: String,
    /// It exists with content the wizard did not just make: the default answer is no.
    pub replaces_users_file: bool,
    /// A change the user asked for (`Overwrite::AskedFor`): asked even under
    /// `--yes`'s log, default yes.
    pub asked_for: bool,
    /// The other files of the same change (the diff holds theirs too): written
    /// with the first, or not at all.
    pub also: Vec<PathBuf>,
}

impl Driver<'_> {
    /// Several files as one change the user asked for: one diff, one question,
    /// every file written or none (a failed write puts back those written).
    fn write_together(&self, group: &[&Action], ui: &mut dyn Interact) -> Result<(), Failure> {
        let mut files: Vec<(&Path, &str, bool, Option<String>)> = Vec::new();
        for a in group {
            if let Action::WriteFile {
                path,
                contents,
                executable,
                ..
            } = a
            {
                let current = match std::fs::read_to_string(path) {
                    Ok(c) => Some(c),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => {
                        return Err(Failure::new(format!(
                            "could not read {}: {e}",
                            path.display()
                        )))
                    }
                };
                if current.as_deref() != Some(contents.as_str()) {
                    files.push((path, contents, *executable, current));
                }
            }
        }
        let Some(first) = files.first() else {
            return Ok(());
        };
        let change = FileChange {
            new: files.iter().all(|f| f.3.is_none()),
            diff: files
                .iter()
                .map(|(p, c, _, cur)| {
                    diff::unified(&shown_path(p), cur.as_deref().unwrap_or(""), c)
                })
                .collect::<Vec<_>>()
                .join(""),
            replaces_users_file: false,
            asked_for: true,
            also: files[1..].iter().map(|f| f.0.to_path_buf()).collect(),
        };
        let yes = ui.confirm_write(first.0, &change);
        if yes {
            let mut written: Vec<usize> = Vec::new();
            for (i, (path, contents, executable, _)) in files.iter().enumerate() {
                if let Err(e) = write_atomically(path, contents, *executable) {
                    // All or none: put back what this change already wrote.
                    for &j in &written {
                        let (p, _, x, old) = &files[j];
                        match old {
                            Some(o) => {
                                let _ = write_atomically(p, o, *x);
                            }
                            None => {
                                let _ = std::fs::remove_file(p);
                            }
                        }
                    }
                    return Err(Failure::new(format!("could not write {}: {e}", path.display()))
                        .hint("Nothing of this change was kept: the files are as they were. Check that the folder is writable and the disk is not full."));
                }
                written.push(i);
            }
        }
        for (path, ..) in &files {
            self.emit(
                ui,
                Event::File {
                    path: path.to_path_buf(),
                    written: yes,
                },
            );
        }
        Ok(())
    }
}

/// The path a diff names: a link is written at its target, so both.
fn shown_path(path: &Path) -> PathBuf {
    match crate::exec::write::target_of(path) {
        Ok(t) if t != path => PathBuf::from(format!("{} -> {}", path.display(), t.display())),
        _ => path.to_path_buf(),
    }
}

/// Through the one writer that a planted link cannot redirect (see `exec::write`).
fn write_atomically(path: &Path, contents: &str, executable: bool) -> std::io::Result<PathBuf> {
    crate::exec::write::write_file(
        path,
        contents.as_bytes(),
        crate::exec::write::Mode::Keep { executable },
    )
}

enum StepEnd {
    Done(StepState, String),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::context::Options;
    use crate::probe::{Facts, ProbeEnv};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A front end that records events and answers from a script.
    #[derive(Default)]
    struct Script {
        events: Vec<Event>,
        answers: Vec<Answer>,
        confirm: bool,
        asked_diffs: Vec<FileChange>,
        choices: Vec<FailureChoice>,
    }

    impl Interact for Script {
        fn event(&mut self, ev: &Event) {
            self.events.push(ev.clone());
        }
        fn ask(&mut self, _q: &Question, _error: Option<&str>) -> Answer {
            if self.answers.is_empty() {
                Answer::Unanswerable("no more answers".into())
            } else {
                self.answers.remove(0)
            }
        }
        fn confirm_write(&mut self, _path: &Path, change: &FileChange) -> bool {
            self.asked_diffs.push(change.clone());
            change.new || self.confirm
        }
        fn on_failure(&mut self, _t: &str, _f: &Failure) -> FailureChoice {
            if self.choices.is_empty() {
                FailureChoice::Quit
            } else {
                self.choices.remove(0)
            }
        }
    }

    struct WriteStep(PathBuf, &'static str);
    impl Step for WriteStep {
        fn id(&self) -> &'static str {
            "write"
        }
        fn title(&self) -> &'static str {
            "Write"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn questions(&self, _ctx: &Context) -> Vec<Question> {
            vec![Question::text("name", "Name?").validate(|s| {
                if s.contains(' ') {
                    Err("no spaces".into())
                } else {
                    Ok(s.to_string())
                }
            })]
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            Ok(Plan::new().write(&self.0, self.1))
        }
    }

    /// Fails the first `n` times its command runs.
    struct Flaky(usize, AtomicUsize);
    impl Step for Flaky {
        fn id(&self) -> &'static str {
            "flaky"
        }
        fn title(&self) -> &'static str {
            "Flaky"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            let fail = self.1.fetch_add(1, Ordering::SeqCst) < self.0;
            Ok(Plan::new().run(Cmd::new("sh").args([
                "-c",
                if fail {
                    "echo boom; exit 4"
                } else {
                    "echo fine"
                },
            ])))
        }
    }

    /// Prints one folded line and writes its whole log to a file.
    struct Logging(PathBuf);
    impl Step for Logging {
        fn id(&self) -> &'static str {
            "logging"
        }
        fn title(&self) -> &'static str {
            "Logging"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            let script = format!(
                "i=0; while [ $i -lt 3000 ]; do echo \"engine line $i\"; i=$((i+1)); done > '{}'; echo folded",
                self.0.display()
            );
            Ok(Plan::new().run(Cmd::new("sh").args(["-c", &script]).log_file(&self.0)))
        }
    }

    #[test]
    fn a_commands_log_file_reaches_the_session_log_whole_and_not_the_screen() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("engine.log");
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Logging(file.clone()))];
        let log = SessionLog::create(&dir.path().join("state"), "test").unwrap();
        let mut ui = Script::default();
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        log.flush();
        let text = std::fs::read_to_string(log.path().unwrap()).unwrap();
        let whole = std::fs::read_to_string(&file).unwrap();
        assert_eq!(whole.lines().count(), 3000);
        assert!(text.contains(whole.trim_end()), "{text}");
        let header = format!(
            "--- {} (3000 lines, in the session log only)",
            file.display()
        );
        let start = text.find(&header).expect("the header");
        let end = text.find("  -> ok").expect("the result");
        assert!(
            text.find("\nfolded\n").unwrap() < start && start < end,
            "{text}"
        );
        let shown: String = ui
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Output(o) => Some(o.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(shown.trim(), "folded");
        assert!(ui.events.iter().any(|e| matches!(e, Event::LogOnly(_))));
    }

    fn ctx() -> Context {
        Context::new(
            std::env::temp_dir(),
            Options::default(),
            Facts::default(),
            ProbeEnv::from_env(),
        )
    }

    /// Two writes the user asked for (the version bump's pyproject.toml and
    /// Dockerfile): one question showing both diffs; no writes both, yes both.
    struct BumpStep(PathBuf, PathBuf);
    impl Step for BumpStep {
        fn id(&self) -> &'static str {
            "bump"
        }
        fn title(&self) -> &'static str {
            "Bump"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            let mut p = Plan::new();
            for (path, text) in [(&self.0, "version = 2\n"), (&self.1, "LABEL v=2\n")] {
                p.push(Action::WriteFile {
                    path: path.clone(),
                    contents: text.into(),
                    overwrite: Overwrite::AskedFor,
                    executable: false,
                });
            }
            Ok(p)
        }
    }

    /// An upload that only works with the right token: refused (ask_again),
    /// then, after the token is given again, done. The token is no answer.
    struct Upload;
    impl Step for Upload {
        fn id(&self) -> &'static str {
            "upload"
        }
        fn title(&self) -> &'static str {
            "Upload"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            Ok(Plan::new())
        }
        fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
            if ctx.secrets.get("token").map(String::as_str) == Some("right") {
                return Ok(());
            }
            let mut f = Failure::new("403: the token was refused");
            f.ask_again = Some("token");
            Err(f)
        }
        fn ask_again(&self, _ctx: &Context, key: &str) -> Option<Question> {
            (key == "token").then(|| Question::secret("token", "Token"))
        }
    }

    #[test]
    fn a_refused_token_is_asked_again_and_the_step_retried() {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Upload)];
        let log = SessionLog::disabled();
        let mut ui = Script {
            answers: vec![Answer::Value("right".into())],
            choices: vec![FailureChoice::AskAgain],
            ..Default::default()
        };
        let mut c = ctx();
        c.secrets.insert("token".into(), "wrong".into());
        assert_eq!(
            Driver::new(&steps, &log).run(&mut c, &mut ui),
            Outcome::Done
        );
        assert_eq!(c.secrets.get("token").map(String::as_str), Some("right"));
        assert!(!c.answers.contains_key("token"));
        // Quit at the question: the failure stands.
        let mut ui = Script {
            answers: vec![Answer::Quit],
            choices: vec![FailureChoice::AskAgain],
            ..Default::default()
        };
        let mut c = ctx();
        assert!(matches!(
            Driver::new(&steps, &log).run(&mut c, &mut ui),
            Outcome::Failed(f) if f.message.contains("403")
        ));
    }

    #[test]
    fn a_change_asked_for_is_asked_once_and_written_all_or_none() {
        for confirm in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let (a, b) = (
                dir.path().join("pyproject.toml"),
                dir.path().join("Dockerfile"),
            );
            std::fs::write(&a, "version = 1\n").unwrap();
            std::fs::write(&b, "LABEL v=1\n").unwrap();
            let steps: Vec<Box<dyn Step>> = vec![Box::new(BumpStep(a.clone(), b.clone()))];
            let log = SessionLog::disabled();
            let mut ui = Script {
                confirm,
                ..Default::default()
            };
            assert_eq!(
                Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
                Outcome::Done
            );
            assert_eq!(ui.asked_diffs.len(), 1, "asked more than once");
            let change = &ui.asked_diffs[0];
            assert!(change.asked_for && !change.replaces_users_file);
            assert_eq!(change.also, vec![b.clone()]);
            assert!(
                change.diff.contains("+version = 2") && change.diff.contains("+LABEL v=2"),
                "{}",
                change.diff
            );
            let want = if confirm {
                ("version = 2\n", "LABEL v=2\n")
            } else {
                ("version = 1\n", "LABEL v=1\n")
            };
            assert_eq!(std::fs::read_to_string(&a).unwrap(), want.0);
            assert_eq!(std::fs::read_to_string(&b).unwrap(), want.1);
        }
    }

    #[test]
    fn a_users_file_is_kept_when_they_say_no_and_replaced_when_yes() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("mine.txt");
        std::fs::write(&f, "my words\n").unwrap();
        let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(f.clone(), "wizard words\n"))];
        let log = SessionLog::disabled();
        let mut ui = Script {
            answers: vec![Answer::Value("x".into())],
            ..Default::default()
        };
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "my words\n");
        let change = &ui.asked_diffs[0];
        assert!(change.replaces_users_file && !change.new);
        assert!(
            change.diff.contains("-my words") && change.diff.contains("+wizard words"),
            "{}",
            change.diff
        );
        assert!(ui.events.contains(&Event::File {
            path: f.clone(),
            written: false
        }));

        let mut ui = Script {
            answers: vec![Answer::Value("x".into())],
            confirm: true,
            ..Default::default()
        };
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "wizard words\n");
    }

    /// A symlinked pyproject.toml (a monorepo's shared one): the diff names the
    /// link and its target, the target gets the content, the link stays.
    #[test]
    fn a_symlinked_file_is_written_at_its_target_and_the_diff_names_both() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("shared")).unwrap();
        let real = dir.path().join("shared/pyproject.toml");
        std::fs::write(&real, "version = 1\n").unwrap();
        let link = dir.path().join("pyproject.toml");
        std::os::unix::fs::symlink("shared/pyproject.toml", &link).unwrap();
        let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(link.clone(), "version = 2\n"))];
        let log = SessionLog::disabled();
        let mut ui = Script {
            answers: vec![Answer::Value("x".into())],
            confirm: true,
            ..Default::default()
        };
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        let diff = &ui.asked_diffs[0].diff;
        assert!(
            diff.contains(&format!("{} -> {}", link.display(), real.display())),
            "{diff}"
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "version = 2\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn an_invalid_answer_is_asked_again_and_unanswerable_is_bad_usage() {
        let dir = tempfile::tempdir().unwrap();
        let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(dir.path().join("a"), "a"))];
        let log = SessionLog::disabled();
        let mut ui = Script {
            answers: vec![
                Answer::Value("has space".into()),
                Answer::Value("ok".into()),
            ],
            ..Default::default()
        };
        let mut c = ctx();
        assert_eq!(
            Driver::new(&steps, &log).run(&mut c, &mut ui),
            Outcome::Done
        );
        assert_eq!(c.answer("name"), Some("ok"));

        let mut ui = Script::default();
        let out = Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
        assert_eq!(out.exit_code(), 2, "{out:?}");
    }

    #[test]
    fn retry_after_a_failure_runs_the_step_again() {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Flaky(1, AtomicUsize::new(0)))];
        let log = SessionLog::disabled();
        let mut ui = Script {
            choices: vec![FailureChoice::Retry],
            ..Default::default()
        };
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        let outputs: Vec<_> = ui
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Output(o) => Some(&**o),
                _ => None,
            })
            .collect();
        assert_eq!(outputs, ["boom", "fine"]);

        let steps: Vec<Box<dyn Step>> = vec![Box::new(Flaky(5, AtomicUsize::new(0)))];
        let mut ui = Script::default();
        let outcome = Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
        match outcome {
            Outcome::Failed(f) => assert!(f.message.contains("exited with code 4"), "{f}"),
            o => panic!("{o:?}"),
        }
    }

    /// Declines the step (as PyPI is, when not asked for).
    struct Declines;
    impl Step for Declines {
        fn id(&self) -> &'static str {
            "declines"
        }
        fn title(&self) -> &'static str {
            "Declines"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Declined("not wanted".into()))
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            panic!("a declined step is not planned")
        }
    }

    #[test]
    fn a_declined_step_is_skipped_by_choice_not_already_done() {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Declines)];
        let log = SessionLog::disabled();
        let mut ui = Script::default();
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        assert!(ui.events.contains(&Event::StepState {
            index: 0,
            state: StepState::Declined,
            detail: "not wanted".into()
        }));
    }
}
