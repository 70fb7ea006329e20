//! The full-screen wizard: one front end over the journeys (the plain one is the
//! other). The driver runs on the calling thread and talks to `TuiInteract`,
//! which sends messages to the UI thread and waits on a reply channel for the
//! answers; the UI thread owns the one `App`, merges those messages with keys
//! (read on their own thread) and a tick (only while a command runs), and
//! redraws only when something changed: idle means blocked on the channel.
//! Output goes its own way, a `Handoff` the UI thread empties in one go with
//! its next frame, so a fast command wakes it once per frame, not once per
//! read; at most `OUTPUT_IN_FLIGHT` blocks wait (then the UI thread takes them
//! at once, and the driver, and so the child's pipe, waits for that). Frames
//! are drawn at most every `FRAME`, however fast the lines come.

pub mod app;
mod boxes;
pub(crate) mod doctor;
pub(crate) mod export;
pub(crate) mod form;
mod keys;
pub(crate) mod menu;
pub(crate) mod output;
mod recap;
pub(crate) mod search;
pub(crate) mod term;
pub mod theme;
pub mod view;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_boxes;
#[cfg(test)]
mod tests_export;
#[cfg(test)]
mod tests_snapshots;
#[cfg(test)]
mod tests_truth;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::{App, Msg};
use term::Term;
use theme::Theme;

use crate::exec::CancelToken;
use crate::handoff::{Handoff, Pushed};
use crate::journey::driver::{Driver, Event, FailureChoice, FileChange, Interact, Outcome};
use crate::journey::{Answer, Context, Failure, Question};

pub use menu::Choice;

/// Use the full-screen wizard: both ends are terminals, TERM can draw, and the
/// user did not ask for lines (`--plain`, `--yes`, `--dry-run`: pass `lines`).
pub fn wanted(lines: bool) -> bool {
    !lines
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Blocks of output sent to the UI thread and not yet taken in. A block is one
/// read of a command (at most `exec::READ_SIZE`, 16 KiB, plus a cut line's
/// rest), so this bounds that memory to about 1 MiB; a pipe write is often
/// 4 KiB, so a fast command fills it every 256 KiB.
const OUTPUT_IN_FLIGHT: usize = 64;

/// The shortest time between two frames: 60 a second is smooth to read, and a
/// burst of output costs a frame per 16 ms, not one per read.
const FRAME: Duration = Duration::from_millis(16);

/// The driver's side: every call becomes a message; questions wait for the reply.
struct TuiInteract {
    tx: Sender<Msg>,
    /// Blocks of output for the UI thread (see the module's comment).
    output: Arc<Handoff<Arc<str>>>,
}

impl TuiInteract {
    /// Sends `m` after the output queued before it: the UI thread shows that
    /// output first, and never output the driver queued after `m`.
    /// False when the UI thread is gone.
    fn send(&mut self, m: Msg) -> bool {
        if let Some(n) = self.output.fence() {
            let _ = self.tx.send(Msg::OutputUpTo(n));
        }
        self.tx.send(m).is_ok()
    }
}

impl Interact for TuiInteract {
    fn event(&mut self, ev: &Event) {
        if let Event::Output(block) = ev {
            // Told only when the queue was empty: the UI thread then takes this
            // block, and what follows it, with its next frame (or before the
            // next message). When the queue is full it must take them now.
            match self.output.try_push(block.clone()) {
                Ok(Pushed::First) => {
                    let _ = self.tx.send(Msg::OutputWaiting);
                }
                Ok(_) => {}
                Err(block) => {
                    if let Some(n) = self.output.fence() {
                        let _ = self.tx.send(Msg::OutputUpTo(n));
                    }
                    // The UI may have emptied the queue meanwhile: then this
                    // block starts a new batch and must be announced.
                    if self.output.push(block) == Pushed::First {
                        let _ = self.tx.send(Msg::OutputWaiting);
                    }
                }
            }
            return;
        }
        // The UI thread draws on its own schedule: a pause in the output needs
        // no message (one per read would wake it as often as the output did).
        if matches!(ev, Event::OutputIdle) {
            return;
        }
        self.send(Msg::Event(ev.clone()));
    }
    fn ask(&mut self, q: &Question, error: Option<&str>) -> Answer {
        let (reply, rx) = mpsc::channel();
        let sent = self.send(Msg::Ask {
            q: q.clone(),
            error: error.map(str::to_string),
            reply,
        });
        // The UI is gone (it panicked): stop here.
        if sent {
            rx.recv().unwrap_or(Answer::Quit)
        } else {
            Answer::Quit
        }
    }
    fn confirm_write(&mut self, path: &Path, change: &FileChange) -> bool {
        let (reply, rx) = mpsc::channel();
        let msg = Msg::Confirm {
            path: path.to_path_buf(),
            change: change.clone(),
            reply,
        };
        self.send(msg) && rx.recv().unwrap_or(false)
    }
    fn on_failure(&mut self, step_title: &str, failure: &Failure) -> FailureChoice {
        let (reply, rx) = mpsc::channel();
        let msg = Msg::Failure {
            title: step_title.to_string(),
            failure: failure.clone(),
            reply,
        };
        if self.send(msg) {
            rx.recv().unwrap_or(FailureChoice::Quit)
        } else {
            FailureChoice::Quit
        }
    }
}

/// What a journey may add to the full-screen wizard.
#[derive(Default)]
pub struct Extras {
    /// Offer to continue an unfinished run (the `new` journey).
    pub resume: Option<crate::session::resume::Resume>,
    /// The project folder once the answers are known: where the session script
    /// is saved by default.
    pub project_dir: Option<fn(&Context) -> PathBuf>,
    /// What to do next, shown on the Finished screen when the journey is done.
    pub done_note: Option<fn(&Context) -> String>,
}

/// Run a journey in the full-screen wizard. `name` is shown in the header.
/// When the terminal cannot be set up, falls back to the plain front end.
pub fn run_journey(name: &str, driver: &mut Driver<'_>, ctx: &mut Context) -> Outcome {
    run_journey_with(name, driver, ctx, Extras::default())
}

/// `run_journey` with a resume offer and the project folder for the export.
pub fn run_journey_with(
    name: &str,
    driver: &mut Driver<'_>,
    ctx: &mut Context,
    extras: Extras,
) -> Outcome {
    let steps = driver
        .steps
        .iter()
        .map(|s| (s.title().to_string(), s.why().to_string()))
        .collect();
    let mut app = App::new(name, steps, driver.cancel.clone(), Theme::detect());
    let term = match Term::enter() {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "arcaflow-wizard: cannot use the full-screen wizard ({e}); printing lines instead"
            );
            super::plain::stop_on_signals();
            return driver.run(ctx, &mut super::plain::Plain::new(false));
        }
    };
    let (tx, rx) = mpsc::channel();
    let output = Arc::new(Handoff::new(OUTPUT_IN_FLIGHT));
    let ui_output = output.clone();
    term::attach(tx.clone());
    let cancel = driver.cancel.clone();
    // However the journey ends, by a panic too: no sender left behind, the terminal back.
    let cleanup = Cleanup;
    let (outcome, recap) = std::thread::scope(|s| {
        let ui = std::thread::Builder::new()
            .name("ui".into())
            .spawn_scoped(s, move || {
                let _cancel_if_ui_dies = CancelOnDrop(cancel);
                // However this thread ends, nobody takes output any more: the
                // driver must not wait for room.
                let _close_output = CloseOnDrop(ui_output.clone());
                let mut term = term;
                let _ = ui_loop(&mut term, &rx, &ui_output, &mut app);
                app.recap()
            })
            // As `s.spawn` would: without a thread there is no wizard to show.
            .expect("start the UI thread");
        // Should a step panic, the UI thread must stop: the scope waits for it
        // before the panic goes on, and it would wait for messages forever.
        let _abort_ui = AbortUiOnPanic(tx.clone());
        let mut interact = TuiInteract {
            tx: tx.clone(),
            output,
        };
        let outcome = match &extras.resume {
            Some(r) if !crate::journey::resume::offer(r, driver.steps, ctx, &mut interact) => {
                Outcome::Quit
            }
            _ => driver.run(ctx, &mut interact),
        };
        let dir = extras
            .project_dir
            .map_or_else(|| ctx.dir.clone(), |f| f(ctx));
        interact.send(Msg::ProjectDir(dir));
        if let (Outcome::Done, Some(note)) = (&outcome, extras.done_note) {
            interact.send(Msg::DoneNote(note(ctx)));
        }
        interact.send(Msg::Finished(outcome.clone()));
        let recap = ui.join().unwrap_or_default();
        (outcome, recap)
    });
    // The terminal back first: the recap belongs on the normal screen.
    drop(cleanup);
    if !recap.is_empty() {
        // Beside the line the command prints next: stdout after a success, stderr after a stop.
        if outcome == Outcome::Done {
            println!("\n{recap}");
        } else {
            eprintln!("\n{recap}");
        }
    }
    outcome
}

/// Undoes what `run_journey` set up around the UI thread, on return or unwind.
struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        term::detach();
        term::restore();
    }
}

/// Tells the UI thread to stop when the driver's side unwinds.
struct AbortUiOnPanic(Sender<Msg>);

impl Drop for AbortUiOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.0.send(Msg::Abort);
        }
    }
}

/// Closes the output queue when the UI thread ends, normally or by panic.
struct CloseOnDrop(Arc<Handoff<Arc<str>>>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Cancels the running command when the UI thread ends (normally or by panic),
/// so the driver is never left running with nobody to see it.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.cancel();
        }
    }
}

/// The UI thread's side of the output queue: whether blocks wait for the next
/// frame. The queue's fences keep them in order with the other messages.
struct Intake<'a> {
    output: &'a Handoff<Arc<str>>,
    /// Output waits in the queue, to be taken in with the next frame: until
    /// then the driver adds to it without waking this thread.
    waiting: bool,
}

impl<'a> Intake<'a> {
    fn new(output: &'a Handoff<Arc<str>>) -> Self {
        Intake {
            output,
            waiting: false,
        }
    }

    /// Applies one message from the driver or the keys; true when the screen
    /// changed. `urgent`: drawn at once, not at the next frame (all but output).
    fn message(&mut self, app: &mut App, m: Msg, urgent: &mut bool) -> bool {
        match m {
            Msg::OutputWaiting => {
                self.waiting = true;
                false
            }
            // What follows came after these blocks, or the driver waits for
            // room: take them in now, draw on time.
            Msg::OutputUpTo(n) => self.take(app, Some(n)),
            // (TuiInteract never sends OutputIdle: nothing here is output.)
            m => {
                let changed = app.update(m);
                *urgent |= changed;
                changed
            }
        }
    }

    /// At a frame, with every message read: all that is queued came after
    /// them, so all of it may be shown.
    fn frame(&mut self, app: &mut App) -> bool {
        std::mem::take(&mut self.waiting) && self.take(app, None)
    }

    fn take(&mut self, app: &mut App, upto: Option<u64>) -> bool {
        let blocks = match upto {
            Some(n) => self.output.take_to(n),
            None => self.output.take_before_fence(),
        };
        // Blocks left behind a fence were announced once, when the queue
        // turned non-empty; no second message comes for them.
        self.waiting |= !self.output.is_empty();
        let mut changed = false;
        for block in blocks {
            changed |= app.update(Msg::Event(Event::Output(block)));
        }
        changed
    }
}

fn ui_loop(
    term: &mut Term,
    rx: &Receiver<Msg>,
    output: &Handoff<Arc<str>>,
    app: &mut App,
) -> std::io::Result<()> {
    term.draw(|f| view::draw(f, app))?;
    let mut drawn = Instant::now();
    // Output changed the screen since the last frame, which was too recent to
    // draw again; anything else (a key, a question, a step) is drawn at once.
    let mut dirty = false;
    let mut intake = Intake::new(output);
    loop {
        let wait = if dirty || intake.waiting {
            Some(FRAME.saturating_sub(drawn.elapsed()))
        } else if app.ticking() {
            Some(Duration::from_millis(100))
        } else {
            None
        };
        let first = match wait {
            Some(t) => match rx.recv_timeout(t) {
                Ok(m) => Some(m),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match rx.recv() {
                Ok(m) => Some(m),
                Err(_) => return Ok(()),
            },
        };
        // A tick always redraws (the spinner and the clock moved).
        dirty |= first.is_none();
        let mut urgent = false;
        // Take what else is waiting (a burst of messages) before drawing once.
        let mut next = first;
        let mut drained = false;
        for _ in 0..2000 {
            let Some(m) = next.take().or_else(|| rx.try_recv().ok()) else {
                drained = true;
                break;
            };
            // The driver's side panicked; the panic hook gave the terminal back.
            if matches!(m, Msg::Abort) {
                return Ok(());
            }
            dirty |= intake.message(app, m, &mut urgent);
        }
        if app.exit {
            return Ok(());
        }
        let due = urgent || drawn.elapsed() >= FRAME;
        if due && drained {
            dirty |= intake.frame(app);
        }
        if dirty && due {
            term.draw(|f| view::draw(f, app))?;
            drawn = Instant::now();
            dirty = false;
        }
    }
}

/// The menu: Some(journey) chosen, or None (quit). Errors when the terminal
/// cannot be set up.
/// `release_note`: a stopped release `Release` would resume ("resuming 0.2.1
/// to testpypi"), said beside it.
pub fn menu(release_note: Option<String>) -> std::io::Result<Option<Choice>> {
    let mut term = Term::enter()?;
    let (tx, rx) = mpsc::channel();
    term::attach(tx);
    let mut m = menu::Menu::new(Theme::detect());
    m.release_note = release_note;
    let res = (|| {
        term.draw(|f| m.draw(f))?;
        // Test builds only (the pty test of the panic hook); a release build has no such switch.
        if cfg!(debug_assertions)
            && std::env::var_os("ARCAFLOW_WIZARD_TEST_PANIC").is_some_and(|v| v != "step")
        {
            panic!("panic injected by ARCAFLOW_WIZARD_TEST_PANIC");
        }
        loop {
            match rx.recv() {
                Ok(Msg::Key(k)) => m.key(k),
                Ok(_) => {}
                Err(_) => return Ok(None),
            }
            if let Some(choice) = m.done {
                return Ok(choice);
            }
            term.draw(|f| m.draw(f))?;
        }
    })();
    term::detach();
    drop(term);
    res
}
