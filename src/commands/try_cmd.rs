//! `arcaflow-wizard try [DIR]`: the plugin's example step in the real engine.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::{answers, fail};
use crate::cli::TryArgs;
use crate::journey::context::Options;
use crate::journey::doctor::checks::python_m;
use crate::journey::doctor::{fixes, Severity};
use crate::journey::driver::{Driver, Outcome};
use crate::journey::try_engine::{self, DIST, PYTHON, SHA};
use crate::journey::{Context, Failure};
use crate::probe::layout::Layout;
use crate::probe::{self, ProbeEnv};
use crate::session;
use crate::ui::plain::Plain;

const JOURNEY: &str = "try";

pub fn run(args: TryArgs) -> i32 {
    let lines = args.common.plain || args.common.yes || args.dry_run;
    let mut ctx = match prepare(&args) {
        Ok(c) => c,
        Err(f) => return fail(&f),
    };
    let steps = try_engine::steps();
    if args.dry_run {
        return super::print_script(
            &steps,
            &mut ctx,
            true,
            "Made by `arcaflow-wizard try --dry-run`: the plugin's example step in the Arcaflow engine.",
        );
    }
    let log = match super::open_log(&session::state_dir(), JOURNEY) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut driver = Driver::new(&steps, &log);
    let outcome = if crate::ui::tui::wanted(lines) {
        let extras = crate::ui::tui::Extras {
            done_note: Some(|_| DONE.to_string()),
            ..Default::default()
        };
        crate::ui::tui::run_journey_with(JOURNEY, &mut driver, &mut ctx, extras)
    } else {
        crate::ui::plain::stop_on_signals();
        driver.run(&mut ctx, &mut Plain::new(args.common.yes))
    };
    drop(driver);
    let log_path = log
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    log.flush();
    match &outcome {
        Outcome::Done => println!("\nDone: {DONE}"),
        Outcome::Failed(f) if f.usage => {
            fail(f);
        }
        Outcome::Quit => eprintln!("\nStopped before the engine's result."),
        Outcome::Failed(_) => eprintln!("\nThe engine run did not return success: see above."),
    }
    eprintln!("Session log: {log_path}");
    outcome.exit_code()
}

const DONE: &str = "the Arcaflow engine ran the example step, and it returned success.";

fn prepare(args: &TryArgs) -> Result<Context, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the current folder: {e}")))?;
    let mut given = super::given_answers(
        args.answers.as_deref(),
        answers::TRY_KEYS,
        vec![
            ("dir", super::path_answer(args.dir.as_ref())),
            ("python", super::path_answer(args.python.as_ref())),
            ("save", args.save.then(|| "yes".to_string())),
        ],
        |k| (k == "dir").then(|| "DIR".to_string()),
    )?;
    // Without a terminal to ask on (a script, `new`'s last step), the save
    // question takes its default: no.
    if !std::io::stdin().is_terminal() && !given.contains_key(try_engine::SAVE) {
        given.insert(try_engine::SAVE.into(), "no".into());
    }
    let dir = cwd.join(given.get("dir").cloned().unwrap_or_default());
    let dir = std::fs::canonicalize(&dir)
        .map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
    super::text_path(&dir)?;
    let layout = Layout::read(&dir).ok_or_else(|| {
        Failure::usage(format!(
            "{} has no readable pyproject.toml: run try in the plugin's folder, or give it: arcaflow-wizard try DIR",
            dir.display()
        ))
    })?;
    let dist = layout
        .dist_name
        .clone()
        .ok_or_else(|| Failure::usage("pyproject.toml names no project"))?;
    // Checked now so that bad input stops before anything is installed.
    try_engine::find_example(&dir, &layout)?;
    let sha = try_engine::head_commit(&dir)?;
    let python_given = given.get("python").map(PathBuf::from);
    let probe_env = ProbeEnv::from_env();
    // Only the interpreters: try needs no Poetry, distro or container probe,
    // and a second run on the same commit must stay fast.
    let facts = probe::Facts {
        pythons: match &python_given {
            Some(_) => Vec::new(),
            None => probe::python::find_all(&probe_env),
        },
        engines: probe::engine::find_all(&probe_env),
        ..Default::default()
    };
    let lowest = layout.python.as_ref().and_then(|p| p.lower.as_deref());
    let python = match &python_given {
        Some(p) => p.clone(),
        None => try_engine::pick_python(&facts.pythons, lowest)
            .map(|p| p.path.clone())
            .ok_or_else(|| {
                Failure::new(format!(
                    "no Python {} or newer was found for the engine's Python deployer",
                    lowest.unwrap_or("3.9")
                ))
            })?,
    };
    if try_engine::dirty(&dir) {
        eprintln!(
            "Note: {} has uncommitted changes; the engine runs the committed HEAD ({}).",
            dir.display(),
            &sha[..12]
        );
    }
    let opts = Options {
        index_url: None,
        dry_run: args.dry_run,
        yes: args.common.yes,
    };
    let mut ctx = Context::new(dir, opts, facts, probe_env);
    if let Some(save) = given.remove(try_engine::SAVE) {
        ctx.answers.insert(try_engine::SAVE.into(), save);
    }
    ctx.learned = BTreeMap::from([
        (SHA.to_string(), sha),
        (DIST.to_string(), dist),
        (PYTHON.to_string(), python.to_string_lossy().into_owned()),
    ]);
    if let Some(e) = try_engine::pick_image_engine(&ctx.facts.engines) {
        let (name, path) = (e.name.clone(), e.path.to_string_lossy().into_owned());
        ctx.learned.insert(try_engine::IMAGE_ENGINE.into(), name);
        ctx.learned
            .insert(try_engine::IMAGE_ENGINE_PATH.into(), path);
    }
    if try_engine::image_engine(&ctx).is_none() {
        let sha = ctx.learned[SHA].clone();
        deployer_can_start(&ctx.dir, &layout, &sha)?;
    }
    Ok(ctx)
}

/// The Python deployer starts the plugin with `python -m <dist with - as _>`:
/// when that cannot run the commit `sha`, stop before anything is installed,
/// naming the cause and doctor's fix (its diff when it writes files), or,
/// when only the working tree has the fix, that it needs a commit.
fn deployer_can_start(dir: &Path, layout: &Layout, sha: &str) -> Result<(), Failure> {
    let ok = |f: &Option<crate::journey::doctor::Finding>| {
        f.as_ref().is_none_or(|f| f.severity == Severity::Ok)
    };
    let committed = try_engine::committed_files(dir, sha)?;
    let at_head =
        Layout::read(committed.path()).and_then(|l| python_m::check(committed.path(), &l));
    if ok(&at_head) {
        return Ok(());
    }
    let at_head = at_head.expect("judged above");
    let finding = python_m::check(dir, layout);
    if ok(&finding) {
        return Err(Failure::new(format!(
            "the engine's Python deployer cannot start commit {}: {}",
            &sha[..12],
            at_head.title
        ))
        .hint(format!(
            "Your working tree has what it needs, and the engine runs only the committed HEAD: \
             commit it (git add -A && git commit), then run try again.\n{}",
            at_head.detail
        )));
    }
    let finding = finding.expect("judged above");
    let mut hint = vec![finding.detail.clone()];
    match &finding.fix {
        Some(fix) if fix.automatic() => {
            hint.push(format!(
                "Fix: `arcaflow-wizard doctor --fix {}` offers it ({}): {}. It would change:",
                dir.display(),
                python_m::ID,
                fix.command
            ));
            hint.extend(fixes::diffs(&fix.plan));
            hint.push("Commit the change, then run try again.".into());
        }
        Some(fix) => hint.push(format!("Fix ({}): {}.", python_m::ID, fix.command)),
        None => {}
    }
    Err(Failure::new(format!(
        "the engine's Python deployer cannot start this plugin: {}",
        finding.title
    ))
    .hint(hint.join("\n")))
}
