//! The ATP round trip: the plugin run as the Arcaflow engine runs it, with
//! `--atp`, over its stdin and stdout, by the SDK's own client
//! (`arcaflow_plugin_sdk.atp.PluginClient`) in the project's interpreter.
//! A plugin that passes its tests, flake8 and `--schema` can still fail here:
//! a print() at import time corrupts the CBOR stream the engine reads.
//!
//! The check itself is `assets/checks/atp_check.py`: it must import the SDK
//! the project uses, so it runs in the project's venv, written to the
//! wizard's state folder (never into the project).

use std::path::{Path, PathBuf};

use crate::plan::{Cmd, Plan};

/// The check script, run with the project's Python.
pub const SCRIPT: &str = include_str!("../../assets/checks/atp_check.py");

/// The example every plugin made by `new` has: its step and a valid input.
pub const SCAFFOLD_STEP: &str = "hello-world";
pub const SCAFFOLD_INPUT_JSON: &str = r#"{"name": "Arca"}"#;
/// The project's example input, when it has one (it wins over the JSON).
pub const EXAMPLE_INPUT_FILE: &str = "inputs/example.yaml";

/// Where the script is written before it runs.
pub fn script_path() -> PathBuf {
    crate::session::state_dir()
        .join("checks")
        .join("atp_check.py")
}

/// What to run: the entry module (relative to the project), the step, the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub entry: String,
    pub step: String,
    pub input_json: String,
    pub input_file: Option<String>,
}

impl Example {
    /// The scaffold's example for the entry module `entry`.
    pub fn scaffold(entry: impl Into<String>) -> Example {
        Example {
            entry: entry.into(),
            step: SCAFFOLD_STEP.into(),
            input_json: SCAFFOLD_INPUT_JSON.into(),
            input_file: Some(EXAMPLE_INPUT_FILE.into()),
        }
    }
}

/// The arguments after `python`: the script and the example.
pub fn script_args(script: &Path, ex: &Example) -> Vec<String> {
    let mut args = vec![
        script.to_string_lossy().into_owned(),
        "--entry".into(),
        ex.entry.clone(),
        "--step".into(),
        ex.step.clone(),
        "--input-json".into(),
        ex.input_json.clone(),
    ];
    if let Some(f) = &ex.input_file {
        args.extend(["--input-file".into(), f.clone()]);
    }
    args
}

/// Writes the script, then runs `python` (a Cmd already set to the project's
/// interpreter, e.g. `poetry run python`, in the project folder) on it.
pub fn plan(python: Cmd, ex: &Example) -> Plan {
    let script = script_path();
    Plan::new()
        .own(&script, SCRIPT)
        .run(python.args(script_args(&script, ex)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_writes_the_script_then_runs_it_with_the_example() {
        let p = plan(
            Cmd::new("poetry").args(["run", "python"]),
            &Example::scaffold("arcaflow_plugin_x/x_plugin.py"),
        );
        assert_eq!(p.actions.len(), 2);
        let crate::plan::Action::Run(c) = &p.actions[1] else {
            panic!("{p:?}")
        };
        assert_eq!(
            &c.args[3..],
            [
                "--entry",
                "arcaflow_plugin_x/x_plugin.py",
                "--step",
                "hello-world",
                "--input-json",
                r#"{"name": "Arca"}"#,
                "--input-file",
                "inputs/example.yaml"
            ]
        );
        assert!(c.args[2].ends_with("checks/atp_check.py"));
    }
}
