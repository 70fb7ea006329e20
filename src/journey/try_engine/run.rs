//! The run: a one-step workflow and the engine's config in the commit's
//! folder (shown before they are used), then the engine, started by
//! assets/checks/try_launch.py, which serves the bare clone on
//! http://127.0.0.1/ and folds the engine's log.

use std::path::Path;
use std::time::Duration;

use super::{commit_dir, find_example, learned, serve::repo_name, DIST, PYTHON, SHA};
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};
use crate::probe::layout::Layout;

pub(super) const LAUNCHER: &str = include_str!("../../../assets/checks/try_launch.py");
/// The step's name in the workflow.
const STEP_NAME: &str = "example";

/// The workflow: one step, the plugin from the served commit through the
/// Python deployer, the step's input inline; its outputs are the step's.
pub(super) fn workflow(dist: &str, sha: &str, step: &str, input_yaml: &str) -> String {
    let input: String = input_yaml
        .lines()
        .filter(|l| !l.trim().is_empty() && l.trim() != "---")
        .map(|l| format!("      {l}\n"))
        .collect();
    let input = if input.is_empty() {
        "      {}\n".to_string()
    } else {
        input
    };
    format!(
        "# Made by `arcaflow-wizard try`: the plugin's example step, as Arcaflow runs it.\n\
         version: v0.2.0\n\
         input:\n  root: RootObject\n  objects:\n    RootObject:\n      id: RootObject\n      properties: {{}}\n\
         steps:\n  {STEP_NAME}:\n    plugin:\n      src: \"{dist}@git+http://127.0.0.1/{repo}@{sha}\"\n      deployment_type: python\n\
         \x20   step: {step}\n    input:\n{input}\
         outputs:\n  success:\n    result: !expr $.steps.{STEP_NAME}.outputs.success\n  error:\n    error: !expr $.steps.{STEP_NAME}.outputs.error\n",
        repo = repo_name(dist),
    )
}

/// The workflow for the image deployer: the commit's image, never pulled.
pub(super) fn image_workflow(image: &str, step: &str, input_yaml: &str) -> String {
    let python = workflow("x", "0", step, input_yaml);
    let plugin_start = python
        .find("    plugin:\n")
        .expect("the workflow has a plugin");
    let plugin_end = python.find("    step: ").expect("the workflow has a step");
    format!(
        "{}    plugin:\n      src: \"{image}\"\n      deployment_type: image\n{}",
        &python[..plugin_start],
        &python[plugin_end..]
    )
}

/// The engine's config for the image deployer: `engine` is docker (its
/// socket) or podman (its program at `path`); the image is local.
pub(super) fn image_config(engine: &str, path: &str) -> String {
    let podman = if engine == "podman" {
        format!("    podman:\n      path: {path}\n")
    } else {
        String::new()
    };
    format!(
        "# Made by `arcaflow-wizard try`.\n\
         log:\n  level: info\n\
         deployers:\n  image:\n    deployer_name: {engine}\n{podman}    deployment:\n      imagePullPolicy: Never\n"
    )
}

/// The engine's config: the Python deployer with its venvs kept by commit.
pub(super) fn config(python: &str, workdir: &Path) -> String {
    format!(
        "# Made by `arcaflow-wizard try`.\n\
         log:\n  level: info\n\
         deployers:\n  python:\n    deployer_name: python\n    pythonPath: {python}\n    workdir: {}\n    modulePullPolicy: IfNotPresent\n",
        workdir.display()
    )
}

/// The workflow and the config for this project and commit.
fn files(ctx: &Context) -> Result<(String, String), Failure> {
    let layout =
        Layout::read(&ctx.dir).ok_or_else(|| Failure::usage("cannot read pyproject.toml"))?;
    let ex = find_example(&ctx.dir, &layout)?;
    let dir = commit_dir(ctx)?;
    let (dist, sha) = (learned(ctx, DIST)?, learned(ctx, SHA)?);
    if let Some((engine, path)) = super::image_engine(ctx) {
        let image = super::image::tag(dist, sha);
        return Ok((
            image_workflow(&image, &ex.step, &ex.input),
            image_config(engine, path),
        ));
    }
    Ok((
        workflow(dist, sha, &ex.step, &ex.input),
        config(learned(ctx, PYTHON)?, &dir.join("work")),
    ))
}

pub(super) struct Run;

impl Step for Run {
    fn id(&self) -> &'static str {
        "run"
    }
    fn title(&self) -> &'static str {
        "Run the example step in the Arcaflow engine"
    }
    fn why(&self) -> &'static str {
        "The engine starts the plugin with --atp and runs its step, as a workflow would: with the image \
         deployer on the commit's image when docker or podman works, else with the Python deployer, which \
         installs the committed plugin from a git server on 127.0.0.1, in a private network namespace when \
         possible."
    }
    /// Saving is asked (default no): replacing a saved copy the user edited
    /// shows the diff and asks again.
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        vec![Question::yes_no(
            super::SAVE,
            "Also save the workflow and config in the project as workflows/try/?",
            false,
        )
        .flag("--save")]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    /// The workflow and config, shown before the engine reads them.
    fn note(&self, ctx: &Context) -> Option<String> {
        let (workflow, config) = files(ctx).ok()?;
        let dir = commit_dir(ctx).ok()?;
        let deployer = match super::image_engine(ctx) {
            Some((engine, _)) => format!("The image deployer ({engine}) runs the commit's image."),
            None => {
                "The Python deployer runs the committed plugin (no docker or podman works here)."
                    .to_string()
            }
        };
        Some(format!(
            "{deployer}\n{}:\n{workflow}\n{}:\n{config}",
            dir.join("workflow.yaml").display(),
            dir.join("config.yaml").display()
        ))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let dir = commit_dir(ctx)?;
        let sha = learned(ctx, SHA)?;
        let dist = learned(ctx, DIST)?;
        let python = learned(ctx, PYTHON)?;
        let engine = super::engine::binary().unwrap_or_else(|| {
            super::engine::venv().join("lib/python3/site-packages/arcaflow/bin/arcaflow")
        });
        let (workflow_text, config_text) = files(ctx)?;
        let workflow_path = dir.join("workflow.yaml");
        let config_path = dir.join("config.yaml");
        let launcher = crate::session::state_dir()
            .join("checks")
            .join("try_launch.py");
        let s = |p: &Path| p.to_string_lossy().into_owned();
        let mut plan = Plan::new();
        if ctx.yes(super::SAVE) {
            // The project's copy: written like any file of the user's (asked
            // before one that differs is replaced).
            let saved = ctx.dir.join("workflows").join("try");
            plan = plan
                .write(saved.join("workflow.yaml"), workflow_text.clone())
                .write(saved.join("config.yaml"), config_text.clone());
        }
        Ok(plan
            .own(&workflow_path, workflow_text)
            .own(&config_path, config_text)
            .own(&launcher, LAUNCHER)
            .run({
                let launch = Cmd::new(python).arg("-I").arg(s(&launcher));
                // The image deployer needs no git server and no wheels.
                let launch = match super::image_engine(ctx) {
                    Some(_) => launch,
                    None => launch
                        .args(["--serve".to_string(), s(&dir.join("srv"))])
                        .args(["--wheels".to_string(), s(&dir.join("wheels"))]),
                };
                launch
                    .args(["--log".to_string(), s(&dir.join("engine.log"))])
                    .args(["--dist", dist, "--sha", sha])
                    .arg("--")
                    .arg(s(&engine))
                    .args(["-config".to_string(), s(&config_path)])
                    .args(["-workflow".to_string(), "workflow.yaml".to_string()])
                    .args(["-context".to_string(), s(&dir)])
                    .cwd(&dir)
                    .timeout(Duration::from_secs(900))
                    // The screen gets it folded; the session log whole.
                    .log_file(dir.join("engine.log"))
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_names_the_commit_and_inlines_the_input() {
        let w = workflow(
            "arcaflow-plugin-x",
            "abc123",
            "hello-world",
            "# c\nname: Arca\n",
        );
        assert!(w.contains("      src: \"arcaflow-plugin-x@git+http://127.0.0.1/arcaflow-plugin-x.git@abc123\"\n"), "{w}");
        assert!(
            w.contains(
                "    step: hello-world\n    input:\n      # c\n      name: Arca\noutputs:\n"
            ),
            "{w}"
        );
        let i = image_workflow(
            "arcaflow-plugin-x:try-abc123",
            "hello-world",
            "name: Arca\n",
        );
        assert!(
            i.contains("    plugin:\n      src: \"arcaflow-plugin-x:try-abc123\"\n      deployment_type: image\n    step: hello-world\n"),
            "{i}"
        );
        assert!(!i.contains("git+"), "{i}");
        let p = image_config("podman", "/usr/bin/podman");
        assert!(p.contains("  image:\n    deployer_name: podman\n    podman:\n      path: /usr/bin/podman\n    deployment:\n      imagePullPolicy: Never\n"), "{p}");
        let c = config("/usr/bin/python3.9", Path::new("/c/work"));
        assert!(c.contains("    modulePullPolicy: IfNotPresent\n"), "{c}");
        assert!(c.contains("    workdir: /c/work\n"), "{c}");
    }
}
