//! `arcaflow-wizard new`.

use std::io::IsTerminal;

use super::{answers, fail};
use crate::cli::NewArgs;
use crate::journey::context::Options;
use crate::journey::driver::{Driver, Outcome};
use crate::journey::{self, Context, Failure};
use crate::probe::given::{adopt_poetry, adopt_python};
use crate::probe::{self, ProbeEnv};
use crate::session::resume::Resume;
use crate::session::{self, ProjectState};
use crate::ui::plain::Plain;

pub fn run(args: NewArgs) -> i32 {
    let mut ctx = match prepare(&args) {
        Ok(c) => c,
        Err(f) => return fail(&f),
    };
    let steps = journey::new::steps();

    if args.dry_run {
        let header =
            "Made by `arcaflow-wizard new --dry-run`: the steps of the wizard as a script.\n\
                      Run it with bash from this folder; each step says why it exists.";
        return super::print_script(&steps, &mut ctx, args.common.yes, header);
    }

    let state_dir = session::state_dir();
    let log = match super::open_log(&state_dir, "new") {
        Ok(l) => l,
        Err(code) => return code,
    };

    let mut driver = Driver::new(&steps, &log);
    driver.on_step_done = Box::new(|id, ctx: &Context| {
        let dir = journey::new::project_dir(ctx);
        let mut st = ProjectState::load(&state_dir, &dir, "new");
        st.answers = ctx.answers.clone();
        st.done.insert(id.to_string());
        let _ = st.save(&state_dir);
    });
    // Resume: the project folder is known before the first question when DIR or --name
    // is given; else the wizard lists the unfinished projects.
    let known = ctx.answers.contains_key("name") || ctx.answers.contains_key("dir");
    let resume = Resume {
        state_dir: state_dir.clone(),
        journey: "new",
        project: known.then(|| journey::new::project_dir(&ctx)),
    };
    // The full-screen wizard on a terminal, unless lines were asked for.
    let outcome = if crate::ui::tui::wanted(args.common.plain || args.common.yes || args.dry_run) {
        let extras = crate::ui::tui::Extras {
            resume: Some(resume),
            project_dir: Some(journey::new::project_dir),
            done_note: Some(journey::new::done_note),
        };
        crate::ui::tui::run_journey_with("new plugin", &mut driver, &mut ctx, extras)
    } else {
        crate::ui::plain::stop_on_signals();
        let mut ui = Plain::new(args.common.yes);
        // Asked in lines too, when someone can answer: a terminal, or --yes
        // (the default, yes). Not from a pipe, whose lines answer the
        // journey's own questions; nor the list under --yes, which would
        // move a script's run into another folder.
        let ask = if args.common.yes {
            resume.project.is_some()
        } else {
            std::io::stdin().is_terminal()
        };
        if ask && !journey::resume::offer(&resume, driver.steps, &mut ctx, &mut ui) {
            Outcome::Quit
        } else {
            driver.run(&mut ctx, &mut ui)
        }
    };
    let log_path = log
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    super::log_questions(&log);
    log.flush();
    match &outcome {
        Outcome::Done => {
            let dir = journey::new::project_dir(&ctx);
            println!(
                "\nDone: {} is ready at {}.",
                journey::new::names(&ctx).dist(),
                dir.display()
            );
            println!(
                "Next: cd {} && poetry run python -m coverage run {}",
                dir.display(),
                journey::new::names(&ctx).test_file()
            );
            println!("{}", journey::new::done_note(&ctx));
        }
        Outcome::Failed(f) if f.usage => {
            fail(f);
        }
        Outcome::Failed(_) => {
            eprintln!("\nStopped. Fix the problem above and run the same command again: finished steps are skipped.");
        }
        Outcome::Quit => eprintln!("\nStopped. Run the same command again to continue."),
    }
    eprintln!("Session log: {log_path}");
    outcome.exit_code()
}

/// Everything known before the first step: answers from the file and flags, facts.
fn prepare(args: &NewArgs) -> Result<Context, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the current folder: {e}")))?;
    match &args.dir {
        Some(d) => super::text_path(&cwd.join(d))?,
        None => super::text_path(&cwd)?,
    }
    // Flags win over the answers file; a token pasted into the wrong place is
    // refused without being repeated.
    let mut given = super::given_answers(
        args.answers.as_deref(),
        answers::NEW_KEYS,
        vec![
            ("name", args.name.clone()),
            ("dir", super::path_answer(args.dir.as_ref())),
            ("python", super::path_answer(args.python.as_ref())),
            ("poetry", super::path_answer(args.poetry.as_ref())),
            ("index_url", args.index_url.clone()),
            ("target", args.target.clone()),
        ],
        |k| match k {
            "dir" => Some("DIR".into()),
            "description" | "author" => Some(format!("{k} (in the answers file)")),
            _ => None,
        },
    )?;
    if let Some(d) = given.get("dir") {
        crate::names::check_dir_arg(d).map_err(Failure::usage)?;
    }
    // Checked here too, so a bad answers file stops before anything runs.
    for k in ["description", "author"] {
        if let Some(v) = given.get(k) {
            crate::names::one_line(k, v).map_err(|e| Failure::usage(format!("--answers: {e}")))?;
        }
    }
    if given.get("dir").is_some_and(|d| d.trim().is_empty()) {
        return Err(Failure::usage(
            "DIR is empty: give the project folder, or leave it out for ./arcaflow-plugin-NAME",
        ));
    }
    for flag in ["python", "poetry"] {
        if let Some(p) = given.get(flag) {
            if std::path::Path::new(p).is_dir() {
                return Err(Failure::usage(format!(
                    "--{flag} {p} is a folder: give the {} itself, a file such as {}",
                    if flag == "python" {
                        "interpreter"
                    } else {
                        "poetry executable"
                    },
                    if flag == "python" {
                        "/usr/bin/python3.11"
                    } else {
                        "~/.local/bin/poetry"
                    }
                )));
            }
        }
    }
    let target = match given.get("target") {
        Some(t) => {
            journey::new::Target::parse(t).map_err(|e| Failure::usage(format!("--target: {e}")))?
        }
        None => journey::new::Target::Py39,
    };
    if given.contains_key("target") {
        given.insert("target".into(), target.key().into());
    }
    if let Some(n) = given.get("name") {
        let short = crate::names::PluginNames::parse(n)
            .map_err(|e| Failure::usage(format!("--name: {e}")))?
            .short;
        given.insert("name".into(), short);
    }
    let index_url = given.remove("index_url");
    if let Some(u) = &index_url {
        crate::cli::check_url("--index-url", u, crate::cli::UrlUse::Index)
            .map_err(Failure::usage)?;
    }
    let probe_env = ProbeEnv::from_env();
    let mut facts = probe::gather(&probe_env);
    if let Some(p) = given.get("python").cloned() {
        let known = adopt_python(&mut facts, std::path::Path::new(&p))?;
        // Older than 3.9: say so here, not as a choice the Python step refuses.
        if let Some(py) = facts
            .python_at(&known)
            .filter(|py| py.version < crate::official::MIN_PYTHON)
        {
            return Err(Failure::usage(format!(
                "--python {p} is Python {}: a plugin needs Python {}.{} or newer (the official images run 3.9)",
                py.version,
                crate::official::MIN_PYTHON.major,
                crate::official::MIN_PYTHON.minor
            ))
            .hint(newer_pythons(&facts, crate::official::MIN_PYTHON)));
        }
        let min = target.min_python();
        if let Some(py) = facts.python_at(&known).filter(|py| py.version < min) {
            return Err(Failure::usage(format!(
                "--python {p} is Python {}: the target {} needs Python {}.{} or newer",
                py.version,
                target.key(),
                min.major,
                min.minor
            ))
            .hint(newer_pythons(&facts, min)));
        }
        given.insert("python".into(), known.to_string_lossy().into_owned());
    }
    if let Some(p) = given.get("poetry").cloned() {
        given.insert(
            "poetry".into(),
            adopt_poetry(&mut facts, std::path::Path::new(&p))?
                .to_string_lossy()
                .into_owned(),
        );
    }
    // No target given: an answers file made before the question existed keeps
    // its meaning (the default), and a --python below 3.12 leaves one choice.
    if !given.contains_key("target") {
        let below_312 = given
            .get("python")
            .and_then(|p| facts.python_at(std::path::Path::new(p)))
            .is_some_and(|py| py.version < journey::new::Target::Py312.min_python());
        if args.answers.is_some() || below_312 {
            given.insert("target".into(), journey::new::Target::Py39.key().into());
        }
    }
    let opts = Options {
        index_url,
        dry_run: args.dry_run,
        yes: args.common.yes,
    };
    let mut ctx = Context::new(cwd, opts, facts, probe_env);
    ctx.answers = given;
    Ok(ctx)
}

/// The interpreters that would do, for the hint under a refused --python.
fn newer_pythons(facts: &crate::probe::Facts, min: crate::version::Version) -> String {
    let ok: Vec<String> = facts
        .pythons
        .iter()
        .filter(|p| p.version >= min)
        .map(|p| format!("  --python {}   (Python {})", p.path.display(), p.version))
        .collect();
    if ok.is_empty() {
        format!(
            "No Python {}.{} or newer was found: install one (`arcaflow-wizard doctor` says how), then run again.",
            min.major, min.minor
        )
    } else {
        format!("Found here:\n{}", ok.join("\n"))
    }
}
