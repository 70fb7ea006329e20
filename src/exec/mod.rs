//! The runner: executes commands with stdin closed, streams their output line by
//! line to a callback (never holding more than a bounded tail), enforces
//! timeouts, cancels by killing the child's whole process group, and redacts
//! secrets from everything it passes on.

mod cancel;
pub(crate) mod env;
pub mod lines;
pub mod parallel;
pub mod query;
pub mod redact;
pub(crate) mod write;

pub use cancel::{at_stop, kill_group, spawn_registered, stop_all, CancelToken};

use std::collections::VecDeque;
use std::io::BufReader;
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use crate::plan::Cmd;

/// The timeout of a command that names none (doctor's fixes among them): no
/// command runs unbounded, and none of the wizard's should take this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// How long `cmd` may run.
pub fn timeout_of(cmd: &Cmd) -> Duration {
    cmd.timeout.unwrap_or(DEFAULT_TIMEOUT)
}

/// The most a read of a command's output takes (see `stream`).
pub const READ_SIZE: usize = 16 * 1024;

/// How many of the last output lines a result keeps, for failure messages.
pub const TAIL_LINES: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal (not by us).
    Signalled(i32),
    /// We killed it: its timeout ran out.
    TimedOut,
    /// We killed it: the user cancelled.
    Cancelled,
}

#[derive(Debug, Clone)]
pub struct RunResult {
    pub ending: Ending,
    /// The last `TAIL_LINES` lines (stdout and stderr merged, redacted).
    pub tail: VecDeque<String>,
    pub elapsed: Duration,
}

impl RunResult {
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
    /// The tail joined, for matching known messages.
    pub fn tail_text(&self) -> String {
        self.tail
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }
    pub fn describe(&self) -> String {
        match self.ending {
            Ending::Exited(c) => format!("exited with code {c}"),
            Ending::Signalled(s) => format!("was killed by signal {s}"),
            Ending::TimedOut => "took too long and was stopped".into(),
            Ending::Cancelled => "was cancelled".into(),
        }
    }
}

/// `line` with every form of every secret (and of those the process knows)
/// masked; borrowed when there is none. See `redact::Redactor`.
pub fn redact<'a>(line: &'a str, secrets: &[String]) -> std::borrow::Cow<'a, str> {
    redact::Redactor::new(secrets).redact(line)
}

/// Run `cmd`, calling `on_line` for each output line (redacted). Returns when the
/// child and everything it started have closed their output, or after the kill.
pub fn run(
    cmd: &Cmd,
    secrets: &[String],
    cancel: &CancelToken,
    on_line: &mut dyn FnMut(&str),
) -> std::io::Result<RunResult> {
    run_blocks(
        cmd,
        secrets,
        cancel,
        &mut |b| b.split('\n').for_each(&mut *on_line),
        &mut || {},
    )
}

/// `run` with output in blocks: `on_block` gets the lines of each read of the
/// child's output (one or more, joined with `\n`, redacted), and `on_idle` comes
/// whenever all output so far was passed on. A front end that buffers flushes
/// then, so long outputs cost a few writes per read, not one per line, and
/// nothing waits unseen.
pub fn run_blocks(
    cmd: &Cmd,
    secrets: &[String],
    cancel: &CancelToken,
    on_block: &mut dyn FnMut(&str),
    on_idle: &mut dyn FnMut(),
) -> std::io::Result<RunResult> {
    // Whatever it changed, earlier answers to questions may be stale.
    query::something_ran();
    stream(cmd, secrets, cancel, on_block, on_idle)
}

/// [`run_blocks`] itself; a question ([`query`]) runs through here alone.
fn stream(
    cmd: &Cmd,
    secrets: &[String],
    cancel: &CancelToken,
    on_block: &mut dyn FnMut(&str),
    on_idle: &mut dyn FnMut(),
) -> std::io::Result<RunResult> {
    let start = Instant::now();
    let arg0 = cmd.program.as_os_str().to_os_string();
    let mut expr = duct::cmd(program(cmd), &cmd.args)
        .stdin_null()
        .stderr_to_stdout()
        .unchecked()
        // A group of its own, so cancel and timeout reach every grandchild too.
        .before_spawn(move |c| {
            c.process_group(0);
            // The name the user would type, as a shell gives it, not the path.
            c.arg0(&arg0);
            Ok(())
        });
    if let Some(dir) = &cmd.cwd {
        expr = expr.dir(dir);
    }
    let args: Vec<&str> = cmd.args.iter().map(String::as_str).collect();
    let own = |k: &str| cmd.env.contains_key(k) || cmd.secret_env.contains_key(k);
    let changes = env::changes(&cmd.program, &args, &own, cmd.credentials);
    for k in &changes.remove {
        expr = expr.env_remove(k);
    }
    for (k, v) in &changes.set {
        expr = expr.env(k, v);
    }
    for (k, v) in cmd.env.iter().chain(cmd.secret_env.iter()) {
        expr = expr.env(k, v);
    }
    let (reader, _registered) = spawn_registered(|| {
        let reader = expr.reader()?;
        let pid = reader.pids().first().copied().unwrap_or(0) as i32;
        Ok((reader, pid))
    })?;
    let pid = reader.pids().first().copied().unwrap_or(0) as i32;
    let watch = cancel.watch(pid, Some(timeout_of(cmd)));

    let mut tail = Tail::default();
    let redactor = redact::Redactor::new(secrets);
    let mut redacting = redactor.stream();
    // Reads of at most 16 KiB: each becomes a block that may wait in the
    // queues to the UI thread and the log (64 blocks each), so the read size
    // bounds what a fast command can leave in flight. With 64 KiB the peak
    // RSS grew by 2 MB from 100k to 1M lines; with 16 KiB it stays flat, the
    // full-screen time the same, 6 ms more CPU a million lines in the plain
    // front end (BENCHMARKS.md).
    let mut buf = BufReader::with_capacity(READ_SIZE, &reader);
    let mut read_err = None;
    if let Err(e) = lines::for_each_block(
        &mut buf,
        &mut |raw: &str| {
            let block = redacting.block(raw);
            on_block(&block);
            tail.add(&block);
        },
        on_idle,
    ) {
        read_err = Some(e);
    }
    drop(buf);
    let status = reader.try_wait()?.map(|o| o.status);
    let status = match status {
        Some(s) => s,
        None => {
            // Only after a read error: duct waits for the child itself at end of output.
            // The whole group, as every runner ends a command; then duct reaps.
            kill_group(pid);
            reader.kill().ok();
            reader.try_wait()?.map(|o| o.status).unwrap_or_default()
        }
    };
    let killed_by_us = watch.finish();
    if let Some(e) = read_err {
        if killed_by_us.is_none() {
            return Err(e);
        }
    }
    use std::os::unix::process::ExitStatusExt;
    let ending = match (killed_by_us, status.code(), status.signal()) {
        (Some(k), _, _) => k,
        (None, Some(c), _) => Ending::Exited(c),
        (None, None, Some(s)) => Ending::Signalled(s),
        (None, None, None) => Ending::Exited(-1),
    };
    Ok(RunResult {
        ending,
        tail: tail.into_lines(),
        elapsed: start.elapsed(),
    })
}

/// The program to start: a bare name as the absolute path it has on the PATH
/// the child gets, or as it is when it is not there (the spawn then fails with
/// the usual "not found").
///
/// duct clears and re-sets the child's environment, and for a bare name with
/// PATH set that way std forks and walks PATH with execvp; given a path it
/// starts the child with posix_spawn (vfork), which neither copies the wizard's
/// page tables nor makes its next writes fault. A path (one with a `/`) stays
/// as given: duct would treat it as relative to the child's folder.
fn program(cmd: &Cmd) -> std::ffi::OsString {
    let name = cmd.program.as_os_str();
    if name.as_encoded_bytes().contains(&b'/') || name.is_empty() {
        return name.to_os_string();
    }
    let path = cmd
        .env
        .get("PATH")
        .map(std::ffi::OsString::from)
        .or_else(|| std::env::var_os("PATH"));
    let cwd = cmd
        .cwd
        .clone()
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    match which::which_in(name, path, cwd) {
        Ok(found) if found.is_absolute() => found.into_os_string(),
        _ => name.to_os_string(),
    }
}

/// The last `TAIL_LINES` lines of a command's output, as one string: each
/// block is searched from its end only as far as those lines reach, and only
/// the last read's lines are copied.
#[derive(Default)]
struct Tail {
    /// The lines, joined with `\n`.
    text: String,
    lines: usize,
}

impl Tail {
    /// Adds a block's lines (joined with `\n`; "" is one empty line).
    fn add(&mut self, block: &str) {
        if let Some(i) = memchr::memrchr_iter(b'\n', block.as_bytes()).nth(TAIL_LINES - 1) {
            self.text.clear();
            self.text.push_str(&block[i + 1..]);
            self.lines = TAIL_LINES;
            return;
        }
        if self.lines > 0 {
            self.text.push('\n');
        }
        self.text.push_str(block);
        self.lines += memchr::memchr_iter(b'\n', block.as_bytes()).count() + 1;
        if self.lines > TAIL_LINES {
            let extra = self.lines - TAIL_LINES;
            if let Some(cut) = memchr::memchr_iter(b'\n', self.text.as_bytes()).nth(extra - 1) {
                self.text.drain(..=cut);
            }
            self.lines = TAIL_LINES;
        }
    }

    fn into_lines(self) -> VecDeque<String> {
        if self.lines == 0 {
            return VecDeque::new();
        }
        self.text.split('\n').map(str::to_string).collect()
    }
}

/// Run a short command and capture its trimmed stdout; None on failure or timeout.
/// For checks and probes, not for steps: nothing is streamed or logged.
pub fn capture(cmd: &Cmd) -> Option<String> {
    query::something_ran();
    capture_quietly(cmd)
}

/// [`capture`] without telling [`query`] that something ran.
fn capture_quietly(cmd: &Cmd) -> Option<String> {
    let mut out = String::new();
    let mut on_line = |l: &str| {
        if out.len() < 1 << 20 {
            out.push_str(l);
            out.push('\n');
        }
    };
    let res = stream(
        cmd,
        &[],
        &CancelToken::new(),
        &mut |b| b.split('\n').for_each(&mut on_line),
        &mut || {},
    )
    .ok()?;
    res.success().then(|| out.trim_end().to_string())
}

#[cfg(test)]
mod tests;
