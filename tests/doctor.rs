//! `arcaflow-wizard doctor` on real broken setups built in temp folders.
//! The tools come from scripts/test (AW_TEST_*); without them a test prints
//! "skipped: ..." and returns (fails under AW_TEST_REQUIRE_TOOLS=1).

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::{run, Sandbox};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(300);

/// `doctor --json` in `dir`: (exit code, the parsed document).
fn doctor_json(sb: &Sandbox, dir: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut cmd = sb.wizard();
    cmd.arg("doctor").arg(dir).arg("--json").args(extra);
    let ran = run(&mut cmd, TIMEOUT);
    // stdout and stderr are merged: the JSON document is the last top-level object.
    let start = ran.output.rfind("\n{\n").map(|i| i + 1).unwrap_or(0);
    let v: Value = serde_json::from_str(ran.output[start..].trim())
        .unwrap_or_else(|e| panic!("doctor --json did not print JSON ({e}):\n{}", ran.output));
    assert_eq!(v["version"], 1, "{v}");
    assert!(v["summary"]["problems"].is_u64(), "{v}");
    (ran.code, v)
}

fn finding<'a>(v: &'a Value, id: &str) -> Option<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
}

fn expect<'a>(v: &'a Value, id: &str, severity: &str) -> &'a Value {
    let f = finding(v, id).unwrap_or_else(|| panic!("no finding {id} in {v:#}"));
    assert_eq!(f["severity"], severity, "{f:#}");
    f
}

fn fix_command(f: &Value) -> &str {
    f["fix"]["command"]
        .as_str()
        .unwrap_or_else(|| panic!("no fix in {f:#}"))
}

/// Fixed: reported ok, or no longer reported at all.
/// The check that made a finding reports it again, now as ok (an absent
/// finding would not prove the check ran).
fn fixed(v: &Value, id: &str) {
    let f = finding(v, id).unwrap_or_else(|| panic!("no finding {id} after the fix: {v:#}"));
    assert_eq!(f["severity"], "ok", "{id} is not fixed: {f:#}");
}

const LEGACY_NO_DEV: &str = r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = "Says hello"
authors = ["Jane Doe <jane@example.com>"]

[tool.poetry.dependencies]
python = "^3.9"
arcaflow-plugin-sdk = "^0.14.3"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#;

#[test]
fn bad_dir_is_usage() {
    let sb = Sandbox::new();
    let ran = run(sb.wizard().args(["doctor", "/no/such/folder"]), TIMEOUT);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
}

#[test]
fn project_without_dev_group_is_fixed() {
    let sb = Sandbox::new();
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(dir.join("pyproject.toml"), LEGACY_NO_DEV).unwrap();
    let (code, v) = doctor_json(&sb, &dir, &[]);
    assert_eq!(code, Some(1));
    let f = expect(&v, "pyproject-no-dev-group", "problem");
    assert_eq!(
        fix_command(f),
        "edit pyproject.toml: add an empty [tool.poetry.group.dev.dependencies]"
    );
    assert_eq!(f["fix"]["safe"], true);
    expect(&v, "pyproject-pep621", "ok");
    expect(&v, "layout-code-folder", "ok");

    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(ran.output.contains("now: ok"), "{}", ran.output);
    let text = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(
        text.contains("[tool.poetry.group.dev.dependencies]"),
        "{text}"
    );
    let (_, v) = doctor_json(&sb, &dir, &[]);
    fixed(&v, "pyproject-no-dev-group");
}

#[test]
fn two_poetry_installs_are_a_problem_with_each_removal() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let a = sb.bin_dir(
        "a",
        &[("poetry", &tools.poetry2), ("python3", &tools.py311)],
    );
    let b = sb.bin_dir("b", &[("poetry", &tools.poetry1)]);
    sb.set_path(&[a, b]);
    let (code, v) = doctor_json(&sb, &sb.work(), &[]);
    expect(&v, "project-none", "ok");
    // `new` refuses two installs; doctor agrees: a problem, exit 1.
    let f = expect(&v, "poetry-multiple", "problem");
    assert_eq!(code, Some(1), "{v:#}");
    let detail = f["detail"].as_str().unwrap();
    // The extra one (1.8.3, second on PATH) is named with its removal command.
    let removal = detail
        .lines()
        .skip_while(|l| !l.starts_with("remove "))
        .collect::<Vec<_>>();
    assert_eq!(removal.len(), 2, "{detail}");
    let extra = detail
        .lines()
        .find_map(|l| l.strip_prefix("Poetry 1.8.3 at "))
        .and_then(|l| l.split(" (").next())
        .unwrap_or_else(|| panic!("no 1.8.3 line: {detail}"));
    assert_eq!(removal[0], format!("remove {extra}:"), "{detail}");
    assert!(
        removal[1]
            .trim_start()
            .contains("-m pip uninstall -y poetry"),
        "{detail}"
    );
    assert!(detail.contains("Poetry 1.8.3"), "{detail}");
    // (With the version unknown, `Poetry {version}` was `Poetry `, which the
    // 1.8.3 line always holds: the check could not fail.)
    assert!(detail.contains("Poetry 2."), "{detail}");
    if !tools.poetry2_version.is_empty() {
        assert!(
            detail.contains(&format!("Poetry {} at", tools.poetry2_version)),
            "{detail}"
        );
    }
    assert!(fix_command(f).contains("pip uninstall -y poetry"), "{f:#}");
    assert_eq!(f["fix"]["safe"], false);
}

/// A project whose in-project `.venv` was made with pyenv's 3.11.7 through a
/// link that is gone, with `python3.11` on PATH being the system's (another
/// 3.11): the venv is broken for real.
fn broken_venv_project(sb: &mut Sandbox, tools: &common::Tools) -> Option<std::path::PathBuf> {
    let system = Path::new("/usr/bin/python3.11");
    if !system.is_file() {
        common::skip("no /usr/bin/python3.11 (a 3.11 other than pyenv's) on this machine");
        return None;
    }
    // No system folders searched: PATH and pyenv are the only interpreters.
    sb.set_os_release("ID=debian\nVERSION_ID=12\n");
    sb.set_env("PYENV_ROOT", &tools.pyenv_root);
    let bin = sb.bin_dir("bin", &[("poetry", &tools.poetry2), ("python3.11", system)]);
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    // The local index as the project's source, so the fix's `poetry install` can run.
    let pyproject = format!(
        "{LEGACY_NO_DEV}\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n",
        tools.index_url
    );
    fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    let gone = sb.root().join("gone/bin");
    fs::create_dir_all(&gone).unwrap();
    let link = gone.join("python3.11");
    std::os::unix::fs::symlink(&tools.py311, &link).unwrap();
    let made = run(
        sb.command(&link)
            .args(["-m", "venv", "--without-pip"])
            .arg(dir.join(".venv")),
        TIMEOUT,
    );
    assert!(made.ok(), "{}", made.output);
    fs::remove_dir_all(sb.root().join("gone")).unwrap();
    assert!(fs::metadata(dir.join(".venv/bin/python")).is_err());
    Some(dir)
}

/// The pyenv interpreter of `tools.py311`, as doctor names it.
fn pyenv_311(tools: &common::Tools) -> (String, String) {
    let real = fs::canonicalize(&tools.py311).unwrap();
    let version = real
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let path = real.with_file_name("python3.11").display().to_string();
    (path, version)
}

#[test]
fn venv_whose_python_was_removed() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let Some(dir) = broken_venv_project(&mut sb, &tools) else {
        return;
    };
    let (py, version) = pyenv_311(&tools);
    // Something of the user's in the venv: an editable checkout and a note.
    fs::create_dir_all(dir.join(".venv/src/mylib")).unwrap();
    fs::write(dir.join(".venv/src/mylib/setup.py"), "# mine\n").unwrap();
    fs::write(dir.join(".venv/notes.txt"), "mine\n").unwrap();

    let (code, v) = doctor_json(&sb, &dir, &[]);
    assert_eq!(code, Some(1));
    let f = expect(&v, "venv-python-missing", "problem");
    // The same interpreter (pyenv's exact version), not the other 3.11 first on PATH;
    // only this venv is removed; deleting is never safe.
    assert_eq!(
        fix_command(f),
        format!("rm -rf .venv && {py} -m venv .venv")
    );
    assert_eq!(f["fix"]["safe"], false);
    assert!(
        f["fix"]["deletes"]
            .as_str()
            .unwrap()
            .ends_with("/.venv, with what pip did not put there: notes.txt, src/"),
        "{f:#}"
    );
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("Valid: False"), "{f:#}");
    assert!(
        detail.contains("what pip did not put there: notes.txt, src/"),
        "{f:#}"
    );

    // --fix --yes skips it, says why, and deletes nothing.
    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(
        ran.output
            .contains("skipped: it deletes something, so it is never applied without asking"),
        "{}",
        ran.output
    );
    assert!(!ran.output.contains("env remove"), "{}", ran.output);
    // The lock fix runs Poetry, which would replace the broken venv: skipped too.
    assert!(
        ran.output
            .contains("Poetry replaces a broken venv whenever it runs"),
        "{}",
        ran.output
    );
    assert!(
        dir.join(".venv/src/mylib/setup.py").is_file() && dir.join(".venv/notes.txt").is_file(),
        "the user's files in .venv were deleted:\n{}",
        ran.output
    );
    // Already running --fix: not told to run it, but how to be asked.
    assert!(
        !ran.output.contains("to apply the fixes one by one"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("were not applied without asking"),
        "{}",
        ran.output
    );
    // The summary is the state after the fixes: a fresh run says the same.
    let after = ran.output.rsplit("After the fixes:").next().unwrap();
    let fresh = run(sb.wizard().arg("doctor").arg(&dir), TIMEOUT);
    let counts = |s: &str| {
        s.lines()
            .find(|l| l.contains(" problem(s), "))
            .map(|l| l.split("  (").next().unwrap().to_string())
    };
    assert_eq!(
        counts(after),
        counts(&fresh.output),
        "{}\n---\n{}",
        ran.output,
        fresh.output
    );
    assert!(!version.is_empty());
}

/// A broken venv in Poetry's cache: the fix removes that env only (named by its
/// path; not `env remove --all`), and the command, run as shown, makes it
/// again with the same Python while another env beside it stays.
#[test]
fn a_broken_env_in_poetrys_cache_is_the_only_one_removed() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    sb.set_os_release("ID=debian\nVERSION_ID=12\n");
    sb.set_env("PYENV_ROOT", &tools.pyenv_root);
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry2), ("python3.11", &tools.py311)],
    );
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(dir.join("pyproject.toml"), LEGACY_NO_DEV).unwrap();
    // Poetry's name for the project's envs: NAME-<urlsafe b64 of sha256(realpath)>[:8].
    let hash = run(
        sb.command(&tools.py311).args([
            "-c",
            "import base64,hashlib,os,sys;print(base64.urlsafe_b64encode(hashlib.sha256(os.path.realpath(sys.argv[1]).encode()).digest()).decode()[:8])",
        ]).arg(&dir),
        TIMEOUT,
    );
    assert!(hash.ok(), "{}", hash.output);
    let envs = sb.virtualenvs_dir();
    let broken = envs.join(format!(
        "arcaflow-plugin-example-{}-py3.11",
        hash.output.trim()
    ));
    let other = envs.join("arcaflow-plugin-example-AAAAAAAA-py3.11");
    fs::create_dir_all(&envs).unwrap();
    let gone = sb.root().join("gone/bin");
    fs::create_dir_all(&gone).unwrap();
    std::os::unix::fs::symlink(&tools.py311, gone.join("python3.11")).unwrap();
    for venv in [&broken, &other] {
        let made = run(
            sb.command(gone.join("python3.11"))
                .args(["-m", "venv", "--without-pip"])
                .arg(venv),
            TIMEOUT,
        );
        assert!(made.ok(), "{}", made.output);
    }
    // The other env (another project of that name) is whole again: only ours is broken.
    fs::remove_file(other.join("bin/python3.11")).unwrap();
    std::os::unix::fs::symlink(&tools.py311, other.join("bin/python3.11")).unwrap();
    fs::remove_dir_all(sb.root().join("gone")).unwrap();

    let (_, v) = doctor_json(&sb, &dir, &[]);
    let f = expect(&v, "venv-python-missing", "problem");
    let command = fix_command(f).to_string();
    let py = command
        .strip_prefix(&format!("rm -rf {} && poetry env use ", broken.display()))
        .unwrap_or_else(|| panic!("{command}"));
    // The same interpreter (here through the PATH link to it).
    assert_eq!(
        fs::canonicalize(py).unwrap(),
        fs::canonicalize(&tools.py311).unwrap(),
        "{command}"
    );
    assert_eq!(f["fix"]["safe"], false);
    assert_eq!(
        f["fix"]["deletes"],
        format!(
            "the virtualenv {} (only what pip installed)",
            broken.display()
        )
    );

    // The command as a user would type it.
    let ran = run(
        sb.command("bash").arg("-c").arg(&command).current_dir(&dir),
        TIMEOUT,
    );
    assert!(ran.ok(), "{}", ran.output);
    assert!(other.join("pyvenv.cfg").is_file(), "the other env went too");
    let cfg = fs::read_to_string(broken.join("pyvenv.cfg")).unwrap();
    assert!(
        cfg.contains("3.11.7") || cfg.contains(&pyenv_311(&tools).1),
        "{cfg}"
    );
    // The env runs again; what is left is `poetry install` (the next fix).
    let (_, v) = doctor_json(&sb, &dir, &[]);
    assert!(finding(&v, "venv-python-missing").is_none(), "{v:#}");
    let f = expect(&v, "venv-deps-missing", "warning");
    assert_eq!(f["detail"], broken.display().to_string(), "{f:#}");
}

/// flake8 in the dev group and a broken venv: flake8 cannot run, and the advice
/// is to fix the venv, not to add flake8 again; ACT's count is not ok.
#[test]
fn flake8_with_a_broken_venv_points_at_the_venv() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let Some(dir) = broken_venv_project(&mut sb, &tools) else {
        return;
    };
    let text = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        text.replace(
            "\n[build-system]",
            "\n[tool.poetry.group.dev.dependencies]\nflake8 = \"^7.0\"\n\n[build-system]",
        ),
    )
    .unwrap();
    let (_, v) = doctor_json(&sb, &dir, &[]);
    expect(&v, "venv-python-missing", "problem");
    let f = expect(&v, "act-flake8", "warning");
    assert_eq!(
        f["title"], "flake8 was not run: the project's virtualenv cannot run it yet",
        "{f:#}"
    );
    assert!(!fix_command(f).contains("poetry add"), "{f:#}");
    assert!(fix_command(f).contains("venv-python-missing"), "{f:#}");
    let summary = finding(&v, "act-checks").unwrap();
    assert_ne!(summary["severity"], "ok", "{summary:#}");
}

/// A venv made with Python 3.8 for a `^3.9` project: it runs, so nothing looks
/// broken, but Poetry refuses it. Doctor names the 3.9 on PATH, and its fix
/// makes the venv again with it.
#[test]
fn venv_made_with_a_python_the_project_excludes() {
    let tools = require_tools!();
    let Some(py38) = tools.python(8) else {
        common::skip(&format!(
            "no Python 3.8 in {}/versions",
            tools.pyenv_root.display()
        ));
        return;
    };
    let v38 = py38
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut sb = Sandbox::with_tools(&tools);
    // No system interpreters: the only Python the range admits is this PATH's 3.9.
    sb.set_os_release("ID=fedora\nVERSION_ID=40\n");
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry2), ("python3.9", &tools.py39)],
    );
    sb.set_path(&[&bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    let pyproject = format!(
        "{LEGACY_NO_DEV}\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n",
        tools.index_url
    );
    fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    let made = run(
        sb.command(&py38)
            .args(["-m", "venv", "--without-pip"])
            .arg(dir.join(".venv")),
        TIMEOUT,
    );
    assert!(made.ok(), "{}", made.output);
    // The setup is broken for real: Poetry refuses the venv.
    let refused = run(
        sb.command(&tools.poetry2).arg("install").current_dir(&dir),
        TIMEOUT,
    );
    assert!(!refused.ok(), "{}", refused.output);
    assert!(
        refused.output.contains(&format!(
            "Current Python version ({v38}) is not allowed by the project (^3.9)"
        )),
        "{}",
        refused.output
    );

    let (code, v) = doctor_json(&sb, &dir, &[]);
    assert_eq!(code, Some(1));
    let f = expect(&v, "venv-python-out-of-range", "problem");
    assert_eq!(
        f["title"],
        format!("the virtualenv runs Python {v38}, which the project's range `^3.9` excludes")
    );
    let detail = f["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "pyvenv.cfg: version {v38}, home = {}",
            py38.parent().unwrap().display()
        )),
        "{f:#}"
    );
    assert!(
        detail.contains(&format!(
            "`Current Python version ({v38}) is not allowed by the project`"
        )),
        "{f:#}"
    );
    assert_eq!(
        fix_command(f),
        format!(
            "poetry env use {} && poetry install",
            bin.join("python3.9").display()
        )
    );
    // `env use` replaces the in-project .venv: that deletes it, so it is asked about.
    assert_eq!(f["fix"]["safe"], false);
    // The venv runs: not reported as one whose Python is gone.
    assert!(finding(&v, "venv-python-missing").is_none(), "{v:#}");

    // --fix --yes leaves it alone and says why.
    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(
        ran.output.contains("skipped: it deletes something"),
        "{}",
        ran.output
    );
    let cfg = fs::read_to_string(dir.join(".venv/pyvenv.cfg")).unwrap();
    assert!(cfg.contains(&v38), "{cfg}");
}

/// A plugin folder copied from another plugin keeps the other's
/// `ARG package=` in its Dockerfile: the official image build cannot copy the
/// code. Doctor names the line, and its fix (a diff) changes only that value.
#[test]
fn dockerfile_arg_package_of_another_plugin() {
    let sb = Sandbox::new();
    let dir = sb.work().join("arcaflow-plugin-example");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(dir.join("pyproject.toml"), LEGACY_NO_DEV).unwrap();
    // The wizard's own Dockerfile, rendered for the plugin it was copied from.
    let copied = include_str!("../assets/Dockerfile")
        .replace("{{package}}", "arcaflow_plugin_other")
        .replace("{{dist}}", "arcaflow-plugin-other")
        .replace("{{entry_module}}", "other_plugin");
    let line = copied
        .lines()
        .position(|l| l == "ARG package=arcaflow_plugin_other")
        .unwrap()
        + 1;
    fs::write(dir.join("Dockerfile"), &copied).unwrap();

    let (code, v) = doctor_json(&sb, &dir, &[]);
    assert_eq!(code, Some(1));
    let f = expect(&v, "layout-dockerfile-package", "problem");
    assert_eq!(
        f["title"],
        "the Dockerfile's `ARG package=arcaflow_plugin_other` is not the code folder arcaflow_plugin_example: the official image build fails"
    );
    assert!(
        f["detail"].as_str().unwrap().starts_with(&format!(
            "Dockerfile line {line}: ARG package=arcaflow_plugin_other\n"
        )),
        "{f:#}"
    );
    assert_eq!(
        fix_command(f),
        format!("edit Dockerfile: line {line}: `package=arcaflow_plugin_other` -> `package=arcaflow_plugin_example`")
    );
    // An edit to the Dockerfile is never safe: --yes shows it and leaves it.
    assert_eq!(f["fix"]["safe"], false);
    assert_eq!(f["fix"]["automatic"], true);

    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(
        ran.output.contains("+ARG package=arcaflow_plugin_example"),
        "the diff is shown: {}",
        ran.output
    );
    assert!(
        ran.output
            .contains("skipped: it is not applied without asking"),
        "{}",
        ran.output
    );
    assert_eq!(fs::read_to_string(dir.join("Dockerfile")).unwrap(), copied);
    // The user makes the edit the diff showed: then the check is ok.
    fs::write(
        dir.join("Dockerfile"),
        copied.replace(
            "ARG package=arcaflow_plugin_other",
            "ARG package=arcaflow_plugin_example",
        ),
    )
    .unwrap();
    let (_, v) = doctor_json(&sb, &dir, &[]);
    fixed(&v, "layout-dockerfile-package");

    // A project whose Dockerfile was right from the start: ok, no problem.
    let healthy = sb.work().join("arcaflow-plugin-healthy");
    fs::create_dir_all(healthy.join("arcaflow_plugin_healthy")).unwrap();
    fs::write(
        healthy.join("pyproject.toml"),
        LEGACY_NO_DEV.replace("arcaflow-plugin-example", "arcaflow-plugin-healthy"),
    )
    .unwrap();
    fs::write(
        healthy.join("Dockerfile"),
        copied.replace("arcaflow_plugin_other", "arcaflow_plugin_healthy"),
    )
    .unwrap();
    let (_, v) = doctor_json(&sb, &healthy, &[]);
    expect(&v, "layout-dockerfile-package", "ok");
}

#[test]
fn poetry2_src_layout_with_open_bound_and_wrong_sdk_name() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry2), ("python3", &tools.py311)],
    );
    sb.set_path(&[bin]);
    let made = run(
        sb.command(&tools.poetry2)
            .args(["new", "--no-interaction", "arcaflow-plugin-example"]),
        TIMEOUT,
    );
    assert!(made.ok(), "{}", made.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    let text = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(
        text.contains("[project]") && text.contains("requires-python"),
        "{text}"
    );
    // The guide's wrong name, as `dependencies = [...]` in the [project] table.
    let text = text.replacen(
        "dependencies = [",
        "dependencies = [\"arcaflow-plugin-sdk-python\",",
        1,
    );
    fs::write(dir.join("pyproject.toml"), text).unwrap();

    let (code, v) = doctor_json(&sb, &dir, &[]);
    assert_eq!(code, Some(1));
    let f = expect(&v, "pyproject-open-python-bound", "problem");
    assert_eq!(
        fix_command(f),
        "edit pyproject.toml: close the Python range with <4.0"
    );
    let f = expect(&v, "pyproject-wrong-sdk-name", "problem");
    assert_eq!(
        fix_command(f),
        "edit pyproject.toml: arcaflow-plugin-sdk-python -> arcaflow-plugin-sdk = \"^0.14.3\""
    );
    let f = expect(&v, "pyproject-pep621", "problem");
    assert_eq!(f["fix"]["safe"], true);
    let f = expect(&v, "layout-code-folder", "problem");
    assert!(fix_command(f).starts_with("mv src/arcaflow_plugin_example arcaflow_plugin_example"));
    assert_eq!(f["fix"]["safe"], false);

    let ran = run(
        sb.wizard().arg("doctor").arg(&dir).args(["--fix", "--yes"]),
        TIMEOUT,
    );
    assert!(
        ran.output
            .contains("[pyproject-pep621]: edit pyproject.toml: move [project]"),
        "{}",
        ran.output
    );
    let (_, v) = doctor_json(&sb, &dir, &[]);
    for id in [
        "pyproject-pep621",
        "pyproject-open-python-bound",
        "pyproject-wrong-sdk-name",
        "pyproject-no-dev-group",
    ] {
        fixed(&v, id);
    }
    // Not safe: left for the user to confirm.
    expect(&v, "layout-code-folder", "problem");
    let text = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(!text.contains("[project]"), "{text}");
    assert!(text.contains("arcaflow-plugin-sdk = \"^0.14.3\""), "{text}");
}

#[test]
fn old_python3_first_on_path_gets_the_alias_tip() {
    let tools = require_tools!();
    let old = tools.pyenv_root.join("versions/3.6.15/bin/python3.6");
    if !old.is_file() {
        common::skip(&format!("{} is not installed", old.display()));
        return;
    }
    let new = tools.python(11).unwrap_or(tools.py311.clone());
    let mut sb = Sandbox::with_tools(&tools);
    let a = sb.bin_dir("old", &[("python3", &old)]);
    let b = sb.bin_dir("new", &[("python3.11", &new)]);
    sb.set_path(&[a, b]);
    let (code, v) = doctor_json(&sb, &sb.work(), &[]);
    let f = expect(&v, "python3-too-old", "warning");
    assert_eq!(fix_command(f), "alias python3=python3.11");
    assert_eq!(f["fix"]["automatic"], false);
    assert!(f["title"].as_str().unwrap().contains("3.6.15"), "{f:#}");
    // No Poetry on this PATH: a problem, so exit 1.
    assert_eq!(code, Some(1));
}

/// The docker client on these machines has no daemon behind it: a real case of
/// "installed but not usable", which is a warning with what to do, not a crash.
#[test]
fn a_docker_client_without_a_daemon_is_a_warning() {
    let Some(docker) = ["/usr/local/bin/docker", "/usr/bin/docker"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
    else {
        common::skip("no docker client on this machine");
        return;
    };
    let mut sb = Sandbox::new();
    let bin = sb.bin_dir("engine", &[("docker", docker)]);
    sb.set_path(&[bin]);
    // A daemon that answers would make this test meaningless: skip, saying so.
    let info = run(sb.command(docker).arg("info"), Duration::from_secs(30));
    if info.ok() {
        common::skip("a docker daemon answers here");
        return;
    }
    let (_, v) = doctor_json(&sb, &sb.work(), &[]);
    let f = expect(&v, "engine-no-daemon", "warning");
    assert!(fix_command(f).contains("systemctl start docker"), "{f:#}");
    let detail = f["detail"].as_str().unwrap();
    assert!(
        detail.contains("Cannot connect to the Docker daemon"),
        "{f:#}"
    );
}

/// The wizard's own checkout has a pyproject.toml (maturin packages the binary
/// as a wheel): doctor says it is no plugin, and reports none of the plugin
/// checks' problems (no dev group, no lock, no Dockerfile, ...). A project on
/// another backend that does depend on the SDK is still checked as a plugin.
#[test]
fn a_maturin_project_is_said_to_be_no_plugin_not_a_broken_one() {
    let sb = Sandbox::new();
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, v) = doctor_json(&sb, checkout, &[]);
    let f = expect(&v, "project-not-plugin", "ok");
    let msg = f["title"].as_str().unwrap_or_default();
    assert!(
        msg.contains("maturin") && msg.contains("not an Arcaflow plugin"),
        "{f:#}"
    );
    assert!(finding(&v, "project-none").is_none(), "{v:#}");
    for x in v["findings"].as_array().unwrap() {
        let check = x["check"].as_str().unwrap_or_default();
        assert!(
            !matches!(check, "project" | "lock" | "venv" | "act")
                || x["id"] == "project-not-plugin",
            "a plugin check ran on a maturin project: {x:#}"
        );
    }

    // The same backend with the SDK as a dependency: a plugin, checked as one.
    let dir = sb.work().join("hatch-plugin");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n\
         [project]\nname = \"arcaflow-plugin-x\"\nversion = \"0.1.0\"\n\
         dependencies = [\"arcaflow-plugin-sdk>=0.14.3\"]\n",
    )
    .unwrap();
    let (_, v) = doctor_json(&sb, &dir, &[]);
    assert!(finding(&v, "project-not-plugin").is_none(), "{v:#}");
    expect(&v, "lock-missing", "problem");
}
