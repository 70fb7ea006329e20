//! Plain X.Y.Z versions of tools (Python, Poetry), as they print them; and PEP 440
//! versions of the plugin itself, for `release` ([`bump`]).

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

/// A PEP 440 version in its normalised form (`1.0.0-RC.1` -> `1.0.0rc1`, `v2` -> `2`).
pub fn normalize_pep440(text: &str) -> Result<String, String> {
    parse_pep440(text).map(|v| v.to_string())
}

fn parse_pep440(text: &str) -> Result<pep440_rs::Version, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the version is empty".to_string());
    }
    t.parse::<pep440_rs::Version>()
        .map_err(|e| format!("'{t}' is not a PEP 440 version ({e}); e.g. 1.2.3, 1.2.3rc1"))
}

/// The next release version for `release --version`: `how` is `patch`, `minor`,
/// `major`, or an explicit PEP 440 version, which must be greater than `current`
/// (it is returned normalised: `1.0.0-RC1` -> `1.0.0rc1`).
///
/// The rules are Poetry's own (`poetry version patch|minor|major`), so the wizard and
/// Poetry agree:
/// - a final or post release moves on: `0.1.0` + patch = `0.1.1`, minor = `0.2.0`,
///   major = `1.0.0`; `1.0.0.post1` + patch = `1.0.1`;
/// - a pre- or dev release of X.Y.Z is finished by the smallest bump that reaches it:
///   `1.0.0rc1` + patch, minor or major = `1.0.0`; `1.1.0rc1` + minor = `1.1.0` but
///   + major = `2.0.0`; `1.0.1.dev0` + patch = `1.0.1`;
/// - short releases gain zeros (`1.2` + patch = `1.2.1`), a fourth component is dropped
///   (`1.2.3.4` + patch = `1.2.4`), the epoch stays and a local label (`+abc`) goes.
///
/// Local versions are refused as explicit versions: PyPI does not accept them.
pub fn bump(current: &str, how: &str) -> Result<String, String> {
    let cur = parse_pep440(current).map_err(|e| format!("the current version: {e}"))?;
    let how_l = how.trim().to_ascii_lowercase();
    let idx = match how_l.as_str() {
        "major" => Some(0),
        "minor" => Some(1),
        "patch" | "micro" => Some(2),
        _ => None,
    };
    let Some(idx) = idx else {
        let next = parse_pep440(how)?;
        if next.is_local() {
            return Err(format!(
                "'{next}' has a local label (+...), which PyPI does not accept"
            ));
        }
        if next <= cur {
            return Err(format!(
                "'{next}' is not greater than the current version {cur}: a release needs a new, higher version"
            ));
        }
        return Ok(next.to_string());
    };
    let r = cur.release();
    let part = |i: usize| r.get(i).copied().unwrap_or(0);
    let base: Vec<u64> = (0..=idx).map(part).collect();
    let finishes = !cur.is_stable()
        && r.iter().skip(idx + 1).take(3 - (idx + 1)).all(|&n| n == 0)
        && r.len() <= 3;
    let mut release: Vec<u64> = if finishes {
        (0..3).map(part).collect()
    } else {
        let mut b = base;
        b[idx] += 1;
        b.resize(3, 0);
        b
    };
    release.truncate(3);
    let next = pep440_rs::Version::new(release).with_epoch(cur.epoch());
    Ok(next.to_string())
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

    #[test]
    fn bumps_like_poetry_version() {
        let cases = [
            ("0.1.0", "patch", "0.1.1"),
            ("0.1.0", "minor", "0.2.0"),
            ("0.1.0", "major", "1.0.0"),
            ("0.1.0", " Patch ", "0.1.1"),
            ("1.2", "patch", "1.2.1"),
            ("1", "minor", "1.1.0"),
            ("1.2.3.4", "patch", "1.2.4"),
            ("1.0.0.post1", "patch", "1.0.1"),
            ("1.0.0rc1", "patch", "1.0.0"),
            ("1.0.0rc1", "minor", "1.0.0"),
            ("1.0.0rc1", "major", "1.0.0"),
            ("1.1.0rc1", "minor", "1.1.0"),
            ("1.1.0rc1", "major", "2.0.0"),
            ("1.0.1.dev0", "patch", "1.0.1"),
            ("1.0.1.dev0", "minor", "1.1.0"),
            ("1.0.0a1.post2.dev3", "patch", "1.0.0"),
            ("1!1.0.0", "minor", "1!1.1.0"),
            ("1.0.0+local", "patch", "1.0.1"),
        ];
        for (cur, how, want) in cases {
            assert_eq!(bump(cur, how).as_deref(), Ok(want), "{cur} + {how}");
        }
    }

    #[test]
    fn explicit_versions_must_be_pep440_and_greater() {
        assert_eq!(bump("0.1.0", "0.2.0").as_deref(), Ok("0.2.0"));
        assert_eq!(bump("0.1.0", "1.0.0-RC.1").as_deref(), Ok("1.0.0rc1"));
        assert_eq!(bump("1.0.0rc1", "1.0.0").as_deref(), Ok("1.0.0"));
        assert_eq!(bump("1.0.0", "1.0.0.post1").as_deref(), Ok("1.0.0.post1"));
        let e = bump("0.2.0", "0.1.9").unwrap_err();
        assert!(
            e.contains("not greater than the current version 0.2.0"),
            "{e}"
        );
        let e = bump("0.2.0", "0.2.0").unwrap_err();
        assert!(e.contains("not greater"), "{e}");
        let e = bump("0.2.0", "banana").unwrap_err();
        assert!(e.contains("not a PEP 440 version"), "{e}");
        let e = bump("0.2.0", "1.0+abc").unwrap_err();
        assert!(e.contains("local label"), "{e}");
        let e = bump("not-a-version", "patch").unwrap_err();
        assert!(e.starts_with("the current version: "), "{e}");
        assert!(bump("0.1.0", "").is_err());
        assert_eq!(normalize_pep440(" v1.0 ").as_deref(), Ok("1.0"));
    }
}
