//! `new` when something is wrong: a clear message, the right exit code, and
//! nothing on disk changed. The broken setups are real (pyenv's old Pythons,
//! two real Poetry installs, a real empty package index).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Ran, Sandbox, Tools};

fn pyenv(tools: &Tools, minor: u32) -> std::path::PathBuf {
    tools
        .python(minor)
        .unwrap_or_else(|| panic!("pyenv has no Python 3.{minor}"))
}

fn wizard(sb: &Sandbox, args: &[&str]) -> Ran {
    sb.run_wizard(args, Duration::from_secs(300))
}

#[test]
fn no_python_39_or_newer_stops_with_the_distro_install_command() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let py36 = tools.pyenv_root.join("versions/3.6.15/bin/python3.6");
    let py38 = pyenv(&tools, 8);
    let bin = sb.bin_dir(
        "old",
        &[
            ("python3", &py36),
            ("python3.8", &py38),
            ("poetry", &tools.poetry2),
        ],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("NAME=\"Fedora Linux\"\nID=fedora\nVERSION_ID=40\n");
    let r = wizard(&sb, &["new", "--yes", "--name", "example"]);
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(
        r.output.contains("No Python 3.9 or newer was found"),
        "{}",
        r.output
    );
    assert!(
        r.output.contains("Python 3.8"),
        "names the newest found:\n{}",
        r.output
    );
    assert!(
        r.output.contains("dnf"),
        "Fedora's install command:\n{}",
        r.output
    );
    sb.assert_work_untouched();
}

#[test]
fn old_python3_with_a_newer_one_gives_the_alias_tip() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let py36 = tools.pyenv_root.join("versions/3.6.15/bin/python3.6");
    let bin = sb.bin_dir(
        "mixed",
        &[
            ("python3", &py36),
            ("python3.11", &tools.py311),
            ("poetry", &tools.poetry2),
        ],
    );
    sb.set_path(std::slice::from_ref(&bin));
    sb.set_os_release("ID=debian\n");
    // The tip is the Python step's note, shown in a real run; the journey then goes on.
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &tools.index_url,
        ],
    );
    assert!(
        r.output.contains("python3 on your PATH is Python 3.6.15"),
        "{}",
        r.output
    );
    assert!(
        r.output.contains(&format!(
            "alias python3=\"{}\"",
            bin.join("python3.11").display()
        )),
        "{}",
        r.output
    );
    assert_eq!(
        r.code,
        Some(0),
        "the journey goes on with Python 3.11:\n{}",
        r.output
    );
}

#[test]
fn no_poetry_offers_pipx_and_the_official_installer() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir("nopoetry", &[("python3", &tools.py311)]);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=ubuntu\nID_LIKE=debian\n");
    let r = wizard(&sb, &["new", "--yes", "--name", "example"]);
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(r.output.contains("Poetry is not installed"), "{}", r.output);
    assert!(r.output.contains("pipx install poetry"), "{}", r.output);
    assert!(
        r.output.contains("install.python-poetry.org"),
        "{}",
        r.output
    );
    sb.assert_work_untouched();
}

#[test]
fn two_poetry_installs_are_listed_with_their_removal_and_poetry_flag_picks_one() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let first = sb.bin_dir(
        "p1",
        &[("python3", &tools.py311), ("poetry", &tools.poetry1)],
    );
    let second = sb.bin_dir("p2", &[("poetry", &tools.poetry2)]);
    sb.set_path(&[first, second]);
    sb.set_os_release("ID=debian\n");
    let r = wizard(&sb, &["new", "--yes", "--name", "example"]);
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(
        r.output.contains("More than one Poetry is installed"),
        "{}",
        r.output
    );
    assert!(r.output.contains("Poetry 1.8.3"), "{}", r.output);
    // Not `Poetry {version}` alone: with the version unknown that is `Poetry `,
    // which the 1.8.3 line above always holds.
    assert!(r.output.contains("Poetry 2."), "{}", r.output);
    if !tools.poetry2_version.is_empty() {
        assert!(
            r.output
                .contains(&format!("Poetry {}", tools.poetry2_version)),
            "{}",
            r.output
        );
    }
    assert_eq!(r.output.matches("remove: ").count(), 2, "{}", r.output);
    assert!(r.output.contains("--poetry PATH"), "{}", r.output);
    sb.assert_work_untouched();

    // --poetry picks one: the plan goes through (a dry run, so nothing is made).
    let pick = tools.poetry2.display().to_string();
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--dry-run",
            "--poetry",
            &pick,
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.output);
    assert!(r.output.contains("new --flat"), "{}", r.output);
    sb.assert_work_untouched();
}

#[test]
fn invalid_names_are_refused_with_the_reason() {
    let sb = Sandbox::new();
    for (name, says) in [
        ("Bad Name", "capitals"),
        ("my plugin", "contains ' '"),
        ("9lives", "start with a letter"),
    ] {
        let r = wizard(&sb, &["new", "--yes", "--name", name]);
        assert_eq!(r.code, Some(2), "{name}: {}", r.output);
        assert!(r.output.contains(says), "{name}: {}", r.output);
    }
    let r = wizard(&sb, &["new", "--yes"]);
    assert_eq!(r.code, Some(2), "{}", r.output);
    assert!(
        r.output.contains("--name"),
        "--yes names the missing flag:\n{}",
        r.output
    );
    sb.assert_work_untouched();
}

#[test]
fn an_existing_folder_is_left_alone() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "main",
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let r = wizard(&sb, &["new", "--yes", "--name", "example"]);
    assert_eq!(r.code, Some(2), "{}", r.output);
    assert!(
        r.output
            .contains("already exists and is not the arcaflow-plugin-example project"),
        "{}",
        r.output
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn an_index_without_the_sdk_explains_and_adds_nothing() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "main",
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\n");
    let empty = sb.root().join("empty-index");
    std::fs::create_dir_all(&empty).unwrap();
    let index = common::start_upload_index(&empty, "pypi-unused");
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &index.url(),
            "--python",
            &tools.py311.display().to_string(),
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(
        r.output.contains("Add the Arcaflow plugin SDK"),
        "{}",
        r.output
    );
    // The index answered (start_upload_index checked): "unreachable" would be wrong.
    assert!(
        r.output.contains("package index has no version")
            && !r.output.contains("could not be reached"),
        "{}",
        r.output
    );
    let dir = sb.work().join("arcaflow-plugin-example");
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(
        !pyproject.contains("arcaflow-plugin-sdk ="),
        "Poetry must not keep a failed add:\n{pyproject}"
    );
    assert!(!dir.join("poetry.lock").exists());
    assert!(
        !Path::new(&dir.join("Dockerfile")).exists(),
        "later steps must not run"
    );
}

/// Poetry says only "All attempts to connect to 127.0.0.1:PORT failed.": the
/// wizard names the index (the --index-url given) and what to try.
#[test]
fn an_index_that_does_not_answer_is_named_with_what_to_try() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "main",
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\n");
    // A port that was free a moment ago: nothing listens there.
    let url = format!("http://127.0.0.1:{}/simple/", common::free_port());
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            &url,
            "--python",
            &tools.py311.display().to_string(),
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(
        r.output
            .contains(&format!("{url} (the --index-url given) did not answer")),
        "{}",
        r.output
    );
    assert!(
        r.output.contains("without --index-url") && r.output.contains(&format!("curl -sI {url}")),
        "what to try:\n{}",
        r.output
    );
    let dir = sb.work().join("arcaflow-plugin-example");
    assert!(!dir.join("poetry.lock").exists());
}
