//! `new`: every step of "Creating official Arcaflow plugins", right for today's
//! Poetry 1.8.x and 2.x (see ARCAFLOW-FACTS.md for where the guide is wrong).

mod about;
mod dependencies;
pub(crate) mod env;
pub(crate) mod example;
mod files;
mod git;
pub(crate) mod poetry;
mod project;
mod pyproject_form;
pub(crate) mod python;
mod sync;
mod target;
pub(crate) mod test_build;

use std::path::PathBuf;
use std::time::Duration;

use super::{Context, Failure, Step};
use crate::names::PluginNames;
use crate::plan::Cmd;
use crate::probe::{PoetryInstall, Python};

pub(crate) use target::target;
pub(crate) use target::Target;

/// Dev tools, pinned so they resolve on every Python the project allows (3.9 up):
/// an unpinned `poetry add` picks releases that need a newer Python.
pub(crate) const DEV_TOOLS: &[(&str, &str)] = &[("flake8", "~7.3"), ("coverage", "~7.10")];

pub(crate) fn steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(about::About),
        Box::new(python::PythonStep::ANY),
        Box::new(poetry::PoetryStep),
        Box::new(project::Project),
        Box::new(pyproject_form::PyprojectForm),
        Box::new(env::Env),
        Box::new(dependencies::Dependencies),
        Box::new(files::Files),
        Box::new(git::Git),
        Box::new(test_build::TestBuild),
    ]
}

/// The plugin's names; the About step guarantees a valid name before any other step.
pub(crate) fn names(ctx: &Context) -> PluginNames {
    PluginNames::parse(ctx.answer("name").unwrap_or_default()).unwrap_or(PluginNames {
        short: "plugin".into(),
    })
}

/// The project folder: DIR if given, else ./arcaflow-plugin-NAME (for `setup`,
/// the folder of the project it works on).
pub(crate) fn project_dir(ctx: &Context) -> PathBuf {
    if let Some(of) = ctx.project_dir_of {
        return of(ctx);
    }
    match ctx.answer("dir") {
        Some(d) => ctx.dir.join(d),
        None => ctx.dir.join(names(ctx).dist()),
    }
}

/// The project's distribution name, as Poetry names its virtualenv: the name
/// `new` gives it, or the one an existing project's pyproject.toml holds.
pub(crate) fn dist_name(ctx: &Context) -> String {
    if ctx.project_dir_of.is_some() {
        return crate::probe::layout::Layout::read(&project_dir(ctx))
            .and_then(|l| l.dist_name)
            .unwrap_or_default();
    }
    names(ctx).dist()
}

pub(crate) fn chosen_python(ctx: &Context) -> Option<&Python> {
    ctx.answer("python")
        .and_then(|p| ctx.facts.python_at(std::path::Path::new(p)))
}

/// The Poetry to use: `--poetry`, else the only working install.
pub(crate) fn chosen_poetry(ctx: &Context) -> Result<&PoetryInstall, Failure> {
    if let Some(p) = ctx.answer("poetry") {
        return ctx
            .facts
            .poetries
            .iter()
            .find(|i| i.path == std::path::Path::new(p))
            .ok_or_else(|| Failure::usage(format!("--poetry {p}: no working Poetry there")));
    }
    let working: Vec<_> = ctx
        .facts
        .poetries
        .iter()
        .filter(|p| p.python_exists)
        .collect();
    match working.as_slice() {
        [one] => Ok(one),
        [] => Err(Failure::new("Poetry is not installed.")),
        _ => Err(Failure::new("More than one Poetry is installed.")),
    }
}

/// A Poetry command in the project folder. The program is a bare `poetry` when
/// that is what the user's shell finds, so the script reads like the guide.
pub(crate) fn poetry_cmd(ctx: &Context, args: &[&str]) -> Cmd {
    let program = match chosen_poetry(ctx) {
        Ok(p) if p.first_on_path => PathBuf::from("poetry"),
        Ok(p) => p.path.clone(),
        Err(_) => PathBuf::from("poetry"),
    };
    Cmd::new(program)
        .args(args.iter().copied())
        .cwd(project_dir(ctx))
        .timeout(Duration::from_secs(900))
}

/// What to do once the plugin is made, for the Finished screen and the last
/// lines of the plain run: the repository secrets the CI workflow needs.
pub(crate) fn done_note(_ctx: &Context) -> String {
    crate::templates::workflow::secrets_note()
}

pub(crate) fn poetry_is_v2(ctx: &Context) -> bool {
    chosen_poetry(ctx).map(|p| p.is_v2()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    /// The test index's wheelhouse is filled from scripts/dev-pins.txt: it must
    /// hold what new plugins pin, or the tests resolve against something else.
    #[test]
    fn dev_tools_match_the_pins_the_test_index_is_filled_with() {
        let pins: Vec<(String, String)> = include_str!("../../../scripts/dev-pins.txt")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .filter_map(|l| {
                let (k, v) = l.split_once('=')?;
                Some((k.trim().to_string(), v.trim().trim_matches('"').to_string()))
            })
            .collect();
        let ours: Vec<(String, String)> = super::DEV_TOOLS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pins, ours);
    }
}
