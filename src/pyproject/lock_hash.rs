//! Poetry's `content-hash` of pyproject.toml, as written into poetry.lock's
//! `[metadata]`: a SHA-256 of the relevant `[tool.poetry]` tables dumped as
//! Python's `json.dumps(..., sort_keys=True)` does. Recomputing it tells that a
//! lock is in sync without starting Poetry (about a second on these machines).
//!
//! Only the legacy form is computed (Poetry 1.8 and 2.x agree on it); a project
//! with `[project]` or `[dependency-groups]` tables gives None: ask Poetry.

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Value};

/// Keys Poetry always includes (null when missing), then the optional `group`.
const LEGACY_KEYS: [&str; 4] = ["dependencies", "source", "extras", "dev-dependencies"];

/// The content-hash Poetry would write for this pyproject, or None when this
/// form is not one we reproduce.
pub fn content_hash(doc: &DocumentMut) -> Option<String> {
    if doc.contains_key("project") || doc.contains_key("dependency-groups") {
        return None;
    }
    let poetry = doc.get("tool")?.get("poetry")?;
    // Keys sorted, as json.dumps(sort_keys=True) writes them.
    let mut keys: Vec<&str> = LEGACY_KEYS.to_vec();
    if poetry.get("group").is_some() {
        keys.push("group");
    }
    keys.sort_unstable();
    let mut json = String::from("{");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            json.push_str(", ");
        }
        push_str(&mut json, k);
        json.push_str(": ");
        match poetry.get(k) {
            None => json.push_str("null"),
            Some(item) => push_item(&mut json, item)?,
        }
    }
    json.push('}');
    let digest = Sha256::digest(json.as_bytes());
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The hash recorded in a poetry.lock's `[metadata]`.
pub fn recorded_hash(lock_text: &str) -> Option<String> {
    let doc: DocumentMut = lock_text.parse().ok()?;
    Some(
        doc.get("metadata")?
            .get("content-hash")?
            .as_str()?
            .to_string(),
    )
}

fn push_item(out: &mut String, item: &Item) -> Option<()> {
    match item {
        Item::Value(v) => push_value(out, v),
        Item::Table(t) => push_map(out, t.iter()),
        Item::ArrayOfTables(a) => {
            out.push('[');
            for (i, t) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_map(out, t.iter())?;
            }
            out.push(']');
            Some(())
        }
        Item::None => {
            out.push_str("null");
            Some(())
        }
    }
}

fn push_map<'a>(
    out: &mut String,
    entries: impl Iterator<Item = (&'a str, &'a Item)>,
) -> Option<()> {
    let mut entries: Vec<_> = entries.collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_str(out, k);
        out.push_str(": ");
        push_item(out, v)?;
    }
    out.push('}');
    Some(())
}

fn push_value(out: &mut String, v: &Value) -> Option<()> {
    match v {
        Value::String(s) => push_str(out, s.value()),
        Value::Integer(i) => out.push_str(&i.value().to_string()),
        Value::Boolean(b) => out.push_str(if *b.value() { "true" } else { "false" }),
        // Python's float repr and datetimes are not worth reproducing here.
        Value::Float(_) | Value::Datetime(_) => return None,
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_value(out, x)?;
            }
            out.push(']');
        }
        Value::InlineTable(t) => {
            let mut entries: Vec<_> = t.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, x)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_str(out, k);
                out.push_str(": ");
                push_value(out, x)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// A JSON string as Python writes it with ensure_ascii: non-ASCII as \uXXXX.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pyproject `new` makes, and the hash Poetry 2.5.1 wrote into its lock.
    const PYPROJECT: &str = r#"# Legacy [tool.poetry] form: the official build image runs Poetry 1.8.3, which reads nothing else.
[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = "An Arcaflow plugin."
authors = ["Arcalot contributors"]
readme = "README.md"
# The whole code folder goes into the wheel: entry and schema modules.
packages = [{ include = "arcaflow_plugin_example" }]

[tool.poetry.dependencies]
# Keep an upper bound (^3.9 = >=3.9,<4.0): the SDK says <4.0, so an open range cannot resolve.
python = "^3.9"
arcaflow-plugin-sdk = "^0.14.3"

[tool.poetry.group.dev.dependencies]
flake8 = "~7.3"
coverage = "~7.10"
# Poetry 2 adds dev tools here only if this exists; the Dockerfile's --without dev needs it too.

[[tool.poetry.source]]
# The package index to resolve from; a primary source means PyPI is not used.
name = "primary-index"
url = "http://127.0.0.1:18555/simple/"
priority = "primary"

[build-system]
# Any poetry-core since 1.0 builds this form, so pip can build the package without Poetry.
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#;

    #[test]
    fn matches_the_hash_poetry_wrote() {
        let doc = crate::pyproject::parse(PYPROJECT).unwrap();
        assert_eq!(
            content_hash(&doc).as_deref(),
            Some("fadefab9fa2aeb8d17a41f6d1237a768bd5973ad9bf028d364263c457d2fc473")
        );
    }

    #[test]
    fn comments_and_metadata_do_not_count_but_dependencies_do() {
        let base = content_hash(&crate::pyproject::parse(PYPROJECT).unwrap());
        let reworded = PYPROJECT
            .replace("An Arcaflow plugin.", "Something else")
            .replace("# Keep", "# keep");
        assert_eq!(
            content_hash(&crate::pyproject::parse(&reworded).unwrap()),
            base
        );
        let bumped = PYPROJECT.replace("\"~7.3\"", "\"~7.2\"");
        assert_ne!(
            content_hash(&crate::pyproject::parse(&bumped).unwrap()),
            base
        );
    }

    #[test]
    fn other_forms_are_left_to_poetry_and_strings_escape_like_python() {
        let doc = crate::pyproject::parse("[project]\nname = \"x\"\n[tool.poetry]\n").unwrap();
        assert_eq!(content_hash(&doc), None);
        let mut s = String::new();
        push_str(&mut s, "é \"q\" \u{1F600}");
        assert_eq!(s, r#""\u00e9 \"q\" \ud83d\ude00""#);
        assert_eq!(
            recorded_hash("[metadata]\ncontent-hash = \"ab\"\n").as_deref(),
            Some("ab")
        );
    }
}
