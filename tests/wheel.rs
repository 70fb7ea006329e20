//! The wizard as Python developers install it (issue 15): a wheel that holds
//! only the binary, built by maturin. `scripts/release-self` builds it with
//! `maturin build --release` (into cargo's own target folder, so a later build
//! only packs), uploads it to a token-guarded local index and installs it back;
//! here the same wheel also installs into a fresh venv from the file alone
//! (`--no-index`) and runs from that venv's bin/ with no cargo on PATH. And a
//! `pip install` of a copy of the checkout builds and installs it, as
//! `pipx install .` does.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{run, Ran, Sandbox, Tools};

/// A release build on two busy cores, and pip around it.
const BUILD: Duration = Duration::from_secs(1200);
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `AW_TEST_MATURIN` and `AW_TEST_MATURIN_WHEELS` from scripts/test.
fn maturin() -> Option<(PathBuf, PathBuf)> {
    let cli = PathBuf::from(std::env::var_os("AW_TEST_MATURIN")?);
    let wheels = PathBuf::from(std::env::var_os("AW_TEST_MATURIN_WHEELS")?);
    (cli.is_file() && wheels.is_dir()).then_some((cli, wheels))
}

/// cargo's target folder (CARGO_TARGET_DIR or ./target): the release build
/// reuses what an earlier one compiled.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

/// A build command: this process's environment (cargo and rustup live there),
/// with no pip configuration of the user's and a shared target folder.
fn build_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PIP_") {
            c.env_remove(k);
        }
    }
    c.env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .stdin(std::process::Stdio::null());
    c
}

/// A fresh venv (no pip inside: the base interpreter's pip installs into it).
fn fresh_venv(tools: &Tools, dir: &Path) -> PathBuf {
    let r = run(
        Command::new(&tools.py311)
            .args(["-m", "venv", "--without-pip"])
            .arg(dir),
        Duration::from_secs(120),
    );
    assert!(r.ok(), "venv: {}", r.output);
    dir.join("bin/python")
}

/// `pip install ARGS` into the venv whose python is `venv_py`.
fn pip_install(tools: &Tools, venv_py: &Path, args: &[&std::ffi::OsStr]) -> Ran {
    let mut c = build_command(&tools.py311);
    c.args(["-m", "pip", "--python"])
        .arg(venv_py)
        .args(["install", "--no-cache-dir"])
        .args(args);
    run(&mut c, BUILD)
}

/// The names in a wheel (a zip), read with Python's zipfile.
fn wheel_names(tools: &Tools, wheel: &Path) -> Vec<String> {
    let r = run(
        Command::new(&tools.py311)
            .args([
                "-c",
                "import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist():\n    \
                 print(i.filename, oct(i.external_attr >> 16))",
            ])
            .arg(wheel),
        Duration::from_secs(60),
    );
    assert!(r.ok(), "{}", r.output);
    r.output.lines().map(str::to_string).collect()
}

/// The installed wizard, run with PATH = only a python3 and Poetry (no cargo).
fn run_installed(sb: &Sandbox, exe: &Path, args: &[&str]) -> Ran {
    let mut c = sb.command(exe);
    c.args(args);
    run(&mut c, Duration::from_secs(120))
}

#[test]
fn release_self_builds_a_wheel_that_installs_from_the_file_alone_and_runs() {
    let tools = require_tools!();
    let Some((maturin, _)) = maturin() else {
        common::skip("no maturin (AW_TEST_MATURIN, AW_TEST_MATURIN_WHEELS)");
        return;
    };
    let mut sb = Sandbox::with_tools(&tools);
    let dist = sb.root().join("dist");

    // The release check itself: version, build, guarded upload, install back.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release-self");
    let mut c = build_command(&script);
    c.arg("--out")
        .arg(&dist)
        .env("MATURIN", &maturin)
        .env("PYPI_SERVER", &tools.pypiserver)
        .env("PYTHON", &tools.py311);
    let r = run(&mut c, BUILD);
    assert!(r.ok(), "scripts/release-self failed:\n{}", r.output);
    assert!(
        r.output.contains(&format!("7/7 arcaflow-wizard {VERSION}"))
            && r.output.contains("a wrong token was refused"),
        "{}",
        r.output
    );

    // One wheel, for Cargo.toml's version, with the binary (executable) and the licence.
    let wheels: Vec<PathBuf> = fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let wheel = &wheels[0];
    let file = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        file.starts_with(&format!("arcaflow_wizard-{VERSION}-")),
        "{file}"
    );
    let names = wheel_names(&tools, wheel);
    let binary = names
        .iter()
        .find(|l| {
            l.starts_with(&format!(
                "arcaflow_wizard-{VERSION}.data/scripts/arcaflow-wizard "
            ))
        })
        .unwrap_or_else(|| panic!("no binary in {file}: {names:#?}"));
    assert!(binary.ends_with("0o100755"), "not executable: {binary}");
    assert!(
        names.iter().any(|l| l.starts_with(&format!(
            "arcaflow_wizard-{VERSION}.dist-info/licenses/LICENSE "
        ))),
        "no licence in {file}: {names:#?}"
    );

    // A fresh venv, from the wheel file only: no index, no cargo.
    let venv = sb.root().join("venv");
    let py = fresh_venv(&tools, &venv);
    let r = pip_install(&tools, &py, &["--no-index".as_ref(), wheel.as_os_str()]);
    assert!(r.ok(), "pip install --no-index {file}:\n{}", r.output);
    let exe = venv.join("bin/arcaflow-wizard");
    assert!(exe.is_file(), "{} missing", exe.display());

    let bin = sb.bin_dir(
        "nocargo",
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    sb.set_path(&[&bin]);
    assert!(!bin.join("cargo").exists());
    let v = run_installed(&sb, &exe, &["--version"]);
    assert_eq!(
        v.output.trim(),
        format!("arcaflow-wizard {VERSION}"),
        "{v:?}"
    );
    let h = run_installed(&sb, &exe, &["--help"]);
    assert!(h.ok(), "{}", h.output);
    for word in ["new", "release", "doctor", "completions", "Exit codes"] {
        assert!(
            h.output.contains(word),
            "--help lacks {word}:\n{}",
            h.output
        );
    }
    let d = run_installed(
        &sb,
        &exe,
        &["new", "--name", "example", "--yes", "--dry-run"],
    );
    assert!(d.ok(), "new --dry-run:\n{}", d.output);
    assert!(
        d.output.contains("set -euo pipefail") && d.output.contains("poetry new"),
        "{}",
        d.output
    );
    sb.assert_work_untouched();
}

/// `pip install .` (what `pipx install .` runs) from a copy of the checkout's
/// files: the isolated build gets maturin from the cache's wheel only.
#[test]
fn pip_install_from_a_checkout_copy_builds_and_installs_the_binary() {
    let tools = require_tools!();
    let Some((_, maturin_wheels)) = maturin() else {
        common::skip("no maturin (AW_TEST_MATURIN, AW_TEST_MATURIN_WHEELS)");
        return;
    };
    let sb = Sandbox::with_tools(&tools);
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copy = sb.root().join("arcaflow-wizard");
    // The files a clone has: tracked ones and new ones not ignored (no target/, .cache/).
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(checkout)
        .output()
        .expect("git ls-files");
    assert!(listed.status.success(), "git ls-files failed");
    let mut count = 0;
    for rel in listed.stdout.split(|b| *b == 0).filter(|s| !s.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        let from = checkout.join(rel);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = copy.join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&from, &to).unwrap();
        count += 1;
    }
    assert!(
        copy.join("pyproject.toml").is_file() && count > 50,
        "{count} files"
    );

    let venv = sb.root().join("venv");
    let py = fresh_venv(&tools, &venv);
    let r = pip_install(
        &tools,
        &py,
        &[
            "--no-index".as_ref(),
            "--find-links".as_ref(),
            maturin_wheels.as_os_str(),
            copy.as_os_str(),
        ],
    );
    assert!(r.ok(), "pip install <checkout copy>:\n{}", r.output);
    let exe = venv.join("bin/arcaflow-wizard");
    let v = run_installed(&sb, &exe, &["--version"]);
    assert_eq!(
        v.output.trim(),
        format!("arcaflow-wizard {VERSION}"),
        "{v:?}"
    );
    // The build wrote into cargo's target folder, not into the copy.
    assert!(
        !copy.join("target").exists(),
        "the build wrote target/ into the checkout"
    );
}
