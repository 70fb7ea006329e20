use std::time::Duration;

use super::example_verdict;
use super::read::test_words;
use super::{layout, project_dir};
use crate::journey::atp;
use crate::journey::new::example::{output_id, EXPECTED};
use crate::journey::new::test_build::Python;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};
use crate::preflight;

/// The plugin's own checks, as the official build runs them.
pub(super) struct TestBuild;

/// What a command of this step is, by its place in the plan, for `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Tests,
    Flake8,
    Schema,
    Example,
    Atp,
}

/// The plan's commands with what each is.
fn commands(ctx: &Context) -> Vec<(Part, Cmd)> {
    let Some(l) = layout(ctx) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let long = |c: Cmd| c.timeout(Duration::from_secs(1800));
    // The venv's own interpreter and tools, each shown with its `poetry run` form.
    let py = Python::of(ctx);
    let run = |args: &[&str]| py.words(ctx, &args[1..]);
    if let Some(t) = l.tests.value() {
        let mut args = vec!["run".to_string()];
        args.extend(test_words(t));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut cmd = run(&args);
        if !t.pythonpath.is_empty() {
            cmd = cmd.env("PYTHONPATH", t.pythonpath.join(":"));
        }
        out.push((Part::Tests, long(cmd)));
    }
    let flake8 = preflight::flake8_args_one_process();
    let mut args: Vec<&str> = vec!["run", "python"];
    args.extend(flake8.iter().map(String::as_str));
    out.push((Part::Flake8, run(&args)));
    if let Some(e) = l.entry.value() {
        out.push((Part::Schema, run(&["run", "python", &e.module, "--schema"])));
        if let Some(input) = l.example_inputs.first() {
            let mut args = vec!["run", "python", &e.module, "-f", input];
            let steps = step_ids(&project_dir(ctx).join(&e.module));
            let step = example_step(&l, &steps);
            if steps.len() > 1 {
                args.extend(["-s", step.as_deref().unwrap_or_default()]);
            }
            out.push((Part::Example, long(run(&args))));
            // As the engine runs it (--atp), on the same input and step (when
            // the step's id can be read from the module).
            if let Some(step) = step {
                let ex = atp::Example {
                    entry: e.module.clone(),
                    step: step.clone(),
                    input_json: "{}".into(),
                    input_file: Some(input.clone()),
                };
                for c in atp::plan(Cmd::new("python"), &ex)
                    .actions
                    .iter()
                    .flat_map(|a| a.commands())
                {
                    let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
                    out.push((Part::Atp, long(py.cmd(ctx, &args))));
                }
            }
        }
    }
    out
}

/// The step the example runs: the one docker-compose.yaml's command names
/// (`-s ID`) when the module declares it, else the first.
fn example_step(l: &crate::probe::layout::Layout, steps: &[String]) -> Option<String> {
    l.example_step
        .as_ref()
        .filter(|s| steps.contains(s))
        .or(steps.first())
        .cloned()
}

/// The ids of the steps a plugin module declares (`@plugin.step(id="...")`), in order:
/// with more than one, the SDK needs `-s ID`.
fn step_ids(module: &std::path::Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(module) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in text.split("@plugin.step(").skip(1) {
        let Some(i) = part.find("id=") else { continue };
        let rest = part[i + 3..].trim_start();
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(q) {
            out.push(rest[1..=end].to_string());
        }
    }
    out
}

/// `-s`'s value for the example run, when the plugin has several steps.
pub(super) fn step_flag(ctx: &Context) -> Option<String> {
    let l = layout(ctx)?;
    let steps = step_ids(&project_dir(ctx).join(&l.entry.value()?.module));
    (steps.len() > 1)
        .then(|| example_step(&l, &steps))
        .flatten()
}

/// The example's input and step, as `commands` runs them.
fn example_of(ctx: &Context) -> Option<(String, String)> {
    let l = layout(ctx)?;
    let input = l.example_inputs.first()?.clone();
    let module = l.entry.value()?.module.clone();
    let steps = step_ids(&project_dir(ctx).join(module));
    Some((input, example_step(&l, &steps)?))
}

impl Step for TestBuild {
    fn id(&self) -> &'static str {
        "test-build"
    }
    fn title(&self) -> &'static str {
        "Test it as the official build does"
    }
    fn why(&self) -> &'static str {
        "The official build (the Arcaflow Container Toolkit, ACT) checks the required files, runs flake8 \
         and checks the Dockerfile's lines; the image build then runs the tests with the Dockerfile's own \
         command and PYTHONPATH. The same here, plus `--schema` and a run on the example input, shows \
         that your setup works before you change anything. These run the plugin's own code: setup does \
         so because you asked for it (doctor never runs a project's code)."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let l = layout(ctx)?;
        let mut notes = Vec::new();
        if let Some(why) = l.tests.why() {
            notes.push(format!(
                "The Dockerfile's test command cannot be read ({why}): no tests are run."
            ));
        }
        if let Some(why) = l.entry.why() {
            notes.push(format!(
                "The entry module cannot be told ({why}): `--schema` is not run."
            ));
        }
        let steps = l
            .entry
            .value()
            .map(|e| step_ids(&project_dir(ctx).join(&e.module)))
            .unwrap_or_default();
        if steps.len() > 1 && !l.example_inputs.is_empty() {
            let step = example_step(&l, &steps).unwrap_or_default();
            let which = if l.example_step.as_ref() == Some(&step) {
                "the one docker-compose.yaml's command names"
            } else {
                "the first"
            };
            notes.push(format!(
                "The plugin has {} steps; the example input is run with {which}, `-s {}`.",
                steps.len(),
                crate::plan::shell_quote(&step)
            ));
        }
        (!notes.is_empty()).then(|| notes.join("\n"))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let mut plan = Plan::new();
        let mut branches = Vec::new();
        for (part, c) in commands(ctx) {
            if part == Part::Atp {
                // The check's script goes to the wizard's state folder first.
                plan = plan.own(atp::script_path(), atp::SCRIPT);
            }
            branches.push(vec![c]);
        }
        // Independent checks: started at once.
        if !branches.is_empty() {
            plan.push(crate::plan::Action::Parallel(branches));
        }
        Ok(plan)
    }
    fn explain(&self, ctx: &Context, cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        let part = commands(ctx)
            .into_iter()
            .find(|(_, c)| c.args == cmd.args)?
            .0;
        let dir = project_dir(ctx);
        let shown_dir = dir.display().to_string();
        // A stranger's example that ran and did not succeed here is a warning
        // (see example_verdict); a plugin that cannot start stays a failure.
        let verdict = match (part, example_of(ctx)) {
            (Part::Example, Some((input, step))) => {
                example_verdict::example_failed(res, &res.tail_text(), &input, &step, &shown_dir)
            }
            (Part::Atp, Some((_, step))) => {
                example_verdict::atp_step_failed(res, &res.tail_text(), &step)
            }
            _ => None,
        };
        if verdict.is_some() {
            return verdict;
        }
        let what = match part {
            Part::Tests => "The plugin's own tests failed (their output is above)",
            Part::Flake8 => "flake8 found problems in the plugin's code, as ACT will (above)",
            Part::Schema => "The plugin's `--schema` failed (its output is above)",
            Part::Example => "The plugin could not run its example input (its output is above)",
            Part::Atp => {
                "The plugin failed the ATP round trip, as the Arcaflow engine runs it (the check's output is above)"
            }
        };
        // Who would see the same: the image build runs the tests, ACT flake8,
        // docsgen `--schema`; the engine speaks ATP.
        let seen_by = match part {
            Part::Tests | Part::Flake8 => "as the official build would see it",
            Part::Schema => "as the official workflow's docsgen would see it",
            Part::Example | Part::Atp => "as the Arcaflow engine would see it",
        };
        Some(
            Failure::new(format!(
                "{what}. The setup itself is complete: the virtualenv in {} is ready, and this is the \
                 plugin's own result, {seen_by}.",
                dir.display()
            ))
            .hint(format!(
                "To run it again yourself: cd {} && {}",
                dir.display(),
                crate::plan::Cmd {
                    cwd: None,
                    ..cmd.clone()
                }
                .display()
            )),
        )
    }
    /// The SDK exits 0 whatever the step answered: the example's output id is
    /// judged as soon as it ran. It is named by its `-f INPUT` (the plan runs
    /// it with the venv's interpreter, not `poetry run`).
    fn judge(&self, ctx: &Context, cmd: &Cmd, output: &str) -> Result<(), Failure> {
        let input = layout(ctx).and_then(|l| l.example_inputs.first().cloned());
        let is_example =
            input.is_some_and(|i| cmd.args.windows(2).any(|w| w[0] == "-f" && w[1] == i));
        match output_id(output) {
            Some(EXPECTED) => Ok(()),
            _ if !is_example => Ok(()),
            other => {
                let step = example_of(ctx).map(|e| e.1).unwrap_or_default();
                Err(example_verdict::example_answered(
                    other.unwrap_or("nothing"),
                    output,
                    &step,
                    &project_dir(ctx).display().to_string(),
                ))
            }
        }
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let results = preflight::check_project(&project_dir(ctx));
        let (notes, failed) = preflight::notes(
            &results,
            "files, language, Dockerfile lines; flake8 ran above",
        );
        ctx.notes.extend(notes);
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(format!(
                "ACT's checks failed: {}. The setup itself is complete; these are the plugin's own \
                 findings, which ACT would refuse too.",
                failed.join(", ")
            ))
            .hint("Each failing check above says what to change."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let m = tmp.path().join("x_plugin.py");
        std::fs::write(
            &m,
            "@plugin.step(\n    id=\"one\",\n    name=\"One\")\ndef a(): pass\n@plugin.step(id='two', name='Two')\n",
        )
        .unwrap();
        assert_eq!(step_ids(&m), vec!["one", "two"]);
    }
}
