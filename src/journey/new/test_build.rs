use std::time::Duration;

use super::{names, poetry_cmd, project_dir};
use crate::journey::atp::{self, Example};
use crate::journey::try_engine;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Action, Cmd, Plan};
use crate::preflight;
use crate::templates::EXAMPLE_INPUT;

/// How the checks start Python: the project venv's interpreter itself when
/// it is known from the files (no Poetry start per command), shown beside
/// the `poetry run python` a person would type; else `poetry run python`.
pub(crate) struct Python {
    venv_python: Option<std::path::PathBuf>,
}

impl Python {
    pub(crate) fn of(ctx: &Context) -> Python {
        // A dry run's script is what a person types: `poetry run`.
        let venv_python = (!ctx.opts.dry_run)
            .then(|| super::env::current_env(ctx))
            .flatten()
            .map(|(venv, _)| std::path::Path::new(&venv).join("bin").join("python"))
            .filter(|p| p.is_file());
        Python { venv_python }
    }
    /// `python ARGS` in the project folder.
    pub(crate) fn cmd(&self, ctx: &Context, args: &[&str]) -> Cmd {
        let mut typed = vec!["run", "python"];
        typed.extend_from_slice(args);
        let poetry = poetry_cmd(ctx, &typed);
        match &self.venv_python {
            Some(py) => {
                let mut c = Cmd::new(py)
                    .args(args.iter().copied())
                    .cwd(project_dir(ctx))
                    .label(format!("as `{}`", poetry.display()));
                c.timeout = poetry.timeout;
                c
            }
            None => poetry,
        }
    }
    /// `poetry run WORDS` as the venv runs it: `python ...` with its
    /// interpreter, another tool with its script in the venv's bin.
    pub(crate) fn words(&self, ctx: &Context, words: &[&str]) -> Cmd {
        if let Some(("python", rest)) = words.split_first().map(|(f, r)| (*f, r)) {
            return self.cmd(ctx, rest);
        }
        let mut typed = vec!["run"];
        typed.extend_from_slice(words);
        let poetry = poetry_cmd(ctx, &typed);
        let tool = self
            .venv_python
            .as_ref()
            .zip(words.first())
            .map(|(py, w)| py.with_file_name(w))
            .filter(|t| !words[0].contains('/') && t.is_file());
        match tool {
            Some(t) => {
                let mut c = Cmd::new(t)
                    .args(words[1..].iter().copied())
                    .cwd(project_dir(ctx))
                    .label(format!("as `{}`", poetry.display()));
                c.timeout = poetry.timeout;
                c
            }
            None => poetry,
        }
    }
}

/// The project has a commit for the engine to install (the git step made
/// one; in a dry run nothing exists yet, and the git step's plan makes it).
fn will_commit(ctx: &Context) -> bool {
    project_dir(ctx).join(".git").exists() || (ctx.opts.dry_run && super::git::will_commit(ctx))
}

/// A container engine works: `try` uses the image deployer.
fn images(ctx: &Context) -> bool {
    try_engine::pick_image_engine(&ctx.facts.engines).is_some()
}

/// The checks of the official build, run here: tests under coverage, flake8,
/// ACT's requirements, the schema, the example input, and the container build
/// when an engine works.
pub(super) struct TestBuild;

impl Step for TestBuild {
    fn id(&self) -> &'static str {
        "test-build"
    }
    fn title(&self) -> &'static str {
        "Test it as the official build will"
    }
    fn why(&self) -> &'static str {
        "The official build (the Arcaflow Container Toolkit, ACT; the guide's \"carpenter\" and \"image \
         builder\") checks the required files, runs flake8, checks the Dockerfile's lines, and builds the \
         image, which runs your tests. Running the same checks here finds problems before a pull request does. \
         The example step also runs on inputs/example.yaml and must answer `success`. \
         Then the plugin runs as the Arcaflow engine runs it (--atp, CBOR over stdin and stdout): a print() \
         at import time passes every other check and breaks that one."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        (!ctx.opts.dry_run)
            .then(|| super::sync::venv_in_sync(ctx, &project_dir(ctx)))
            .flatten()
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let n = names(ctx);
        let test_file = n.test_file();
        let entry = format!("{}/{}.py", n.package(), n.entry_module());
        let py = Python::of(ctx);
        let mut plan = Plan::new();
        // Poetry starts only when the venv lacks something the lock pins.
        if ctx.opts.dry_run || super::sync::venv_in_sync(ctx, &project_dir(ctx)).is_none() {
            plan = plan.run(poetry_cmd(ctx, &["install"]));
        }
        // ACT's own flake8 command, in the project's venv, in one process.
        let flake8 = preflight::flake8_args_one_process();
        let flake8: Vec<&str> = flake8.iter().map(String::as_str).collect();
        // As the engine runs it: the ATP round trip (journey/atp.rs); its
        // script is written before the checks start.
        let atp = atp::plan(Cmd::new("python"), &Example::scaffold(&entry));
        let mut atp_runs = Vec::new();
        for a in atp.actions {
            match a {
                Action::Run(c) => {
                    let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
                    atp_runs.push(py.cmd(ctx, &args));
                }
                other => plan.push(other),
            }
        }
        // Independent checks, started at once; the coverage report needs its run.
        let mut branches = vec![
            vec![
                py.cmd(ctx, &["-m", "coverage", "run", &test_file]),
                py.cmd(ctx, &["-m", "coverage", "report"]),
            ],
            vec![py.cmd(ctx, &flake8)],
            vec![py.cmd(ctx, &[&entry, "--schema"])],
            vec![py.cmd(ctx, &[&entry, "-f", EXAMPLE_INPUT])],
        ];
        branches.push(atp_runs);
        plan.push(Action::Parallel(branches));
        if let Some(engine) = ctx.facts.engines.iter().find(|e| e.usable) {
            plan = plan.run(
                Cmd::new(&engine.name)
                    .args(["build", "-t", &format!("{}:latest", n.dist()), "."])
                    .cwd(project_dir(ctx))
                    .timeout(Duration::from_secs(600)),
            );
        }
        // Last, the real engine (journey/try_engine), installed into the
        // wizard's cache the first time, when it can run here.
        if try_engine::new_cannot_run(will_commit(ctx), images(ctx)).is_none() {
            let python = super::chosen_python(ctx)
                .map(|p| p.path.to_string_lossy().into_owned())
                .unwrap_or_else(|| "python3".into());
            let run = try_engine::after_new(
                &project_dir(ctx),
                &python,
                ctx.opts.index_url.as_deref(),
                ctx.opts.dry_run,
            );
            plan.actions.extend(run.actions);
        }
        Ok(plan)
    }
    /// The example input must answer `success`: judged as soon as it ran,
    /// before the container build and the engine start.
    fn judge(&self, _ctx: &Context, cmd: &Cmd, output: &str) -> Result<(), Failure> {
        if cmd
            .args
            .ends_with(&["-f".to_string(), EXAMPLE_INPUT.to_string()])
        {
            return super::example::judge(output);
        }
        Ok(())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        if let Some(why) = try_engine::new_cannot_run(will_commit(ctx), images(ctx)) {
            let note = try_engine::new_skipped_note(&project_dir(ctx), &names(ctx).dist(), &why);
            ctx.notes.push(note);
        }
        let results = preflight::check_project(&project_dir(ctx));
        let (notes, failed) = preflight::notes(
            &results,
            "files, language, Dockerfile lines; flake8 ran above",
        );
        ctx.notes.extend(notes);
        if ctx.facts.engines.iter().all(|e| !e.usable) {
            let why = match ctx.facts.engines.first() {
                Some(e) => format!("{} is not usable: {}", e.name, e.detail),
                None => "no docker or podman was found".into(),
            };
            ctx.notes.push(format!(
                "The container build was skipped: {why}. Run it later in {}:\n  docker build -t {}:latest .",
                project_dir(ctx).display(),
                names(ctx).dist()
            ));
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(
                Failure::new(format!("ACT's checks failed: {}", failed.join(", ")))
                    .hint("Each failing check above says what to change."),
            )
        }
    }
}
