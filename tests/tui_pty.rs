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

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    let mut path = vec![bin, tools.tools_bin.clone()];
    path.extend(common::SYSTEM_PATH.split(':').map(std::path::PathBuf::from));
    sb.set_path(&path);
    let root = sb.root().join("fsroot");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n",
    )
    .unwrap();
    sb.set_env("ARCAFLOW_WIZARD_ROOT", root);
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
