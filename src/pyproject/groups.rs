//! PEP 735 `[dependency-groups]`, which Poetry 1.8.3 does not see, moved into
//! Poetry's legacy `[tool.poetry.group.<name>.dependencies]`.

use toml_edit::{DocumentMut, Item};

use super::constraint::{parse_requirement, Requirement};
use super::edit::{
    comment_lines, decor_prefix, err, get_table, max_position, merge_dep, table_path_mut,
    unchanged_on_error, EditError,
};

/// Move every PEP 735 `[dependency-groups]` group (which Poetry 1.8.3 does not see)
/// into `[tool.poetry.group.<name>.dependencies]`, then remove `[dependency-groups]`.
pub fn move_dependency_groups(doc: &mut DocumentMut) -> Result<bool, EditError> {
    unchanged_on_error(doc, move_dependency_groups_unguarded)
}

fn move_dependency_groups_unguarded(doc: &mut DocumentMut) -> Result<bool, EditError> {
    let mut notes = Vec::new();
    move_groups(doc, &mut notes)
}

type Groups = Vec<(String, Vec<(Requirement, String)>)>;

pub(super) fn read_groups(doc: &DocumentMut) -> Result<Groups, EditError> {
    let Some(item) = doc.get("dependency-groups") else {
        return Ok(Vec::new());
    };
    let Some(t) = item.as_table_like() else {
        return err("[dependency-groups] is not a table");
    };
    let mut out = Vec::new();
    for (g, item) in t.iter() {
        let Some(arr) = item.as_array() else {
            return err(format!("[dependency-groups].{g} is not an array"));
        };
        let mut reqs = Vec::new();
        for val in arr {
            let Some(s) = val.as_str() else {
                return err(format!(
                    "[dependency-groups].{g} has {}, which Poetry's legacy groups cannot express (include-group): move it by hand",
                    val.to_string().trim()
                ));
            };
            let r = parse_requirement(s)
                .map_err(|e| EditError(format!("[dependency-groups].{g}: {e}")))?;
            reqs.push((r, comment_lines(decor_prefix(val.decor()))));
        }
        out.push((g.to_string(), reqs));
    }
    Ok(out)
}

pub(super) fn move_groups(
    doc: &mut DocumentMut,
    notes: &mut Vec<String>,
) -> Result<bool, EditError> {
    let groups = read_groups(doc)?;
    if doc.get("dependency-groups").is_none() {
        return Ok(false);
    }
    let root = doc.as_table_mut();
    let old_decor = root
        .get("dependency-groups")
        .and_then(Item::as_table)
        .map(|t| comment_lines(decor_prefix(t.decor())))
        .unwrap_or_default();
    for (i, (g, reqs)) in groups.iter().enumerate() {
        let path = ["tool", "poetry", "group", g.as_str(), "dependencies"];
        let pos = get_table(root, &["tool", "poetry"]).and_then(max_position);
        let created = get_table(root, &path).is_none();
        let t = table_path_mut(root, &path)?;
        if created {
            t.set_implicit(false);
            t.set_position(pos);
            if i == 0 && !old_decor.is_empty() {
                t.decor_mut().set_prefix(format!("\n{old_decor}"));
            }
        }
        let where_ = format!("group {g}");
        for (r, comments) in reqs {
            merge_dep(t, r, comments, notes, &where_);
        }
    }
    root.remove("dependency-groups");
    Ok(true)
}
