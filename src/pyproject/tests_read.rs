//! `inspect` on what Poetry really writes (tests/fixtures/pyproject, made with Poetry
//! 1.8.3 and 2.5.1) and on hand-made broken files.

use super::*;

pub(crate) const POETRY1_NEW: &str =
    include_str!("../../tests/fixtures/pyproject/poetry1_8_3_new.toml");
pub(crate) const POETRY2_FLAT: &str =
    include_str!("../../tests/fixtures/pyproject/poetry2_5_1_new_flat.toml");
pub(crate) const POETRY2_SRC: &str =
    include_str!("../../tests/fixtures/pyproject/poetry2_5_1_new_src.toml");
pub(crate) const POETRY2_FLAT_ADDED: &str =
    include_str!("../../tests/fixtures/pyproject/poetry2_5_1_flat_after_add.toml");
pub(crate) const POETRY2_LEGACY_ADDED: &str =
    include_str!("../../tests/fixtures/pyproject/poetry2_5_1_legacy_after_add.toml");

fn info(text: &str) -> ProjectInfo {
    inspect(&parse(text).expect("valid TOML"))
}

#[test]
fn poetry_1_8_3_new_is_legacy_without_a_dev_group() {
    let i = info(POETRY1_NEW);
    assert_eq!(i.form, Form::Legacy);
    assert_eq!(i.name.as_deref(), Some("arcaflow-plugin-example"));
    assert_eq!(i.version.as_deref(), Some("0.1.0"));
    assert_eq!(i.description.as_deref(), Some(""));
    assert_eq!(i.authors, ["Your Name <you@example.com>"]);
    assert_eq!(i.readme.as_deref(), Some("README.md"));
    assert!(i.legacy_missing.is_empty());
    let py = i.python().unwrap();
    assert_eq!(
        (py.constraint.as_str(), py.location),
        ("^3.9", PythonWhere::ToolPoetry)
    );
    assert!(py.upper_ok && py.lower_ok && py.admits_3_9 && py.fits_official());
    assert_eq!(py.lower.as_deref(), Some("3.9"));
    assert!(i.requires_python.is_none());
    assert!(i.dependencies.is_empty() && i.sdk.is_none());
    assert!(!i.has_dev_group && !i.has_dependency_groups);
    assert!(!i.fits_poetry_1_8(), "no dev group: --without dev fails");
    assert_eq!(i.package_folder.as_deref(), Some("arcaflow_plugin_example"));
    assert_eq!(i.code_folders(), ["arcaflow_plugin_example"]);
    assert_eq!(i.build_requires, ["poetry-core"]);
    assert_eq!(i.build_backend.as_deref(), Some("poetry.core.masonry.api"));
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
}

#[test]
fn poetry_2_new_flat_is_pep621_with_an_open_range() {
    let i = info(POETRY2_FLAT);
    assert_eq!(i.form, Form::Pep621);
    assert_eq!(i.name.as_deref(), Some("arcaflow-plugin-example"));
    assert_eq!(i.authors, ["Your Name <you@example.com>"]);
    assert_eq!(
        i.legacy_missing,
        ["name", "version", "description", "authors"],
        "what Poetry 1.8.3 complains about"
    );
    assert!(i.poetry_python.is_none());
    let py = i.python().unwrap();
    assert_eq!(
        (py.constraint.as_str(), py.location),
        (">=3.11", PythonWhere::RequiresPython)
    );
    assert!(!py.upper_ok, "open: every SDK version is unresolvable");
    assert!(py.lower_ok && !py.admits_3_9 && py.admits_below_3_12);
    assert_eq!(py.lower.as_deref(), Some("3.11"));
    assert!(i.dependencies.is_empty());
    assert!(i.packages.is_empty());
    assert_eq!(i.code_folders(), ["arcaflow_plugin_example"]);
    assert_eq!(i.build_requires, ["poetry-core>=2.0.0,<3.0.0"]);
    assert!(!i.fits_poetry_1_8());
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
}

#[test]
fn poetry_2_new_src_layout_names_the_src_folder() {
    let i = info(POETRY2_SRC);
    assert_eq!(i.form, Form::Pep621, "[tool.poetry] holds only packages");
    assert_eq!(
        i.packages,
        [PackageInclude {
            include: "arcaflow_plugin_example".into(),
            from: Some("src".into())
        }]
    );
    assert_eq!(i.code_folders(), ["src/arcaflow_plugin_example"]);
}

#[test]
fn poetry_2_adds_go_to_project_and_dependency_groups() {
    let i = info(POETRY2_FLAT_ADDED);
    assert_eq!(i.form, Form::Pep621);
    let sdk = i.sdk.as_ref().unwrap();
    assert_eq!(sdk.dependency.source, DepSource::Project);
    assert_eq!(
        sdk.dependency.constraint.as_deref(),
        Some(">=0.14.3,<0.15.0")
    );
    assert!(!sdk.wrong_name && !sdk.unresolvable);
    assert!(
        sdk.allows_py312_only,
        "admits 0.14.4/0.14.5; Poetry skips them"
    );
    assert!(i.has_dependency_groups && !i.has_dev_group);
    assert_eq!(i.dependency_groups, ["dev"]);
    let dev_group = DepSource::DependencyGroup("dev".into());
    let dev: Vec<_> = i.dependencies_in(&dev_group).collect();
    assert_eq!(dev.len(), 1);
    assert_eq!(
        (dev[0].name.as_str(), dev[0].constraint.as_deref()),
        ("flake8", Some(">=7.1.1,<8.0.0"))
    );
    assert_eq!(
        i.sources,
        [Source {
            name: "local".into(),
            url: Some("http://127.0.0.1:18731/simple/".into()),
            priority: Some("primary".into())
        }]
    );
}

#[test]
fn poetry_2_add_group_dev_on_legacy_writes_dependency_groups() {
    let i = info(POETRY2_LEGACY_ADDED);
    assert_eq!(i.form, Form::Legacy);
    let sdk = i.sdk.as_ref().unwrap();
    assert_eq!(sdk.dependency.source, DepSource::Poetry);
    assert_eq!(sdk.dependency.constraint.as_deref(), Some("^0.14.3"));
    assert!(!sdk.unresolvable);
    assert!(i.has_dependency_groups && !i.has_dev_group);
    assert!(!i.fits_poetry_1_8(), "1.8.3: Group(s) not found: dev");
}

#[test]
fn python_ranges_the_sdk_accepts_and_not() {
    for (c, upper_ok, lower_ok) in [
        ("^3.9", true, true),
        (">=3.9,<4.0", true, true),
        ("~3.11", true, true),
        (">=3.9,<3.13", true, true),
        (">=3.9", false, true),
        (">=3.11", false, true),
        ("*", false, false),
        (">=3.8,<4.0", true, false),
        ("^3.8", true, false),
        ("<=4.0", false, false),
    ] {
        let text =
            format!("[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"{c}\"\n");
        let py = info(&text).poetry_python.unwrap();
        assert_eq!((py.upper_ok, py.lower_ok), (upper_ok, lower_ok), "{c}");
    }
    let pep = info("[project]\nname = \"x\"\nrequires-python = \">=3.9,<4.0\"\n");
    assert!(pep.python().unwrap().fits_official());
    let bad = info("[project]\nname = \"x\"\nrequires-python = \"^3.9\"\n");
    let py = bad.python().unwrap();
    assert!(py.error.is_some() && !py.upper_ok, "^ is not PEP 440");
    assert_eq!(bad.warnings.len(), 1, "{:?}", bad.warnings);
}

#[test]
fn sdk_wrong_name_and_too_new_constraint() {
    let wrong = info(
        "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk-python = \"^0.14.3\"\n",
    );
    let sdk = wrong.sdk.unwrap();
    assert!(sdk.wrong_name);
    assert_eq!(sdk.dependency.name, "arcaflow-plugin-sdk-python");

    // What `poetry add arcaflow-plugin-sdk` writes when it picks the newest.
    let too_new = |python: &str| {
        info(&format!(
            "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"{python}\"\nArcaflow_Plugin_SDK = \"^0.14.5\"\n"
        ))
        .sdk
        .unwrap()
    };
    let s = too_new("^3.9");
    assert!(!s.wrong_name && s.allows_py312_only && s.unresolvable);
    assert!(
        !too_new(">=3.12,<4.0").unresolvable,
        "fine for a plugin that targets Python 3.12+"
    );

    let pep = info(
        "[project]\nname = \"x\"\nrequires-python = \">=3.9,<4.0\"\ndependencies = [\"arcaflow-plugin-sdk (>=0.14.5,<0.15.0)\"]\n",
    );
    assert!(pep.sdk.unwrap().unresolvable);
    let pinned = info(
        "[tool.poetry]\nname = \"x\"\n[tool.poetry.dependencies]\npython = \"^3.9\"\narcaflow-plugin-sdk = \"0.14.3\"\n",
    );
    let s = pinned.sdk.unwrap();
    assert!(!s.allows_py312_only && !s.unresolvable);
}

#[test]
fn mixed_forms_and_other_tables() {
    let i = info(
        r#"[project]
name = "from-project"
version = "1.0.0"
requires-python = ">=3.9"

[tool.poetry]
name = "from-poetry"
packages = [{ include = "pkg" }, { include = "other", from = "lib" }]

[tool.poetry.dependencies]
python = "^3.9"
arcaflow-plugin-sdk = { version = "^0.14.3", source = "internal" }
mylib = { git = "https://example.com/mylib.git" }

[tool.poetry.dev-dependencies]
pytest = "*"

[tool.poetry.group.test.dependencies]
coverage = "^7"

[[tool.poetry.source]]
name = "internal"
url = "https://pypi.example.com/simple/"
priority = "supplemental"
"#,
    );
    assert_eq!(i.form, Form::Mixed);
    assert_eq!(
        i.name.as_deref(),
        Some("from-poetry"),
        "Poetry 1.8.3's view"
    );
    assert_eq!(i.version.as_deref(), Some("1.0.0"));
    assert_eq!(i.legacy_missing, ["version", "description", "authors"]);
    assert_eq!(i.python().unwrap().constraint, "^3.9");
    assert_eq!(i.requires_python.as_ref().unwrap().constraint, ">=3.9");
    assert_eq!(i.code_folders(), ["pkg", "lib/other"]);
    assert_eq!(
        i.sdk.unwrap().dependency.constraint.as_deref(),
        Some("^0.14.3")
    );
    let git = i.dependencies.iter().find(|d| d.name == "mylib").unwrap();
    assert_eq!(git.constraint, None);
    assert_eq!(
        git.origin.as_deref(),
        Some("git = https://example.com/mylib.git")
    );
    assert!(i.has_legacy_dev_dependencies && !i.has_dev_group);
    assert!(i
        .dependencies
        .iter()
        .any(|d| d.name == "coverage" && d.source == DepSource::PoetryGroup("test".into())));
    assert_eq!(i.sources[0].priority.as_deref(), Some("supplemental"));
}

#[test]
fn unreadable_values_become_warnings() {
    let i = info(
        "[tool.poetry]\nname = \"x\"\nversion = 1\nauthors = \"me\"\n[tool.poetry.dependencies]\npython = \">=banana\"\nfoo = \"^^1\"\n",
    );
    assert_eq!(i.version, None);
    assert_eq!(i.warnings.len(), 4, "{:?}", i.warnings);
    assert!(i.warnings[0].contains("[tool.poetry].version should be a string"));
    assert_eq!(info("").form, Form::Unknown);
    assert_eq!(info("[tool.black]\nx = 1\n").form, Form::Unknown);
}

#[test]
fn a_module_include_names_its_from_folder() {
    let text = "[tool.poetry]\nname = \"arcaflow_plugin_fio\"\npackages = [\n  { include=\"fio_plugin.py\", from=\"./arcaflow_plugin_fio\"  },\n  { include = \"fio_schema.py\", from = \"arcaflow_plugin_fio/\" },\n]\n";
    let i = inspect(&crate::pyproject::parse(text).unwrap());
    assert_eq!(i.code_folders(), ["arcaflow_plugin_fio"]);
    let text = "[tool.poetry]\nname = \"x\"\npackages = [{ include = \"x.py\", from = \".\" }, { include = \"./pkg/\" }]\n";
    let i = inspect(&crate::pyproject::parse(text).unwrap());
    assert_eq!(i.code_folders(), [".", "pkg"]);
}
