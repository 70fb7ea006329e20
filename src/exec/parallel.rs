//! Commands started at once (`Action::Parallel`): one thread per branch, each
//! running its commands in order through `run_blocks`, so every child has its
//! own process group, its timeout and the shared cancel. Output is kept per
//! command, bounded, and handed over whole when the command ends: nothing is
//! interleaved line by line.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::time::Duration;

use super::{run_blocks, CancelToken, RunResult};
use crate::plan::Cmd;

/// The first bytes of a command's output kept whole; past them only the last
/// `TAIL_KEPT` lines are, with the count of those left out.
pub const HEAD_KEPT: usize = 256 * 1024;
pub const TAIL_KEPT: usize = 200;

/// A command's output, bounded (see `HEAD_KEPT`).
#[derive(Debug, Default, Clone)]
pub struct Kept {
    head: String,
    tail: VecDeque<String>,
    left_out: usize,
}

impl Kept {
    pub fn add(&mut self, block: &str) {
        if self.tail.is_empty() && self.head.len() + block.len() < HEAD_KEPT {
            self.head.push_str(block);
            self.head.push('\n');
            return;
        }
        for l in block.split('\n') {
            if self.tail.len() == TAIL_KEPT {
                self.tail.pop_front();
                self.left_out += 1;
            }
            self.tail.push_back(l.to_string());
        }
    }
    /// The kept text: the head, a line saying how much was left out, the tail.
    pub fn text(&self) -> String {
        let mut s = self.head.trim_end_matches('\n').to_string();
        if self.left_out > 0 {
            s.push_str(&format!(
                "\n… {} lines left out (the session log has the start and the end) …",
                self.left_out
            ));
        }
        for l in &self.tail {
            s.push('\n');
            s.push_str(l);
        }
        s
    }
}

/// How one command of a group ended.
#[derive(Debug)]
pub enum Ended {
    Ran(RunResult),
    /// It could not start.
    NotStarted(std::io::Error),
    /// An earlier command of its branch failed, or the group was cancelled.
    NotRun,
}

/// What the group's caller hears, on its own thread.
#[derive(Debug)]
pub enum GroupMsg {
    /// Command `i` (its place in start order, branches flattened) started.
    Started(usize),
    /// Command `i` ended, with its whole (bounded) output.
    Ended(usize, Ended, Kept),
    /// Nothing happened for a tick: time to redraw a clock.
    Tick,
}

/// Runs `branches` at once; returns once every command ended. `on` is called
/// on the caller's thread only.
pub fn run_group(
    branches: &[Vec<Cmd>],
    secrets: &[String],
    cancel: &CancelToken,
    tick: Duration,
    on: &mut dyn FnMut(GroupMsg),
) {
    let (tx, rx) = mpsc::channel::<GroupMsg>();
    std::thread::scope(|s| {
        let mut first = 0;
        for branch in branches {
            let tx = tx.clone();
            let start = first;
            first += branch.len();
            s.spawn(move || {
                let mut failed = false;
                for (k, cmd) in branch.iter().enumerate() {
                    let i = start + k;
                    if failed || cancel.is_cancelled() {
                        let _ = tx.send(GroupMsg::Ended(i, Ended::NotRun, Kept::default()));
                        continue;
                    }
                    let _ = tx.send(GroupMsg::Started(i));
                    let mut kept = Kept::default();
                    let res = run_blocks(cmd, secrets, cancel, &mut |b| kept.add(b), &mut || {});
                    let ended = match res {
                        Ok(r) => {
                            failed = !r.success();
                            Ended::Ran(r)
                        }
                        Err(e) => {
                            failed = true;
                            Ended::NotStarted(e)
                        }
                    };
                    let _ = tx.send(GroupMsg::Ended(i, ended, kept));
                }
            });
        }
        drop(tx);
        loop {
            match rx.recv_timeout(tick) {
                Ok(m) => on(m),
                Err(mpsc::RecvTimeoutError::Timeout) => on(GroupMsg::Tick),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn sh(script: &str) -> Cmd {
        Cmd::new("sh").args(["-c", script])
    }

    #[test]
    fn branches_run_at_once_and_in_order_within() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("order");
        let f = f.to_string_lossy();
        let branches = vec![
            vec![
                sh(&format!("sleep 0.6; echo a >> {f}; echo one")),
                sh(&format!("echo b >> {f}; echo two")),
            ],
            vec![sh("sleep 0.6; echo three; exit 3")],
            vec![sh("sleep 0.6; echo four")],
        ];
        let start = Instant::now();
        let mut ended = Vec::new();
        run_group(
            &branches,
            &[],
            &CancelToken::new(),
            Duration::from_millis(50),
            &mut |m| {
                if let GroupMsg::Ended(i, e, k) = m {
                    ended.push((i, e, k.text()));
                }
            },
        );
        // Three 0.6 s sleeps at once, not one after another.
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
        ended.sort_by_key(|e| e.0);
        assert_eq!(ended.len(), 4);
        assert_eq!(ended[0].2, "one");
        assert_eq!(ended[1].2, "two");
        assert!(
            matches!(&ended[2].1, Ended::Ran(r) if r.ending == super::super::Ending::Exited(3))
        );
        assert_eq!(ended[2].2, "three");
        assert_eq!(ended[3].2, "four");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("order")).unwrap(),
            "a\nb\n"
        );
    }

    #[test]
    fn a_failure_stops_its_branch_only() {
        let branches = vec![vec![sh("exit 1"), sh("echo never")], vec![sh("echo other")]];
        let mut ended = Vec::new();
        run_group(
            &branches,
            &[],
            &CancelToken::new(),
            Duration::from_millis(50),
            &mut |m| {
                if let GroupMsg::Ended(i, e, k) = m {
                    ended.push((i, e, k.text()));
                }
            },
        );
        ended.sort_by_key(|e| e.0);
        assert!(matches!(ended[1].1, Ended::NotRun));
        assert_eq!(ended[2].2, "other");
    }

    #[test]
    fn cancel_ends_every_group() {
        let cancel = CancelToken::new();
        let branches = vec![
            vec![sh("sleep 30")],
            vec![sh("sleep 30")],
            vec![sh("sleep 30")],
        ];
        let start = Instant::now();
        let mut started = 0;
        let mut endings = Vec::new();
        run_group(
            &branches,
            &[],
            &cancel,
            Duration::from_millis(50),
            &mut |m| match m {
                GroupMsg::Started(_) => {
                    started += 1;
                    if started == 3 {
                        cancel.cancel();
                    }
                }
                GroupMsg::Ended(_, Ended::Ran(r), _) => endings.push(r.ending),
                _ => {}
            },
        );
        assert_eq!(endings, vec![super::super::Ending::Cancelled; 3]);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn output_past_the_head_keeps_its_end_and_says_how_much_was_left_out() {
        let mut k = Kept::default();
        let line = "x".repeat(1000);
        for _ in 0..600 {
            k.add(&line);
        }
        k.add("the end");
        let t = k.text();
        assert!(t.ends_with("the end"));
        assert!(t.contains("lines left out"), "{}", &t[..100]);
        assert!(t.len() < HEAD_KEPT + TAIL_KEPT * 1001 + 200);
    }
}
