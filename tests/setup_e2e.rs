//! `arcaflow-wizard setup` end to end: plugins in the official shapes
//! (tests/fixtures/plugins/) pushed to a local bare git repository and set up
//! from its file:// URL with the real Python, Poetry 1.8.3 and 2.x, flake8 and
//! coverage, against the local package index.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{copy_dir, run, Ran, Sandbox, Tools};

const JOURNEY: Duration = Duration::from_secs(900);
const QUICK: Duration = Duration::from_secs(120);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plugins")
        .join(name)
}

fn git_exe() -> PathBuf {
    which::which("git").expect("git on PATH")
}

/// A sandbox whose PATH holds exactly: this Poetry, these Pythons, and git.
fn sandbox(tools: &Tools, poetry: &Path, pythons: &[(&str, &Path)]) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let git = git_exe();
    let mut links: Vec<(&str, &Path)> = vec![("poetry", poetry), ("git", &git)];
    links.extend_from_slice(pythons);
    let bin = sb.bin_dir("main", &links);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

fn git(sb: &Sandbox, dir: &Path, args: &[&str]) -> Ran {
    let ran = run(
        sb.command(git_exe())
            .args(["-c", "user.name=Tester", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir),
        QUICK,
    );
    assert!(ran.ok(), "git {args:?}: {}", ran.output);
    ran
}

/// A bare repository holding `fixture` as a maintainer would push it: the
/// local index as its package source (standing in for PyPI) and a poetry.lock
/// made by `poetry` against it, and the `.flake8` official plugins have. The test index holds no black, so the dev tools
/// that are not in it are left out. `change` edits the files before the commit.
/// Returns the file:// URL.
fn repository(
    sb: &Sandbox,
    tools: &Tools,
    fixture_name: &str,
    poetry: &Path,
    change: &dyn Fn(&Path),
) -> String {
    let src = sb.root().join("upstream").join(fixture_name);
    copy_dir(&fixture(fixture_name), &src).unwrap();
    let pyproject = fs::read_to_string(src.join("pyproject.toml")).unwrap();
    let pyproject: String = pyproject
        .lines()
        .filter(|l| !l.starts_with("black ="))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + &format!(
            "\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n",
            tools.index_url
        );
    fs::write(src.join("pyproject.toml"), pyproject).unwrap();
    // Every official plugin has one (ACT's flake8 reads it); the shape fixtures,
    // made for doctor, leave it out.
    fs::write(
        src.join(".flake8"),
        "[flake8]\nmax-line-length = 88\ndoctests = True\nexclude = .venv,venv,.git,.tox,dist,doc,build,__pycache__\n",
    )
    .unwrap();
    change(&src);
    let lock = run(
        sb.command(poetry)
            .args(["lock", "--no-interaction"])
            .current_dir(&src),
        JOURNEY,
    );
    assert!(lock.ok(), "poetry lock: {}", lock.output);
    git(sb, &src, &["init", "-q", "-b", "main"]);
    git(sb, &src, &["add", "-A"]);
    git(sb, &src, &["commit", "-q", "-m", "the plugin"]);
    let bare = sb.root().join("repos").join(format!("{fixture_name}.git"));
    fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(
        sb,
        sb.root(),
        &[
            "clone",
            "-q",
            "--bare",
            &src.to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    format!("file://{}", bare.display())
}

fn setup(sb: &Sandbox, tools: &Tools, args: &[&str]) -> Ran {
    let mut cmd = sb.wizard();
    cmd.arg("setup")
        .args(args)
        .args(["--yes", "--plain", "--index-url", &tools.index_url]);
    run(&mut cmd, JOURNEY)
}

/// Files the clone's history does not hold, or holds changed, leaving out what
/// a test run makes on its own (bytecode, coverage data).
fn changed_files(sb: &Sandbox, dir: &Path) -> Vec<String> {
    let st = git(sb, dir, &["status", "--porcelain", "--untracked-files=all"]);
    st.output
        .lines()
        .filter(|l| !l.contains("__pycache__") && !l.ends_with(".coverage"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_3_9_plugin_from_a_clone_with_poetry_1_8_3_then_a_rerun_skips_what_is_done() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let url = repository(&sb, &tools, "module-from-dotslash", &tools.poetry1, &|_| {});
    let ran = setup(&sb, &tools, &[&url]);
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    let dir = sb.work().join("module-from-dotslash");
    for needle in [
        // The clone, shown.
        &format!("$ git clone {url} module-from-dotslash"),
        // What the project says.
        "Python ^3.9, arcaflow-plugin-sdk ^0.14.3",
        "Entry module: arcaflow_plugin_hello/hello_plugin.py",
        "PYTHONPATH=arcaflow_plugin_hello python -m coverage run tests/test_arcaflow_plugin_hello.py",
        "Example input: inputs/example.yaml",
        // The Python its range admits, the venv and the tools.
        "poetry env use",
        "poetry install",
        "pip install",
        // Its tests as the build runs them, then flake8, --schema, the example.
        "Ran 2 tests",
        "python -m flake8 --show-source --jobs=1 .",
        "hello_plugin.py --schema",
        "hello, Ada",
        // Where to start.
        "poetry run python arcaflow_plugin_hello/hello_plugin.py -f inputs/example.yaml",
        "docker build -t arcaflow-plugin-hello:latest .",
    ] {
        assert!(ran.output.contains(needle), "{needle:?} missing:\n{}", ran.output);
    }
    assert!(
        ran.output.contains("3.9."),
        "the 3.9 interpreter: {}",
        ran.output
    );
    // Setup wrote none of the project's files.
    assert_eq!(changed_files(&sb, &dir), Vec::<String>::new());

    // Again: the clone, the venv and the install are found done.
    let again = setup(&sb, &tools, &[&url]);
    assert_eq!(again.code, Some(0), "{}", again.output);
    for needle in [
        "Get the code: already done (already cloned into",
        "The project's virtualenv: already done",
        "Install the project and its dev tools: already done",
        "Ran 2 tests",
    ] {
        assert!(
            again.output.contains(needle),
            "{needle:?} missing:\n{}",
            again.output
        );
    }
    assert!(!again.output.contains("$ git clone"), "{}", again.output);
    assert!(
        !again.output.contains("$ poetry install"),
        "{}",
        again.output
    );
}

#[test]
fn a_3_12_plugin_with_poetry_2_gets_python_3_12() {
    let tools = require_tools!();
    let Some(py312) = tools.py312.clone() else {
        common::skip("no Python 3.12 here (AW_TEST_PY312)");
        return;
    };
    // python3 is 3.11: the range ^3.12 must pick python3.12, not the first python3.
    let sb = sandbox(
        &tools,
        &tools.poetry2,
        &[("python3", &tools.py311), ("python3.12", &py312)],
    );
    let url = repository(&sb, &tools, "py312-sdk-0144", &tools.poetry2, &|_| {});
    let ran = setup(&sb, &tools, &[&url, "cheer"]);
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    for needle in [
        "$ git clone",
        "Python ^3.12, arcaflow-plugin-sdk ^0.14.4",
        "python3.12 --version",
        "Python 3.12.",
        "Ran ",
        "--schema",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
    let dir = sb.work().join("cheer");
    assert!(dir.join("pyproject.toml").is_file());
    assert_eq!(changed_files(&sb, &dir), Vec::<String>::new());
}

/// With Poetry 1.8.3 too, and from a folder that is already there.
#[test]
fn a_3_12_folder_with_poetry_1_8_3() {
    let tools = require_tools!();
    let Some(py312) = tools.py312.clone() else {
        common::skip("no Python 3.12 here (AW_TEST_PY312)");
        return;
    };
    let sb = sandbox(
        &tools,
        &tools.poetry1,
        &[("python3", &tools.py39), ("python3.12", &py312)],
    );
    let url = repository(&sb, &tools, "py312-sdk-0144", &tools.poetry2, &|_| {});
    git(&sb, &sb.work(), &["clone", "-q", &url, "cheer"]);
    let ran = setup(&sb, &tools, &["cheer"]);
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    assert!(ran.output.contains("is used as it is"), "{}", ran.output);
    assert!(ran.output.contains("Python 3.12."), "{}", ran.output);
}

#[test]
fn a_tool_the_build_stage_installs_is_named_with_its_install_command() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let dir = sb.work().join("tick");
    copy_dir(&fixture("dnf-build-stage"), &dir).unwrap();
    let ran = run(
        sb.wizard().args(["setup", "tick", "--dry-run", "--yes"]),
        QUICK,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    // The sandbox's PATH has no fio; the os-release says Debian.
    assert!(
        ran.output.contains(
            "missing here: fio; the tests may need them. Install: sudo apt-get -y install fio"
        ),
        "{}",
        ran.output
    );
    // With fio on PATH, nothing is missing.
    let mut sb2 = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let fake = sb2.bin_dir("fio", &[("fio", Path::new("/bin/true"))]);
    let main = sb2.root().join("bins/main");
    sb2.set_path(&[main, fake]);
    let dir2 = sb2.work().join("tick");
    copy_dir(&fixture("dnf-build-stage"), &dir2).unwrap();
    let ran = run(
        sb2.wizard().args(["setup", "tick", "--dry-run", "--yes"]),
        QUICK,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    assert!(
        ran.output.contains("each is on this machine's PATH"),
        "{}",
        ran.output
    );
}

#[test]
fn a_failing_test_of_the_plugin_exits_1_with_its_output() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let url = repository(&sb, &tools, "module-from-plain", &tools.poetry1, &|src| {
        let t = src.join("tests/test_arcaflow_plugin_wave.py");
        let text = fs::read_to_string(&t).unwrap();
        let broken = text.replacen(
            "def test_",
            "def test_broken_on_purpose(self):\n        self.assertEqual(\"setup-e2e-expected\", \"what the plugin gives\")\n\n    def test_",
            1,
        );
        assert_ne!(broken, text, "the test file has a test to put one before");
        fs::write(&t, broken).unwrap();
    });
    let ran = setup(&sb, &tools, &[&url]);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    for needle in [
        "test_broken_on_purpose",
        "AssertionError: 'setup-e2e-expected' != 'what the plugin gives'",
        "The plugin's own tests failed",
        "The setup itself is complete",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
}

#[test]
fn dry_run_prints_the_script_and_changes_nothing() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let url = repository(&sb, &tools, "tests-unit", &tools.poetry1, &|_| {});
    let ran = run(
        sb.wizard().args(["setup", &url, "--dry-run", "--yes"]),
        QUICK,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    for needle in [
        "#!/usr/bin/env bash",
        &format!("git clone {url} tests-unit") as &str,
        "poetry env use",
        "(cd tests-unit && poetry install)",
        "tests/unit/test_arcaflow_plugin_clap.py",
        "--schema",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
    sb.assert_work_untouched();
    // The temporary clone it read is gone too.
    let tmp = std::env::temp_dir();
    let left: Vec<_> = fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("arcaflow-wizard-setup-")
        })
        .filter(|e| e.path().join("clone").join("arcaflow_plugin_clap").exists())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn bad_input_exits_2_and_changes_nothing() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let quick = |args: &[&str]| run(sb.wizard().arg("setup").args(args).arg("--yes"), QUICK);

    // A folder that is not a plugin.
    let notes = sb.root().join("notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(notes.join("README.md"), "hi\n").unwrap();
    let ran = quick(&[&notes.to_string_lossy()]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("is not an Arcaflow plugin project"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("no pyproject.toml and no Dockerfile"),
        "{}",
        ran.output
    );
    assert_eq!(fs::read_dir(&notes).unwrap().count(), 1);

    // No such folder, and not a URL.
    let ran = quick(&["no-such-plugin"]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("no such folder, and not a git URL"),
        "{}",
        ran.output
    );

    // A URL git cannot read.
    let missing = format!("file://{}/nothing-here.git", sb.root().display());
    let ran = quick(&[&missing]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(ran.output.contains("git cannot read"), "{}", ran.output);

    // A URL with a password: refused, the password not repeated.
    for (url, secret) in [
        (
            "https://someone:hunter2secret@example.com/x.git",
            "hunter2secret",
        ),
        (
            "https://ghp_tokenbeforetheat@example.com/x.git",
            "tokenbeforetheat",
        ),
    ] {
        let ran = quick(&[url]);
        assert_eq!(ran.code, Some(2), "{}", ran.output);
        assert!(ran.output.contains("password or token"), "{}", ran.output);
        assert!(!ran.output.contains(secret), "{}", ran.output);
    }

    // The clone's folder exists and is not empty.
    let url = repository(&sb, &tools, "folder-include", &tools.poetry1, &|_| {});
    fs::create_dir_all(sb.work().join("taken")).unwrap();
    fs::write(sb.work().join("taken/mine.txt"), "mine\n").unwrap();
    let ran = quick(&[&url, "taken"]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("exists and is not empty"),
        "{}",
        ran.output
    );
    assert_eq!(fs::read_dir(sb.work().join("taken")).unwrap().count(), 1);
    fs::remove_dir_all(sb.work().join("taken")).unwrap();

    // A repository that is not a plugin: cloned, found out, and removed again.
    let src = sb.root().join("upstream/docs-only");
    fs::create_dir_all(&src).unwrap();
    fs::write(src.join("README.md"), "docs\n").unwrap();
    git(&sb, &src, &["init", "-q", "-b", "main"]);
    git(&sb, &src, &["add", "-A"]);
    git(&sb, &src, &["commit", "-q", "-m", "docs"]);
    let ran = quick(&[&format!("file://{}", src.display())]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("is not an Arcaflow plugin project"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("The clone was removed again"),
        "{}",
        ran.output
    );
    sb.assert_work_untouched();
}

/// A `^3.12` plugin on a machine with only Python 3.9: the install command for
/// this distro, and a stop before anything is made.
#[test]
fn no_python_the_range_admits_gives_the_install_command_and_stops() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let dir = sb.work().join("cheer");
    copy_dir(&fixture("py312-sdk-0144"), &dir).unwrap();
    let ran = setup(&sb, &tools, &["cheer"]);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    for needle in [
        "The project needs Python ^3.12 (pyproject.toml), and none that it admits is installed",
        "Found here: Python 3.9.",
        // Debian 12's python3 is 3.11: pyenv gives 3.12.
        "Install Python 3.12, then run the wizard again:",
        "pyenv install 3.12",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
    assert!(!ran.output.contains("poetry env use"), "{}", ran.output);
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        fs::read_dir(fixture("py312-sdk-0144")).unwrap().count()
    );
}

/// `--answers` names the plugin and the interpreter, as the flags would.
#[test]
fn an_answers_file_names_the_plugin() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    copy_dir(&fixture("no-packages"), &sb.work().join("knock")).unwrap();
    let answers = sb.root().join("answers.toml");
    fs::write(
        &answers,
        format!(
            "source = \"knock\"\npython = \"{}\"\n",
            tools.py39.display()
        ),
    )
    .unwrap();
    let ran = run(
        sb.wizard().args([
            "setup",
            "--answers",
            &answers.to_string_lossy(),
            "--dry-run",
            "--yes",
        ]),
        QUICK,
    );
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    // The answers file's Python, used and recorded as given (issue 17: not
    // the python3 link on PATH that leads to it).
    assert!(
        ran.output.contains(&format!(
            "(cd knock && poetry env use {})",
            tools.py39.display()
        )),
        "{}",
        ran.output
    );
    // An unknown key is refused before anything runs.
    fs::write(&answers, "sauce = \"knock\"\n").unwrap();
    let ran = run(
        sb.wizard()
            .args(["setup", "--answers", &answers.to_string_lossy(), "--yes"]),
        QUICK,
    );
    assert_eq!(ran.code, Some(2), "{}", ran.output);
}

/// The SDK exits 0 whatever the step answers: a plugin whose example input
/// gets `error` passes its tests and its direct run, and setup still fails it,
/// in the ATP round trip (and from the output id when that cannot run).
#[test]
fn an_example_input_that_gets_error_is_a_warning_naming_the_output() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let url = repository(&sb, &tools, "folder-include", &tools.poetry1, &|src| {
        // The example input names someone the step refuses; the tests use Ada.
        fs::write(src.join("inputs/nod-input.yaml"), "name: Bob\n").unwrap();
        let m = src.join("arcaflow_plugin_nod/nod_plugin.py");
        let text = fs::read_to_string(&m).unwrap();
        let refusing = text.replacen(
            "    return \"success\", SuccessOutput(",
            "    if params.name == \"Bob\":\n        return \"error\", ErrorOutput(\"no nod for Bob\")\n    return \"success\", SuccessOutput(",
            1,
        );
        assert_ne!(refusing, text, "the step has a success return to guard");
        fs::write(&m, refusing).unwrap();
    });
    let ran = setup(&sb, &tools, &[&url]);
    // ACT never runs the example, and a stranger's example may need what
    // only its container has: said as a warning, the setup done.
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    for needle in [
        // The direct run shows what the step answered...
        "output_id: error",
        "no nod for Bob",
        // ...judged from its output id, since the SDK exits 0...
        "Warning: The example step `nod` answered `error` here, not `success`",
        // ...and the ATP round trip on the same input, as the engine would run it:
        // the protocol works, the step's answer is the same.
        "step nod returned 'error', not 'success'",
        "Warning: The ATP round trip works",
        "ACT does not run the example; the setup is complete",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
}

/// The shapes of opensearch and smallfile: several steps, docker-compose.yaml's
/// command names the one its example is for (`-s`), and that step runs a
/// binary only the plugin's image has. The example runs with the step the
/// compose file names; the missing binary is named, as a warning; the setup
/// is done (exit 0), and the finish's command has the same `-s`.
#[test]
fn the_compose_files_step_runs_and_a_binary_only_the_image_has_is_a_warning() {
    let tools = require_tools!();
    let sb = sandbox(&tools, &tools.poetry1, &[("python3", &tools.py39)]);
    let url = repository(&sb, &tools, "folder-include", &tools.poetry1, &|src| {
        let m = src.join("arcaflow_plugin_nod/nod_plugin.py");
        let text = fs::read_to_string(&m).unwrap();
        let two = text
            .replacen("import sys\n", "import subprocess\nimport sys\n", 1)
            .replacen(
                "\n\nif __name__ == \"__main__\":\n    sys.exit(plugin.run(plugin.build_schema(nod)))",
                "\n\n@plugin.step(\n    id=\"shake\",\n    name=\"Shake\",\n    description=\"Runs the tool the image ships\",\n    outputs={\"success\": SuccessOutput, \"error\": ErrorOutput},\n)\ndef shake(\n    params: InputParams,\n) -> typing.Tuple[str, typing.Union[SuccessOutput, ErrorOutput]]:\n    out = subprocess.check_output([\"/plugin/nod-tool\", params.name])\n    return \"success\", SuccessOutput(out.decode())\n\n\nif __name__ == \"__main__\":\n    sys.exit(plugin.run(plugin.build_schema(nod, shake)))",
                1,
            );
        assert!(
            two.contains("def shake("),
            "the module's end moved:\n{text}"
        );
        fs::write(&m, two).unwrap();
        fs::write(
            src.join("docker-compose.yaml"),
            "services:\n  plugin:\n    build: .\n    command: \"-s shake -f /inputs/nod-input.yaml\"\n    volumes:\n      - ./inputs:/inputs:Z\n",
        )
        .unwrap();
    });
    let ran = setup(&sb, &tools, &[&url]);
    assert_eq!(ran.code, Some(0), "{}", ran.output);
    for needle in [
        "the example input is run with the one docker-compose.yaml's command names, `-s shake`",
        "nod_plugin.py -f inputs/nod-input.yaml -s shake",
        "Warning: The example step `shake` ran and did not succeed here: FileNotFoundError",
        "/plugin/nod-tool is not on this machine: the plugin's image provides it",
        "Warning: The ATP round trip works",
        "Done: ",
    ] {
        assert!(
            ran.output.contains(needle),
            "{needle:?} missing:\n{}",
            ran.output
        );
    }
    assert!(!ran.output.contains("-s nod"), "{}", ran.output);
}
