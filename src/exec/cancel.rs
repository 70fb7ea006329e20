//! Cancelling a running command, and its timeout: one watcher thread per command
//! that sleeps on a condition variable (no polling) and kills the process group.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::Ending;

/// Shared between the front end (which cancels) and the runner.
#[derive(Clone, Default, Debug)]
pub struct CancelToken {
    inner: Arc<(Mutex<State>, Condvar)>,
}

#[derive(Default, Debug)]
struct State {
    cancelled: bool,
    /// Bumped when a command ends, to wake its watcher.
    finished: u64,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    /// Cancel the command running now (and any started later, until `reset`).
    pub fn cancel(&self) {
        let (m, cv) = &*self.inner;
        m.lock().unwrap().cancelled = true;
        cv.notify_all();
    }
    pub fn reset(&self) {
        self.inner.0.lock().unwrap().cancelled = false;
    }
    pub fn is_cancelled(&self) -> bool {
        self.inner.0.lock().unwrap().cancelled
    }

    pub(super) fn watch(&self, pgid: i32, timeout: Option<Duration>) -> Watch {
        let token = self.clone();
        let generation = self.inner.0.lock().unwrap().finished;
        let killed = Arc::new(Mutex::new(None));
        let k = killed.clone();
        let handle = std::thread::spawn(move || {
            let (m, cv) = &*token.inner;
            let deadline = timeout.map(|t| Instant::now() + t);
            let mut st = m.lock().unwrap();
            loop {
                if st.finished != generation {
                    return;
                }
                if st.cancelled {
                    *k.lock().unwrap() = Some(Ending::Cancelled);
                    break;
                }
                match deadline {
                    Some(d) => {
                        let now = Instant::now();
                        if now >= d {
                            *k.lock().unwrap() = Some(Ending::TimedOut);
                            break;
                        }
                        st = cv.wait_timeout(st, d - now).unwrap().0;
                    }
                    None => st = cv.wait(st).unwrap(),
                }
            }
            drop(st);
            kill_group(pgid);
        });
        Watch {
            token: self.clone(),
            killed,
            handle: Some(handle),
        }
    }
}

/// SIGTERM to the group, then SIGKILL to whatever is left after a grace period.
fn kill_group(pgid: i32) {
    if pgid <= 1 {
        return;
    }
    // SAFETY: killpg only sends a signal; the group was created for this child.
    unsafe {
        libc::killpg(pgid, libc::SIGTERM);
    }
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        // SAFETY: signal 0 only checks whether the group still exists.
        if unsafe { libc::killpg(pgid, 0) } != 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

pub(super) struct Watch {
    token: CancelToken,
    killed: Arc<Mutex<Option<Ending>>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// The command is over: stop watching; say whether we killed it.
    pub fn finish(mut self) -> Option<Ending> {
        {
            let (m, cv) = &*self.token.inner;
            m.lock().unwrap().finished += 1;
            cv.notify_all();
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.killed.lock().unwrap().take()
    }
}
