//! `arcaflow-wizard new` end to end with the real Python, Poetry 1.8.3 and 2.x,
//! flake8 and coverage, against the local package index.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{run, Sandbox, Tools};

const JOURNEY: Duration = Duration::from_secs(600);

/// Every file under `dir` with its content, leaving out what a run may
/// legitimately regenerate (git internals, caches, coverage data).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if matches!(
                name.as_str(),
                ".git" | "__pycache__" | ".coverage" | "htmlcov"
            ) {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(base).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

fn new_plugin(sb: &Sandbox, tools: &Tools, python: &Path, extra: &[&str]) -> common::Ran {
    let mut cmd = sb.wizard();
    cmd.args([
        "new",
        "--yes",
        "--name",
        "example",
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(python)
    .args(extra);
    run(&mut cmd, JOURNEY)
}

fn assert_plugin_is_official_grade(sb: &Sandbox, tools: &Tools, ran: &common::Ran) -> PathBuf {
    assert!(ran.ok(), "new failed:\n{}", ran.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    // The wizard's own checks, as it printed them.
    for needle in [
        "poetry add arcaflow-plugin-sdk@^0.14.3",
        "coverage run tests/test_arcaflow_plugin_example.py",
        "flake8 --show-source",
        // One set of checks, one count: flake8 is one of them, as in doctor.
        "ACT's checks, run locally: 15 of 15 passed",
        "--schema",
        // The ATP round trip (journey/atp.rs), as the engine runs the plugin.
        "ok: hello, ATP version 3, steps: hello-world",
        "step hello-world: output success: {\"message\": \"Hello, Arca!\"}",
        "The ATP round trip works",
        // The sandbox forbids the engine run (try_e2e.rs runs it): new says
        // why and how to run it after pushing, and does not fail.
        "The run in the Arcaflow engine was skipped: ",
        "This is not a failure of new.",
        "src: \"arcaflow-plugin-example@git+https://github.com/<owner>/arcaflow-plugin-example.git@<commit SHA>\"",
        "Done: arcaflow-plugin-example is ready",
    ] {
        assert!(
            ran.output.contains(needle),
            "missing {needle:?} in:\n{}",
            ran.output
        );
    }
    assert!(!ran.output.contains("ACT check FAILED"), "{}", ran.output);
    // The schema printed by the plugin itself.
    assert!(
        ran.output.contains("steps:") || ran.output.contains("\"steps\""),
        "no schema in:\n{}",
        ran.output
    );
    // The legacy form the official image's Poetry 1.8.3 reads.
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("[tool.poetry]"), "{pyproject}");
    assert!(!pyproject.contains("[project]"), "{pyproject}");
    assert!(!pyproject.contains("[dependency-groups]"), "{pyproject}");
    assert!(
        pyproject.contains("[tool.poetry.group.dev.dependencies]"),
        "{pyproject}"
    );
    assert!(
        pyproject.contains("arcaflow-plugin-sdk = \"^0.14.3\""),
        "{pyproject}"
    );
    for f in [
        "Dockerfile",
        "LICENSE",
        ".flake8",
        "README.md",
        ".gitignore",
        "poetry.lock",
        "tests/test_arcaflow_plugin_example.py",
        "arcaflow_plugin_example/example_plugin.py",
        "arcaflow_plugin_example/example_schema.py",
        ".github/workflows/workflow.yaml",
        "inputs/example.yaml",
        "docker-compose.yaml",
        "arcaflow_plugin_example/__main__.py",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // The example step ran on the example input and answered success.
    assert!(
        ran.output.contains("-f inputs/example.yaml") && ran.output.contains("output_id: success"),
        "{}",
        ran.output
    );
    // The official CI workflow: GitHub's schema, actionlint, docsgen's plugin_path.
    if let Some(v) = common::workflow::validators() {
        v.validate(&dir)
            .unwrap_or_else(|e| panic!("the workflow: {e}"));
    }
    // The lock the real Poetry wrote carries the content-hash the wizard (and
    // doctor) recompute to tell a lock is in sync without starting Poetry.
    let lock = std::fs::read_to_string(dir.join("poetry.lock")).unwrap();
    let recorded = arcaflow_wizard::pyproject::lock_hash::recorded_hash(&lock);
    let ours = arcaflow_wizard::pyproject::lock_hash::content_hash(&pyproject.parse().unwrap());
    assert!(
        recorded.is_some(),
        "no content-hash in poetry.lock:\n{lock}"
    );
    assert_eq!(
        ours, recorded,
        "the recomputed content-hash differs from Poetry's"
    );
    // The official image's build, reproduced without an engine.
    if let Err(log) = common::reproduce_official_build(&dir, tools) {
        panic!("the official build fails:\n{log}");
    }
    dir
}

fn assert_second_run_changes_nothing(sb: &Sandbox, tools: &Tools, python: &Path, dir: &Path) {
    let before = tree(dir);
    let again = new_plugin(sb, tools, python, &[]);
    assert!(again.ok(), "second run failed:\n{}", again.output);
    assert!(again.output.contains("already done"), "{}", again.output);
    assert!(
        !again.output.contains("$ poetry new"),
        "the project was made again:\n{}",
        again.output
    );
    assert_eq!(
        tree(dir).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (k, v) in tree(dir) {
        assert!(before[&k] == v, "{k} changed on the second run");
    }
    let st = run(
        sb.command("git")
            .args(["status", "--porcelain"])
            .current_dir(dir),
        Duration::from_secs(30),
    );
    assert!(
        st.ok() && st.output.trim().is_empty(),
        "git status after the second run:\n{}",
        st.output
    );
}

#[test]
fn poetry2_python311_makes_an_official_grade_plugin() {
    let tools = require_tools!();
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let ran = new_plugin(&sb, &tools, &tools.py311, &[]);
    assert!(ran.output.contains("poetry new --flat"), "{}", ran.output);
    let dir = assert_plugin_is_official_grade(&sb, &tools, &ran);
    assert!(dir.join(".git").is_dir());
    // The same plugin in every other image it may meet: the 0.5.0 images very
    // likely run Python 3.12, with Poetry 1.8.3 or 2.x (ARCAFLOW-FACTS.md).
    if let Some(pairings) = common::pairings_312(&tools) {
        for p in &pairings {
            if let Err(log) = common::reproduce_official_build_with(&dir, &tools, p) {
                panic!("the official build fails with {}:\n{log}", p.label);
            }
        }
    }
    // The session log holds the commands, their endings and their output.
    let log_path = ran
        .output
        .lines()
        .find_map(|l| l.strip_prefix("Session log: "))
        .expect("the log's path is printed");
    assert!(
        log_path.starts_with(&sb.state_dir().display().to_string()),
        "{log_path}"
    );
    let log = std::fs::read_to_string(log_path.trim()).unwrap();
    assert!(
        log.contains("$ poetry add arcaflow-plugin-sdk@^0.14.3"),
        "{log}"
    );
    assert!(log.contains("  -> ok"), "{log}");
    // The command's output is logged as it printed it, under its `$` line.
    assert!(log.contains("\nWriting lock file\n"), "{log}");
    // doctor finds nothing wrong with what new made.
    let mut doctor = sb.wizard();
    doctor.args(["doctor", "--json"]).arg(&dir);
    let report = run(&mut doctor, Duration::from_secs(120));
    let json: serde_json::Value = serde_json::from_str(report.output.trim())
        .unwrap_or_else(|e| panic!("{e}:\n{}", report.output));
    assert_eq!(json["summary"]["problems"], 0, "{}", report.output);
    assert_eq!(report.code, Some(0), "{}", report.output);
    assert_second_run_changes_nothing(&sb, &tools, &tools.py311, &dir);
}

#[test]
fn poetry1_python39_makes_an_official_grade_plugin() {
    let tools = require_tools!();
    let mut sb = sandbox_with(&tools, &tools.poetry1, &tools.py39);
    // No container engine can run here: a stand-in docker answers `info` and records
    // the build it is asked for, so the step that runs the image build is exercised.
    let engine = sb.root().join("engine");
    std::fs::create_dir_all(&engine).unwrap();
    let record = sb.root().join("docker-build.txt");
    let docker = engine.join("docker");
    std::fs::write(
        &docker,
        format!("#!/bin/sh\ncase \"$1\" in\n  info) echo 28.2.2 ;;\n  build) echo \"$PWD $*\" > {} ; echo built ;;\n  *) exit 1 ;;\nesac\n", record.display()),
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let dirs: Vec<PathBuf> = std::env::split_paths(sb.path_var())
        .chain([engine])
        .collect();
    sb.set_path(&dirs);
    let ran = new_plugin(&sb, &tools, &tools.py39, &[]);
    assert!(!ran.output.contains("--flat"), "{}", ran.output);
    let dir = assert_plugin_is_official_grade(&sb, &tools, &ran);
    let built = std::fs::read_to_string(&record).expect("the image build ran");
    assert_eq!(
        built.trim(),
        format!(
            "{} build -t arcaflow-plugin-example:latest .",
            dir.display()
        )
    );
    assert_second_run_changes_nothing(&sb, &tools, &tools.py39, &dir);
}

#[test]
fn the_dry_run_script_makes_the_same_project() {
    let tools = require_tools!();
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let script = new_plugin(&sb, &tools, &tools.py311, &["--dry-run"]);
    assert!(script.ok(), "{}", script.output);
    assert!(
        std::fs::read_dir(sb.work()).unwrap().next().is_none(),
        "--dry-run wrote something"
    );
    let text = {
        let mut c = sb.wizard();
        c.args([
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &tools.index_url,
            "--python",
        ])
        .arg(&tools.py311)
        .arg("--dry-run")
        .stderr(std::process::Stdio::null());
        String::from_utf8(c.output().unwrap().stdout).unwrap()
    };
    assert!(text.starts_with("#!/usr/bin/env bash"), "{text}");
    assert!(text.contains("set -euo pipefail"));
    assert!(
        text.contains("# == Add the Arcaflow plugin SDK =="),
        "{text}"
    );
    let script_file = sb.root().join("make.sh");
    std::fs::write(&script_file, &text).unwrap();
    let by_hand = sb.work().join("by-hand");
    std::fs::create_dir_all(&by_hand).unwrap();
    let ran = run(
        sb.command("bash").arg(&script_file).current_dir(&by_hand),
        JOURNEY,
    );
    assert!(ran.ok(), "the script failed:\n{}", ran.output);

    let by_wizard = sb.work().join("by-wizard");
    std::fs::create_dir_all(&by_wizard).unwrap();
    let mut c = sb.wizard();
    c.current_dir(&by_wizard)
        .args([
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &tools.index_url,
            "--python",
        ])
        .arg(&tools.py311);
    let ran = run(&mut c, JOURNEY);
    assert!(ran.ok(), "{}", ran.output);
    let a = tree(&by_hand.join("arcaflow-plugin-example"));
    let b = tree(&by_wizard.join("arcaflow-plugin-example"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(b[k] == *v, "{k} differs between the script and the wizard");
    }
}
