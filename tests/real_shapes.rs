//! doctor on the shapes the official plugins use (tests/fixtures/plugins/, one
//! folder per shape, written by hand from the published plugins): no PROBLEM
//! but the true ones. And the one finding that says "the official build
//! fails" on such a shape, reproduced with the official build's Poetry 1.8.3
//! on Python 3.9.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{copy_dir, run, Sandbox};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(300);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins")
}

/// (shape, the problems that are true for it). No fixture ships a poetry.lock
/// (it would pin an index URL), so `lock-missing` is true for every one.
const SHAPES: [(&str, &[&str]); 11] = [
    ("module-from-dotslash", &["lock-missing"]),
    ("module-at-root", &["lock-missing"]),
    ("module-from-plain", &["lock-missing"]),
    ("folder-include", &["lock-missing"]),
    ("no-packages", &["lock-missing"]),
    ("underscore-name", &["lock-missing"]),
    ("legacy-dev-dependencies", &["lock-missing"]),
    ("no-dev-group", &["pyproject-no-dev-group", "lock-missing"]),
    ("tests-unit", &["lock-missing"]),
    ("py312-sdk-0144", &["lock-missing"]),
    ("dnf-build-stage", &["lock-missing"]),
];

fn doctor_json(sb: &Sandbox, dir: &Path) -> (Option<i32>, Value) {
    let ran = run(sb.wizard().arg("doctor").arg(dir).arg("--json"), TIMEOUT);
    let start = ran.output.rfind("\n{\n").map(|i| i + 1).unwrap_or(0);
    let v: Value = serde_json::from_str(ran.output[start..].trim())
        .unwrap_or_else(|e| panic!("doctor --json did not print JSON ({e}):\n{}", ran.output));
    (ran.code, v)
}

fn by_id<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {v:#}"))
}

#[test]
fn every_shape_has_only_its_true_problems() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    // Exactly one Poetry (the official build's) and a Python 3.9, so the
    // machine checks have nothing to say.
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry1), ("python3", &tools.py39)],
    );
    sb.set_path(&[bin]);
    let names: Vec<String> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for n in &names {
        assert!(
            SHAPES.iter().any(|(s, _)| s == n),
            "fixture {n} has no row in SHAPES"
        );
    }
    for (shape, expected) in SHAPES {
        let dir = sb.work().join(shape);
        copy_dir(&fixtures().join(shape), &dir).unwrap();
        let (code, v) = doctor_json(&sb, &dir);
        let mut problems: Vec<&str> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "problem")
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        problems.sort_unstable();
        let mut want = expected.to_vec();
        want.sort_unstable();
        assert_eq!(problems, want, "{shape}: {v:#}");
        assert_eq!(code, Some(1), "{shape}");
        if shape == "py312-sdk-0144" {
            let f = by_id(&v, "pyproject-python-not-3-9");
            assert_eq!(f["severity"], "warning");
            assert!(
                f["title"].as_str().unwrap().contains("0.5.x base images"),
                "{f:#}"
            );
        }
        // The layout is read as Poetry and the Dockerfile read it.
        for id in [
            "layout-code-folder",
            "layout-dockerfile-package",
            "layout-dockerfile-entry",
            "layout-dockerfile-tests",
        ] {
            // Without `ARG package` (the code is at the root) there is nothing to judge.
            if shape == "module-at-root" && id == "layout-dockerfile-package" {
                let any = v["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["id"] == id);
                assert!(!any, "{shape}: {v:#}");
                continue;
            }
            assert_eq!(by_id(&v, id)["severity"], "ok", "{shape}: {id}: {v:#}");
        }
        // Only folder-include carries the official workflow; the others are
        // told to add one (a warning, with the file it would write).
        if shape == "folder-include" {
            assert_eq!(by_id(&v, "act-workflow")["severity"], "ok", "{v:#}");
            let d = by_id(&v, "act-workflow-docsgen-path");
            assert_eq!(d["severity"], "ok", "{d:#}");
            assert!(
                d["title"]
                    .as_str()
                    .unwrap()
                    .contains("arcaflow_plugin_nod/nod_plugin.py"),
                "{d:#}"
            );
        } else {
            let f = by_id(&v, "act-workflow");
            assert_eq!(f["severity"], "warning", "{shape}: {f:#}");
        }
    }
}

#[test]
fn a_module_include_is_never_taken_for_a_folder() {
    let sb = Sandbox::new();
    let dir = sb.work().join("p");
    copy_dir(&fixtures().join("module-from-dotslash"), &dir).unwrap();
    let (_, v) = doctor_json(&sb, &dir);
    let f = by_id(&v, "layout-code-folder");
    assert_eq!(
        f["title"],
        "the code folder arcaflow_plugin_hello/ holds arcaflow_plugin_hello/hello_plugin.py, as pyproject.toml says"
    );
    let f = by_id(&v, "layout-dockerfile-package");
    assert_eq!(
        f["title"],
        "the Dockerfile's ARG package is the code folder arcaflow_plugin_hello"
    );
    let f = by_id(&v, "layout-dockerfile-tests");
    assert!(
        f["title"].as_str().unwrap().starts_with(
            "the official build runs the tests in tests/test_arcaflow_plugin_hello.py"
        ),
        "{f:#}"
    );
    assert!(
        f["detail"]
            .as_str()
            .unwrap()
            .ends_with("PYTHONPATH arcaflow_plugin_hello"),
        "{f:#}"
    );

    // The module moved away: a problem that names it, and no Dockerfile edit.
    fs::rename(
        dir.join("arcaflow_plugin_hello/hello_plugin.py"),
        dir.join("arcaflow_plugin_hello/other.py"),
    )
    .unwrap();
    let (_, v) = doctor_json(&sb, &dir);
    let f = by_id(&v, "layout-code-folder");
    assert_eq!(f["severity"], "problem", "{f:#}");
    assert!(
        f["title"]
            .as_str()
            .unwrap()
            .contains("arcaflow_plugin_hello/hello_plugin.py, which is not there"),
        "{f:#}"
    );
    assert_eq!(by_id(&v, "layout-dockerfile-package")["severity"], "ok");
    assert_eq!(by_id(&v, "layout-dockerfile-entry")["severity"], "warning");
}

/// The finding "no dev group: the official Dockerfile's `poetry install
/// --without dev` fails" is true: Poetry 1.8.3 on Python 3.9, run as the
/// official Dockerfile runs it, stops on the no-dev-group shape; with an empty
/// dev group (doctor's fix) the same command goes through.
#[test]
fn no_dev_group_fails_the_official_install() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry1), ("python3", &tools.py39)],
    );
    sb.set_path(&[bin]);
    let dir = sb.work().join("no-dev-group");
    copy_dir(&fixtures().join("no-dev-group"), &dir).unwrap();
    // The local index, so the control run resolves without the internet.
    let source = format!(
        "\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n",
        tools.index_url
    );
    let pyproject = fs::read_to_string(dir.join("pyproject.toml")).unwrap() + &source;
    fs::write(dir.join("pyproject.toml"), &pyproject).unwrap();
    let (_, v) = doctor_json(&sb, &dir);
    assert_eq!(by_id(&v, "pyproject-no-dev-group")["severity"], "problem");

    let install = |sb: &Sandbox| {
        run(
            sb.command(&tools.poetry1)
                .args([
                    "install",
                    "--without",
                    "dev",
                    "--no-root",
                    "--no-interaction",
                ])
                .current_dir(&dir),
            TIMEOUT,
        )
    };
    let ran = install(&sb);
    assert_ne!(ran.code, Some(0), "{}", ran.output);
    assert!(
        ran.output
            .contains("Group(s) not found: dev (via --without)"),
        "{}",
        ran.output
    );
    let version = run(sb.command(&tools.poetry1).arg("--version"), TIMEOUT);
    assert!(version.output.contains("1.8.3"), "{}", version.output);

    // Control: the same project with an empty dev group installs.
    fs::write(
        dir.join("pyproject.toml"),
        pyproject.replace(
            "[build-system]",
            "[tool.poetry.group.dev.dependencies]\n\n[build-system]",
        ),
    )
    .unwrap();
    let ran = install(&sb);
    assert_eq!(ran.code, Some(0), "{}", ran.output);
}

/// pyproject.toml that is not UTF-8: one problem, not silently skipped checks.
#[test]
fn a_pyproject_that_is_not_utf8_is_a_problem() {
    let sb = Sandbox::new();
    let dir = sb.work().join("latin1");
    copy_dir(&fixtures().join("module-from-dotslash"), &dir).unwrap();
    let mut bytes = fs::read(dir.join("pyproject.toml")).unwrap();
    // `description = "Caf\xe9"` as Latin-1 on line 4.
    let at = bytes
        .windows(13)
        .position(|w| w == b"description =")
        .unwrap();
    bytes.splice(at..at, b"description = \"Caf\xe9\"\n#".iter().copied());
    fs::write(dir.join("pyproject.toml"), &bytes).unwrap();
    let (code, v) = doctor_json(&sb, &dir);
    assert_eq!(code, Some(1));
    let f = by_id(&v, "pyproject-invalid");
    assert_eq!(f["severity"], "problem");
    assert_eq!(
        f["title"],
        "pyproject.toml is not UTF-8 text (line 4, byte 19 of that line): TOML must be UTF-8, and Poetry cannot read it"
    );
    assert!(
        f["fix"]["command"].as_str().unwrap().contains("as UTF-8"),
        "{f:#}"
    );
}
