//! The output pane's lines: the newest `cap`, kept as the blocks they arrive in
//! (one allocation per read of a command, not one per line), each with its
//! line count. Where each line starts is found only when a block is first
//! drawn or searched, so a million lines of output that scroll past cost the
//! UI thread a vectorised count of newlines and little else. Lines are cleaned
//! of control characters only when drawn or searched, too (`clean`).

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::VecDeque;
use std::sync::Arc;

use super::app::Kind;

pub struct Lines {
    chunks: VecDeque<Chunk>,
    len: usize,
    cap: usize,
    /// Bytes of text held, and the most to hold: 10k lines of 16 KiB (the
    /// longest line the runner passes on) would otherwise be 160 MiB.
    bytes: usize,
    byte_cap: usize,
}

/// The most output text the pane holds, whatever the lines' length.
pub(crate) const BYTE_CAP: usize = 8 << 20;

struct Chunk {
    kind: Kind,
    text: Arc<str>,
    /// Lines in `text`, dropped ones included.
    total: usize,
    /// Where each line starts in `text`: found when first needed.
    starts: OnceCell<Vec<usize>>,
    /// Lines before this one were dropped (the cap); the text goes with the chunk.
    first: usize,
    /// The last search term, and which lines (dropped ones counted) match it.
    found: RefCell<Option<(String, Vec<usize>)>>,
}

impl Chunk {
    fn new(kind: Kind, text: Arc<str>) -> Self {
        let total = memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1;
        Chunk {
            kind,
            text,
            total,
            starts: OnceCell::new(),
            first: 0,
            found: RefCell::new(None),
        }
    }

    fn count(&self) -> usize {
        self.total - self.first
    }

    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let mut v = Vec::with_capacity(self.total);
            v.push(0);
            v.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            v
        })
    }

    /// Line `j` of the whole chunk, dropped ones counted.
    fn line(&self, j: usize) -> &str {
        let starts = self.starts();
        let start = starts[j];
        let end = starts.get(j + 1).map_or(self.text.len(), |&n| n - 1);
        &self.text[start..end]
    }

    /// Kept lines for which `matches` holds; each line is tested once per term.
    fn matching(&self, term: &str, matches: &dyn Fn(&str) -> bool) -> usize {
        let mut found = self.found.borrow_mut();
        let hits = match &*found {
            Some((t, hits)) if t == term => hits,
            _ => {
                let hits = (0..self.total).filter(|&j| matches(self.line(j))).collect();
                &found.insert((term.to_string(), hits)).1
            }
        };
        hits.len() - hits.partition_point(|&j| j < self.first)
    }

    fn lines(&self) -> impl DoubleEndedIterator<Item = &str> + '_ {
        (self.first..self.total).map(|j| self.line(j))
    }
}

/// What a push did, for the scroll position and the search's current match.
pub struct Pushed {
    pub added: usize,
    pub dropped: usize,
}

impl Lines {
    pub fn new(cap: usize) -> Self {
        Lines::with_byte_cap(cap, BYTE_CAP)
    }

    pub fn with_byte_cap(cap: usize, byte_cap: usize) -> Self {
        Lines {
            chunks: VecDeque::new(),
            len: 0,
            cap,
            bytes: 0,
            byte_cap,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Add `text`'s lines (split at `\n`; an empty text is one empty line),
    /// dropping the oldest beyond the caps (whole blocks for the byte cap).
    pub fn push(&mut self, kind: Kind, text: Arc<str>) -> Pushed {
        let chunk = Chunk::new(kind, text);
        let added = chunk.total;
        self.len += added;
        self.bytes += chunk.text.len();
        self.chunks.push_back(chunk);
        let mut dropped = 0;
        while self.bytes > self.byte_cap && self.chunks.len() > 1 {
            if let Some(c) = self.chunks.pop_front() {
                self.len -= c.count();
                self.bytes -= c.text.len();
                dropped += c.count();
            }
        }
        let mut excess = self.len.saturating_sub(self.cap);
        dropped += excess;
        while excess > 0 {
            let Some(front) = self.chunks.front_mut() else {
                break;
            };
            let n = front.count();
            if n <= excess {
                self.bytes -= front.text.len();
                self.chunks.pop_front();
                self.len -= n;
                excess -= n;
            } else {
                front.first += excess;
                self.len -= excess;
                excess = 0;
            }
        }
        Pushed { added, dropped }
    }

    /// Every line, oldest first, with its kind (not cleaned).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Kind, &str)> + '_ {
        self.chunks
            .iter()
            .flat_map(|c| c.lines().map(move |l| (c.kind, l)))
    }

    /// How many kept lines `matches`, which must depend on `term` alone. Each
    /// block is searched once per term, so a search left open while output
    /// streams in costs the new blocks only, not every line at every frame.
    pub fn count_matching(&self, term: &str, matches: impl Fn(&str) -> bool) -> usize {
        self.chunks.iter().map(|c| c.matching(term, &matches)).sum()
    }

    /// Line `i` (0 is the oldest kept), not cleaned.
    pub fn get(&self, mut i: usize) -> Option<(Kind, &str)> {
        for c in &self.chunks {
            if i < c.count() {
                return Some((c.kind, c.line(c.first + i)));
            }
            i -= c.count();
        }
        None
    }
}

/// A line as the pane shows it: the last `\r` rewrite, escape sequences and
/// other control characters removed, tabs as four spaces. Most lines have none
/// of these and are returned as they are.
pub(crate) fn clean(line: &str) -> Cow<'_, str> {
    // 0xC2 starts the C1 controls (U+0080..U+009F), and some other characters:
    // those lines take the careful way.
    if !line.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return Cow::Borrowed(line);
    }
    let line = line.rsplit('\r').find(|s| !s.is_empty()).unwrap_or("");
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ ... final byte in @..~ ; other escapes: skip one char.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            } else {
                chars.next();
            }
        } else if c == '\t' {
            out.push_str("    ");
        } else if !c.is_control() {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(l: &Lines) -> Vec<String> {
        l.iter().map(|(_, t)| t.to_string()).collect()
    }

    #[test]
    fn blocks_become_lines_and_the_oldest_go_beyond_the_cap() {
        let mut l = Lines::new(5);
        let p = l.push(Kind::Output, "a\nb\n\nc".into());
        assert_eq!((p.added, p.dropped), (4, 0));
        assert_eq!(texts(&l), ["a", "b", "", "c"]);
        let p = l.push(Kind::Note, "d\ne\nf".into());
        assert_eq!((p.added, p.dropped), (3, 2));
        assert_eq!(texts(&l), ["", "c", "d", "e", "f"]);
        assert_eq!(l.len(), 5);
        assert_eq!(l.get(0), Some((Kind::Output, "")));
        assert_eq!(l.get(2), Some((Kind::Note, "d")));
        assert_eq!(l.get(5), None);
        // A block bigger than the cap keeps its newest lines.
        let p = l.push(Kind::Output, "1\n2\n3\n4\n5\n6\n7".into());
        assert_eq!((p.added, p.dropped), (7, 7));
        assert_eq!(texts(&l), ["3", "4", "5", "6", "7"]);
        let newest: Vec<&str> = l.iter().rev().take(2).map(|(_, t)| t).collect();
        assert_eq!(newest, ["7", "6"]);
    }

    #[test]
    fn matches_are_counted_over_kept_lines_and_each_block_searched_once_per_term() {
        let mut l = Lines::new(6);
        l.push(Kind::Output, "error 1\nok\nerror 2".into());
        l.push(Kind::Output, "ok\nerror 3".into());
        let tested = std::cell::Cell::new(0);
        let has = |term: &'static str| {
            let tested = &tested;
            move |line: &str| {
                tested.set(tested.get() + 1);
                line.contains(term)
            }
        };
        assert_eq!(l.count_matching("error", has("error")), 3);
        assert_eq!(tested.get(), 5);
        // The same term again: no line is tested again.
        assert_eq!(l.count_matching("error", has("error")), 3);
        assert_eq!(tested.get(), 5);
        // New lines push the oldest out: "error 1" is no longer counted, and
        // only the new block is searched.
        l.push(Kind::Output, "error 4\nok".into());
        assert_eq!(
            texts(&l),
            ["ok", "error 2", "ok", "error 3", "error 4", "ok"]
        );
        assert_eq!(l.count_matching("error", has("error")), 3);
        assert_eq!(tested.get(), 7);
        // Another term searches everything once more.
        assert_eq!(l.count_matching("ok", has("ok")), 3);
        assert_eq!(l.count_matching("", has("nothing")), 0);
    }

    #[test]
    fn long_lines_are_capped_by_bytes_too() {
        let mut l = Lines::with_byte_cap(100, 1000);
        for i in 0..10 {
            l.push(Kind::Output, format!("{i}{}", "x".repeat(299)).into());
        }
        // 300 bytes a block: three fit, the fourth would pass 1000.
        assert_eq!(l.len(), 3);
        assert_eq!(l.get(0).unwrap().1.chars().next(), Some('7'));
        // One block larger than the cap is kept: the newest output always shows.
        let p = l.push(Kind::Output, "y".repeat(5000).into());
        assert_eq!((p.added, p.dropped), (1, 3));
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn clean_removes_control_characters_and_keeps_plain_lines_as_they_are() {
        assert!(matches!(clean("plain é line"), Cow::Borrowed(_)));
        assert_eq!(clean("\x1b[1mbold\x1b[0m"), "bold");
        assert_eq!(clean("a\tb"), "a    b");
        assert_eq!(clean("10%\r100%"), "100%");
        assert_eq!(clean("bell\x07"), "bell");
        assert_eq!(clean("c1\u{85}x"), "c1x");
    }
}
