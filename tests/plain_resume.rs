//! `new --plain` stopped midway, then run again: the plain front end says what
//! the earlier run did, asks to continue (yes by default), takes the earlier
//! answers again and finishes. Real Python, Poetry 2 and the local index.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Sandbox, Tools};
use portable_pty::{native_pty_system, CommandBuilder, PtySize};

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    let mut path = vec![bin, tools.tools_bin.clone()];
    path.extend(common::SYSTEM_PATH.split(':').map(std::path::PathBuf::from));
    sb.set_path(&path);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

/// Runs the wizard on a terminal (stdin a pty, so plain mode asks) and answers
/// every prompt with Enter, the default. Its exit code and all it printed.
fn run_answering_defaults(sb: &Sandbox, args: &[&str], timeout: Duration) -> (u32, String) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(common::wizard_exe());
    cmd.env_clear();
    for (k, v) in sb.env_pairs() {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(sb.work());
    for a in args {
        cmd.arg(a);
    }
    let mut child = pair.slave.spawn_command(cmd).expect("spawn the wizard");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");
    let out = Arc::new(Mutex::new(String::new()));
    let o = out.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => o
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    });
    let until = Instant::now() + timeout;
    // A prompt waits when the output ends in ": " and has not moved for a while.
    let mut seen = (0, Instant::now());
    let mut answered = 0;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        let text = out.lock().unwrap().clone();
        // A failure's choices have no default: stop here, with what it said.
        if text.contains("[r]etry") {
            let _ = child.kill();
            panic!("a step failed; the wizard printed:\n{text}");
        }
        if text.len() != seen.0 {
            seen = (text.len(), Instant::now());
        } else if answered != text.len()
            && text.ends_with(": ")
            && seen.1.elapsed() > Duration::from_millis(400)
        {
            writer.write_all(b"\r").unwrap();
            writer.flush().unwrap();
            answered = text.len();
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("the wizard did not end; it printed:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The last output read, then the reader ends with the pty.
    drop(pair.master);
    let stop = Instant::now() + Duration::from_secs(5);
    while !reading.is_finished() && Instant::now() < stop {
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = out.lock().unwrap().clone();
    (status.exit_code(), text)
}

/// `new --plain --yes` stopped by a signal once the SDK step starts, as a
/// user's Ctrl-C or a closed terminal would stop it; the steps before it are
/// done and saved.
fn stop_at_the_sdk_step(sb: &Sandbox, tools: &Tools, py: &str, answers: &Path) {
    let mut first = sb.wizard();
    first
        .args([
            "new",
            "--plain",
            "--yes",
            "--name",
            "example",
            "--python",
            py,
            "--index-url",
            tools.index_url.as_str(),
            "--answers",
            answers.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = first.spawn().expect("start the wizard");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    for line in stdout.lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains("Add the Arcaflow plugin SDK") {
            let ok = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(ok.success());
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "not stopped midway:\n{said}");
    assert!(
        said.contains("Add the Arcaflow plugin SDK"),
        "never reached the SDK step:\n{said}"
    );
}

#[test]
fn a_plain_new_stopped_midway_says_what_is_done_and_continues_when_run_again() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let py = tools.py311.to_string_lossy().into_owned();
    let answers = sb.root().join("answers.toml");
    std::fs::write(&answers, "description = \"Made twice, resumed once\"\n").unwrap();

    stop_at_the_sdk_step(&sb, &tools, &py, &answers);

    // Again, on a terminal, without the answers file: the plain front end
    // offers to continue; Enter says yes.
    let (code, out) = run_answering_defaults(
        &sb,
        &[
            "new",
            "--plain",
            "--name",
            "example",
            "--python",
            &py,
            "--index-url",
            tools.index_url.as_str(),
        ],
        Duration::from_secs(900),
    );
    assert_eq!(code, 0, "the resumed run did not finish:\n{out}");
    let done_then = out
        .find("an earlier run of ")
        .unwrap_or_else(|| panic!("no line says what the earlier run did:\n{out}"));
    assert!(
        out[done_then..].contains("done then: About your plugin"),
        "{out}"
    );
    let asked = out
        .find("Continue where you left off?")
        .unwrap_or_else(|| panic!("not asked to continue:\n{out}"));
    assert!(done_then < asked, "{out}");
    assert!(
        out[asked..].contains("[Y/n]: "),
        "not a yes/no, yes by default:\n{out}"
    );
    assert!(out.contains("continuing "), "{out}");
    // Answered before, not asked again.
    assert!(!out.contains("One line on what it does"), "{out}");
    assert!(
        out.contains("Done: arcaflow-plugin-example is ready"),
        "{out}"
    );
    let pyproject =
        std::fs::read_to_string(sb.work().join("arcaflow-plugin-example/pyproject.toml")).unwrap();
    assert!(
        pyproject.contains("Made twice, resumed once"),
        "the earlier answer was not taken again:\n{pyproject}"
    );
}

/// The same stop, then `--yes` with the same name and no terminal: the
/// default (continue) is taken, said in a line, and the run finishes with
/// the earlier answers.
#[test]
fn a_plain_yes_run_with_the_same_name_continues_a_stopped_one() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let py = tools.py311.to_string_lossy().into_owned();
    let answers = sb.root().join("answers.toml");
    std::fs::write(
        &answers,
        "description = \"Stopped, then continued by --yes\"\n",
    )
    .unwrap();
    stop_at_the_sdk_step(&sb, &tools, &py, &answers);
    let ran = common::run(
        sb.wizard().args([
            "new",
            "--plain",
            "--yes",
            "--name",
            "example",
            "--python",
            &py,
            "--index-url",
            tools.index_url.as_str(),
        ]),
        Duration::from_secs(900),
    );
    assert!(ran.ok(), "the resumed run did not finish:\n{}", ran.output);
    assert!(ran.output.contains("an earlier run of "), "{}", ran.output);
    assert!(ran.output.contains("continuing "), "{}", ran.output);
    assert!(
        ran.output
            .contains("Done: arcaflow-plugin-example is ready"),
        "{}",
        ran.output
    );
    let pyproject =
        std::fs::read_to_string(sb.work().join("arcaflow-plugin-example/pyproject.toml")).unwrap();
    assert!(
        pyproject.contains("Stopped, then continued by --yes"),
        "the earlier answer was not taken again:\n{pyproject}"
    );
}
