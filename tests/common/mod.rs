//! Helpers shared by the integration tests (`mod common;` in each test file).
//!
//! The real tools come from `scripts/test`, which installs them under `.cache/`,
//! serves a wheelhouse on 127.0.0.1 and exports `AW_TEST_*` (see [`tools`]).
//! Without them a test that needs them skips, unless `AW_TEST_REQUIRE_TOOLS=1`
//! (set by `scripts/test` under CI), where it fails.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub(crate) mod workflow;

// ---------------------------------------------------------------------------
// The tools scripts/test installs
// ---------------------------------------------------------------------------

/// Paths to the real tools, as exported by `scripts/test`.
#[derive(Debug, Clone)]
pub(crate) struct Tools {
    /// `AW_TEST_POETRY2`: the Poetry 2.x executable (its own venv on Python 3.11).
    pub poetry2: PathBuf,
    /// `AW_TEST_POETRY2_VERSION`, e.g. `2.5.1` (empty if not exported).
    pub poetry2_version: String,
    /// `AW_TEST_POETRY1`: Poetry 1.8.3 (its own venv on Python 3.9, as in the official image).
    pub poetry1: PathBuf,
    /// `AW_TEST_PY39`: a real Python 3.9 interpreter (not a pyenv shim).
    pub py39: PathBuf,
    /// `AW_TEST_PY311`: a real Python 3.11 interpreter.
    pub py311: PathBuf,
    /// `AW_TEST_PY312`: a real Python 3.12 (the wheelhouse also holds
    /// `arcaflow-plugin-sdk==0.14.4` for it); None when this machine has none.
    pub py312: Option<PathBuf>,
    /// `AW_TEST_INDEX_URL`: the local index, `http://127.0.0.1:PORT/simple/`.
    pub index_url: String,
    /// `AW_TEST_PYPISERVER`: the `pypi-server` executable (for extra servers).
    pub pypiserver: PathBuf,
    /// `AW_TEST_WHEELHOUSE`: the folder the local index serves.
    pub wheelhouse: PathBuf,
    /// `AW_TEST_TOOLS_BIN`: a folder holding only `flake8` and `coverage`.
    pub tools_bin: PathBuf,
    /// `AW_TEST_PYENV_ROOT`: pyenv's root (`versions/3.X.Y/bin/python3.X`).
    pub pyenv_root: PathBuf,
}

impl Tools {
    /// The newest pyenv Python `3.<minor>` (a real binary), if there is one.
    pub(crate) fn python(&self, minor: u32) -> Option<PathBuf> {
        let mut found: Vec<(u32, PathBuf)> = fs::read_dir(self.pyenv_root.join("versions"))
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let mut parts = name.split('.');
                if parts.next()? != "3" || parts.next()?.parse::<u32>().ok()? != minor {
                    return None;
                }
                let patch = parts.next()?.parse::<u32>().ok()?;
                let exe = e.path().join("bin").join(format!("python3.{minor}"));
                exe.is_file().then_some((patch, exe))
            })
            .collect();
        found.sort();
        found.pop().map(|(_, p)| p)
    }

    /// The python of the pypiserver venv (it has passlib).
    pub(crate) fn pypiserver_python(&self) -> PathBuf {
        self.pypiserver.with_file_name("python")
    }
}

/// `AW_TEST_POETRY_OLD`: a Poetry older than 1.2 (1.1.15 on Python 3.9, from
/// scripts/test), for doctor's `poetry-too-old`. Apart from [`Tools`] so that
/// a test environment without it skips only the tests that need it.
pub(crate) fn poetry_old() -> Option<PathBuf> {
    match std::env::var_os("AW_TEST_POETRY_OLD").map(PathBuf::from) {
        Some(p) if p.is_file() => Some(p),
        Some(p) => {
            skip(&format!(
                "AW_TEST_POETRY_OLD={} does not exist",
                p.display()
            ));
            None
        }
        None => {
            skip("AW_TEST_POETRY_OLD is not set");
            None
        }
    }
}

fn require_tools_wanted() -> bool {
    matches!(
        std::env::var("AW_TEST_REQUIRE_TOOLS").as_deref(),
        Ok("1" | "true" | "yes")
    )
}

/// Announces that a test skips for lack of a tool: prints
/// "skipped: WHY (run scripts/test)" to stderr, or, under
/// `AW_TEST_REQUIRE_TOOLS=1` (CI), panics with that message. The caller
/// returns right after: `if x.is_none() { common::skip("no Python 3.8"); return; }`.
pub(crate) fn skip(why: &str) {
    let msg = format!("skipped: {why} (run scripts/test)");
    assert!(
        !require_tools_wanted(),
        "{msg}; AW_TEST_REQUIRE_TOOLS=1 makes this a failure"
    );
    record_skip(why);
    eprintln!("{msg}");
}

/// The running test as `binary::test` (libtest names each test's thread after it).
pub(crate) fn current_test_name() -> String {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| match s.rsplit_once('-') {
            // cargo's `doctor-1a2b3c4d5e6f7a8b`: the hash is not part of the name.
            Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_string(),
            _ => s,
        })
        .unwrap_or_else(|| "?".into());
    let thread = std::thread::current();
    format!("{binary}::{}", thread.name().unwrap_or("?"))
}

/// Appends `binary::test<TAB>why` to the file `AW_TEST_SKIP_LOG` names
/// (`scripts/test` sets it and counts the lines at the end: a skip that
/// nobody reads is a test that silently never ran).
pub(crate) fn record_skip(why: &str) {
    let Some(path) = std::env::var_os("AW_TEST_SKIP_LOG").filter(|v| !v.is_empty()) else {
        return;
    };
    let line = format!(
        "{}\t{}\n",
        current_test_name(),
        why.replace(['\n', '\t'], " ")
    );
    // One write of a short line with O_APPEND: lines of parallel tests do not mix.
    let written = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        panic!(
            "cannot record the skip in {}: {e}",
            Path::new(&path).display()
        );
    }
}

/// The tools from `scripts/test`, or `None` (after printing why) when they are
/// not there. Panics instead when `AW_TEST_REQUIRE_TOOLS=1`.
pub(crate) fn tools() -> Option<Tools> {
    fn path(var: &str) -> Result<PathBuf, String> {
        match std::env::var_os(var) {
            None => Err(format!("{var} is not set")),
            Some(v) if v.is_empty() => Err(format!("{var} is empty")),
            Some(v) => {
                let p = PathBuf::from(v);
                if p.exists() {
                    Ok(p)
                } else {
                    Err(format!("{var}={} does not exist", p.display()))
                }
            }
        }
    }
    let read = || -> Result<Tools, String> {
        let index_url = std::env::var("AW_TEST_INDEX_URL")
            .map_err(|_| "AW_TEST_INDEX_URL is not set".to_string())?;
        Ok(Tools {
            poetry2: path("AW_TEST_POETRY2")?,
            poetry2_version: std::env::var("AW_TEST_POETRY2_VERSION").unwrap_or_default(),
            poetry1: path("AW_TEST_POETRY1")?,
            py39: path("AW_TEST_PY39")?,
            py311: path("AW_TEST_PY311")?,
            py312: path("AW_TEST_PY312").ok(),
            index_url,
            pypiserver: path("AW_TEST_PYPISERVER")?,
            wheelhouse: path("AW_TEST_WHEELHOUSE")?,
            tools_bin: path("AW_TEST_TOOLS_BIN")?,
            pyenv_root: path("AW_TEST_PYENV_ROOT")?,
        })
    };
    match read() {
        Ok(t) => Some(t),
        Err(why) => {
            skip(&format!("real tools missing: {why}"));
            None
        }
    }
}

/// `let tools = require_tools!();` returns from the test early when the tools
/// are missing (or fails it under `AW_TEST_REQUIRE_TOOLS=1`).
#[macro_export]
macro_rules! require_tools {
    () => {
        match $crate::common::tools() {
            Some(t) => t,
            None => return,
        }
    };
}

// ---------------------------------------------------------------------------
// Isolated environments for child processes
// ---------------------------------------------------------------------------

/// The wizard binary cargo built for these tests.
pub(crate) fn wizard_exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_arcaflow-wizard"))
}

/// The folders searched for basic system tools.
pub(crate) const SYSTEM_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A per-test folder with its own HOME, XDG folders and Poetry folders; it
/// builds commands that see only those (the environment is cleared first), and
/// is deleted on drop.
///
/// Layout: `root/home` (HOME), `root/work` (for projects), Poetry's folders at
/// their default places under HOME (`.config/pypoetry`, `.cache/pypoetry`,
/// `.local/share/pypoetry`, venvs in `.cache/pypoetry/virtualenvs`).
pub(crate) struct Sandbox {
    dir: TempDir,
    path: OsString,
    extra: Vec<(OsString, OsString)>,
    removed: Vec<OsString>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox whose PATH is the system folders only and without an index.
    pub(crate) fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("aw-test-")
            .tempdir()
            .expect("create a temp dir");
        let sb = Sandbox {
            dir,
            path: OsString::from(SYSTEM_PATH),
            extra: Vec::new(),
            removed: Vec::new(),
        };
        for d in [sb.home(), sb.work()] {
            fs::create_dir_all(d).expect("create sandbox folders");
        }
        sb
    }

    /// A sandbox whose pip uses the local index (`PIP_INDEX_URL`).
    pub(crate) fn with_tools(tools: &Tools) -> Sandbox {
        let mut sb = Sandbox::new();
        sb.set_env("PIP_INDEX_URL", &tools.index_url);
        sb
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }
    pub(crate) fn home(&self) -> PathBuf {
        self.root().join("home")
    }
    /// A folder for projects.
    pub(crate) fn work(&self) -> PathBuf {
        self.root().join("work")
    }
    pub(crate) fn poetry_cache_dir(&self) -> PathBuf {
        self.home().join(".cache/pypoetry")
    }
    pub(crate) fn poetry_config_dir(&self) -> PathBuf {
        self.home().join(".config/pypoetry")
    }
    pub(crate) fn poetry_data_dir(&self) -> PathBuf {
        self.home().join(".local/share/pypoetry")
    }
    pub(crate) fn virtualenvs_dir(&self) -> PathBuf {
        self.poetry_cache_dir().join("virtualenvs")
    }
    pub(crate) fn state_dir(&self) -> PathBuf {
        self.home().join(".local/state")
    }

    /// Sets PATH for later commands to exactly these folders, in order.
    pub(crate) fn set_path<P: AsRef<Path>>(&mut self, dirs: &[P]) -> &mut Self {
        self.path = std::env::join_paths(dirs.iter().map(|d| d.as_ref().to_path_buf()))
            .expect("PATH entries without ':'");
        self
    }
    /// PATH as it is now set.
    pub(crate) fn path_var(&self) -> &OsStr {
        &self.path
    }
    /// Adds (or overrides) a variable for later commands.
    pub(crate) fn set_env(
        &mut self,
        key: impl AsRef<OsStr>,
        value: impl AsRef<OsStr>,
    ) -> &mut Self {
        let key = key.as_ref().to_os_string();
        self.removed.retain(|k| *k != key);
        self.extra.retain(|(k, _)| *k != key);
        self.extra.push((key, value.as_ref().to_os_string()));
        self
    }
    /// Leaves a variable out of later commands (even one of the defaults).
    pub(crate) fn remove_env(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        let key = key.as_ref().to_os_string();
        self.extra.retain(|(k, _)| *k != key);
        self.removed.push(key);
        self
    }

    /// The complete environment the sandbox's commands get (for a pty
    /// `CommandBuilder`, which has no `Command`): call `env_clear()` there too.
    pub(crate) fn env_pairs(&self) -> Vec<(OsString, OsString)> {
        let home = self.home();
        let mut env: Vec<(OsString, OsString)> = vec![
            ("PATH".into(), self.path.clone()),
            ("HOME".into(), home.clone().into()),
            ("USER".into(), "tester".into()),
            ("LOGNAME".into(), "tester".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("XDG_STATE_HOME".into(), self.state_dir().into()),
            ("XDG_CACHE_HOME".into(), home.join(".cache").into()),
            ("XDG_CONFIG_HOME".into(), home.join(".config").into()),
            ("XDG_DATA_HOME".into(), home.join(".local/share").into()),
            ("POETRY_CACHE_DIR".into(), self.poetry_cache_dir().into()),
            ("POETRY_CONFIG_DIR".into(), self.poetry_config_dir().into()),
            ("POETRY_DATA_DIR".into(), self.poetry_data_dir().into()),
            (
                "POETRY_VIRTUALENVS_PATH".into(),
                self.virtualenvs_dir().into(),
            ),
            (
                "PYTHON_KEYRING_BACKEND".into(),
                "keyring.backends.null.Keyring".into(),
            ),
            ("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into()),
            ("NO_COLOR".into(), "1".into()),
            // new's test build ends with the engine where it can run: only the
            // tests of the engine run allow it (they set namespace or root).
            ("ARCAFLOW_WIZARD_TRY_SERVE".into(), "none".into()),
        ];
        env.retain(|(k, _)| !self.removed.contains(k));
        for (k, v) in &self.extra {
            env.retain(|(ek, _)| ek != k);
            env.push((k.clone(), v.clone()));
        }
        env
    }

    /// `program` with the sandbox's environment only, run from `work()`, stdin closed.
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .envs(self.env_pairs())
            .current_dir(self.work())
            .stdin(Stdio::null());
        cmd
    }

    /// The wizard with the sandbox's environment, run from `work()`, stdin closed.
    pub(crate) fn wizard(&self) -> Command {
        self.command(wizard_exe())
    }

    /// The wizard with these arguments, waited for at most `timeout`.
    pub(crate) fn run_wizard(&self, args: &[&str], timeout: Duration) -> Ran {
        let mut c = self.wizard();
        c.args(args);
        run(&mut c, timeout)
    }

    /// A root folder of its own for the wizard's probes (`ARCAFLOW_WIZARD_ROOT`):
    /// this os-release, and no system interpreters beyond what PATH holds.
    pub(crate) fn set_os_release(&mut self, os_release: &str) -> &mut Self {
        let root = self.root().join("fsroot");
        fs::create_dir_all(root.join("etc")).expect("create the fake root");
        fs::write(root.join("etc/os-release"), os_release).expect("write os-release");
        self.set_env("ARCAFLOW_WIZARD_ROOT", root)
    }

    /// Fails the test when the wizard left anything in `work()`.
    pub(crate) fn assert_work_untouched(&self) {
        let left: Vec<_> = fs::read_dir(self.work())
            .expect("read the work folder")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "the wizard left {left:?} behind");
    }

    /// A bin folder inside the sandbox: see [`bin_dir_with`].
    pub(crate) fn bin_dir(&self, name: &str, links: &[(&str, &Path)]) -> PathBuf {
        let dir = self.root().join("bins").join(name);
        fill_bin_dir(&dir, links);
        dir
    }
}

/// The wizard with a clean environment (system PATH, a fresh HOME and state
/// folder under cargo's target/tmp that is kept). For quick calls such as
/// `--help`; use a [`Sandbox`] for anything that writes.
pub(crate) fn wizard() -> Command {
    let home = tempfile::Builder::new()
        .prefix("aw-home-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp home")
        .keep();
    let mut cmd = Command::new(wizard_exe());
    cmd.env_clear()
        .env("PATH", SYSTEM_PATH)
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("POETRY_CACHE_DIR", home.join(".cache/pypoetry"))
        .env("POETRY_CONFIG_DIR", home.join(".config/pypoetry"))
        .env("POETRY_DATA_DIR", home.join(".local/share/pypoetry"))
        .env(
            "POETRY_VIRTUALENVS_PATH",
            home.join(".cache/pypoetry/virtualenvs"),
        )
        .env("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        .env("NO_COLOR", "1")
        .env("ARCAFLOW_WIZARD_TRY_SERVE", "none")
        .stdin(Stdio::null());
    if let Ok(url) = std::env::var("AW_TEST_INDEX_URL") {
        cmd.env("PIP_INDEX_URL", url);
    }
    cmd
}

/// Basic tools a child process may call, linked into every bin folder from
/// [`bin_dir_with`]. No Python and no Poetry: a test adds those explicitly.
pub(crate) const BASIC_TOOLS: &[&str] = &[
    "sh", "bash", "env", "cat", "ls", "rm", "rmdir", "mkdir", "cp", "mv", "ln", "chmod", "touch",
    "dirname", "basename", "readlink", "realpath", "uname", "id", "whoami", "grep", "sed", "awk",
    "head", "tail", "tr", "cut", "sort", "uniq", "wc", "tee", "find", "xargs", "sleep", "date",
    "mktemp", "which", "true", "false", "test", "expr", "git", "tar", "gzip", "hostname", "stty",
    "tput", "less", "diff",
];

/// A new folder of symlinks, for a restricted PATH: each `(name, target)` of
/// `links` (e.g. `("python3", &tools.py311)`, `("poetry", &tools.poetry2)`)
/// plus [`BASIC_TOOLS`] found in the system folders. Poetry needs nothing else
/// on PATH: its script's shebang names its venv's python. The folder lives in
/// cargo's target/tmp and is kept; prefer [`Sandbox::bin_dir`] in a sandbox.
pub(crate) fn bin_dir_with(links: &[(&str, &Path)]) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix("aw-bin-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp bin dir")
        .keep();
    fill_bin_dir(&dir, links);
    dir
}

fn fill_bin_dir(dir: &Path, links: &[(&str, &Path)]) {
    fs::create_dir_all(dir).expect("create bin dir");
    for tool in BASIC_TOOLS {
        if links.iter().any(|(n, _)| n == tool) {
            continue;
        }
        if let Some(found) = std::env::split_paths(SYSTEM_PATH)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
        {
            let _ = std::os::unix::fs::symlink(found, dir.join(tool));
        }
    }
    for (name, target) in links {
        let link = dir.join(name);
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link)
            .unwrap_or_else(|e| panic!("symlink {} -> {}: {e}", link.display(), target.display()));
    }
}

// ---------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------

/// What a finished command did: stdout and stderr interleaved as written.
#[derive(Debug)]
pub(crate) struct Ran {
    /// `None` when it was killed (signal or timeout).
    pub code: Option<i32>,
    pub output: String,
    pub timed_out: bool,
}

impl Ran {
    pub(crate) fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// The plugin `new --yes --name NAME` makes with `python` and the Poetry on
/// the sandbox's PATH, from the local index: its folder.
#[allow(dead_code)] // not every test binary makes one
pub(crate) fn new_plugin(sb: &Sandbox, tools: &Tools, name: &str, python: &Path) -> PathBuf {
    let mut new = sb.wizard();
    new.args([
        "new",
        "--yes",
        "--name",
        name,
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(python);
    let made = run(&mut new, Duration::from_secs(900));
    assert!(made.ok(), "new failed:\n{}", made.output);
    sb.work().join(format!("arcaflow-plugin-{name}"))
}

/// Runs `cmd` with stdout and stderr both going to one file (so their lines
/// stay in order), killing it after `timeout`.
pub(crate) fn run(cmd: &mut Command, timeout: Duration) -> Ran {
    let out = tempfile::tempfile().expect("temp file");
    cmd.stdout(out.try_clone().expect("dup"))
        .stderr(out.try_clone().expect("dup"));
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let (status, timed_out) = wait_timeout(&mut child, timeout);
    let mut output = String::new();
    let mut out = out;
    use std::io::Seek;
    out.seek(std::io::SeekFrom::Start(0)).expect("seek");
    let mut bytes = Vec::new();
    out.read_to_end(&mut bytes).expect("read output");
    output.push_str(&String::from_utf8_lossy(&bytes));
    Ran {
        code: status.and_then(|s| s.code()),
        output,
        timed_out,
    }
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> (Option<ExitStatus>, bool) {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return (Some(status), false),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                return (child.wait().ok(), true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(_) => return (None, false),
        }
    }
}

/// Shows a command the way a shell would (for logs and messages).
pub(crate) fn display_command(cmd: &Command) -> String {
    let mut s = String::new();
    if let Some(dir) = cmd.get_current_dir() {
        s.push_str(&format!("(cd {}) ", dir.display()));
    }
    s.push_str(&cmd.get_program().to_string_lossy());
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
            s.push_str(&format!(" '{}'", a.replace('\'', "'\\''")));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

// ---------------------------------------------------------------------------
// HTTP, just enough to probe an index
// ---------------------------------------------------------------------------

/// `GET url` over a plain TCP connection (http only): (status, body).
pub(crate) fn http_get(url: &str) -> std::io::Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other(format!("not an http URL: {url}")))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: aw-tests\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| std::io::Error::other(format!("no HTTP status in {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

// ---------------------------------------------------------------------------
// An index that takes uploads
// ---------------------------------------------------------------------------

/// A pypiserver that accepts uploads from user `__token__` with one token;
/// killed on drop.
pub(crate) struct IndexServer {
    child: Child,
    port: u16,
    /// Holds the htpasswd file and the server's log.
    _dir: TempDir,
    log: PathBuf,
}

impl IndexServer {
    /// The simple index, `http://127.0.0.1:PORT/simple/` (for sources and pip).
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/simple/", self.port)
    }
    /// Where uploads go, `http://127.0.0.1:PORT/` (what `--repository-url` gets).
    pub(crate) fn upload_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
    pub(crate) fn port(&self) -> u16 {
        self.port
    }
    /// What the server printed so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts pypiserver on a free 127.0.0.1 port serving (and storing uploads
/// in) `dir`, with `--disable-fallback` and `-P htpasswd -a update`, the
/// htpasswd holding user `__token__` with `token` as password. Panics when the
/// tools are missing or it does not start.
pub(crate) fn start_upload_index(dir: &Path, token: &str) -> IndexServer {
    start_upload_index_auth(dir, token, "update")
}

/// [`start_upload_index`] with pypiserver's `-a` list of the actions that need
/// the token: `"update"` (uploads only), or e.g. `"update,list,download"` (a
/// private index, whose pages answer 401 to a request without credentials).
pub(crate) fn start_upload_index_auth(dir: &Path, token: &str, authenticate: &str) -> IndexServer {
    let tools = tools().expect("start_upload_index needs the tools from scripts/test");
    fs::create_dir_all(dir).expect("create the package folder");
    let work = tempfile::Builder::new()
        .prefix("aw-index-")
        .tempdir()
        .expect("temp dir");
    let htpasswd = work.path().join("htpasswd");
    let script = "import sys\nfrom passlib.apache import HtpasswdFile\n\
                  h = HtpasswdFile(sys.argv[1], new=True)\n\
                  h.set_password('__token__', sys.stdin.read())\nh.save()\n";
    let mut child = Command::new(tools.pypiserver_python())
        .arg("-c")
        .arg(script)
        .arg(&htpasswd)
        .env_clear()
        .env("PATH", SYSTEM_PATH)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run passlib");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(token.as_bytes())
        .expect("pass the token");
    let out = child.wait_with_output().expect("passlib");
    assert!(
        out.status.success(),
        "writing htpasswd failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let log = work.path().join("pypiserver.log");
    let mut last_err = String::new();
    for _attempt in 0..3 {
        let port = free_port();
        let logf = fs::File::create(&log).expect("log file");
        let mut child = Command::new(&tools.pypiserver)
            .arg("run")
            .args(["-i", "127.0.0.1", "-p", &port.to_string()])
            .arg("--disable-fallback")
            .arg("-P")
            .arg(&htpasswd)
            .args(["-a", authenticate])
            .arg(dir)
            .env_clear()
            .env("PATH", SYSTEM_PATH)
            .stdin(Stdio::null())
            .stdout(logf.try_clone().unwrap())
            .stderr(logf)
            .spawn()
            .expect("start pypi-server");
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("http://127.0.0.1:{port}/simple/");
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                last_err = format!(
                    "pypi-server exited ({status}): {}",
                    fs::read_to_string(&log).unwrap_or_default()
                );
                break;
            }
            // A private index (`list` needs the token) answers 401: up as well.
            if matches!(http_get(&url), Ok((200 | 401, _))) {
                return IndexServer {
                    child,
                    port,
                    _dir: work,
                    log,
                };
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                last_err = format!(
                    "pypi-server did not answer in 20 s: {}",
                    fs::read_to_string(&log).unwrap_or_default()
                );
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("{last_err}");
}

// ---------------------------------------------------------------------------
// The official image's build, without an engine
// ---------------------------------------------------------------------------

/// The plugin's names read from `pyproject.toml` (`[tool.poetry].name` or,
/// failing that, `[project].name`): (short, code folder, entry module file).
pub(crate) fn plugin_names(project: &Path) -> Result<(String, String, String), String> {
    let text = fs::read_to_string(project.join("pyproject.toml"))
        .map_err(|e| format!("cannot read pyproject.toml: {e}"))?;
    let doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("pyproject.toml is not TOML: {e}"))?;
    let name = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .or_else(|| {
            doc.get("project")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
        })
        .ok_or("pyproject.toml has no [tool.poetry] name")?;
    let norm = name.to_ascii_lowercase().replace(['_', '.'], "-");
    let short = norm
        .strip_prefix("arcaflow-plugin-")
        .ok_or_else(|| format!("'{name}' does not start with arcaflow-plugin-"))?
        .to_string();
    let ident = short.replace('-', "_");
    Ok((
        short,
        format!("arcaflow_plugin_{ident}"),
        format!("{ident}_plugin.py"),
    ))
}

/// How long one step of the reproduced build may take.
const BUILD_STEP_TIMEOUT: Duration = Duration::from_secs(300);

/// The official image's build stage, reproduced without an engine (facts file,
/// "What ACT checks", last paragraph), with Poetry 1.8.3 on Python 3.9 against
/// the index the project's own pyproject names:
/// 1. copy `pyproject.toml` and `poetry.lock` into an empty folder;
/// 2. `poetry env use <py39>`, `poetry install --without dev --no-root`,
///    `poetry export -f requirements.txt --output requirements.txt --without-hashes`;
/// 3. copy the code folder and `tests/` beside them and run
///    `tests/test_arcaflow_plugin_<name>.py` with the code folder on PYTHONPATH
///    (under `python -m coverage run` when the venv has coverage);
/// 4. in a fresh Python 3.9 venv `pip install -r requirements.txt` (from the
///    local index) and run `python <name>_plugin.py --schema` in the code folder.
///
/// Ok: the whole log. Err: the log up to and including the failing command.
pub(crate) fn reproduce_official_build(project: &Path, tools: &Tools) -> Result<String, String> {
    reproduce_official_build_with(project, tools, &Pairing::official_0_4(tools))
}

/// A Poetry and the Python it runs the build with: what one official build
/// image holds. The image's Poetry is installed on that same Python.
#[derive(Debug, Clone)]
pub(crate) struct Pairing {
    pub label: String,
    pub poetry: PathBuf,
    pub python: PathBuf,
}

impl Pairing {
    /// The 0.4.x images: Poetry 1.8.3 on Python 3.9.
    pub(crate) fn official_0_4(tools: &Tools) -> Pairing {
        Pairing {
            label: "Poetry 1.8.3 on Python 3.9".into(),
            poetry: tools.poetry1.clone(),
            python: tools.py39.clone(),
        }
    }
}

/// The pairings the 0.5.0 images may hold (their Python is very likely 3.12,
/// their Poetry unknown): Poetry 1.8.3 and the current 2.x, each installed on
/// Python 3.12 (`AW_TEST_POETRY1_PY312`, `AW_TEST_POETRY2_PY312` from
/// scripts/test). None, after saying why, when this machine lacks them.
pub(crate) fn pairings_312(tools: &Tools) -> Option<Vec<Pairing>> {
    let py312 = match &tools.py312 {
        Some(p) => p.clone(),
        None => {
            skip("AW_TEST_PY312 is not set: no Python 3.12 for the 0.5.0 image pairings");
            return None;
        }
    };
    let mut out = Vec::new();
    for (var, what) in [
        ("AW_TEST_POETRY1_PY312", "Poetry 1.8.3 on Python 3.12"),
        ("AW_TEST_POETRY2_PY312", "Poetry 2.x on Python 3.12"),
    ] {
        match std::env::var_os(var).map(PathBuf::from) {
            Some(p) if p.is_file() => out.push(Pairing {
                label: what.into(),
                poetry: p,
                python: py312.clone(),
            }),
            _ => {
                skip(&format!("{var} is not set or missing: no {what}"));
                return None;
            }
        }
    }
    Some(out)
}

/// The official image's build stage and final stage, reproduced without an
/// engine with the Poetry and Python of `pairing` (see ARCAFLOW-FACTS.md).
pub(crate) fn reproduce_official_build_with(
    project: &Path,
    tools: &Tools,
    pairing: &Pairing,
) -> Result<String, String> {
    let mut log = String::new();
    let fail = |log: &mut String, what: String| -> String {
        log.push_str(&format!("\nFAILED: {what}\n"));
        std::mem::take(log)
    };
    let (short, package, entry) = plugin_names(project).map_err(|e| fail(&mut log, e))?;
    let test_file = format!("tests/test_{package}.py");
    log.push_str(&format!(
        "# official build of arcaflow-plugin-{short} ({}) with {} ({} on {})\n",
        project.display(),
        pairing.label,
        pairing.poetry.display(),
        pairing.python.display()
    ));

    let sb = Sandbox::with_tools(tools);
    let app = sb.root().join("app");
    fs::create_dir_all(&app).unwrap();
    for f in ["pyproject.toml", "poetry.lock"] {
        fs::copy(project.join(f), app.join(f))
            .map_err(|e| fail(&mut log, format!("copy {f}: {e}")))?;
        log.push_str(&format!("$ cp {f} /app/{f}\n"));
    }

    let step = |log: &mut String, mut cmd: Command| -> Result<String, String> {
        let shown = display_command(&cmd);
        log.push_str(&format!("$ {shown}\n"));
        let started = Instant::now();
        let ran = run(&mut cmd, BUILD_STEP_TIMEOUT);
        log.push_str(&ran.output);
        if !ran.output.is_empty() && !ran.output.ends_with('\n') {
            log.push('\n');
        }
        log.push_str(&format!(
            "[exit {:?}, {:.1} s]\n",
            ran.code,
            started.elapsed().as_secs_f64()
        ));
        if ran.ok() {
            Ok(ran.output)
        } else if ran.timed_out {
            Err(fail(
                log,
                format!("{shown} (timed out after {BUILD_STEP_TIMEOUT:?})"),
            ))
        } else {
            Err(fail(log, format!("{shown} (exit {:?})", ran.code)))
        }
    };
    let poetry = |args: &[&str]| {
        let mut c = sb.command(&pairing.poetry);
        c.args(args).arg("--no-interaction").current_dir(&app);
        c
    };

    let used = step(&mut log, {
        let mut c = poetry(&["env", "use"]);
        c.arg(&pairing.python);
        c
    })?;
    step(
        &mut log,
        poetry(&["install", "--without", "dev", "--no-root"]),
    )?;
    step(
        &mut log,
        poetry(&[
            "export",
            "-f",
            "requirements.txt",
            "--output",
            "requirements.txt",
            "--without-hashes",
        ]),
    )?;
    // `env use` ends with "Using virtualenv: PATH"; ask only if it did not.
    let venv_dir = match used
        .lines()
        .find_map(|l| l.trim().strip_prefix("Using virtualenv: "))
    {
        Some(dir) => dir.trim().to_string(),
        None => step(&mut log, poetry(&["env", "info", "--path"]))?,
    };
    let venv_python = PathBuf::from(venv_dir.trim()).join("bin/python");

    let code = project.join(&package);
    copy_dir(&code, &app.join(&package))
        .map_err(|e| fail(&mut log, format!("copy {package}/: {e}")))?;
    copy_dir(&project.join("tests"), &app.join("tests"))
        .map_err(|e| fail(&mut log, format!("copy tests/: {e}")))?;
    log.push_str(&format!("$ cp -r {package}/ tests/ /app/\n"));

    let has_coverage = {
        let mut c = sb.command(&venv_python);
        c.args(["-c", "import coverage"]);
        run(&mut c, Duration::from_secs(60)).ok()
    };
    step(&mut log, {
        let mut c = sb.command(&venv_python);
        if has_coverage {
            c.args(["-m", "coverage", "run"]);
        }
        c.arg(&test_file)
            .env("PYTHONPATH", app.join(&package))
            .current_dir(&app);
        c
    })?;

    // The final image is a plain Python with pip. A venv without its own
    // pip (ensurepip takes ~10 s here), filled by that Python's pip through
    // `--python`, is the same thing, faster.
    let final_venv = sb.root().join("final-venv");
    step(&mut log, {
        let mut c = sb.command(&pairing.python);
        c.args(["-m", "venv", "--without-pip"]).arg(&final_venv);
        c
    })?;
    step(&mut log, {
        let mut c = sb.command(&pairing.python);
        c.args(["-m", "pip", "--python"])
            .arg(final_venv.join("bin/python"))
            .args(["install", "-r"])
            .arg(app.join("requirements.txt"))
            .env("PIP_INDEX_URL", &tools.index_url)
            .current_dir(&app);
        c
    })?;
    step(&mut log, {
        let mut c = sb.command(final_venv.join("bin/python"));
        c.args([entry.as_str(), "--schema"])
            .current_dir(app.join(&package));
        c
    })?;
    Ok(log)
}

/// Copies a folder recursively (files and folders; symlinks as their targets).
pub(crate) fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() == "__pycache__" {
                continue;
            }
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The dev-group constraints every generated plugin pins, from
/// `scripts/dev-pins.txt`: `[("flake8", "~7.3"), ("coverage", "~7.10")]`.
pub(crate) fn dev_pins() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/dev-pins.txt");
    let text = fs::read_to_string(&path).expect("read scripts/dev-pins.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("name = \"constraint\"");
            (k.trim().to_string(), v.trim().trim_matches('"').to_string())
        })
        .collect()
}
