//! Issue 19: a question asked of Poetry (`poetry env info`, `poetry
//! --version` and the like) is asked once per run. Real `new --yes` and then
//! `setup --yes` on a clone of what it made, with the real Poetry 2 and
//! Python 3.11; each session log lists the questions its run asked
//! (`? COMMAND` lines, `exec::query`), and no Poetry question is there twice.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{run, Sandbox};

const JOURNEY: Duration = Duration::from_secs(600);

/// The newest session log of `journey` in the sandbox's state folder.
fn session_log(sb: &Sandbox, journey: &str) -> String {
    let dir = sb.state_dir().join("arcaflow-wizard/logs");
    let mut logs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(&format!("-{journey}.log")))
        })
        .collect();
    logs.sort();
    let last = logs
        .pop()
        .unwrap_or_else(|| panic!("no {journey} log in {}", dir.display()));
    std::fs::read_to_string(last).unwrap()
}

/// The Poetry questions the log lists, each with how often it was asked.
fn poetry_questions(log: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for q in log.lines().filter_map(|l| l.strip_prefix("? ")) {
        let program = q.split_whitespace().next().unwrap_or_default();
        if Path::new(program).file_name().and_then(|f| f.to_str()) == Some("poetry") {
            *n.entry(q.to_string()).or_default() += 1;
        }
    }
    n
}

#[test]
fn new_then_setup_ask_each_poetry_question_once() {
    let tools = require_tools!();
    let git = which::which("git").expect("git on PATH");
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "main",
        &[
            ("poetry", tools.poetry2.as_path()),
            ("python3", tools.py311.as_path()),
            ("git", git.as_path()),
        ],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");

    let mut new = sb.wizard();
    new.args([
        "new",
        "--yes",
        "--name",
        "example",
        "--index-url",
        &tools.index_url,
    ])
    .arg("--python")
    .arg(&tools.py311);
    let made = run(&mut new, JOURNEY);
    assert!(made.ok(), "new failed:\n{}", made.output);
    let log = session_log(&sb, "new");
    let asked = poetry_questions(&log);
    let twice: Vec<_> = asked.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "asked more than once: {twice:?}\n{log}");

    // A fresh clone has no venv the files can name: setup must ask Poetry.
    let cloned = run(
        sb.command(&git)
            .args(["clone", "-q", "arcaflow-plugin-example", "clone"])
            .current_dir(sb.work()),
        Duration::from_secs(60),
    );
    assert!(cloned.ok(), "{}", cloned.output);
    let mut setup = sb.wizard();
    setup
        .args([
            "setup",
            "clone",
            "--yes",
            "--plain",
            "--index-url",
            &tools.index_url,
        ])
        .arg("--python")
        .arg(&tools.py311);
    let ran = run(&mut setup, JOURNEY);
    assert!(ran.ok(), "setup failed:\n{}", ran.output);
    let log = session_log(&sb, "setup");
    let asked = poetry_questions(&log);
    assert!(
        asked.keys().any(|q| q.contains("env info")),
        "setup on a fresh clone asks Poetry for its venv, and the log lists it: {asked:?}\n{log}"
    );
    let twice: Vec<_> = asked.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "asked more than once: {twice:?}\n{log}");
}
