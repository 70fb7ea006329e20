use super::{names, project_dir};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;
use crate::templates;

/// Dockerfile, LICENSE, .flake8, README, .gitignore, the plugin code and its tests.
pub(super) struct Files;

fn rendered(ctx: &Context) -> Vec<templates::RenderedFile> {
    let vars = templates::Vars {
        description: ctx.answer("description").unwrap_or_default().to_string(),
        version: "0.1.0".into(),
    };
    templates::render_all(&names(ctx), &vars)
}

/// A file that is missing, or empty (as `poetry new` leaves README.md).
fn missing(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path)
        .map(|c| c.trim().is_empty())
        .unwrap_or(true)
}

impl Step for Files {
    fn id(&self) -> &'static str {
        "files"
    }
    fn title(&self) -> &'static str {
        "Plugin files"
    }
    fn why(&self) -> &'static str {
        "\"Building a container image\": the official build needs a Dockerfile, LICENSE and .flake8, tests, \
         a README.md, and a code folder that matches the project name. The wizard writes them for your \
         plugin: an example step with its schema, and tests that call it as the build will."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let dir = project_dir(ctx);
        let todo = rendered(ctx)
            .iter()
            .any(|f| !f.contents.is_empty() && missing(&dir.join(&f.path)));
        Ok(if todo {
            Check::Todo
        } else {
            Check::Done("every file is there".into())
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let dir = project_dir(ctx);
        let mut plan = Plan::new();
        for f in rendered(ctx) {
            let path = dir.join(&f.path);
            // A file the user already has stays theirs: only missing or empty ones are written.
            if ctx.opts.dry_run || missing(&path) {
                plan = plan.write(path, f.contents);
            }
        }
        Ok(plan)
    }
}
