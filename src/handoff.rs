//! A bounded queue from one thread to another that wakes the receiver only when
//! the queue turns non-empty, and the sender only when it was waiting for room.
//!
//! A command's output comes a read (up to 64 KiB) at a time; a channel would
//! wake the log's writer and the UI thread once per read, and on a million lines
//! those wake-ups cost more CPU than the work. Here the receiver takes
//! everything waiting in one go, so a busy receiver is woken once per batch.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

pub struct Handoff<T> {
    state: Mutex<State<T>>,
    /// The receiver waits here for items, the sender for room.
    cond: Condvar,
    cap: usize,
}

struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    receiver_waiting: bool,
    sender_waiting: bool,
}

/// What `push` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The queue was empty: a receiver that is not blocked in `wait` (the UI
    /// thread waits on its own channel) must be told.
    First,
    More,
    /// The receiver is gone; the item was dropped.
    Closed,
}

impl<T> Handoff<T> {
    /// A queue that holds at most `cap` items: `push` waits beyond that.
    pub fn new(cap: usize) -> Self {
        Handoff {
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
                receiver_waiting: false,
                sender_waiting: false,
            }),
            cond: Condvar::new(),
            cap: cap.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `item`, first waiting while the queue is full.
    pub fn push(&self, item: T) -> Pushed {
        let mut s = self.lock();
        while s.items.len() >= self.cap && !s.closed {
            s.sender_waiting = true;
            s = self.cond.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.closed {
            return Pushed::Closed;
        }
        let first = s.items.is_empty();
        s.items.push_back(item);
        if s.receiver_waiting {
            s.receiver_waiting = false;
            self.cond.notify_all();
        }
        if first {
            Pushed::First
        } else {
            Pushed::More
        }
    }

    /// Everything waiting, without waiting (maybe nothing).
    pub fn take(&self) -> VecDeque<T> {
        let mut s = self.lock();
        let items = std::mem::take(&mut s.items);
        if s.sender_waiting {
            s.sender_waiting = false;
            self.cond.notify_all();
        }
        items
    }

    /// Everything waiting, once there is something; None once closed and empty.
    pub fn wait(&self) -> Option<VecDeque<T>> {
        let mut s = self.lock();
        while s.items.is_empty() {
            if s.closed {
                return None;
            }
            s.receiver_waiting = true;
            s = self.cond.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        let items = std::mem::take(&mut s.items);
        if s.sender_waiting {
            s.sender_waiting = false;
            self.cond.notify_all();
        }
        Some(items)
    }

    /// No more items: a waiting sender returns `Closed`, and `wait` returns
    /// what is left, then None.
    pub fn close(&self) {
        let mut s = self.lock();
        s.closed = true;
        self.cond.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn items_arrive_in_order_in_batches_and_the_sender_waits_for_room() {
        let q = Arc::new(Handoff::new(4));
        let sender = {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..10_000u32 {
                    assert_ne!(q.push(i), Pushed::Closed);
                }
                q.close();
            })
        };
        let mut got = Vec::new();
        let mut batches = 0;
        while let Some(batch) = q.wait() {
            assert!(batch.len() <= 4, "never more than the cap");
            batches += 1;
            got.extend(batch);
        }
        sender.join().unwrap();
        assert_eq!(got, (0..10_000).collect::<Vec<_>>());
        assert!(batches >= 10_000 / 4);
    }

    #[test]
    fn first_says_when_the_receiver_must_be_told_and_closed_drops() {
        let q = Handoff::new(8);
        assert_eq!(q.push(1), Pushed::First);
        assert_eq!(q.push(2), Pushed::More);
        assert_eq!(q.take(), [1, 2]);
        assert!(q.take().is_empty());
        assert_eq!(q.push(3), Pushed::First);
        q.close();
        assert_eq!(q.push(4), Pushed::Closed);
        assert_eq!(q.wait(), Some(VecDeque::from([3])));
        assert_eq!(q.wait(), None);
    }

    #[test]
    fn a_full_queue_releases_its_sender_when_closed() {
        let q = Arc::new(Handoff::new(1));
        assert_eq!(q.push(1), Pushed::First);
        let sender = {
            let q = q.clone();
            std::thread::spawn(move || q.push(2))
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        q.close();
        assert_eq!(sender.join().unwrap(), Pushed::Closed);
    }
}
