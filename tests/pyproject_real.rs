//! The pyproject.toml files the wizard writes, checked by the real Poetry 1.8.3 (the
//! official build image's) and Poetry 2.x, offline (`poetry check`, `poetry new`).
//!
//! `AW_TEST_POETRY1` / `AW_TEST_POETRY2` name the two Poetry executables (or their venv
//! folders); `scripts/test` sets them. Unset, each test prints why it skips, unless
//! `AW_TEST_REQUIRE_TOOLS=1`, which makes a missing Poetry a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use arcaflow_wizard::pyproject::{self, LegacySpec};

const FLAT: &str = include_str!("fixtures/pyproject/poetry2_5_1_new_flat.toml");
const SRC: &str = include_str!("fixtures/pyproject/poetry2_5_1_new_src.toml");
const FLAT_ADDED: &str = include_str!("fixtures/pyproject/poetry2_5_1_flat_after_add.toml");
const LEGACY_ADDED: &str = include_str!("fixtures/pyproject/poetry2_5_1_legacy_after_add.toml");

const PACKAGE: &str = "arcaflow_plugin_example";

fn poetry(var: &str) -> Option<PathBuf> {
    let required = std::env::var("AW_TEST_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    let Some(value) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        assert!(!required, "{var} is not set and AW_TEST_REQUIRE_TOOLS=1");
        common::record_skip(&format!("{var} is not set"));
        eprintln!("skipped: {var} is not set (scripts/test sets it to a Poetry executable)");
        return None;
    };
    let p = PathBuf::from(value);
    let exe = if p.is_dir() { p.join("bin/poetry") } else { p };
    if !exe.is_file() {
        assert!(!required, "{var}: {} is not a file", exe.display());
        common::record_skip(&format!("{var} = {} is not a file", exe.display()));
        eprintln!("skipped: {var} = {} is not a file", exe.display());
        return None;
    }
    Some(exe)
}

/// Run Poetry in `dir` with its config, cache and data kept inside a temp folder.
fn run_poetry(exe: &Path, dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(dir)
        .env("POETRY_CONFIG_DIR", home.join("config"))
        .env("POETRY_CACHE_DIR", home.join("cache"))
        .env("POETRY_DATA_DIR", home.join("data"))
        .env("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("Poetry runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A project folder with README.md, the code folder and tests/, and this pyproject.
fn project(pyproject: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# example\n").unwrap();
    std::fs::create_dir_all(dir.path().join(PACKAGE)).unwrap();
    std::fs::write(dir.path().join(PACKAGE).join("__init__.py"), "").unwrap();
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
    dir
}

fn check_passes(label: &str, exe: &Path, pyproject: &str) {
    let dir = project(pyproject);
    let home = tempfile::tempdir().unwrap();
    let out = run_poetry(exe, dir.path(), home.path(), &["check"]);
    assert!(
        out.status.success(),
        "{label}: `poetry check` failed on\n{pyproject}\n{}",
        text(&out)
    );
}

/// What the wizard does to a Poetry 2 pyproject before adding anything.
fn made_legacy(pyproject: &str) -> String {
    let mut doc = pyproject::parse(pyproject).unwrap();
    pyproject::to_legacy(&mut doc, PACKAGE).unwrap();
    pyproject::set_python(&mut doc, pyproject::PYTHON_CONSTRAINT).unwrap();
    pyproject::ensure_dev_group(&mut doc).unwrap();
    doc.to_string()
}

fn spec(index_url: Option<&str>) -> LegacySpec {
    LegacySpec {
        name: "arcaflow-plugin-example".into(),
        version: "0.1.0".into(),
        description: "An example plugin".into(),
        authors: vec!["Arcalot contributors <arcalot@example.com>".into()],
        package: PACKAGE.into(),
        python: pyproject::PYTHON_CONSTRAINT.into(),
        index_url: index_url.map(str::to_string),
        dev_dependencies: vec![
            ("flake8".into(), "~7.3".into()),
            ("coverage".into(), "~7.10".into()),
        ],
    }
}

#[test]
fn generated_pyproject_passes_poetry_check_with_both_poetries() {
    let poetries: Vec<_> = [
        ("Poetry 1.8.3", "AW_TEST_POETRY1"),
        ("Poetry 2", "AW_TEST_POETRY2"),
    ]
    .into_iter()
    .filter_map(|(l, v)| poetry(v).map(|p| (l, p)))
    .collect();
    for (label, exe) in &poetries {
        for url in [None, Some("http://127.0.0.1:9/simple/")] {
            check_passes(label, exe, &pyproject::legacy_pyproject(&spec(url)));
        }
    }
}

#[test]
fn poetry_1_8_3_reads_poetry_2_files_only_after_to_legacy() {
    let Some(p1) = poetry("AW_TEST_POETRY1") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    // As Poetry 2 wrote them, 1.8.3 cannot read them (the facts' measured failure).
    for (name, original) in [
        ("new --flat", FLAT),
        ("new (src)", SRC),
        ("after add", FLAT_ADDED),
    ] {
        let dir = project(original);
        let out = run_poetry(&p1, dir.path(), home.path(), &["check"]);
        assert!(
            !out.status.success(),
            "{name}: 1.8.3 read a [project]-only file"
        );
        // Without [tool.poetry] / with one that holds only `packages`:
        let said = text(&out);
        assert!(
            said.contains("[tool.poetry] section not found")
                || said.contains("are required in package mode"),
            "{name}: {said}"
        );
    }
    for (name, original) in [
        ("new --flat", FLAT),
        ("new (src)", SRC),
        ("after add", FLAT_ADDED),
        ("legacy after add", LEGACY_ADDED),
    ] {
        let converted = made_legacy(original);
        let info = pyproject::inspect(&pyproject::parse(&converted).unwrap());
        assert!(info.fits_poetry_1_8(), "{name}: {info:?}");
        check_passes(&format!("1.8.3 on converted {name}"), &p1, &converted);
    }
}

#[test]
fn todays_poetry_2_new_flat_converts_to_what_1_8_3_reads() {
    let (Some(p1), Some(p2)) = (poetry("AW_TEST_POETRY1"), poetry("AW_TEST_POETRY2")) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = run_poetry(
        &p2,
        work.path(),
        home.path(),
        &["new", "--flat", "arcaflow-plugin-example"],
    );
    assert!(out.status.success(), "poetry new --flat: {}", text(&out));
    let dir = work.path().join("arcaflow-plugin-example");
    let written = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let info = pyproject::inspect(&pyproject::parse(&written).unwrap());
    if info.form == pyproject::Form::Legacy {
        eprintln!("note: this Poetry 2 wrote the legacy form");
    }
    let converted = made_legacy(&written);
    std::fs::write(dir.join("pyproject.toml"), &converted).unwrap();
    for (label, exe) in [("Poetry 1.8.3", &p1), ("Poetry 2", &p2)] {
        let out = run_poetry(exe, &dir, home.path(), &["check"]);
        assert!(
            out.status.success(),
            "{label} on the converted `poetry new --flat`:\n{converted}\n{}",
            text(&out)
        );
    }
}
