//! Version constraints as Poetry (`^3.9`, `~3.11`, `>=3.9 <4.0 || 2.7.*`) and PEP 440
//! (`>=3.9,<4.0`, `~=1.2`) write them, reduced to ranges the doctor can reason about:
//! "does this admit Python 4.0?", "does this admit an SDK release at or below 0.14.3?".
//!
//! Each alternative (Poetry's `||`) becomes a list of PEP 440 specifiers (pep440_rs), so
//! membership follows the standard; bounds come from those specifiers (`!=` is ignored
//! for bounds: it removes a point, not an end).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifier};

/// A parsed constraint: any of its alternatives, each a conjunction of PEP 440 specifiers.
/// An alternative with no specifiers admits every version (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    alternatives: Vec<Vec<VersionSpecifier>>,
}

/// One end of a range: the version and whether it is itself included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub version: Version,
    pub inclusive: bool,
}

#[derive(Debug, Clone, Default)]
struct Interval {
    lo: Option<Bound>,
    hi: Option<Bound>,
}

impl Interval {
    fn of(specs: &[VersionSpecifier]) -> Interval {
        let mut iv = Interval::default();
        for s in specs {
            let v = s.version().clone();
            match s.operator() {
                Operator::GreaterThanEqual => iv.raise(v, true),
                Operator::GreaterThan => iv.raise(v, false),
                Operator::LessThan => iv.lower(v, false),
                Operator::LessThanEqual => iv.lower(v, true),
                Operator::Equal | Operator::ExactEqual => {
                    iv.raise(v.clone(), true);
                    iv.lower(v, true);
                }
                Operator::EqualStar => {
                    let next = bump_release(v.release(), v.release().len().saturating_sub(1));
                    iv.raise(v.only_release_with_epoch(), true);
                    iv.lower(next, false);
                }
                Operator::TildeEqual => {
                    let next = bump_release(v.release(), v.release().len().saturating_sub(2));
                    iv.raise(v, true);
                    iv.lower(next, false);
                }
                Operator::NotEqual | Operator::NotEqualStar => {}
            }
        }
        iv
    }

    fn raise(&mut self, version: Version, inclusive: bool) {
        let tighter = match &self.lo {
            None => true,
            Some(b) => match version.cmp(&b.version) {
                Ordering::Greater => true,
                Ordering::Equal => b.inclusive && !inclusive,
                Ordering::Less => false,
            },
        };
        if tighter {
            self.lo = Some(Bound { version, inclusive });
        }
    }

    fn lower(&mut self, version: Version, inclusive: bool) {
        let tighter = match &self.hi {
            None => true,
            Some(b) => match version.cmp(&b.version) {
                Ordering::Less => true,
                Ordering::Equal => b.inclusive && !inclusive,
                Ordering::Greater => false,
            },
        };
        if tighter {
            self.hi = Some(Bound { version, inclusive });
        }
    }

    fn is_empty(&self) -> bool {
        match (&self.lo, &self.hi) {
            (Some(lo), Some(hi)) => match lo.version.cmp(&hi.version) {
                Ordering::Greater => true,
                Ordering::Equal => !(lo.inclusive && hi.inclusive),
                Ordering::Less => false,
            },
            _ => false,
        }
    }

    fn intersect(&self, other: &Interval) -> Interval {
        let mut iv = self.clone();
        if let Some(b) = &other.lo {
            iv.raise(b.version.clone(), b.inclusive);
        }
        if let Some(b) = &other.hi {
            iv.lower(b.version.clone(), b.inclusive);
        }
        iv
    }
}

trait OnlyRelease {
    fn only_release_with_epoch(&self) -> Version;
}
impl OnlyRelease for Version {
    fn only_release_with_epoch(&self) -> Version {
        Version::new(self.release().iter().copied()).with_epoch(self.epoch())
    }
}

/// `release[..=idx]` with the component at `idx` incremented: `bump_release([0,14,3], 1)` = `0.15`.
fn bump_release(release: &[u64], idx: usize) -> Version {
    let mut parts: Vec<u64> = release.iter().take(idx + 1).copied().collect();
    if parts.is_empty() {
        parts.push(0);
    }
    let last = parts.len() - 1;
    parts[last] += 1;
    Version::new(parts)
}

/// `bump_release`, but padded with zeros to `width` components: `^0.14.3` -> `0.15.0`.
fn bump_padded(release: &[u64], idx: usize, width: usize) -> Version {
    let v = bump_release(release, idx);
    let mut parts = v.release().to_vec();
    while parts.len() < width {
        parts.push(0);
    }
    Version::new(parts)
}

fn spec(op: Operator, v: Version) -> Result<VersionSpecifier, String> {
    VersionSpecifier::from_version(op, v).map_err(|e| e.to_string())
}

fn parse_version(s: &str, whole: &str) -> Result<Version, String> {
    Version::from_str(s).map_err(|e| format!("'{s}' in '{whole}' is not a version: {e}"))
}

const OPERATOR_CHARS: [char; 6] = ['=', '!', '~', '<', '>', '^'];

/// One Poetry token such as `^3.9`, `~3.11`, `>=3.9`, `3.9.*`, `3.x`, `1.2.3`.
fn poetry_token(tok: &str, whole: &str) -> Result<Vec<VersionSpecifier>, String> {
    let tok = tok.trim();
    if tok == "*" || tok.is_empty() {
        return Ok(Vec::new());
    }
    let op_len = tok
        .find(|c| !OPERATOR_CHARS.contains(&c))
        .unwrap_or(tok.len());
    let (op, rest) = tok.split_at(op_len);
    let mut rest = rest.trim().to_string();
    // Poetry's `3.x` / `3.X` wildcards are PEP 440's `3.*`.
    for suffix in [".x", ".X"] {
        if let Some(base) = rest.strip_suffix(suffix) {
            rest = format!("{base}.*");
        }
    }
    if rest.is_empty() {
        return Err(format!("'{tok}' in '{whole}' has no version"));
    }
    match op {
        "^" => {
            let v = parse_version(&rest, whole)?;
            let r = v.release();
            let idx = r.iter().position(|&n| n != 0).unwrap_or(r.len() - 1);
            let hi = bump_padded(r, idx, r.len());
            Ok(vec![
                spec(Operator::GreaterThanEqual, v)?,
                spec(Operator::LessThan, hi)?,
            ])
        }
        "~" => {
            let v = parse_version(&rest, whole)?;
            let r = v.release();
            // ~1.2.3 and ~1.2 allow patch changes, ~1 allows minor changes.
            let idx = usize::from(r.len() >= 2);
            let hi = bump_padded(r, idx, r.len());
            Ok(vec![
                spec(Operator::GreaterThanEqual, v)?,
                spec(Operator::LessThan, hi)?,
            ])
        }
        "" | "=" => {
            let text = format!("=={rest}");
            VersionSpecifier::from_str(&text)
                .map(|s| vec![s])
                .map_err(|e| format!("'{tok}' in '{whole}': {e}"))
        }
        _ => {
            let text = format!("{op}{rest}");
            VersionSpecifier::from_str(&text)
                .map(|s| vec![s])
                .map_err(|e| format!("'{tok}' in '{whole}': {e}"))
        }
    }
}

/// Split one `||` alternative into tokens: commas and spaces separate, but an operator
/// standing alone (`>= 3.9`) belongs to the version after it.
fn poetry_tokens(part: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_op = String::new();
    for word in part.split(|c: char| c == ',' || c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if word.chars().all(|c| OPERATOR_CHARS.contains(&c)) {
            pending_op.push_str(word);
            continue;
        }
        out.push(format!("{}{word}", std::mem::take(&mut pending_op)));
    }
    if !pending_op.is_empty() {
        out.push(pending_op);
    }
    out
}

/// Split a Poetry constraint at `||` (or `|`).
fn poetry_alternatives(text: &str) -> Vec<&str> {
    text.split("||")
        .flat_map(|p| p.split('|'))
        .map(str::trim)
        .collect()
}

impl Constraint {
    /// Everything: `*`.
    pub fn any() -> Constraint {
        Constraint {
            alternatives: vec![Vec::new()],
        }
    }

    /// A Poetry constraint: `^3.9`, `~3.11`, `~=3.9`, `>=3.9,<4.0`, `>=3.9 <4.0`, `3.9.*`,
    /// `3.x`, `1.2.3` (exact), `*`, alternatives joined by `||`.
    pub fn parse_poetry(text: &str) -> Result<Constraint, String> {
        let text = text.trim();
        if text.is_empty() || text == "*" {
            return Ok(Constraint::any());
        }
        let mut alternatives = Vec::new();
        for part in poetry_alternatives(text) {
            if part.is_empty() {
                return Err(format!("'{text}' has an empty alternative around '||'"));
            }
            let mut specs = Vec::new();
            for tok in poetry_tokens(part) {
                specs.extend(poetry_token(&tok, text)?);
            }
            alternatives.push(specs);
        }
        Ok(Constraint { alternatives })
    }

    /// A PEP 440 specifier set, as in `requires-python` or a PEP 508 requirement:
    /// `>=3.9,<4.0`, `~=3.9`, `==3.11.*`; empty admits everything.
    pub fn parse_pep440(text: &str) -> Result<Constraint, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Constraint::any());
        }
        let mut specs = Vec::new();
        for piece in text.split(',') {
            let piece = piece.trim();
            let s = VersionSpecifier::from_str(piece)
                .map_err(|e| format!("'{piece}' in '{text}' is not a PEP 440 specifier: {e}"))?;
            specs.push(s);
        }
        Ok(Constraint {
            alternatives: vec![specs],
        })
    }

    /// Whether this admits every version (`*`).
    pub fn is_any(&self) -> bool {
        self.alternatives.iter().any(Vec::is_empty)
    }

    /// Whether `v` satisfies the constraint (PEP 440 matching, via pep440_rs).
    pub fn contains(&self, v: &Version) -> bool {
        self.alternatives
            .iter()
            .any(|alt| alt.iter().all(|s| s.contains(v)))
    }

    fn intervals(&self) -> impl Iterator<Item = Interval> + '_ {
        self.alternatives
            .iter()
            .map(|a| Interval::of(a))
            .filter(|iv| !iv.is_empty())
    }

    /// Whether nothing at all satisfies it (e.g. `>=4.0,<4.0`).
    pub fn is_empty(&self) -> bool {
        self.intervals().next().is_none()
    }

    /// Whether some version below `v` is admitted.
    pub fn admits_below(&self, v: &Version) -> bool {
        self.intervals()
            .any(|iv| iv.lo.as_ref().is_none_or(|lo| lo.version < *v))
    }

    /// Whether some version at or below `v` is admitted.
    pub fn admits_at_or_below(&self, v: &Version) -> bool {
        self.intervals().any(|iv| {
            iv.lo
                .as_ref()
                .is_none_or(|lo| lo.version < *v || (lo.version == *v && lo.inclusive))
        })
    }

    /// Whether some version at or above `v` is admitted.
    pub fn admits_at_or_above(&self, v: &Version) -> bool {
        self.intervals().any(|iv| {
            iv.hi
                .as_ref()
                .is_none_or(|hi| hi.version > *v || (hi.version == *v && hi.inclusive))
        })
    }

    /// Whether some version satisfies both constraints (bounds only; `!=` is ignored).
    pub fn overlaps(&self, other: &Constraint) -> bool {
        self.intervals()
            .any(|a| other.intervals().any(|b| !a.intersect(&b).is_empty()))
    }

    /// The lowest version admitted, `None` when there is no lower bound (or nothing is admitted).
    pub fn lower_bound(&self) -> Option<Bound> {
        let mut best: Option<Bound> = None;
        for iv in self.intervals() {
            let lo = iv.lo?;
            best = match best {
                Some(b) if b.version <= lo.version => Some(b),
                _ => Some(lo),
            };
        }
        best
    }

    /// The highest version admitted, `None` when it is open above (or nothing is admitted).
    pub fn upper_bound(&self) -> Option<Bound> {
        let mut best: Option<Bound> = None;
        for iv in self.intervals() {
            let hi = iv.hi?;
            best = match best {
                Some(b) if b.version >= hi.version => Some(b),
                _ => Some(hi),
            };
        }
        best
    }

    /// The PEP 440 form (`>=3.9,<4.0`), when there is a single alternative; `""` for `*`.
    pub fn to_pep440(&self) -> Option<String> {
        match self.alternatives.as_slice() {
            [one] => Some(join_specs(one)),
            _ => None,
        }
    }
}

fn join_specs(specs: &[VersionSpecifier]) -> String {
    specs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Constraint {
    /// Poetry's syntax in PEP 440 terms: `>=3.9,<4.0`, alternatives joined by ` || `, `*` for any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .alternatives
            .iter()
            .map(|a| {
                if a.is_empty() {
                    "*".to_string()
                } else {
                    join_specs(a)
                }
            })
            .collect();
        f.write_str(&parts.join(" || "))
    }
}

/// A PEP 440 specifier set in Poetry's shorter words where one says the same:
/// `>=0.14.3,<0.15.0` -> `^0.14.3`, `>=3.11,<3.12` -> `~3.11`; anything else unchanged.
pub fn pep440_to_poetry(spec: &str) -> String {
    let Ok(c) = Constraint::parse_pep440(spec) else {
        return spec.to_string();
    };
    if let [alt] = c.alternatives.as_slice() {
        if let [lo, hi] = alt.as_slice() {
            if *lo.operator() == Operator::GreaterThanEqual
                && *hi.operator() == Operator::LessThan
                && lo.version().is_stable()
                && !lo.version().is_post()
            {
                let base = lo.version().to_string();
                for shorthand in [format!("^{base}"), format!("~{base}")] {
                    if Constraint::parse_poetry(&shorthand).is_ok_and(|p| p == c) {
                        return shorthand;
                    }
                }
            }
        }
    }
    spec.to_string()
}

/// A version such as `3.9` or `0.14.3`, for comparisons in code. Panics on a bad literal.
pub fn v(text: &str) -> Version {
    Version::from_str(text).expect("a valid version literal")
}

/// Whether the token is an upper bound only (`<4.0`, `<=3.13`), as Poetry or PEP 440 write it.
pub(crate) fn is_upper_only_token(tok: &str) -> bool {
    let t = tok.trim_start();
    t.starts_with('<')
}

/// Whether the token sets a lower bound (`>=3.9`, `>3.8`, `^3.9`, `~3.9`, `~=3.9`, `==3.9`, `3.9`).
pub(crate) fn is_lower_token(tok: &str) -> bool {
    let t = tok.trim_start();
    !(t.starts_with('<') || t.starts_with("!=") || t == "*")
}

/// The tokens of a single-alternative Poetry or PEP 440 constraint, as written
/// (whitespace between an operator and its version removed). `None` for `||` forms.
pub(crate) fn single_alternative_tokens(text: &str) -> Option<Vec<String>> {
    let alts = poetry_alternatives(text.trim());
    match alts.as_slice() {
        [one] => Some(poetry_tokens(one)),
        _ => None,
    }
}

/// PEP 503 normalisation of a distribution name: lower case, runs of `-`, `_`, `.` to `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// A PEP 508 requirement string such as `arcaflow-plugin-sdk (>=0.14.3,<0.15.0)` or
/// `requests[socks]>=2; python_version < "3.10"`, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Requirement {
    pub name: String,
    pub extras: Vec<String>,
    /// The PEP 440 specifier set, spaces removed; empty when the requirement has none.
    pub specifier: String,
    /// `name @ URL`.
    pub url: Option<String>,
    /// What follows `;`.
    pub marker: Option<String>,
}

/// Parse a PEP 508 requirement (enough of it for pyproject dependencies).
///
/// By hand, not with `pep508_rs` (weighed for issue 16): its printed form
/// rewrites markers and names, and the edits write requirement text back
/// into the user's file; it also adds 33 crates and ~50 s to a clean build.
pub fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let s = text.trim();
    let name_end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(s.len());
    let name = &s[..name_end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "'{text}' is not a requirement: it must start with a package name"
        ));
    }
    let mut rest = s[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(r) = rest.strip_prefix('[') {
        let close = r
            .find(']')
            .ok_or_else(|| format!("'{text}': '[' without ']'"))?;
        extras = r[..close]
            .split(',')
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        rest = r[close + 1..].trim_start();
    }
    let (body, marker) = match rest.find(';') {
        Some(i) => (rest[..i].trim(), Some(rest[i + 1..].trim().to_string())),
        None => (rest.trim(), None),
    };
    let mut url = None;
    let mut specifier = String::new();
    if let Some(u) = body.strip_prefix('@') {
        let u = u.trim();
        if u.is_empty() {
            return Err(format!("'{text}': '@' without a URL"));
        }
        url = Some(u.to_string());
    } else {
        let spec = match body.strip_prefix('(') {
            Some(inner) => inner
                .strip_suffix(')')
                .ok_or_else(|| format!("'{text}': '(' without ')'"))?,
            None => body,
        };
        specifier = spec.split_whitespace().collect::<String>();
        if !specifier.is_empty() {
            Constraint::parse_pep440(&specifier)
                .map_err(|e| format!("'{text}' has a bad version specifier: {e}"))?;
        }
    }
    Ok(Requirement {
        name: name.to_string(),
        extras,
        specifier,
        url,
        marker: marker.filter(|m| !m.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poetry(s: &str) -> Constraint {
        Constraint::parse_poetry(s).unwrap()
    }

    #[test]
    fn caret_and_tilde_become_ranges() {
        let cases = [
            ("^3.9", ">=3.9,<4.0"),
            ("^0.14.3", ">=0.14.3,<0.15.0"),
            ("^1.2.3", ">=1.2.3,<2.0.0"),
            ("^0.0.3", ">=0.0.3,<0.0.4"),
            ("^0.0", ">=0.0,<0.1"),
            ("^0", ">=0,<1"),
            ("^2", ">=2,<3"),
            ("~3.11", ">=3.11,<3.12"),
            ("~1.2.3", ">=1.2.3,<1.3.0"),
            ("~1", ">=1,<2"),
            ("~=3.9", "~=3.9"),
            (">= 3.9, < 4.0", ">=3.9,<4.0"),
            (">=3.9 <4.0", ">=3.9,<4.0"),
            ("3.9.*", "==3.9.*"),
            ("3.x", "==3.*"),
            ("1.2.3", "==1.2.3"),
            ("=1.2.3", "==1.2.3"),
            ("*", "*"),
            ("", "*"),
            ("^2.7 || ^3.6", ">=2.7,<3.0 || >=3.6,<4.0"),
        ];
        for (input, want) in cases {
            assert_eq!(poetry(input).to_string(), want, "{input}");
        }
        assert!(Constraint::parse_poetry("^").is_err());
        assert!(Constraint::parse_poetry(">=banana").is_err());
        assert!(Constraint::parse_poetry("^3.9 ||").is_err());
    }

    #[test]
    fn bounds_answer_the_sdk_questions() {
        let four = v("4.0");
        for open in [
            ">=3.9",
            ">=3.11",
            "*",
            "",
            ">3.8",
            "!=3.8",
            "^3.9 || >=3.10",
        ] {
            assert!(poetry(open).admits_at_or_above(&four), "{open} is open");
        }
        for closed in [
            "^3.9",
            ">=3.9,<4.0",
            "~3.11",
            ">=3.9,<3.13",
            "~=3.9",
            "3.9.*",
            "<=3.13",
        ] {
            assert!(
                !poetry(closed).admits_at_or_above(&four),
                "{closed} is closed"
            );
        }
        assert!(poetry("<=4.0").admits_at_or_above(&four));
        let three_nine = v("3.9");
        assert!(poetry(">=3.8,<4").admits_below(&three_nine));
        assert!(poetry(">3.8").admits_below(&three_nine));
        assert!(!poetry(">=3.9").admits_below(&three_nine));
        assert!(!poetry(">3.9").admits_below(&three_nine));
        assert!(poetry("*").admits_below(&three_nine));
        // SDK: 0.14.3 is the last release for Python < 3.12.
        let last = v("0.14.3");
        assert!(poetry("^0.14.3").admits_at_or_below(&last));
        assert!(poetry("^0.14").admits_at_or_below(&last));
        assert!(!poetry("^0.14.5").admits_at_or_below(&last));
        assert!(!poetry(">0.14.3").admits_at_or_below(&last));
        assert!(poetry("^0.14.3").admits_at_or_above(&v("0.14.4")));
        assert!(!poetry("0.14.3").admits_at_or_above(&v("0.14.4")));
        assert!(!poetry("~0.14.3,<0.14.4").admits_at_or_above(&v("0.14.4")));
    }

    #[test]
    fn bounds_and_membership() {
        let c = poetry(">=3.9,<4.0");
        assert_eq!(c.lower_bound().unwrap().version, v("3.9"));
        let hi = c.upper_bound().unwrap();
        assert_eq!((hi.version, hi.inclusive), (v("4.0"), false));
        assert!(c.contains(&v("3.12.1")));
        assert!(!c.contains(&v("4.0")));
        assert!(!c.contains(&v("3.8.18")));
        assert_eq!(poetry(">=3.9").upper_bound(), None);
        assert_eq!(poetry("<3.9").lower_bound(), None);
        assert!(poetry(">=4.0,<4.0").is_empty());
        assert!(poetry("==3.9").overlaps(&poetry("^3.9")));
        assert!(!poetry(">=3.11").overlaps(&poetry("3.9.*")));
        assert!(poetry("~=3.9").overlaps(&poetry("3.9.*")));
        let pep = Constraint::parse_pep440(">=3.11").unwrap();
        assert!(pep.contains(&v("3.13.0")) && !pep.contains(&v("3.9.18")));
        assert!(Constraint::parse_pep440("^3.9").is_err());
        assert_eq!(Constraint::parse_pep440(" ").unwrap().to_string(), "*");
        assert_eq!(
            poetry("^3.9").to_pep440().as_deref(),
            Some(">=3.9,<4.0"),
            "Poetry to PEP 440"
        );
    }

    #[test]
    fn pep440_ranges_read_back_as_poetry_shorthands() {
        assert_eq!(pep440_to_poetry(">=0.14.3,<0.15.0"), "^0.14.3");
        assert_eq!(pep440_to_poetry(">=7.1.1,<8.0.0"), "^7.1.1");
        assert_eq!(pep440_to_poetry(">=3.11,<3.12"), "~3.11");
        assert_eq!(pep440_to_poetry(">=3.11,<4.0"), "^3.11");
        assert_eq!(pep440_to_poetry(">=3.11,<5"), ">=3.11,<5");
        assert_eq!(pep440_to_poetry(">=1.0"), ">=1.0");
        assert_eq!(pep440_to_poetry("==1.0"), "==1.0");
    }

    #[test]
    fn names_normalise_as_pep_503() {
        assert_eq!(normalize_name("Arcaflow_Plugin.SDK"), "arcaflow-plugin-sdk");
        assert_eq!(normalize_name("a--b__c"), "a-b-c");
    }

    #[test]
    fn pep508_requirements() {
        let r = parse_requirement("arcaflow-plugin-sdk (>=0.14.3,<0.15.0)").unwrap();
        assert_eq!(r.name, "arcaflow-plugin-sdk");
        assert_eq!(r.specifier, ">=0.14.3,<0.15.0");
        let r = parse_requirement("requests[socks, security] >= 2.0 ; python_version < \"3.10\"")
            .unwrap();
        assert_eq!(r.extras, ["socks", "security"]);
        assert_eq!(r.specifier, ">=2.0");
        assert_eq!(r.marker.as_deref(), Some("python_version < \"3.10\""));
        let r = parse_requirement("pkg @ https://example.com/pkg.whl").unwrap();
        assert_eq!(r.url.as_deref(), Some("https://example.com/pkg.whl"));
        assert_eq!(parse_requirement("flake8").unwrap().specifier, "");
        assert!(parse_requirement(">=1").is_err());
        assert!(parse_requirement("x (>=1").is_err());
        assert!(parse_requirement("x ^1.0").is_err());
    }
}
