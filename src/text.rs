//! Text laid out in terminal columns: the one `wrap`, `width` and `truncate`
//! the front ends and the dry-run script use. Widths come from unicode-width:
//! a CJK character takes two columns, so counting chars would overflow a
//! line (an author name in the form, a path in a message).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// Wrap at word boundaries where possible, cutting a word wider than the line.
/// Leading spaces are kept (YAML's indentation, a caret under a column); an
/// indent as wide as the line is not.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let body = para.trim_start_matches(' ');
        let indent = para.len() - body.len();
        let mut line = String::new();
        let mut n = 0;
        if indent < w {
            line.push_str(&para[..indent]);
            n = indent;
        }
        let mut first = true;
        for word in body.split(' ') {
            let wl = width(word);
            if std::mem::take(&mut first) && n + wl <= w {
                line.push_str(word);
                n += wl;
                continue;
            }
            if n > 0 && n + 1 + wl > w && !(n == indent && line.len() == indent) {
                out.push(std::mem::take(&mut line));
                n = 0;
            }
            if n > 0 && !(n == indent && line.len() == indent) {
                line.push(' ');
                n += 1;
            }
            if n + wl > w {
                // A word wider than the line: cut it, never inside a wide character.
                for c in word.chars() {
                    let cw = char_width(c);
                    if n > 0 && n + cw > w {
                        out.push(std::mem::take(&mut line));
                        n = 0;
                    }
                    line.push(c);
                    n += cw;
                }
            } else {
                line.push_str(word);
                n += wl;
            }
        }
        out.push(line);
    }
    out
}

/// `s` cut to `w` columns, ending in `…` when it was cut.
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut t = String::new();
    let mut n = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if n + cw > w - 1 {
            break;
        }
        t.push(c);
        n += cw;
    }
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("山田太郎"), 8);
        assert_eq!(wrap("山田 太郎", 5), ["山田", "太郎"]);
        // Cut between characters, never past the line.
        assert_eq!(wrap("山田太郎", 5), ["山田", "太郎"]);
        assert!(wrap("作者 山田太郎 は", 6).iter().all(|l| width(l) <= 6));
        assert_eq!(truncate("山田太郎", 6), "山田…");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
