//! Journeys are ordered steps. A step decides; it never touches the terminal or
//! the disk itself: it answers "is this done?" and "what plan does it?".
//! `driver` walks the steps, asks the front end (`Interact`) the questions, and
//! hands plans to the runner.

pub mod atp;
pub mod context;
pub(crate) mod diff;
pub mod driver;
pub mod explain;
pub(crate) mod question;
pub mod resume;

pub use context::Context;
pub use question::{Answer, Question, QuestionKind};

pub(crate) mod doctor;
pub(crate) mod new;
pub mod release;
pub(crate) mod setup;
pub(crate) mod try_engine;

use crate::plan::Plan;

/// Why a step cannot go on, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One sentence: what went wrong.
    pub message: String,
    /// What the user can do about it (commands are shown as-is).
    pub hint: Option<String>,
    /// A plan that fixes it, when the wizard can run the fix itself.
    pub fix: Option<Plan>,
    /// Exit 2 (bad usage or input, nothing changed) rather than 1.
    pub usage: bool,
    /// The answer (a secret's key, e.g. the upload token) that was wrong: the
    /// front ends offer to give it again, then the step is retried with it.
    pub ask_again: Option<&'static str>,
    /// Not a failure of the step: what did not succeed here and why, said as
    /// a warning while the step goes on (a stranger's example that needs
    /// the service its compose file starts).
    pub warning: bool,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            hint: None,
            fix: None,
            usage: false,
            ask_again: None,
            warning: false,
        }
    }
    /// Bad input: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            usage: true,
            ..Failure::new(message)
        }
    }
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
    pub fn fix(mut self, p: Plan) -> Self {
        self.fix = Some(p);
        self
    }
    /// See `warning`.
    pub fn as_warning(mut self) -> Self {
        self.warning = true;
        self
    }
}

/// A refused `--python`/`--poetry` is bad input: exit 2, with its hint.
impl From<crate::probe::given::Refused> for Failure {
    fn from(r: crate::probe::given::Refused) -> Self {
        Failure {
            hint: r.hint,
            ..Failure::usage(r.message)
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n{h}")?;
        }
        Ok(())
    }
}

/// The result of a step's check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Already done; the string says what was found, e.g. "pyproject.toml is in the legacy form".
    Done(String),
    /// Not done, by the user's choice; the string says what was chosen, e.g.
    /// "not uploaded to PyPI". Not "already done": the step list says "skipped".
    Declined(String),
    /// Left for the user to run; the string is what to run (e.g. the git tag
    /// line). Front ends keep it on screen to the end, and past it.
    LeftToYou(String),
    /// Needs doing.
    Todo,
}

/// One step of a journey.
pub trait Step: Send + Sync {
    /// Stable id, used in state files, logs and answers.
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// One paragraph for the help pane and the script comment, naming the guide's section.
    fn why(&self) -> &'static str;
    /// Questions to ask before planning; answers land in `ctx.answers` under `Question::key`.
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        Vec::new()
    }
    /// Is it already done? Called before planning on a real run; not on `--dry-run`,
    /// which plans every step as if none were done.
    fn check(&self, ctx: &Context) -> Result<Check, Failure>;
    /// The plan that does it.
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure>;
    /// After the plan ran: did it work? May record facts in `ctx` for later steps.
    fn verify(&self, _ctx: &mut Context) -> Result<(), Failure> {
        Ok(())
    }
    /// Explain a failed command of this step's plan in the user's terms (None: the
    /// shared explanations in `explain` apply).
    fn explain(
        &self,
        _ctx: &Context,
        _cmd: &crate::plan::Cmd,
        _res: &crate::exec::RunResult,
    ) -> Option<Failure> {
        None
    }
    /// A command of this step's plan exited 0: is its output right? Judged as
    /// soon as it ends, so a wrong answer stops the plan before the slow
    /// commands after it (the example input before the container build).
    fn judge(&self, _ctx: &Context, _cmd: &crate::plan::Cmd, _output: &str) -> Result<(), Failure> {
        Ok(())
    }
    /// The question that gives `key` again, after a failure that names it in
    /// `Failure::ask_again` (a token the index refused).
    fn ask_again(&self, _ctx: &Context, _key: &str) -> Option<Question> {
        None
    }
    /// Before a retry (e.g. after running a fix): look at the machine again.
    fn refresh(&self, _ctx: &mut Context) {}
    /// A note printed before the plan runs, e.g. where the guide is wrong today.
    fn note(&self, _ctx: &Context) -> Option<String> {
        None
    }
}

/// Where a step is, for the step list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Waiting,
    Running,
    Done,
    /// Already done before this run.
    Skipped,
    /// Not done, by the user's choice (declined PyPI).
    Declined,
    /// Nothing run: what is left for the user to run is its detail.
    LeftToYou,
    Failed,
}
