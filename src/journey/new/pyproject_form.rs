use super::{names, project_dir, target, DEV_TOOLS};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Action, Overwrite, Plan};
use crate::pyproject;

/// pyproject.toml in the legacy `[tool.poetry]` form the official build reads.
pub(super) struct PyprojectForm;

/// What is missing for the official build, or None when the file is right.
fn problems(ctx: &Context) -> Result<Vec<String>, Failure> {
    let path = project_dir(ctx).join("pyproject.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?;
    let doc =
        pyproject::parse(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    let info = pyproject::inspect(&doc);
    let mut p = Vec::new();
    if info.form != pyproject::Form::Legacy {
        p.push("the project's data is not all in the legacy [tool.poetry] tables".to_string());
    }
    if !info.python().is_some_and(|p| p.upper_ok && p.lower_ok) {
        p.push(
            "the Python range is not 3.9 or newer with an upper bound the SDK accepts (<4.0)"
                .into(),
        );
    }
    // The range must say what the target means, in any spelling: 3.9 admitted,
    // or nothing below 3.12.
    let t = target(ctx);
    let fits = |r: &pyproject::PythonReq| match t {
        super::Target::Py39 => r.admits_3_9,
        super::Target::Py312 => !r.admits_below_3_12,
    };
    if info.python().is_some_and(|r| !fits(r)) {
        p.push(format!(
            "the Python range is not {}, the target chosen",
            t.python_range()
        ));
    }
    if !info.has_dev_group {
        p.push("there is no [tool.poetry.group.dev.dependencies] group (the Dockerfile runs --without dev)".into());
    }
    if info.has_dependency_groups {
        p.push("a [dependency-groups] table exists, which Poetry 1.8.3 does not read".into());
    }
    Ok(p)
}

pub(crate) fn spec(ctx: &Context) -> pyproject::LegacySpec {
    let n = names(ctx);
    pyproject::LegacySpec {
        name: n.dist(),
        version: "0.1.0".into(),
        description: ctx.answer("description").unwrap_or_default().to_string(),
        authors: vec![ctx
            .answer("author")
            .unwrap_or("Arcalot contributors")
            .to_string()],
        package: n.package(),
        python: target(ctx).python_range().into(),
        index_url: ctx.opts.index_url.clone(),
        dev_dependencies: DEV_TOOLS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

impl Step for PyprojectForm {
    fn id(&self) -> &'static str {
        "pyproject"
    }
    fn title(&self) -> &'static str {
        "pyproject.toml for the official build"
    }
    fn why(&self) -> &'static str {
        "The guide's check (\"Setting up your project\"): python = \"^3.9\" in [tool.poetry.dependencies]. \
         The official build image runs Poetry 1.8.3, which reads only the legacy [tool.poetry] tables, so \
         all of the project's data goes there, with a dev group (flake8, coverage) for the Dockerfile's \
         `--without dev`. The range needs its upper bound: the SDK declares <4.0."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(if problems(ctx)?.is_empty() {
            Check::Done("legacy [tool.poetry] form with python and a dev group".into())
        } else {
            Check::Todo
        })
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let range = target(ctx).python_range();
        Some(if super::poetry_is_v2(ctx) {
            format!(
                "Poetry 2 wrote a PEP 621 [project] table; the official build's Poetry 1.8.3 reads only \
                 [tool.poetry], so the wizard writes that form (python = \"{range}\", a dev group) before adding anything."
            )
        } else {
            format!(
                "Setting python = \"{range}\" (the guide's check says ^3.9) and a dev group for flake8 and coverage."
            )
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let just_made = ctx.opts.dry_run || ctx.learned.contains_key("project_created");
        let mut plan = Plan::new();
        plan.push(Action::WriteFile {
            path: project_dir(ctx).join("pyproject.toml"),
            contents: pyproject::legacy_pyproject(&spec(ctx)),
            // Right after `poetry new` the file is Poetry's, not the user's.
            overwrite: if just_made {
                Overwrite::Replace
            } else {
                Overwrite::AskIfDifferent
            },
            executable: false,
        });
        Ok(plan)
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let p = problems(ctx)?;
        if p.is_empty() {
            return Ok(());
        }
        Err(Failure::new(format!(
            "pyproject.toml is not ready for the official build: {}.",
            p.join("; ")
        ))
        .hint("`arcaflow-wizard doctor --fix` converts it while keeping your changes."))
    }
}
