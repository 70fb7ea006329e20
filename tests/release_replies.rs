//! `release --yes` against a real pypiserver (tests/common `start_upload_index`),
//! with the real Poetry 2 and Python, one plugin made by `new` going through:
//!
//! 1. an unclean git tree: refused with exit 2, nothing changed or uploaded;
//! 2. `--yes` with a PyPI token in the environment: the test upload happens,
//!    PyPI is not attempted. Every proxy variable points at a local listener
//!    that records what reaches it (loopback excepted, so the local indexes
//!    still answer); a control request proves the listener sees an https
//!    request, and the release makes none;
//! 3. the same version again, to a private index (its pages need the token, so
//!    the wizard's own check cannot see the version and warns): the real upload
//!    step gets pypiserver's 409 "already exists" and explains it;
//! 4. pypiserver's 401, as Poetry reports an upload without credentials,
//!    through the explanation the upload step uses. The wizard itself never
//!    starts an upload without a token (with `--yes` and none it exits 2, see
//!    release.rs), so that reply cannot come through its own step.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{run, Sandbox, Tools};

const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHJlbGVhc2UtcmVwbGllcy10ZXN0LXRva2Vu";
const PYPI_TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHRoZS1yZWFsLXB5cGktdG9rZW4tbmV2ZXI";
const REPO: &str = "local";
const VAR: &str = "POETRY_PYPI_TOKEN_LOCAL";
const URL_VAR: &str = "POETRY_REPOSITORIES_LOCAL_URL";
const LONG: Duration = Duration::from_secs(400);

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

fn release(sb: &Sandbox, dir: &Path, upload_url: &str) -> std::process::Command {
    let mut cmd = sb.wizard();
    cmd.arg("release")
        .arg(dir)
        .args(["--repository", REPO, "--repository-url", upload_url])
        .args(["--version", "patch", "--yes"])
        .env(VAR, TOKEN);
    cmd
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

fn git(sb: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let mut c = sb.command("git");
    c.args(args).current_dir(dir);
    let ran = run(&mut c, Duration::from_secs(30));
    assert!(ran.ok(), "git {args:?}: {}", ran.output);
    ran.output
}

/// The session log a run printed the path of.
fn session_log(output: &str) -> String {
    let path = output
        .lines()
        .find_map(|l| l.strip_prefix("Session log: "))
        .unwrap_or_else(|| panic!("no session log named in:\n{output}"));
    std::fs::read_to_string(path.trim()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A proxy that forwards nothing: it records the request line of every
/// connection (`CONNECT pypi.org:443 HTTP/1.1`, or an absolute-URI GET) and
/// answers 403.
struct Recorder {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        // The thread ends with the test binary.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut reader = BufReader::new(stream);
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                log.lock().unwrap().push(first.trim().to_string());
                let mut stream = reader.into_inner();
                let _ = stream.write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Recorder { port, seen }
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
    /// Every proxy variable Python's urllib, requests (Poetry, pip) and curl read.
    fn apply(&self, sb: &mut Sandbox) {
        for var in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            sb.set_env(var, self.url());
        }
        for var in ["NO_PROXY", "no_proxy"] {
            sb.set_env(var, "127.0.0.1,localhost");
        }
    }
}

#[test]
fn release_yes_against_pypiserver() {
    let tools = require_tools!();
    let mut sb = sandbox(&tools);
    let dir = common::new_plugin(&sb, &tools, "example", &tools.py311);
    let pkgs = sb.root().join("uploaded");
    let pyproject = || std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let before = pyproject();
    assert!(before.contains("version = \"0.1.0\""), "{before}");

    // 1. An unclean tree: --yes answers "go on with uncommitted changes?" with
    // its default, no. Exit 2, and nothing changed, built or uploaded.
    let server = common::start_upload_index(&pkgs, TOKEN);
    std::fs::write(
        dir.join("README.md"),
        format!(
            "{}\nAn edit not committed yet.\n",
            std::fs::read_to_string(dir.join("README.md")).unwrap()
        ),
    )
    .unwrap();
    let ran = run(&mut release(&sb, &dir, &server.upload_url()), LONG);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("uncommitted changes") && ran.output.contains("README.md"),
        "{}",
        ran.output
    );
    assert_eq!(pyproject(), before, "the version was bumped");
    assert!(!dir.join("dist").exists(), "something was built");
    assert!(uploaded(&pkgs).is_empty(), "{:?}", uploaded(&pkgs));
    assert_eq!(
        git(&sb, &dir, &["status", "--porcelain"]).trim(),
        "M README.md"
    );
    git(&sb, &dir, &["checkout", "--", "README.md"]);

    // 2. --yes with a PyPI token in the environment: uploaded to the test
    // index only. The control request shows that an https request made from
    // this environment would have been seen.
    let proxy = Recorder::start();
    proxy.apply(&mut sb);
    let control = run(
        sb.command(&tools.py311).args([
            "-c",
            "import urllib.request\ntry:\n    urllib.request.urlopen('https://pypi.org/simple/', timeout=10)\nexcept Exception as e:\n    print(e)\n",
        ]),
        Duration::from_secs(60),
    );
    assert!(
        proxy
            .seen()
            .iter()
            .any(|l| l.starts_with("CONNECT pypi.org:443")),
        "the proxy did not see the control request: {:?}\n{}",
        proxy.seen(),
        control.output
    );
    proxy.seen.lock().unwrap().clear();

    let mut cmd = release(&sb, &dir, &server.upload_url());
    cmd.env("POETRY_PYPI_TOKEN_PYPI", PYPI_TOKEN);
    let ran = run(&mut cmd, LONG);
    assert!(ran.ok(), "release failed:\n{}", ran.output);
    assert!(
        ran.output.contains("not uploaded to PyPI"),
        "{}",
        ran.output
    );
    let files = uploaded(&pkgs);
    assert!(
        files.iter().any(|f| f.ends_with("-0.1.1-py3-none-any.whl")),
        "{files:?}"
    );
    assert_eq!(
        proxy.seen(),
        Vec::<String>::new(),
        "requests left for outside (PyPI) during the release:\n{}",
        ran.output
    );
    // The only real upload is to the test index: `poetry publish` without
    // `-r` (PyPI) never ran.
    let log = session_log(&ran.output);
    let publishes: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with("$ ") && l.contains(" publish"))
        .collect();
    assert!(
        !publishes.is_empty() && publishes.iter().all(|l| l.contains(&format!("-r {REPO}"))),
        "{publishes:?}\n{log}"
    );
    for t in [TOKEN, PYPI_TOKEN] {
        assert!(
            !ran.output.contains(&t[..20]),
            "a token was printed:\n{}",
            ran.output
        );
        assert!(!log.contains(&t[..20]), "a token is in the log:\n{log}");
    }
    drop(server);

    // 3. 0.1.1 again, to a private index on the same files: the check cannot
    // read its pages (401 without the token), says so, and the real upload
    // gets pypiserver's 409.
    git(
        &sb,
        &dir,
        &["checkout", "--", "pyproject.toml", "Dockerfile"],
    );
    let private = common::start_upload_index_auth(&pkgs, TOKEN, "update,list,download");
    let ran = run(&mut release(&sb, &dir, &private.upload_url()), LONG);
    assert_eq!(ran.code, Some(1), "{}", ran.output);
    assert!(
        ran.output
            .contains("Warning: could not check whether 0.1.1 is already on the index"),
        "{}",
        ran.output
    );
    assert!(
        ran.output.contains(&format!(
            "this version is already on {REPO}: an index never takes the same version twice"
        )),
        "{}",
        ran.output
    );
    // Poetry's own line, streamed (a bare "409" could be part of a port).
    assert!(ran.output.contains("HTTP Error 409"), "{}", ran.output);
    assert!(!ran.output.contains("b'<html"), "raw page:\n{}", ran.output);
    assert!(
        private.log().contains("already exists"),
        "pypiserver did not refuse an upload:\n{}",
        private.log()
    );
    assert_eq!(uploaded(&pkgs), files, "the files on the index changed");
    assert_eq!(proxy.seen(), Vec::<String>::new());

    // 4. pypiserver's 401: what Poetry prints for an upload without
    // credentials, explained as the upload step explains it.
    let mut bare = sb.command(&tools.poetry2);
    // The wizard builds outside dist/: Poetry builds there itself first.
    bare.args(["publish", "--build", "-r", REPO, "--no-interaction"])
        .current_dir(&dir)
        .env(URL_VAR, private.upload_url());
    let ran401 = run(&mut bare, Duration::from_secs(120));
    assert!(!ran401.ok(), "{}", ran401.output);
    assert!(
        ran401.output.contains("HTTP Error 401"),
        "{}",
        ran401.output
    );
    let f = arcaflow_wizard::journey::explain::upload_failure(&ran401.output, REPO, VAR)
        .unwrap_or_else(|| panic!("not explained:\n{}", ran401.output));
    assert!(
        f.message
            .contains(&format!("no credentials reached {REPO} (401")),
        "{f}\n{}",
        ran401.output
    );
    assert!(f.to_string().contains(VAR), "{f}");
    assert!(!f.to_string().contains("b'"), "{f}");
    assert_eq!(uploaded(&pkgs), files);
}

/// The plain front end on a real terminal (stdin a pty, so it asks): the raw
/// output kept as text, and answers typed when a prompt appears.
struct Term {
    out: Arc<Mutex<String>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    /// Where the next wait starts reading.
    seen: usize,
}

impl Term {
    fn spawn(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Term {
        use portable_pty::{native_pty_system, CommandBuilder, PtySize};
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
        cmd.env("NO_COLOR", "1");
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
        let out = Arc::new(Mutex::new(String::new()));
        let o = Arc::clone(&out);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = std::io::Read::read(&mut reader, &mut buf) {
                if n == 0 {
                    return;
                }
                o.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Term {
            out,
            writer,
            child,
            _master: pair.master,
            seen: 0,
        }
    }

    fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Wait for `needle` after what earlier waits saw; move past it.
    fn wait_for(&mut self, needle: &str, timeout: Duration) {
        let until = std::time::Instant::now() + timeout;
        loop {
            let t = self.text();
            if let Some(i) = t[self.seen.min(t.len())..].find(needle) {
                self.seen += i + needle.len();
                return;
            }
            if std::time::Instant::now() > until || self.child.try_wait().ok().flatten().is_some() {
                std::thread::sleep(Duration::from_millis(300));
                let t = self.text();
                if let Some(i) = t[self.seen.min(t.len())..].find(needle) {
                    self.seen += i + needle.len();
                    return;
                }
                panic!("{needle:?} did not come; the output:\n{t}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn send(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let until = std::time::Instant::now() + timeout;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(300));
                return st.exit_code();
            }
            if std::time::Instant::now() > until {
                let _ = self.child.kill();
                panic!("the wizard did not exit:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Build `dir` as version `version` into `out` with the real Poetry, and put
/// pyproject.toml back as it was.
fn build_as(sb: &Sandbox, tools: &Tools, dir: &Path, version: &str, out: &Path) {
    for args in [
        vec!["version", version],
        vec!["build", "--output", &out.to_string_lossy()],
    ] {
        let mut c = sb.command(&tools.poetry2);
        c.args(&args).current_dir(dir);
        let r = run(&mut c, Duration::from_secs(300));
        assert!(r.ok(), "poetry {args:?}: {}", r.output);
    }
    git(sb, dir, &["checkout", "--", "pyproject.toml"]);
}

/// A maintainer's session, as issue 17 found its dead ends, with the real
/// Poetry 2.5.1 and a token-guarded pypiserver whose pages need the token too
/// (so the wizard cannot see beforehand that 0.1.1 is there):
/// - a failed run's 0.9.0 files lie in dist/ (Poetry 2.x would upload those);
/// - on a terminal, the plain front end: the version bump is one change with
///   one question (Enter: yes, both files written); the wrong token gets 403,
///   `t` types the right one (masked) and the upload is tried again; it gets
///   409 (0.1.1 is already there), and the maintainer quits;
/// - `--version patch`, as the 409's advice says: 0.1.1 is not resumed, 0.1.2
///   is built, uploaded and installed back. No 0.9.0 file is ever uploaded, and
///   no token is printed or logged.
#[test]
fn a_wrong_token_given_again_then_a_409_then_version_patch() {
    let tools = require_tools!();
    let sb = sandbox(&tools);
    let dir = common::new_plugin(&sb, &tools, "example", &tools.py311);
    let pkgs = sb.root().join("uploaded");

    // A failed run's higher version left in dist/ (ignored by git), and 0.1.1
    // already on the index.
    build_as(&sb, &tools, &dir, "0.9.0", &dir.join("dist"));
    let seed = sb.root().join("seed");
    build_as(&sb, &tools, &dir, "0.1.1", &seed);
    std::fs::create_dir_all(&pkgs).unwrap();
    for e in std::fs::read_dir(&seed).unwrap().flatten() {
        std::fs::copy(e.path(), pkgs.join(e.file_name())).unwrap();
    }
    assert_eq!(git(&sb, &dir, &["status", "--porcelain"]).trim(), "");
    let seeded = uploaded(&pkgs);
    assert_eq!(seeded.len(), 2, "{seeded:?}");
    let server = common::start_upload_index_auth(&pkgs, TOKEN, "update,list,download");
    let url = server.upload_url();

    const WRONG: &str = "pypi-AgEIcHlwaS5vcmcCJHdyb25nLXRva2VuLWZvci10aGUtc2Vzc2lvbg";
    let dir_s = dir.to_string_lossy().into_owned();
    let mut term = Term::spawn(
        &sb,
        &[
            "release",
            &dir_s,
            "--plain",
            "--repository",
            REPO,
            "--repository-url",
            &url,
            "--version",
            "patch",
        ],
        &[(VAR, WRONG)],
    );
    // One change, one question, default yes.
    term.wait_for("One change to", LONG);
    term.wait_for("Write them all? [Y/n]", LONG);
    term.send("\r");
    term.wait_for("rehearsal (uploads nothing)", LONG);
    term.wait_for("refused the token (403", LONG);
    term.wait_for("[t]oken again", LONG);
    term.send("t\r");
    term.wait_for("API token for local", LONG);
    term.send(&format!("{TOKEN}\r"));
    // The right token reaches the index: now it is the version that is refused.
    term.wait_for("this version is already on local", LONG);
    term.wait_for("[q]uit: ", LONG);
    let at_409 = term.text();
    assert!(
        !at_409[at_409.rfind("this version is already on").unwrap()..].contains("[t]oken again"),
        "a 409 is no token problem:\n{at_409}"
    );
    term.send("q\r");
    assert_eq!(term.wait_exit(LONG), 1, "{}", term.text());
    let first = term.text();
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(pyproject.contains("version = \"0.1.1\""), "{pyproject}");
    assert!(
        dockerfile.contains("plugin.version=\"0.1.1\""),
        "the bump was half-applied:\n{dockerfile}"
    );
    assert!(
        server.log().contains("already exists") || server.log().contains("409"),
        "the token given again did not reach the index:\n{}",
        server.log()
    );
    assert_eq!(uploaded(&pkgs), seeded, "something was uploaded:\n{first}");

    // As the advice says: --version patch. 0.1.1 is not resumed. (The same
    // files, now served to anyone, so the release installs back from them.)
    drop(server);
    let server = common::start_upload_index(&pkgs, TOKEN);
    let ran = run(&mut release(&sb, &dir, &server.upload_url()), LONG);
    assert!(ran.ok(), "release --version patch failed:\n{}", ran.output);
    assert!(
        ran.output
            .contains("Not resumed: --version patch was given"),
        "{}",
        ran.output
    );
    assert!(
        !ran.output
            .contains("already done (pyproject.toml already says"),
        "{}",
        ran.output
    );
    let files = uploaded(&pkgs);
    assert!(
        files.iter().any(|f| f.ends_with("-0.1.2-py3-none-any.whl")),
        "{files:?}\n{}",
        ran.output
    );
    assert!(!files.iter().any(|f| f.contains("0.9.0")), "{files:?}");

    for (what, text) in [
        ("the terminal", first.clone()),
        ("the first log", session_log(&first.replace('\r', ""))),
        ("the output", ran.output.clone()),
        ("the log", session_log(&ran.output)),
    ] {
        for t in [TOKEN, WRONG] {
            assert!(!text.contains(&t[..20]), "a token is in {what}:\n{text}");
        }
    }
}

/// Someone else releases the chosen version while this release runs (the
/// wizard's check saw it free; the upload gets pypiserver's 409). The choice
/// `v` asks for another version in place: back to the version step, the
/// bump written, built, checked and uploaded, and the run ends done, with
/// no second start and no file of the taken version uploaded by us.
#[test]
fn a_version_taken_meanwhile_is_chosen_again_in_place() {
    let tools = require_tools!();
    let sb = sandbox(&tools);
    let dir = common::new_plugin(&sb, &tools, "example", &tools.py311);
    let seed = sb.root().join("seed");
    build_as(&sb, &tools, &dir, "0.1.1", &seed);
    let pkgs = sb.root().join("uploaded");
    std::fs::create_dir_all(&pkgs).unwrap();
    let server = common::start_upload_index(&pkgs, TOKEN);

    let dir_s = dir.to_string_lossy().into_owned();
    let url = server.upload_url();
    let mut term = Term::spawn(
        &sb,
        &[
            "release",
            &dir_s,
            "--plain",
            "--repository",
            REPO,
            "--repository-url",
            &url,
            "--version",
            "patch",
        ],
        &[(VAR, TOKEN)],
    );
    term.wait_for("0.1.1 is not on the index yet", LONG);
    term.wait_for("Write them all? [Y/n]", LONG);
    // Meanwhile, 0.1.1 is released from elsewhere.
    for e in std::fs::read_dir(&seed).unwrap().flatten() {
        std::fs::copy(e.path(), pkgs.join(e.file_name())).unwrap();
    }
    let seeded = uploaded(&pkgs);
    term.send("\r");
    term.wait_for("this version is already on local", LONG);
    term.wait_for("[v]ersion again", LONG);
    term.wait_for("[q]uit: ", LONG);
    term.send("v\r");
    term.wait_for(
        "New version (patch, minor, major, or X.Y.Z); now 0.1.1",
        LONG,
    );
    term.send("\r");
    term.wait_for("Back to \"New version\"", LONG);
    term.wait_for("0.1.2 is not on the index yet", LONG);
    term.wait_for("Write them all? [Y/n]", LONG);
    term.send("\r");
    term.wait_for("Upload the same files to PyPI now", LONG);
    term.send("n\r");
    assert_eq!(term.wait_exit(LONG), 0, "{}", term.text());
    let out = term.text();
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    assert!(pyproject.contains("version = \"0.1.2\""), "{pyproject}");
    assert!(
        dockerfile.contains("plugin.version=\"0.1.2\""),
        "{dockerfile}"
    );
    let files = uploaded(&pkgs);
    let ours: Vec<&String> = files.iter().filter(|f| !seeded.contains(f)).collect();
    assert_eq!(ours.len(), 2, "{files:?}\n{out}");
    assert!(ours.iter().all(|f| f.contains("0.1.2")), "{ours:?}");
    // Installed back from the index: the release's own version.
    assert!(out.contains("0.1.2"), "{out}");
    assert!(!out.contains(&TOKEN[..20]), "a token was printed:\n{out}");
    assert!(
        !session_log(&out.replace('\r', "")).contains(&TOKEN[..20]),
        "a token is in the log"
    );
}
