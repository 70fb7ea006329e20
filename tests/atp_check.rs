//! The ATP round trip check (src/journey/atp.rs, assets/checks/atp_check.py)
//! on a plugin rendered from the templates, with the real SDK 0.14.3 in a real
//! venv: it passes on the scaffold, names a print() at import time as the
//! cause when there is one, and fails a step that returns `error`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use arcaflow_wizard::journey::atp::{self, Example};
use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::templates::{render_all, Vars};
use common::{run, Ran};

const T: Duration = Duration::from_secs(300);

struct Plugin {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    vpy: PathBuf,
    script: PathBuf,
    entry: String,
}

fn plugin(python: &Path, index_url: &str) -> Plugin {
    let tmp = tempfile::tempdir().unwrap();
    let names = PluginNames::parse("atp-demo").unwrap();
    let root = tmp.path().join(names.dist());
    let vars = Vars {
        description: String::new(),
        version: "0.1.0".into(),
    };
    for f in render_all(&names, &vars) {
        let p = root.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.contents).unwrap();
    }
    let venv = tmp.path().join("venv");
    let made = run(Command::new(python).arg("-m").arg("venv").arg(&venv), T);
    assert!(made.ok(), "{}", made.output);
    let vpy = venv.join("bin/python");
    let pip = run(
        Command::new(&vpy)
            .args(["-m", "pip", "install", "-q", "--index-url", index_url])
            .arg("arcaflow-plugin-sdk==0.14.3")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        T,
    );
    assert!(pip.ok(), "{}", pip.output);
    let script = tmp.path().join("atp_check.py");
    std::fs::write(&script, atp::SCRIPT).unwrap();
    let entry = format!("{}/{}.py", names.package(), names.entry_module());
    Plugin {
        _tmp: tmp,
        root,
        vpy,
        script,
        entry,
    }
}

impl Plugin {
    fn check(&self, input_json: &str) -> Ran {
        let mut ex = Example::scaffold(&self.entry);
        ex.input_json = input_json.into();
        // The scaffold's inputs/example.yaml would win over the JSON.
        ex.input_file = None;
        run(
            Command::new(&self.vpy)
                .args(atp::script_args(&self.script, &ex))
                .current_dir(&self.root),
            T,
        )
    }
    fn edit_entry(&self, f: impl Fn(&str) -> String) {
        let p = self.root.join(&self.entry);
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, f(&text)).unwrap();
    }
}

#[test]
fn the_scaffold_passes_then_a_print_at_import_fails_naming_the_cause() {
    let tools = require_tools!();
    let p = plugin(&tools.py39, &tools.index_url);
    let ok = p.check(atp::SCAFFOLD_INPUT_JSON);
    assert!(ok.ok(), "{}", ok.output);
    for want in [
        "ok: --schema prints only the schema (steps: hello-world)",
        "ok: hello, ATP version 3, steps: hello-world",
        "step hello-world: output success: {\"message\": \"Hello, Arca!\"}",
        "ok: client-done, the plugin exited 0",
    ] {
        assert!(ok.output.contains(want), "no {want:?} in:\n{}", ok.output);
    }

    // Passes the unit tests and flake8, and breaks the engine and docsgen.
    p.edit_entry(|t| {
        t.replacen(
            "import typing\n",
            "import typing\n\nprint(\"plugin loaded\")\n",
            1,
        )
    });
    let bad = p.check(atp::SCAFFOLD_INPUT_JSON);
    assert_eq!(bad.code, Some(1), "{}", bad.output);
    assert!(
        bad.output.contains(
            "FAILED: the plugin wrote text to its standard output before the ATP hello: 'plugin loaded'"
        ),
        "{}",
        bad.output
    );
    assert!(
        bad.output.contains(
            "FAILED: --schema printed something besides the schema: the first line is 'plugin loaded'"
        ),
        "{}",
        bad.output
    );
    assert!(
        bad.output.contains("a print() at import time"),
        "{}",
        bad.output
    );
}

#[test]
fn a_step_that_returns_error_fails_with_its_output() {
    let tools = require_tools!();
    let p = plugin(&tools.py39, &tools.index_url);
    // The scaffold's step says `error` for a blank name: the protocol worked,
    // the step did not succeed (exit 3, which the caller judges).
    let ran = p.check(r#"{"name": "   "}"#);
    assert_eq!(ran.code, Some(3), "{}", ran.output);
    assert!(
        ran.output.contains(
            "STEP FAILED: step hello-world returned 'error', not 'success': {\"error\": \"the name is blank: give a name to greet\"}"
        ),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("ok: the plugin answered through ATP"),
        "{}",
        ran.output
    );
    // An input the step's schema refuses: the plugin says so through ATP.
    let ran = p.check(r#"{"nom": "Arca"}"#);
    assert_eq!(ran.code, Some(3), "{}", ran.output);
    assert!(
        ran.output
            .contains("STEP FAILED: step hello-world did not succeed: Validation failed for"),
        "{}",
        ran.output
    );
    // A plugin that dies at import: its exit code and stderr, not a hang.
    p.edit_entry(|t| {
        t.replacen(
            "import typing\n",
            "import typing\nimport no_such_module_here  # noqa\n",
            1,
        )
    });
    let ran = p.check(atp::SCAFFOLD_INPUT_JSON);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    assert!(
        ran.output
            .contains("FAILED: the plugin exited 1 before its ATP hello"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("No module named 'no_such_module_here'"),
        "{}",
        ran.output
    );
}
