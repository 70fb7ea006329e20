//! Splitting a byte stream into lines with bounded memory: a line longer than
//! `MAX_LINE` is passed on in pieces, `\r` (a progress bar's rewrite) ends a line
//! as `\n` does, `\r\n` ends one line, and invalid UTF-8 is replaced.
//!
//! Lines are handed on in blocks: all the complete lines of one read, joined
//! with `\n`, so a million lines cost a few hundred calls, not a million.

use std::io::BufRead;

pub const MAX_LINE: usize = 16 * 1024;

/// Calls `block` with the lines of each read (one or more, joined with `\n`),
/// and `idle` whenever everything read so far was passed on (the next read may
/// wait): the moment for a front end to flush what it buffered.
pub fn for_each_block(
    r: &mut impl BufRead,
    block: &mut dyn FnMut(&str),
    idle: &mut dyn FnMut(),
) -> std::io::Result<()> {
    let mut out = Blocks::default();
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !out.partial.is_empty() {
                out.end_line();
            }
            out.flush(block);
            return Ok(());
        }
        let mut pos = 0;
        while pos < buf.len() {
            match buf[pos..].iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(off) => {
                    let end = pos + off;
                    let sep = buf[end];
                    let seg = &buf[pos..end];
                    // The \n of a \r\n ends nothing: the \r ended the line.
                    if !(sep == b'\n' && seg.is_empty() && out.after_cr) {
                        out.whole_line(seg);
                    }
                    out.after_cr = sep == b'\r';
                    pos = end + 1;
                }
                None => {
                    out.add(&buf[pos..]);
                    out.after_cr = false;
                    pos = buf.len();
                }
            }
        }
        let n = buf.len();
        r.consume(n);
        out.flush(block);
        idle();
    }
}

/// Calls `f` for each line (see `for_each_block`).
#[cfg(test)]
pub fn for_each_line(
    r: &mut impl BufRead,
    f: &mut dyn FnMut(&str),
    idle: &mut dyn FnMut(),
) -> std::io::Result<()> {
    for_each_block(r, &mut |b| b.split('\n').for_each(&mut *f), idle)
}

/// `block`'s lines (joined with `\n`), each after `prefix` and ending in `\n`,
/// in one buffer: a front end writes a whole read's output at once.
pub fn indent(prefix: &str, block: &str) -> Vec<u8> {
    let bytes = block.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2 + prefix.len() + 1);
    let mut start = 0;
    // A plain scan: lines of output are short, where a vectorised search's setup
    // per call costs more than it saves.
    while let Some(off) = bytes[start..].iter().position(|&b| b == b'\n') {
        let nl = start + off;
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(&bytes[start..=nl]);
        start = nl + 1;
    }
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(&bytes[start..]);
    out.push(b'\n');
    out
}

#[derive(Default)]
struct Blocks {
    /// The line being read (never longer than MAX_LINE).
    partial: Vec<u8>,
    /// Complete lines of this read, joined with \n.
    lines: Vec<u8>,
    count: usize,
    after_cr: bool,
}

impl Blocks {
    /// Add bytes to the current line, cutting it at MAX_LINE.
    fn add(&mut self, mut seg: &[u8]) {
        while self.partial.len() + seg.len() > MAX_LINE {
            let take = MAX_LINE - self.partial.len();
            self.partial.extend_from_slice(&seg[..take]);
            self.end_line();
            seg = &seg[take..];
        }
        self.partial.extend_from_slice(seg);
    }

    fn end_line(&mut self) {
        if self.count > 0 {
            self.lines.push(b'\n');
        }
        self.lines.extend_from_slice(&self.partial);
        self.partial.clear();
        self.count += 1;
    }

    /// A whole line from the buffer, when nothing of it was read before: one copy.
    fn whole_line(&mut self, seg: &[u8]) {
        if self.partial.is_empty() && seg.len() <= MAX_LINE {
            if self.count > 0 {
                self.lines.push(b'\n');
            }
            self.lines.extend_from_slice(seg);
            self.count += 1;
        } else {
            self.add(seg);
            self.end_line();
        }
    }

    fn flush(&mut self, block: &mut dyn FnMut(&str)) {
        if self.count == 0 {
            return;
        }
        block(&String::from_utf8_lossy(&self.lines));
        self.lines.clear();
        self.count = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8], chunk: usize) -> Vec<String> {
        let mut v = Vec::new();
        for_each_line(
            &mut std::io::BufReader::with_capacity(chunk, input),
            &mut |l| v.push(l.to_string()),
            &mut || {},
        )
        .unwrap();
        v
    }

    #[test]
    fn splits_on_newlines_and_carriage_returns() {
        for chunk in [1, 2, 7, 4096] {
            assert_eq!(
                lines_of(b"a\nb\r\nc", chunk),
                ["a", "b", "c"],
                "chunk {chunk}"
            );
            assert_eq!(
                lines_of(b"10%\r50%\r100%\ndone\n", chunk),
                ["10%", "50%", "100%", "done"],
                "chunk {chunk}"
            );
            assert_eq!(lines_of(b"\n\nx\n", chunk), ["", "", "x"], "chunk {chunk}");
            assert_eq!(lines_of(b"\r\n\r\n", chunk), ["", ""], "chunk {chunk}");
        }
        assert!(lines_of(b"", 7).is_empty());
    }

    #[test]
    fn indent_puts_the_prefix_before_every_line() {
        assert_eq!(indent("  | ", "a\n\nb"), b"  | a\n  | \n  | b\n");
        assert_eq!(indent("> ", ""), b"> \n");
    }

    #[test]
    fn lines_come_in_one_block_per_read_then_idle() {
        let mut seen = Vec::new();
        let seen_cell = std::cell::RefCell::new(&mut seen);
        for_each_block(
            &mut std::io::BufReader::with_capacity(4, &b"a\nb\nc\n"[..]),
            &mut |b| seen_cell.borrow_mut().push(b.to_string()),
            &mut || seen_cell.borrow_mut().push("|".into()),
        )
        .unwrap();
        // Reads of 4 bytes: "a\nb\n" then "c\n".
        assert_eq!(seen, ["a\nb", "|", "c", "|"]);
    }

    #[test]
    fn bounds_long_lines_and_survives_bad_utf8() {
        let long = vec![b'x'; MAX_LINE * 2 + 5];
        for chunk in [7, 64 * 1024] {
            let got = lines_of(&long, chunk);
            assert_eq!(got.len(), 3);
            assert!(got.iter().all(|l| l.len() <= MAX_LINE));
            assert_eq!(got.iter().map(String::len).sum::<usize>(), MAX_LINE * 2 + 5);
        }
        assert_eq!(lines_of(b"a\xffb\n", 7), ["a\u{fffd}b"]);
    }
}
