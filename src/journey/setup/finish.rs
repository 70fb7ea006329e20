use std::time::Duration;

use super::read::{schema_module, test_line};
use super::{layout, project_dir};
use crate::journey::doctor::{self, Group, Input, Severity};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;

/// Where to start, and what doctor says about the project now.
pub(super) struct Finish;

impl Step for Finish {
    fn id(&self) -> &'static str {
        "finish"
    }
    fn title(&self) -> &'static str {
        "Where to start"
    }
    fn why(&self) -> &'static str {
        "The files to read first, the commands to run a step and build the image, and anything \
         `arcaflow-wizard doctor` finds in the project's files."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        Some(guide(ctx))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
}

fn guide(ctx: &Context) -> String {
    let dir = project_dir(ctx);
    let cd = format!(
        "cd {}",
        crate::plan::shell_quote(&dir.display().to_string())
    );
    let Some(l) = layout(ctx) else {
        return format!("{} has no readable pyproject.toml any more.", dir.display());
    };
    let mut out = vec!["Where to start:".to_string()];
    if let Some(e) = l.entry.value() {
        out.push(format!("  entry module: {} (its steps)", e.module));
    }
    if let Some(s) = schema_module(ctx, &l) {
        out.push(format!("  schema:       {s}"));
    }
    if let Some(t) = l.tests.value() {
        out.push(format!("  tests:        {}", t.file));
        out.push(format!("  run them as the build does: {cd} && {}", {
            let line = test_line(t);
            match line.find("python ") {
                Some(i) => format!("{}poetry run {}", &line[..i], &line[i..]),
                None => line,
            }
        }));
    }
    if let (Some(e), Some(input)) = (l.entry.value(), l.example_inputs.first()) {
        // Names from a stranger's repository, pasted into a command to copy: quoted.
        let q = crate::plan::shell_quote;
        let step = super::test_build::step_flag(ctx)
            .map(|s| format!(" -s {}", q(&s)))
            .unwrap_or_default();
        out.push(format!(
            "Run the plugin on its example input:\n  {cd} && poetry run python {} -f {}{step}",
            q(&e.module),
            q(input)
        ));
    }
    out.push(format!(
        "Run it in the real Arcaflow engine, as a workflow would:\n  arcaflow-wizard try {}",
        crate::plan::shell_quote(&dir.display().to_string())
    ));
    let image = l
        .dist_name
        .as_deref()
        .map(crate::pyproject::normalize_name)
        .unwrap_or_else(|| "plugin".into());
    let engine = ctx
        .facts
        .engines
        .iter()
        .find(|e| e.usable)
        .map(|e| e.name.clone())
        .unwrap_or_else(|| "docker".into());
    out.push(format!(
        "Build the image (ACT builds it the same way; the build runs the tests):\n  {cd} && {engine} build -t {image}:latest ."
    ));
    // The project's files only: these groups read files and run nothing of the project's.
    let input = Input {
        dir: dir.clone(),
        env: ctx.probe_env.clone(),
    };
    let findings = doctor::run_groups(
        &[Group::Project, Group::Lock],
        &input,
        Duration::from_secs(20),
    );
    // The GitHub workflow checks of ACT's group read files only (the rest of
    // that group runs flake8, which the test step already did).
    let findings: Vec<_> = findings
        .into_iter()
        .chain(crate::journey::doctor::checks::workflow::check(&dir))
        .collect();
    let bad: Vec<String> = findings
        .iter()
        .filter(|f| f.severity != Severity::Ok)
        .map(|f| format!("  {} {}: {}", f.severity.mark(), f.id, f.title))
        .collect();
    if bad.is_empty() {
        out.push("doctor finds nothing wrong in the project's files.".into());
    } else {
        out.push(format!(
            "doctor found (details and fixes: arcaflow-wizard doctor {}):\n{}",
            crate::plan::shell_quote(&dir.display().to_string()),
            bad.join("\n")
        ));
    }
    out.join("\n")
}
