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
            // The common case, whole short lines with nothing carried over, is
            // passed on in place: no copy, a vectorised search per kind of byte.
            if out.partial.is_empty() && !out.after_cr {
                if let Some(n) = whole_lines(&buf[pos..]) {
                    out.flush(block);
                    let region = &buf[pos..pos + n];
                    match std::str::from_utf8(region) {
                        Ok(s) => block(s),
                        Err(_) => block(&String::from_utf8_lossy(region)),
                    }
                    pos += n + 1;
                    continue;
                }
            }
            // Otherwise one line at a time: the rest of a line the last read cut,
            // a \r, or a line too long to keep whole.
            match memchr::memchr2(b'\n', b'\r', &buf[pos..]) {
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

/// The length of `buf`'s complete lines (up to, not including, its last `\n`)
/// when they can be passed on as they are: no `\r` among them and none longer
/// than `MAX_LINE`. Line lengths are checked by a search back from the end of
/// each MAX_LINE window: a few searches per read, not one per line.
fn whole_lines(buf: &[u8]) -> Option<usize> {
    let last = memchr::memrchr(b'\n', buf)?;
    let region = &buf[..last];
    if memchr::memchr(b'\r', region).is_some() {
        return None;
    }
    let mut start = 0;
    while region.len() - start > MAX_LINE {
        start += memchr::memrchr(b'\n', &region[start..=start + MAX_LINE])? + 1;
    }
    Some(last)
}

/// `block`'s lines (joined with `\n`), each after `prefix` and ending in `\n`,
/// in one buffer: a front end writes a whole read's output at once.
pub fn indent(prefix: &str, block: &str) -> Vec<u8> {
    let mut out = Vec::new();
    indent_into(&mut out, prefix, block);
    out
}

/// `indent`, appended to `out`: a buffer kept by the caller, so a read's worth
/// of output costs no allocation. Every byte of the plain front end's output
/// goes through here. A `memchr` loop and slice copies: 6 ns a short line
/// where the SSE2 code it replaced (raw stores, in sys/) took 1.1 ns, but a
/// million lines in a pty stay within the 1.5x of `cat` the target allows
/// (1.34x plain, 1.42x full-screen when measured; BENCHMARKS.md, issue 16
/// item 5), the terminal's work dominating, so no unsafe code is needed.
pub fn indent_into(out: &mut Vec<u8>, prefix: &str, block: &str) {
    let (bytes, prefix) = (block.as_bytes(), prefix.as_bytes());
    let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    out.reserve(bytes.len() + lines * (prefix.len() + 1));
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', bytes) {
        out.extend_from_slice(prefix);
        out.extend_from_slice(&bytes[start..=nl]);
        start = nl + 1;
    }
    out.extend_from_slice(prefix);
    out.extend_from_slice(&bytes[start..]);
    out.push(b'\n');
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

    /// What `for_each_line` must give, written the obvious way: split on `\n`,
    /// `\r` or `\r\n`, cut lines into MAX_LINE pieces, replace bad UTF-8.
    fn reference(input: &[u8]) -> Vec<String> {
        let mut lines: Vec<&[u8]> = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < input.len() {
            if input[i] == b'\n' || input[i] == b'\r' {
                lines.push(&input[start..i]);
                if input[i] == b'\r' && input.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        if start < input.len() {
            lines.push(&input[start..]);
        }
        let mut out = Vec::new();
        for l in lines {
            if l.is_empty() {
                out.push(String::new());
            }
            for piece in l.chunks(MAX_LINE) {
                out.push(String::from_utf8_lossy(piece).into_owned());
            }
        }
        out
    }

    use proptest::prelude::*;

    /// Output made of short lines, long lines, `\r`, `\r\n` and bad UTF-8.
    fn output() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => "[a-z0-9 ]{0,12}".prop_map(String::into_bytes),
            2 => Just(b"\n".to_vec()),
            1 => Just(b"\r".to_vec()),
            1 => Just(b"\r\n".to_vec()),
            1 => Just("é€".as_bytes().to_vec()),
            1 => Just(vec![0xff, 0xc3]),
            1 => (MAX_LINE - 3..MAX_LINE + 3).prop_map(|n| vec![b'x'; n]),
        ];
        prop::collection::vec(piece, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the reads' sizes, the lines are those of the reference.
        #[test]
        fn lines_match_the_reference_for_any_read_size(
            input in output(),
            chunk in prop_oneof![1usize..16, 16usize..5000, Just(64 * 1024)],
        ) {
            prop_assert_eq!(lines_of(&input, chunk), reference(&input));
        }

        #[test]
        fn indent_matches_a_line_by_line_indent(
            block in prop::collection::vec(
                prop_oneof![8 => "[a-z]{0,20}", 1 => "[a-zé]{15,200}"], 0..60
            ).prop_map(|lines| lines.join("\n")),
            prefix in "[ |>]{0,20}",
        ) {
            let want: String = block.split('\n').map(|l| format!("{prefix}{l}\n")).collect();
            let mut out = b"kept".to_vec();
            indent_into(&mut out, &prefix, &block);
            prop_assert_eq!(out, [b"kept".as_slice(), want.as_bytes()].concat());
        }
    }
}
