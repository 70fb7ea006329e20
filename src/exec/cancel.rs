//! Cancelling a running command, and its timeout: one watcher thread per command
//! that sleeps on a condition variable and kills the process group. Also the
//! one `kill_group` every runner uses, and the register of running groups a
//! signal handler ends before the wizard exits (`stop_all`).

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::Ending;

/// How long output may keep coming after the command itself exited, from
/// something it left in the background holding the pipe, before that is
/// stopped: the run ends with the command, not with its stragglers.
pub(super) const STRAGGLER_GRACE: Duration = Duration::from_secs(1);

/// How often a watcher looks whether its command has exited.
const EXIT_POLL: Duration = Duration::from_millis(100);

/// The process groups of the commands running now; `stopping` once the
/// wizard is ending on a signal, after which nothing new starts.
#[derive(Default)]
struct Running {
    groups: Vec<i32>,
    stopping: bool,
}

fn running() -> &'static Mutex<Running> {
    static RUNNING: std::sync::OnceLock<Mutex<Running>> = std::sync::OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// Start a child with `spawn` (which returns its pid, the group id of a
/// child started with `process_group(0)`) and register its group, both
/// under one lock: `stop_all` then sees every child that was started, and
/// once it ran nothing more starts.
pub fn spawn_registered<T>(
    spawn: impl FnOnce() -> std::io::Result<(T, i32)>,
) -> std::io::Result<(T, Registered)> {
    let mut r = running().lock().unwrap_or_else(|e| e.into_inner());
    if r.stopping {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "the wizard is stopping",
        ));
    }
    let (t, pgid) = spawn()?;
    r.groups.push(pgid);
    Ok((t, Registered(pgid)))
}

/// A registered group; unregistered on drop.
pub struct Registered(i32);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut r = running().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = r.groups.iter().position(|&g| g == self.0) {
            r.groups.swap_remove(i);
        }
    }
}

/// What must happen before the wizard exits on a signal, which skips every
/// drop: the session log written out, a scratch folder removed.
type Hook = Box<dyn FnOnce(&str) + Send>;

fn hooks() -> &'static Mutex<Vec<Hook>> {
    static HOOKS: std::sync::OnceLock<Mutex<Vec<Hook>>> = std::sync::OnceLock::new();
    HOOKS.get_or_init(Default::default)
}

/// Run `hook` (given why the wizard stops) if it stops on a signal. A hook
/// must do nothing harmful when what it cleans up is already gone.
pub fn at_stop(hook: impl FnOnce(&str) + Send + 'static) {
    hooks()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Box::new(hook));
}

/// End every running command's group (in parallel), let nothing new start,
/// then run the `at_stop` hooks with `why`: for a signal that stops the
/// wizard. Returns once the groups are gone and the hooks ran.
pub fn stop_all(why: &str) {
    let groups = {
        let mut r = running().lock().unwrap_or_else(|e| e.into_inner());
        r.stopping = true;
        r.groups.clone()
    };
    std::thread::scope(|s| {
        for g in groups {
            s.spawn(move || kill_group(g));
        }
    });
    let hooks = std::mem::take(&mut *hooks().lock().unwrap_or_else(|e| e.into_inner()));
    for h in hooks {
        h(why);
    }
}

/// Shared between the front end (which cancels) and the runner.
#[derive(Clone, Default, Debug)]
pub struct CancelToken {
    inner: Arc<(Mutex<State>, Condvar)>,
}

#[derive(Default, Debug)]
struct State {
    cancelled: bool,
    /// Watchers whose command ended (several commands may run at once, so
    /// each watcher has its own id): each takes its own id out and stops.
    finished: Vec<u64>,
    next_watch: u64,
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
        let id = {
            let mut st = self.inner.0.lock().unwrap();
            st.next_watch += 1;
            st.next_watch
        };
        let killed = Arc::new(Mutex::new(None));
        let k = killed.clone();
        let handle = std::thread::spawn(move || {
            let (m, cv) = &*token.inner;
            let deadline = timeout.map(|t| Instant::now() + t);
            let mut exited_at: Option<Instant> = None;
            let mut st = m.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(i) = st.finished.iter().position(|&f| f == id) {
                    st.finished.swap_remove(i);
                    return;
                }
                if st.cancelled {
                    *k.lock().unwrap_or_else(|e| e.into_inner()) = Some(Ending::Cancelled);
                    break;
                }
                let now = Instant::now();
                if deadline.is_some_and(|d| now >= d) {
                    *k.lock().unwrap_or_else(|e| e.into_inner()) = Some(Ending::TimedOut);
                    break;
                }
                // The command exited but its output is still open: something it
                // left in its group holds the pipe. End that, not the run's result.
                if exited_at.is_none() && has_exited(pgid) {
                    exited_at = Some(now);
                }
                if exited_at.is_some_and(|t| now >= t + STRAGGLER_GRACE) {
                    break;
                }
                let mut wait = EXIT_POLL;
                if let Some(d) = deadline {
                    wait = wait.min(d - now);
                }
                st = cv
                    .wait_timeout(st, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            drop(st);
            kill_group(pgid);
        });
        Watch {
            token: self.clone(),
            id,
            killed,
            handle: Some(handle),
        }
    }
}

/// The process `pid` (our child, not reaped yet) has exited: it is a zombie.
fn has_exited(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(s) => s
            .rfind(')')
            .and_then(|i| s[i + 1..].trim_start().chars().next())
            .is_some_and(|c| c == 'Z' || c == 'X'),
        Err(_) => false,
    }
}

/// SIGTERM to the group, then SIGKILL to whatever is left after a grace
/// period. Every runner ends a group through this one function.
pub fn kill_group(pgid: i32) {
    if pgid <= 1 {
        return;
    }
    crate::sys::ffi::killpg(pgid, libc::SIGTERM);
    let until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < until {
        // Signal 0 only checks whether the group still exists.
        if !crate::sys::ffi::killpg(pgid, 0) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    crate::sys::ffi::killpg(pgid, libc::SIGKILL);
}

pub(super) struct Watch {
    token: CancelToken,
    id: u64,
    killed: Arc<Mutex<Option<Ending>>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// The command is over: stop watching; say whether we killed it.
    pub(super) fn finish(mut self) -> Option<Ending> {
        {
            let (m, cv) = &*self.token.inner;
            m.lock().unwrap().finished.push(self.id);
            cv.notify_all();
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        // A watcher that ended on its own (cancel, timeout) left its id.
        let (m, _) = &*self.token.inner;
        let mut st = m.lock().unwrap();
        if let Some(i) = st.finished.iter().position(|&f| f == self.id) {
            st.finished.swap_remove(i);
        }
        self.killed.lock().unwrap().take()
    }
}
