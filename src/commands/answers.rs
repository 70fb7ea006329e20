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
    "target",
    "git",
];

/// Keys an answers file may hold for `setup`.
pub const SETUP_KEYS: &[&str] = &["source", "dir", "python", "poetry", "index_url"];

/// Keys an answers file may hold for `try`.
pub const TRY_KEYS: &[&str] = &["dir", "python", "save"];

/// Keys whose answer is yes or no (`true`/`false` in the file).
const YES_NO_KEYS: &[&str] = &["git", "save"];

/// Read an answers file: a flat table of strings (and booleans for yes/no questions).
pub fn read(path: &Path, allowed: &[&str]) -> Result<BTreeMap<String, String>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("--answers {}: {e}", path.display())))?;
    parse(&text, allowed).map_err(|m| Failure::usage(format!("--answers {}: {m}", path.display())))
}

pub fn parse(text: &str, allowed: &[&str]) -> Result<BTreeMap<String, String>, String> {
    // The file is not pyproject.toml: the caller names it.
    let doc = crate::pyproject::parse(text)
        .map_err(|e| format!("line {}, column {}: {}", e.line, e.column, e.message))?;
    // Where a key's value starts, for the messages below.
    let pos = |k: &str| crate::pyproject::position_at(text, &[k]);
    let at = |k: &str| {
        pos(k)
            .map(|(l, c)| format!("line {l}, column {c}: "))
            .unwrap_or_default()
    };
    let line = |k: &str| {
        pos(k)
            .map(|(l, _)| format!("line {l}: "))
            .unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    for (k, item) in doc.iter() {
        let key = k.replace('-', "_");
        if !allowed.contains(&key.as_str()) {
            return Err(format!(
                "{}unknown key '{k}' (known: {})",
                line(k),
                allowed.join(", ")
            ));
        }
        let v = item
            .as_value()
            .ok_or_else(|| format!("{}'{k}' must be a string or true/false, not a table", at(k)))?;
        let s = if let Some(s) = v.as_str() {
            s.to_string()
        } else if let Some(b) = v.as_bool() {
            if b { "yes" } else { "no" }.to_string()
        } else {
            let kind = match v {
                toml_edit::Value::Integer(_) => "a number",
                toml_edit::Value::Float(_) => "a number",
                toml_edit::Value::Datetime(_) => "a date",
                toml_edit::Value::Array(_) => "a list",
                toml_edit::Value::InlineTable(_) => "a table",
                _ => "something else",
            };
            return Err(format!(
                "{}'{k}' must be a string or true/false, not {kind}{}",
                at(k),
                if kind == "a number" {
                    format!(": write {k} = \"{}\"", v.to_string().trim())
                } else {
                    String::new()
                }
            ));
        };
        // A yes/no answer is checked now: its step comes after the project is made.
        let s = if YES_NO_KEYS.contains(&key.as_str()) {
            crate::journey::question::parse_yes_no(&s)
                .map_err(|_| format!("{}'{k}' must be true or false", at(k)))?
        } else {
            s
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
