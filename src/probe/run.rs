//! Running a probe command: stdin closed, output captured, a hard timeout that
//! kills the child's whole process group (a pyenv shim is bash running pyenv
//! running python: killing only bash would leave the others holding the pipes).
//! Plus the small file helpers the probes share.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::ProbeEnv;

/// How long any probe command may take before it is killed.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// What a probe command did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RunOutput {
    /// The exit code; None when it was killed (timeout, signal) or did not start.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
    /// Set when the program could not be started (the OS error).
    pub spawn_error: Option<String>,
}

impl RunOutput {
    pub(crate) fn success(&self) -> bool {
        self.code == Some(0)
    }
    /// The first non-empty line of stderr, else of stdout.
    pub(crate) fn first_error_line(&self) -> Option<&str> {
        self.stderr
            .lines()
            .chain(self.stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
    }
}

/// Run `program args` the way every probe does: stdin closed, stdout and stderr
/// captured, `PATH` and `HOME` taken from `env` (the rest of the environment is
/// inherited), `extra_env` on top, killed after `timeout`. Never blocks longer
/// than `timeout` plus a short grace period.
pub(crate) fn run(
    program: &Path,
    args: &[&str],
    env: &ProbeEnv,
    extra_env: &[(&str, &OsStr)],
    timeout: Duration,
) -> RunOutput {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("PATH", &env.path);
    match &env.home {
        Some(h) => cmd.env("HOME", h),
        None => cmd.env_remove("HOME"),
    };
    let own = |k: &str| extra_env.iter().any(|(e, _)| *e == k);
    let changes = crate::exec::env::changes(program, args, &own, false);
    for k in &changes.remove {
        cmd.env_remove(k);
    }
    for (k, v) in &changes.set {
        cmd.env(k, v);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let spawned = crate::exec::spawn_registered(|| {
        let child = cmd.spawn()?;
        let pid = child.id() as i32;
        Ok((child, pid))
    });
    let (mut child, _registered) = match spawned {
        Ok(c) => c,
        Err(e) => {
            return RunOutput {
                spawn_error: Some(e.to_string()),
                ..RunOutput::default()
            }
        }
    };
    crate::exec::query::record(&crate::plan::Cmd::new(program).args(args.iter().copied()));
    let pid = child.id();
    let out_rx = read_in_thread(child.stdout.take());
    let err_rx = read_in_thread(child.stderr.take());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let (status, timed_out) = match rx.recv_timeout(timeout) {
        Ok(st) => (st.ok(), false),
        Err(_) => {
            crate::exec::kill_group(pid as i32);
            (
                rx.recv_timeout(Duration::from_secs(1))
                    .ok()
                    .and_then(|s| s.ok()),
                true,
            )
        }
    };
    // A grandchild that escaped the group may keep a pipe open: do not wait for it long.
    let grace = Duration::from_millis(200);
    let stdout = out_rx.recv_timeout(grace).unwrap_or_default();
    let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
    RunOutput {
        code: if timed_out {
            None
        } else {
            status.and_then(|s| s.code())
        },
        stdout,
        stderr,
        timed_out,
        spawn_error: None,
    }
}

fn read_in_thread<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    rx
}

/// The code every interpreter probe runs: works on Python 2.7 and 3.x.
pub(crate) const PY_VERSION_CODE: &str =
    "import sys; print('%d.%d.%d' % tuple(sys.version_info[:3])); print(sys.executable)";

/// Run `python -E -S -c PY_VERSION_CODE` (or a shim standing for it): the
/// version and `sys.executable`. `-S` skips site-packages, which makes it
/// about five times faster (no .pth files).
pub(crate) fn python_identity(
    python: &Path,
    env: &ProbeEnv,
) -> Option<(crate::version::Version, PathBuf)> {
    let out = run(
        python,
        &["-E", "-S", "-c", PY_VERSION_CODE],
        env,
        &[],
        PROBE_TIMEOUT,
    );
    if !out.success() {
        return None;
    }
    let mut lines = out.stdout.lines();
    let version = crate::version::Version::find_in(lines.next()?)?;
    let exe = lines.next().map(str::trim).filter(|s| !s.is_empty());
    Some((
        version,
        exe.map(PathBuf::from)
            .unwrap_or_else(|| python.to_path_buf()),
    ))
}

/// An existing regular file with an execute bit (symlinks followed).
pub(crate) fn is_executable(p: &Path) -> bool {
    match std::fs::metadata(p) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                m.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            {
                true
            }
        }
        _ => false,
    }
}

/// The first `limit` bytes of a regular file, as text (never opens a FIFO or a
/// device, which could block).
pub(crate) fn read_head(p: &Path, limit: usize) -> Option<String> {
    if !std::fs::metadata(p).ok()?.is_file() {
        return None;
    }
    let f = std::fs::File::open(p).ok()?;
    let mut buf = Vec::with_capacity(limit.min(4096));
    f.take(limit as u64).read_to_end(&mut buf).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Entries of a folder, sorted by name (empty when it cannot be read).
pub(crate) fn sorted_entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().into_string().ok()?, e.path())))
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Run `f` on every item in parallel (scoped threads), results in input order.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    match items.len() {
        0 => Vec::new(),
        1 => vec![f(&items[0])],
        _ => std::thread::scope(|s| {
            let f = &f;
            let handles: Vec<_> = items.iter().map(|it| s.spawn(move || f(it))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("probe thread panicked"))
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn env() -> ProbeEnv {
        ProbeEnv {
            path: "/usr/bin:/bin".into(),
            home: None,
            root: "/".into(),
            pyenv_root: None,
            poetry_home: None,
        }
    }

    #[test]
    fn captures_output_and_exit_code() {
        let out = run(
            Path::new("/bin/sh"),
            &["-c", "echo out; echo err >&2; exit 3"],
            &env(),
            &[],
            PROBE_TIMEOUT,
        );
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");
        assert!(!out.timed_out);
        assert_eq!(out.first_error_line(), Some("err"));
    }

    #[test]
    fn stdin_is_closed() {
        let out = run(Path::new("/bin/cat"), &[], &env(), &[], PROBE_TIMEOUT);
        assert!(out.success());
        assert_eq!(out.stdout, "");
    }

    #[test]
    fn kills_the_whole_group_on_timeout() {
        let t = Instant::now();
        // The grandchild `sleep` holds stdout open: killing only sh would hang the reader.
        let out = run(
            Path::new("/bin/sh"),
            &["-c", "sleep 30; echo never"],
            &env(),
            &[],
            Duration::from_millis(300),
        );
        assert!(out.timed_out);
        assert_eq!(out.code, None);
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    }

    #[test]
    fn reports_a_program_that_does_not_start() {
        let out = run(
            Path::new("/nonexistent/prog"),
            &[],
            &env(),
            &[],
            PROBE_TIMEOUT,
        );
        assert!(out.spawn_error.is_some());
        assert!(!out.success());
    }
}
