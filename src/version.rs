//! Plain X.Y.Z versions of tools (Python, Poetry), as they print them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The first X.Y[.Z] in a line such as `Python 3.9.18`, `Poetry (version 1.8.3)`
    /// or `3.13.0rc1` (pre-release suffixes are ignored).
    pub fn find_in(text: &str) -> Option<Version> {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit()
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'.')
            {
                if let Some(v) = Self::parse_prefix(&text[i..]) {
                    return Some(v);
                }
            }
            i += 1;
        }
        None
    }

    fn parse_prefix(s: &str) -> Option<Version> {
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let mut parts = s[..end].trim_end_matches('.').split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        Some(Version {
            major,
            minor,
            patch,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_versions_in_tool_output() {
        assert_eq!(
            Version::find_in("Python 3.9.18"),
            Some(Version::new(3, 9, 18))
        );
        assert_eq!(
            Version::find_in("Poetry (version 1.8.3)"),
            Some(Version::new(1, 8, 3))
        );
        assert_eq!(
            Version::find_in("Poetry (version 2.2.1)\n"),
            Some(Version::new(2, 2, 1))
        );
        assert_eq!(
            Version::find_in("Python 3.13.0rc1"),
            Some(Version::new(3, 13, 0))
        );
        assert_eq!(Version::find_in("Python 2.7"), Some(Version::new(2, 7, 0)));
        assert_eq!(
            Version::find_in("python3.11"),
            None,
            "a name is not a version"
        );
        assert_eq!(Version::find_in("no version"), None);
        assert!(Version::new(3, 10, 0) > Version::new(3, 9, 18));
    }
}
