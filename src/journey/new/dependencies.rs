use super::{poetry_cmd, project_dir, target, Target};
use crate::journey::{Check, Context, Failure, Step};
use crate::official::SDK_NAME as SDK;
use crate::plan::Plan;
use crate::pyproject;

/// `poetry add arcaflow-plugin-sdk@^0.14.3`: the SDK under its real name, and the lock file.
pub(super) struct Dependencies;

fn has_sdk(ctx: &Context) -> bool {
    let dir = project_dir(ctx);
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap_or_default();
    dir.join("poetry.lock").is_file()
        && pyproject::parse(&text)
            .is_ok_and(|d| pyproject::inspect(&d).sdk.is_some_and(|s| !s.wrong_name))
}

impl Step for Dependencies {
    fn id(&self) -> &'static str {
        "sdk"
    }
    fn title(&self) -> &'static str {
        "Add the Arcaflow plugin SDK"
    }
    fn why(&self) -> &'static str {
        "\"Add the arcaflow plugin sdk for python\". The guide's `poetry add arcaflow-plugin-sdk-python` \
         fails today: the package is arcaflow-plugin-sdk. It is pinned to ^0.14.3 because 0.14.4 and later \
         need Python 3.12, and the official images run 3.9 (a plugin for Python 3.12 only takes ^0.14.4). \
         Poetry writes poetry.lock with the exact versions."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(if has_sdk(ctx) {
            Check::Done(format!("{SDK} is in pyproject.toml and poetry.lock"))
        } else {
            Check::Todo
        })
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let t = target(ctx);
        let why = match t {
            Target::Py39 => "the last line for Python 3.9",
            Target::Py312 => "the line for Python 3.12, as arcaflow-plugin-opensearch",
        };
        Some(format!(
            "The guide's package name arcaflow-plugin-sdk-python does not exist; adding {SDK}@{} ({why}).",
            t.sdk_constraint()
        ))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let spec = format!("{SDK}@{}", target(ctx).sdk_constraint());
        Ok(Plan::new().run(poetry_cmd(ctx, &["add", &spec])))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        if has_sdk(ctx) {
            Ok(())
        } else {
            Err(Failure::new(
                "poetry add finished but the SDK is not in pyproject.toml and poetry.lock",
            ))
        }
    }
}
