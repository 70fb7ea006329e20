//! `arcaflow-wizard release` end to end, against a real index that takes uploads
//! (pypiserver with user `__token__`), with the real Poetry 2 and Python.
//!
//! One project goes through every case in turn, to keep the file quick: no token
//! with `--yes` (exit 2), `--dry-run` (a script without the token), a wrong token
//! (403, nothing uploaded), the right token (uploaded, installed back, run; the
//! token seen only in the environment of `poetry publish`), the same version again
//! (refused: "already on local-2"), and Poetry's own 409 for a second upload. The
//! repository's URL reaches Poetry in the environment of `poetry publish`: the
//! user's Poetry configuration gains no `repositories` entry.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{run, Sandbox, Tools};

const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJGFyY2FmbG93LXdpemFyZC10ZXN0LXRva2Vu";
const WRONG: &str = "pypi-AgEIcHlwaS5vcmcCJHdyb25nLXRva2VuLXdyb25nLXRva2Vu";
/// A name with a `-` and a digit, to check how it maps to Poetry's variables.
const REPO: &str = "local-2";
const VAR: &str = "POETRY_PYPI_TOKEN_LOCAL_2";
/// Poetry's environment form of `repositories.local-2.url`.
const URL_VAR: &str = "POETRY_REPOSITORIES_LOCAL_2_URL";

fn sandbox(tools: &Tools) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir(
        "main",
        &[("poetry", &tools.poetry2), ("python3", &tools.py311)],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\n");
    sb
}

/// The release command for the local index.
fn release(
    sb: &Sandbox,
    dir: &Path,
    upload_url: &str,
    token: Option<&str>,
) -> std::process::Command {
    let mut cmd = sb.wizard();
    cmd.arg("release")
        .arg(dir)
        .args(["--repository", REPO, "--repository-url", upload_url])
        .args(["--version", "patch", "--yes"]);
    if let Some(t) = token {
        cmd.env(VAR, t);
    }
    cmd
}

/// Every process whose ancestry includes `root` (not `root` itself).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent: BTreeMap<u32, u32> = BTreeMap::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: comm may hold spaces and parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parent.insert(pid, ppid);
        }
    }
    parent
        .keys()
        .copied()
        .filter(|&p| {
            let mut cur = p;
            for _ in 0..64 {
                match parent.get(&cur) {
                    Some(&pp) if pp == root => return true,
                    Some(&pp) if pp > 1 => cur = pp,
                    _ => return false,
                }
            }
            false
        })
        .collect()
}

fn read_nul(path: PathBuf) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
}

/// What the scan saw: argv of every descendant, and which of them had the token
/// in their environment.
#[derive(Default)]
struct Seen {
    argvs: BTreeSet<String>,
    token_in_argv: Vec<String>,
    token_in_env: BTreeSet<String>,
}

/// Runs the wizard, reading /proc of all its descendants every few milliseconds.
fn run_and_watch(
    cmd: &mut std::process::Command,
    token: &str,
    timeout: Duration,
) -> (common::Ran, Seen) {
    let out = tempfile::NamedTempFile::new().unwrap();
    cmd.stdout(out.reopen().unwrap())
        .stderr(out.reopen().unwrap())
        .stdin(Stdio::null());
    let mut child = cmd.spawn().expect("start the wizard");
    let pid = child.id();
    let mut seen = Seen::default();
    let deadline = Instant::now() + timeout;
    let status = loop {
        for p in descendants(pid) {
            let dir = PathBuf::from(format!("/proc/{p}"));
            let argv = read_nul(dir.join("cmdline")).unwrap_or_default();
            if argv.trim().is_empty() {
                continue;
            }
            if argv.contains(token) {
                seen.token_in_argv.push(argv.clone());
            }
            if read_nul(dir.join("environ")).is_some_and(|e| e.contains(token)) {
                seen.token_in_env.insert(argv.clone());
            }
            seen.argvs.insert(argv);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = std::fs::read_to_string(out.path()).unwrap_or_default();
    (
        common::Ran {
            code: status.and_then(|s| s.code()),
            output,
            timed_out: false,
        },
        seen,
    )
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle))
            {
                out.push(p);
            }
        }
    }
    out
}

/// The end of a run's output, for the test's log.
fn show_tail(what: &str, out: &str) {
    let lines: Vec<&str> = out.lines().collect();
    eprintln!(
        "--- {what} (last lines):\n{}",
        lines[lines.len().saturating_sub(14)..].join("\n")
    );
}

fn uploaded(pkgs: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(pkgs)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The upload reached the index, yet the user's Poetry configuration holds no
/// repository: the wizard used to run `poetry config repositories.NAME URL`, which
/// rewrote config.toml for every later Poetry command of the user.
fn assert_no_repositories_configured(sb: &Sandbox, tools: &Tools) {
    // The sandbox's HOME/.config/pypoetry is also its POETRY_CONFIG_DIR.
    for dir in [sb.poetry_config_dir(), sb.home().join(".config/pypoetry")] {
        let path = dir.join("config.toml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let doc: toml_edit::DocumentMut = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
        assert!(
            doc.get("repositories").is_none(),
            "the release wrote a repository into {}:\n{text}",
            path.display()
        );
    }
    // And as Poetry itself sees it.
    let mut list = sb.command(&tools.poetry2);
    list.args(["config", "--list"]);
    let listed = run(&mut list, Duration::from_secs(60));
    assert!(listed.ok(), "{}", listed.output);
    assert!(
        !listed.output.contains("repositories."),
        "Poetry's configuration has a repository:\n{}",
        listed.output
    );
}

#[test]
fn release_to_a_real_index() {
    let tools = require_tools!();
    let started = Instant::now();
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
    .arg(&tools.py311);
    let made = run(&mut new, Duration::from_secs(600));
    assert!(made.ok(), "new failed:\n{}", made.output);
    let dir = sb.work().join("arcaflow-plugin-example");

    let pkgs = sb.root().join("uploaded");
    let server = common::start_upload_index(&pkgs, TOKEN);
    let upload_url = server.upload_url();
    let page = format!("{}arcaflow-plugin-example/", server.url());

    // --yes and no token anywhere: exit 2, naming the variable; nothing changed.
    let before = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let ran = run(
        &mut release(&sb, &dir, &upload_url, None),
        Duration::from_secs(120),
    );
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(ran.output.contains(VAR), "{}", ran.output);
    assert_eq!(
        std::fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
        before
    );

    // --dry-run: the script expects the token in the environment and never holds it.
    let mut dry = release(&sb, &dir, &upload_url, Some(TOKEN));
    dry.arg("--dry-run");
    let ran = run(&mut dry, Duration::from_secs(120));
    assert!(ran.ok(), "{}", ran.output);
    assert!(
        !ran.output.contains(TOKEN),
        "the dry-run script holds the token:\n{}",
        ran.output
    );
    assert!(
        ran.output.contains(&format!("{VAR}=\"${{{VAR}:?")),
        "{}",
        ran.output
    );
    // From the run's own build folder, not dist/ (Poetry 2.x uploads the
    // highest version it finds there).
    assert!(
        ran.output.contains(&format!(
            "publish --dry-run --dist-dir \"$scratch\"/dist -r {REPO})  # rehearsal (uploads nothing)"
        )),
        "{}",
        ran.output
    );
    // The URL goes in the environment of both publish commands, not into Poetry's config.
    assert_eq!(
        ran.output
            .matches(&format!("{URL_VAR}={upload_url} "))
            .count(),
        2,
        "{}",
        ran.output
    );
    assert!(
        !ran.output.contains("config repositories"),
        "{}",
        ran.output
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
        before
    );

    // A wrong token: the 403 explained, nothing uploaded.
    let (ran, seen) = run_and_watch(
        &mut release(&sb, &dir, &upload_url, Some(WRONG)),
        WRONG,
        Duration::from_secs(400),
    );
    show_tail("wrong token", &ran.output);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    assert!(
        ran.output.contains("refused the token (403"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains("Version 0.1.0 -> 0.1.1"),
        "{}",
        ran.output
    );
    assert!(
        !ran.output.contains("b'<html"),
        "the raw page leaked through:\n{}",
        ran.output
    );
    assert!(
        ran.output.contains("--dry-run checks no credentials")
            || ran.output.contains("checks no credentials"),
        "{}",
        ran.output
    );
    assert!(
        seen.token_in_argv.is_empty(),
        "token in argv: {:?}",
        seen.token_in_argv
    );
    assert!(uploaded(&pkgs).is_empty(), "{:?}", uploaded(&pkgs));
    let (status, body) = common::http_get(&page).unwrap();
    assert!(status == 404 || !body.contains("0.1.1"), "{status} {body}");

    // The right token: uploaded, installed back, run. The same version (0.1.1)
    // goes on: the run names no other (a --version would bump again).
    let mut resumed = sb.wizard();
    resumed
        .arg("release")
        .arg(&dir)
        .args([
            "--repository",
            REPO,
            "--repository-url",
            &upload_url,
            "--yes",
        ])
        .env(VAR, TOKEN);
    let (ran, seen) = run_and_watch(&mut resumed, TOKEN, Duration::from_secs(400));
    assert!(ran.ok(), "release failed:\n{}", ran.output);
    for needle in [
        "already says 0.1.1",
        "checks no credentials",
        "imported arcaflow_plugin_example.example_plugin",
        "--extra-index-url",
        "git tag v0.1.1",
        "The official image is built when a GitHub release v0.1.1 is published",
        "gh release create v0.1.1",
        // Nothing is tagged by the wizard: the step says so (not "done").
        "→ Tag the release: not done here, left to you to run:",
        // Declined (--yes never uploads to PyPI): skipped, not "already done".
        "⊘ Upload to PyPI: skipped: not uploaded to PyPI",
        &page,
    ] {
        assert!(
            ran.output.contains(needle),
            "missing {needle:?} in:\n{}",
            ran.output
        );
    }
    assert!(
        ran.output.contains("steps:") || ran.output.contains("\"steps\""),
        "no schema:\n{}",
        ran.output
    );
    assert!(
        !ran.output.contains(TOKEN),
        "token printed:\n{}",
        ran.output
    );
    assert!(
        seen.token_in_argv.is_empty(),
        "token in argv: {:?}",
        seen.token_in_argv
    );
    assert!(
        !seen.token_in_env.is_empty(),
        "the scan never saw the upload (saw {:?})",
        seen.argvs
    );
    for argv in &seen.token_in_env {
        assert!(
            argv.contains("poetry") && argv.contains("publish") && !argv.contains("--dry-run"),
            "the token is in the environment of `{argv}`"
        );
    }
    assert!(
        seen.argvs
            .iter()
            .any(|a| a.contains("pip") && a.contains("install")),
        "{:?}",
        seen.argvs
    );
    let files = uploaded(&pkgs);
    assert!(
        files.iter().any(|f| f.ends_with("-0.1.1-py3-none-any.whl")),
        "{files:?}"
    );
    assert_no_repositories_configured(&sb, &tools);
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("version = \"0.1.1\""), "{pyproject}");
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("LABEL io.github.arcalot.arcaflow.plugin.version=\"0.1.1\""),
        "{dockerfile}"
    );

    // A second upload of 0.1.1 by Poetry itself: pypiserver's 409, explained.
    let mut again = sb.command(&tools.poetry2);
    again
        // The wizard builds outside dist/: Poetry builds there itself first.
        .args(["publish", "--build", "-r", REPO])
        .current_dir(&dir)
        .env(URL_VAR, &upload_url)
        .env(VAR, TOKEN);
    let ran409 = run(&mut again, Duration::from_secs(120));
    assert!(!ran409.ok(), "{}", ran409.output);
    let f = arcaflow_wizard::journey::explain::upload_failure(&ran409.output, REPO, VAR)
        .unwrap_or_else(|| panic!("not explained:\n{}", ran409.output));
    assert!(
        f.message.contains(&format!("already on {REPO}")),
        "{f}\n{}",
        ran409.output
    );
    assert!(!f.to_string().contains("b'"), "{f}");

    // The same version again through the wizard: it asks the index first and stops.
    let git = |args: &[&str]| {
        let mut c = sb.command("git");
        c.args(args).current_dir(&dir);
        assert!(run(&mut c, Duration::from_secs(30)).ok());
    };
    git(&["checkout", "--", "pyproject.toml", "Dockerfile"]);
    let ran = run(
        &mut release(&sb, &dir, &upload_url, Some(TOKEN)),
        Duration::from_secs(400),
    );
    show_tail("same version again", &ran.output);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    assert!(
        ran.output.contains(&format!(
            "0.1.1 of arcaflow-plugin-example is already on {REPO}"
        )),
        "{}",
        ran.output
    );
    assert!(ran.output.contains("Nothing was changed"), "{}", ran.output);
    assert_eq!(uploaded(&pkgs), files);
    assert!(std::fs::read_to_string(dir.join("pyproject.toml"))
        .unwrap()
        .contains("version = \"0.1.0\""));

    // No token in the session logs or the state.
    for t in [TOKEN, WRONG] {
        let found = files_containing(&sb.state_dir(), t);
        assert!(found.is_empty(), "token found in {found:?}");
    }
    assert!(
        std::fs::read_dir(sb.state_dir()).is_ok(),
        "no state folder at {}",
        sb.state_dir().display()
    );
    eprintln!("release test took {:.0} s", started.elapsed().as_secs_f64());
    drop(server);
}

/// `release --dry-run` asks nothing (no token, no PyPI question, stdin
/// closed), and its script, run by bash against the local index, releases
/// the version it bumps to: installs and tests that one, never the old.
/// Then a real release with packages planted where a Python could import
/// them: the old predictable scratch folder (`pip/`, the plugin) and the
/// folder the wizard runs in (`venv/`, `pip/`). None is imported: the scratch
/// folder is fresh and private, and every Python there runs with `-I`.
#[test]
fn a_dry_run_script_releases_its_version_and_nothing_planted_is_imported() {
    let tools = require_tools!();
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
    .arg(&tools.py311);
    let made = run(&mut new, Duration::from_secs(600));
    assert!(made.ok(), "new failed:\n{}", made.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    let pkgs = sb.root().join("uploaded");
    let server = common::start_upload_index(&pkgs, TOKEN);
    let upload_url = server.upload_url();

    // The README's example: no --yes, no token, nothing to answer with.
    let mut dry = sb.wizard();
    dry.arg("release")
        .args([
            "--repository",
            REPO,
            "--repository-url",
            &upload_url,
            "--dry-run",
        ])
        .current_dir(&dir);
    let out = dry.output().unwrap();
    let script = String::from_utf8_lossy(&out.stdout).into_owned();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}\n{script}");
    assert!(!said.contains("PyPI now"), "{said}");
    assert!(!said.contains("API token"), "{said}");
    assert!(
        script.contains("arcaflow_plugin_example-0.1.1-py3-none-any.whl"),
        "{script}"
    );
    assert!(
        script.contains("arcaflow-plugin-example==0.1.1"),
        "{script}"
    );
    assert!(!script.contains("0.1.0-py3"), "{script}");
    assert!(!script.contains("==0.1.0"), "{script}");
    assert!(script.contains("mktemp -d"), "{script}");
    let path = sb.root().join("release.sh");
    std::fs::write(&path, &script).unwrap();
    let mut bash = sb.command("bash");
    bash.arg(&path).current_dir(&dir).env(VAR, TOKEN);
    let ran = run(&mut bash, Duration::from_secs(600));
    show_tail("the dry run's script", &ran.output);
    assert!(ran.ok(), "the script failed:\n{}", ran.output);
    assert!(
        ran.output
            .contains("imported arcaflow_plugin_example.example_plugin"),
        "{}",
        ran.output
    );
    assert!(
        uploaded(&pkgs)
            .iter()
            .any(|f| f.ends_with("-0.1.1-py3-none-any.whl")),
        "{:?}",
        uploaded(&pkgs)
    );
    assert!(!ran.output.contains(TOKEN), "{}", ran.output);

    // Commit the release the script made, then plant.
    let git = |args: &[&str]| {
        let mut c = sb.command("git");
        c.args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(&dir);
        let r = run(&mut c, Duration::from_secs(30));
        assert!(r.ok(), "git {args:?}: {}", r.output);
    };
    git(&["commit", "-qam", "Release 0.1.1"]);
    let marker = sb.root().join("planted-ran");
    let plant = |at: &Path, package: &str| {
        let p = at.join(package);
        std::fs::create_dir_all(&p).unwrap();
        let code = format!(
            "open({:?}, 'a').write('planted {package} in {}\\n')\nraise SystemExit(0)\n",
            marker.display(),
            at.display()
        );
        std::fs::write(p.join("__init__.py"), &code).unwrap();
        std::fs::write(p.join("__main__.py"), &code).unwrap();
    };
    let real = std::fs::canonicalize(&dir).unwrap();
    let tag = arcaflow_wizard::session::state::content_hash(real.to_string_lossy().as_bytes());
    let old_scratch = std::env::temp_dir().join(format!("arcaflow-wizard-release-{tag:x}"));
    for package in ["pip", "venv", "arcaflow_plugin_example"] {
        plant(&old_scratch, package);
    }
    // What the wizard's own Python scripts import: urllib (is the version on
    // the index?) and zipfile (what the wheel holds).
    for package in [
        "pip",
        "venv",
        "arcaflow_plugin_example",
        "urllib",
        "zipfile",
    ] {
        plant(&sb.work(), package);
    }
    let ran = run(
        &mut release(&sb, &dir, &upload_url, Some(TOKEN)),
        Duration::from_secs(600),
    );
    let planted = std::fs::read_to_string(&marker).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&old_scratch);
    show_tail("release with planted packages", &ran.output);
    assert!(
        planted.is_empty(),
        "a planted package was imported:\n{planted}\n{}",
        ran.output
    );
    assert!(ran.ok(), "release failed:\n{}", ran.output);
    assert!(
        uploaded(&pkgs)
            .iter()
            .any(|f| f.ends_with("-0.1.2-py3-none-any.whl")),
        "{:?}",
        uploaded(&pkgs)
    );
    drop(server);
}
