use super::{names, poetry_is_v2, project_dir};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;

/// `poetry new`, with `--flat` on Poetry 2.
pub(super) struct Project;

/// The pyproject in `dir` belongs to this plugin.
pub(crate) fn is_our_project(ctx: &Context) -> bool {
    let text = std::fs::read_to_string(project_dir(ctx).join("pyproject.toml")).unwrap_or_default();
    crate::pyproject::parse(&text)
        .map(|doc| {
            crate::pyproject::inspect(&doc).name.as_deref() == Some(names(ctx).dist().as_str())
        })
        .unwrap_or(false)
}

impl Step for Project {
    fn id(&self) -> &'static str {
        "project"
    }
    fn title(&self) -> &'static str {
        "Create the project"
    }
    fn why(&self) -> &'static str {
        "\"Setting up your project\": `poetry new` makes the project folder, the code folder named after \
         the package, tests/ and pyproject.toml. On Poetry 2 it needs --flat: its default src/ layout puts \
         the code where the official Dockerfile does not look."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(if is_our_project(ctx) {
            Check::Done(format!("{} has the project", project_dir(ctx).display()))
        } else {
            Check::Todo
        })
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        poetry_is_v2(ctx).then(|| "Poetry 2: `poetry new --flat`, so the code folder stays at the top as the official Dockerfile expects.".into())
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let dir = project_dir(ctx);
        // Run where the wizard runs, so the script's `poetry new` names the folder as the user did.
        let folder = crate::plan::relative_to(&dir, &ctx.dir)
            .to_string_lossy()
            .into_owned();
        let mut args = vec!["new"];
        if poetry_is_v2(ctx) {
            args.push("--flat");
        }
        let dist = names(ctx).dist();
        args.extend([folder.as_str(), "--name", dist.as_str()]);
        let mut cmd = super::poetry_cmd(ctx, &args);
        cmd.cwd = Some(ctx.dir.clone());
        Ok(Plan::new().run(cmd))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let pkg = project_dir(ctx).join(names(ctx).package());
        if !pkg.is_dir() {
            return Err(Failure::new(format!(
                "`poetry new` did not make the code folder {}",
                pkg.display()
            )));
        }
        ctx.learned.insert("project_created".into(), "yes".into());
        Ok(())
    }
}
