//! Glue between the command line and the journeys: gather facts, collect the
//! answers given up front, pick a front end, run, and map the outcome to an exit code.

pub mod answers;
pub mod doctor;
pub mod new;
pub mod release;
pub mod setup;
pub mod try_cmd;

use std::path::Path;

use crate::journey::driver::Outcome;
use crate::journey::Failure;
use crate::ui::plain::Plain;

/// With no subcommand: the menu (full-screen), or usage when there is no terminal.
pub fn menu() -> i32 {
    use crate::ui::tui::{self, Choice};
    if tui::wanted(false) {
        let cwd = std::env::current_dir().unwrap_or_default();
        match tui::menu(release::stalled(&cwd)) {
            Ok(Some(Choice::New)) => return new::run(Default::default()),
            Ok(Some(Choice::Release)) => return release::run(Default::default()),
            Ok(Some(Choice::ReleaseAfresh)) => {
                release::forget_stalled(&cwd);
                return release::run(Default::default());
            }
            Ok(Some(Choice::Doctor)) => return doctor::run(Default::default()),
            Ok(Some(Choice::Setup)) => return setup::run(Default::default()),
            Ok(None) => return 0,
            // The terminal cannot be set up: fall through to the usage text.
            Err(e) => eprintln!("arcaflow-wizard: cannot open the menu: {e}"),
        }
    }
    use clap::CommandFactory;
    let _ = crate::cli::Cli::command().print_help();
    2
}

/// `--dry-run`: print every step's plan as one bash script; nothing runs.
pub fn print_script(
    steps: &[Box<dyn crate::journey::Step>],
    ctx: &mut crate::journey::Context,
    yes: bool,
    header: &str,
) -> i32 {
    let log = crate::session::SessionLog::disabled();
    let driver = crate::journey::driver::Driver::new(steps, &log);
    let mut ui = Plain::new(yes).to_stderr();
    match driver.script(ctx, &mut ui, header) {
        Ok(script) => {
            print!("{script}");
            0
        }
        Err(Outcome::Failed(f)) => fail(&f),
        Err(o) => o.exit_code(),
    }
}

/// The questions the run asked a tool (`exec::query`), at the end of its
/// session log: one `? COMMAND` line each, so a second start of Poetry for
/// the same answer shows.
pub fn log_questions(log: &crate::session::SessionLog) {
    let asked = crate::exec::query::asked();
    if asked.is_empty() {
        return;
    }
    log.line("== questions asked (each answer kept until a command runs)");
    for q in asked {
        log.line(&format!("? {q}"));
    }
}

/// The session log of a journey, or the exit code after saying why there is none.
pub fn open_log(state_dir: &Path, journey: &str) -> Result<crate::session::SessionLog, i32> {
    crate::session::SessionLog::create(state_dir, journey).map_err(|e| {
        fail(&Failure::new(format!(
            "cannot write the session log in {}: {e}",
            state_dir.display()
        )))
    })
}

/// A project folder whose path is not UTF-8 is refused (exit 2): Poetry, pip
/// and the Dockerfile need it as text, and a lossy copy names another folder.
pub fn text_path(path: &Path) -> Result<(), Failure> {
    match path.to_str() {
        Some(_) => Ok(()),
        None => Err(Failure::usage(format!(
            "the folder {} has a name that is not UTF-8 text: Poetry and pip cannot work in it. \
             Rename it (or the folder above it) to a text name; nothing was changed.",
            path.display()
        ))),
    }
}

/// Print a failure that stops before any journey ran, and give its exit code.
pub fn fail(f: &Failure) -> i32 {
    let mut p = Plain::new(false).to_stderr();
    p.failure(f);
    if f.usage {
        2
    } else {
        1
    }
}

/// The answers a run starts with: the `--answers` file's, then the flags on
/// top (flags win). A value that holds an upload token is refused, without
/// repeating it; `name_of` says how to name a key in that message.
pub(crate) fn given_answers(
    file: Option<&Path>,
    keys: &[&str],
    flags: Vec<(&str, Option<String>)>,
    name_of: impl Fn(&str) -> Option<String>,
) -> Result<std::collections::BTreeMap<String, String>, Failure> {
    let mut given = match file {
        Some(f) => answers::read(f, keys)?,
        None => std::collections::BTreeMap::new(),
    };
    for (k, v) in flags {
        if let Some(v) = v {
            given.insert(k.to_string(), v);
        }
    }
    for (k, v) in &given {
        if crate::journey::release::holds_token(v) {
            let what = name_of(k).unwrap_or_else(|| format!("--{}", k.replace('_', "-")));
            return Err(Failure::usage(crate::journey::release::token_given_as(
                &what,
            )));
        }
    }
    Ok(given)
}

/// A path flag as an answer's text.
pub(crate) fn path_answer(p: Option<&std::path::PathBuf>) -> Option<String> {
    p.map(|d| d.to_string_lossy().into_owned())
}
