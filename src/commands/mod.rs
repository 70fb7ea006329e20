//! Glue between the command line and the journeys: gather facts, collect the
//! answers given up front, pick a front end, run, and map the outcome to an exit code.

pub mod answers;
pub mod doctor;
pub mod new;
pub mod release;

use std::path::{Path, PathBuf};

use crate::journey::driver::Outcome;
use crate::journey::Failure;
use crate::probe::{Facts, Python, PythonSource};
use crate::ui::plain::Plain;
use crate::version::Version;

/// With no subcommand: the menu (full-screen), or usage when there is no terminal.
pub fn menu() -> i32 {
    use crate::ui::tui::{self, Choice};
    if tui::wanted(false) {
        match tui::menu() {
            Ok(Some(Choice::New)) => return new::run(Default::default()),
            Ok(Some(Choice::Release)) => return release::run(Default::default()),
            Ok(Some(Choice::Doctor)) => return doctor::run(Default::default()),
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

/// The session log of a journey, or the exit code after saying why there is none.
pub fn open_log(state_dir: &Path, journey: &str) -> Result<crate::session::SessionLog, i32> {
    crate::session::SessionLog::create(state_dir, journey).map_err(|e| {
        fail(&Failure::new(format!(
            "cannot write the session log in {}: {e}",
            state_dir.display()
        )))
    })
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

/// Make a user-given interpreter path part of the facts, so questions can offer it.
/// Returns the path the facts know it by.
pub fn adopt_python(facts: &mut Facts, given: &Path) -> Result<PathBuf, Failure> {
    let real = std::fs::canonicalize(given)
        .map_err(|_| Failure::usage(format!("--python {}: no such file", given.display())))?;
    if let Some(p) = facts
        .pythons
        .iter()
        .find(|p| p.path == given || p.real_path == real)
    {
        return Ok(p.path.clone());
    }
    let out = crate::exec::capture(
        &crate::plan::Cmd::new(given)
            .args([
                "-c",
                "import sys; print('%d.%d.%d' % tuple(sys.version_info[:3]))",
            ])
            .timeout(std::time::Duration::from_secs(10)),
    )
    .ok_or_else(|| {
        Failure::usage(format!(
            "--python {}: this is not a Python interpreter that runs",
            given.display()
        ))
    })?;
    let version = Version::find_in(&out).ok_or_else(|| {
        Failure::usage(format!(
            "--python {}: could not read its version",
            given.display()
        ))
    })?;
    facts.pythons.push(Python {
        path: given.to_path_buf(),
        real_path: real,
        version,
        names: Vec::new(),
        source: PythonSource::System,
    });
    Ok(given.to_path_buf())
}

/// The same for `--poetry PATH`.
pub fn adopt_poetry(facts: &mut Facts, given: &Path) -> Result<PathBuf, Failure> {
    if !given.is_file() {
        return Err(Failure::usage(format!(
            "--poetry {}: no such file",
            given.display()
        )));
    }
    let real = std::fs::canonicalize(given).unwrap_or_else(|_| given.to_path_buf());
    if let Some(p) = facts.poetries.iter().find(|p| {
        p.path == given || std::fs::canonicalize(&p.path).ok().as_deref() == Some(real.as_path())
    }) {
        return Ok(p.path.clone());
    }
    let out = crate::exec::capture(
        &crate::plan::Cmd::new(given)
            .arg("--version")
            .timeout(std::time::Duration::from_secs(30)),
    )
    .ok_or_else(|| {
        Failure::usage(format!(
            "--poetry {}: `--version` failed: is it Poetry?",
            given.display()
        ))
    })?;
    let version = Version::find_in(&out);
    if !out.contains("Poetry") || version.is_none() {
        return Err(Failure::usage(format!(
            "--poetry {}: this is not Poetry ({out})",
            given.display()
        )));
    }
    facts.poetries.push(crate::probe::PoetryInstall {
        path: given.to_path_buf(),
        version,
        python: None,
        python_exists: true,
        method: crate::probe::InstallMethod::Unknown,
        first_on_path: false,
    });
    Ok(given.to_path_buf())
}
