//! What the driver tells the front end while a journey runs.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::journey::StepState;
use crate::plan::Cmd;

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
    /// A command is about to run: as typed, where, with which secret names.
    ActionStart(Shown),
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
    /// Commands started at once, in start order (`Block::index` points here).
    GroupStart(Vec<Shown>),
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

/// A command as the front ends show and record it: enough to write it into
/// the session script, and nothing of a secret but its variable's name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shown {
    /// `$ ` and the command as typed (`Cmd::display`), then `  # label` when
    /// the plan gave one.
    pub summary: String,
    /// The folder it runs in, when the plan names one.
    pub cwd: Option<PathBuf>,
    /// The secret variables it is given, by name.
    pub secret_vars: Vec<String>,
}

impl Shown {
    pub fn of(cmd: &Cmd) -> Self {
        let summary = match &cmd.label {
            Some(l) => format!("$ {}  # {l}", cmd.display()),
            None => format!("$ {}", cmd.display()),
        };
        Shown {
            summary,
            cwd: cmd.cwd.clone(),
            secret_vars: cmd.secret_env.keys().cloned().collect(),
        }
    }
}

/// A summary alone: no folder, no secrets (a demo screen, a bench, a test).
impl From<&str> for Shown {
    fn from(summary: &str) -> Self {
        Shown {
            summary: summary.to_string(),
            ..Shown::default()
        }
    }
}
