//! The engine: the `arcaflow` wheel from PyPI (it ships the Go binary
//! `arcaflow/bin/arcaflow`), pip-installed once into its own venv in the
//! wizard's cache, pinned and checked against the hash below.

use std::path::PathBuf;
use std::time::Duration;

use super::{learned, PYTHON};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

pub(crate) const ENGINE_VERSION: &str = "0.21.0";
/// sha256 of arcaflow-0.21.0-py3-none-manylinux2014_x86_64.whl on PyPI.
pub(crate) const ENGINE_WHEEL_SHA256: &str =
    "56bb0d3eec4f8537e4fc3dd9b9019b4ff951e21231a4641d95ff981344687581";

pub(super) fn venv() -> PathBuf {
    super::cache_dir().join(format!("arcaflow-{ENGINE_VERSION}"))
}

/// The engine binary inside the venv (site-packages is under lib/pythonX.Y).
pub(super) fn binary() -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv().join("lib")).ok()?;
    lib.filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages/arcaflow/bin/arcaflow"))
        .find(|p| p.is_file())
}

/// The engine's install: a venv made with `python`, then the pinned wheel,
/// hash-checked, from `index_url` when given (a mirror), else pip's own.
/// Shared by `try` and `new`'s test build.
pub(super) fn install_plan(python: &str, index_url: Option<&str>) -> Plan {
    let venv = venv();
    let req = super::cache_dir().join(format!("arcaflow-{ENGINE_VERSION}.txt"));
    let t = Duration::from_secs(600);
    let mut pip = Cmd::new(venv.join("bin/python")).args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--require-hashes",
        "--only-binary",
        ":all:",
        "--no-deps",
    ]);
    if let Some(url) = index_url {
        pip = pip.args(["--index-url", url]);
    }
    Plan::new()
        .own(
            &req,
            format!("arcaflow=={ENGINE_VERSION} --hash=sha256:{ENGINE_WHEEL_SHA256}\n"),
        )
        .run(
            Cmd::new(python)
                .args(["-m", "venv", "--clear"])
                .arg(venv.to_string_lossy())
                .timeout(t),
        )
        .run(pip.arg("-r").arg(req.to_string_lossy()).timeout(t))
}

pub(super) struct Engine;

impl Step for Engine {
    fn id(&self) -> &'static str {
        "engine"
    }
    fn title(&self) -> &'static str {
        "Get the Arcaflow engine"
    }
    fn why(&self) -> &'static str {
        "The engine is what runs a plugin in a workflow. PyPI's `arcaflow` package ships its binary; \
         it is installed once into the wizard's cache, at a pinned version whose hash is checked."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(match binary() {
            Some(b) => Check::Done(format!("engine {ENGINE_VERSION} at {}", b.display())),
            None => Check::Todo,
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        Ok(install_plan(learned(ctx, PYTHON)?, None))
    }
    fn verify(&self, _ctx: &mut Context) -> Result<(), Failure> {
        match binary() {
            Some(_) => Ok(()),
            None => Err(Failure::new(format!(
                "the arcaflow {ENGINE_VERSION} wheel installed no arcaflow/bin/arcaflow in {}",
                venv().display()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The test wheelhouse holds the same wheel the wizard pins.
    #[test]
    fn scripts_test_pins_the_same_engine_wheel() {
        let script = include_str!("../../../scripts/test");
        assert!(script.contains(&format!("ENGINE_VERSION={}\n", super::ENGINE_VERSION)));
        assert!(script.contains(&format!("ENGINE_SHA256={}\n", super::ENGINE_WHEEL_SHA256)));
    }
}
