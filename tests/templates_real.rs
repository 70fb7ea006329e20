//! The rendered plugin skeleton, run for real: its tests pass both the way the
//! official image runs them and the way the wizard does, `--schema` prints a
//! schema, a step runs, and flake8 (with the rendered `.flake8`) finds nothing.
//!
//! Needs `AW_TEST_PY39` (a Python 3.9 interpreter); `AW_TEST_PY311` adds a run on
//! 3.11; `AW_TEST_INDEX_URL` is the package index to install the SDK 0.14.3,
//! flake8 and coverage from (pip's default index when unset). Without
//! `AW_TEST_PY39` the tests skip, saying why on stderr, unless
//! `AW_TEST_REQUIRE_TOOLS=1`, which makes them fail instead.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::preflight;
use arcaflow_wizard::templates::{render_all, Vars};

/// The interpreter named by `var`, or `None` after saying why the test skips.
fn python_from_env(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => {
            assert!(
                std::env::var("AW_TEST_REQUIRE_TOOLS").as_deref() != Ok("1"),
                "{var} is not set, and AW_TEST_REQUIRE_TOOLS=1 forbids skipping"
            );
            common::record_skip(&format!("{var} is not set"));
            eprintln!("skipping: {var} is not set (scripts/test sets it to a Python interpreter)");
            None
        }
    }
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> Output {
    let shown = format!("{cmd:?}");
    cmd.env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH")
        .env_remove("VIRTUAL_ENV")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Runs the command and returns its stdout, failing the test with all its output
/// when it fails.
fn ok(cmd: &mut Command, stdin: Option<&str>) -> (String, String) {
    let shown = format!("{cmd:?}");
    let out = run(cmd, stdin);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{shown} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

/// A venv made by `python` with the SDK 0.14.3, flake8 and coverage; returns its python.
fn venv(python: &Path, dir: &Path) -> PathBuf {
    let venv = dir.join("venv");
    ok(Command::new(python).arg("-m").arg("venv").arg(&venv), None);
    let vpy = venv.join("bin").join("python");
    let mut pip = Command::new(&vpy);
    pip.args(["-m", "pip", "install", "--quiet"]);
    if let Ok(index) = std::env::var("AW_TEST_INDEX_URL") {
        if !index.is_empty() {
            pip.args(["--index-url", &index]);
        }
    }
    pip.args(["arcaflow-plugin-sdk==0.14.3", "flake8", "coverage"]);
    ok(&mut pip, None);
    vpy
}

fn write_project(names: &PluginNames, root: &Path) {
    let vars = Vars {
        description: "Greets people, as a test.".into(),
        version: "0.1.0".into(),
    };
    for f in render_all(names, &vars) {
        let p = root.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.contents).unwrap();
    }
    // `poetry new` makes these; the checks only need them to be there.
    std::fs::write(root.join("pyproject.toml"), "").unwrap();
    std::fs::write(root.join("tests").join("__init__.py"), "").unwrap();
}

fn check_skeleton(python: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let vpy = venv(python, tmp.path());
    // An ordinary name, and the longest one the wizard accepts (line lengths).
    for short in ["my-thing", "abcdefghijabcdefghijabcdefghijabcdefghij"] {
        let names = PluginNames::parse(short).unwrap();
        let root = tmp.path().join(names.dist());
        write_project(&names, &root);
        let code = root.join(names.package());
        let test_file = names.test_file();

        // The wizard's way: from the project root, under coverage.
        let (_, err) = ok(
            Command::new(&vpy)
                .args(["-m", "coverage", "run", &test_file])
                .current_dir(&root),
            None,
        );
        assert!(err.contains("Ran 4 tests") && err.contains("OK"), "{err}");
        ok(
            Command::new(&vpy)
                .args(["-m", "coverage", "report"])
                .current_dir(&root),
            None,
        );
        // Plain python, from the project root.
        let (_, err) = ok(Command::new(&vpy).arg(&test_file).current_dir(&root), None);
        assert!(err.contains("OK"), "{err}");
        // The official image's way: code folder on PYTHONPATH, run from /app.
        let (_, err) = ok(
            Command::new(&vpy)
                .args(["-m", "coverage", "run", &test_file])
                .current_dir(&root)
                .env("PYTHONPATH", &code),
            None,
        );
        assert!(err.contains("OK"), "{err}");

        // The image's entry point: from the code folder.
        let entry = format!("{}.py", names.entry_module());
        let (schema, _) = ok(
            Command::new(&vpy)
                .args([&entry, "--schema"])
                .current_dir(&code),
            None,
        );
        for want in ["hello-world", "InputParams", "SuccessOutput", "ErrorOutput"] {
            assert!(schema.contains(want), "--schema lacks {want}:\n{schema}");
        }
        let (out, _) = ok(
            Command::new(&vpy)
                .args([&entry, "-f", "-"])
                .current_dir(&code),
            Some("name: Arca\n"),
        );
        assert!(out.contains("output_id: success"), "{out}");
        assert!(out.contains("Hello, Arca!"), "{out}");
        let (out, _) = ok(
            Command::new(&vpy)
                .args([&entry, "-f", "-"])
                .current_dir(&code),
            Some("name: '   '\n"),
        );
        assert!(out.contains("output_id: error"), "{out}");
        // The example input, as the README and the test-build step run it
        // (from the root), and as the compose file mounts it (from /app/pkg).
        let entry_path = format!("{}/{entry}", names.package());
        let (out, _) = ok(
            Command::new(&vpy)
                .args([&entry_path, "-f", "inputs/example.yaml"])
                .current_dir(&root),
            None,
        );
        assert!(out.contains("output_id: success"), "{out}");
        let mounted = root.join("inputs/example.yaml");
        let (out, _) = ok(
            Command::new(&vpy)
                .arg(&entry)
                .arg("-f")
                .arg(&mounted)
                .current_dir(&code),
            None,
        );
        assert!(out.contains("output_id: success"), "{out}");

        // Installed as a package (what a PyPI install gives): the relative import.
        ok(
            Command::new(&vpy)
                .args([
                    "-c",
                    &format!(
                        "from {}.{} import hello_world; print(hello_world.id)",
                        names.package(),
                        names.entry_module()
                    ),
                ])
                .current_dir(&root),
            None,
        );

        // What Arcaflow's Python deployer runs once pip installed the plugin:
        // `python -m <package>` finds the package's __main__.py.
        let (out, _) = ok(
            Command::new(&vpy)
                .args(["-m", &names.package(), "-f", "-"])
                .current_dir(&root),
            Some("name: Arca\n"),
        );
        assert!(out.contains("output_id: success"), "{out}");
        assert!(out.contains("Hello, Arca!"), "{out}");

        // ACT's code-style check, with the rendered .flake8, over the whole project.
        let out = run(
            Command::new(&vpy)
                .args(preflight::flake8_args())
                .current_dir(&root),
            None,
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let flake8 = preflight::flake8_check(out.status.success(), &text);
        assert!(flake8.ok, "flake8 for {short}:\n{}", flake8.detail);

        // And every other ACT check.
        let failed: Vec<_> = preflight::check_project(&root)
            .into_iter()
            .filter(|c| !c.ok)
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }
}

#[test]
fn skeleton_works_on_python39() {
    if let Some(py) = python_from_env("AW_TEST_PY39") {
        check_skeleton(&py);
    }
}

#[test]
fn skeleton_works_on_python311() {
    if let Some(py) = python_from_env("AW_TEST_PY311") {
        check_skeleton(&py);
    }
}
