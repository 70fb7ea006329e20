//! A fresh pyproject.toml for a new plugin, in the legacy form.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Key, Table, Value};

/// What goes into a new plugin's pyproject.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacySpec {
    /// `arcaflow-plugin-<name>`
    pub name: String,
    pub version: String,
    pub description: String,
    /// `Name <email>` each.
    pub authors: Vec<String>,
    /// The code folder, `arcaflow_plugin_<name>`.
    pub package: String,
    /// Poetry's form, `^3.9`.
    pub python: String,
    /// A package index to resolve from instead of PyPI (priority `primary`).
    pub index_url: Option<String>,
    /// `[tool.poetry.group.dev.dependencies]` entries (name, Poetry constraint).
    pub dev_dependencies: Vec<(String, String)>,
}

/// The name of the `[[tool.poetry.source]]` written for `index_url`.
pub const INDEX_SOURCE_NAME: &str = "primary-index";

/// A table at `position`. `before` is the text above its header: a blank line, and the
/// comment of the table before when that table has no keys of its own to carry it.
fn table(position: isize, before: &str) -> Table {
    let mut t = Table::new();
    t.set_position(Some(position));
    t.decor_mut().set_prefix(before);
    t
}

fn implicit() -> Table {
    let mut t = Table::new();
    t.set_implicit(true);
    t
}

/// Insert `key = value` with a `# comment` line above it.
fn insert_commented(t: &mut Table, comment: &str, key: &str, item: Item) {
    let mut k = Key::new(key);
    k.leaf_decor_mut().set_prefix(format!("# {comment}\n"));
    t.insert_formatted(&k, item);
}

/// A new plugin's pyproject.toml in the legacy `[tool.poetry]` form, with a comment on
/// each table that says why it is the way it is. Same input, same bytes.
pub fn legacy_pyproject(spec: &LegacySpec) -> String {
    // Each reason is a comment line INSIDE its table, under the header: Poetry (tomlkit)
    // counts a comment above a header as the end of the table before it, and `poetry add`
    // would put the new line under that comment. The first table's comment heads the file.
    let mut doc = DocumentMut::new();
    let mut pos = 0;
    let mut next = || {
        pos += 1;
        pos
    };

    let mut poetry = table(
        next(),
        "# Legacy [tool.poetry] form: the official build image runs Poetry 1.8.3, which reads nothing else.\n",
    );
    poetry.insert("name", toml_edit::value(spec.name.as_str()));
    poetry.insert("version", toml_edit::value(spec.version.as_str()));
    poetry.insert("description", toml_edit::value(spec.description.as_str()));
    let authors: Array = spec.authors.iter().map(String::as_str).collect();
    poetry.insert("authors", toml_edit::value(authors));
    poetry.insert("readme", toml_edit::value("README.md"));
    let mut include = InlineTable::new();
    include.insert("include", Value::from(spec.package.as_str()));
    let mut packages = Array::new();
    packages.push(include);
    insert_commented(
        &mut poetry,
        "The whole code folder goes into the wheel: entry and schema modules.",
        "packages",
        toml_edit::value(packages),
    );

    let mut deps = table(next(), "\n");
    insert_commented(
        &mut deps,
        "Keep an upper bound (^3.9 = >=3.9,<4.0): the SDK says <4.0, so an open range cannot resolve.",
        "python",
        toml_edit::value(spec.python.as_str()),
    );
    poetry.insert("dependencies", Item::Table(deps));

    let mut dev_deps = table(next(), "\n");
    let dev_why = "Poetry 2 adds dev tools here only if this exists; the Dockerfile's --without dev needs it too.";
    let mut dev_comment = format!("# {dev_why}\n\n");
    if let Some(((first, c), rest)) = spec.dev_dependencies.split_first() {
        insert_commented(&mut dev_deps, dev_why, first, toml_edit::value(c.as_str()));
        for (name, c) in rest {
            dev_deps.insert(name, toml_edit::value(c.as_str()));
        }
        dev_comment = "\n".into();
    }
    // An empty table's comment can only be written as the text before the next header.
    let dev_comment = dev_comment.as_str();
    let mut dev = implicit();
    dev.insert("dependencies", Item::Table(dev_deps));
    let mut group = implicit();
    group.insert("dev", Item::Table(dev));
    poetry.insert("group", Item::Table(group));

    let mut after_dev = Some(dev_comment);
    if let Some(url) = &spec.index_url {
        let mut source = table(next(), after_dev.take().expect("first"));
        insert_commented(
            &mut source,
            "The package index to resolve from; a primary source means PyPI is not used.",
            "name",
            toml_edit::value(INDEX_SOURCE_NAME),
        );
        source.insert("url", toml_edit::value(url.as_str()));
        source.insert("priority", toml_edit::value("primary"));
        let mut aot = ArrayOfTables::new();
        aot.push(source);
        poetry.insert("source", Item::ArrayOfTables(aot));
    }

    let mut tool = implicit();
    tool.insert("poetry", Item::Table(poetry));
    doc.insert("tool", Item::Table(tool));

    let mut build = table(next(), after_dev.unwrap_or("\n"));
    let requires: Array = ["poetry-core>=1.0.0"].into_iter().collect();
    insert_commented(
        &mut build,
        "Any poetry-core since 1.0 builds this form, so pip can build the package without Poetry.",
        "requires",
        toml_edit::value(requires),
    );
    build.insert("build-backend", toml_edit::value("poetry.core.masonry.api"));
    doc.insert("build-system", Item::Table(build));

    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn example_spec(index_url: Option<&str>) -> LegacySpec {
        LegacySpec {
            name: "arcaflow-plugin-example".into(),
            version: "0.1.0".into(),
            description: "An example plugin: \"quoted\" words".into(),
            authors: vec!["Arcalot contributors <arcalot@example.com>".into()],
            package: "arcaflow_plugin_example".into(),
            python: "^3.9".into(),
            index_url: index_url.map(str::to_string),
            dev_dependencies: Vec::new(),
        }
    }

    #[test]
    fn writes_the_legacy_form_in_order_with_reasons() {
        let text = legacy_pyproject(&example_spec(Some("http://127.0.0.1:8080/simple/")));
        // Each reason sits under its header: Poetry's tomlkit reads a comment above a
        // header as the end of the previous table and would add lines below it.
        let want = r#"# Legacy [tool.poetry] form: the official build image runs Poetry 1.8.3, which reads nothing else.
[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = 'An example plugin: "quoted" words'
authors = ["Arcalot contributors <arcalot@example.com>"]
readme = "README.md"
# The whole code folder goes into the wheel: entry and schema modules.
packages = [{ include = "arcaflow_plugin_example" }]

[tool.poetry.dependencies]
# Keep an upper bound (^3.9 = >=3.9,<4.0): the SDK says <4.0, so an open range cannot resolve.
python = "^3.9"

[tool.poetry.group.dev.dependencies]
# Poetry 2 adds dev tools here only if this exists; the Dockerfile's --without dev needs it too.

[[tool.poetry.source]]
# The package index to resolve from; a primary source means PyPI is not used.
name = "primary-index"
url = "http://127.0.0.1:8080/simple/"
priority = "primary"

[build-system]
# Any poetry-core since 1.0 builds this form, so pip can build the package without Poetry.
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#;
        assert_eq!(text, want);
    }

    #[test]
    fn without_an_index_there_is_no_source_and_output_is_stable() {
        let a = legacy_pyproject(&example_spec(None));
        assert!(!a.contains("tool.poetry.source"));
        assert!(a.contains(
            "[tool.poetry.group.dev.dependencies]\n# Poetry 2 adds dev tools here only if this exists; the Dockerfile's --without dev needs it too.\n\n[build-system]\n"
        ));
        assert_eq!(a, legacy_pyproject(&example_spec(None)), "deterministic");
        // It reads back as the legacy form the official build needs.
        let doc = crate::pyproject::parse(&a).unwrap();
        let info = crate::pyproject::inspect(&doc);
        assert_eq!(info.form, crate::pyproject::Form::Legacy);
        assert!(info.legacy_missing.is_empty());
        assert!(info.has_dev_group && !info.has_dependency_groups);
        assert!(info.python().unwrap().fits_official());
        assert_eq!(info.code_folders(), ["arcaflow_plugin_example"]);
        assert!(info.fits_poetry_1_8());
        assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    }

    #[test]
    fn dev_tools_sit_under_their_comment_in_the_dev_group() {
        let mut spec = example_spec(None);
        spec.dev_dependencies = vec![
            ("flake8".into(), "~7.3".into()),
            ("coverage".into(), "~7.10".into()),
        ];
        let text = legacy_pyproject(&spec);
        assert!(
            text.contains("[tool.poetry.group.dev.dependencies]\n# Poetry 2 adds dev tools here only if this exists; the Dockerfile's --without dev needs it too.\nflake8 = \"~7.3\"\ncoverage = \"~7.10\"\n\n[build-system]"),
            "{text}"
        );
        let info = crate::pyproject::inspect(&crate::pyproject::parse(&text).unwrap());
        assert!(info.has_dev_group && info.form == crate::pyproject::Form::Legacy);
    }
}
