//! Redaction of secrets in every form a tool may print them (issue 13): the
//! secret itself, URL-encoded, inside base64 (an `Authorization: Basic` header
//! holds `__token__:TOKEN` so encoded), and any run of `FRAGMENT` or more of
//! their characters. A secret split across lines (a tool wrapping it, or the
//! 16 KiB cut of `lines`) is found too: matching runs over the text with its
//! newlines left out, and a stream keeps the end of the last block.
//!
//! Besides the secrets a journey holds, the process knows the credentials of
//! its environment and those Poetry keeps in auth.toml (`learn_from_environment`):
//! read to be redacted, never shown.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::AhoCorasick;

/// The shortest run of a secret's characters that is redacted on its own.
pub const FRAGMENT: usize = 16;
/// Secrets shorter than this are not redacted (they would match ordinary words).
const SHORTEST: usize = 4;
const MASK: &str = "********";

/// Secrets this process knows besides a journey's own.
fn known_set() -> &'static Mutex<BTreeSet<String>> {
    static KNOWN: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

/// Every later redaction covers `secret` too.
pub fn remember(secret: &str) {
    if secret.trim().len() >= SHORTEST {
        known_set()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(secret.trim().to_string());
    }
}

/// The secrets remembered so far.
pub fn known() -> Vec<String> {
    known_set()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// Remember the credentials of this process's environment (the values of
/// `POETRY_PYPI_TOKEN_*`, `POETRY_HTTP_BASIC_*_PASSWORD`, `TWINE_PASSWORD`) and
/// the tokens and passwords in Poetry's auth.toml. Call before the release
/// takes its tokens out of the environment. Usernames are not secrets.
pub fn learn_from_environment() {
    for (k, v) in std::env::vars_os() {
        if super::env::is_credential(&k) && !k.to_string_lossy().ends_with("_USERNAME") {
            remember(&v.to_string_lossy());
        }
    }
    for s in auth_toml_secrets() {
        remember(&s);
    }
}

/// Poetry's config folder: `POETRY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/pypoetry`,
/// else `~/.config/pypoetry`.
pub fn poetry_config_dir() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    if let Some(d) = std::env::var_os("POETRY_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(d.into());
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("pypoetry"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/pypoetry"))
}

/// The values of `[pypi-token]` and the passwords of `[http-basic.*]` in auth.toml.
fn auth_toml_secrets() -> Vec<String> {
    let Some(dir) = poetry_config_dir() else {
        return Vec::new();
    };
    let Ok(bytes) = std::fs::read(dir.join("auth.toml")) else {
        return Vec::new();
    };
    let Ok(doc) = String::from_utf8_lossy(&bytes).parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(t) = doc.get("pypi-token").and_then(|t| t.as_table_like()) {
        out.extend(t.iter().filter_map(|(_, v)| v.as_str().map(str::to_string)));
    }
    if let Some(t) = doc.get("http-basic").and_then(|t| t.as_table_like()) {
        for (_, repo) in t.iter() {
            if let Some(p) = repo.get("password").and_then(|p| p.as_str()) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// A matcher for every form of a set of secrets.
pub struct Redactor {
    ac: Option<AhoCorasick>,
    /// The longest pattern: how much of a block a stream keeps for the next.
    longest: usize,
}

impl Redactor {
    /// For `secrets` and the ones this process knows. Building one costs
    /// milliseconds (thousands of patterns) and every command needs one, so
    /// the last one built is kept and given again for the same secrets.
    pub fn new<S: AsRef<str>>(secrets: &[S]) -> Arc<Redactor> {
        type Last = Mutex<Option<(BTreeSet<String>, Arc<Redactor>)>>;
        static LAST: OnceLock<Last> = OnceLock::new();
        let mut all: BTreeSet<String> = secrets.iter().map(|s| s.as_ref().to_string()).collect();
        all.extend(known());
        let mut last = LAST
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some((set, r)) if *set == all => r.clone(),
            _ => {
                let r = Arc::new(Self::only(&all.iter().collect::<Vec<_>>()));
                *last = Some((all, r.clone()));
                r
            }
        }
    }

    /// For `secrets` alone.
    pub fn only<S: AsRef<str>>(secrets: &[S]) -> Redactor {
        let mut patterns = BTreeSet::new();
        for s in secrets {
            let s = s.as_ref().trim();
            if s.len() < SHORTEST {
                continue;
            }
            for form in forms(s) {
                if form.len() >= FRAGMENT {
                    for w in form.as_bytes().windows(FRAGMENT) {
                        patterns.insert(w.to_vec());
                    }
                } else if form.len() >= SHORTEST {
                    patterns.insert(form.into_bytes());
                }
            }
        }
        let longest = patterns.iter().map(Vec::len).max().unwrap_or(0);
        let ac = (!patterns.is_empty()).then(|| {
            // Case matters: a short password must not mask every word that
            // differs from it only in case (%2b and %2B are both forms).
            AhoCorasick::builder()
                .build(&patterns)
                .expect("patterns of bytes always build")
        });
        Redactor { ac, longest }
    }

    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// `text` with every form of every secret masked, also where one is split
    /// across its lines; borrowed when there is none.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_after(&[], text).0
    }

    /// A redactor for a stream of blocks: a secret cut between two blocks is
    /// masked in the second one too.
    pub fn stream(&self) -> Stream<'_> {
        Stream {
            r: self,
            carry: Vec::new(),
        }
    }

    /// Redact `text`, which follows `carry` (the end of what came before, its
    /// newlines left out); and the new carry.
    fn redact_after<'a>(&self, carry: &[u8], text: &'a str) -> (Cow<'a, str>, Vec<u8>) {
        let Some(ac) = &self.ac else {
            return (Cow::Borrowed(text), Vec::new());
        };
        let bytes = text.as_bytes();
        // The text without its newlines, after the carry; and for each newline
        // how many other bytes come before it, to map positions back.
        let mut joined = Vec::with_capacity(carry.len() + bytes.len());
        joined.extend_from_slice(carry);
        let mut before_nl = Vec::new();
        let mut from = 0;
        for (i, nl) in memchr::memchr_iter(b'\n', bytes).enumerate() {
            joined.extend_from_slice(&bytes[from..nl]);
            before_nl.push(nl - i);
            from = nl + 1;
        }
        joined.extend_from_slice(&bytes[from..]);
        let keep = self.longest.saturating_sub(1);
        let next_carry = joined[joined.len().saturating_sub(keep)..].to_vec();

        // Matched ranges in the text's own (newline-free) positions, merged.
        let c = carry.len();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for m in ac.find_overlapping_iter(&joined) {
            if m.end() <= c {
                continue;
            }
            let (s, e) = (m.start().max(c) - c, m.end() - c);
            match ranges.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => ranges.push((s, e)),
            }
        }
        if ranges.is_empty() {
            return (Cow::Borrowed(text), next_carry);
        }
        // Position j of the newline-free text in `text`.
        let at = |j: usize| j + before_nl.partition_point(|&b| b <= j);
        let mut out = Vec::with_capacity(bytes.len());
        let mut pos = 0;
        for (s, e) in ranges {
            let (bs, be) = (at(s), at(e - 1) + 1);
            out.extend_from_slice(&bytes[pos..bs]);
            // Each line's part gets a mask of its own: the lines stay lines.
            for (k, piece) in bytes[bs..be].split(|&b| b == b'\n').enumerate() {
                if k > 0 {
                    out.push(b'\n');
                }
                if !piece.is_empty() {
                    out.extend_from_slice(MASK.as_bytes());
                }
            }
            pos = be;
        }
        out.extend_from_slice(&bytes[pos..]);
        let text = match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        (Cow::Owned(text), next_carry)
    }
}

/// Redaction over consecutive blocks of one output.
pub struct Stream<'r> {
    r: &'r Redactor,
    carry: Vec<u8>,
}

impl Stream<'_> {
    pub fn block<'a>(&mut self, text: &'a str) -> Cow<'a, str> {
        let (out, carry) = self.r.redact_after(&self.carry, text);
        self.carry = carry;
        out
    }
}

/// The forms a secret takes in a tool's output.
fn forms(s: &str) -> Vec<String> {
    let mut out = vec![s.to_string()];
    let enc = url_encode(s);
    if enc != s {
        out.push(url_encode_lower(s));
        out.push(enc);
    }
    // In base64 the secret's bytes show as the same characters only when they
    // start on a 3-byte boundary: the three cuts cover every place it can sit,
    // `__token__:TOKEN` among them.
    for alphabet in [STANDARD, URL_SAFE] {
        for skip in 0..3 {
            let rest = &s.as_bytes()[skip.min(s.len())..];
            let whole = rest.len() / 3 * 3;
            if whole > 0 {
                out.push(base64(&rest[..whole], alphabet));
            }
        }
        out.push(base64(format!("__token__:{s}").as_bytes(), alphabet));
    }
    out
}

/// Percent-encoding of everything but RFC 3986's unreserved characters.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url_encode` with lower-case hex digits (`%2f`), as some tools write it.
fn url_encode_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 with padding (a pattern only needs it to be what a tool prints).
pub fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(alphabet[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHNlY3VyaXR5+LXRlc3Qt/dG9rZW4tdmFsdWU=";

    fn leaks(text: &str) -> Option<&str> {
        let t = TOKEN.as_bytes();
        (0..=t.len() - FRAGMENT)
            .map(|i| &TOKEN[i..i + FRAGMENT])
            .find(|w| text.contains(w))
    }

    #[test]
    fn base64_is_the_standard_one() {
        assert_eq!(base64(b"__token__:abc", STANDARD), "X190b2tlbl9fOmFiYw==");
        assert_eq!(base64(b"ab", STANDARD), "YWI=");
        assert_eq!(base64(b"\xfb\xff", URL_SAFE), "-_8=");
    }

    #[test]
    fn every_form_is_masked() {
        let r = Redactor::only(&[TOKEN]);
        let pair = base64(format!("__token__:{TOKEN}").as_bytes(), STANDARD);
        for text in [
            format!("token {TOKEN} used"),
            format!("url https://u:{}@x/", url_encode(TOKEN)),
            format!("url https://u:{}@x/", url_encode_lower(TOKEN)),
            format!("Authorization: Basic {pair}"),
            format!("a piece: {}", &TOKEN[10..30]),
            format!(
                "wrapped {}\n{}\n{} end",
                &TOKEN[..20],
                &TOKEN[20..30],
                &TOKEN[30..]
            ),
        ] {
            let out = r.redact(&text);
            assert!(out.contains(MASK), "{out}");
            assert_eq!(leaks(&out), None, "{out}");
            assert!(!out.contains(&pair[4..20]), "{out}");
            assert_eq!(out.lines().count(), text.lines().count(), "{out}");
        }
        assert!(matches!(r.redact("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_secret_cut_between_blocks_is_masked_in_both() {
        let r = Redactor::only(&[TOKEN]);
        let mut s = r.stream();
        let a = s.block(&format!("first {}", &TOKEN[..30])).into_owned();
        let b = s.block(&TOKEN[30..]).into_owned();
        assert_eq!(leaks(&a), None, "{a}");
        assert_eq!(b, MASK, "{b}");
        // A piece shorter than FRAGMENT stays only when the rest is not there.
        let mut s = r.stream();
        assert_eq!(s.block("x"), "x");
        assert_eq!(s.block(&TOKEN[..10]), &TOKEN[..10]);
    }

    #[test]
    fn short_secrets_are_masked_whole_and_tiny_ones_not_at_all() {
        let r = Redactor::only(&["hunter2", "ab", "test"]);
        assert_eq!(r.redact("pw hunter2 ab"), "pw ******** ab");
        // Only as written: "Tests" is not the password "test".
        assert_eq!(r.redact("Tests passed"), "Tests passed");
    }
}
