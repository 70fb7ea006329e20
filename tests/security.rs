//! A stranger's clone runs nothing, and the token goes only to its index
//! (issue 13): real processes, files, git and Python; stand-ins only for a
//! program whose environment is what the test reads.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{run, Ran, Sandbox};

const TIMEOUT: Duration = Duration::from_secs(300);
const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHNlY3VyaXR5LXRlc3QtdG9rZW4tdmFsdWU";

const PYPROJECT: &str = r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = "Says hello"
authors = ["Jane Doe <jane@example.com>"]
packages = [{ include = "arcaflow_plugin_example" }]

[tool.poetry.dependencies]
python = "^3.9"
arcaflow-plugin-sdk = "^0.14.3"

[tool.poetry.group.dev.dependencies]
flake8 = "^7"
coverage = "^7"
"#;

/// A plugin project (pyproject.toml and a module) in `work/NAME`.
fn project(sb: &Sandbox, name: &str) -> PathBuf {
    let dir = sb.work().join(name);
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(dir.join("pyproject.toml"), PYPROJECT).unwrap();
    fs::write(dir.join("arcaflow_plugin_example/__init__.py"), "").unwrap();
    fs::write(
        dir.join("arcaflow_plugin_example/example_plugin.py"),
        "x = 1\n",
    )
    .unwrap();
    dir
}

fn write_exe(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

fn git(sb: &Sandbox, dir: &Path, args: &[&str]) {
    let mut c = sb.command("git");
    c.args([
        "-c",
        "user.name=Tester",
        "-c",
        "user.email=t@example.com",
        "-c",
        "init.defaultBranch=main",
    ])
    .args(args)
    .current_dir(dir);
    let r = run(&mut c, Duration::from_secs(30));
    assert!(r.ok(), "git {args:?}: {}", r.output);
}

fn doctor(sb: &Sandbox, dir: &Path) -> (Ran, serde_json::Value) {
    let mut cmd = sb.wizard();
    cmd.arg("doctor").arg(dir).arg("--json");
    let ran = run(&mut cmd, TIMEOUT);
    let start = ran.output.rfind("\n{\n").map(|i| i + 1).unwrap_or(0);
    let v: serde_json::Value = serde_json::from_str(ran.output[start..].trim())
        .unwrap_or_else(|e| panic!("doctor --json did not print JSON ({e}):\n{}", ran.output));
    (ran, v)
}

fn finding<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {v:#}"))
}

fn which_git() -> bool {
    std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A `.venv` that came with the repository is never run: neither one whose
/// `bin/python` is a script in the tree, nor one whose `bin/python` links to
/// a real Python but whose site-packages holds a `.pth` (which Python runs at
/// start-up). Git tracks it: a PROBLEM of its own.
#[test]
fn doctor_runs_no_committed_venv() {
    if !which_git() || !Path::new("/usr/bin/python3").exists() {
        common::skip("no git or /usr/bin/python3");
        return;
    }
    let sb = Sandbox::new();
    let marker = sb.root().join("ran");
    for (name, linked) in [("script-venv", false), ("pth-venv", true)] {
        let dir = project(&sb, name);
        let venv = dir.join(".venv");
        let site = venv.join("lib/python3.11/site-packages");
        fs::create_dir_all(site.join("flake8-7.1.0.dist-info")).unwrap();
        fs::create_dir_all(site.join("arcaflow_plugin_sdk-0.14.3.dist-info")).unwrap();
        fs::write(
            venv.join("pyvenv.cfg"),
            "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n",
        )
        .unwrap();
        fs::write(
            site.join("planted.pth"),
            format!(
                "import os; open({:?}, 'a').write('pth in {name}\\n')\n",
                marker.display()
            ),
        )
        .unwrap();
        if linked {
            fs::create_dir_all(venv.join("bin")).unwrap();
            symlink("/usr/bin/python3", venv.join("bin/python")).unwrap();
        } else {
            write_exe(
                &venv.join("bin/python"),
                &format!(
                    "#!/bin/sh\necho \"script in {name}: $*\" >> '{}'\nexec /usr/bin/python3 \"$@\"\n",
                    marker.display()
                ),
            );
        }
        git(&sb, &dir, &["init", "-q"]);
        git(&sb, &dir, &["add", "-A", "-f"]);
        git(&sb, &dir, &["commit", "-q", "-m", "a stranger's clone"]);

        let (ran, v) = doctor(&sb, &dir);
        assert!(
            !marker.exists(),
            "doctor ran the committed venv ({name}): {}\n{}",
            fs::read_to_string(&marker).unwrap_or_default(),
            ran.output
        );
        let f = finding(&v, "venv-tracked");
        assert_eq!(f["severity"], "problem", "{f:#}");
        assert_eq!(ran.code, Some(1), "{}", ran.output);
        let flake8 = finding(&v, "act-flake8");
        assert!(
            flake8["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("flake8 was not run"),
            "{flake8:#}"
        );
    }
}

/// A venv git does not track, whose `bin/python` is a file inside the project
/// (not a link to a Python elsewhere), is not run either.
#[test]
fn doctor_runs_no_python_that_lies_inside_the_project() {
    let sb = Sandbox::new();
    let marker = sb.root().join("ran");
    let dir = project(&sb, "inside");
    let venv = dir.join(".venv");
    fs::create_dir_all(venv.join("lib/python3.11/site-packages/flake8-7.1.0.dist-info")).unwrap();
    fs::write(
        venv.join("pyvenv.cfg"),
        "home = /usr/bin\nversion = 3.11.2\n",
    )
    .unwrap();
    write_exe(
        &venv.join("bin/python"),
        &format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n", marker.display()),
    );
    let (ran, v) = doctor(&sb, &dir);
    assert!(
        !marker.exists(),
        "doctor ran {}/bin/python: {}\n{}",
        venv.display(),
        fs::read_to_string(&marker).unwrap_or_default(),
        ran.output
    );
    let flake8 = finding(&v, "act-flake8");
    let detail = flake8["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("inside the project"), "{flake8:#}");
}

/// flake8 imports the plugins a project's config names: doctor says so and
/// does not start flake8 (the real one, from scripts/test).
#[test]
fn doctor_runs_no_flake8_local_plugin() {
    let tools = require_tools!();
    let flake8 = tools.tools_bin.join("flake8");
    if !flake8.exists() {
        common::skip("no flake8 in AW_TEST_TOOLS_BIN");
        return;
    }
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir("flake8", &[("flake8", &flake8)]);
    sb.set_path(&[bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")]);
    let marker = sb.root().join("ran");
    for (file, text) in [
        (".flake8", "[flake8]\nmax-line-length = 88\n"),
        ("setup.cfg", "[metadata]\nname = x\n"),
        ("tox.ini", "[tox]\nenvlist = py39\n"),
    ] {
        let dir = project(&sb, &format!("plugins-in-{}", file.trim_start_matches('.')));
        fs::write(
            dir.join("planted_check.py"),
            format!(
                "open({:?}, 'a').write('local plugin ran\\n')\n\nclass Plugin:\n    name = 'planted'\n    version = '1'\n\n    def __init__(self, tree):\n        pass\n\n    def run(self):\n        return iter(())\n",
                marker.display()
            ),
        )
        .unwrap();
        let with_plugins = format!(
            "{text}\n[flake8:local-plugins]\nextension =\n    PLT = planted_check:Plugin\npaths = ./\n"
        );
        fs::write(dir.join(file), with_plugins).unwrap();
        let (ran, v) = doctor(&sb, &dir);
        assert!(
            !marker.exists(),
            "flake8 ran the project's local plugin ({file}):\n{}",
            ran.output
        );
        let f = finding(&v, "act-flake8");
        let detail = f["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("flake8 was not run") && detail.contains(file),
            "{f:#}"
        );
        assert_eq!(f["severity"], "warning", "{f:#}");
    }
    // The same project without the section: flake8 runs (the check can fail).
    let dir = sb.work().join("plugins-in-flake8");
    fs::write(dir.join(".flake8"), "[flake8]\nmax-line-length = 88\n").unwrap();
    let (ran, v) = doctor(&sb, &dir);
    let f = finding(&v, "act-flake8");
    assert!(
        !f["detail"].as_str().unwrap_or_default().contains("not run"),
        "{f:#}\n{}",
        ran.output
    );
}

/// With no venv yet, doctor's flake8 line says flake8 was not run and how
/// to make the venv, not that flake8 is "probably not installed".
#[test]
fn doctor_says_flake8_was_not_run_without_a_venv() {
    let sb = Sandbox::new();
    let dir = project(&sb, "no-venv");
    let (ran, v) = doctor(&sb, &dir);
    let f = finding(&v, "act-flake8");
    let detail = f["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("flake8 was not run") && detail.contains("no virtualenv yet"),
        "{f:#}\n{}",
        ran.output
    );
    assert!(!detail.contains("probably not installed"), "{f:#}");
    // Not run is not failed: the count leaves it out, and says so.
    let count = finding(&v, "act-checks")["title"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(count.ends_with("(flake8 not run)"), "{count}");
    assert!(
        f["fix"]["command"]
            .as_str()
            .unwrap_or_default()
            .contains("poetry install"),
        "{f:#}"
    );
    assert_eq!(f["severity"], "warning", "{f:#}");
}

/// No child of doctor sees an upload credential, and Poetry runs with the
/// null keyring (the sandbox does not set one). The stand-in `poetry` on
/// PATH writes its environment to a file each time it runs.
#[test]
fn no_child_sees_the_users_credentials() {
    let mut sb = Sandbox::new();
    let seen = sb.root().join("seen");
    let bin = sb.root().join("standin-bin");
    write_exe(
        &bin.join("poetry"),
        &format!(
            "#!/bin/sh\n{{ echo \"== poetry $*\"; env; echo '== end'; }} >> '{}'\necho 'Poetry (version 1.8.3)'\n",
            seen.display()
        ),
    );
    sb.set_path(&[bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")]);
    sb.remove_env("PYTHON_KEYRING_BACKEND");
    let vars = [
        ("POETRY_PYPI_TOKEN_PYPI", TOKEN),
        (
            "POETRY_HTTP_BASIC_MIRROR_PASSWORD",
            "hunter2-mirror-password",
        ),
        ("POETRY_HTTP_BASIC_MIRROR_USERNAME", "jane"),
        ("TWINE_PASSWORD", "twine-password-value"),
        ("TWINE_USERNAME", "__token__"),
    ];
    for (k, v) in vars {
        sb.set_env(k, v);
    }
    let dir = project(&sb, "creds");
    fs::write(dir.join("poetry.lock"), "# a lock\n").unwrap();
    let (ran, _) = doctor(&sb, &dir);
    let text = fs::read_to_string(&seen)
        .unwrap_or_else(|_| panic!("the stand-in poetry never ran:\n{}", ran.output));
    for (k, v) in vars {
        assert!(!text.contains(k), "a child saw {k}:\n{text}");
        assert!(!text.contains(v), "a child saw the value of {k}");
    }
    // A probe killed by its timeout (a loaded machine) leaves a record cut
    // short: only whole records say what environment a call had.
    let whole: Vec<&str> = text
        .split("== poetry ")
        .skip(1)
        .filter(|c| c.contains("== end"))
        .collect();
    assert!(
        !whole.is_empty(),
        "no call of the stand-in finished:\n{text}"
    );
    for call in whole {
        assert!(
            call.contains("PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring"),
            "poetry ran with a keyring: {call}"
        );
    }
    assert!(!ran.output.contains(TOKEN), "{}", ran.output);
}

/// A token variable that is not UTF-8: no panic (whose message would hold
/// the value), and no part of the value on screen.
#[test]
fn a_token_that_is_not_text_panics_nothing_and_shows_nothing() {
    let mut sb = Sandbox::new();
    let mut raw = b"pypi-\xff".to_vec();
    raw.extend_from_slice(&TOKEN.as_bytes()[5..]);
    let value = OsStr::from_bytes(&raw);
    sb.set_env("POETRY_PYPI_TOKEN_PYPI", value);
    sb.set_env("POETRY_PYPI_TOKEN_LOCAL", value);
    let dir = project(&sb, "bytes");
    let mut cmd = sb.wizard();
    cmd.arg("doctor").arg(&dir).arg("--plain");
    let ran = run(&mut cmd, TIMEOUT);
    assert!(matches!(ran.code, Some(0 | 1)), "{}", ran.output);
    assert!(!ran.output.contains("panicked"), "{}", ran.output);
    assert!(!ran.output.contains(&TOKEN[10..30]), "{}", ran.output);

    let mut cmd = sb.wizard();
    cmd.arg("release")
        .arg(&dir)
        .args([
            "--repository",
            "local",
            "--repository-url",
            "http://127.0.0.1:9/",
        ])
        .args(["--yes"]);
    let ran = run(&mut cmd, TIMEOUT);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("POETRY_PYPI_TOKEN_LOCAL"),
        "{}",
        ran.output
    );
    assert!(!ran.output.contains("panicked"), "{}", ran.output);
    assert!(!ran.output.contains(&TOKEN[10..30]), "{}", ran.output);
}

/// A project folder whose name is not UTF-8: a clear message and exit 2,
/// not a `\u{FFFD}` folder; nothing is made.
#[test]
fn a_folder_name_that_is_not_text_is_refused() {
    let sb = Sandbox::new();
    let name = OsStr::from_bytes(b"caf\xe9-plugin");
    let dir = sb.work().join(name);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("pyproject.toml"), PYPROJECT).unwrap();
    let before: Vec<_> = fs::read_dir(sb.work())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    for args in [
        vec!["doctor", "--plain"],
        vec!["release", "--yes", "--version", "patch"],
    ] {
        let mut cmd = sb.wizard();
        cmd.arg(args[0]).arg(&dir).args(&args[1..]);
        let ran = run(&mut cmd, TIMEOUT);
        assert_eq!(ran.code, Some(2), "{args:?}: {}", ran.output);
        assert!(ran.output.contains("not UTF-8"), "{args:?}: {}", ran.output);
    }
    let mut cmd = sb.wizard();
    cmd.args(["new", "--yes", "--name", "example"])
        .arg(sb.work().join(OsStr::from_bytes(b"new-\xe9")));
    let ran = run(&mut cmd, TIMEOUT);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(ran.output.contains("not UTF-8"), "{}", ran.output);
    let after: Vec<_> = fs::read_dir(sb.work())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before, after, "a folder was made");
}

/// The PyPI token goes only to PyPI: `--repository PYPI` with another URL,
/// TestPyPI's name with another URL, plain http to another machine, and a
/// URL holding credentials or a query are refused (exit 2) before anything
/// runs, the secret parts not repeated.
#[test]
fn the_token_goes_only_to_its_own_index() {
    let mut sb = Sandbox::new();
    sb.set_env("POETRY_PYPI_TOKEN_PYPI", TOKEN);
    sb.set_env("POETRY_PYPI_TOKEN_TESTPYPI", TOKEN);
    sb.set_env("POETRY_PYPI_TOKEN_MINE", TOKEN);
    let dir = project(&sb, "targets");
    let before = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    for (repo, url, expect, hidden) in [
        ("PYPI", "http://127.0.0.1:9/", "PyPI itself", ""),
        ("PyPI", "https://upload.example/", "PyPI itself", ""),
        ("TestPyPI", "https://upload.example/legacy/", "TestPyPI", ""),
        ("mine", "http://upload.example/", "https://", ""),
        (
            "mine",
            "https://jane:s3cret-pass@upload.example/",
            "credentials",
            "s3cret-pass",
        ),
        (
            "mine",
            "https://s3cretuser@upload.example/",
            "credentials",
            "s3cretuser",
        ),
        (
            "mine",
            "https://upload.example/?key=s3cret-query",
            "query",
            "s3cret-query",
        ),
    ] {
        let mut cmd = sb.wizard();
        cmd.arg("release")
            .arg(&dir)
            .args(["--repository", repo, "--repository-url", url, "--yes"]);
        let ran = run(&mut cmd, TIMEOUT);
        assert_eq!(ran.code, Some(2), "{repo} {url}: {}", ran.output);
        assert!(ran.output.contains(expect), "{repo} {url}: {}", ran.output);
        if !hidden.is_empty() {
            assert!(!ran.output.contains(hidden), "{repo}: {}", ran.output);
        }
        assert!(!ran.output.contains(TOKEN), "{}", ran.output);
    }
    assert_eq!(
        fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
        before
    );
}

/// `release --yes` with no token points at POETRY_PYPI_TOKEN_<NAME>, never
/// at a file that would hold the token.
#[test]
fn release_yes_without_a_token_names_the_variable_not_a_file() {
    let sb = Sandbox::new();
    let dir = project(&sb, "no-token");
    let mut cmd = sb.wizard();
    cmd.arg("release").arg(&dir).args([
        "--repository",
        "local",
        "--repository-url",
        "http://127.0.0.1:9/",
        "--yes",
    ]);
    let ran = run(&mut cmd, TIMEOUT);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("POETRY_PYPI_TOKEN_LOCAL"),
        "{}",
        ran.output
    );
    for file_advice in ["-token", "cat >", "umask"] {
        assert!(
            !ran.output.contains(file_advice),
            "{file_advice}: {}",
            ran.output
        );
    }
}
