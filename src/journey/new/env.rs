use super::{chosen_python, poetry_cmd, project_dir};
use crate::exec::capture;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};
use crate::version::Version;

/// `poetry env use` with the chosen interpreter.
pub struct Env;

/// The project's virtualenv and its Python version, as Poetry sees it now.
fn current_env(ctx: &Context) -> Option<(String, Version)> {
    let path = capture(
        &poetry_cmd(ctx, &["env", "info", "--path"]).timeout(std::time::Duration::from_secs(60)),
    )?;
    let path = path.lines().last()?.trim().to_string();
    let py = std::path::Path::new(&path).join("bin/python");
    let v = capture(&Cmd::new(py).arg("--version")).and_then(|o| Version::find_in(&o))?;
    Some((path, v))
}

impl Step for Env {
    fn id(&self) -> &'static str {
        "env"
    }
    fn title(&self) -> &'static str {
        "The project's virtualenv"
    }
    fn why(&self) -> &'static str {
        "\"Set Poetry to use your Python that is at least 3.9\": `poetry env use` makes the project's \
         virtualenv from the chosen interpreter, so Poetry does not pick another one."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        // A project made in this run gets its `poetry env use`, as in the guide, even
        // when Poetry would pick the same interpreter by itself.
        if ctx.learned.contains_key("project_created") {
            return Ok(Check::Todo);
        }
        let want = chosen_python(ctx).map(|p| p.version);
        Ok(match current_env(ctx) {
            Some((path, v)) if Some(v) == want => Check::Done(format!("Python {v} in {path}")),
            _ => Check::Todo,
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let py = chosen_python(ctx).ok_or_else(|| Failure::new("no Python was chosen"))?;
        Ok(Plan::new().run(poetry_cmd(ctx, &["env", "use", &py.path.to_string_lossy()])))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let want = chosen_python(ctx).map(|p| p.version);
        match current_env(ctx) {
            Some((_, v)) if Some(v) == want => Ok(()),
            Some((path, v)) => Err(Failure::new(format!(
                "the virtualenv {path} has Python {v}, not the chosen {}",
                want.map(|w| w.to_string()).unwrap_or_default()
            ))
            .hint(format!(
                "Remove it and retry: cd {} && poetry env remove --all",
                project_dir(ctx).display()
            ))),
            None => Err(Failure::new(
                "Poetry reports no working virtualenv for the project",
            )),
        }
    }
}
