//! `arcaflow-wizard try [DIR]`: the plugin's example step in the real engine.

use std::collections::BTreeMap;

use super::fail;
use crate::cli::TryArgs;
use crate::journey::context::Options;
use crate::journey::driver::{Driver, Outcome};
use crate::journey::try_engine::{self, DIST, PYTHON, SHA};
use crate::journey::{Context, Failure};
use crate::probe::layout::Layout;
use crate::probe::{self, ProbeEnv};
use crate::session;
use crate::ui::plain::Plain;

const JOURNEY: &str = "try";

pub fn run(args: TryArgs) -> i32 {
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
    let mut ui = Plain::new(true);
    crate::ui::plain::stop_on_signals();
    let mut driver = Driver::new(&steps, &log);
    let outcome = driver.run(&mut ctx, &mut ui);
    drop(driver);
    let log_path = log
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    log.flush();
    match &outcome {
        Outcome::Done => {
            println!("\nDone: the Arcaflow engine ran the example step, and it returned success.");
        }
        Outcome::Failed(f) if f.usage => {
            fail(f);
        }
        _ => eprintln!("\nThe engine run did not return success: see above."),
    }
    eprintln!("Session log: {log_path}");
    outcome.exit_code()
}

fn prepare(args: &TryArgs) -> Result<Context, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the current folder: {e}")))?;
    let dir = cwd.join(args.dir.clone().unwrap_or_default());
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
    let probe_env = ProbeEnv::from_env();
    // Only the interpreters: try needs no Poetry, distro or container probe,
    // and a second run on the same commit must stay fast.
    let facts = probe::Facts {
        pythons: match &args.python {
            Some(_) => Vec::new(),
            None => probe::python::find_all(&probe_env),
        },
        engines: probe::engine::find_all(&probe_env),
        ..Default::default()
    };
    let lowest = layout.python.as_ref().and_then(|p| p.lower.as_deref());
    let python = match &args.python {
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
        yes: true,
    };
    let mut ctx = Context::new(dir, opts, facts, probe_env);
    if args.save {
        ctx.answers.insert(try_engine::SAVE.into(), "yes".into());
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
    Ok(ctx)
}
