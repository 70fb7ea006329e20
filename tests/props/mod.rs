//! What tests/proptests.rs and the cargo-fuzz targets (fuzz/) both check with:
//! one copy, included by each (`mod props;` here, `#[path]` there). Each
//! includer uses a part, hence the allow.
#![allow(dead_code)]

use std::collections::BTreeMap;

use arcaflow_wizard::pyproject::{self, edit};
use toml_edit::{DocumentMut, Item};

/// Every leaf value of a document by dotted path (array items by index), as text
/// without decor, so that formatting changes around a value do not count.
pub(crate) fn leaves(doc: &DocumentMut) -> BTreeMap<String, String> {
    fn walk_item(prefix: &str, item: &Item, out: &mut BTreeMap<String, String>) {
        match item {
            Item::None => {}
            Item::Table(t) => {
                for (k, v) in t {
                    walk_item(&join(prefix, k), v, out);
                }
            }
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    for (k, v) in t {
                        walk_item(&join(&join(prefix, &i.to_string()), k), v, out);
                    }
                }
            }
            Item::Value(v) => walk_value(prefix, v, out),
        }
    }
    fn walk_value(prefix: &str, v: &toml_edit::Value, out: &mut BTreeMap<String, String>) {
        match v {
            toml_edit::Value::InlineTable(t) => {
                for (k, v) in t {
                    walk_value(&join(prefix, k), v, out);
                }
            }
            toml_edit::Value::Array(a) => {
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
pub(crate) fn others(doc: &DocumentMut, touched: &[&str]) -> BTreeMap<String, String> {
    leaves(doc)
        .into_iter()
        .filter(|(k, _)| {
            !touched
                .iter()
                .any(|t| k == t || k.starts_with(&format!("{t}.")))
        })
        .collect()
}

/// What an SDK edit may change: both dependency tables, whose entries other
/// than the SDK `non_sdk_deps` checks (by normalised name: `arcaflow_plugin.sdk`
/// is the SDK too, which a path prefix cannot say).
const SDK_PATHS: &[&str] = &["tool.poetry.dependencies", "project.dependencies"];

fn is_sdk(name: &str) -> bool {
    matches!(
        pyproject::normalize_name(name).as_str(),
        "arcaflow-plugin-sdk" | "arcaflow-plugin-sdk-python"
    )
}

/// One dependency's leaf values by path.
pub(crate) type DepLeaves = BTreeMap<String, String>;

/// The dependencies that are not the SDK, from both tables: what every edit
/// but `to_legacy` must leave as they were.
pub(crate) fn non_sdk_deps(doc: &DocumentMut) -> (BTreeMap<String, DepLeaves>, Vec<String>) {
    let legacy = doc
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_table_like())
        .map(|t| {
            t.iter()
                // `python` is the bound, which set_python* own.
                .filter(|(k, _)| !is_sdk(k) && *k != "python")
                // By leaf values, so an inline table made a standard one (or
                // dotted keys) is the same dependency.
                .map(|(k, v)| {
                    let mut one = DocumentMut::new();
                    one.insert(k, v.clone());
                    (k.to_string(), leaves(&one))
                })
                .collect()
        })
        .unwrap_or_default();
    (legacy, non_sdk_project_deps(doc))
}

/// The entries of `[project].dependencies` that are not the SDK (under either
/// name), in order: what every edit but `to_legacy` must leave as they were.
fn non_sdk_project_deps(doc: &DocumentMut) -> Vec<String> {
    let Some(deps) = doc
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|v| v.as_str())
        .filter(|s| {
            let name: String = s
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .collect();
            !is_sdk(&name)
        })
        .map(str::to_string)
        .collect()
}

pub(crate) type Edit = fn(&mut DocumentMut) -> Result<bool, edit::EditError>;

/// Each edit with the key paths it may change.
pub(crate) fn edits() -> Vec<(&'static str, Edit, &'static [&'static str])> {
    vec![
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
        ("rename_sdk", pyproject::rename_sdk, SDK_PATHS),
        ("pin_sdk", |d| pyproject::pin_sdk(d, "^0.14.3"), SDK_PATHS),
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
    ]
}

/// `to_legacy` with the paths it may change: it moves all of [project] and
/// [dependency-groups] into [tool.poetry]; every other table stays, and neither
/// of the two is left (`check_edit` checks that).
pub(crate) const TO_LEGACY: (&str, Edit, &[&str]) = (
    "to_legacy",
    |d| pyproject::to_legacy(d, "arcaflow_plugin_x").map(|r| r.changed),
    &["tool.poetry", "project", "dependency-groups"],
);

/// One edit of `original` (parsed from `text`): it leaves parseable TOML,
/// changes only the keys it owns and none of the user's other dependencies
/// (`to_legacy` moves them), and one that refuses leaves the document as it
/// was. Err: what went wrong, with the text before and after.
pub(crate) fn check_edit(
    original: &DocumentMut,
    text: &str,
    (name, edit, touched): (&str, Edit, &[&str]),
) -> Result<(), String> {
    let mut doc = original.clone();
    let out = match edit(&mut doc) {
        Ok(_) => doc.to_string(),
        Err(_) if doc.to_string() == original.to_string() => return Ok(()),
        Err(e) => {
            return Err(format!(
                "{name} refused ({e}) but changed the document\n--- before\n{text}"
            ))
        }
    };
    let fail = |what: &str| {
        Err(format!(
            "{name} {what}\n--- before\n{text}\n--- after\n{out}"
        ))
    };
    let Ok(reparsed) = pyproject::parse(&out) else {
        return fail("made invalid TOML");
    };
    if others(original, touched) != others(&reparsed, touched) {
        return fail("changed keys it does not own");
    }
    if name == "to_legacy" {
        if reparsed.get("project").is_some() || reparsed.get("dependency-groups").is_some() {
            return fail("left [project] or [dependency-groups]");
        }
    } else if non_sdk_deps(original) != non_sdk_deps(&reparsed) {
        return fail("changed the user's dependencies");
    }
    Ok(())
}

/// A Python identifier that is not a keyword.
pub(crate) fn is_python_identifier(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !KEYWORDS.contains(&s)
}
