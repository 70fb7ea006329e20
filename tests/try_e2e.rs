//! `arcaflow-wizard try` with the real Arcaflow engine (the arcaflow 0.21.0
//! wheel from the test wheelhouse) on a plugin made by `new`, through the
//! Python deployer: success exits 0, a step that returns `error` exits 1
//! with the error output, and a second run on the same commit is fast.
//!
//! The plugin is served in a private network namespace where unshare allows
//! it, and on the machine's 127.0.0.1:80 as root (CI): each way is tested
//! where it can run, and skips loudly elsewhere.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{run, Ran, Sandbox, Tools};

const JOURNEY: Duration = Duration::from_secs(900);

fn sandbox(tools: &Tools) -> Sandbox {
    sandbox_with(tools, &tools.poetry2, &tools.py311)
}

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    let mut dirs = vec![bin];
    // git, unshare and the rest of the base system.
    dirs.extend(["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"].map(Into::into));
    sb.set_path(&dirs);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

fn try_run(sb: &Sandbox, dir: &Path, serve: &str, extra: &[&str]) -> (Ran, Duration) {
    let mut cmd = sb.wizard();
    cmd.arg("try")
        .arg(dir)
        .args(extra)
        .env("ARCAFLOW_WIZARD_TRY_SERVE", serve);
    let t = Instant::now();
    let ran = run(&mut cmd, JOURNEY);
    (ran, t.elapsed())
}

/// How try can serve port 80 here: a user+network namespace, else root;
/// neither: the test is skipped, saying `why` it needs one.
fn serve_mode(why: &str) -> Option<&'static str> {
    if namespace_possible() {
        Some("namespace")
    } else if arcaflow_wizard::sys::ffi::geteuid() == 0 {
        Some("root")
    } else {
        common::skip(&format!("neither a user+network namespace nor root: {why}"));
        None
    }
}

/// Every venv under `dir` (its pyvenv.cfg) with its modification time.
fn venvs(dir: &Path) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                todo.push(p);
            } else if p.file_name().is_some_and(|n| n == "pyvenv.cfg") {
                out.push((p.clone(), e.metadata().unwrap().modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn namespace_possible() -> bool {
    Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "true"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn commit(sb: &Sandbox, dir: &Path, msg: &str) {
    for args in [vec!["add", "-A"], vec!["commit", "-qm", msg]] {
        let r = run(
            sb.command("git")
                .args(&args)
                .env("GIT_AUTHOR_NAME", "T")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "T")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .current_dir(dir),
            Duration::from_secs(30),
        );
        assert!(r.ok(), "git {args:?}: {}", r.output);
    }
}

#[test]
fn a_plugin_made_by_new_runs_in_the_engine_and_an_error_exits_1() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = serve_mode("try cannot serve port 80 here") else {
        return;
    };
    let sb = sandbox(&tools);
    let mut new = sb.wizard();
    new.args([
        "new",
        "--yes",
        "--name",
        "example",
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(&tools.py311)
    .env("ARCAFLOW_WIZARD_TRY_SERVE", serve);
    let made = run(&mut new, JOURNEY);
    assert!(made.ok(), "new failed:\n{}", made.output);
    // new's plan installs the engine (pinned, hash-checked, from the index
    // it was given) and ends with the example step run by it.
    for want in [
        "--require-hashes",
        &format!("--index-url {}", tools.index_url),
        "arcaflow-wizard try ",
        "message: Hello, Arca!",
        "engine exit code 0; workflow output: success",
    ] {
        assert!(
            made.output.contains(want),
            "no {want:?} in:\n{}",
            made.output
        );
    }
    let engine_run = made
        .output
        .rfind("workflow output: success")
        .expect("checked above");
    let after = &made.output[engine_run..];
    assert!(
        !after.contains("$ "),
        "a command ran after the engine's success:\n{after}"
    );
    let dir = sb.work().join("arcaflow-plugin-example");
    let (ran, _) = try_run(&sb, &dir, serve, &[]);
    assert!(ran.ok(), "try failed:\n{}", ran.output);
    for want in [
        "step: hello-world",
        "deployment_type: python",
        "modulePullPolicy: IfNotPresent",
        "output_id: success",
        "message: Hello, Arca!",
        "engine exit code 0; workflow output: success",
        "Done: the Arcaflow engine ran the example step",
    ] {
        assert!(ran.output.contains(want), "no {want:?} in:\n{}", ran.output);
    }
    // The screen got the engine's log folded; the session log has it whole.
    let session_log = ran
        .output
        .lines()
        .find_map(|l| l.strip_prefix("Session log: "))
        .expect("try names its session log");
    let logged = std::fs::read_to_string(session_log.trim()).unwrap();
    let try_dir = sb.home().join(".cache/arcaflow-wizard/try");
    let commit_dir = std::fs::read_dir(&try_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let engine_log = std::fs::read_to_string(commit_dir.path().join("engine.log")).unwrap();
    assert!(engine_log.lines().count() > 5, "{engine_log}");
    assert!(
        logged.contains(engine_log.trim_end()),
        "the session log lacks the engine's whole log:\n{logged}"
    );
    let folded = engine_log
        .lines()
        .find(|l| l.contains("\tinfo\t"))
        .expect("an info line");
    assert!(!ran.output.contains(folded), "{}", ran.output);

    // `try` on the same commit: the engine, the served commit and the
    // deployer's venv are all reused (how long that takes is measured by
    // scripts/bench-try, not here: BENCHMARKS.md). The venvs under the
    // commit's folder, the deployer's among them, are the same files after.
    let venvs_before = venvs(&commit_dir.path());
    assert!(
        !venvs_before.is_empty(),
        "no venv under {}",
        commit_dir.path().display()
    );
    let (again, _) = try_run(&sb, &dir, serve, &["--save"]);
    assert_eq!(
        venvs(&commit_dir.path()),
        venvs_before,
        "a venv was made again:\n{}",
        again.output
    );
    assert!(again.ok(), "second try failed:\n{}", again.output);
    assert!(
        again.output.contains("message: Hello, Arca!"),
        "{}",
        again.output
    );
    assert!(
        again
            .output
            .contains("Prepare the commit for the Python deployer: already done"),
        "{}",
        again.output
    );
    assert!(
        again
            .output
            .contains("Get the Arcaflow engine: already done"),
        "{}",
        again.output
    );

    // --save put the workflow and config in the project.
    let saved = std::fs::read_to_string(dir.join("workflows/try/workflow.yaml")).unwrap();
    assert!(saved.contains("    step: hello-world\n"), "{saved}");
    let config = std::fs::read_to_string(dir.join("workflows/try/config.yaml")).unwrap();
    assert!(config.contains("deployer_name: python"), "{config}");

    // A committed example input on which the step returns `error`.
    std::fs::create_dir_all(dir.join("inputs")).unwrap();
    std::fs::write(dir.join("inputs/example.yaml"), "name: \"   \"\n").unwrap();
    commit(&sb, &dir, "an input the step refuses");
    let (bad, _) = try_run(&sb, &dir, serve, &[]);
    assert_eq!(bad.code, Some(1), "{}", bad.output);
    assert!(bad.output.contains("output_id: error"), "{}", bad.output);
    assert!(
        bad.output
            .contains("the name is blank: give a name to greet"),
        "{}",
        bad.output
    );
    assert!(
        bad.output.contains("workflow output: error"),
        "{}",
        bad.output
    );
}

#[test]
fn as_root_the_machines_port_80_serves_the_commit() {
    let Some(tools) = common::tools() else {
        return;
    };
    if arcaflow_wizard::sys::ffi::geteuid() != 0 {
        common::skip("not root: the machine's port 80 cannot be opened");
        return;
    }
    let sb = sandbox(&tools);
    let mut new = sb.wizard();
    new.args([
        "new",
        "--yes",
        "--name",
        "rooted",
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(&tools.py311);
    let made = run(&mut new, JOURNEY);
    assert!(made.ok(), "new failed:\n{}", made.output);
    let (ran, _) = try_run(&sb, &sb.work().join("arcaflow-plugin-rooted"), "root", &[]);
    assert!(ran.ok(), "try failed:\n{}", ran.output);
    assert!(
        ran.output
            .contains("serving the commit on http://127.0.0.1:80/ (running as root"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("message: Hello, Arca!"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("workflow output: success"),
        "{}",
        ran.output
    );
    // Port 80 taken, and no namespace: it says why, and how to run the same
    // check after pushing (the https URL and the commit SHA).
    let dir = sb.work().join("arcaflow-plugin-rooted");
    let sha = run(
        sb.command("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(&dir),
        Duration::from_secs(30),
    )
    .output
    .trim()
    .to_string();
    let _holder =
        std::net::TcpListener::bind(("127.0.0.1", 80)).expect("port 80 was free a moment ago");
    let (blocked, _) = try_run(&sb, &dir, "root", &[]);
    assert_eq!(blocked.code, Some(1), "{}", blocked.output);
    for want in [
        "Cannot serve the plugin's repository on http://127.0.0.1/".to_string(),
        "127.0.0.1:80 is taken".to_string(),
        format!("src: \"arcaflow-plugin-rooted@git+https://github.com/<owner>/arcaflow-plugin-rooted.git@{sha}\""),
        "a commit SHA, not a tag".to_string(),
    ] {
        assert!(blocked.output.contains(&want), "no {want:?} in:\n{}", blocked.output);
    }
}

/// `new --dry-run`'s script installs the engine (pinned, hash-checked) and
/// ends with `arcaflow-wizard try`, where the engine can run.
#[test]
fn the_dry_run_script_installs_the_engine_and_runs_try() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = serve_mode("new plans no engine run here") else {
        return;
    };
    let sb = sandbox(&tools);
    let mut new = sb.wizard();
    new.args(["new", "--yes", "--name", "dry", "--dry-run", "--python"])
        .arg(&tools.py311)
        .env("ARCAFLOW_WIZARD_TRY_SERVE", serve)
        .stderr(std::process::Stdio::null());
    let out = new.output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    for want in [
        "arcaflow==0.21.0 --hash=sha256:56bb0d3eec4f8537e4fc3dd9b9019b4ff951e21231a4641d95ff981344687581",
        "-m venv --clear",
        "--require-hashes --only-binary :all: --no-deps -r",
    ] {
        assert!(script.contains(want), "no {want:?} in:\n{script}");
    }
    let last = script.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(
        last.starts_with("arcaflow-wizard try ") && last.ends_with("arcaflow-plugin-dry"),
        "{script}"
    );
}

/// The official build's Poetry line (1.8.3 on Python 3.9): `new`'s test
/// build ends with the run in the engine.
#[test]
fn a_plugin_made_with_poetry_1_8_runs_in_the_engine_and_new_ends_with_it() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = serve_mode("try cannot serve port 80 here") else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry1, &tools.py39);
    let new = |name: &str| {
        let mut cmd = sb.wizard();
        cmd.args([
            "new",
            "--yes",
            "--name",
            name,
            "--index-url",
            &tools.index_url,
            "--python",
        ])
        .arg(&tools.py39)
        .env("ARCAFLOW_WIZARD_TRY_SERVE", serve);
        let ran = run(&mut cmd, JOURNEY);
        assert!(ran.ok(), "new {name} failed:\n{}", ran.output);
        ran
    };
    // The engine is installed by the first test or by this new itself.
    let made = new("older");
    for want in [
        "arcaflow-wizard try ",
        "message: Hello, Arca!",
        "engine exit code 0; workflow output: success",
        "Done: the Arcaflow engine ran the example step",
    ] {
        assert!(
            made.output.contains(want),
            "no {want:?} in:\n{}",
            made.output
        );
    }
}

/// Where docker works, `try` uses the image deployer: it builds the
/// commit's image from a clean checkout and runs the engine with
/// `deployment_type: image`. No container engine runs here: a stand-in
/// docker answers `info` and records what it is asked; the real engine then
/// reads the wizard's workflow and config, and fails only to reach docker.
#[test]
fn with_docker_try_builds_the_commits_image_and_uses_the_image_deployer() {
    let Some(tools) = common::tools() else {
        return;
    };
    let mut sb = sandbox(&tools);
    sb.remove_env("ARCAFLOW_WIZARD_TRY_SERVE");
    let fake = sb.root().join("engine");
    std::fs::create_dir_all(&fake).unwrap();
    let record = sb.root().join("docker-calls.txt");
    let docker = fake.join("docker");
    std::fs::write(
        &docker,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\ncase \"$1\" in\n  info) echo 28.2.2 ;;\n  build) echo built ;;\n  *) exit 1 ;;\nesac\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let dirs: Vec<std::path::PathBuf> = [fake]
        .into_iter()
        .chain(std::env::split_paths(sb.path_var()))
        .collect();
    sb.set_path(&dirs);
    // A plugin as the official ones are laid out, committed.
    let dir = sb.work().join("tick");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins/dnf-build-stage");
    let cp = run(
        sb.command("cp").arg("-r").arg(&fixture).arg(&dir),
        Duration::from_secs(30),
    );
    assert!(cp.ok(), "{}", cp.output);
    std::fs::create_dir_all(dir.join("inputs")).unwrap();
    std::fs::write(dir.join("inputs/example.yaml"), "seconds: 1\n").unwrap();
    let init = run(
        sb.command("git").args(["init", "-q"]).current_dir(&dir),
        Duration::from_secs(30),
    );
    assert!(init.ok(), "{}", init.output);
    commit(&sb, &dir, "the plugin");
    let sha = run(
        sb.command("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(&dir),
        Duration::from_secs(30),
    )
    .output
    .trim()
    .to_string();
    let image = format!("arcaflow_plugin_tick:try-{}", &sha[..12]);

    let mut cmd = sb.wizard();
    cmd.arg("try").arg(&dir);
    let ran = run(&mut cmd, JOURNEY);
    let commit_dir = sb.home().join(".cache/arcaflow-wizard/try").join(&sha);
    let workflow = std::fs::read_to_string(commit_dir.join("workflow.yaml")).unwrap();
    assert!(
        workflow.contains(&format!(
            "    plugin:\n      src: \"{image}\"\n      deployment_type: image\n"
        )),
        "{workflow}"
    );
    let config = std::fs::read_to_string(commit_dir.join("config.yaml")).unwrap();
    assert!(
        config.contains(
            "  image:\n    deployer_name: docker\n    deployment:\n      imagePullPolicy: Never\n"
        ),
        "{config}"
    );
    let calls = std::fs::read_to_string(&record).unwrap();
    let src = commit_dir.join("src");
    assert!(
        calls.contains(&format!("build -t {image} {}\n", src.display())),
        "{calls}"
    );
    // The image holds the commit, not the working tree.
    assert!(src.join("inputs/example.yaml").is_file());
    assert!(
        ran.output
            .contains("The image deployer (docker) runs the commit's image."),
        "{}",
        ran.output
    );
    assert!(
        ran.output
            .contains("Prepare the commit for the Python deployer: already done")
            || ran.output.contains("no git server is needed"),
        "{}",
        ran.output
    );
    assert!(!ran.output.contains("serving the commit"), "{}", ran.output);
    for want in [
        format!("-config {}", commit_dir.join("config.yaml").display()),
        "-workflow workflow.yaml".to_string(),
    ] {
        assert!(
            ran.output.contains(&want),
            "no {want:?} in:\n{}",
            ran.output
        );
    }
    // No docker daemon: the engine fails to reach it, after reading the
    // wizard's files without complaint.
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    let log = std::fs::read_to_string(commit_dir.join("engine.log")).unwrap();
    for want in [
        format!("Creating container from image {image}"),
        "Cannot connect to the Docker daemon".to_string(),
    ] {
        assert!(
            log.contains(&want),
            "no {want:?} in the engine's log:\n{log}"
        );
    }
    // imagePullPolicy: Never, read by the engine: the local image is not pulled.
    assert!(!log.to_lowercase().contains("pull"), "{log}");
}

/// A copy of the doctor fixture in the official template's shape (the wheel
/// holds only `hello_plugin.py`, from the code folder), committed.
fn template_shape(sb: &Sandbox, name: &str) -> std::path::PathBuf {
    let dir = sb.work().join(name);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins/module-from-dotslash"),
        &dir,
    )
    .unwrap();
    let init = run(
        sb.command("git").args(["init", "-q"]).current_dir(&dir),
        Duration::from_secs(30),
    );
    assert!(init.ok(), "{}", init.output);
    commit(sb, &dir, "the plugin");
    dir
}

/// Plugins that ship one module. arcaflow-plugin-example's shape (the
/// module named like the package, `from` the code folder, with a __main__
/// guard) runs in the engine as it is: `python -m` runs the module itself.
/// The official template's shape (`<x>_plugin.py` only) cannot start that
/// way: try stops before installing anything, with the cause and doctor's
/// fix and its diff.
#[test]
fn a_module_named_like_the_package_runs_and_the_templates_shape_stops_with_the_fix() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = serve_mode("try cannot serve port 80 here") else {
        return;
    };
    let sb = sandbox(&tools);

    let template = template_shape(&sb, "template");
    let (stopped, _) = try_run(&sb, &template, serve, &[]);
    assert_eq!(stopped.code, Some(1), "{}", stopped.output);
    for want in [
        "the engine's Python deployer cannot start this plugin",
        "the wheel has no package arcaflow_plugin_hello",
        "python -m arcaflow_plugin_hello --atp",
        "arcaflow-wizard doctor --fix",
        "(layout-python-m)",
        "+    { include = \"arcaflow_plugin_hello\" },",
        "+    runpy.run_module(\"hello_plugin\", run_name=\"__main__\")",
    ] {
        assert!(
            stopped.output.contains(want),
            "no {want:?} in:\n{}",
            stopped.output
        );
    }
    // Stopped before anything was installed or served; the project unchanged.
    assert!(
        !stopped.output.contains("Get the Arcaflow engine"),
        "{}",
        stopped.output
    );
    assert!(!sb.home().join(".cache/arcaflow-wizard/try").exists());
    assert!(!template.join("arcaflow_plugin_hello/__main__.py").exists());

    // doctor's fix, made in the working tree only: the engine would run the
    // commit, which still lacks it, so try says to commit.
    let pyproject = std::fs::read_to_string(template.join("pyproject.toml")).unwrap();
    let module_line =
        "    { include = \"hello_plugin.py\", from = \"./arcaflow_plugin_hello\" },\n";
    assert!(pyproject.contains(module_line), "{pyproject}");
    std::fs::write(
        template.join("pyproject.toml"),
        pyproject.replace(
            module_line,
            &format!("{module_line}    {{ include = \"arcaflow_plugin_hello\" }},\n"),
        ),
    )
    .unwrap();
    std::fs::write(
        template.join("arcaflow_plugin_hello/__main__.py"),
        arcaflow_wizard::templates::folder_main("hello_plugin"),
    )
    .unwrap();
    let (uncommitted, _) = try_run(&sb, &template, serve, &[]);
    assert_eq!(uncommitted.code, Some(1), "{}", uncommitted.output);
    for want in [
        "cannot start commit",
        "commit it (git add -A && git commit)",
    ] {
        assert!(
            uncommitted.output.contains(want),
            "no {want:?} in:\n{}",
            uncommitted.output
        );
    }
    assert!(!sb.home().join(".cache/arcaflow-wizard/try").exists());
    // Committed, the fixed template runs in the engine.
    commit(&sb, &template, "doctor's fix");
    let (fixed, _) = try_run(&sb, &template, serve, &[]);
    assert!(fixed.ok(), "try failed:\n{}", fixed.output);
    for want in ["message: hello, Ada", "workflow output: success"] {
        assert!(
            fixed.output.contains(want),
            "no {want:?} in:\n{}",
            fixed.output
        );
    }

    // The example's shape: the same plugin, its module named like the package.
    let example = template_shape(&sb, "example");
    std::fs::rename(
        example.join("arcaflow_plugin_hello/hello_plugin.py"),
        example.join("arcaflow_plugin_hello/arcaflow_plugin_hello.py"),
    )
    .unwrap();
    for (file, from, to) in [
        (
            "pyproject.toml",
            "{ include = \"hello_plugin.py\", from = \"./arcaflow_plugin_hello\" }",
            "{include =\"arcaflow_plugin_hello.py\", from=\"./arcaflow_plugin_hello\"}",
        ),
        (
            "Dockerfile",
            "\"hello_plugin.py\"",
            "\"arcaflow_plugin_hello.py\"",
        ),
    ] {
        let text = std::fs::read_to_string(example.join(file)).unwrap();
        assert!(text.contains(from), "{file}:\n{text}");
        std::fs::write(example.join(file), text.replace(from, to)).unwrap();
    }
    // Its example input where arcaflow-plugin-example keeps it.
    std::fs::create_dir_all(example.join("fixtures")).unwrap();
    std::fs::rename(
        example.join("inputs/example.yaml"),
        example.join("fixtures/example.yaml"),
    )
    .unwrap();
    commit(&sb, &example, "the module named like the package");
    let (ran, _) = try_run(&sb, &example, serve, &[]);
    assert!(ran.ok(), "try failed:\n{}", ran.output);
    for want in [
        "step: hello",
        "deployment_type: python",
        "output_id: success",
        "message: hello, Ada",
        "engine exit code 0; workflow output: success",
    ] {
        assert!(ran.output.contains(want), "no {want:?} in:\n{}", ran.output);
    }
}

/// `--answers FILE` for try holds dir, python and save: anything else, or a
/// save that is not yes or no, is bad input (exit 2, nothing done).
#[test]
fn try_answers_refuse_an_unknown_key_and_a_save_that_is_not_yes_or_no() {
    let sb = Sandbox::new();
    let file = sb.work().join("answers.toml");
    for (text, want) in [
        (
            "sav = true\n",
            "unknown key 'sav' (known: dir, python, save)",
        ),
        ("save = \"maybe\"\n", "'save' must be true or false"),
    ] {
        std::fs::write(&file, text).unwrap();
        let ran = run(
            sb.wizard()
                .args(["try", "--answers"])
                .arg(&file)
                .current_dir(sb.work()),
            Duration::from_secs(60),
        );
        assert_eq!(ran.code, Some(2), "{}", ran.output);
        assert!(ran.output.contains(want), "no {want:?} in:\n{}", ran.output);
    }
    assert!(!sb.home().join(".cache/arcaflow-wizard").exists());
}
