//! No stray processes, no hang, the terminal given back (issue 13 item 8,
//! issue 17's word at Ctrl-C): the real wizard in plain mode, real signals,
//! real processes read back from /proc. The stand-in `poetry` is the command
//! that runs (what it does is what the test needs to watch).

mod common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Sandbox;

const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHNpZ25hbHMtdGVzdC10b2tlbi12YWx1ZQ";

/// A plugin project whose release starts with `poetry install`.
fn project(sb: &Sandbox) -> PathBuf {
    let dir = sb.work().join("plugin");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\ndescription = \"x\"\n\
         authors = [\"Jane Doe <jane@example.com>\"]\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n",
    )
    .unwrap();
    fs::write(dir.join("arcaflow_plugin_example/__init__.py"), "").unwrap();
    dir
}

/// A stand-in `poetry` on PATH: `--version` answers, `install` runs `install`
/// (a shell snippet), everything else succeeds silently.
fn standin(sb: &mut Sandbox, install: &str) {
    let bin = sb.root().join("standin-bin");
    fs::create_dir_all(&bin).unwrap();
    let p = bin.join("poetry");
    fs::write(
        &p,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'Poetry (version 1.8.3)';;\n  install) {install};;\nesac\nexit 0\n"
        ),
    )
    .unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    sb.set_path(&[bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")]);
}

/// The process is gone (or a zombie no one reaped yet: it runs nothing).
fn gone(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s[s.rfind(')').unwrap() + 1..]
            .trim_start()
            .starts_with(['Z', 'X']),
        Err(_) => true,
    }
}

fn wait_for_file(p: &Path, timeout: Duration) -> String {
    let until = Instant::now() + timeout;
    loop {
        if let Ok(t) = fs::read_to_string(p) {
            if t.ends_with('\n') {
                return t;
            }
        }
        assert!(Instant::now() < until, "{} never appeared", p.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn pids(text: &str) -> Vec<u32> {
    text.split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// SIGINT, SIGTERM or SIGHUP to the wizard while a command runs: the command
/// and what it started are ended, one line says so, the exit code is 128 + N.
#[test]
fn a_signal_mid_command_ends_the_command_and_says_so() {
    for (sig, code, word) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGINT, 130, "Ctrl-C"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let mut sb = Sandbox::new();
        let pidfile = sb.root().join("pids");
        // The command and a grandchild that ignores SIGTERM (so the group
        // needs the SIGKILL after the grace period).
        standin(
            &mut sb,
            &format!(
                "(trap '' TERM; sleep 300) & echo \"$$ $!\" > '{}'; echo installing; wait",
                pidfile.display()
            ),
        );
        sb.set_env("POETRY_PYPI_TOKEN_LOCAL", TOKEN);
        // A temp folder of its own, to see the release's scratch folder go.
        let tmp = sb.root().join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        sb.set_env("TMPDIR", &tmp);
        let dir = project(&sb);
        let out = tempfile::NamedTempFile::new().unwrap();
        let mut child = sb
            .wizard()
            .arg("release")
            .arg(&dir)
            .args(["--repository", "local", "--repository-url"])
            .args(["http://127.0.0.1:9/", "--yes", "--plain"])
            .stdout(out.reopen().unwrap())
            .stderr(out.reopen().unwrap())
            .spawn()
            .unwrap();
        let running = pids(&wait_for_file(&pidfile, Duration::from_secs(60)));
        assert_eq!(running.len(), 2);
        assert!(running.iter().all(|&p| !gone(p)));
        // A signal to the child this test started.
        arcaflow_wizard::sys::ffi::kill(child.id() as i32, sig);
        let until = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > until {
                let _ = child.kill();
                panic!("the wizard did not stop on {word}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let text = fs::read_to_string(out.path()).unwrap();
        assert_eq!(status.code(), Some(code), "{word}: {text}");
        assert!(text.contains(&format!("Stopped by {word}")), "{text}");
        assert_eq!(text.matches("Stopped by").count(), 1, "{text}");
        for p in running {
            assert!(gone(p), "{word}: process {p} is still running:\n{text}");
        }
        // Exiting skips every drop: the log is written out all the same, and
        // the scratch folder removed.
        let logs = sb.state_dir().join("arcaflow-wizard/logs");
        let log: String = fs::read_dir(&logs)
            .unwrap()
            .flatten()
            .map(|e| fs::read_to_string(e.path()).unwrap())
            .collect();
        assert!(
            log.contains("installing"),
            "{word}: the log lost the output:\n{log}"
        );
        assert!(log.contains(&format!("== stopped by {word}")), "{log}");
        let left: Vec<_> = fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert!(left.is_empty(), "{word}: left behind {left:?}");
    }
}

/// A command that exits leaving a background process on the output pipe:
/// the wizard goes on when the command ends, and ends that process.
#[test]
fn a_background_process_on_the_pipe_does_not_hang_the_wizard() {
    let mut sb = Sandbox::new();
    let pidfile = sb.root().join("pids");
    standin(
        &mut sb,
        &format!(
            "sleep 300 & echo \"$!\" > '{}'; echo 'left one behind'; exit 1",
            pidfile.display()
        ),
    );
    sb.set_env("POETRY_PYPI_TOKEN_LOCAL", TOKEN);
    let dir = project(&sb);
    let started = Instant::now();
    let ran = sb.run_wizard(
        &[
            "release",
            dir.to_str().unwrap(),
            "--repository",
            "local",
            "--repository-url",
            "http://127.0.0.1:9/",
            "--yes",
            "--plain",
        ],
        Duration::from_secs(120),
    );
    assert!(!ran.timed_out, "{}", ran.output);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the wizard waited {:?} for the background sleep",
        started.elapsed()
    );
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    assert!(ran.output.contains("left one behind"), "{}", ran.output);
    let sleeper = pids(&fs::read_to_string(&pidfile).unwrap())[0];
    std::thread::sleep(Duration::from_millis(200));
    assert!(gone(sleeper), "the background sleep {sleeper} survived");
}

/// Ctrl-C at the plain masked token prompt, in a pty: exit 130, a word
/// saying it stopped, and the terminal's echo back on.
#[test]
fn ctrl_c_at_the_plain_token_prompt_says_so_and_gives_echo_back() {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    let mut sb = Sandbox::new();
    standin(&mut sb, "true");
    let dir = project(&sb);
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let tty = pair.master.tty_name().expect("the pty's name");
    let mut cmd = CommandBuilder::new(common::wizard_exe());
    cmd.env_clear();
    for (k, v) in sb.env_pairs() {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(sb.work());
    for a in [
        "release",
        dir.to_str().unwrap(),
        "--plain",
        "--repository",
        "local",
        "--repository-url",
        "http://127.0.0.1:9/",
    ] {
        cmd.arg(a);
    }
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let screen = Arc::new(Mutex::new(String::new()));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let seen = screen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut writer = pair.master.take_writer().unwrap();
    // Answer what comes before the token (a failed check: skip; a question:
    // its default) until the masked prompt waits.
    let until = Instant::now() + Duration::from_secs(180);
    let mut answered = 0;
    loop {
        let text = screen.lock().unwrap().clone();
        let tail = text.trim_end();
        if tail.contains("API token for local") && tail.ends_with(':') {
            break;
        }
        assert!(
            Instant::now() < until,
            "the token prompt never came:\n{text}"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the wizard ended before the token prompt:\n{text}"
        );
        // Each prompt: a failure's choices, or a question with its default in brackets.
        let prompts = text.matches("[s]kip").count() + text.matches("]: ").count();
        if tail.ends_with(':') && prompts > answered {
            let key = if tail.ends_with("[q]uit:") {
                "s\r"
            } else if tail.ends_with("[y/N]:") {
                "y\r"
            } else {
                "\r"
            };
            writer.write_all(key.as_bytes()).unwrap();
            answered = prompts;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(300));
    // Echo is off while the token is typed.
    let stty = |tty: &Path| {
        let out = std::process::Command::new("stty")
            .arg("-a")
            .arg("-F")
            .arg(tty)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let during = stty(&tty);
    assert!(
        during.contains("-echo "),
        "echo is on at the prompt: {during}"
    );
    writer.write_all(b"\x03").unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < until, "the wizard did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(300));
    let text = screen.lock().unwrap().clone();
    assert_eq!(status.exit_code(), 130, "{text}");
    assert!(text.contains("Stopped by Ctrl-C"), "{text}");
    let after = stty(&tty);
    assert!(
        after.split_whitespace().any(|w| w == "echo"),
        "echo was not restored: {after}"
    );
    drop(writer);
    drop(pair.master);
}
