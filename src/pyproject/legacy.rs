//! The conversion of a PEP 621 `[project]` pyproject to the legacy
//! `[tool.poetry]` form, the only one the official build image's Poetry 1.8.3
//! reads. Values that differ between the forms, defaults filled in and keys
//! dropped are reported as notes.

use toml_edit::{Array, DocumentMut, Item, Key, Table, Value};

use super::constraint::{parse_requirement, pep440_to_poetry, Requirement};
use super::edit::{
    close_upper, comment_lines, decor_prefix, err, get_table, merge_dep, reorder_front,
    replace_value, table_path_mut, unchanged_on_error, EditError,
};
use super::groups::{move_groups, read_groups};
use super::packages::set_packages;
use super::read::pep621_person;
use super::PYTHON_CONSTRAINT;

/// What [`to_legacy`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegacyReport {
    pub changed: bool,
    /// One sentence for each thing the user should know (a value that differed
    /// between the forms, a default that was filled in, a key that was dropped).
    pub notes: Vec<String>,
}

const PROJECT_KEYS: [&str; 14] = [
    "name",
    "version",
    "description",
    "readme",
    "license",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "urls",
    "scripts",
    "requires-python",
    "dependencies",
    "dynamic",
];

/// Everything read from `[project]` before anything is changed.
struct ProjectParts {
    /// Metadata entries for `[tool.poetry]`, converted, in `[project]` order.
    meta: Vec<(Key, Item)>,
    python: Option<(Key, Value)>,
    deps: Vec<(Requirement, String)>,
    decor_prefix: String,
    position: Option<isize>,
}

fn persons(item: &Item, what: &str) -> Result<Value, EditError> {
    let mut out = Array::new();
    if let Some(arr) = item.as_array() {
        for v in arr {
            match v.as_inline_table().and_then(|t| pep621_person(t)) {
                Some(p) => out.push(p),
                None => {
                    return err(format!(
                        "[project].{what} has an entry without name or email: {}",
                        v.to_string().trim()
                    ))
                }
            }
        }
    } else if let Some(aot) = item.as_array_of_tables() {
        for t in aot {
            match pep621_person(t) {
                Some(p) => out.push(p),
                None => {
                    return err(format!(
                        "[project].{what} has an entry without name or email"
                    ))
                }
            }
        }
    } else {
        return err(format!("[project].{what} is not an array"));
    }
    let mut v = Value::Array(out);
    if let Some(old) = item.as_value() {
        *v.decor_mut() = old.decor().clone();
    }
    Ok(v)
}

fn read_project(
    doc: &DocumentMut,
    notes: &mut Vec<String>,
) -> Result<Option<ProjectParts>, EditError> {
    let Some(item) = doc.get("project") else {
        return Ok(None);
    };
    let Some(project) = item.as_table() else {
        return err("[project] is not a table");
    };
    let unknown: Vec<&str> = project
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !PROJECT_KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return err(format!(
            "[project] has {} that the wizard cannot move to [tool.poetry]; move it by hand first",
            unknown.join(", ")
        ));
    }
    let mut parts = ProjectParts {
        meta: Vec::new(),
        python: None,
        deps: Vec::new(),
        decor_prefix: decor_prefix(project.decor()).unwrap_or("").to_string(),
        position: project.position(),
    };
    for (k, item) in project {
        let key = project.key(k).expect("iterating").clone();
        let converted: Item = match k {
            "name" | "version" | "description" | "keywords" | "classifiers" => item.clone(),
            "authors" | "maintainers" => Item::Value(persons(item, k)?),
            "readme" | "license" => {
                if item.is_str() {
                    item.clone()
                } else if let Some(t) = item.as_table_like() {
                    let field = if k == "readme" { "file" } else { "text" };
                    match t.get(field).and_then(Item::as_str) {
                        Some(s) => toml_edit::value(s),
                        None => {
                            return err(format!(
                                "[project].{k} is a table without '{field}', which [tool.poetry] cannot hold; move it by hand"
                            ))
                        }
                    }
                } else {
                    return err(format!("[project].{k} should be a string"));
                }
            }
            "urls" | "scripts" => item.clone(),
            "requires-python" => {
                let Some(s) = item.as_str() else {
                    return err("[project].requires-python should be a string");
                };
                let closed = close_upper(s, false)?;
                let py = pep440_to_poetry(closed.as_deref().unwrap_or(s));
                if closed.is_some() {
                    notes.push(format!(
                        "requires-python '{s}' has no upper bound, which the SDK (<4.0) cannot resolve: python = \"{py}\""
                    ));
                }
                let k = Key::new("python").with_leaf_decor(key.leaf_decor().clone());
                let mut val = Value::from(py);
                if let Some(old) = item.as_value() {
                    *val.decor_mut() = old.decor().clone();
                }
                parts.python = Some((k, val));
                continue;
            }
            "dependencies" => {
                let Some(arr) = item.as_array() else {
                    return err("[project].dependencies should be an array of strings");
                };
                for val in arr {
                    let Some(s) = val.as_str() else {
                        return err(format!(
                            "[project].dependencies has {}, which is not a requirement string",
                            val.to_string().trim()
                        ));
                    };
                    let r = parse_requirement(s)
                        .map_err(|e| EditError(format!("[project].dependencies: {e}")))?;
                    parts
                        .deps
                        .push((r, comment_lines(decor_prefix(val.decor()))));
                }
                continue;
            }
            "dynamic" => {
                notes.push(
                    "[project].dynamic was dropped: the legacy form has no such list".to_string(),
                );
                continue;
            }
            _ => unreachable!("checked above"),
        };
        parts.meta.push((key, converted));
    }
    Ok(Some(parts))
}

/// Turn a PEP 621 (or mixed) pyproject into the all-legacy form Poetry 1.8.3 reads:
/// `[project]` name, version, description, authors (`{name, email}` -> `"Name <email>"`),
/// readme and the rest move to `[tool.poetry]`; `requires-python` becomes
/// `[tool.poetry.dependencies].python` (with `<4.0` added when open); PEP 508
/// dependencies become `name = "constraint"` entries; `[dependency-groups]` groups
/// become `[tool.poetry.group.<name>.dependencies]`; `packages` is set to `folder`.
/// Then `[project]` and `[dependency-groups]` are removed; `[build-system]` and every
/// other table stay as they are. Where both forms held a value, `[project]`'s wins
/// (Poetry 2 used it) and a note says so; an existing legacy `python` is kept.
///
/// Follow with [`ensure_dev_group`] before `poetry add --group dev`.
pub fn to_legacy(doc: &mut DocumentMut, folder: &str) -> Result<LegacyReport, EditError> {
    unchanged_on_error(doc, |doc| to_legacy_unguarded(doc, folder))
}

fn to_legacy_unguarded(doc: &mut DocumentMut, folder: &str) -> Result<LegacyReport, EditError> {
    let mut notes = Vec::new();
    // Read and check everything first: on error the document is untouched.
    let project = read_project(doc, &mut notes)?;
    read_groups(doc)?;
    if folder.trim().is_empty() {
        return err("the code folder name is empty");
    }
    let mut changed = false;

    if let Some(p) = project {
        let root = doc.as_table_mut();
        let created = get_table(root, &["tool", "poetry"]).is_none_or(Table::is_implicit);
        let poetry = table_path_mut(root, &["tool", "poetry"])?;
        if created {
            poetry.set_implicit(false);
            poetry.set_position(p.position);
            poetry.decor_mut().set_prefix(p.decor_prefix.clone());
        } else {
            let own = decor_prefix(poetry.decor()).unwrap_or("\n").to_string();
            match (p.position, poetry.position()) {
                // [project] came first: [tool.poetry] takes its place (and its comments).
                (Some(pp), Some(tp)) if pp < tp => {
                    poetry.set_position(Some(pp));
                    let joined = format!("{}{}", p.decor_prefix, own.trim_start_matches('\n'));
                    poetry.decor_mut().set_prefix(joined);
                }
                // Else it stays, and [project]'s comments move onto it.
                _ if p.decor_prefix.contains('#') => {
                    let joined = format!("{own}{}", comment_lines(Some(&p.decor_prefix)));
                    poetry.decor_mut().set_prefix(joined);
                }
                _ => {}
            }
        }
        let mut front = Vec::new();
        for (key, item) in p.meta {
            let k = key.get().to_string();
            match poetry.get_mut(&k) {
                Some(existing) => {
                    let before = existing.to_string();
                    let is_value = item.is_value();
                    if is_value && existing.is_value() {
                        if replace_value(existing, item.into_value().expect("value")) {
                            notes.push(format!(
                                "[tool.poetry].{k} was {} and [project].{k} {}; kept [project]'s",
                                before.trim(),
                                poetry.get(&k).expect("set").to_string().trim()
                            ));
                        }
                    } else {
                        *existing = item;
                    }
                }
                None => {
                    front.push(k.clone());
                    poetry.insert_formatted(&key, item);
                }
            }
        }
        for req in ["description", "authors"] {
            if !poetry.contains_key(req) {
                let item = if req == "description" {
                    toml_edit::value("")
                } else {
                    Item::Value(Value::Array(Array::new()))
                };
                poetry.insert(req, item);
                front.push(req.to_string());
                notes.push(format!(
                    "[tool.poetry].{req} was missing and is required by Poetry 1.8.3: added an empty one"
                ));
            }
        }
        for req in ["name", "version"] {
            if !poetry.contains_key(req) {
                notes.push(format!(
                    "[tool.poetry].{req} is missing and Poetry 1.8.3 requires it: add it"
                ));
            }
        }
        // New keys go in Poetry's own order, before whatever [tool.poetry] already held.
        const ORDER: [&str; 11] = [
            "name",
            "version",
            "description",
            "license",
            "authors",
            "maintainers",
            "readme",
            "keywords",
            "classifiers",
            "urls",
            "scripts",
        ];
        let mut ordered: Vec<String> = ORDER
            .iter()
            .filter(|k| front.iter().any(|f| f == *k))
            .map(|k| k.to_string())
            .collect();
        ordered.extend(
            front
                .iter()
                .filter(|f| !ORDER.contains(&f.as_str()))
                .cloned(),
        );
        reorder_front(poetry, &ordered);

        let poetry_pos = poetry.position();
        let deps_created = get_table(poetry, &["dependencies"]).is_none();
        let deps = table_path_mut(poetry, &["dependencies"])?;
        if deps_created {
            deps.set_implicit(false);
            deps.set_position(poetry_pos);
        }
        match (deps.contains_key("python"), p.python) {
            (true, Some((_, py))) => {
                let py = py.as_str().unwrap_or_default();
                let old = deps.get("python").and_then(Item::as_str).unwrap_or("");
                if old != py {
                    notes.push(format!(
                        "kept [tool.poetry.dependencies] python = \"{old}\" (requires-python was '{py}')"
                    ));
                }
            }
            (false, Some((key, py))) => {
                deps.insert_formatted(&key, Item::Value(py));
            }
            (true, None) => {}
            (false, None) => {
                deps.insert("python", toml_edit::value(PYTHON_CONSTRAINT));
                notes.push(format!(
                    "there was no Python range: python = \"{PYTHON_CONSTRAINT}\", the SDK's and the official images'"
                ));
            }
        }
        reorder_front(deps, &["python".to_string()]);
        for (r, comments) in &p.deps {
            merge_dep(deps, r, comments, &mut notes, "dependencies");
        }
        doc.as_table_mut().remove("project");
        changed = true;
    }

    changed |= move_groups(doc, &mut notes)?;
    changed |= set_packages(doc, folder)?;
    Ok(LegacyReport { changed, notes })
}
