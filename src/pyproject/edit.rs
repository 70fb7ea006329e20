//! Repairs of a parsed pyproject.toml for `doctor --fix`, `new` and `release`. Each
//! changes only its own keys, keeps every comment and the formatting of everything
//! else, and returns whether it changed anything (`Ok(false)`: already right).
//!
//! A fix that cannot be done safely returns an [`EditError`] and leaves the document
//! as it was.

use std::fmt;

use toml_edit::{DocumentMut, InlineTable, Item, Key, Table, Value};

use super::constraint::{
    is_lower_token, is_upper_only_token, normalize_name, parse_requirement, pep440_to_poetry,
    single_alternative_tokens, v, Constraint, Requirement,
};
use super::{
    PYTHON_CONSTRAINT, PYTHON_CONSTRAINT_PEP440, SDK_CONSTRAINT, SDK_NAME, SDK_WRONG_NAME,
};

/// Why an edit was not made. The document is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for EditError {}

/// Runs `edit` and puts the document back as it was when it refuses: an edit
/// may find its reason to refuse only after it changed something (a table made
/// on the way to a key that turns out not to be a table), and the promise above
/// is that a refusal changes nothing. Documents are small; the copy is cheap.
pub(super) fn unchanged_on_error<T>(
    doc: &mut DocumentMut,
    edit: impl FnOnce(&mut DocumentMut) -> Result<T, EditError>,
) -> Result<T, EditError> {
    let before = doc.clone();
    let res = edit(doc);
    if res.is_err() {
        *doc = before;
    }
    res
}

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, EditError> {
    Err(EditError(msg.into()))
}

// ---------------------------------------------------------------- helpers

/// Replace a value, keeping the decor (spacing, trailing comment) of the old one.
pub(super) fn replace_value(item: &mut Item, new: Value) -> bool {
    if let Some(old) = item.as_value() {
        if old.to_string().trim() == new.to_string().trim() {
            return false;
        }
        let decor = old.decor().clone();
        let mut new = new;
        *new.decor_mut() = decor;
        *item = Item::Value(new);
    } else {
        *item = Item::Value(new);
    }
    true
}

fn set_string(item: &mut Item, s: &str) -> bool {
    if item.as_str() == Some(s) {
        return false;
    }
    replace_value(item, Value::from(s))
}

/// `[a.b.c]` as a mutable table, creating missing ones (`implicit` ones print no header
/// while they hold only tables).
pub(super) fn table_path_mut<'a>(
    root: &'a mut Table,
    keys: &[&str],
) -> Result<&'a mut Table, EditError> {
    let mut t = root;
    for (i, k) in keys.iter().enumerate() {
        let item = t.entry(k).or_insert_with(|| {
            let mut nt = Table::new();
            nt.set_implicit(true);
            Item::Table(nt)
        });
        if let Item::Value(Value::InlineTable(_)) = item {
            // An inline table can not hold sub-tables: turn it into a standard table.
            let Item::Value(Value::InlineTable(it)) = std::mem::take(item) else {
                unreachable!()
            };
            *item = Item::Table(it.into_table());
        }
        t = match item {
            Item::Table(tt) => tt,
            _ => {
                return err(format!(
                    "[{}] is not a table, so nothing can be added under it",
                    keys[..=i].join(".")
                ))
            }
        };
    }
    Ok(t)
}

fn get_table_mut<'a>(root: &'a mut Table, keys: &[&str]) -> Option<&'a mut Table> {
    let mut t = root;
    for k in keys {
        t = t.get_mut(k)?.as_table_mut()?;
    }
    Some(t)
}

pub(super) fn get_table<'a>(root: &'a Table, keys: &[&str]) -> Option<&'a Table> {
    let mut t = root;
    for k in keys {
        t = t.get(k)?.as_table()?;
    }
    Some(t)
}

/// The highest document position of a table and everything under it.
pub(super) fn max_position(t: &Table) -> Option<isize> {
    let mut best = t.position();
    for (_, item) in t {
        let sub = match item {
            Item::Table(st) => max_position(st),
            Item::ArrayOfTables(a) => a.iter().filter_map(max_position).max(),
            _ => None,
        };
        best = best.max(sub);
    }
    best
}

/// Rebuild a table's key order: `first` (in that order) before everything else.
/// Each entry keeps its key's decor and its value.
pub(super) fn reorder_front(t: &mut Table, first: &[String]) {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let mut entries: Vec<(Key, Item)> = keys.iter().filter_map(|k| t.remove_entry(k)).collect();
    let mut ordered = Vec::with_capacity(entries.len());
    for f in first {
        if let Some(i) = entries.iter().position(|(k, _)| k.get() == f) {
            ordered.push(entries.remove(i));
        }
    }
    ordered.extend(entries);
    for (k, item) in ordered {
        t.insert_formatted(&k, item);
    }
}

/// Insert `key` right after the first of `after` that exists (else at the end).
pub(super) fn insert_after(t: &mut Table, key: Key, item: Item, after: &[&str]) {
    let anchor = after
        .iter()
        .find(|a| t.contains_key(a))
        .map(|a| a.to_string());
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let mut entries: Vec<(Key, Item)> = keys.iter().filter_map(|k| t.remove_entry(k)).collect();
    let at = anchor
        .and_then(|a| entries.iter().position(|(k, _)| k.get() == a))
        .map(|i| i + 1)
        .unwrap_or(entries.len());
    entries.insert(at, (key, item));
    for (k, item) in entries {
        t.insert_formatted(&k, item);
    }
}

/// Replace the entry `old` by (`new_key`, `item`) at the same place in the table.
fn rename_in_place(t: &mut Table, old: &str, new_key: Key, item: Item) {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let entries: Vec<(Key, Item)> = keys.iter().filter_map(|k| t.remove_entry(k)).collect();
    let mut item = Some(item);
    for (k, it) in entries {
        if k.get() == old {
            t.insert_formatted(&new_key, item.take().expect("one entry"));
        } else {
            t.insert_formatted(&k, it);
        }
    }
}

/// The comment lines of a decor prefix (`"\n    # why\n    "` -> `"# why\n"`).
pub(super) fn comment_lines(prefix: Option<&str>) -> String {
    prefix
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

pub(super) fn decor_prefix(d: &toml_edit::Decor) -> Option<&str> {
    d.prefix().and_then(|p| p.as_str())
}

fn poetry_constraint_ok(c: &str) -> Result<Constraint, EditError> {
    Constraint::parse_poetry(c).map_err(|e| EditError(format!("'{c}' is not a constraint: {e}")))
}

/// The Poetry value for a PEP 508 requirement: `"^1.0"`-style string, or an inline
/// table when it has extras, markers or a URL.
fn poetry_dep_item(r: &Requirement) -> Value {
    let constraint = if r.specifier.is_empty() {
        "*".to_string()
    } else {
        pep440_to_poetry(&r.specifier)
    };
    if r.extras.is_empty() && r.marker.is_none() && r.url.is_none() {
        return Value::from(constraint);
    }
    let mut t = InlineTable::new();
    match &r.url {
        Some(u) if u.starts_with("git+") => {
            t.insert("git", Value::from(u.trim_start_matches("git+")));
        }
        Some(u) if u.starts_with("file://") => {
            t.insert("path", Value::from(u.trim_start_matches("file://")));
        }
        Some(u) => {
            t.insert("url", Value::from(u.as_str()));
        }
        None => {
            t.insert("version", Value::from(constraint));
        }
    }
    if !r.extras.is_empty() {
        t.insert(
            "extras",
            Value::Array(r.extras.iter().map(String::as_str).collect()),
        );
    }
    if let Some(m) = &r.marker {
        t.insert("markers", Value::from(m.as_str()));
    }
    Value::InlineTable(t)
}

/// Add or update one dependency in a Poetry dependencies table; a note when an entry
/// with another constraint was there.
pub(super) fn merge_dep(
    t: &mut Table,
    r: &Requirement,
    comments: &str,
    notes: &mut Vec<String>,
    where_: &str,
) {
    let norm = normalize_name(&r.name);
    let existing = t
        .iter()
        .map(|(k, _)| k.to_string())
        .find(|k| normalize_name(k) == norm);
    let new = poetry_dep_item(r);
    match existing {
        Some(k) => {
            let item = t.get_mut(&k).expect("found");
            let new_c = new.as_str().map(str::to_string);
            if let (Some(tbl), Some(c)) = (item.as_table_like_mut(), new_c.as_deref()) {
                let before = tbl
                    .get("version")
                    .and_then(Item::as_str)
                    .map(str::to_string);
                if before.as_deref() != Some(c) {
                    tbl.insert("version", toml_edit::value(c));
                    if let Some(b) = before {
                        notes.push(format!(
                            "{where_}: {k} was '{b}' in [tool.poetry] and '{c}' in the PEP 621 table; kept '{c}'"
                        ));
                    }
                }
            } else {
                let before = item.as_value().map(|v| v.to_string().trim().to_string());
                if replace_value(item, new.clone()) {
                    notes.push(format!(
                        "{where_}: {k} was {} in [tool.poetry] and {} in the PEP 621 table; kept the latter",
                        before.unwrap_or_default(),
                        new.to_string().trim()
                    ));
                }
            }
        }
        None => {
            let mut key = Key::new(r.name.as_str());
            if !comments.is_empty() {
                key.leaf_decor_mut().set_prefix(comments);
            }
            t.insert_formatted(&key, Item::Value(new));
        }
    }
}

/// Close an open upper bound: `Ok(None)` when it is already closed.
pub(super) fn close_upper(raw: &str, poetry: bool) -> Result<Option<String>, EditError> {
    let parse = |s: &str| {
        if poetry {
            Constraint::parse_poetry(s)
        } else {
            Constraint::parse_pep440(s)
        }
    };
    let c = parse(raw)
        .map_err(|e| EditError(format!("the Python range '{raw}' cannot be read: {e}")))?;
    let four = v("4.0");
    if !c.is_empty() && !c.admits_at_or_above(&four) {
        return Ok(None);
    }
    let default = if poetry {
        PYTHON_CONSTRAINT
    } else {
        PYTHON_CONSTRAINT_PEP440
    };
    let Some(tokens) = single_alternative_tokens(raw) else {
        return Ok(Some(default.to_string()));
    };
    let kept: Vec<String> = tokens
        .into_iter()
        .filter(|t| !is_upper_only_token(t) && t != "*")
        .collect();
    if !kept.iter().any(|t| is_lower_token(t)) {
        return Ok(Some(default.to_string()));
    }
    let candidate = format!("{},<4.0", kept.join(","));
    match parse(&candidate) {
        Ok(cc) if !cc.is_empty() && !cc.admits_at_or_above(&four) => Ok(Some(candidate)),
        _ => Ok(Some(default.to_string())),
    }
}

fn sdk_requirement_text(
    poetry_constraint: &str,
    marker: Option<&str>,
) -> Result<String, EditError> {
    let c = poetry_constraint_ok(poetry_constraint)?;
    let pep = c.to_pep440().ok_or_else(|| {
        EditError(format!(
            "'{poetry_constraint}' has alternatives (||), which a PEP 508 requirement cannot hold"
        ))
    })?;
    let mut s = if pep.is_empty() {
        SDK_NAME.to_string()
    } else {
        format!("{SDK_NAME} ({pep})")
    };
    if let Some(m) = marker {
        s.push_str(&format!("; {m}"));
    }
    Ok(s)
}

// ---------------------------------------------------------------- edits

/// Set the project's version wherever it is held: `[tool.poetry].version`,
/// `[project].version`, or both. When neither holds one, it is added to `[tool.poetry]`
/// (or to `[project]` when that is the only table).
pub fn set_version(doc: &mut DocumentMut, version: &str) -> Result<bool, EditError> {
    unchanged_on_error(doc, |doc| set_version_unguarded(doc, version))
}

fn set_version_unguarded(doc: &mut DocumentMut, version: &str) -> Result<bool, EditError> {
    let root = doc.as_table_mut();
    let mut found = false;
    let mut changed = false;
    if let Some(t) = get_table_mut(root, &["tool", "poetry"]) {
        if let Some(item) = t.get_mut("version") {
            found = true;
            changed |= set_string(item, version);
        }
    }
    if let Some(t) = get_table_mut(root, &["project"]) {
        if let Some(item) = t.get_mut("version") {
            found = true;
            changed |= set_string(item, version);
        }
    }
    if found {
        return Ok(changed);
    }
    let target: &[&str] = if get_table(root, &["tool", "poetry"]).is_some() {
        &["tool", "poetry"]
    } else if get_table(root, &["project"]).is_some() {
        &["project"]
    } else {
        return err(
            "pyproject.toml has neither a [tool.poetry] nor a [project] table to hold the version",
        );
    };
    let t = get_table_mut(root, target).expect("checked");
    insert_after(t, Key::new("version"), toml_edit::value(version), &["name"]);
    Ok(true)
}

/// Close an open Python range in either form: `>=3.9` -> `>=3.9,<4.0`, `>=3.11` ->
/// `>=3.11,<4.0`; a range with no lower bound (`*`) becomes `^3.9` (legacy) or
/// `>=3.9,<4.0` (PEP 621). A range that is already closed is left alone.
pub fn set_python_bound(doc: &mut DocumentMut) -> Result<bool, EditError> {
    unchanged_on_error(doc, set_python_bound_unguarded)
}

fn set_python_bound_unguarded(doc: &mut DocumentMut) -> Result<bool, EditError> {
    let root = doc.as_table_mut();
    // Work out both first, so an unreadable one changes nothing.
    let legacy = get_table(root, &["tool", "poetry", "dependencies"])
        .and_then(|t| t.get("python"))
        .and_then(Item::as_str)
        .map(|s| close_upper(s, true))
        .transpose()?
        .flatten();
    let pep = get_table(root, &["project"])
        .and_then(|t| t.get("requires-python"))
        .and_then(Item::as_str)
        .map(|s| close_upper(s, false))
        .transpose()?
        .flatten();
    let mut changed = false;
    if let Some(new) = legacy {
        let t = get_table_mut(root, &["tool", "poetry", "dependencies"]).expect("read above");
        changed |= set_string(t.get_mut("python").expect("read above"), &new);
    }
    if let Some(new) = pep {
        let t = get_table_mut(root, &["project"]).expect("read above");
        changed |= set_string(t.get_mut("requires-python").expect("read above"), &new);
    }
    Ok(changed)
}

/// Set the Python range outright (a Poetry constraint such as `^3.9`): as
/// `[tool.poetry.dependencies].python` where the legacy form is used, and as a PEP 440
/// `requires-python` where a `[project]` table is.
pub fn set_python(doc: &mut DocumentMut, poetry_constraint: &str) -> Result<bool, EditError> {
    unchanged_on_error(doc, |doc| set_python_unguarded(doc, poetry_constraint))
}

fn set_python_unguarded(doc: &mut DocumentMut, poetry_constraint: &str) -> Result<bool, EditError> {
    let c = poetry_constraint_ok(poetry_constraint)?;
    let root = doc.as_table_mut();
    let has_project = get_table(root, &["project"]).is_some();
    let has_legacy = get_table(root, &["tool", "poetry", "dependencies"]).is_some()
        || get_table(root, &["tool", "poetry"])
            .is_some_and(|t| t.contains_key("name") || t.contains_key("version"));
    if !has_project && !has_legacy {
        return err("pyproject.toml has neither [tool.poetry] metadata nor a [project] table");
    }
    let pep = if has_project {
        Some(c.to_pep440().ok_or_else(|| {
            EditError(format!(
                "'{poetry_constraint}' has alternatives (||), which requires-python cannot hold"
            ))
        })?)
    } else {
        None
    };
    let mut changed = false;
    if has_legacy {
        let poetry_pos = get_table(root, &["tool", "poetry"]).and_then(Table::position);
        let created = get_table(root, &["tool", "poetry", "dependencies"]).is_none();
        let t = table_path_mut(root, &["tool", "poetry", "dependencies"])?;
        if created {
            t.set_implicit(false);
            t.set_position(poetry_pos);
        }
        match t.get_mut("python") {
            Some(item) => changed |= set_string(item, poetry_constraint),
            None => {
                t.insert("python", toml_edit::value(poetry_constraint));
                reorder_front(t, &["python".to_string()]);
                changed = true;
            }
        }
    }
    if let Some(pep) = pep {
        let t = get_table_mut(root, &["project"]).expect("checked");
        match t.get_mut("requires-python") {
            Some(item) => changed |= set_string(item, &pep),
            None => {
                insert_after(
                    t,
                    Key::new("requires-python"),
                    toml_edit::value(pep),
                    &["readme", "authors", "description", "version", "name"],
                );
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Replace `arcaflow-plugin-sdk-python` (the guide's name, not on PyPI) by
/// `arcaflow-plugin-sdk` with `^0.14.3`, in `[tool.poetry.dependencies]` and in
/// `[project].dependencies`, at the same place. If the right name is there too, the
/// wrong entry is just removed.
pub fn rename_sdk(doc: &mut DocumentMut) -> Result<bool, EditError> {
    unchanged_on_error(doc, rename_sdk_unguarded)
}

fn rename_sdk_unguarded(doc: &mut DocumentMut) -> Result<bool, EditError> {
    let wrong = normalize_name(SDK_WRONG_NAME);
    let right = normalize_name(SDK_NAME);
    let root = doc.as_table_mut();
    let mut changed = false;
    if let Some(t) = get_table_mut(root, &["tool", "poetry", "dependencies"]) {
        let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
        let has_right = keys.iter().any(|k| normalize_name(k) == right);
        if let Some(old) = keys.iter().find(|k| normalize_name(k) == wrong) {
            if has_right {
                t.remove(old);
            } else {
                let old_key = t.key(old).expect("listed").clone();
                let mut item = t.get(old).expect("listed").clone();
                if let Some(tbl) = item.as_table_like_mut() {
                    tbl.insert("version", toml_edit::value(SDK_CONSTRAINT));
                } else {
                    replace_value(&mut item, Value::from(SDK_CONSTRAINT));
                }
                let new_key = Key::new(SDK_NAME).with_leaf_decor(old_key.leaf_decor().clone());
                rename_in_place(t, old, new_key, item);
            }
            changed = true;
        }
    }
    if let Some(arr) = get_table_mut(root, &["project"])
        .and_then(|t| t.get_mut("dependencies"))
        .and_then(Item::as_array_mut)
    {
        let reqs: Vec<Option<Requirement>> = arr
            .iter()
            .map(|v| v.as_str().and_then(|s| parse_requirement(s).ok()))
            .collect();
        let has_right = reqs
            .iter()
            .flatten()
            .any(|r| normalize_name(&r.name) == right);
        if let Some(i) = reqs
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| normalize_name(&r.name) == wrong))
        {
            if has_right {
                arr.remove(i);
            } else {
                let marker = reqs[i].as_ref().and_then(|r| r.marker.clone());
                let text = sdk_requirement_text(SDK_CONSTRAINT, marker.as_deref())?;
                let decor = arr.get(i).expect("index").decor().clone();
                let mut nv = Value::from(text);
                *nv.decor_mut() = decor;
                arr.replace(i, nv);
            }
            changed = true;
        }
    }
    Ok(changed)
}

/// Set the SDK's constraint (Poetry syntax, e.g. `^0.14.3`) wherever it is declared:
/// `[tool.poetry.dependencies]` and/or `[project].dependencies`.
pub fn pin_sdk(doc: &mut DocumentMut, poetry_constraint: &str) -> Result<bool, EditError> {
    unchanged_on_error(doc, |doc| pin_sdk_unguarded(doc, poetry_constraint))
}

fn pin_sdk_unguarded(doc: &mut DocumentMut, poetry_constraint: &str) -> Result<bool, EditError> {
    poetry_constraint_ok(poetry_constraint)?;
    let right = normalize_name(SDK_NAME);
    let root = doc.as_table_mut();
    let mut found = false;
    let mut changed = false;
    // PEP 508 first: it is the one that can fail (|| constraints).
    if let Some(arr) = get_table_mut(root, &["project"])
        .and_then(|t| t.get_mut("dependencies"))
        .and_then(Item::as_array_mut)
    {
        let hit = arr.iter().enumerate().find_map(|(i, v)| {
            let r = parse_requirement(v.as_str()?).ok()?;
            (normalize_name(&r.name) == right).then_some((i, r))
        });
        if let Some((i, r)) = hit {
            found = true;
            let text = sdk_requirement_text(poetry_constraint, r.marker.as_deref())?;
            let old = arr.get(i).expect("index");
            if old.as_str() != Some(text.as_str()) {
                let mut nv = Value::from(text);
                *nv.decor_mut() = old.decor().clone();
                arr.replace(i, nv);
                changed = true;
            }
        }
    }
    if let Some(t) = get_table_mut(root, &["tool", "poetry", "dependencies"]) {
        let key = t
            .iter()
            .map(|(k, _)| k.to_string())
            .find(|k| normalize_name(k) == right);
        if let Some(k) = key {
            found = true;
            let item = t.get_mut(&k).expect("found");
            if let Some(tbl) = item.as_table_like_mut() {
                if tbl.get("version").and_then(Item::as_str) != Some(poetry_constraint) {
                    tbl.insert("version", toml_edit::value(poetry_constraint));
                    changed = true;
                }
            } else {
                changed |= set_string(item, poetry_constraint);
            }
        }
    }
    if !found {
        return err(format!("{SDK_NAME} is not a dependency in pyproject.toml"));
    }
    Ok(changed)
}

/// Create an empty `[tool.poetry.group.dev.dependencies]` if there is none: the
/// official Dockerfile's `poetry install --without dev` fails without a dev group,
/// and Poetry 2's `poetry add --group dev` writes a `[dependency-groups]` table
/// (invisible to Poetry 1.8.3) unless this table already exists.
pub fn ensure_dev_group(doc: &mut DocumentMut) -> Result<bool, EditError> {
    unchanged_on_error(doc, ensure_dev_group_unguarded)
}

fn ensure_dev_group_unguarded(doc: &mut DocumentMut) -> Result<bool, EditError> {
    let root = doc.as_table_mut();
    if get_table(root, &["tool", "poetry", "group", "dev", "dependencies"]).is_some() {
        return Ok(false);
    }
    if root
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|t| t.get("group"))
        .and_then(|t| t.get("dev"))
        .and_then(|t| t.get("dependencies"))
        .is_some_and(Item::is_table_like)
    {
        // An inline table: Poetry reads it; nothing to do.
        return Ok(false);
    }
    let pos = get_table(root, &["tool", "poetry"]).and_then(max_position);
    let t = table_path_mut(root, &["tool", "poetry", "group", "dev", "dependencies"])?;
    t.set_implicit(false);
    t.set_position(pos);
    Ok(true)
}
