//! The full-screen wizard driven in a real pseudo-terminal: the real binary,
//! keystrokes in, the screen read back through a vt100 parser.

mod common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::{Sandbox, Tools};
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

const ESC: &str = "\x1b";
const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";
const BACKSPACE: &str = "\x7f";

struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    reader: Option<JoinHandle<()>>,
}

impl Pty {
    fn spawn(sb: &Sandbox, args: &[&str], (cols, rows): (u16, u16), env: &[(&str, &str)]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
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
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.cwd(sb.work());
        for a in args {
            cmd.arg(a);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn the wizard");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let p = parser.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => p.lock().unwrap().process(&buf[..n]),
                }
            }
        });
        Pty {
            parser,
            writer,
            child,
            _master: pair.master,
            reader: Some(reader),
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let a lone ESC be read as the Esc key, not the start of a sequence.
        std::thread::sleep(Duration::from_millis(80));
    }

    fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.send(&c.to_string());
        }
    }

    fn contents(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let until = Instant::now() + timeout;
        loop {
            let s = self.contents();
            if s.contains(needle) {
                return s;
            }
            if Instant::now() > until {
                panic!("{needle:?} did not appear within {timeout:?}; the screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait for the process to end and its last output to be read; its exit code.
    fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let until = Instant::now() + timeout;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("the wizard did not exit; the screen:\n{}", self.contents());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if let Some(r) = self.reader.take() {
            let until = Instant::now() + Duration::from_secs(5);
            while !r.is_finished() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        status.exit_code()
    }

    /// The text of the row the cursor is on (where a prompt waits).
    fn cursor_line(&self) -> String {
        let p = self.parser.lock().unwrap();
        let screen = p.screen();
        let (row, _) = screen.cursor_position();
        let (_, cols) = screen.size();
        let line = screen
            .rows(0, cols.into())
            .nth(usize::from(row))
            .unwrap_or_default();
        line
    }

    /// The terminal is back to normal: main screen, cursor shown.
    fn assert_restored(&self) {
        let p = self.parser.lock().unwrap();
        let screen = p.screen();
        assert!(
            !screen.alternate_screen(),
            "still on the alternate screen:\n{}",
            screen.contents()
        );
        assert!(
            !screen.hide_cursor(),
            "the cursor is still hidden:\n{}",
            screen.contents()
        );
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

const START: Duration = Duration::from_secs(60);

#[test]
fn the_menu_fits_80x24_and_120x40_and_q_quits() {
    for size in [(80, 24), (120, 40)] {
        let sb = Sandbox::new();
        let mut pty = Pty::spawn(&sb, &[], size, &[]);
        let s = pty.wait_for("What would you like to do?", START);
        for needle in [
            "1. New plugin",
            "2. Release",
            "3. Doctor",
            "first-time contributor",
            "For a maintainer",
            "setup is broken",
            "q/Esc quit",
        ] {
            assert!(s.contains(needle), "{needle:?} at {size:?}:\n{s}");
        }
        pty.send("q");
        assert_eq!(pty.wait_exit(Duration::from_secs(10)), 0);
        pty.assert_restored();
    }
}

#[test]
fn esc_leaves_the_menu() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &[], (80, 24), &[]);
    pty.wait_for("What would you like to do?", START);
    pty.send(ESC);
    assert_eq!(pty.wait_exit(Duration::from_secs(10)), 0);
    pty.assert_restored();
}

#[test]
fn new_plugin_from_the_menu_refuses_a_bad_name_then_takes_a_good_one() {
    for size in [(80, 24), (120, 40)] {
        let sb = Sandbox::new();
        let mut pty = Pty::spawn(&sb, &[], size, &[]);
        pty.wait_for("What would you like to do?", START);
        pty.send(ENTER);
        let s = pty.wait_for("Plugin name", START);
        assert!(s.contains("About your plugin"), "{s}");
        assert!(s.contains("naming scheme"), "the why-text: {s}");
        pty.type_text("Bad Name");
        pty.wait_for("has capitals", Duration::from_secs(10));
        // Enter does not take it.
        pty.send(ENTER);
        let s = pty.wait_for("has capitals", Duration::from_secs(10));
        assert!(!s.contains("One line on what it does"), "{s}");
        for _ in 0.."Bad Name".len() {
            pty.send(BACKSPACE);
        }
        pty.type_text("example");
        pty.wait_for("✓ ok", Duration::from_secs(10));
        pty.send(ENTER);
        let s = pty.wait_for("One line on what it does", Duration::from_secs(10));
        assert!(
            s.contains("An Arcaflow plugin."),
            "the default is filled in: {s}"
        );
        // Esc asks; y quits.
        pty.send(ESC);
        pty.wait_for("Quit now?", Duration::from_secs(10));
        pty.send("y");
        assert_eq!(pty.wait_exit(Duration::from_secs(20)), 1);
        pty.assert_restored();
        let s = pty.contents();
        assert!(s.contains("Run the same command again to continue"), "{s}");
    }
}

#[test]
fn ctrl_c_at_a_question_quits_and_restores_the_terminal() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &["new"], (80, 24), &[]);
    pty.wait_for("Plugin name", START);
    assert!(pty.parser.lock().unwrap().screen().alternate_screen());
    pty.send(CTRL_C);
    assert_eq!(pty.wait_exit(Duration::from_secs(20)), 1);
    pty.assert_restored();
}

#[test]
fn plain_is_lines_even_on_a_terminal() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &["new", "--plain"], (80, 24), &[]);
    pty.wait_for("Plugin name", START);
    assert!(!pty.parser.lock().unwrap().screen().alternate_screen());
    pty.send(CTRL_C);
    pty.wait_exit(Duration::from_secs(20));
}

#[test]
fn a_panic_gives_the_terminal_back_before_the_report() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &[], (80, 24), &[("ARCAFLOW_WIZARD_TEST_PANIC", "1")]);
    let code = pty.wait_exit(START);
    assert_ne!(code, 0);
    pty.assert_restored();
    let s = pty.contents();
    assert!(
        s.contains("panic injected"),
        "the report is on the main screen:\n{s}"
    );
}

#[test]
fn a_step_that_panics_ends_the_wizard_and_gives_the_terminal_back() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(
        &sb,
        &["new"],
        (80, 24),
        &[("ARCAFLOW_WIZARD_TEST_PANIC", "step")],
    );
    // Without the abort the UI thread waited for messages forever: no exit.
    let code = pty.wait_exit(START);
    assert_ne!(code, 0);
    pty.assert_restored();
    let s = pty.contents();
    assert!(
        s.contains("panic injected in step"),
        "the report is on the main screen:\n{s}"
    );
}

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    let mut path = vec![bin, tools.tools_bin.clone()];
    path.extend(common::SYSTEM_PATH.split(':').map(std::path::PathBuf::from));
    sb.set_path(&path);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

/// A whole `new` journey in the full-screen wizard against the local index:
/// every question answered with Enter (defaults), every new file accepted.
fn whole_journey(size: (u16, u16)) {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let py = tools.py311.to_string_lossy().into_owned();
    let args = [
        "new",
        "--name",
        "example",
        "--index-url",
        tools.index_url.as_str(),
        "--python",
        py.as_str(),
    ];
    let mut pty = Pty::spawn(&sb, &args, size, &[]);
    let until = Instant::now() + Duration::from_secs(900);
    let mut last_sent = String::new();
    loop {
        let s = pty.contents();
        if Instant::now() > until {
            panic!("the journey did not finish; the screen:\n{s}");
        }
        if s.contains("✓ Done. Press Enter") {
            break;
        }
        if s.contains(" failed ─") || s.contains("✗ Stopped") {
            panic!("a step failed:\n{s}");
        }
        // Answer only a screen not answered yet.
        if s != last_sent {
            if s.contains("Write it? y yes") {
                pty.send("a");
                last_sent = s;
                continue;
            }
            if s.contains("┌ Question") {
                pty.send(ENTER);
                last_sent = s;
                continue;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let s = pty.contents();
    assert!(s.contains("✓ About your plugin"), "{s}");
    // e: the session as a shell script, under the state folder by default,
    // never in the project tree (it would make the next release's tree unclean).
    pty.send("e");
    pty.wait_for("Save the session script", Duration::from_secs(10));
    pty.send(ENTER);
    pty.wait_for("Saved what ran", Duration::from_secs(10));
    assert!(
        !sb.work()
            .join("arcaflow-plugin-example/arcaflow-wizard-session.sh")
            .exists(),
        "saved into the project tree"
    );
    let saved: Vec<_> = std::fs::read_dir(sb.state_dir().join("arcaflow-wizard/sessions"))
        .expect("the state folder's sessions")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let script = std::fs::read_to_string(&saved[0]).expect("the exported script");
    assert!(
        script.contains(" new --flat arcaflow-plugin-example"),
        "{script}"
    );
    assert!(script.contains("\ncd "), "{script}");
    assert!(script.contains("cat > "), "{script}");
    let ok = std::process::Command::new("bash")
        .args(["-n", "-c", &script])
        .status()
        .unwrap();
    assert!(ok.success(), "bash cannot read it:\n{script}");
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    let s = pty.contents();
    assert!(s.contains("Done: arcaflow-plugin-example is ready"), "{s}");
    assert!(sb
        .work()
        .join("arcaflow-plugin-example/pyproject.toml")
        .is_file());
}

#[test]
fn a_whole_new_journey_at_80x24() {
    whole_journey((80, 24));
}

#[test]
fn a_whole_new_journey_at_120x40() {
    whole_journey((120, 40));
}

/// Answer every question with Enter (its default) and accept every new file,
/// until `stop` holds for the screen (which is returned). Panics on a failure
/// box unless `stop` takes it, and after `timeout`.
fn drive(pty: &mut Pty, timeout: Duration, stop: impl Fn(&str) -> bool) -> String {
    let until = Instant::now() + timeout;
    let mut last_sent = String::new();
    loop {
        let s = pty.contents();
        if stop(&s) {
            return s;
        }
        if Instant::now() > until {
            panic!("the awaited screen did not come; the screen:\n{s}");
        }
        if s.contains(" failed ─") || s.contains("✗ Stopped") {
            panic!("a step failed:\n{s}");
        }
        if s != last_sent {
            if s.contains("Write it? y yes") {
                pty.send("a");
                last_sent = s;
                continue;
            }
            if s.contains("┌ Question") {
                pty.send(ENTER);
                last_sent = s;
                continue;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn refusing_a_diff_leaves_the_users_pyproject_unchanged() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    // The user's own project, made by Poetry 2 in its [project] form: the
    // wizard's pyproject step wants the legacy form and shows the diff.
    let ran = common::run(
        sb.command(&tools.poetry2)
            .args([
                "new",
                "--flat",
                "arcaflow-plugin-example",
                "--name",
                "arcaflow-plugin-example",
            ])
            .current_dir(sb.work()),
        Duration::from_secs(120),
    );
    assert!(ran.ok(), "{}", ran.output);
    let pyproject = sb.work().join("arcaflow-plugin-example/pyproject.toml");
    let before = std::fs::read(&pyproject).unwrap();
    assert!(String::from_utf8_lossy(&before).contains("[project]"));
    let py = tools.py311.to_string_lossy().into_owned();
    let args = [
        "new",
        "--name",
        "example",
        "--index-url",
        tools.index_url.as_str(),
        "--python",
        py.as_str(),
    ];
    let mut pty = Pty::spawn(&sb, &args, (80, 24), &[]);
    let s = drive(&mut pty, Duration::from_secs(300), |s| {
        s.contains("Replace your file?")
    });
    assert!(s.contains("Your file would change"), "{s}");
    assert!(s.contains("pyproject.toml"), "{s}");
    pty.send("n");
    // The step goes on without writing; its check then finds the file unready.
    let s = pty.wait_for(" failed ", Duration::from_secs(120));
    assert_eq!(
        std::fs::read(&pyproject).unwrap(),
        before,
        "the user's pyproject.toml changed:\n{s}"
    );
    pty.send("q");
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 1);
    pty.assert_restored();
    assert_eq!(std::fs::read(&pyproject).unwrap(), before);
    let log = std::fs::read_dir(sb.state_dir().join("arcaflow-wizard/logs"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(log.contains("kept (user's version)"), "{log}");
}

/// Processes under `pid` (children, grandchildren...), from /proc.
fn descendants(pid: u32) -> Vec<(u32, u32)> {
    let mut all: Vec<(u32, u32, u32)> = Vec::new(); // (pid, ppid, pgid)
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Some((ppid, pgid, _)) = stat(p) {
            all.push((p, ppid, pgid));
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for &(p, pp, pg) in &all {
            if pp == parent && !out.iter().any(|o| o.0 == p) {
                out.push((p, pg));
                parents.push(p);
            }
        }
    }
    out
}

/// (ppid, pgid, state) of a live process.
fn stat(pid: u32) -> Option<(u32, u32, char)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some((f[1].parse().ok()?, f[2].parse().ok()?, f[0].chars().next()?))
}

/// Live (not zombie) processes in process group `pgid`.
fn group_members(pgid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|&p| matches!(stat(p), Some((_, g, st)) if g == pgid && st != 'Z'))
        .collect()
}

#[test]
fn ctrl_c_while_a_command_hangs_ends_its_whole_group_and_restores_the_terminal() {
    let Some(tools) = common::tools() else {
        return;
    };
    // An index that accepts connections and never answers: `poetry add` hangs.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(c);
        }
    });
    let url = format!("http://127.0.0.1:{port}/simple/");
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let py = tools.py311.to_string_lossy().into_owned();
    let args = [
        "new",
        "--name",
        "example",
        "--index-url",
        url.as_str(),
        "--python",
        py.as_str(),
    ];
    let mut pty = Pty::spawn(&sb, &args, (80, 24), &[]);
    let wizard = pty.child.process_id().expect("the wizard's pid");
    let s = drive(&mut pty, Duration::from_secs(300), |s| {
        accepted.load(std::sync::atomic::Ordering::SeqCst) > 0 && s.contains("Ctrl-C cancel")
    });
    let running: Vec<(u32, u32)> = descendants(wizard);
    assert!(!running.is_empty(), "nothing runs under the wizard:\n{s}");
    let groups: Vec<u32> = running
        .iter()
        .map(|r| r.1)
        .filter(|&g| g != wizard)
        .collect();
    assert!(!groups.is_empty(), "the command has no group of its own");
    pty.send(CTRL_C);
    let s = pty.wait_for("was cancelled", Duration::from_secs(30));
    assert!(s.contains("failed"), "the failure choices follow:\n{s}");
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<u32> = groups.iter().flat_map(|&g| group_members(g)).collect();
        if left.is_empty() {
            break;
        }
        if Instant::now() > until {
            panic!("processes of the cancelled group remain: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // Nothing else still talks to the hanging index either.
    let port_s = port.to_string();
    for (p, _) in descendants(wizard) {
        let cmd = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&cmd).contains(&port_s),
            "process {p} still runs: {}",
            String::from_utf8_lossy(&cmd)
        );
    }
    pty.send("q");
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 1);
    pty.assert_restored();
}

#[test]
fn quitting_midway_then_continuing_keeps_the_answers_and_skips_done_steps() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let args = [
        "new",
        "--name",
        "example",
        "--index-url",
        tools.index_url.as_str(),
    ];
    let mut pty = Pty::spawn(&sb, &args, (80, 24), &[]);
    pty.wait_for("One line on what it does", START);
    pty.type_text(" Resumed");
    pty.wait_for("Resumed", Duration::from_secs(10));
    pty.send(ENTER);
    // Everything else by default, up to the git question: then quit.
    drive(&mut pty, Duration::from_secs(600), |s| {
        s.contains("Make it a git repository")
    });
    pty.send(ESC);
    pty.wait_for("Quit now?", Duration::from_secs(10));
    pty.send("y");
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 1);
    pty.assert_restored();
    drop(pty);

    let mut pty = Pty::spawn(&sb, &args, (80, 24), &[]);
    let s = pty.wait_for("Continue where you left off?", START);
    assert!(s.contains("Resumed"), "the earlier answers are shown:\n{s}");
    pty.send(ENTER);
    let until = Instant::now() + Duration::from_secs(300);
    let s = loop {
        let s = pty.contents();
        assert!(
            !s.contains("One line on what it does"),
            "an answered question was asked again:\n{s}"
        );
        if s.contains("Make it a git repository") {
            break s;
        }
        if s.contains(" failed ─") || Instant::now() > until {
            panic!("the resumed run did not reach the git question:\n{s}");
        }
        if s.contains("Write it? y yes") {
            panic!("a file written before was offered again:\n{s}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        s.contains("↷ Create the project"),
        "the project step shows as already done:\n{s}"
    );
    // The answer is the earlier one: the session log records it.
    pty.send(ESC);
    pty.wait_for("Quit now?", Duration::from_secs(10));
    pty.send("y");
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 1);
    pty.assert_restored();
    let state = std::fs::read_dir(sb.state_dir().join("arcaflow-wizard/projects"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(state.contains("An Arcaflow plugin. Resumed"), "{state}");
}

#[test]
fn doctor_from_the_menu_is_a_checklist_and_q_prints_the_report() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &[], (80, 24), &[]);
    pty.wait_for("What would you like to do?", START);
    pty.send("3");
    let s = pty.wait_for(" Findings ", START);
    assert!(s.contains("arcaflow-wizard · doctor"), "{s}");
    assert!(s.contains(" Detail "), "{s}");
    assert!(s.contains("r check again"), "{s}");
    pty.send("j");
    pty.send("q");
    pty.wait_exit(Duration::from_secs(30));
    pty.assert_restored();
    // The report stays on the user's screen after the checklist is gone.
    let report = pty.contents();
    let summary = summary_line(&report);
    assert!(
        summary.is_some(),
        "no summary line on the main screen:\n{report}"
    );
    // A group heading is a line of its own, and its finding has an id
    // (the 24-row screen keeps only the report's last lines).
    assert!(
        report.lines().any(|l| l.trim() == "Python") && report.contains("[python-"),
        "no Python group in the report:\n{report}"
    );
}

/// The report's last line, "N problem(s), N warning(s), N ok  (T s)", if shown.
fn summary_line(screen: &str) -> Option<&str> {
    screen.lines().map(str::trim).find(|l| {
        l.contains(" problem(s), ")
            && l.contains(" warning(s), ")
            && l.contains(" ok  (")
            && l.ends_with(" s)")
    })
}

/// `doctor --fix` answered with keys in a pty, on a real broken setup: an
/// in-project venv whose interpreter is gone, and a stale lock. The venv fix
/// is accepted, the lock fix declined, so `poetry install` fails on the stale
/// lock; that failure offers `f` (its fix, `poetry lock`), which is taken,
/// and the install is retried. Afterwards a fresh doctor agrees.
#[test]
fn doctor_fix_answered_in_a_pty_remakes_a_broken_venv_with_its_own_python() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    sb.set_env("PYENV_ROOT", &tools.pyenv_root);
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry2), ("python3.11", &tools.py311)],
    );
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    std::fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    std::fs::write(dir.join("arcaflow_plugin_example/__init__.py"), "").unwrap();
    let head = "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\n\
                description = \"d\"\nauthors = [\"A <a@example.com>\"]\n\n\
                [tool.poetry.dependencies]\npython = \"^3.9\"\n";
    let tail = format!(
        "\n[tool.poetry.group.dev.dependencies]\n\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n\n\
         [build-system]\nrequires = [\"poetry-core>=1.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
        tools.index_url
    );
    std::fs::write(dir.join("pyproject.toml"), format!("{head}{tail}")).unwrap();
    let locked = common::run(
        sb.command(&tools.poetry2).arg("lock").current_dir(&dir),
        Duration::from_secs(300),
    );
    assert!(locked.ok(), "{}", locked.output);
    // The SDK added by hand: the lock is stale now.
    std::fs::write(
        dir.join("pyproject.toml"),
        format!("{head}arcaflow-plugin-sdk = \"0.14.3\"\n{tail}"),
    )
    .unwrap();
    // A real venv made through a link to pyenv's 3.11; then the link goes.
    let gone = sb.root().join("gone/bin");
    std::fs::create_dir_all(&gone).unwrap();
    std::os::unix::fs::symlink(&tools.py311, gone.join("python3.11")).unwrap();
    let made = common::run(
        sb.command(gone.join("python3.11"))
            .args(["-m", "venv", "--without-pip"])
            .arg(dir.join(".venv")),
        Duration::from_secs(120),
    );
    assert!(made.ok(), "{}", made.output);
    std::fs::remove_dir_all(sb.root().join("gone")).unwrap();
    let version = std::fs::canonicalize(&tools.py311)
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();

    let dir_s = dir.display().to_string();
    let mut pty = Pty::spawn(&sb, &["doctor", &dir_s, "--fix", "--plain"], (100, 40), &[]);
    let until = Instant::now() + Duration::from_secs(600);
    let mut answered: Vec<(String, &str)> = Vec::new();
    let mut last = String::new();
    loop {
        if let Ok(Some(_)) = pty.child.try_wait() {
            break;
        }
        assert!(
            Instant::now() < until,
            "doctor --fix did not end:\n{}",
            pty.contents()
        );
        let s = pty.contents();
        let line = pty.cursor_line();
        if s == last {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        if line.trim_end().ends_with("Apply it? [y/N]:") {
            // The fix asked about: the last `fix: ... [id]` header above.
            let id = s
                .lines()
                .rfind(|l| l.starts_with("fix: "))
                .and_then(|l| l.rsplit_once('[')?.1.strip_suffix(']'))
                .unwrap_or_else(|| panic!("no fix header:\n{s}"))
                .to_string();
            let key = match id.as_str() {
                "venv-python-missing" | "venv-deps-missing" => "y",
                _ => "n",
            };
            pty.send(&format!("{key}\r"));
            answered.push((id, key));
            last = s;
        } else if line.contains("[f]ix") && line.trim_end().ends_with("[q]uit:") {
            pty.send("f\r");
            answered.push(("failure".into(), "f"));
            last = s;
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let code = pty.wait_exit(Duration::from_secs(30));
    let screen = pty.contents();
    let ids: Vec<&str> = answered.iter().map(|(i, _)| i.as_str()).collect();
    // The broken venv first, the lock declined, the install's failure fixed with `f`.
    assert_eq!(
        ids[..4],
        [
            "venv-python-missing",
            "lock-stale",
            "venv-deps-missing",
            "failure"
        ],
        "{answered:?}\n{screen}"
    );
    let logs: String = std::fs::read_dir(sb.state_dir().join("arcaflow-wizard/logs"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let cfg = std::fs::read_to_string(dir.join(".venv/pyvenv.cfg"))
        .unwrap_or_else(|e| panic!("no .venv/pyvenv.cfg ({e}); the log:\n{logs}\n{screen}"));
    assert!(
        cfg.contains(&format!("version = {version}"))
            || cfg.contains(&format!("version_info = {version}")),
        "not remade with Python {version}:\n{cfg}"
    );
    assert!(
        dir.join(".venv/bin/python").exists(),
        "the venv does not run"
    );
    // ACT's checks (no README, Dockerfile, tests) keep it at 1; a fresh run agrees.
    assert_eq!(code, 1, "{screen}");
    let ran = common::run(
        sb.wizard().arg("doctor").arg(&dir).arg("--json"),
        Duration::from_secs(300),
    );
    let v: serde_json::Value =
        serde_json::from_str(&ran.output[ran.output.rfind("\n{\n").map_or(0, |i| i + 1)..])
            .unwrap_or_else(|e| panic!("{e}:\n{}", ran.output));
    let sev = |id: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(sev("venv-python-missing").as_deref(), Some("ok"), "{v:#}");
    assert_eq!(sev("lock-stale").as_deref(), Some("ok"), "{v:#}");
    assert_eq!(sev("venv-deps-missing"), None, "{v:#}");
}

/// The full-screen doctor at 80x24, on a project with more findings than rows:
/// the list says how many more there are, the header's counts add up to the
/// list, the selected finding's fix line is whole, Enter asks (with the diff)
/// before a fix runs, `n` changes nothing, `y` runs it, and the cursor stays.
#[test]
fn doctor_checklist_at_80x24_scrolls_with_a_marker_and_asks_before_a_fix() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "bin",
        &[("poetry", &tools.poetry2), ("python3.11", &tools.py311)],
    );
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
    std::fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    let pyproject = "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\n\
                     description = \"d\"\nauthors = [\"A <a@example.com>\"]\n\n\
                     [tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk = \"^0.14.3\"\n";
    std::fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    let dir_s = dir.display().to_string();
    let mut pty = Pty::spawn(&sb, &["doctor", &dir_s], (80, 24), &[]);
    let s = pty.wait_for(" Findings ", START);

    // Header counts = rows listed + the rows the markers stand for.
    let header = s.lines().next().unwrap().to_string();
    let num = |word: &str| -> usize {
        let before = header.split(word).next().unwrap();
        before
            .rsplit(|c: char| !c.is_ascii_digit())
            .find(|t| !t.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    let total = num(" problem(s)") + num(" warning(s)") + num(" ok");
    let more = |s: &str, arrow: &str| -> usize {
        s.lines()
            .filter_map(|l| l.split(arrow).nth(1))
            .filter_map(|t| t.split_whitespace().next()?.parse::<usize>().ok())
            .sum()
    };
    let rows = s
        .lines()
        .filter(|l| {
            let t = l.trim_start_matches('│').trim_start();
            let t = t.trim_start_matches('›').trim_start();
            t.starts_with("✓ ") || t.starts_with("! ") || t.starts_with("✗ ")
        })
        .count();
    assert!(
        more(&s, "↓ ") > 0,
        "no '↓ N more' on a list that scrolls:\n{s}"
    );
    assert_eq!(
        rows + more(&s, "↓ ") + more(&s, "↑ "),
        total,
        "{header}\n{s}"
    );

    // The first problem is the missing dev group; its whole fix line is shown.
    assert!(
        s.contains("fix: $ edit pyproject.toml: add an empty"),
        "{s}"
    );
    assert!(s.contains("dependencies]"), "{s}");

    // Enter on a fix that writes a file: its diff, and the question; n keeps the file.
    let back = |pty: &mut Pty, want: &str| -> String {
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            let s = pty.contents();
            if s.contains(" Findings ") && s.contains(want) {
                return s;
            }
            if s.contains("Press Enter to leave") {
                pty.send(ENTER);
            }
            assert!(
                Instant::now() < until,
                "the checklist did not come back:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    pty.send(ENTER);
    let s = pty.wait_for("Write it? y yes", Duration::from_secs(30));
    assert!(s.contains("+[tool.poetry.group.dev.dependencies]"), "{s}");
    pty.send("n");
    let s = back(&mut pty, "no dev group");
    assert!(!s.contains("now: ok"), "{s}");
    assert_eq!(
        std::fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
        pyproject
    );

    // y writes it; back in the list, the cursor stays on the first row.
    pty.send(ENTER);
    pty.wait_for("Write it? y yes", Duration::from_secs(30));
    pty.send("y");
    let s = back(&mut pty, "now: ok");
    assert!(
        std::fs::read_to_string(dir.join("pyproject.toml"))
            .unwrap()
            .contains("[tool.poetry.group.dev.dependencies]"),
        "{s}"
    );
    let is_row = |l: &&str| {
        let t = l.trim_start_matches('│').trim_start();
        let t = t.trim_start_matches('›').trim_start();
        t.starts_with("✓ ") || t.starts_with("! ") || t.starts_with("✗ ")
    };
    let first = s.lines().find(is_row).unwrap();
    assert!(
        first.contains('›'),
        "the cursor moved off the first row:\n{s}"
    );

    // That row is now the missing lock: a command, so the checklist asks; n runs nothing.
    assert!(first.contains("poetry.lock"), "{s}");
    pty.send(ENTER);
    let s = pty.wait_for("Run this fix?", Duration::from_secs(10));
    assert!(s.contains("$ poetry lock"), "{s}");
    pty.send("n");
    pty.wait_for("Not applied", Duration::from_secs(10));
    assert!(!dir.join("poetry.lock").exists());
    pty.send("q");
    pty.wait_exit(Duration::from_secs(30));
    pty.assert_restored();
}

/// The full-screen release at 80x24 with a wrong token in the environment: the
/// 403 offers `t`, the token is typed again into the masked field (never drawn),
/// and the upload goes through. Issue 17, item 3.
#[test]
fn a_refused_token_is_typed_again_in_the_full_screen_release() {
    let tools = require_tools!();
    const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHR1aS1yZWxlYXNlLXJpZ2h0LXRva2Vu";
    const WRONG: &str = "pypi-AgEIcHlwaS5vcmcCJHR1aS1yZWxlYXNlLXdyb25nLXRva2Vu";
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
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
    let made = common::run(&mut new, Duration::from_secs(600));
    assert!(made.ok(), "new failed:\n{}", made.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    let pkgs = sb.root().join("uploaded");
    let server = common::start_upload_index(&pkgs, TOKEN);
    let url = server.upload_url();
    let dir_s = dir.to_string_lossy().into_owned();
    let args = [
        "release",
        dir_s.as_str(),
        "--repository",
        "local",
        "--repository-url",
        url.as_str(),
        "--version",
        "patch",
    ];
    let mut pty = Pty::spawn(&sb, &args, (80, 24), &[("POETRY_PYPI_TOKEN_LOCAL", WRONG)]);
    let until = Instant::now() + Duration::from_secs(600);
    let mut last_sent = String::new();
    let mut typed_again = false;
    loop {
        let s = pty.contents();
        assert!(!s.contains(&TOKEN[..24]), "a token is drawn:\n{s}");
        if Instant::now() > until {
            panic!("the release did not finish; the screen:\n{s}");
        }
        if s.contains("✓ Done. Press Enter") {
            break;
        }
        if s != last_sent {
            // The version bump: one change, Enter is yes.
            if s.contains("y yes (default)") {
                pty.send(ENTER);
                last_sent = s;
                continue;
            }
            if s.contains("[t] Enter the token again") {
                assert!(!typed_again, "refused twice:\n{s}");
                pty.send("t");
                pty.wait_for("API token for local", Duration::from_secs(10));
                pty.type_text(TOKEN);
                let s = pty.contents();
                assert!(!s.contains("AgEIcHlwaS5"), "the typed token is drawn:\n{s}");
                pty.send(ENTER);
                typed_again = true;
                last_sent = s;
                continue;
            }
            // PyPI now? Enter: its default, no.
            if s.contains("┌ Question") {
                pty.send(ENTER);
                last_sent = s;
                continue;
            }
            if s.contains("✗ Stopped") || (s.contains("[q] Quit") && !s.contains("[t]")) {
                panic!("a step failed:\n{s}");
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(typed_again, "the 403 never offered t");
    let files: Vec<String> = std::fs::read_dir(&pkgs)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("-0.1.1-py3-none-any.whl")),
        "{files:?}"
    );
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    let logs = sb.state_dir().join("arcaflow-wizard/logs");
    for e in std::fs::read_dir(&logs).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for t in [TOKEN, WRONG] {
            assert!(
                !text.contains(&t[..24]),
                "a token is in {}",
                e.path().display()
            );
        }
    }
    drop(server);
}
