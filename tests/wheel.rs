//! The wizard as Python developers install it (issue 15): a wheel that holds
//! only the binary, built by maturin.
//!
//! One release build serves every step. The checkout's files are copied to
//! `target/wheel-checkout/` (a fixed place, and only changed files are
//! rewritten, so cargo sees the same sources at the same path and mtimes), and
//! everything builds there into cargo's own target folder:
//! `scripts/release-self` (`maturin build --release`, a token-guarded upload
//! to a local index, the install back), the same wheel installed into a fresh
//! venv from the file alone (`--no-index`) and run from its bin/ with no cargo
//! on PATH, and `pip install` of the copy (what `pipx install .` runs), whose
//! build finds everything compiled.

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

/// The files a clone has (tracked ones and new ones not ignored: no target/,
/// .cache/), mirrored into `to`: a file is written only when its bytes
/// differ, and files no longer there are removed.
fn sync_checkout(from: &Path, to: &Path) -> usize {
    let files = checkout_files(from);
    let mut keep = std::collections::HashSet::new();
    for rel in files {
        let src = from.join(&rel);
        if !src.is_file() {
            continue; // deleted in the work tree
        }
        let dst = to.join(&rel);
        let bytes = fs::read(&src).unwrap();
        if fs::read(&dst).ok().as_deref() != Some(&bytes[..]) {
            fs::create_dir_all(dst.parent().unwrap()).unwrap();
            fs::write(&dst, &bytes).unwrap();
        }
        let mode = fs::metadata(&src).unwrap().permissions();
        fs::set_permissions(&dst, mode).unwrap();
        keep.insert(rel);
    }
    remove_others(to, to, &keep);
    keep.len()
}

/// `git ls-files` (tracked and new, not ignored); outside a git checkout
/// (an unpacked tarball), every file but target/, .cache/ and .git/.
fn checkout_files(from: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(from)
        .output()
        .ok()
        .filter(|o| o.status.success());
    if let Some(out) = listed {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| PathBuf::from(std::str::from_utf8(s).unwrap()))
            .collect();
    }
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if p.is_dir() {
                if !matches!(rel.to_str(), Some("target" | ".cache" | ".git")) {
                    walk(root, &p, out);
                }
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(from, from, &mut out);
    out
}

fn remove_others(root: &Path, dir: &Path, keep: &std::collections::HashSet<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            remove_others(root, &p, keep);
        } else if !keep.contains(p.strip_prefix(root).unwrap()) {
            fs::remove_file(&p).unwrap();
        }
    }
}

#[test]
fn the_wheel_installs_from_the_file_alone_and_pip_installs_a_checkout() {
    let tools = require_tools!();
    let Some((maturin, maturin_wheels)) = maturin() else {
        common::skip("no maturin (AW_TEST_MATURIN, AW_TEST_MATURIN_WHEELS)");
        return;
    };
    let mut sb = Sandbox::with_tools(&tools);
    let checkout = target_dir().join("wheel-checkout");
    let count = sync_checkout(Path::new(env!("CARGO_MANIFEST_DIR")), &checkout);
    assert!(
        checkout.join("pyproject.toml").is_file() && count > 50,
        "{count} files"
    );
    let dist = sb.root().join("dist");

    // 1. The release check itself: version, build, guarded upload, install back.
    let mut c = build_command(checkout.join("scripts/release-self"));
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

    // 2. One wheel, for Cargo.toml's version, with the binary (executable) and the licence.
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

    // 3. A fresh venv, from the wheel file only: no index, no cargo.
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

    // 4. `pip install .` of the checkout copy (what `pipx install .` runs): the
    // isolated build gets maturin from the cache's wheel only, and reuses step 1's build.
    let venv2 = sb.root().join("venv-from-source");
    let py2 = fresh_venv(&tools, &venv2);
    let mut c = build_command(&tools.py311);
    c.args(["-m", "pip", "--python"])
        .arg(&py2)
        .args(["install", "--no-cache-dir", "--no-index", "--find-links"])
        .arg(&maturin_wheels)
        .arg(".")
        .current_dir(&checkout);
    let r = run(&mut c, BUILD);
    assert!(r.ok(), "pip install . in a checkout copy:\n{}", r.output);
    let exe2 = venv2.join("bin/arcaflow-wizard");
    let v = run_installed(&sb, &exe2, &["--version"]);
    assert_eq!(
        v.output.trim(),
        format!("arcaflow-wizard {VERSION}"),
        "{v:?}"
    );
    assert!(
        !checkout.join("target").exists(),
        "the build wrote target/ into the checkout"
    );
}

/// The version check comes first: a pyproject.toml whose version is not
/// Cargo.toml's stops release-self before anything is built.
#[test]
fn release_self_stops_on_a_second_version() {
    let tools = require_tools!();
    let Some((maturin, _)) = maturin() else {
        common::skip("no maturin (AW_TEST_MATURIN, AW_TEST_MATURIN_WHEELS)");
        return;
    };
    let sb = Sandbox::with_tools(&tools);
    let repo = sb.root().join("repo");
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(repo.join("scripts")).unwrap();
    fs::copy(
        here.join("scripts/release-self"),
        repo.join("scripts/release-self"),
    )
    .unwrap();
    fs::copy(here.join("Cargo.toml"), repo.join("Cargo.toml")).unwrap();
    let pyproject = fs::read_to_string(here.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("dynamic = [\"version\"]"), "{pyproject}");
    fs::write(
        repo.join("pyproject.toml"),
        pyproject.replace("dynamic = [\"version\"]", "version = \"9.9.9\""),
    )
    .unwrap();
    let mut c = build_command(repo.join("scripts/release-self"));
    c.env("MATURIN", &maturin)
        .env("PYPI_SERVER", &tools.pypiserver)
        .env("PYTHON", &tools.py311);
    let r = run(&mut c, Duration::from_secs(120));
    assert_eq!(r.code, Some(1), "{}", r.output);
    assert!(
        r.output.contains(&format!(
            "pyproject.toml: version 9.9.9, Cargo.toml: {VERSION}"
        )),
        "{}",
        r.output
    );
    assert!(!r.output.contains("maturin build"), "{}", r.output);
}
