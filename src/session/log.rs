//! The session log: every command, its exit, its output, and every file
//! written, redacted, in a plain text file the user can read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use crate::exec::redact;

/// Messages waiting for the writer thread; a block of output is at most one
/// read of a command, so this bounds the memory the log can hold back.
const QUEUE: usize = 32;

/// Writes on a thread of its own: redacting and indenting a command's output
/// for the log then runs beside the front end's drawing of it, not after.
/// Everything goes through one queue, so the file keeps the order of the calls.
pub struct SessionLog {
    path: PathBuf,
    /// None: a disabled log (`--dry-run`).
    tx: Option<SyncSender<Msg>>,
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
    /// Reused for each block of output, so logging it allocates nothing.
    scratch: Vec<u8>,
}

impl Writer {
    fn run(mut self, rx: Receiver<Msg>) {
        for msg in rx {
            match msg {
                Msg::Line(text) => {
                    let text = redact(&text, &self.secrets);
                    let _ = self
                        .out
                        .write_all(text.as_bytes())
                        .and_then(|_| self.out.write_all(b"\n"));
                }
                Msg::Block(block) => {
                    let block = redact(&block, &self.secrets);
                    self.scratch.clear();
                    crate::exec::lines::indent_into(&mut self.scratch, "  | ", &block);
                    let _ = self.out.write_all(&self.scratch);
                }
                Msg::Secret(s) => self.secrets.push(s),
                Msg::Flush(done) => {
                    let _ = self.out.flush();
                    let _ = done.send(());
                }
            }
        }
        let _ = self.out.flush();
    }
}

impl SessionLog {
    /// A new log in `<state>/logs/<timestamp>-<journey>.log`.
    pub fn create(state_dir: &Path, journey: &str) -> std::io::Result<Self> {
        let dir = state_dir.join("logs");
        std::fs::create_dir_all(&dir)?;
        let stamp = super::timestamp(std::time::SystemTime::now());
        let mut path = dir.join(format!("{stamp}-{journey}.log"));
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = dir.join(format!("{stamp}-{journey}-{n}.log"));
        }
        let f = File::create(&path)?;
        let writer = Writer {
            out: BufWriter::with_capacity(64 * 1024, f),
            secrets: Vec::new(),
            scratch: Vec::new(),
        };
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let handle = std::thread::Builder::new()
            .name("session-log".into())
            .spawn(move || writer.run(rx))?;
        Ok(SessionLog {
            path,
            tx: Some(tx),
            writer: Some(handle),
        })
    }

    /// A log that writes nothing (for `--dry-run`).
    pub fn disabled() -> Self {
        SessionLog {
            path: PathBuf::new(),
            tx: None,
            writer: None,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.tx.as_ref().map(|_| self.path.as_path())
    }

    fn send(&self, msg: Msg) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(msg);
        }
    }

    /// Every later line is redacted for this secret too.
    pub fn add_secret(&self, s: &str) {
        self.send(Msg::Secret(s.to_string()));
    }

    pub fn line(&self, text: &str) {
        if self.tx.is_some() {
            self.send(Msg::Line(text.to_string()));
        }
    }

    /// Lines of a command's output (joined with `\n`), each indented under the command.
    pub fn output_block(&self, block: std::sync::Arc<str>) {
        self.send(Msg::Block(block));
    }

    /// Returns once everything logged so far is in the file.
    pub fn flush(&self) {
        if let Some(tx) = &self.tx {
            let (done, wait) = mpsc::channel();
            if tx.send(Msg::Flush(done)).is_ok() {
                let _ = wait.recv();
            }
        }
    }
}

impl Drop for SessionLog {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it has written the rest.
        self.tx = None;
        if let Some(h) = self.writer.take() {
            let _ = h.join();
        }
    }
}
