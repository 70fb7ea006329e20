//! `new --answers FILE`, end to end: every answer from the file (no other
//! flag, stdin closed, so a question the file does not answer would stop the
//! run), with the real Poetry and Python; then the official build reproduced
//! (Poetry 1.8.3 on Python 3.9) on what it made.

mod common;

use std::fs;
use std::time::Duration;

use common::{reproduce_official_build, run, Sandbox};

#[test]
fn a_valid_answers_file_makes_an_official_grade_plugin() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir("bin", &[("python3", &tools.py311)]);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\n");

    // A name with a hyphen, a folder that is not the default, Python 3.9 and
    // Poetry 1.8.3 (the official image's pair) named by path, no git.
    let answers = sb.root().join("answers.toml");
    fs::write(
        &answers,
        format!(
            r#"# arcaflow-wizard new --answers
name = "hello-world"
dir = "plugins/hello"
description = "Says hello from an answers file"
author = "Jane Doe <jane@example.com>"
python = "{}"
poetry = "{}"
index_url = "{}"
git = false
"#,
            tools.py39.display(),
            tools.poetry1.display(),
            tools.index_url
        ),
    )
    .unwrap();
    let mut new = sb.wizard();
    new.arg("new").arg("--answers").arg(&answers);
    let ran = run(&mut new, Duration::from_secs(600));
    assert!(ran.ok(), "new --answers failed:\n{}", ran.output);

    let dir = sb.work().join("plugins/hello");
    let pyproject = fs::read_to_string(dir.join("pyproject.toml"))
        .unwrap_or_else(|e| panic!("{e}: nothing at {}\n{}", dir.display(), ran.output));
    for want in [
        "name = \"arcaflow-plugin-hello-world\"",
        "description = \"Says hello from an answers file\"",
        "\"Jane Doe <jane@example.com>\"",
        "python = \"^3.9\"",
        &format!("url = \"{}\"", tools.index_url),
    ] {
        assert!(pyproject.contains(want), "no {want} in:\n{pyproject}");
    }
    assert!(
        dir.join("arcaflow_plugin_hello_world/hello_world_plugin.py")
            .is_file(),
        "{}",
        ran.output
    );
    assert!(dir
        .join("tests/test_arcaflow_plugin_hello_world.py")
        .is_file());
    // git = false: no repository made.
    assert!(!dir.join(".git").exists(), "{}", ran.output);
    // The Poetry and the Python of the file did the work: Poetry 1.8.3 made a
    // Python 3.9 venv (its name ends in -py3.9), and the default folder is unused.
    let venvs: Vec<String> = fs::read_dir(sb.virtualenvs_dir())
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        venvs
            .iter()
            .any(|v| v.starts_with("arcaflow-plugin-hello-world-") && v.ends_with("-py3.9")),
        "{venvs:?}\n{}",
        ran.output
    );
    assert!(!sb.work().join("arcaflow-plugin-hello-world").exists());
    let lock = fs::read_to_string(dir.join("poetry.lock")).unwrap();
    assert!(
        lock.contains("Poetry 1.8.3"),
        "{}",
        &lock[..200.min(lock.len())]
    );

    let log = reproduce_official_build(&dir, &tools).unwrap_or_else(|log| panic!("{log}"));
    // What `--schema` printed (the template's step is `hello-world`), not a
    // command line of the log, which names the plugin whatever happens.
    assert!(
        log.contains("steps:") && log.contains("hello-world:"),
        "no schema in:\n{log}"
    );
}
