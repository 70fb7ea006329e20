use std::time::Duration;

use super::{names, poetry_cmd, project_dir};
use crate::journey::atp::{self, Example};
use crate::journey::try_engine;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};
use crate::preflight;

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
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let n = names(ctx);
        let test_file = n.test_file();
        let entry = format!("{}/{}.py", n.package(), n.entry_module());
        // ACT's own flake8 command, in the project's venv.
        let flake8 = preflight::flake8_args();
        let mut flake8_cmd: Vec<&str> = vec!["run", "python"];
        flake8_cmd.extend(flake8.iter().map(String::as_str));
        let mut plan = Plan::new()
            .run(poetry_cmd(ctx, &["install"]))
            .run(poetry_cmd(
                ctx,
                &["run", "python", "-m", "coverage", "run", &test_file],
            ))
            .run(poetry_cmd(
                ctx,
                &["run", "python", "-m", "coverage", "report"],
            ))
            .run(poetry_cmd(ctx, &flake8_cmd))
            .run(poetry_cmd(ctx, &["run", "python", &entry, "--schema"]))
            .run(super::example::command(ctx));
        // As the engine runs it: the ATP round trip (journey/atp.rs).
        let atp = atp::plan(
            poetry_cmd(ctx, &["run", "python"]),
            &Example::scaffold(&entry),
        );
        plan.actions.extend(atp.actions);
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
        // After the notes, so ACT's results are shown whatever the example said.
        super::example::verify(ctx)?;
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
