//! `[tool.poetry].packages`: what the wheel holds. `new` sets it to the code
//! folder; doctor's `python -m` fix adds the folder beside what is there.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Key, Value};

use super::edit::{
    err, insert_after, replace_value, table_path_mut, unchanged_on_error, EditError,
};

/// Add `{ include = "<folder>" }` to `[tool.poetry].packages`, keeping what is
/// there: the wheel then also holds the folder as a package (doctor's fix for
/// `python -m`), and every module it held before stays where it was.
pub fn add_package(doc: &mut DocumentMut, folder: &str) -> Result<bool, EditError> {
    unchanged_on_error(doc, |doc| add_package_unguarded(doc, folder))
}

fn add_package_unguarded(doc: &mut DocumentMut, folder: &str) -> Result<bool, EditError> {
    if folder.trim().is_empty() || folder.contains(char::is_whitespace) {
        return err(format!("'{folder}' is not a folder name"));
    }
    let t = table_path_mut(doc.as_table_mut(), &["tool", "poetry"])?;
    let Some(arr) = t.get_mut("packages").and_then(Item::as_array_mut) else {
        return err("[tool.poetry] has no packages list to add to");
    };
    let has = arr.iter().any(|v| {
        v.as_inline_table().is_some_and(|it| {
            it.get("include").and_then(Value::as_str) == Some(folder) && it.get("from").is_none()
        })
    });
    if has {
        return Ok(false);
    }
    let mut inc = InlineTable::new();
    inc.insert("include", Value::from(folder));
    inc.fmt();
    // A list written one entry a line gets the new one on its own line too.
    let multiline = arr.iter().next().is_some_and(|v| {
        v.decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'))
    });
    let mut value = Value::InlineTable(inc);
    if multiline {
        let prefix = arr
            .iter()
            .next()
            .and_then(|v| {
                v.decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "\n    ".into());
        value.decor_mut().set_prefix(prefix);
    } else if !arr.is_empty() {
        value.decor_mut().set_prefix(" ");
    }
    arr.push_formatted(value);
    Ok(true)
}

/// Set `[tool.poetry].packages = [{ include = "<folder>" }]`, so the wheel holds the
/// whole code folder (entry and schema modules) whatever the name is.
pub fn set_packages(doc: &mut DocumentMut, folder: &str) -> Result<bool, EditError> {
    unchanged_on_error(doc, |doc| set_packages_unguarded(doc, folder))
}

fn set_packages_unguarded(doc: &mut DocumentMut, folder: &str) -> Result<bool, EditError> {
    if folder.trim().is_empty() || folder.contains(char::is_whitespace) {
        return err(format!("'{folder}' is not a folder name"));
    }
    let root = doc.as_table_mut();
    let t = table_path_mut(root, &["tool", "poetry"])?;
    let already = t.get("packages").and_then(Item::as_array).is_some_and(|a| {
        a.len() == 1
            && a.get(0).and_then(Value::as_inline_table).is_some_and(|it| {
                it.len() == 1 && it.get("include").and_then(Value::as_str) == Some(folder)
            })
    });
    if already {
        return Ok(false);
    }
    let mut inc = InlineTable::new();
    inc.insert("include", Value::from(folder));
    let mut arr = Array::new();
    arr.push(inc);
    match t.get_mut("packages") {
        Some(item) => {
            replace_value(item, Value::Array(arr));
        }
        None => insert_after(
            t,
            Key::new("packages"),
            Item::Value(Value::Array(arr)),
            &["readme", "authors", "description", "version", "name"],
        ),
    }
    if t.is_implicit() {
        t.set_implicit(false);
    }
    Ok(true)
}
