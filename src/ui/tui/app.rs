//! The one state struct of the full-screen wizard and how messages change it.
//! Messages come from keys, from the driver (events, questions, confirmations,
//! failures) and from the tick; `update` says whether anything visible changed,
//! so the loop redraws only then.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::export::{self, Rec};
pub use super::form::Form;
use super::output::Lines;
pub use super::search::Search;
use super::theme::Theme;
use crate::exec::CancelToken;
use crate::journey::driver::{Event, FailureChoice, FileChange, Outcome, Shown};
use crate::journey::{Answer, Failure, Question, StepState};

/// Output lines kept for scrolling back; older ones are dropped.
pub const OUTPUT_CAP: usize = 10_000;

/// Everything that reaches the UI thread.
pub enum Msg {
    Key(KeyEvent),
    Resize,
    Event(Event),
    Ask {
        q: Question,
        error: Option<String>,
        reply: Sender<Answer>,
    },
    Confirm {
        path: PathBuf,
        change: FileChange,
        reply: Sender<bool>,
    },
    Failure {
        title: String,
        failure: Failure,
        reply: Sender<FailureChoice>,
    },
    Finished(Outcome),
    /// The project folder, once the journey ended: where the export goes by default.
    ProjectDir(PathBuf),
    /// What to do next once the journey is done (e.g. the CI secrets to set),
    /// shown on the Finished screen.
    DoneNote(String),
    /// Output blocks wait in the UI loop's queue (the loop takes them in with
    /// its next frame).
    OutputWaiting,
    /// Take in the blocks up to the n-th the driver queued, now: what follows
    /// this message came after them (or the queue is full and the driver waits).
    OutputUpTo(u64),
    /// The driver's thread panicked: stop at once, drawing nothing more.
    Abort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A step begins: its title.
    Step,
    Command,
    Output,
    Note,
    Ok,
    Bad,
}

pub struct StepView {
    pub title: String,
    pub why: String,
    pub state: StepState,
    pub detail: String,
}

/// The status line of commands run at once: each one's tool and where it is.
fn group_line(cmds: &[Shown], states: &[crate::journey::driver::BlockState]) -> String {
    use crate::journey::driver::BlockState as S;
    let parts: Vec<String> = cmds
        .iter()
        .zip(states)
        .map(|(c, s)| {
            let name = crate::ui::plain::short_name(&c.summary);
            match s {
                S::Waiting => format!("{name} …"),
                S::Running { since } => format!("{name} {:.0}s", since.elapsed().as_secs_f64()),
                S::Done { ok: true, .. } => format!("{name} ✓"),
                S::Done { ok: false, .. } => format!("{name} ✗"),
                S::NotRun => format!("{name} -"),
            }
        })
        .collect();
    parts.join(" · ")
}

pub struct Running {
    pub summary: String,
    pub started: Instant,
}

/// The last command of the current step and how it ended.
pub struct LastCommand {
    pub summary: String,
    pub ok: bool,
    pub elapsed: Duration,
}

pub struct DiffView {
    pub path: PathBuf,
    pub change: FileChange,
    pub scroll: usize,
    pub reply: Sender<bool>,
}

pub struct FailureView {
    pub title: String,
    pub failure: Failure,
    pub selected: usize,
    pub reply: Sender<FailureChoice>,
}

impl FailureView {
    /// The choices in the order shown: the fix first when there is one.
    pub fn choices(&self) -> Vec<(FailureChoice, char, &'static str)> {
        let mut c = Vec::new();
        if let Some(again) = crate::ui::again::again_choice(&self.failure) {
            c.push((FailureChoice::AskAgain, again.key, again.label));
        }
        if self.failure.fix.is_some() {
            c.push((
                FailureChoice::RunFix,
                'f',
                "Run the suggested fix, then retry",
            ));
        }
        c.push((FailureChoice::Retry, 'r', "Retry the step"));
        c.push((FailureChoice::Skip, 's', "Skip this step"));
        c.push((FailureChoice::Quit, 'q', "Quit (run again later to resume)"));
        c
    }
}

pub enum Modal {
    None,
    Ask(Box<Form>),
    Diff(DiffView),
    Failure(FailureView),
}

pub struct App {
    pub journey: String,
    pub steps: Vec<StepView>,
    pub current: usize,
    pub output: Lines,
    /// Lines scrolled back from the tail (0: follow the tail).
    pub scroll: usize,
    pub running: Option<Running>,
    /// The commands running at once, when a group runs.
    pub group: Vec<Shown>,
    pub last: Option<LastCommand>,
    pub modal: Modal,
    pub help: bool,
    pub confirm_quit: bool,
    /// The user quit: every further question is answered "quit", every command cancelled.
    pub quitting: bool,
    /// Ctrl-C was pressed while a command ran.
    pub cancel_requested: bool,
    pub finished: Option<Outcome>,
    pub status: Option<String>,
    /// "a" in the diff view: write every further new file without asking.
    pub accept_new_files: bool,
    pub exit: bool,
    pub theme: Theme,
    pub cancel: CancelToken,
    /// What ran and what was written, in order: the exported script.
    pub record: Vec<Rec>,
    pub project_dir: Option<PathBuf>,
    /// Shown under "Done" on the Finished screen.
    pub done_note: Option<String>,
    /// Where `e` saves the session script by default: the state folder, never
    /// the project tree (a file there makes the next release's tree unclean).
    pub export_dir: PathBuf,
    pub search: Option<Search>,
    /// `e` at the end: the path the script is saved to, being edited.
    pub export: Option<TextArea<'static>>,
    /// Where the last export went, or why it failed.
    pub exported: Option<Result<PathBuf, String>>,
    /// The export path is an existing file: Enter again on the same path
    /// replaces it, anything else keeps it.
    pub export_replaces: Option<PathBuf>,
    /// Rows of the output pane at the last draw (for centring a search match).
    pub out_rows: Cell<usize>,
    /// The furthest back the output pane can scroll and still be full, at
    /// the last draw (it changes with the pane's size).
    pub out_max_scroll: Cell<usize>,
}

impl App {
    pub fn new(
        journey: &str,
        steps: Vec<(String, String)>,
        cancel: CancelToken,
        theme: Theme,
    ) -> Self {
        App {
            journey: journey.to_string(),
            steps: steps
                .into_iter()
                .map(|(title, why)| StepView {
                    title,
                    why,
                    state: StepState::Waiting,
                    detail: String::new(),
                })
                .collect(),
            current: 0,
            output: Lines::new(OUTPUT_CAP),
            scroll: 0,
            running: None,
            group: Vec::new(),
            last: None,
            modal: Modal::None,
            help: false,
            confirm_quit: false,
            quitting: false,
            cancel_requested: false,
            finished: None,
            status: None,
            accept_new_files: false,
            exit: false,
            theme,
            cancel,
            record: Vec::new(),
            project_dir: None,
            done_note: None,
            export_dir: crate::session::state_dir().join("sessions"),
            search: None,
            export: None,
            exported: None,
            export_replaces: None,
            out_rows: Cell::new(10),
            out_max_scroll: Cell::new(usize::MAX),
        }
    }

    /// A command is running: the loop ticks for the spinner and the clock.
    pub fn ticking(&self) -> bool {
        self.running.is_some() && self.finished.is_none()
    }

    /// A line (or lines) of the wizard's own: a step, a command, a note.
    pub fn push(&mut self, kind: Kind, text: &str) {
        for l in text.lines() {
            self.push_block(kind, l.into());
        }
    }

    /// Lines joined with `\n`, as one block: a read of a command's output.
    fn push_block(&mut self, kind: Kind, block: std::sync::Arc<str>) {
        let p = self.output.push(kind, block);
        if let Some(c) = self.search.as_mut().and_then(|s| s.current.as_mut()) {
            *c = c.saturating_sub(p.dropped);
        }
        if self.scroll > 0 {
            // Keep the lines the user is reading still.
            self.scroll += p.added;
        }
    }

    /// Handle one message; true when the screen should be redrawn.
    pub fn update(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Key(k) => {
                self.key(k);
                true
            }
            Msg::Resize => true,
            Msg::Event(ev) => {
                self.event(ev);
                true
            }
            Msg::Ask { q, error, reply } => {
                if self.quitting {
                    let _ = reply.send(Answer::Quit);
                    return false;
                }
                self.modal = Modal::Ask(Box::new(Form::new(q, error, reply)));
                true
            }
            Msg::Confirm {
                path,
                change,
                reply,
            } => {
                if self.quitting {
                    let _ = reply.send(false);
                    return false;
                }
                if self.accept_new_files && change.new {
                    let _ = reply.send(true);
                    return false;
                }
                self.modal = Modal::Diff(DiffView {
                    path,
                    change,
                    scroll: 0,
                    reply,
                });
                true
            }
            Msg::Failure {
                title,
                failure,
                reply,
            } => {
                if self.quitting {
                    let _ = reply.send(FailureChoice::Quit);
                    return false;
                }
                self.cancel.reset();
                self.cancel_requested = false;
                self.status = None;
                self.scroll = 0;
                // The step failed, whatever comes next: the list says so now,
                // not only once the user quits.
                if let Some(s) = self.steps.get_mut(self.current) {
                    s.state = StepState::Failed;
                }
                self.modal = Modal::Failure(FailureView {
                    title,
                    failure,
                    selected: 0,
                    reply,
                });
                true
            }
            Msg::DoneNote(n) => {
                self.done_note = Some(n);
                false
            }
            Msg::ProjectDir(d) => {
                self.project_dir = Some(d);
                false
            }
            // The UI loop takes the blocks itself; nothing here.
            Msg::OutputWaiting | Msg::OutputUpTo(_) | Msg::Abort => false,
            Msg::Finished(o) => {
                self.running = None;
                self.modal = Modal::None;
                if self.quitting {
                    self.exit = true;
                }
                self.finished = Some(o);
                true
            }
        }
    }

    fn event(&mut self, ev: Event) {
        match ev {
            Event::Steps(s) => {
                // Keep the why-texts given at start; titles come from the driver.
                for (i, (_, title)) in s.into_iter().enumerate() {
                    match self.steps.get_mut(i) {
                        Some(v) => v.title = title,
                        None => self.steps.push(StepView {
                            title,
                            why: String::new(),
                            state: StepState::Waiting,
                            detail: String::new(),
                        }),
                    }
                }
            }
            Event::StepState {
                index,
                state,
                detail,
            } => {
                if state == StepState::Running {
                    self.current = index;
                    self.last = None;
                    let title = self
                        .steps
                        .get(index)
                        .map(|s| s.title.clone())
                        .unwrap_or_default();
                    self.push(Kind::Step, &format!("── {title}"));
                    self.record.push(Rec::Step(title));
                } else {
                    let line = match state {
                        StepState::Done => (Kind::Ok, "✓ done".to_string()),
                        StepState::Skipped => (Kind::Ok, format!("↷ already done: {detail}")),
                        StepState::Declined => (Kind::Note, format!("⊘ skipped: {detail}")),
                        StepState::LeftToYou => (
                            Kind::Note,
                            format!("→ not done here, left to you to run:\n{detail}"),
                        ),
                        StepState::Failed => (Kind::Bad, format!("✗ {detail}")),
                        _ => (Kind::Note, String::new()),
                    };
                    if !line.1.is_empty() {
                        self.push(line.0, &line.1);
                    }
                }
                if let Some(s) = self.steps.get_mut(index) {
                    s.state = state;
                    s.detail = detail;
                }
            }
            Event::Note(n) => self.push(Kind::Note, &format!("note: {n}")),
            Event::ActionStart(s) => {
                self.push(Kind::Command, &s.summary);
                self.record.push(export::run_rec(&s));
                self.running = Some(Running {
                    summary: s.summary,
                    started: Instant::now(),
                });
            }
            Event::Output(block) => self.push_block(Kind::Output, block),
            // The TUI redraws on its own schedule; nothing to flush.
            Event::OutputIdle => {}
            Event::LogOnly(_) => {}
            Event::ActionEnd {
                ok,
                summary,
                elapsed,
            } => {
                let cmd = self.running.take().map(|r| r.summary).unwrap_or_default();
                if let Some(Rec::Run { ok: o, .. }) = self
                    .record
                    .iter_mut()
                    .rev()
                    .find(|r| matches!(r, Rec::Run { .. }))
                {
                    *o = Some(ok);
                }
                let secs = elapsed.as_secs_f64();
                if ok {
                    self.push(Kind::Ok, &format!("  ✓ ({secs:.1} s)"));
                } else {
                    self.push(Kind::Bad, &format!("  ✗ {summary} ({secs:.1} s)"));
                }
                self.last = Some(LastCommand {
                    summary: cmd,
                    ok,
                    elapsed,
                });
                if !self.quitting {
                    self.cancel.reset();
                }
                self.cancel_requested = false;
                self.status = None;
            }
            Event::GroupStart(cmds) => {
                self.push(
                    Kind::Note,
                    &format!(
                        "{} commands at once; each block shows when it ends:",
                        cmds.len()
                    ),
                );
                self.group = cmds;
                self.running = Some(Running {
                    summary: format!("{} commands at once", self.group.len()),
                    started: Instant::now(),
                });
            }
            Event::GroupStatus(states) => {
                if let Some(r) = &mut self.running {
                    r.summary = group_line(&self.group, &states);
                }
            }
            Event::Block {
                index,
                summary,
                output,
                ok,
                ending,
                elapsed,
            } => {
                self.push(Kind::Command, &summary);
                let mut rec = match self.group.get(index) {
                    Some(c) => export::run_rec(c),
                    None => export::run_rec(&Shown::from(summary.as_str())),
                };
                if let Rec::Run { ok: o, .. } = &mut rec {
                    *o = Some(ok);
                }
                self.record.push(rec);
                if !output.is_empty() {
                    self.push_block(Kind::Output, output);
                }
                let secs = elapsed.as_secs_f64();
                if ok {
                    self.push(Kind::Ok, &format!("  ✓ ({secs:.1} s)"));
                } else {
                    self.push(Kind::Bad, &format!("  ✗ {ending} ({secs:.1} s)"));
                }
            }
            Event::GroupEnd { elapsed } => {
                self.push(
                    Kind::Note,
                    &format!(
                        "  all {} ended in {:.1} s",
                        self.group.len(),
                        elapsed.as_secs_f64()
                    ),
                );
                self.running = None;
                self.group.clear();
                if !self.quitting {
                    self.cancel.reset();
                }
                self.cancel_requested = false;
                self.status = None;
            }
            Event::File { path, written } => {
                let l = if written {
                    format!("wrote {}", path.display())
                } else {
                    format!("kept your {} unchanged", path.display())
                };
                self.push(if written { Kind::Ok } else { Kind::Note }, &l);
                self.record.push(if written {
                    Rec::File(path)
                } else {
                    Rec::Kept(path)
                });
            }
        }
    }

    /// Stop: answer whatever is asked with "quit" and cancel the running command.
    pub fn quit(&mut self) {
        self.quitting = true;
        self.confirm_quit = false;
        self.help = false;
        self.cancel.cancel();
        match std::mem::replace(&mut self.modal, Modal::None) {
            Modal::Ask(f) => {
                let _ = f.reply.send(Answer::Quit);
            }
            Modal::Diff(d) => {
                let _ = d.reply.send(false);
            }
            Modal::Failure(f) => {
                let _ = f.reply.send(FailureChoice::Quit);
            }
            Modal::None => {}
        }
        self.status = Some("Stopping…".into());
        if self.finished.is_some() {
            self.exit = true;
        }
    }
}

impl App {
    /// The path the session script goes to unless the user types another.
    /// Under the state folder, named for the journey, the project and the time;
    /// the user may type another path (a file there is replaced only on a second Enter).
    pub fn default_export_path(&self) -> PathBuf {
        let project = self
            .project_dir
            .as_ref()
            .and_then(|d| d.file_name())
            .map(|n| format!("{}-", n.to_string_lossy()))
            .unwrap_or_default();
        let when = crate::session::timestamp(std::time::SystemTime::now());
        let journey = self.journey.split_whitespace().next().unwrap_or("session");
        self.export_dir
            .join(format!("{journey}-{project}{when}.sh"))
    }

    pub(super) fn start_export(&mut self) {
        let mut t = TextArea::default();
        t.set_cursor_line_style(ratatui::style::Style::default());
        t.insert_str(self.default_export_path().to_string_lossy());
        self.export = Some(t);
    }

    pub(super) fn export_key(&mut self, k: KeyEvent) {
        let Some(t) = self.export.as_mut() else {
            return;
        };
        match k.code {
            KeyCode::Esc => {
                self.export = None;
                self.export_replaces = None;
            }
            KeyCode::Enter => {
                let typed = t.lines().join("");
                let typed = typed.trim();
                if typed.is_empty() {
                    return;
                }
                let path = std::env::current_dir().unwrap_or_default().join(typed);
                // Never replace a file unasked: say so, and replace on a second Enter.
                if path.exists() && self.export_replaces.as_ref() != Some(&path) {
                    self.export_replaces = Some(path);
                    return;
                }
                self.export_replaces = None;
                let text = export::script(&self.journey, &self.record);
                self.exported = Some(
                    export::save(&path, &text)
                        .map_err(|e| format!("could not write {}: {e}", path.display())),
                );
                self.export = None;
            }
            KeyCode::Tab | KeyCode::BackTab => {}
            _ if ctrl_key(&k) && matches!(k.code, KeyCode::Char('m' | 'j')) => {}
            _ => {
                self.export_replaces = None;
                line_key(t, k);
            }
        }
    }
}

/// A key in a one-line text field. Ctrl-U kills back to the start of the line,
/// as readline and every shell do (the text area's own binding is undo, which
/// looked like deleting one character); the rest is the text area's.
pub(super) fn line_key(t: &mut TextArea<'static>, k: KeyEvent) -> bool {
    if ctrl_key(&k) && k.code == KeyCode::Char('u') {
        return t.delete_line_by_head();
    }
    t.input(k)
}

pub(super) fn ctrl_key(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL)
}
