//! The session log: every command, its exit, its output, and every file
//! written, redacted, in a plain text file the user can read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::exec::redact;

pub struct SessionLog {
    path: PathBuf,
    inner: Mutex<Inner>,
}

/// One lock for both: output lines come fast, and each takes it once.
struct Inner {
    out: Option<BufWriter<File>>,
    secrets: Vec<String>,
}

impl Inner {
    fn write(&mut self, prefix: &str, text: &str) {
        if let Some(w) = self.out.as_mut() {
            let text = redact(text, &self.secrets);
            let _ = w
                .write_all(prefix.as_bytes())
                .and_then(|_| w.write_all(text.as_bytes()))
                .and_then(|_| w.write_all(b"\n"));
        }
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
        Ok(SessionLog {
            path,
            inner: Mutex::new(Inner {
                out: Some(BufWriter::with_capacity(64 * 1024, f)),
                secrets: Vec::new(),
            }),
        })
    }

    /// A log that writes nothing (for `--dry-run`).
    pub fn disabled() -> Self {
        SessionLog {
            path: PathBuf::new(),
            inner: Mutex::new(Inner {
                out: None,
                secrets: Vec::new(),
            }),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.inner
            .lock()
            .unwrap()
            .out
            .as_ref()
            .map(|_| self.path.as_path())
    }

    /// Every later line is redacted for this secret too.
    pub fn add_secret(&self, s: &str) {
        self.inner.lock().unwrap().secrets.push(s.to_string());
    }

    pub fn line(&self, text: &str) {
        self.inner.lock().unwrap().write("", text);
    }

    /// Lines of a command's output (joined with `\n`), each indented under the command.
    pub fn output_block(&self, block: &str) {
        let mut inner = self.inner.lock().unwrap();
        let Inner { out, secrets } = &mut *inner;
        if let Some(w) = out.as_mut() {
            let block = redact(block, secrets);
            let _ = w.write_all(&crate::exec::lines::indent("  | ", &block));
        }
    }

    pub fn flush(&self) {
        if let Some(w) = self.inner.lock().unwrap().out.as_mut() {
            let _ = w.flush();
        }
    }
}

impl Drop for SessionLog {
    fn drop(&mut self) {
        self.flush();
    }
}
