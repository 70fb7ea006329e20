//! `new --target 3.12`: a plugin for Python 3.12 only (SDK ^0.14.4, as
//! arcaflow-plugin-opensearch), made with the real Poetry 2.x and 1.8.3 and
//! put through the reproduced official build of the images that run 3.12.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{run, Sandbox, Tools};

const JOURNEY: Duration = Duration::from_secs(600);

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

fn new_312(sb: &Sandbox, tools: &Tools, python: &Path, extra: &[&str]) -> common::Ran {
    let mut cmd = sb.wizard();
    cmd.args([
        "new",
        "--yes",
        "--name",
        "example",
        "--target",
        "3.12",
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(python)
    .args(extra);
    run(&mut cmd, JOURNEY)
}

/// What a 3.12 plugin must hold after `new`, and where it is.
fn assert_made_for_312(sb: &Sandbox, ran: &common::Ran) -> PathBuf {
    assert!(ran.ok(), "new failed:\n{}", ran.output);
    for needle in [
        "poetry add arcaflow-plugin-sdk@^0.14.4",
        "ACT's checks, run locally: 15 of 15 passed",
        "Done: arcaflow-plugin-example is ready",
    ] {
        assert!(
            ran.output.contains(needle),
            "missing {needle:?}:\n{}",
            ran.output
        );
    }
    let dir = sb.work().join("arcaflow-plugin-example");
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("python = \"^3.12\""), "{pyproject}");
    assert!(
        pyproject.contains("arcaflow-plugin-sdk = \"^0.14.4\""),
        "{pyproject}"
    );
    assert!(!pyproject.contains("[project]"), "{pyproject}");
    // The lock holds the 3.12 SDK line, not 0.14.3.
    let lock = std::fs::read_to_string(dir.join("poetry.lock")).unwrap();
    let sdk = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"arcaflow-plugin-sdk\""))
        .unwrap_or_else(|| panic!("no SDK in poetry.lock:\n{lock}"));
    let want = std::env::var("AW_TEST_SDK312_VERSION").unwrap_or_else(|_| "0.14.4".into());
    assert!(sdk.contains(&format!("version = \"{want}\"")), "{sdk}");
    dir
}

/// Every 3.12 pairing builds it; the 0.4.x image (Python 3.9) refuses it.
fn assert_builds_only_where_312_runs(dir: &Path, tools: &Tools, pairings: &[common::Pairing]) {
    for p in pairings {
        if let Err(log) = common::reproduce_official_build_with(dir, tools, p) {
            panic!("the official build fails with {}:\n{log}", p.label);
        }
    }
    let old = common::reproduce_official_build(dir, tools)
        .expect_err("a ^3.12 plugin must not build on the Python 3.9 image");
    assert!(
        old.contains("not supported by the project") || old.contains("not compatible"),
        "{old}"
    );
}

#[test]
fn poetry2_makes_a_312_plugin_that_the_312_images_build() {
    let tools = require_tools!();
    let Some(pairings) = common::pairings_312(&tools) else {
        return;
    };
    let py312 = tools.py312.clone().expect("pairings_312 checked it");
    let sb = sandbox_with(&tools, &tools.poetry2, &py312);
    let ran = new_312(&sb, &tools, &py312, &[]);
    let dir = assert_made_for_312(&sb, &ran);
    assert_builds_only_where_312_runs(&dir, &tools, &pairings);
    // doctor finds no problem; that the range excludes 3.9 is a warning only,
    // as the Dockerfile uses the 0.5.0 images.
    let mut doctor = sb.wizard();
    doctor.args(["doctor", "--json"]).arg(&dir);
    let report = run(&mut doctor, Duration::from_secs(120));
    let json: serde_json::Value = serde_json::from_str(report.output.trim())
        .unwrap_or_else(|e| panic!("{e}:\n{}", report.output));
    assert_eq!(json["summary"]["problems"], 0, "{}", report.output);
    let not39 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "pyproject-python-not-3-9")
        .unwrap_or_else(|| panic!("{}", report.output));
    assert_eq!(not39["severity"], "warning", "{not39:#}");
    // A second run keeps the target it finds, without --target.
    let mut again = sb.wizard();
    again
        .args([
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &tools.index_url,
            "--python",
        ])
        .arg(&py312);
    let again = run(&mut again, JOURNEY);
    assert!(again.ok(), "{}", again.output);
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("python = \"^3.12\""), "{pyproject}");
}

#[test]
fn poetry1_on_312_makes_a_312_plugin_that_poetry2_builds() {
    let tools = require_tools!();
    let Some(pairings) = common::pairings_312(&tools) else {
        return;
    };
    let py312 = tools.py312.clone().expect("pairings_312 checked it");
    let poetry1 = &pairings[0].poetry;
    let sb = sandbox_with(&tools, poetry1, &py312);
    let ran = new_312(&sb, &tools, &py312, &[]);
    assert!(!ran.output.contains("--flat"), "{}", ran.output);
    let dir = assert_made_for_312(&sb, &ran);
    // The lock Poetry 1.8.3 wrote, read by the other Poetry the image may hold.
    if let Err(log) = common::reproduce_official_build_with(&dir, &tools, &pairings[1]) {
        panic!(
            "the official build fails with {}:\n{log}",
            pairings[1].label
        );
    }
}

#[test]
fn the_dry_run_script_writes_the_312_range_and_sdk() {
    let tools = require_tools!();
    let Some(py312) = tools.py312.clone() else {
        common::skip("AW_TEST_PY312 is not set");
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &py312);
    let script = new_312(&sb, &tools, &py312, &["--dry-run"]);
    assert!(script.ok(), "{}", script.output);
    assert!(
        script.output.contains("add arcaflow-plugin-sdk@^0.14.4"),
        "{}",
        script.output
    );
    assert!(
        script.output.contains("python = \"^3.12\""),
        "{}",
        script.output
    );
    assert!(!script.output.contains("sdk@^0.14.3"), "{}", script.output);
    sb.assert_work_untouched();
}

#[test]
fn a_python_below_the_target_or_an_unknown_target_is_refused() {
    let tools = require_tools!();
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let ran = new_312(&sb, &tools, &tools.py311, &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("is Python 3.11") && ran.output.contains("needs Python 3.12 or newer"),
        "{}",
        ran.output
    );
    // No --python and no 3.12 on this (sandboxed) machine: said, with how to get one.
    let mut none = sb.wizard();
    none.args(["new", "--yes", "--name", "example", "--target", "3.12"]);
    let none = run(&mut none, Duration::from_secs(120));
    assert_eq!(none.code, Some(1), "{}", none.output);
    assert!(
        none.output.contains("No Python 3.12 or newer was found")
            && none.output.contains("pyenv install 3.12"),
        "{}",
        none.output
    );
    sb.assert_work_untouched();
    let mut bad = sb.wizard();
    bad.args(["new", "--yes", "--name", "example", "--target", "3.11"]);
    let bad = run(&mut bad, Duration::from_secs(60));
    assert_eq!(bad.code, Some(2), "{}", bad.output);
    assert!(
        bad.output.contains("unknown target '3.11'"),
        "{}",
        bad.output
    );
    // The answers file takes the same key, checked the same way.
    let answers = sb.root().join("answers.toml");
    std::fs::write(&answers, "name = \"example\"\ntarget = \"2.7\"\n").unwrap();
    let mut file = sb.wizard();
    file.args(["new", "--yes", "--answers"]).arg(&answers);
    let file = run(&mut file, Duration::from_secs(60));
    assert_eq!(file.code, Some(2), "{}", file.output);
    assert!(
        file.output.contains("unknown target '2.7'"),
        "{}",
        file.output
    );
    sb.assert_work_untouched();
}
