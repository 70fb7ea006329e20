//! The session log: every command, its exit, its output, and every file
//! written, redacted, in a plain text file the user can read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::exec::redact;

pub struct SessionLog {
    path: PathBuf,
    out: Mutex<Option<BufWriter<File>>>,
    secrets: Mutex<Vec<String>>,
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
            out: Mutex::new(Some(BufWriter::new(f))),
            secrets: Mutex::new(Vec::new()),
        })
    }

    /// A log that writes nothing (for `--dry-run`).
    pub fn disabled() -> Self {
        SessionLog {
            path: PathBuf::new(),
            out: Mutex::new(None),
            secrets: Mutex::new(Vec::new()),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.out
            .lock()
            .unwrap()
            .as_ref()
            .map(|_| self.path.as_path())
    }

    /// Every later line is redacted for this secret too.
    pub fn add_secret(&self, s: &str) {
        self.secrets.lock().unwrap().push(s.to_string());
    }

    pub fn line(&self, text: &str) {
        let secrets = self.secrets.lock().unwrap().clone();
        if let Some(w) = self.out.lock().unwrap().as_mut() {
            let _ = writeln!(w, "{}", redact(text, &secrets));
        }
    }

    pub fn flush(&self) {
        if let Some(w) = self.out.lock().unwrap().as_mut() {
            let _ = w.flush();
        }
    }
}

impl Drop for SessionLog {
    fn drop(&mut self) {
        self.flush();
    }
}
