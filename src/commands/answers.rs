//! `--answers FILE`: the same answers as the flags, as TOML.

use std::collections::BTreeMap;
use std::path::Path;

use crate::journey::Failure;

/// Keys an answers file may hold for `new`.
pub const NEW_KEYS: &[&str] = &[
    "name",
    "dir",
    "description",
    "author",
    "python",
    "poetry",
    "index_url",
    "git",
];

/// Read an answers file: a flat table of strings (and booleans for yes/no questions).
pub fn read(path: &Path, allowed: &[&str]) -> Result<BTreeMap<String, String>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("--answers {}: {e}", path.display())))?;
    parse(&text, allowed).map_err(|m| Failure::usage(format!("--answers {}: {m}", path.display())))
}

pub fn parse(text: &str, allowed: &[&str]) -> Result<BTreeMap<String, String>, String> {
    let doc = crate::pyproject::parse(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for (k, item) in doc.iter() {
        let key = k.replace('-', "_");
        if !allowed.contains(&key.as_str()) {
            return Err(format!("unknown key '{k}' (known: {})", allowed.join(", ")));
        }
        let v = item
            .as_value()
            .ok_or_else(|| format!("'{k}' must be a string or true/false, not a table"))?;
        let s = if let Some(s) = v.as_str() {
            s.to_string()
        } else if let Some(b) = v.as_bool() {
            if b { "yes" } else { "no" }.to_string()
        } else {
            return Err(format!("'{k}' must be a string or true/false"));
        };
        out.insert(key, s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_and_booleans() {
        let a = parse(
            "name = \"example\"\ngit = false\nindex-url = \"http://x/simple\"\n",
            NEW_KEYS,
        )
        .unwrap();
        assert_eq!(a["name"], "example");
        assert_eq!(a["git"], "no");
        assert_eq!(a["index_url"], "http://x/simple");
    }

    #[test]
    fn rejects_unknown_keys_and_bad_toml_with_a_position() {
        assert!(parse("nmae = \"x\"", NEW_KEYS)
            .unwrap_err()
            .contains("unknown key 'nmae'"));
        let e = parse("name = \"x\"\nauthor = \n", NEW_KEYS).unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse("[name]\nx=1", NEW_KEYS)
            .unwrap_err()
            .contains("not a table"));
    }
}
