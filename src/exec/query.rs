//! Questions the wizard asks a tool (`poetry env info --path`, `python
//! --version`): asked once per run, and written down.
//!
//! Each Poetry start costs most of a second, and a step asks the same thing
//! in its check, its plan and its note. An answer holds until the runner
//! runs any other command (`poetry env use`, `poetry install` and the like
//! change it); then the next question asks again. Every question really
//! asked is kept, so the session log can list them (issue 19: none twice).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::plan::Cmd;

/// Bumped by the runner for every command that is not a question.
static GENERATION: AtomicU64 = AtomicU64::new(0);

struct Memo {
    /// The generation the answers are from.
    generation: u64,
    /// Keyed by the command's display form and folder.
    answers: HashMap<(String, Option<std::path::PathBuf>), Option<String>>,
    /// Every question asked, in order.
    asked: Vec<String>,
}

static MEMO: Mutex<Option<Memo>> = Mutex::new(None);

/// Something other than a question ran: answers from before may be stale.
pub(crate) fn something_ran() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// `cmd`'s output when it succeeds (as [`super::capture`]), asked once while
/// nothing else runs.
pub fn ask(cmd: &Cmd) -> Option<String> {
    let key = (cmd.display(), cmd.cwd.clone());
    {
        let mut memo = lock();
        let m = memo.get_or_insert_with(fresh);
        let now = GENERATION.load(Ordering::SeqCst);
        if m.generation != now {
            m.generation = now;
            m.answers.clear();
        }
        if let Some(a) = m.answers.get(&key) {
            return a.clone();
        }
    }
    // Asked without the lock held: a slow Poetry blocks nothing else.
    let before = GENERATION.load(Ordering::SeqCst);
    let answer = super::capture_quietly(cmd);
    let mut memo = lock();
    let m = memo.get_or_insert_with(fresh);
    m.asked.push(cmd.display());
    if GENERATION.load(Ordering::SeqCst) == before && m.generation == before {
        m.answers.insert(key, answer.clone());
    }
    answer
}

/// A question asked another way (a probe, `probe::run`): listed with the rest.
pub fn record(cmd: &Cmd) {
    lock().get_or_insert_with(fresh).asked.push(cmd.display());
}

/// Every question asked so far in this process, in order.
pub fn asked() -> Vec<String> {
    lock().as_ref().map(|m| m.asked.clone()).unwrap_or_default()
}

fn fresh() -> Memo {
    Memo {
        generation: GENERATION.load(Ordering::SeqCst),
        answers: HashMap::new(),
        asked: Vec::new(),
    }
}

fn lock() -> std::sync::MutexGuard<'static, Option<Memo>> {
    MEMO.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real command that says how often it ran, through a file.
    fn counter(dir: &std::path::Path) -> Cmd {
        Cmd::new("/bin/sh")
            .args(["-c", "echo x >> count; wc -l < count"])
            .cwd(dir)
    }

    #[test]
    fn asked_once_until_something_else_runs() {
        let dir = tempfile::tempdir().unwrap();
        let q = counter(dir.path());
        let lines =
            || std::fs::read_to_string(dir.path().join("count")).map_or(0, |t| t.lines().count());
        // Other tests of this process run commands meanwhile, which rightly
        // drops the answers: judge the pairs that nothing came between.
        let mut judged = 0;
        for _ in 0..50 {
            let g = GENERATION.load(Ordering::SeqCst);
            let first = ask(&q);
            let ran = lines();
            let again = ask(&q);
            if GENERATION.load(Ordering::SeqCst) == g {
                assert_eq!(first, again);
                assert_eq!(lines(), ran, "the second question is answered from memory");
                judged += 1;
            }
            // Another command ran (through the runner): the answer may have changed.
            super::super::capture(&Cmd::new("/bin/true")).unwrap();
            let after = ask(&q);
            assert_eq!(after.as_deref(), Some(lines().to_string().as_str()));
        }
        assert!(judged > 0, "every pair had a command between");
        assert!(asked().iter().any(|a| *a == q.display()));
    }
}
