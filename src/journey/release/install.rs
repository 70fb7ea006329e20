//! Installs in throwaway virtualenvs: the built wheel (does it import?), and after
//! the upload the package back from the index (does it install, and run?).

use std::path::PathBuf;
use std::time::Duration;

use super::build::{build_dir, dist_files, expected_wheel};
use super::{
    base_python, code_folder, dist_name, names, primary_source, project_dir, release_version,
    remove_dir, scratch_dir,
};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

fn venv_python(venv: &std::path::Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// `rm -rf VENV && PYTHON -I -m venv VENV`. Every Python here runs isolated
/// (`-I`): neither its folder nor PYTHONPATH comes first on its path, so a
/// planted `venv/`, `pip/` or plugin package is never what it imports.
fn fresh_venv(ctx: &Context, venv: &std::path::Path) -> Plan {
    Plan::new().run(remove_dir(venv)).run(
        Cmd::new(base_python(ctx))
            .args(["-I", "-m", "venv"])
            .arg(venv.to_string_lossy().into_owned())
            .timeout(Duration::from_secs(300)),
    )
}

fn pip(scratch: &std::path::Path, venv: &std::path::Path) -> Cmd {
    Cmd::new(venv_python(venv))
        .args(["-I", "-m", "pip", "install", "--disable-pip-version-check"])
        .cwd(scratch)
        .env("PIP_NO_INPUT", "1")
        .timeout(Duration::from_secs(600))
}

/// The module to import, as the wheel lays it out: `pkg.x_plugin` for a
/// package folder, `x_plugin` for a module include (`include = "x_plugin.py",
/// from = "./pkg"` puts the module at the wheel's top, not under `pkg`).
fn entry_module(ctx: &Context) -> Result<String, Failure> {
    let entry = names(ctx)?.entry_module();
    let dir = project_dir(ctx);
    let info = super::project_info(ctx)?;
    if let Some(m) = crate::probe::layout::Layout::read(&dir)
        .and_then(|l| wheel_entry_module(&dir, &l, &info, &entry))
    {
        return Ok(m);
    }
    Ok(format!("{}.{entry}", code_folder(ctx)?))
}

/// The importable name of `entry` among what the wheel holds (see
/// [`entry_module`]); None when no packaged module or folder has it.
pub(crate) fn wheel_entry_module(
    dir: &std::path::Path,
    layout: &crate::probe::layout::Layout,
    info: &crate::pyproject::ProjectInfo,
    entry: &str,
) -> Option<String> {
    // Where each packaged path sits in the wheel: `from` is dropped, `include` kept.
    let in_wheel: Vec<String> = if info.packages.is_empty() {
        layout.packaged.clone()
    } else {
        info.packages
            .iter()
            .map(|p| p.include.trim().trim_end_matches('/').to_string())
            .collect()
    };
    for (project_path, wheel_path) in layout.packaged.iter().zip(&in_wheel) {
        let dotted = |p: &str| p.trim_start_matches("./").replace('/', ".");
        if let Some(module) = wheel_path.strip_suffix(".py") {
            if module.rsplit('/').next() == Some(entry) {
                return Some(dotted(module));
            }
        } else if dir.join(project_path).join(format!("{entry}.py")).is_file() {
            return Some(format!("{}.{entry}", dotted(wheel_path)));
        }
    }
    None
}

pub(super) struct WheelInstall;

impl Step for WheelInstall {
    fn id(&self) -> &'static str {
        "wheel-install"
    }
    fn title(&self) -> &'static str {
        "Install the wheel in a throwaway virtualenv"
    }
    fn why(&self) -> &'static str {
        "What users get from PyPI is the wheel, not your folder. Installing it into an empty virtualenv \
         (away from the project folder, so nothing is imported from there) and importing the plugin shows \
         that it holds everything and that its dependencies resolve."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let dist = dist_name(ctx)?;
        let version = release_version(ctx)?;
        let out = build_dir(ctx)?;
        let wheel = dist_files(&out, &dist, &version)
            .0
            .unwrap_or_else(|| out.join(expected_wheel(&dist, &version)));
        let scratch = scratch_dir(ctx)?;
        let venv = scratch.join("wheel-venv");
        let mut install = pip(&scratch, &venv);
        if let Some(src) = primary_source(ctx) {
            install = install.args(["--index-url", &src]);
        }
        install = install.arg(wheel.to_string_lossy().into_owned());
        let module = entry_module(ctx)?;
        Ok(fresh_venv(ctx, &venv)
            .run(install)
            .run(
                Cmd::new(venv_python(&venv))
                    .args([
                        "-I",
                        "-c",
                        &format!("import {module}; print('imported {module}')"),
                    ])
                    .cwd(&scratch)
                    .timeout(Duration::from_secs(120)),
            )
            .run(remove_dir(&venv)))
    }
}

pub(super) struct InstallBack;

impl Step for InstallBack {
    fn id(&self) -> &'static str {
        "install-back"
    }
    fn title(&self) -> &'static str {
        "Install it back from the index and run it"
    }
    fn why(&self) -> &'static str {
        "An upload that succeeded is not yet a package that works: installing it from the index into a \
         fresh virtualenv, with its dependencies from your usual index, and asking the plugin for its \
         schema (`--schema`) is what a user of the release will do first."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let target = super::publish::target(ctx)?;
        let dist = dist_name(ctx)?;
        let version = release_version(ctx)?;
        let scratch = scratch_dir(ctx)?;
        let venv = scratch.join("index-venv");
        let mut install =
            pip(&scratch, &venv).args(["--no-cache-dir", "--index-url", &target.simple]);
        let extra = primary_source(ctx)
            .or_else(|| (!target.is_pypi()).then(|| super::index::PYPI_SIMPLE.to_string()));
        if let Some(extra) = extra.filter(|e| *e != target.simple) {
            install = install.args(["--extra-index-url", &extra]);
        }
        install = install.arg(format!("{dist}=={version}"));
        let module = entry_module(ctx)?;
        Ok(fresh_venv(ctx, &venv)
            .run(install)
            .run(
                Cmd::new(venv_python(&venv))
                    .args(["-I", "-m", &module, "--schema"])
                    .cwd(&scratch)
                    .timeout(Duration::from_secs(120)),
            )
            .run(remove_dir(&venv)))
    }
    fn explain(&self, ctx: &Context, cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        let text = res.tail_text();
        if cmd.args.iter().any(|a| a == "install")
            && (text.contains("No matching distribution found")
                || text.contains("Could not find a version that satisfies"))
        {
            let target = super::publish::target(ctx).ok()?;
            return Some(
                Failure::new(format!(
                    "pip could not install the release back from {}: {}",
                    target.name,
                    text.lines()
                        .rev()
                        .find(|l| l.contains("ERROR"))
                        .unwrap_or("no matching distribution")
                        .trim()
                ))
                .hint(
                    "TestPyPI can take a minute before a new upload is listed: retry. If a dependency is \
                     missing, it is not on the test index: the wizard takes dependencies from the project's \
                     primary source ([[tool.poetry.source]]) or PyPI.",
                ),
            );
        }
        None
    }
}
