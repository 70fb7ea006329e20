//! Any text that parses as TOML, given to every pyproject edit: each edit leaves
//! parseable TOML and changes only the keys it owns, and one that refuses leaves
//! the document exactly as it was. The same properties as
//! tests/proptests.rs, on inputs no generator would write.
#![no_main]

use std::collections::BTreeMap;

use arcaflow_wizard::pyproject::{self, edit};
use libfuzzer_sys::fuzz_target;
use toml_edit::{DocumentMut, Item, Value};

/// Every leaf value by dotted path (array items by index), without decor, so a
/// change of formatting around a value does not count (as in tests/proptests.rs).
fn leaves(doc: &DocumentMut) -> BTreeMap<String, String> {
    fn walk_item(prefix: &str, item: &Item, out: &mut BTreeMap<String, String>) {
        match item {
            Item::None => {}
            Item::Table(t) => {
                for (k, v) in t.iter() {
                    walk_item(&join(prefix, k), v, out);
                }
            }
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    for (k, v) in t.iter() {
                        walk_item(&join(&join(prefix, &i.to_string()), k), v, out);
                    }
                }
            }
            Item::Value(v) => walk_value(prefix, v, out),
        }
    }
    fn walk_value(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        match v {
            Value::InlineTable(t) => {
                for (k, v) in t.iter() {
                    walk_value(&join(prefix, k), v, out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk_value(&join(prefix, &i.to_string()), v, out);
                }
            }
            v => {
                let mut v = v.clone();
                v.decor_mut().clear();
                out.insert(prefix.to_string(), v.to_string());
            }
        }
    }
    fn join(a: &str, b: &str) -> String {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    }
    let mut out = BTreeMap::new();
    for (k, v) in doc.iter() {
        walk_item(k, v, &mut out);
    }
    out
}

/// The leaves outside the given path prefixes.
fn others(doc: &DocumentMut, touched: &[&str]) -> BTreeMap<String, String> {
    leaves(doc)
        .into_iter()
        .filter(|(k, _)| {
            !touched
                .iter()
                .any(|t| k == t || k.starts_with(&format!("{t}.")))
        })
        .collect()
}

type Edit = fn(&mut DocumentMut) -> Result<bool, edit::EditError>;

/// Each edit with the key paths it may change (the table of tests/proptests.rs).
const EDITS: &[(&str, Edit, &[&str])] = &[
    (
        "set_version",
        |d| pyproject::set_version(d, "9.8.7"),
        &["tool.poetry.version", "project.version"],
    ),
    (
        "set_python_bound",
        pyproject::set_python_bound,
        &["tool.poetry.dependencies.python", "project.requires-python"],
    ),
    (
        "set_python",
        |d| pyproject::set_python(d, "^3.9"),
        &["tool.poetry.dependencies.python", "project.requires-python"],
    ),
    (
        "rename_sdk",
        pyproject::rename_sdk,
        &["tool.poetry.dependencies", "project.dependencies"],
    ),
    (
        "pin_sdk",
        |d| pyproject::pin_sdk(d, "^0.14.3"),
        &["tool.poetry.dependencies", "project.dependencies"],
    ),
    (
        "ensure_dev_group",
        pyproject::ensure_dev_group,
        &["tool.poetry.group.dev"],
    ),
    (
        "move_dependency_groups",
        pyproject::move_dependency_groups,
        &["dependency-groups", "tool.poetry.group"],
    ),
    (
        "set_packages",
        |d| pyproject::set_packages(d, "arcaflow_plugin_x"),
        &["tool.poetry.packages"],
    ),
    (
        // Moves all of [project] and [dependency-groups] into [tool.poetry]; every
        // other table stays, and neither of the two is left.
        "to_legacy",
        |d| pyproject::to_legacy(d, "arcaflow_plugin_x").map(|r| r.changed),
        &["tool.poetry", "project", "dependency-groups"],
    ),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let original = match pyproject::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            // A syntax error names a line and column inside the text.
            let lines = text.split('\n').count();
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}: {e}", e.line);
            assert!(e.column >= 1, "{e}");
            let _ = e.excerpt(text);
            return;
        }
    };
    let before = original.to_string();
    for &(name, edit, touched) in EDITS {
        let mut doc = original.clone();
        match edit(&mut doc) {
            Ok(_) => {
                let out = doc.to_string();
                let reparsed = pyproject::parse(&out).unwrap_or_else(|e| {
                    panic!("{name} made invalid TOML: {e}\n--- before\n{text}\n--- after\n{out}")
                });
                assert_eq!(
                    others(&original, touched),
                    others(&reparsed, touched),
                    "{name} changed keys it does not own\n--- before\n{text}\n--- after\n{out}"
                );
                if name == "to_legacy" {
                    assert!(reparsed.get("project").is_none(), "to_legacy left [project]\n{out}");
                    assert!(
                        reparsed.get("dependency-groups").is_none(),
                        "to_legacy left [dependency-groups]\n{out}"
                    );
                }
            }
            Err(e) => assert_eq!(
                doc.to_string(),
                before,
                "{name} refused ({e}) but changed the document\n--- before\n{text}"
            ),
        }
    }
});
