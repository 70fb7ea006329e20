//! Splitting a byte stream into lines with bounded memory: a line longer than
//! `MAX_LINE` is passed on in pieces, and invalid UTF-8 is replaced.

use std::io::BufRead;

pub const MAX_LINE: usize = 16 * 1024;

/// Calls `f` for each line, and `idle` whenever everything read so far was passed on
/// (the next read may wait): the moment for a front end to flush what it buffered.
pub fn for_each_line(
    r: &mut impl BufRead,
    f: &mut dyn FnMut(&str),
    idle: &mut dyn FnMut(),
) -> std::io::Result<()> {
    let mut line: Vec<u8> = Vec::with_capacity(256);
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !line.is_empty() {
                emit(&mut line, f);
            }
            return Ok(());
        }
        let mut used = 0;
        for (i, &b) in buf.iter().enumerate() {
            // Progress bars rewrite a line with \r: each rewrite is a line of its own.
            if b == b'\n' || b == b'\r' {
                line.extend_from_slice(&buf[used..i]);
                if !(b == b'\n' && line.is_empty() && i > 0 && buf[i - 1] == b'\r') {
                    emit(&mut line, f);
                }
                used = i + 1;
            } else if line.len() + (i - used) >= MAX_LINE {
                line.extend_from_slice(&buf[used..i]);
                emit(&mut line, f);
                used = i;
            }
        }
        line.extend_from_slice(&buf[used..]);
        let n = buf.len();
        r.consume(n);
        idle();
    }
}

fn emit(line: &mut Vec<u8>, f: &mut dyn FnMut(&str)) {
    let s = String::from_utf8_lossy(line);
    f(s.trim_end_matches('\r'));
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8]) -> Vec<String> {
        let mut v = Vec::new();
        for_each_line(
            &mut std::io::BufReader::with_capacity(7, input),
            &mut |l| v.push(l.to_string()),
            &mut || {},
        )
        .unwrap();
        v
    }

    #[test]
    fn splits_on_newlines_and_carriage_returns() {
        assert_eq!(lines_of(b"a\nb\r\nc"), ["a", "b", "c"]);
        assert_eq!(
            lines_of(b"10%\r50%\r100%\ndone\n"),
            ["10%", "50%", "100%", "done"]
        );
        assert_eq!(lines_of(b"\n\nx\n"), ["", "", "x"]);
    }

    #[test]
    fn idle_comes_after_each_drained_read() {
        let mut seen = Vec::new();
        let input: &[u8] = b"a\nb\nc\n";
        let seen_cell = std::cell::RefCell::new(&mut seen);
        for_each_line(
            &mut std::io::BufReader::with_capacity(4, input),
            &mut |l| seen_cell.borrow_mut().push(l.to_string()),
            &mut || seen_cell.borrow_mut().push("|".into()),
        )
        .unwrap();
        // Reads of 4 bytes: "a\nb\n" then "c\n": an idle after each.
        assert_eq!(seen, ["a", "b", "|", "c", "|"]);
    }

    #[test]
    fn bounds_long_lines_and_survives_bad_utf8() {
        let long = vec![b'x'; MAX_LINE * 2 + 5];
        let got = lines_of(&long);
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|l| l.len() <= MAX_LINE));
        assert_eq!(got.iter().map(String::len).sum::<usize>(), MAX_LINE * 2 + 5);
        assert_eq!(lines_of(b"a\xffb\n"), ["a\u{fffd}b"]);
    }
}
