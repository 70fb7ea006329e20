//! `arcaflow-wizard setup [DIR | GIT-URL] [DIR]`.

use std::path::Path;
use std::time::Duration;

use super::{answers, fail};
use crate::cli::SetupArgs;
use crate::exec::CancelToken;
use crate::journey::context::Options;
use crate::journey::driver::{Driver, Outcome};
use crate::journey::setup::{self, Source};
use crate::journey::{self, Context, Failure};
use crate::plan::Cmd;
use crate::probe::given::{adopt_poetry, adopt_python};
use crate::probe::{self, ProbeEnv};
use crate::session::{self, ProjectState};
use crate::ui::plain::Plain;

pub fn run(args: SetupArgs) -> i32 {
    let lines = args.common.plain || args.common.yes || args.dry_run;
    let mut ctx = match prepare(&args, lines) {
        Ok(c) => c,
        Err(f) => return fail(&f),
    };
    let steps = journey::setup::steps();

    if args.dry_run {
        return dry_run(&steps, &mut ctx, args.common.yes);
    }

    let state_dir = session::state_dir();
    let log = match super::open_log(&state_dir, "setup") {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut driver = Driver::new(&steps, &log);
    driver.on_step_done = Box::new(|id, ctx: &Context| {
        let dir = setup::project_dir(ctx);
        let mut st = ProjectState::load(&state_dir, &dir, "setup");
        st.answers = ctx.answers.clone();
        st.done.insert(id.to_string());
        let _ = st.save(&state_dir);
    });
    let outcome = if crate::ui::tui::wanted(lines) {
        let extras = crate::ui::tui::Extras {
            resume: None,
            project_dir: Some(setup::project_dir),
            done_note: None,
        };
        crate::ui::tui::run_journey_with("setup", &mut driver, &mut ctx, extras)
    } else {
        crate::ui::plain::stop_on_signals();
        driver.run(&mut ctx, &mut Plain::new(args.common.yes))
    };
    let log_path = log
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    super::log_questions(&log);
    log.flush();
    match &outcome {
        Outcome::Done => {
            let dir = setup::project_dir(&ctx);
            println!(
                "\nDone: {} is set up, and passes its tests and checks as the official build runs them.",
                dir.display()
            );
        }
        Outcome::Failed(f) if f.usage => {
            fail(f);
        }
        Outcome::Failed(f) if f.message.contains("The setup itself is complete") => {
            eprintln!("\nThe setup is complete; the plugin's own check above failed. Fix it, then run the same command again: finished steps are skipped.");
        }
        Outcome::Failed(_) => {
            eprintln!("\nStopped. Fix the problem above and run the same command again: finished steps are skipped.");
        }
        Outcome::Quit => eprintln!("\nStopped. Run the same command again to continue."),
    }
    eprintln!("Session log: {log_path}");
    outcome.exit_code()
}

/// `--dry-run`: the script. A git URL is read from a temporary clone (git only:
/// nothing in it runs), removed afterwards.
fn dry_run(steps: &[Box<dyn journey::Step>], ctx: &mut Context, yes: bool) -> i32 {
    let _tmp = match setup::source(ctx) {
        Source::Git(url) => match temp_clone(&url) {
            Ok(t) => {
                ctx.learned.insert(
                    setup::READ_FROM.into(),
                    t.path().join("clone").to_string_lossy().into_owned(),
                );
                Some(t)
            }
            Err(f) => return fail(&f),
        },
        Source::Folder(_) => None,
    };
    let read = setup::files_dir(ctx);
    if let Some(why) = setup::not_a_plugin(&read) {
        return fail(&Failure::usage(format!("{why}; nothing was changed.")));
    }
    let about = setup::layout(ctx)
        .map(|l| setup::summary(ctx, &l))
        .unwrap_or_default();
    let header = format!(
        "Made by `arcaflow-wizard setup --dry-run`: the steps of the wizard as a script.\n\
         Run it with bash from this folder; each step says why it exists.\n\nThe project:\n{about}"
    );
    super::print_script(steps, ctx, yes, &header)
}

fn temp_clone(url: &str) -> Result<tempfile::TempDir, Failure> {
    let tmp = tempfile::Builder::new()
        .prefix("arcaflow-wizard-setup-")
        .tempdir()
        .map_err(|e| Failure::new(format!("cannot make a temporary folder: {e}")))?;
    let dest = tmp.path().join("clone");
    git(&[
        "clone",
        "--depth",
        "1",
        "--quiet",
        url,
        &dest.to_string_lossy(),
    ])
    .map_err(|said| {
        Failure::usage(format!("git could not clone {url}: {said}"))
            .hint("Check the URL (and that you may read the repository); nothing was created.")
    })?;
    Ok(tmp)
}

/// Run git (never asking on the terminal); its last line when it fails.
fn git(args: &[&str]) -> Result<(), String> {
    let cmd = Cmd::new("git")
        .args(args.iter().copied())
        .env("GIT_TERMINAL_PROMPT", "0")
        .timeout(Duration::from_secs(300));
    let mut last = String::new();
    let res = crate::exec::run(&cmd, &[], &CancelToken::new(), &mut |l| {
        if !l.trim().is_empty() {
            last = l.trim().to_string();
        }
    })
    .map_err(|e| format!("git cannot be run ({e}); is git installed?"))?;
    if res.success() {
        Ok(())
    } else {
        Err(if last.is_empty() {
            res.describe()
        } else {
            last
        })
    }
}

/// Everything known before the first step; bad input stops here, before anything changes.
fn prepare(args: &SetupArgs, lines: bool) -> Result<Context, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the current folder: {e}")))?;
    super::text_path(&cwd)?;
    let mut given = super::given_answers(
        args.answers.as_deref(),
        answers::SETUP_KEYS,
        vec![
            ("source", args.source.clone()),
            ("dir", super::path_answer(args.dir.as_ref())),
            ("python", super::path_answer(args.python.as_ref())),
            ("poetry", super::path_answer(args.poetry.as_ref())),
            ("index_url", args.index_url.clone()),
        ],
        |k| match k {
            "source" => Some("the plugin's URL".into()),
            "dir" => Some("DIR".into()),
            _ => None,
        },
    )?;
    // Without a terminal to ask on, the plugin is the current folder.
    if lines && !given.contains_key("source") {
        given.insert("source".into(), ".".into());
    }
    if let Some(s) = given.get("source") {
        check_source(s, given.get("dir").map(String::as_str), &cwd)?;
    } else if given.contains_key("dir") {
        return Err(Failure::usage(
            "DIR is where a git URL is cloned to: give the URL first",
        ));
    }
    let index_url = given.remove("index_url");
    if let Some(u) = &index_url {
        crate::cli::check_url("--index-url", u, crate::cli::UrlUse::Index)
            .map_err(Failure::usage)?;
    }
    let probe_env = ProbeEnv::from_env();
    let mut facts = probe::gather(&probe_env);
    if let Some(p) = given.get("python").cloned() {
        let known = adopt_python(&mut facts, Path::new(&p))?;
        given.insert("python".into(), known.to_string_lossy().into_owned());
    }
    if let Some(p) = given.get("poetry").cloned() {
        given.insert(
            "poetry".into(),
            adopt_poetry(&mut facts, Path::new(&p))?
                .to_string_lossy()
                .into_owned(),
        );
    }
    let opts = Options {
        index_url,
        dry_run: args.dry_run,
        yes: args.common.yes,
    };
    let mut ctx = Context::new(cwd, opts, facts, probe_env);
    ctx.answers = given;
    ctx.project_dir_of = Some(setup::project_dir);
    Ok(ctx)
}

/// The source and DIR as given: a plugin folder, or a URL git can read and a
/// place to clone it to. Exit 2 otherwise, with nothing changed.
fn check_source(source: &str, dir: Option<&str>, cwd: &Path) -> Result<(), Failure> {
    if source.trim().is_empty() {
        return Err(Failure::usage(
            "the plugin is empty: give a folder or a git URL",
        ));
    }
    match setup::parse_source(source, cwd) {
        Source::Folder(p) => {
            if dir.is_some() {
                return Err(Failure::usage(format!(
                    "{source} is a folder: DIR (where to clone to) goes only with a git URL"
                )));
            }
            if !p.exists() {
                return Err(Failure::usage(format!(
                    "{source}: no such folder, and not a git URL (https://, ssh://, file://, git@host:path)"
                )));
            }
            super::text_path(&p)?;
            if let Some(why) = setup::not_a_plugin(&p) {
                return Err(Failure::usage(format!("{why}; nothing was changed.")));
            }
            Ok(())
        }
        Source::Git(url) => {
            if setup::url_has_password(&url) {
                return Err(Failure::usage(
                    "the URL holds a password or token before its @ (not shown here): it would be \
                     on git's command line and in the session log. Give the URL without it; git's \
                     credential helper supplies the password.",
                ));
            }
            let name = dir
                .map(str::to_string)
                .unwrap_or_else(|| setup::clone_name(&url));
            if let Some(d) = dir {
                crate::names::check_dir_arg(d).map_err(Failure::usage)?;
            }
            let target = cwd.join(&name);
            super::text_path(&target)?;
            // A re-run over the clone this URL made goes on; anything else there is not ours.
            if !setup::is_clone_of(&target, &url) {
                if let Some(why) = setup::clone_target_problem(&target) {
                    return Err(Failure::usage(why));
                }
                git(&["ls-remote", "--quiet", &url, "HEAD"]).map_err(|said| {
                    Failure::usage(format!("git cannot read {url}: {said}"))
                        .hint("Check the URL (and that you may read the repository); nothing was created.")
                })?;
            }
            Ok(())
        }
    }
}
