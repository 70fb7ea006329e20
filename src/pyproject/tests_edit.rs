//! Every edit on both forms: the intended keys change, comments and everything else stay.

use super::tests_read::{
    POETRY1_NEW, POETRY2_FLAT, POETRY2_FLAT_ADDED, POETRY2_LEGACY_ADDED, POETRY2_SRC,
};
use super::*;

fn doc(text: &str) -> toml_edit::DocumentMut {
    parse(text).expect("valid TOML")
}

/// Apply an edit and return whether it changed anything and the new text.
fn run<T>(
    text: &str,
    f: impl FnOnce(&mut toml_edit::DocumentMut) -> Result<T, EditError>,
) -> (T, String) {
    let mut d = doc(text);
    let r = f(&mut d).expect("edit succeeds");
    let out = d.to_string();
    parse(&out).expect("the result is valid TOML");
    (r, out)
}

const LEGACY_COMMENTED: &str = r#"# my plugin
[tool.poetry]
name = "arcaflow-plugin-demo"  # dist name
version = "0.1.0" # bumped by release
description = "Demo"
authors = ["Ada <ada@example.com>"]

# runtime
[tool.poetry.dependencies]
python = ">=3.9"   # too open
arcaflow-plugin-sdk-python = "^0.14.0" # the guide's name
requests = "^2.31"

# style
[tool.black]
line-length = 88

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
"#;

const PEP621_COMMENTED: &str = r#"# my plugin
[project]
name = "arcaflow-plugin-demo" # dist name
version = "0.1.0" # bumped by release
description = "Demo"
authors = [
    {name = "Ada", email = "ada@example.com"},
]
requires-python = ">=3.11" # from poetry new
dependencies = [
    "requests (>=2.31,<3.0)",
    # the guide's name
    "arcaflow-plugin-sdk-python (>=0.14.0,<0.15.0)",
]

# style
[tool.black]
line-length = 88
"#;

#[test]
fn set_version_in_either_form_keeps_comments() {
    let (changed, out) = run(LEGACY_COMMENTED, |d| set_version(d, "0.2.0"));
    assert!(changed);
    assert_eq!(
        out,
        LEGACY_COMMENTED.replace(
            "version = \"0.1.0\" # bumped",
            "version = \"0.2.0\" # bumped"
        )
    );
    let (changed, out) = run(PEP621_COMMENTED, |d| set_version(d, "1.0.0rc1"));
    assert!(changed);
    assert_eq!(
        out,
        PEP621_COMMENTED.replace(
            "version = \"0.1.0\" # bumped",
            "version = \"1.0.0rc1\" # bumped"
        )
    );
    let (changed, out) = run(LEGACY_COMMENTED, |d| set_version(d, "0.1.0"));
    assert!(!changed, "already that version");
    assert_eq!(out, LEGACY_COMMENTED);

    // Mixed: both are set.
    let mixed = "[project]\nname = \"x\"\nversion = \"1\"\n\n[tool.poetry]\nname = \"x\"\nversion = \"1\"\n";
    let (_, out) = run(mixed, |d| set_version(d, "2"));
    assert_eq!(out, mixed.replace("\"1\"", "\"2\""));

    // Missing: added after the name.
    let (changed, out) = run("[tool.poetry]\nname = \"x\"\ndescription = \"d\"\n", |d| {
        set_version(d, "0.1.0")
    });
    assert!(changed);
    assert_eq!(
        out,
        "[tool.poetry]\nname = \"x\"\nversion = \"0.1.0\"\ndescription = \"d\"\n"
    );
    assert!(set_version(&mut doc("[tool.black]\nx = 1\n"), "1").is_err());
}

#[test]
fn set_python_bound_closes_open_ranges_in_both_forms() {
    let (changed, out) = run(LEGACY_COMMENTED, set_python_bound);
    assert!(changed);
    assert_eq!(
        out,
        LEGACY_COMMENTED.replace(
            "python = \">=3.9\"   # too open",
            "python = \">=3.9,<4.0\"   # too open"
        )
    );
    let (changed, out) = run(PEP621_COMMENTED, set_python_bound);
    assert!(changed);
    assert_eq!(
        out,
        PEP621_COMMENTED.replace(
            "requires-python = \">=3.11\" # from",
            "requires-python = \">=3.11,<4.0\" # from"
        )
    );
    let (changed, out) = run(POETRY1_NEW, set_python_bound);
    assert!(!changed, "^3.9 is closed");
    assert_eq!(out, POETRY1_NEW);

    let bound = |legacy: bool, c: &str| -> String {
        let text = if legacy {
            format!("[tool.poetry.dependencies]\npython = \"{c}\"\n")
        } else {
            format!("[project]\nrequires-python = \"{c}\"\n")
        };
        let mut d = doc(&text);
        set_python_bound(&mut d).unwrap();
        inspect(&d).python().unwrap().constraint.clone()
    };
    assert_eq!(bound(true, "*"), "^3.9");
    assert_eq!(bound(true, ">=3.9,<5"), ">=3.9,<4.0");
    assert_eq!(bound(true, ">= 3.10"), ">=3.10,<4.0");
    assert_eq!(bound(true, "^4.0"), "^3.9", "nothing sensible to keep");
    assert_eq!(bound(true, "^3.9 || >=3.11"), "^3.9");
    assert_eq!(bound(true, "~3.11"), "~3.11");
    assert_eq!(bound(false, ""), ">=3.9,<4.0");
    assert_eq!(bound(false, ">=3.9,!=3.9.1"), ">=3.9,!=3.9.1,<4.0");
    assert_eq!(bound(false, "<=4.0,>=3.9"), ">=3.9,<4.0");
    assert!(set_python_bound(&mut doc("[project]\nrequires-python = \"^3.9\"\n")).is_err());
}

#[test]
fn set_python_sets_both_forms() {
    let (changed, out) = run(POETRY2_FLAT, |d| set_python(d, "^3.9"));
    assert!(changed);
    assert_eq!(
        out,
        POETRY2_FLAT.replace(
            "requires-python = \">=3.11\"",
            "requires-python = \">=3.9,<4.0\""
        )
    );
    let (_, out) = run(LEGACY_COMMENTED, |d| set_python(d, "^3.9"));
    assert_eq!(
        out,
        LEGACY_COMMENTED.replace("python = \">=3.9\"   #", "python = \"^3.9\"   #")
    );
    // A legacy table without dependencies gets one, python first.
    let (_, out) = run(
        "[tool.poetry]\nname = \"x\"\nversion = \"1\"\n\n[build-system]\nrequires = []\n",
        |d| set_python(d, "^3.9"),
    );
    assert_eq!(
        out,
        "[tool.poetry]\nname = \"x\"\nversion = \"1\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n\n[build-system]\nrequires = []\n"
    );
    assert!(set_python(&mut doc(POETRY1_NEW), "^^").is_err());
}

#[test]
fn rename_sdk_in_place_in_both_forms() {
    let (changed, out) = run(LEGACY_COMMENTED, rename_sdk);
    assert!(changed);
    assert_eq!(
        out,
        LEGACY_COMMENTED.replace(
            "arcaflow-plugin-sdk-python = \"^0.14.0\" # the guide's name",
            "arcaflow-plugin-sdk = \"^0.14.3\" # the guide's name"
        ),
        "same place, same comment"
    );
    let (changed, out) = run(PEP621_COMMENTED, rename_sdk);
    assert!(changed);
    assert_eq!(
        out,
        PEP621_COMMENTED.replace(
            "\"arcaflow-plugin-sdk-python (>=0.14.0,<0.15.0)\"",
            "\"arcaflow-plugin-sdk (>=0.14.3,<0.15.0)\""
        )
    );
    let (changed, out) = run(&out, rename_sdk);
    assert!(!changed, "nothing left to rename");
    assert!(out.contains("arcaflow-plugin-sdk (>=0.14.3"));

    // A table value keeps its other keys.
    let (_, out) = run(
        "[tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk-python = { version = \"*\", source = \"x\" }\nz = \"1\"\n",
        rename_sdk,
    );
    assert_eq!(
        out,
        "[tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk = { version = \"^0.14.3\", source = \"x\" }\nz = \"1\"\n"
    );
    // Both names: the wrong one goes.
    let (_, out) = run(
        "[tool.poetry.dependencies]\narcaflow-plugin-sdk = \"^0.14.3\"\narcaflow-plugin-sdk-python = \"*\"\n",
        rename_sdk,
    );
    assert_eq!(
        out,
        "[tool.poetry.dependencies]\narcaflow-plugin-sdk = \"^0.14.3\"\n"
    );
}

#[test]
fn pin_sdk_in_both_forms() {
    let legacy = "[tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk = \"^0.14.5\" # newest\n";
    let (changed, out) = run(legacy, |d| pin_sdk(d, SDK_CONSTRAINT));
    assert!(changed);
    assert_eq!(out, legacy.replace("^0.14.5", "^0.14.3"));
    let (changed, _) = run(&out, |d| pin_sdk(d, SDK_CONSTRAINT));
    assert!(!changed);

    let (changed, out) = run(POETRY2_FLAT_ADDED, |d| pin_sdk(d, "0.14.3"));
    assert!(changed);
    assert_eq!(
        out,
        POETRY2_FLAT_ADDED.replace(
            "\"arcaflow-plugin-sdk (>=0.14.3,<0.15.0)\"",
            "\"arcaflow-plugin-sdk (==0.14.3)\""
        )
    );
    assert!(pin_sdk(&mut doc(POETRY1_NEW), SDK_CONSTRAINT).is_err());
}

#[test]
fn ensure_dev_group_adds_an_empty_table_once() {
    let (changed, out) = run(POETRY1_NEW, ensure_dev_group);
    assert!(changed);
    assert_eq!(
        out,
        POETRY1_NEW.replace(
            "python = \"^3.9\"\n\n[build-system]",
            "python = \"^3.9\"\n\n[tool.poetry.group.dev.dependencies]\n\n[build-system]"
        )
    );
    let (changed, again) = run(&out, ensure_dev_group);
    assert!(!changed);
    assert_eq!(again, out);
    assert!(inspect(&doc(&out)).has_dev_group);

    // After other tool.poetry tables, before unrelated ones; comments stay.
    let (_, out) = run(LEGACY_COMMENTED, ensure_dev_group);
    assert_eq!(
        out,
        LEGACY_COMMENTED.replace(
            "requests = \"^2.31\"\n\n# style",
            "requests = \"^2.31\"\n\n[tool.poetry.group.dev.dependencies]\n\n# style"
        )
    );
    // On a PEP 621 file it still makes the table Poetry 2 then adds to.
    let (_, out) = run(POETRY2_FLAT, ensure_dev_group);
    assert_eq!(
        out,
        format!("{POETRY2_FLAT}\n[tool.poetry.group.dev.dependencies]\n")
    );
}

#[test]
fn move_dependency_groups_into_poetry_groups() {
    let (changed, out) = run(POETRY2_LEGACY_ADDED, move_dependency_groups);
    assert!(changed);
    assert_eq!(
        out,
        POETRY2_LEGACY_ADDED.replace(
            "\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n\n[dependency-groups]\ndev = [\n    \"flake8 (>=7.1.1,<8.0.0)\"\n]\n",
            "\n[tool.poetry.group.dev.dependencies]\nflake8 = \"^7.1.1\"\n\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n"
        )
    );
    let i = inspect(&doc(&out));
    assert!(i.has_dev_group && !i.has_dependency_groups);
    let (changed, _) = run(&out, move_dependency_groups);
    assert!(!changed);

    // include-group has no legacy equivalent: refused, nothing changed.
    let text = "[dependency-groups]\ndev = [{include-group = \"test\"}]\ntest = [\"pytest\"]\n";
    let mut d = doc(text);
    assert!(move_dependency_groups(&mut d).is_err());
    assert_eq!(d.to_string(), text);

    // Into an existing group: merged, the group's entries win.
    let (_, out) = run(
        "[tool.poetry.group.dev.dependencies]\nflake8 = \"^6\"\n\n[dependency-groups]\ndev = [\"flake8>=7\", \"coverage\"]\n",
        move_dependency_groups,
    );
    assert_eq!(
        out,
        "[tool.poetry.group.dev.dependencies]\nflake8 = \">=7\"\ncoverage = \"*\"\n"
    );
}

#[test]
fn set_packages_in_both_forms() {
    let (changed, out) = run(POETRY1_NEW, |d| set_packages(d, "arcaflow_plugin_example"));
    assert!(changed);
    assert_eq!(
        out,
        POETRY1_NEW.replace(
            "readme = \"README.md\"\n",
            "readme = \"README.md\"\npackages = [{ include = \"arcaflow_plugin_example\" }]\n"
        )
    );
    let (changed, _) = run(&out, |d| set_packages(d, "arcaflow_plugin_example"));
    assert!(!changed);
    // Poetry 2's src layout entry is replaced (the folder must move to the root).
    let (_, out) = run(POETRY2_SRC, |d| set_packages(d, "arcaflow_plugin_example"));
    assert_eq!(
        out,
        POETRY2_SRC.replace(
            "packages = [{include = \"arcaflow_plugin_example\", from = \"src\"}]",
            "packages = [{ include = \"arcaflow_plugin_example\" }]"
        )
    );
    // A PEP 621 file without [tool.poetry] gets one (only packages).
    let (_, out) = run(POETRY2_FLAT, |d| set_packages(d, "pkg"));
    assert_eq!(
        out,
        format!("{POETRY2_FLAT}\n[tool.poetry]\npackages = [{{ include = \"pkg\" }}]\n")
    );
    assert!(set_packages(&mut doc(POETRY1_NEW), " ").is_err());
}

const FLAT_ADDED_AS_LEGACY: &str = r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = ""
authors = ["Your Name <you@example.com>"]
readme = "README.md"
packages = [{ include = "arcaflow_plugin_example" }]

[tool.poetry.dependencies]
python = "^3.11"
arcaflow-plugin-sdk = "^0.14.3"


[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"

[[tool.poetry.source]]
name = "local"
url = "http://127.0.0.1:18731/simple/"
priority = "primary"

[tool.poetry.group.dev.dependencies]
flake8 = "^7.1.1"
"#;

#[test]
fn to_legacy_on_what_poetry_2_writes() {
    let (r, out) = run(POETRY2_FLAT_ADDED, |d| {
        to_legacy(d, "arcaflow_plugin_example")
    });
    assert!(r.changed);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(out, FLAT_ADDED_AS_LEGACY);
    let i = inspect(&doc(&out));
    assert_eq!(i.form, Form::Legacy);
    assert!(i.fits_poetry_1_8());

    // Straight from `poetry new --flat`: the open range is closed, with a note.
    let (r, out) = run(POETRY2_FLAT, |d| to_legacy(d, "arcaflow_plugin_example"));
    assert_eq!(
        r.notes,
        ["requires-python '>=3.11' has no upper bound, which the SDK (<4.0) cannot resolve: python = \"^3.11\""]
    );
    assert_eq!(
        out,
        r#"[tool.poetry]
name = "arcaflow-plugin-example"
version = "0.1.0"
description = ""
authors = ["Your Name <you@example.com>"]
readme = "README.md"
packages = [{ include = "arcaflow_plugin_example" }]

[tool.poetry.dependencies]
python = "^3.11"


[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"#
    );
    // The src layout: [tool.poetry] (packages) takes [project]'s place.
    let (_, out) = run(POETRY2_SRC, |d| to_legacy(d, "arcaflow_plugin_example"));
    assert!(
        out.starts_with("[tool.poetry]\nname = \"arcaflow-plugin-example\"\n"),
        "{out}"
    );
    assert!(out.contains("\npackages = [{ include = \"arcaflow_plugin_example\" }]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\n\n[build-system]"), "{out}");

    // Already legacy: only packages is added.
    let (r, out) = run(POETRY1_NEW, |d| to_legacy(d, "arcaflow_plugin_example"));
    assert!(r.changed);
    assert_eq!(
        out,
        POETRY1_NEW.replace(
            "readme = \"README.md\"\n",
            "readme = \"README.md\"\npackages = [{ include = \"arcaflow_plugin_example\" }]\n"
        )
    );
}

#[test]
fn to_legacy_keeps_comments_and_other_tables() {
    let text = r#"# A plugin project (top comment)

# about the project table
[project]
name = "arcaflow-plugin-demo" # the dist name
version = "0.3.0"
description = "Demo"
# who wrote it
authors = [
    {name = "Ada", email = "ada@example.com"},
    {name = "Bob"},
]
readme = "README.md"
requires-python = ">=3.9" # open!
dependencies = [
    # the SDK
    "arcaflow-plugin-sdk (>=0.14.3,<0.15.0)",
    "requests[socks]>=2.31; python_version < '3.12'",
]

[project.scripts]
demo = "arcaflow_plugin_demo.demo_plugin:main"

# tool settings stay
[tool.black]
line-length = 88

# dev tools
[dependency-groups]
dev = [
    "flake8 (>=7.1.1,<8.0.0)",
]

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"#;
    let (r, out) = run(text, |d| to_legacy(d, "arcaflow_plugin_demo"));
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert_eq!(
        out,
        r#"# A plugin project (top comment)

# about the project table
[tool.poetry]
name = "arcaflow-plugin-demo" # the dist name
version = "0.3.0"
description = "Demo"
# who wrote it
authors = ["Ada <ada@example.com>", "Bob"]
readme = "README.md"
packages = [{ include = "arcaflow_plugin_demo" }]

[tool.poetry.dependencies]
python = "^3.9" # open!
# the SDK
arcaflow-plugin-sdk = "^0.14.3"
requests = { version = ">=2.31", extras = ["socks"], markers = "python_version < '3.12'" }

[tool.poetry.scripts]
demo = "arcaflow_plugin_demo.demo_plugin:main"

# dev tools
[tool.poetry.group.dev.dependencies]
flake8 = "^7.1.1"

# tool settings stay
[tool.black]
line-length = 88

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"#
    );
}

#[test]
fn to_legacy_on_a_mixed_file_prefers_project_and_says_so() {
    let text = r#"[project]
name = "new-name"
version = "0.2.0"
description = "d"
authors = [{name = "A", email = "a@x"}]
requires-python = ">=3.9,<4.0"
dependencies = ["arcaflow-plugin-sdk (>=0.14.3,<0.15.0)"]

[tool.poetry]
packages = [{include = "pkg"}]
version = "0.1.0"

[tool.poetry.dependencies]
python = "~3.9"
arcaflow-plugin-sdk = { version = "^0.14.0", source = "internal" }
"#;
    let (r, out) = run(text, |d| to_legacy(d, "pkg"));
    assert_eq!(
        out,
        r#"[tool.poetry]
name = "new-name"
description = "d"
authors = ["A <a@x>"]
packages = [{include = "pkg"}]
version = "0.2.0"

[tool.poetry.dependencies]
python = "~3.9"
arcaflow-plugin-sdk = { version = "^0.14.3", source = "internal" }
"#
    );
    assert_eq!(r.notes.len(), 3, "{:?}", r.notes);
    assert!(
        r.notes[0].contains("[tool.poetry].version was \"0.1.0\""),
        "{:?}",
        r.notes
    );
    assert!(r.notes[1].contains("kept [tool.poetry.dependencies] python = \"~3.9\""));
    assert!(r.notes[2].contains("arcaflow-plugin-sdk was '^0.14.0'"));
}

#[test]
fn to_legacy_refuses_what_it_cannot_move_and_changes_nothing() {
    for text in [
        "[project]\nname = \"x\"\n[project.optional-dependencies]\nfast = [\"uvloop\"]\n",
        "[project]\nname = \"x\"\nentry-points = {}\n",
        "[project]\nname = \"x\"\ndependencies = [\"^1.0\"]\n",
        "[project]\nname = \"x\"\nlicense = {file = \"LICENSE\"}\n",
        "[project]\nname = \"x\"\n[dependency-groups]\ndev = [{include-group = \"t\"}]\n",
    ] {
        let mut d = doc(text);
        let e = to_legacy(&mut d, "x").unwrap_err();
        assert!(!e.0.is_empty());
        assert_eq!(d.to_string(), text, "unchanged after: {e}");
    }
}

#[test]
fn to_legacy_fills_what_poetry_1_8_requires() {
    let (r, out) = run(
        "[project]\nname = \"x\"\nversion = \"1.0\"\ndynamic = [\"readme\"]\n",
        |d| to_legacy(d, "x"),
    );
    assert_eq!(
        out,
        "[tool.poetry]\nname = \"x\"\nversion = \"1.0\"\ndescription = \"\"\nauthors = []\npackages = [{ include = \"x\" }]\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n"
    );
    assert_eq!(r.notes.len(), 4, "{:?}", r.notes);
    assert!(inspect(&doc(&out)).legacy_missing.is_empty());
}

/// Found by `scripts/fuzz` (pyproject_edit): each edit refused only after it
/// had changed the document. A refusal must leave every byte as it was.
#[test]
fn a_refused_edit_leaves_the_document_as_it_was() {
    type Edit = fn(&mut toml_edit::DocumentMut) -> Result<(), EditError>;
    let rows: &[(&str, &str, Edit)] = &[
        (
            "to_legacy: [dependencies] not a table",
            "[project]\n[tool.poetry]\ndependencies=[]",
            |d| to_legacy(d, "x").map(drop),
        ),
        (
            "ensure_dev_group: tool.poetry = 1",
            "tool={poetry=1}",
            |d| ensure_dev_group(d).map(drop),
        ),
        ("set_packages: tool.poetry = 1", "tool={poetry=1}", |d| {
            set_packages(d, "x").map(drop)
        }),
        (
            "move_dependency_groups: group b is not a table",
            "[tool.poetry.group]\nb = 1\n[dependency-groups]\na = []\nb = []",
            |d| move_dependency_groups(d).map(drop),
        ),
    ];
    for (name, text, edit) in rows {
        let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
        let before = doc.to_string();
        assert!(edit(&mut doc).is_err(), "{name}: expected a refusal");
        assert_eq!(doc.to_string(), before, "{name}: the document changed");
    }
}

#[test]
fn add_package_keeps_what_is_packaged_and_the_list_style() {
    let one = "[tool.poetry]\nname = \"x\"\npackages = [{include =\"a.py\", from=\"./f\"}]\n";
    let mut d = parse(one).unwrap();
    assert!(add_package(&mut d, "f").unwrap());
    assert_eq!(
        d.to_string(),
        "[tool.poetry]\nname = \"x\"\npackages = [{include =\"a.py\", from=\"./f\"}, { include = \"f\" }]\n"
    );
    assert!(!add_package(&mut d, "f").unwrap());
    let lines = "[tool.poetry]\npackages = [\n   { include=\"a.py\", from=\"./f\"  },\n]\n";
    let mut d = parse(lines).unwrap();
    assert!(add_package(&mut d, "f").unwrap());
    assert_eq!(
        d.to_string(),
        "[tool.poetry]\npackages = [\n   { include=\"a.py\", from=\"./f\"  },\n   { include = \"f\" },\n]\n"
    );
    let mut none = parse("[tool.poetry]\nname = \"x\"\n").unwrap();
    assert!(add_package(&mut none, "f").is_err());
    assert_eq!(none.to_string(), "[tool.poetry]\nname = \"x\"\n");
}
