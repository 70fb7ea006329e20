//! One test per doctor id that the README lists and no other test produced:
//! each builds the real setup (a PATH with no python3, an old Python alone, a
//! Poetry off PATH, Poetry 1.1.15, a venv without the SDK, tokens in auth.toml
//! and the environment, ...) and reads `doctor --json`.
//!
//! Every sandbox moves `/` (`ARCAFLOW_WIZARD_ROOT`, with an os-release) so that
//! the machine's own /usr/bin interpreters and engines are not found, and has
//! no pyenv: the probes see exactly the PATH the test gives them.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{run, Sandbox, Tools};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(300);

/// `doctor --json` in `dir`: (exit code, the document, the whole output).
fn doctor_json(sb: &Sandbox, dir: &Path) -> (Option<i32>, Value, String) {
    let mut cmd = sb.wizard();
    cmd.arg("doctor").arg(dir).arg("--json");
    let ran = run(&mut cmd, TIMEOUT);
    // stdout and stderr are merged: the document is the last top-level object.
    let start = ran.output.rfind("\n{\n").map(|i| i + 1).unwrap_or(0);
    let v: Value = serde_json::from_str(ran.output[start..].trim())
        .unwrap_or_else(|e| panic!("doctor --json did not print JSON ({e}):\n{}", ran.output));
    assert_eq!(v["version"], 1, "{v}");
    (ran.code, v, ran.output)
}

fn finding<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == id)
}

/// The finding `id`, with this severity and group.
fn expect<'a>(v: &'a Value, id: &str, severity: &str, check: &str) -> &'a Value {
    let f = finding(v, id).unwrap_or_else(|| panic!("no finding {id} in {v:#}"));
    assert_eq!(f["severity"], severity, "{f:#}");
    assert_eq!(f["check"], check, "{f:#}");
    f
}

fn absent(v: &Value, id: &str) {
    assert!(
        finding(v, id).is_none(),
        "{id} should not be reported: {v:#}"
    );
}

fn text<'a>(f: &'a Value, key: &str) -> &'a str {
    f[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {f:#}"))
}

fn fix_command(f: &Value) -> &str {
    f["fix"]["command"]
        .as_str()
        .unwrap_or_else(|| panic!("no fix in {f:#}"))
}

/// A sandbox whose probes see only `links` (and the basic tools) on PATH.
fn machine(links: &[(&str, &Path)]) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.set_os_release("ID=debian\nVERSION_ID=\"12\"\nNAME=\"Debian GNU/Linux\"\n");
    let bin = sb.bin_dir("bin", links);
    sb.set_path(&[bin]);
    sb
}

fn machine_with_tools(tools: &Tools, links: &[(&str, &Path)]) -> Sandbox {
    let mut sb = machine(links);
    sb.set_env("PIP_INDEX_URL", &tools.index_url);
    sb
}

/// A legacy project folder `arcaflow-plugin-example` with this pyproject.toml.
fn project(sb: &Sandbox, pyproject: &str) -> PathBuf {
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(dir.join("arcaflow_plugin_example/__init__.py"), "").unwrap();
    fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    dir
}

fn legacy(python: &str, deps: &str, tail: &str) -> String {
    format!(
        r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = "Says hello"
authors = ["Jane Doe <jane@example.com>"]

[tool.poetry.dependencies]
python = "{python}"
{deps}
[tool.poetry.group.dev.dependencies]
flake8 = "~7.3"
{tail}
[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#
    )
}

const SDK: &str = "arcaflow-plugin-sdk = \"^0.14.3\"\n";

// ------------------------------------------------------------------ Python

#[test]
fn no_interpreter_at_all_is_python_none() {
    let sb = machine(&[]);
    let (code, v, _) = doctor_json(&sb, &sb.work());
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "python-none", "problem", "python");
    assert_eq!(text(f, "title"), "no Python interpreter found");
    // The install command for this distro (Debian here), advice only.
    assert!(fix_command(f).contains("apt"), "{f:#}");
    assert_eq!(f["fix"]["automatic"], false, "{f:#}");
    absent(&v, "python-ok");
}

#[test]
fn only_a_python_older_than_3_9_is_python_none() {
    let tools = require_tools!();
    let Some(py36) = tools.python(6) else {
        common::skip("no Python 3.6 under pyenv");
        return;
    };
    let sb = machine_with_tools(&tools, &[("python3", &py36)]);
    let (code, v, _) = doctor_json(&sb, &sb.work());
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "python-none", "problem", "python");
    assert!(text(f, "title").contains("no Python 3.9 or newer"), "{f:#}");
    // What was found is listed, with its real version.
    assert!(text(f, "detail").contains("3.6."), "{f:#}");
    absent(&v, "python3-too-old");
}

#[test]
fn python_3_11_without_a_python3_is_python3_missing() {
    let tools = require_tools!();
    let sb = machine_with_tools(&tools, &[("python3.11", &tools.py311)]);
    let (_, v, _) = doctor_json(&sb, &sb.work());
    let f = expect(&v, "python3-missing", "warning", "python");
    assert!(text(f, "title").contains("Python 3.11."), "{f:#}");
    let cmd = fix_command(f);
    assert!(
        cmd.starts_with("alias python3=") && cmd.ends_with("python3.11"),
        "{f:#}"
    );
    assert_eq!(f["fix"]["automatic"], false);
    absent(&v, "python-none");
    absent(&v, "python-ok");
}

// ------------------------------------------------------------------ Poetry

#[test]
fn no_poetry_anywhere_is_poetry_missing() {
    let tools = require_tools!();
    let sb = machine_with_tools(&tools, &[("python3", &tools.py311)]);
    let (code, v, _) = doctor_json(&sb, &sb.work());
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "poetry-missing", "problem", "poetry");
    assert!(fix_command(f).contains("pipx install poetry"), "{f:#}");
    absent(&v, "poetry-ok");
}

#[test]
fn poetry_in_local_bin_off_path_is_poetry_not_on_path() {
    let tools = require_tools!();
    let sb = machine_with_tools(&tools, &[("python3", &tools.py311)]);
    // Where pipx and the official installer put the command: ~/.local/bin,
    // which this PATH lacks (a login shell that never read ~/.profile).
    let local_bin = sb.home().join(".local/bin");
    fs::create_dir_all(&local_bin).unwrap();
    std::os::unix::fs::symlink(&tools.poetry2, local_bin.join("poetry")).unwrap();
    let (code, v, _) = doctor_json(&sb, &sb.work());
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "poetry-not-on-path", "problem", "poetry");
    assert!(text(f, "detail").contains("Poetry 2."), "{f:#}");
    assert!(fix_command(f).contains(".local/bin"), "{f:#}");
    absent(&v, "poetry-missing");
    absent(&v, "poetry-ok");
}

/// Poetry 1.1.15, really installed (scripts/test): older than the 1.2 that
/// dependency groups need, which is where the code draws "too old".
#[test]
fn poetry_1_1_is_poetry_too_old() {
    let tools = require_tools!();
    let Some(old) = common::poetry_old() else {
        return;
    };
    let sb = machine_with_tools(&tools, &[("python3", &tools.py311), ("poetry", &old)]);
    let (code, v, _) = doctor_json(&sb, &sb.work());
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "poetry-too-old", "problem", "poetry");
    assert!(text(f, "title").contains("Poetry 1.1.15"), "{f:#}");
    assert!(text(f, "detail").contains("1.8.3"), "{f:#}");
    absent(&v, "poetry-ok");
    absent(&v, "poetry-old");
}

// ------------------------------------------------------------------ project

#[test]
fn python_range_without_3_9_is_pyproject_python_not_3_9() {
    let sb = machine(&[]);
    let dir = project(&sb, &legacy("^3.10", SDK, ""));
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "pyproject-python-not-3-9", "warning", "project");
    assert!(text(f, "title").contains("^3.10"), "{f:#}");
    assert_eq!(
        fix_command(f),
        "python = \"^3.9\" in [tool.poetry.dependencies]"
    );
    expect(&v, "pyproject-open-python-bound", "ok", "project");
    absent(&v, "pyproject-no-sdk");

    // The official range is not reported.
    fs::write(dir.join("pyproject.toml"), legacy("^3.9", SDK, "")).unwrap();
    let (_, v, _) = doctor_json(&sb, &dir);
    absent(&v, "pyproject-python-not-3-9");
}

/// Poetry 2's `[dependency-groups]` and no SDK: both reported, and what the
/// finding says about the official build is reproduced with its Poetry 1.8.3 on
/// Python 3.9: `poetry install --without dev` does not see the group.
#[test]
fn pep735_groups_and_no_sdk_with_the_official_builds_poetry() {
    let tools = require_tools!();
    let sb = machine_with_tools(&tools, &[("python3", &tools.py311)]);
    let pyproject = format!(
        r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = "Says hello"
authors = ["Jane Doe <jane@example.com>"]

[tool.poetry.dependencies]
python = "^3.9"

[dependency-groups]
dev = ["flake8>=7.3,<7.4"]

[[tool.poetry.source]]
name = "local"
url = "{}"
priority = "primary"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#,
        tools.index_url
    );
    let dir = project(&sb, &pyproject);
    let (code, v, _) = doctor_json(&sb, &dir);
    assert_eq!(code, Some(1), "{v:#}");
    let f = expect(&v, "pyproject-pep735-groups", "problem", "project");
    assert!(text(f, "title").contains("dev"), "{f:#}");
    assert_eq!(f["fix"]["safe"], true, "{f:#}");
    let f = expect(&v, "pyproject-no-sdk", "warning", "project");
    assert_eq!(fix_command(f), "poetry add arcaflow-plugin-sdk@^0.14.3");

    // Poetry 1.8.3 on Python 3.9, as in the official image.
    let poetry1 = |args: &[&str]| {
        let mut c = sb.command(&tools.poetry1);
        c.args(args).arg("--no-interaction").current_dir(&dir);
        run(&mut c, TIMEOUT)
    };
    let used = poetry1(&["env", "use", &tools.py39.to_string_lossy()]);
    assert!(used.ok(), "{}", used.output);
    let locked = poetry1(&["lock"]);
    assert!(locked.ok(), "{}", locked.output);
    let install = poetry1(&["install", "--without", "dev", "--no-root"]);
    assert!(!install.ok(), "{}", install.output);
    assert!(
        install.output.contains("Group(s) not found: dev"),
        "{}",
        install.output
    );
}

// ------------------------------------------------------------------ lock

/// A poetry.lock that Poetry cannot read at all: not "stale" (the fix would be
/// `poetry lock`, which the user should not run blindly over a broken file),
/// but `poetry check --lock` failing, with Poetry's own first lines.
#[test]
fn unreadable_lock_is_lock_check_failed() {
    let tools = require_tools!();
    let sb = machine_with_tools(
        &tools,
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    let dir = project(&sb, &legacy("^3.9", SDK, ""));
    fs::write(
        dir.join("poetry.lock"),
        "# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.\n\n[[package]\nname = \"broken\n",
    )
    .unwrap();
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "lock-check-failed", "warning", "lock");
    assert!(!text(f, "detail").trim().is_empty(), "{f:#}");
    absent(&v, "lock-stale");
    absent(&v, "lock-missing");
}

// ------------------------------------------------------------------ venv

#[test]
fn project_without_a_venv_is_venv_missing() {
    let sb = machine(&[]);
    let dir = project(&sb, &legacy("^3.9", SDK, ""));
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "venv-missing", "warning", "venv");
    assert_eq!(fix_command(f), "poetry install");
    assert_eq!(f["fix"]["safe"], true);
    absent(&v, "venv-python-missing");
}

/// A real venv (Python 3.11) in `.venv` with nothing installed: the SDK the
/// project declares is missing from it.
#[test]
fn venv_without_the_sdk_is_venv_deps_missing() {
    let tools = require_tools!();
    let sb = machine_with_tools(&tools, &[("python3", &tools.py311)]);
    let dir = project(&sb, &legacy("^3.9", SDK, ""));
    let made = run(
        sb.command(&tools.py311)
            .args(["-m", "venv", "--without-pip"])
            .arg(dir.join(".venv")),
        TIMEOUT,
    );
    assert!(made.ok(), "{}", made.output);
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "venv-deps-missing", "warning", "venv");
    assert!(text(f, "title").contains("arcaflow-plugin-sdk"), "{f:#}");
    assert_eq!(fix_command(f), "poetry install");
    absent(&v, "venv-missing");
    absent(&v, "venv-python-missing");

    // With the SDK's dist-info there (as pip leaves it), it is no longer reported.
    let site = fs::read_dir(dir.join(".venv/lib"))
        .unwrap()
        .flatten()
        .next()
        .expect("lib/python3.X")
        .path()
        .join("site-packages");
    fs::create_dir_all(site.join("arcaflow_plugin_sdk-0.14.3.dist-info")).unwrap();
    let (_, v, _) = doctor_json(&sb, &dir);
    absent(&v, "venv-deps-missing");
    expect(&v, "venv-python-missing", "ok", "venv");
}

// ------------------------------------------------------------------ tokens

const STORED: &str = "pypi-AgEIcHlwaS5vcmcCJHN0b3JlZC1pbi1wbGFpbi10ZXh0LXRva2Vu";
const IN_ENV: &str = "pypi-AgEIcHlwaS5vcmcCJGluLXRoZS1lbnZpcm9ubWVudC10b2tlbg";

#[test]
fn no_token_anywhere_is_token_none() {
    let sb = machine(&[]);
    let (_, v, _) = doctor_json(&sb, &sb.work());
    let f = expect(&v, "token-none", "ok", "tokens");
    assert!(text(f, "title").contains("no upload token"), "{f:#}");
    absent(&v, "token-plaintext");
    absent(&v, "token-unknown-repository");
}

/// A token in Poetry's auth.toml (what `poetry config pypi-token.pypi` writes
/// without a keyring) and one in the environment for a repository nobody
/// defined: both named, neither shown.
#[test]
fn stored_and_unmatched_tokens() {
    let mut sb = machine(&[]);
    let config = sb.poetry_config_dir();
    fs::create_dir_all(&config).unwrap();
    fs::write(
        config.join("auth.toml"),
        format!("[pypi-token]\npypi = \"{STORED}\"\n"),
    )
    .unwrap();
    sb.set_env("POETRY_PYPI_TOKEN_ACME", IN_ENV);
    let (_, v, output) = doctor_json(&sb, &sb.work());
    for t in [STORED, IN_ENV] {
        assert!(!output.contains(&t[..16]), "a token was printed:\n{output}");
    }
    let f = expect(&v, "token-plaintext", "warning", "tokens");
    assert!(text(f, "title").contains("pypi"), "{f:#}");
    assert!(
        text(f, "detail").contains(&config.join("auth.toml").display().to_string()),
        "{f:#}"
    );
    let f = expect(&v, "token-unknown-repository", "warning", "tokens");
    assert!(text(f, "title").contains("`acme`"), "{f:#}");
    assert!(
        fix_command(f).contains("POETRY_REPOSITORIES_ACME_URL"),
        "{f:#}"
    );
    absent(&v, "token-none");

    // A repository of that name (here through Poetry's environment form): matched.
    sb.set_env(
        "POETRY_REPOSITORIES_ACME_URL",
        "https://upload.example.com/",
    );
    let (_, v, _) = doctor_json(&sb, &sb.work());
    absent(&v, "token-unknown-repository");
    expect(&v, "token-plaintext", "warning", "tokens");
}

/// A desktop session (D-Bus and a display) without a keyring backend chosen:
/// the warning and its one-line fix. The sandbox's own null backend is what
/// the fix sets, so with it the warning goes.
#[test]
fn desktop_session_without_a_keyring_backend_is_keyring_may_hang() {
    let mut sb = machine(&[]);
    sb.set_env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/0/bus")
        .set_env("DISPLAY", ":0")
        .remove_env("PYTHON_KEYRING_BACKEND");
    let (_, v, _) = doctor_json(&sb, &sb.work());
    let f = expect(&v, "keyring-may-hang", "warning", "tokens");
    assert_eq!(
        fix_command(f),
        "export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring"
    );
    sb.set_env("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring");
    let (_, v, _) = doctor_json(&sb, &sb.work());
    absent(&v, "keyring-may-hang");
}

// ------------------------------------------------------------------ engine

#[test]
fn no_docker_or_podman_is_engine_none() {
    let sb = machine(&[]);
    let (_, v, _) = doctor_json(&sb, &sb.work());
    let f = expect(&v, "engine-none", "warning", "engine");
    assert!(fix_command(f).contains("podman"), "{f:#}");
    absent(&v, "engine-no-daemon");
}

// ------------------------------------------------------------------ the checks themselves

/// A group of checks that panics (injected in debug builds by
/// ARCAFLOW_WIZARD_TEST_CHECK) is one warning; the other groups still report.
#[test]
fn a_crashing_group_is_check_crashed_and_the_others_still_run() {
    let mut sb = machine(&[]);
    sb.set_env("ARCAFLOW_WIZARD_TEST_CHECK", "crash:tokens");
    let (code, v, _) = doctor_json(&sb, &sb.work());
    let f = expect(&v, "check-crashed", "warning", "tokens");
    assert!(text(f, "title").contains("Upload tokens"), "{f:#}");
    absent(&v, "token-none");
    expect(&v, "engine-none", "warning", "engine");
    expect(&v, "python-none", "problem", "python");
    assert_eq!(code, Some(1));
}

/// A group that never answers (injected, as above) is reported after the
/// group deadline (30 s) as check-timeout, and doctor does not wait for it.
#[test]
fn a_hanging_group_is_check_timeout_after_the_deadline() {
    let mut sb = machine(&[]);
    sb.set_env("ARCAFLOW_WIZARD_TEST_CHECK", "hang:engine");
    let started = Instant::now();
    let (_, v, _) = doctor_json(&sb, &sb.work());
    let took = started.elapsed();
    let f = expect(&v, "check-timeout", "warning", "engine");
    assert!(text(f, "title").contains("30 s"), "{f:#}");
    absent(&v, "engine-none");
    expect(&v, "token-none", "ok", "tokens");
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(120),
        "doctor took {took:?}"
    );
}

// ------------------------------------------------------------------ the GitHub workflow

/// A plugin made by hand: the template's files but no `.github/workflows/`.
fn hand_made_plugin(sb: &Sandbox) -> PathBuf {
    use arcaflow_wizard::{names::PluginNames, templates};
    let dir = project(sb, &legacy("^3.9", SDK, ""));
    let names = PluginNames::parse("example").unwrap();
    let vars = templates::Vars {
        description: String::new(),
        version: "0.1.0".into(),
    };
    for f in templates::render_all(&names, &vars) {
        if f.path.starts_with(".github") {
            continue;
        }
        let p = dir.join(&f.path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, f.contents).unwrap();
    }
    dir
}

#[test]
fn no_act_workflow_is_act_workflow_and_its_fix_writes_one_after_a_diff() {
    let sb = machine(&[]);
    let dir = hand_made_plugin(&sb);
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "act-workflow", "warning", "act");
    assert!(
        fix_command(f).contains(".github/workflows/workflow.yaml"),
        "{f:#}"
    );
    // It creates a file: asked about, never applied by --yes alone.
    assert_eq!(f["fix"]["safe"], false, "{f:#}");
    assert_eq!(f["fix"]["automatic"], true, "{f:#}");
    absent(&v, "act-workflow-docsgen-path");

    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(
        ran.output
            .contains("+      plugin_path: \"arcaflow_plugin_example/example_plugin.py\""),
        "the diff is shown: {}",
        ran.output
    );
    assert!(
        ran.output
            .contains("skipped: it is not applied without asking"),
        "{}",
        ran.output
    );
    let wf = dir.join(".github/workflows/workflow.yaml");
    assert!(!wf.exists(), "--yes wrote the workflow");

    // The file the diff showed: the check is then ok, docsgen's path too.
    fs::create_dir_all(wf.parent().unwrap()).unwrap();
    fs::write(
        &wf,
        arcaflow_wizard::templates::workflow::render_for(
            "arcaflow_plugin_example/example_plugin.py",
        ),
    )
    .unwrap();
    let (_, v, _) = doctor_json(&sb, &dir);
    expect(&v, "act-workflow", "ok", "act");
    expect(&v, "act-workflow-docsgen-path", "ok", "act");
}

#[test]
fn docsgen_plugin_path_naming_a_missing_file_is_a_problem() {
    let sb = machine(&[]);
    let dir = hand_made_plugin(&sb);
    let wf = dir.join(".github/workflows/ci.yml");
    fs::create_dir_all(wf.parent().unwrap()).unwrap();
    // The shape of a real plugin's workflow, with the module renamed since.
    fs::write(
        &wf,
        arcaflow_wizard::templates::workflow::render_for("arcaflow_plugin_example/old_plugin.py"),
    )
    .unwrap();
    let (code, v, _) = doctor_json(&sb, &dir);
    expect(&v, "act-workflow", "ok", "act");
    let f = expect(&v, "act-workflow-docsgen-path", "problem", "act");
    assert!(
        text(f, "title").contains("arcaflow_plugin_example/old_plugin.py"),
        "{f:#}"
    );
    assert!(text(f, "detail").contains("docsgen fails"), "{f:#}");
    assert!(
        fix_command(f).contains("plugin_path: \"arcaflow_plugin_example/example_plugin.py\""),
        "{f:#}"
    );
    assert_eq!(code, Some(1));
}

// ------------------------------------------------------- python -m (issue 18)

#[test]
fn a_package_without_main_is_layout_python_m_and_the_fix_runs_for_real() {
    let sb = machine(&[]);
    let dir = sb.work().join("nod");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins/folder-include"),
        &dir,
    )
    .unwrap();
    let (_, v, _) = doctor_json(&sb, &dir);
    let f = expect(&v, "layout-python-m", "warning", "project");
    assert!(
        text(f, "title").contains("there is no arcaflow_plugin_nod/__main__.py"),
        "{f:#}"
    );
    assert!(
        text(f, "detail").contains("python -m arcaflow_plugin_nod --atp"),
        "{f:#}"
    );
    assert_eq!(f["fix"]["safe"], true, "{f:#}");
    assert_eq!(f["fix"]["automatic"], true, "{f:#}");

    // --fix --yes writes it (and only adds that file to the code folder).
    let mut cmd = sb.wizard();
    cmd.arg("doctor").arg(&dir).args(["--fix", "--yes"]);
    let ran = run(&mut cmd, TIMEOUT);
    let main = dir.join("arcaflow_plugin_nod/__main__.py");
    let written = fs::read_to_string(&main)
        .unwrap_or_else(|e| panic!("no __main__.py ({e}):\n{}", ran.output));
    assert!(
        written.contains("\"arcaflow_plugin_nod\"\n    \".nod_plugin\""),
        "{written}"
    );
    let (_, v, _) = doctor_json(&sb, &dir);
    expect(&v, "layout-python-m", "ok", "project");

    // And what it wrote runs the plugin the deployer's way, with the real SDK.
    let Some(tools) = common::tools() else {
        return;
    };
    let venv = sb.work().join("venv");
    let py39 = &tools.py39;
    assert!(run(Command::new(py39).arg("-m").arg("venv").arg(&venv), TIMEOUT).ok());
    let vpy = venv.join("bin/python");
    let pip = run(
        Command::new(&vpy)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--index-url",
                &tools.index_url,
            ])
            .arg("arcaflow-plugin-sdk==0.14.3"),
        TIMEOUT,
    );
    assert!(pip.ok(), "{}", pip.output);
    let out = run(
        Command::new(&vpy)
            .args(["-m", "arcaflow_plugin_nod", "-f", "inputs/nod-input.yaml"])
            .current_dir(&dir),
        TIMEOUT,
    );
    assert!(
        out.ok() && out.output.contains("output_id: success"),
        "{}",
        out.output
    );
}
