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
const CTRL_U: &str = "\x15";
const END: &str = "\x1b[F";
const HOME: &str = "\x1b[H";
const PAGE_UP: &str = "\x1b[5~";

struct Pty {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
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
            master: pair.master,
            reader: Some(reader),
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Let a lone ESC be read as the Esc key, not the start of a sequence.
        std::thread::sleep(Duration::from_millis(80));
    }

    /// The window changes size (as a user drags it): the pty and the screen
    /// read back both.
    fn resize(&mut self, (cols, rows): (u16, u16)) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        self.parser.lock().unwrap().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
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
            assert!(
                Instant::now() <= until,
                "{needle:?} did not appear within {timeout:?}; the screen:\n{s}"
            );
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

/// Ctrl-U empties a text field, as in readline and every shell (it used to
/// delete one character); the name check's proposal is itself a valid name.
#[test]
fn ctrl_u_clears_a_text_field_and_the_name_proposal_is_valid() {
    for size in [(80, 24), (120, 40)] {
        let sb = Sandbox::new();
        let mut pty = Pty::spawn(&sb, &[], size, &[]);
        pty.wait_for("What would you like to do?", START);
        pty.send(ENTER);
        pty.wait_for("Plugin name", START);
        pty.type_text("My Plugin");
        let s = pty.wait_for("e.g. 'my-plugin'", Duration::from_secs(10));
        assert!(s.contains("has capitals"), "{s}");
        pty.send(CTRL_U);
        let until = Instant::now() + Duration::from_secs(10);
        while pty.contents().contains("My Plugin") {
            assert!(
                Instant::now() < until,
                "Ctrl-U left the text:\n{}",
                pty.contents()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // The field is empty: what is typed now is the whole answer (with
        // anything of "My Plugin" left it would still have capitals).
        pty.type_text("my-plugin");
        pty.wait_for("✓ ok", Duration::from_secs(10));
        pty.send(ENTER);
        pty.wait_for("One line on what it does", Duration::from_secs(10));
        // The default is there; Ctrl-U takes all of it.
        pty.send(CTRL_U);
        let until = Instant::now() + Duration::from_secs(10);
        while pty.contents().contains("An Arcaflow plugin.") {
            assert!(
                Instant::now() < until,
                "Ctrl-U left the default:\n{}",
                pty.contents()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        pty.send(ESC);
        pty.wait_for("Quit now?", Duration::from_secs(10));
        pty.send("y");
        assert_eq!(pty.wait_exit(Duration::from_secs(20)), 1);
        pty.assert_restored();
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

/// SIGTERM or SIGHUP while the full-screen view owns the terminal (a
/// session closed, a `kill`): the terminal is given back before the exit,
/// and the word saying why lands on the normal screen.
#[test]
fn a_signal_in_the_full_screen_view_gives_the_terminal_back_and_says_so() {
    for (sig, code, word) in [
        (libc::SIGTERM, 143, "SIGTERM"),
        (libc::SIGHUP, 129, "SIGHUP"),
    ] {
        let sb = Sandbox::new();
        let mut pty = Pty::spawn(&sb, &["new"], (80, 24), &[]);
        pty.wait_for("Plugin name", START);
        assert!(pty.parser.lock().unwrap().screen().alternate_screen());
        let pid = pty.child.process_id().expect("the wizard's pid");
        assert!(arcaflow_wizard::sys::ffi::kill(pid as i32, sig));
        assert_eq!(pty.wait_exit(Duration::from_secs(20)), code, "{word}");
        pty.assert_restored();
        let s = pty.contents();
        assert!(s.contains(&format!("Stopped by {word}")), "{word}:\n{s}");
    }
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
        assert!(
            Instant::now() <= until,
            "the journey did not finish; the screen:\n{s}"
        );
        if s.contains("✓ Done. Press Enter") {
            break;
        }
        assert!(
            !(s.contains(" failed ─") || s.contains("✗ Stopped")),
            "a step failed:\n{s}"
        );
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
    // The Finished screen says which repository secrets the CI workflow needs.
    for word in [
        "QUAY_NAMESPACE",
        "QUAY_USERNAME",
        "QUAY_PASSWORD",
        "Arcalot",
    ] {
        assert!(s.contains(word), "{word} not on the Finished screen:\n{s}");
    }
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
        assert!(
            Instant::now() <= until,
            "the awaited screen did not come; the screen:\n{s}"
        );
        assert!(
            !(s.contains(" failed ─") || s.contains("✗ Stopped")),
            "a step failed:\n{s}"
        );
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
    // The step list marks the step failed while the choices wait, not running.
    assert!(s.contains("│✗ Add the Arcaflow"), "{s}");
    assert!(!s.contains("│▶ Add the Arcaflow"), "{s}");
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<u32> = groups.iter().flat_map(|&g| group_members(g)).collect();
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() <= until,
            "processes of the cancelled group remain: {left:?}"
        );
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
    // The problem stays on the normal screen, above the line that points to it.
    let s = pty.contents();
    let problem = s
        .find("failed: ")
        .unwrap_or_else(|| panic!("no failure kept:\n{s}"));
    let stopped = s
        .find("Stopped. Fix the problem above")
        .unwrap_or_else(|| panic!("{s}"));
    assert!(problem < stopped, "{s}");
    assert!(s.contains("was cancelled"), "{s}");
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
    // The default is selected (typing would replace it): End keeps it to add to.
    pty.send(END);
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
        assert!(
            !(s.contains(" failed ─") || Instant::now() > until),
            "the resumed run did not reach the git question:\n{s}"
        );
        assert!(
            !s.contains("Write it? y yes"),
            "a file written before was offered again:\n{s}"
        );
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

/// The target question in the full-screen form, at 80x24 and larger: both
/// targets are offered, and after choosing 3.12 the Python question lists only
/// interpreters that fit it (issue 14).
#[test]
fn the_target_question_limits_the_python_choices() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(py312) = tools.py312.clone() else {
        common::skip("AW_TEST_PY312 is not set");
        return;
    };
    for size in [(80, 24), (120, 40)] {
        let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
        // Both interpreters on PATH, so the Python question has both to offer.
        let both = sb.bin_dir(
            "pythons",
            &[("python3.11", &tools.py311), ("python3.12", &py312)],
        );
        let mut path: Vec<std::path::PathBuf> = std::env::split_paths(sb.path_var()).collect();
        path.insert(0, both);
        let mut sb = sb;
        sb.set_path(&path);
        let args = [
            "new",
            "--name",
            "example",
            "--index-url",
            tools.index_url.as_str(),
        ];
        let mut pty = Pty::spawn(&sb, &args, size, &[]);
        let s = drive(&mut pty, START, |s| {
            s.contains("Which Python should the plugin")
        });
        assert!(s.contains("Python 3.9 and newer"), "{s}");
        assert!(s.contains("Python 3.12 only"), "{s}");
        pty.send("\x1b[B");
        pty.send(ENTER);
        let s = pty.wait_for("Which Python should the project use?", START);
        assert!(s.contains("Python 3.12"), "{s}");
        assert!(
            !s.contains("Python 3.11"),
            "a 3.11 is offered for a 3.12 plugin:\n{s}"
        );
        pty.send(CTRL_C);
        pty.send(CTRL_C);
        pty.wait_exit(Duration::from_secs(30));
        pty.assert_restored();
    }
}

/// `doctor --fix` in a pty on a plugin made by hand without a GitHub workflow:
/// the workflow fix shows the new file's content, asks, and on `y` writes a
/// workflow that a fresh doctor (and the validators) accept.
#[test]
fn doctor_fix_answered_in_a_pty_writes_the_act_workflow() {
    use arcaflow_wizard::{names::PluginNames, templates};
    let mut sb = Sandbox::new();
    sb.set_os_release("ID=debian\nVERSION_ID=\"12\"\n");
    let bin = sb.bin_dir("bin", &[]);
    sb.set_path(&[bin]);
    let dir = sb.work().join("arcaflow-plugin-example");
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
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f.contents).unwrap();
    }
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\n\
         description = \"d\"\nauthors = [\"A <a@example.com>\"]\n\n\
         [tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk = \"^0.14.3\"\n\n\
         [tool.poetry.group.dev.dependencies]\n\n[build-system]\nrequires = [\"poetry-core>=1.0.0\"]\n\
         build-backend = \"poetry.core.masonry.api\"\n",
    )
    .unwrap();
    let wf = dir.join(templates::workflow::PATH);

    let dir_s = dir.display().to_string();
    // Tall enough for the whole diff of the new file under its `fix:` header.
    let mut pty = Pty::spawn(
        &sb,
        &["doctor", &dir_s, "--fix", "--plain"],
        (100, 100),
        &[],
    );
    let until = Instant::now() + Duration::from_secs(300);
    let mut asked: Vec<String> = Vec::new();
    let mut last = String::new();
    while pty.child.try_wait().ok().flatten().is_none() {
        assert!(
            Instant::now() < until,
            "doctor --fix did not end:\n{}",
            pty.contents()
        );
        let s = pty.contents();
        if s != last && pty.cursor_line().trim_end().ends_with("Apply it? [y/N]:") {
            let id = s
                .lines()
                .rfind(|l| l.starts_with("fix: "))
                .and_then(|l| l.rsplit_once('[')?.1.strip_suffix(']'))
                .unwrap_or_else(|| panic!("no fix header:\n{s}"))
                .to_string();
            if id == "act-workflow" {
                // Asked only after the file's content was shown.
                assert!(!wf.exists(), "written before the answer");
                assert!(
                    s.contains("+      plugin_path: \"arcaflow_plugin_example/example_plugin.py\""),
                    "{s}"
                );
                pty.send("y\r");
            } else {
                pty.send("n\r");
            }
            asked.push(id);
            last = s;
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    pty.wait_exit(Duration::from_secs(30));
    assert!(
        asked.iter().any(|i| i == "act-workflow"),
        "{asked:?}\n{}",
        pty.contents()
    );
    let written = std::fs::read_to_string(&wf).expect("the workflow was written");
    assert_eq!(
        written,
        templates::workflow::render_for("arcaflow_plugin_example/example_plugin.py")
    );
    let ran = common::run(
        sb.wizard().arg("doctor").arg(&dir).arg("--json"),
        Duration::from_secs(120),
    );
    let v: serde_json::Value =
        serde_json::from_str(&ran.output[ran.output.rfind("\n{\n").map_or(0, |i| i + 1)..])
            .unwrap_or_else(|e| panic!("{e}:\n{}", ran.output));
    for id in ["act-workflow", "act-workflow-docsgen-path"] {
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("no {id}: {v:#}"));
        assert_eq!(f["severity"], "ok", "{f:#}");
    }
    if let Some(val) = common::workflow::validators() {
        val.validate(&dir).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A whole release in the full-screen wizard, PyPI declined: the step list
/// says "skipped" (⊘) for PyPI and "yours to run" (→) for the tag, and once
/// the view is gone the terminal still shows the git line to run.
fn release_in_the_wizard(size: (u16, u16)) {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let made = common::run(
        sb.wizard()
            .args([
                "new",
                "--yes",
                "--name",
                "example",
                "--index-url",
                &tools.index_url,
                "--python",
            ])
            .arg(&tools.py311),
        Duration::from_secs(600),
    );
    assert!(made.ok(), "new failed:\n{}", made.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHR1aS1yZWxlYXNlLXRlc3QtdG9rZW4";
    let server = common::start_upload_index(&sb.root().join("uploaded"), TOKEN);
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
    let mut pty = Pty::spawn(&sb, &args, size, &[("POETRY_PYPI_TOKEN_LOCAL", TOKEN)]);
    let until = Instant::now() + Duration::from_secs(900);
    let mut last_sent = String::new();
    let s = loop {
        let s = pty.contents();
        if s.contains("✓ Done. Press Enter") {
            break s;
        }
        assert!(
            !(Instant::now() > until || s.contains(" failed ─") || s.contains("✗ Stopped")),
            "the release did not finish:\n{s}"
        );
        if s != last_sent {
            // The version bump the user asked for: yes.
            if s.contains("Replace your file?") {
                pty.send("y");
                last_sent = s;
                continue;
            }
            if s.contains("Write it? y yes") {
                pty.send("a");
                last_sent = s;
                continue;
            }
            // Every question by its default: PyPI's is no.
            if s.contains("┌ Question") {
                pty.send(ENTER);
                last_sent = s;
                continue;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(s.contains("⊘ Upload to PyPI"), "{s}");
    assert!(s.contains("→ Tag the release"), "{s}");
    assert!(!s.contains("✓ Tag the release"), "{s}");
    // The plugin's --schema in the output pane keeps its YAML indentation.
    pty.send("/");
    pty.type_text("steps:");
    pty.send(ENTER);
    let s = pty.wait_for("lines match", Duration::from_secs(10));
    let rows: Vec<&str> = s.lines().collect();
    let at = rows
        .iter()
        .position(|l| l.contains("steps:"))
        .unwrap_or_else(|| panic!("no schema:\n{s}"));
    // Spaces after the output pane's border ("│││" at the larger size, where
    // the two rows after the match are a step and its first key).
    let indent = |l: &str| {
        let pane = l.find("│││").map_or(l, |i| &l[i + "│││".len()..]);
        pane.chars().take_while(|c| *c == ' ').count()
    };
    assert_eq!(
        indent(rows[at + 2]),
        indent(rows[at + 1]) + 2,
        "the schema's YAML lost its indentation:\n{s}"
    );
    pty.send(ESC);
    if size == (80, 24) {
        // Scrolled back at 80x24, then the window grows to 200x50: Home shows
        // the first page of output, not a page of blanks.
        // The header's "step N of N", whatever the journey's length, is drawn
        // again at the new size.
        let steps = pty
            .contents()
            .lines()
            .next()
            .and_then(|h| {
                h.split("step ")
                    .nth(1)
                    .map(|r| format!("step {}", r.trim()))
            })
            .unwrap_or_else(|| panic!("no step count in the header:\n{}", pty.contents()));
        pty.send(PAGE_UP);
        pty.resize((200, 50));
        pty.wait_for(&steps, Duration::from_secs(10));
        let until = Instant::now() + Duration::from_secs(10);
        while pty
            .contents()
            .lines()
            .next()
            .unwrap_or("")
            .trim_end()
            .chars()
            .count()
            <= 80
        {
            assert!(Instant::now() < until, "no redraw at 200x50");
            std::thread::sleep(Duration::from_millis(50));
        }
        pty.send(HOME);
        let s = pty.wait_for("── Check the project", Duration::from_secs(10));
        let rows: Vec<&str> = s.lines().collect();
        let bottom = rows
            .iter()
            .position(|l| l.contains("lines back"))
            .unwrap_or_else(|| panic!("not scrolled back:\n{s}"));
        let last = rows[bottom - 1];
        let pane = last.find("│││").map_or(last, |i| &last[i + "│││".len()..]);
        assert!(
            !pane.trim_matches(|c| c == ' ' || c == '│').is_empty(),
            "a blank row at the bottom of the output at Home:\n{s}"
        );
        pty.send(END);
    }
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    let s = pty.contents();
    let git = s
        .find("git tag v0.1.1")
        .unwrap_or_else(|| panic!("the git line is gone:\n{s}"));
    let done = s.find("Done: the release").unwrap_or_else(|| panic!("{s}"));
    assert!(git < done, "{s}");
    assert!(s.contains("→ Tag the release: not done here"), "{s}");
}

#[test]
fn a_release_in_the_wizard_at_80x24_keeps_the_git_line() {
    release_in_the_wizard((80, 24));
}

#[test]
fn a_release_in_the_wizard_at_200x50_keeps_the_git_line() {
    release_in_the_wizard((200, 50));
}

/// A pre-filled default is selected: typing replaces it. The cut why-text
/// points to F1 in a text field, where `?` types.
#[test]
fn typing_replaces_a_default_and_the_header_says_f1_in_a_text_field() {
    for size in [(80, 24), (120, 40)] {
        let sb = Sandbox::new();
        let mut pty = Pty::spawn(&sb, &["new", "--name", "example"], size, &[]);
        let s = pty.wait_for("One line on what it does", START);
        assert!(!s.contains("? for more"), "{s}");
        pty.type_text("Mine?");
        let s = pty.wait_for("Mine?", Duration::from_secs(10));
        assert!(!s.contains("An Arcaflow plugin.Mine"), "{s}");
        assert!(!s.contains("An Arcaflow plugin."), "{s}");
        // F1 still opens the help from a text field.
        pty.send("\x1bOP");
        pty.wait_for("Help: About your plugin", Duration::from_secs(10));
        pty.send(ESC);
        pty.send(ESC);
        pty.wait_for("Quit now?", Duration::from_secs(10));
        pty.send("y");
        assert_eq!(pty.wait_exit(Duration::from_secs(20)), 1);
        pty.assert_restored();
    }
}

/// `setup` is the menu's fourth entry; at 80x24 it asks for the plugin, with its why.
#[test]
fn setup_from_the_menu_at_80x24_asks_for_the_plugin() {
    let sb = Sandbox::new();
    let mut pty = Pty::spawn(&sb, &[], (80, 24), &[]);
    let s = pty.wait_for("What would you like to do?", START);
    for needle in [
        "4. Work on an existing plugin",
        "arcaflow-wizard setup",
        "contributor joining a plugin",
        "1. New plugin",
        "q/Esc quit",
    ] {
        assert!(s.contains(needle), "{needle:?}:\n{s}");
    }
    pty.send("4");
    let s = pty.wait_for("a folder, or a git URL", START);
    assert!(s.contains("Get the code"), "{s}");
    assert!(s.contains("Read the project"), "the step list: {s}");
    // The default, `.`, is the empty work folder: refused, and asked again.
    pty.send(ENTER);
    let s = pty.wait_for("not an Arcaflow plugin", Duration::from_secs(10));
    assert!(!s.contains("Exactly one Poetry ▶"), "{s}");
    pty.send(ESC);
    pty.wait_for("Quit now?", Duration::from_secs(10));
    pty.send("y");
    assert_eq!(pty.wait_exit(Duration::from_secs(20)), 1);
    pty.assert_restored();
    sb.assert_work_untouched();
}

/// A whole `setup` from the menu in the full-screen wizard at 80x24, on a
/// plugin folder in the official shape (locked against the local index).
#[test]
fn a_whole_setup_journey_from_the_menu_at_80x24() {
    let tools = require_tools!();
    let sb = sandbox_with(&tools, &tools.poetry1, &tools.py39);
    let dir = sb.work();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins/module-from-plain"),
        &dir,
    )
    .unwrap();
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap()
        + &format!(
            "\n[[tool.poetry.source]]\nname = \"local\"\nurl = \"{}\"\npriority = \"primary\"\n",
            tools.index_url
        );
    std::fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    std::fs::write(dir.join(".flake8"), "[flake8]\nmax-line-length = 88\n").unwrap();
    let lock = common::run(
        sb.command(&tools.poetry1)
            .args(["lock", "--no-interaction"])
            .current_dir(&dir),
        Duration::from_secs(300),
    );
    assert!(lock.ok(), "{}", lock.output);
    let before = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();

    let mut pty = Pty::spawn(&sb, &[], (80, 24), &[]);
    pty.wait_for("What would you like to do?", START);
    pty.send("4");
    pty.wait_for("a folder, or a git URL", START);
    // The default, `.`, is the folder the wizard runs in: the plugin.
    let s = drive(&mut pty, Duration::from_secs(900), |s| {
        s.contains("✓ Done. Press Enter")
    });
    assert!(s.contains("✓ Test it as the offici"), "{s}");
    // The finish names what doctor finds in the files: this shape has no
    // GitHub workflow and no `python -m` entry, both warnings.
    assert!(s.contains("✓ Where to start"), "{s}");
    assert!(s.contains("warn act-workflow"), "{s}");
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    let s = pty.contents();
    assert!(s.contains("is set up"), "{s}");
    assert_eq!(
        std::fs::read_to_string(dir.join("pyproject.toml")).unwrap(),
        before
    );
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
        assert!(
            Instant::now() <= until,
            "the release did not finish; the screen:\n{s}"
        );
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
            // At 80x24 the choices may be the compact "[t] token again".
            if s.contains("[t] ") {
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
            assert!(
                !(s.contains("✗ Stopped") || (s.contains("[q] Quit") && !s.contains("[t]"))),
                "a step failed:\n{s}"
            );
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

/// A `sitecustomize` on PYTHONPATH that holds each of new's test-build checks
/// (the tests under coverage, flake8, `--schema`) for `secs` seconds, after
/// writing its pid into the returned folder: the real checks, slowed so that
/// they are seen running side by side. Poetry's own runs are not held.
fn slow_checks(sb: &Sandbox, secs: u32) -> (String, std::path::PathBuf) {
    let site = sb.root().join("slow-site");
    let pids = sb.root().join("slow-pids");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::create_dir_all(&pids).unwrap();
    std::fs::write(
        site.join("sitecustomize.py"),
        format!(
            "import os, sys, time\n\
             argv = ' '.join(getattr(sys, 'orig_argv', sys.argv))\n\
             if any(k in argv for k in ('-m coverage', '-m flake8', '--schema')) \
             and '--version' not in argv and 'atp_check' not in argv:\n\
             \x20   open(os.path.join({pids:?}, str(os.getpid())), 'w').close()\n\
             \x20   time.sleep({secs})\n",
            pids = pids.display().to_string()
        ),
    )
    .unwrap();
    (site.display().to_string(), pids)
}

/// The pids the slowed checks wrote, once there are at least `n`.
fn wait_pids(dir: &Path, n: usize, timeout: Duration) -> Vec<u32> {
    let until = Instant::now() + timeout;
    loop {
        let pids: Vec<u32> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_string_lossy().parse().ok())
            .collect();
        if pids.len() >= n {
            return pids;
        }
        assert!(
            Instant::now() <= until,
            "only {} checks started: {pids:?}",
            pids.len()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn alive(pid: u32) -> bool {
    matches!(stat(pid), Some((_, _, st)) if st != 'Z')
}

fn new_with_slow_checks(tools: &Tools, secs: u32) -> (Sandbox, Pty, std::path::PathBuf) {
    let sb = sandbox_with(tools, &tools.poetry2, &tools.py311);
    let (site, pids) = slow_checks(&sb, secs);
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
    let pty = Pty::spawn(&sb, &args, (80, 24), &[("PYTHONPATH", site.as_str())]);
    (sb, pty, pids)
}

#[test]
fn three_checks_run_at_once_at_80x24_each_in_its_own_block() {
    let Some(tools) = common::tools() else {
        return;
    };
    let (sb, mut pty, pids) = new_with_slow_checks(&tools, 3);
    let s = drive(&mut pty, Duration::from_secs(600), |_| {
        std::fs::read_dir(&pids).unwrap().count() >= 3
    });
    let started = wait_pids(&pids, 3, Duration::from_secs(5));
    // All three are alive at the same moment: they run at once.
    assert!(
        started.iter().all(|&p| alive(p)),
        "not all running: {started:?}\n{s}"
    );
    let s = pty.wait_for("commands at once", Duration::from_secs(5));
    // The live line names the checks still running.
    let live = s
        .lines()
        .find(|l| l.contains("▶ coverage"))
        .unwrap_or_else(|| panic!("no live line:\n{s}"));
    assert!(
        live.contains("coverage") && live.contains("flake8"),
        "{live}\n{s}"
    );
    // The first block, whole in the output pane: its output, then its result.
    let s = pty.wait_for("Ran 4 tests", Duration::from_secs(30));
    let from = s.find("Ran 4 tests").unwrap();
    assert!(s[from..].contains("✓ ("), "{s}");
    drive(&mut pty, Duration::from_secs(300), |s| {
        s.contains("✓ Done. Press Enter")
    });
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    // The session log keeps each block whole, in start order.
    let logs = sb.state_dir().join("arcaflow-wizard/logs");
    let log = std::fs::read_dir(&logs)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|l| l.contains("commands at once"))
        .expect("a session log with the group");
    let group = &log[log.find("commands at once").unwrap()..];
    let order: Vec<usize> = [
        "-m coverage run",
        "-m coverage report",
        "-m flake8",
        "--schema",
        "-f inputs/example.yaml",
    ]
    .iter()
    .map(|k| {
        group
            .find(k)
            .unwrap_or_else(|| panic!("{k} not logged:\n{group}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{group}");
    let run = &group[order[0]..order[1]];
    assert!(
        run.contains("Ran 4 tests") && run.contains("-> ok"),
        "{run}"
    );
    assert!(!run.contains("steps:"), "another's output inside: {run}");
}

#[test]
fn ctrl_c_during_the_parallel_checks_leaves_no_process_behind() {
    let Some(tools) = common::tools() else {
        return;
    };
    let (_sb, mut pty, pids) = new_with_slow_checks(&tools, 120);
    let wizard = pty.child.process_id().expect("the wizard's pid");
    drive(&mut pty, Duration::from_secs(600), |_| {
        std::fs::read_dir(&pids).unwrap().count() >= 3
    });
    let started = wait_pids(&pids, 3, Duration::from_secs(5));
    let groups: Vec<u32> = descendants(wizard)
        .iter()
        .map(|d| d.1)
        .filter(|&g| g != wizard)
        .collect();
    assert!(started.iter().all(|&p| alive(p)), "{started:?}");
    pty.wait_for("Ctrl-C cancel", Duration::from_secs(5));
    pty.send(CTRL_C);
    pty.wait_for("cancelled", Duration::from_secs(30));
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left: Vec<u32> = started
            .iter()
            .copied()
            .filter(|&p| alive(p))
            .chain(groups.iter().flat_map(|&g| group_members(g)))
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() <= until,
            "processes of the cancelled checks remain: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    pty.send("q");
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 1);
    pty.assert_restored();
}

/// Where try can serve the commit to the engine's Python deployer: a private
/// network namespace, else root's port 80.
fn try_serve() -> Option<&'static str> {
    let ns = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if ns {
        Some("namespace")
    } else if arcaflow_wizard::sys::ffi::geteuid() == 0 {
        Some("root")
    } else {
        None
    }
}

/// `try` on a terminal is the full-screen wizard, like the other journeys:
/// at 80x24, on a plugin made by `new`, the real engine runs the example
/// step and its result is read from the screen.
#[test]
fn try_in_the_full_screen_wizard_at_80x24_shows_the_engines_result() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = try_serve() else {
        common::skip("neither a user+network namespace nor root: try cannot serve port 80 here");
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let dir = common::new_plugin(&sb, &tools, "example", &tools.py311);
    let dir_s = dir.display().to_string();
    let mut pty = Pty::spawn(
        &sb,
        &["try", &dir_s],
        (80, 24),
        &[("ARCAFLOW_WIZARD_TRY_SERVE", serve)],
    );
    // The wizard's own files in its cache are new files: accepted with `a`.
    // Then the save question; Enter takes its default (no).
    let asked = drive(&mut pty, Duration::from_secs(600), |s| {
        s.contains("┌ Question")
    });
    assert!(asked.contains("workflows/try/"), "{asked}");
    pty.send(ENTER);
    let s = drive(&mut pty, Duration::from_secs(600), |s| {
        s.contains("✓ Done. Press Enter")
    });
    for want in [
        "Run the example step in the Arcaflow engine",
        "workflow output: success",
    ] {
        assert!(s.contains(want), "no {want:?} on the screen:\n{s}");
    }
    pty.send(ENTER);
    assert_eq!(pty.wait_exit(Duration::from_secs(30)), 0);
    pty.assert_restored();
    let s = pty.contents();
    assert!(
        s.contains("Done: the Arcaflow engine ran the example step"),
        "{s}"
    );
    assert!(!dir.join("workflows/try").exists(), "saved without a yes");
}

/// `try --save` never replaces a workflows/try/ file the user edited
/// silently, nor skips it silently: the diff, then a question whose default
/// is no; with --yes it keeps the file and says so.
#[test]
fn try_save_replaces_an_edited_workflow_only_after_its_diff_and_a_yes() {
    let Some(tools) = common::tools() else {
        return;
    };
    let Some(serve) = try_serve() else {
        common::skip("neither a user+network namespace nor root: try cannot serve port 80 here");
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let dir = common::new_plugin(&sb, &tools, "saver", &tools.py311);
    let dir_s = dir.display().to_string();
    let try_lines = |args: &[&str]| {
        common::run(
            sb.wizard()
                .arg("try")
                .arg(&dir)
                .args(args)
                .env("ARCAFLOW_WIZARD_TRY_SERVE", serve),
            Duration::from_secs(600),
        )
    };
    // The save answer from --answers FILE: the files are new, so written.
    let answers = sb.work().join("try-answers.toml");
    std::fs::write(&answers, "save = true\n").unwrap();
    let first = try_lines(&["--answers", &answers.display().to_string()]);
    assert!(first.ok(), "{}", first.output);
    let saved = dir.join("workflows/try/workflow.yaml");
    let fresh = std::fs::read_to_string(&saved).expect("saved by the answers file");
    let edited = format!("{fresh}# mine: keep this\n");
    std::fs::write(&saved, &edited).unwrap();

    // --yes: kept, with the diff and a line saying so.
    let kept = try_lines(&["--yes", "--save"]);
    assert!(kept.ok(), "{}", kept.output);
    for want in [
        "workflow.yaml exists and would change:",
        "-# mine: keep this",
        "not changed: it is yours",
    ] {
        assert!(
            kept.output.contains(want),
            "no {want:?} in:\n{}",
            kept.output
        );
    }
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), edited);

    // On a terminal, asked after the diff: no keeps it, yes replaces it.
    for (answer, want) in [("n", &edited), ("y", &fresh)] {
        let mut pty = Pty::spawn(
            &sb,
            &["try", &dir_s, "--plain", "--save"],
            (100, 50),
            &[("ARCAFLOW_WIZARD_TRY_SERVE", serve)],
        );
        let until = Instant::now() + Duration::from_secs(600);
        while !pty.cursor_line().trim_end().ends_with("Replace it? [y/N]:") {
            assert!(
                Instant::now() < until,
                "not asked; the screen:\n{}",
                pty.contents()
            );
            assert!(
                pty.child.try_wait().ok().flatten().is_none(),
                "ended unasked; the screen:\n{}",
                pty.contents()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let s = pty.contents();
        assert!(s.contains("-# mine: keep this"), "the diff first:\n{s}");
        assert_eq!(std::fs::read_to_string(&saved).unwrap(), edited);
        pty.send(&format!("{answer}{ENTER}"));
        assert_eq!(
            pty.wait_exit(Duration::from_secs(600)),
            0,
            "{}",
            pty.contents()
        );
        assert_eq!(
            &std::fs::read_to_string(&saved).unwrap(),
            want,
            "after {answer}"
        );
    }
}

/// Answer `doctor --fix --plain`'s questions on a terminal: `answer(id,
/// screen)` for each fix asked about. Returns the ids asked, in order.
fn plain_doctor_fix(
    sb: &Sandbox,
    dir: &Path,
    mut answer: impl FnMut(&str, &str) -> &'static str,
) -> Vec<String> {
    let dir_s = dir.display().to_string();
    let mut pty = Pty::spawn(sb, &["doctor", &dir_s, "--fix", "--plain"], (100, 100), &[]);
    let until = Instant::now() + Duration::from_secs(300);
    let mut asked: Vec<String> = Vec::new();
    let mut last = String::new();
    while pty.child.try_wait().ok().flatten().is_none() {
        assert!(
            Instant::now() < until,
            "doctor --fix did not end:\n{}",
            pty.contents()
        );
        let s = pty.contents();
        if s != last && pty.cursor_line().trim_end().ends_with("Apply it? [y/N]:") {
            let id = s
                .lines()
                .rfind(|l| l.starts_with("fix: "))
                .and_then(|l| l.rsplit_once('[')?.1.strip_suffix(']'))
                .unwrap_or_else(|| panic!("no fix header:\n{s}"))
                .to_string();
            pty.send(&format!("{}\r", answer(&id, &s)));
            asked.push(id);
            last = s;
        } else {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    pty.wait_exit(Duration::from_secs(30));
    asked
}

/// doctor's layout-python-m fixes write into the user's project, so both
/// front ends show the diff and ask first: `doctor --fix` in lines (the
/// safe fix that adds `__main__.py`, and the official template's, which
/// also edits pyproject.toml), and the full-screen checklist. The
/// template's fix, once committed, lets `try` run the plugin in the engine.
#[test]
fn doctors_python_m_fixes_show_the_diff_and_ask_in_both_front_ends() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let fixture = |name: &str, to: &str| {
        let dir = sb.work().join(to);
        common::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/plugins")
                .join(name),
            &dir,
        )
        .unwrap();
        dir
    };

    // The safe fix (a package without __main__.py): the new file's text,
    // then the question; n writes nothing, y writes it.
    let nod = fixture("folder-include", "nod");
    let main = nod.join("arcaflow_plugin_nod/__main__.py");
    for answer in ["n", "y"] {
        let asked = plain_doctor_fix(&sb, &nod, |id, s| {
            if id != "layout-python-m" {
                return "n";
            }
            assert!(!main.exists(), "written before the answer");
            assert!(s.contains("+    runpy.run_module(ENTRY_MODULE"), "{s}");
            answer
        });
        assert!(asked.iter().any(|i| i == "layout-python-m"), "{asked:?}");
        assert_eq!(main.exists(), answer == "y");
    }

    // The template's shape: the pyproject.toml diff and the new file, then
    // the question; n leaves the project as it was.
    let hello = fixture("module-from-dotslash", "hello");
    let pyproject = std::fs::read_to_string(hello.join("pyproject.toml")).unwrap();
    let hello_main = hello.join("arcaflow_plugin_hello/__main__.py");
    let asked = plain_doctor_fix(&sb, &hello, |id, s| {
        if id == "layout-python-m" {
            for want in [
                "+    { include = \"arcaflow_plugin_hello\" },",
                "+    runpy.run_module(\"hello_plugin\", run_name=\"__main__\")",
            ] {
                assert!(s.contains(want), "no {want:?} before the question:\n{s}");
            }
        }
        "n"
    });
    assert!(asked.iter().any(|i| i == "layout-python-m"), "{asked:?}");
    assert_eq!(
        std::fs::read_to_string(hello.join("pyproject.toml")).unwrap(),
        pyproject
    );
    assert!(!hello_main.exists());

    // The full-screen checklist at 80x24: Enter on the finding shows each
    // file's diff with its question.
    let hello_s = hello.display().to_string();
    let mut pty = Pty::spawn(&sb, &["doctor", &hello_s], (80, 24), &[]);
    pty.wait_for(" Findings ", START);
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let s = pty.contents();
        let on = s.lines().find(|l| l.contains('›')).unwrap_or_default();
        if on.contains("python -m") {
            break;
        }
        assert!(Instant::now() < until, "no python -m row:\n{s}");
        pty.send("\x1b[B");
    }
    pty.send(ENTER);
    let s = pty.wait_for("Write it? y yes", Duration::from_secs(30));
    assert!(
        s.contains("+    { include = \"arcaflow_plugin_hello\" },"),
        "{s}"
    );
    assert_eq!(
        std::fs::read_to_string(hello.join("pyproject.toml")).unwrap(),
        pyproject,
        "written before the answer"
    );
    pty.send("y");
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let s = pty.contents();
        if s.contains("New file") && s.contains("__main__.py") && s.contains("Write it? y yes") {
            break;
        }
        assert!(Instant::now() < until, "the new file was not shown:\n{s}");
        std::thread::sleep(Duration::from_millis(100));
    }
    pty.send("y");
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let s = pty.contents();
        if s.contains(" Findings ") && s.contains("now: ok") {
            break;
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
    pty.send("q");
    pty.wait_exit(Duration::from_secs(30));
    pty.assert_restored();
    assert!(hello_main.is_file());

    // Committed, the fixed template runs in the engine.
    let Some(serve) = try_serve() else {
        common::skip("neither a user+network namespace nor root: try cannot serve port 80 here");
        return;
    };
    let git = |args: &[&str]| {
        let r = common::run(
            sb.command("git")
                .args(args)
                .env("GIT_AUTHOR_NAME", "T")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "T")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .current_dir(&hello),
            Duration::from_secs(30),
        );
        assert!(r.ok(), "git {args:?}: {}", r.output);
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "the template's shape, fixed by doctor"]);
    let ran = common::run(
        sb.wizard()
            .arg("try")
            .arg(&hello)
            .env("ARCAFLOW_WIZARD_TRY_SERVE", serve),
        Duration::from_secs(600),
    );
    assert!(ran.ok(), "try failed:\n{}", ran.output);
    for want in ["message: hello, Ada", "workflow output: success"] {
        assert!(ran.output.contains(want), "no {want:?} in:\n{}", ran.output);
    }
}
