//! The session log: every command, its exit, its output, and every file
//! written, redacted, in a plain text file the user can read:
//!
//! ```text
//! == step sdk Running
//! $ poetry add arcaflow-plugin-sdk@^0.14.3
//! Updating dependencies            <- the command's output, as it printed it
//! Writing lock file
//!   -> ok (1.6s): exited with code 0
//! wrote /home/me/plugin/Dockerfile
//! ```

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::exec::redact::Redactor;
use crate::handoff::Handoff;

/// Messages waiting for the writer thread; a block of output is at most one
/// read of a command (80 KiB), so this bounds the memory the log can hold back.
const QUEUE: usize = 64;

/// The writer is woken once this many messages wait, or `PATIENCE` after the
/// first: a fast command's output is written a batch at a time, not a wake-up
/// per read. Nobody watches the file that closely; `flush` does not wait.
const BATCH: usize = QUEUE / 2;
const PATIENCE: std::time::Duration = std::time::Duration::from_millis(10);

/// Writes on a thread of its own: redacting and writing a command's output
/// then runs beside the front end's drawing of it, not after.
/// Everything goes through one queue, so the file keeps the order of the calls;
/// the writer takes what waits in batches (see `Handoff`).
pub struct SessionLog {
    path: PathBuf,
    /// None: a disabled log (`--dry-run`).
    queue: Option<Arc<Handoff<Msg>>>,
    writer: Option<JoinHandle<()>>,
}

enum Msg {
    Line(String),
    Block(std::sync::Arc<str>),
    Secret(String),
    Flush(mpsc::Sender<()>),
}

/// The writer thread's side.
struct Writer {
    out: BufWriter<File>,
    secrets: Vec<String>,
    redactor: std::sync::Arc<Redactor>,
}

impl Writer {
    fn run(mut self, queue: &Handoff<Msg>) {
        // Should this thread ever end early, callers must not wait on a full queue.
        struct CloseOnExit<'a>(&'a Handoff<Msg>);
        impl Drop for CloseOnExit<'_> {
            fn drop(&mut self) {
                self.0.close();
                // Drop what is left unwritten: a waiting flush() then returns.
                drop(self.0.take());
            }
        }
        let _close = CloseOnExit(queue);
        while let Some(batch) = queue.wait_batch(BATCH, PATIENCE) {
            self.write_batch(batch);
            // Into the file after every batch, not only at the end: `tail -f`
            // follows the run, and a crash keeps what came before it.
            let _ = self.out.flush();
        }
        let _ = self.out.flush();
    }

    fn write_batch(&mut self, batch: impl IntoIterator<Item = Msg>) {
        for msg in batch {
            match msg {
                Msg::Line(text) => {
                    let text = self.redactor.redact(&text);
                    let _ = self
                        .out
                        .write_all(text.as_bytes())
                        .and_then(|()| self.out.write_all(b"\n"));
                }
                // As the command printed it, between its `$` line and its
                // result: clean to copy into a bug report, and a tool's short
                // lines cost no work per line and no bytes more than they are.
                Msg::Block(block) => {
                    let block = self.redactor.redact(&block);
                    let _ = self
                        .out
                        .write_all(block.as_bytes())
                        .and_then(|()| self.out.write_all(b"\n"));
                }
                Msg::Secret(s) => {
                    self.secrets.push(s);
                    self.redactor = Redactor::new(&self.secrets);
                }
                Msg::Flush(done) => {
                    let _ = self.out.flush();
                    let _ = done.send(());
                }
            }
        }
    }
}

impl SessionLog {
    /// A new log in `<state>/logs/<timestamp>-<journey>.log`.
    pub fn create(state_dir: &Path, journey: &str) -> std::io::Result<Self> {
        let dir = super::private_dir(state_dir, "logs")?;
        let stamp = super::timestamp(std::time::SystemTime::now());
        let mut path = dir.join(format!("{stamp}-{journey}.log"));
        let mut n = 1;
        // Readable by the user alone, and never through a link planted at its name.
        let f = loop {
            use std::os::unix::fs::OpenOptionsExt;
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .mode(0o600)
                .open(&path)
            {
                Ok(f) => break f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => {
                    n += 1;
                    path = dir.join(format!("{stamp}-{journey}-{n}.log"));
                }
                Err(e) => return Err(e),
            }
        };
        let writer = Writer {
            out: BufWriter::with_capacity(64 * 1024, f),
            secrets: Vec::new(),
            redactor: Redactor::new::<&str>(&[]),
        };
        let queue = Arc::new(Handoff::new(QUEUE));
        // A signal ends the wizard without dropping this: write out what waits.
        let weak = Arc::downgrade(&queue);
        crate::exec::at_stop(move |why| {
            if let Some(q) = weak.upgrade() {
                q.push_now(Msg::Line(format!("== {why}")));
                let (done, wait) = mpsc::channel();
                if q.push_now(Msg::Flush(done)) != crate::handoff::Pushed::Closed {
                    let _ = wait.recv_timeout(std::time::Duration::from_secs(2));
                }
            }
        });
        let theirs = queue.clone();
        let handle = std::thread::Builder::new()
            .name("session-log".into())
            .spawn(move || writer.run(&theirs))?;
        Ok(SessionLog {
            path,
            queue: Some(queue),
            writer: Some(handle),
        })
    }

    /// A log that writes nothing (for `--dry-run`).
    pub fn disabled() -> Self {
        SessionLog {
            path: PathBuf::new(),
            queue: None,
            writer: None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.queue.as_ref().map(|_| self.path.as_path())
    }

    fn send(&self, msg: Msg) {
        if let Some(q) = &self.queue {
            q.push(msg);
        }
    }

    /// Every later line is redacted for this secret too.
    pub fn add_secret(&self, s: &str) {
        self.send(Msg::Secret(s.to_string()));
    }

    pub fn line(&self, text: &str) {
        if self.queue.is_some() {
            self.send(Msg::Line(text.to_string()));
        }
    }

    /// Lines of a command's output (joined with `\n`), logged as they are.
    pub fn output_block(&self, block: std::sync::Arc<str>) {
        self.send(Msg::Block(block));
    }

    /// Returns once everything logged so far is in the file.
    pub fn flush(&self) {
        if let Some(q) = &self.queue {
            let (done, wait) = mpsc::channel();
            if q.push_now(Msg::Flush(done)) != crate::handoff::Pushed::Closed {
                let _ = wait.recv();
            }
        }
    }
}

impl Drop for SessionLog {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it has written the rest.
        if let Some(q) = self.queue.take() {
            q.close();
        }
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_logged_as_printed_between_its_command_and_result_and_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let log = SessionLog::create(dir.path(), "test").unwrap();
        log.add_secret("pypi-SECRET123");
        log.line("$ poetry publish");
        log.output_block(Arc::from("Publishing\n  token pypi-SECRET123 used\n"));
        log.output_block(Arc::from("done"));
        log.line("  -> ok (0.1s): exited with code 0");
        log.flush();
        let text = std::fs::read_to_string(log.path().unwrap()).unwrap();
        assert_eq!(
            text,
            "$ poetry publish\nPublishing\n  token ******** used\n\ndone\n  -> ok (0.1s): exited with code 0\n"
        );
    }

    /// Written as the run goes, without a `flush()`: `tail -f` follows it, and
    /// a crash (here: the log never dropped) keeps what came before.
    #[test]
    fn lines_reach_the_file_while_the_run_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let log = SessionLog::create(dir.path(), "test").unwrap();
        let path = log.path().unwrap().to_path_buf();
        log.line("$ poetry build");
        log.output_block(Arc::from("Building arcaflow-plugin-example (0.1.1)"));
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let text = loop {
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("Building") || std::time::Instant::now() > until {
                break text;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(
            text,
            "$ poetry build\nBuilding arcaflow-plugin-example (0.1.1)\n"
        );
        std::mem::forget(log);
    }
}
