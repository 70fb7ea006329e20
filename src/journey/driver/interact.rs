//! The front end's side of the driver: answers, choices after a failure,
//! and how a journey ended.

use std::path::{Path, PathBuf};

use super::Event;
use crate::journey::{Answer, Failure, Question};

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
