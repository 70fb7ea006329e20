//! What a pyproject.toml says, in either form, for the doctor and the steps.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::constraint::{normalize_name, parse_requirement, v, Constraint};
use super::{module_name, SDK_LAST_FOR_PY39, SDK_NAME, SDK_WRONG_NAME};

/// Where the project's Poetry data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Form {
    /// Everything in `[tool.poetry]` and no `[project]`: what Poetry 1.8.3 needs.
    Legacy,
    /// A `[project]` table and no metadata or dependencies in `[tool.poetry]`
    /// (what Poetry 2 `poetry new` writes); Poetry 1.8.3 cannot read it.
    Pep621,
    /// Both: a `[project]` table and legacy metadata or dependencies.
    Mixed,
    /// Neither a `[project]` table nor legacy metadata.
    Unknown,
}

/// Which key holds the Python range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum PythonWhere {
    /// `[tool.poetry.dependencies].python`
    ToolPoetry,
    /// `[project].requires-python`
    RequiresPython,
}

/// A Python range and what it means for the SDK (`>=3.9,<4.0`) and the official
/// images (Python 3.9).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PythonReq {
    /// As written.
    pub constraint: String,
    pub location: PythonWhere,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    /// It admits nothing at or above 4.0: the SDK's `<4.0` can resolve.
    /// False for `>=3.9`, `>=3.11`, `*`: every SDK version is then unresolvable.
    pub upper_ok: bool,
    /// The lowest Python admitted, if there is a lower bound (`3.9` for `^3.9`).
    pub lower: Option<String>,
    /// It admits nothing below 3.9 (the SDK's lower bound).
    pub lower_ok: bool,
    /// It admits some Python 3.9.x, the official images' Python.
    pub admits_3_9: bool,
    /// It admits some Python below 3.12 (so SDK 0.14.4+ cannot be used).
    pub admits_below_3_12: bool,
}

impl PythonReq {
    fn new(constraint: &str, location: PythonWhere) -> PythonReq {
        let parsed = match location {
            PythonWhere::ToolPoetry => Constraint::parse_poetry(constraint),
            PythonWhere::RequiresPython => Constraint::parse_pep440(constraint),
        };
        match parsed {
            Ok(c) => PythonReq {
                constraint: constraint.to_string(),
                location,
                error: None,
                upper_ok: !c.is_empty() && !c.admits_at_or_above(&v("4.0")),
                lower: c.lower_bound().map(|b| b.version.to_string()),
                lower_ok: !c.is_empty() && !c.admits_below(&v("3.9")),
                admits_3_9: c.overlaps(&Constraint::parse_poetry("3.9.*").expect("literal")),
                admits_below_3_12: c.admits_below(&v("3.12")),
            },
            Err(e) => PythonReq {
                constraint: constraint.to_string(),
                location,
                error: Some(e),
                upper_ok: false,
                lower: None,
                lower_ok: false,
                admits_3_9: false,
                admits_below_3_12: true,
            },
        }
    }

    /// The range, parsed in the syntax of where it was found.
    pub fn parsed(&self) -> Result<Constraint, String> {
        match self.location {
            PythonWhere::ToolPoetry => Constraint::parse_poetry(&self.constraint),
            PythonWhere::RequiresPython => Constraint::parse_pep440(&self.constraint),
        }
    }

    /// Fits the SDK (`>=3.9,<4.0`) and the official images (3.9).
    pub fn fits_official(&self) -> bool {
        self.error.is_none() && self.upper_ok && self.lower_ok && self.admits_3_9
    }
}

/// Where a dependency is declared.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum DepSource {
    /// `[tool.poetry.dependencies]`
    Poetry,
    /// `[tool.poetry.group.<name>.dependencies]`
    PoetryGroup(String),
    /// `[tool.poetry.dev-dependencies]` (Poetry < 1.2 style; 1.8.3 reads it as group `dev`)
    PoetryDevDependencies,
    /// `[project].dependencies` (a PEP 508 string)
    Project,
    /// `[dependency-groups].<name>` (PEP 735; Poetry 1.8.3 does not see it)
    DependencyGroup(String),
}

impl DepSource {
    /// Whether the constraint is in Poetry's syntax (else PEP 440).
    pub fn is_poetry_syntax(&self) -> bool {
        matches!(
            self,
            DepSource::Poetry | DepSource::PoetryGroup(_) | DepSource::PoetryDevDependencies
        )
    }
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dependency {
    /// As written.
    pub name: String,
    /// The version constraint as written: Poetry's (`^0.14.3`) in `[tool.poetry]`, PEP 440
    /// (`>=0.14.3,<0.15.0`) in PEP 508 strings; `*` when none is given; `None` for
    /// git/path/url dependencies.
    pub constraint: Option<String>,
    /// `git = ...`, `path = ...`, `url = ...` when the dependency is not from an index.
    pub origin: Option<String>,
    pub source: DepSource,
}

impl Dependency {
    /// The constraint parsed in its own syntax.
    pub fn parsed(&self) -> Option<Result<Constraint, String>> {
        let c = self.constraint.as_deref()?;
        Some(if self.source.is_poetry_syntax() {
            Constraint::parse_poetry(c)
        } else {
            Constraint::parse_pep440(c)
        })
    }
}

/// The SDK dependency and what its constraint means.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SdkInfo {
    pub dependency: Dependency,
    /// Declared as `arcaflow-plugin-sdk-python`, which does not exist on PyPI.
    pub wrong_name: bool,
    /// The constraint admits 0.14.4 or later, releases that need Python >= 3.12.
    /// Poetry skips them when the Python range is lower, so alone this is only a note.
    pub allows_py312_only: bool,
    /// The constraint admits no release at or below 0.14.3 while the Python range
    /// includes versions below 3.12 (e.g. `^0.14.5` with `^3.9`): unresolvable.
    pub unresolvable: bool,
}

/// A `packages` entry of `[tool.poetry]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackageInclude {
    pub include: String,
    pub from: Option<String>,
}

impl PackageInclude {
    /// The folder relative to the project root (`src/x` for `from = "src"`).
    pub fn path(&self) -> String {
        match &self.from {
            Some(f) => format!("{}/{}", f.trim_end_matches('/'), self.include),
            None => self.include.clone(),
        }
    }
}

/// A `[[tool.poetry.source]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
    pub priority: Option<String>,
}

/// Everything the wizard reads from a pyproject.toml.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProjectInfo {
    pub form: Form,
    /// From `[tool.poetry]` if there, else `[project]` (Poetry 1.8.3's view first).
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    /// As `Name <email>`, whichever form they are written in.
    pub authors: Vec<String>,
    pub readme: Option<String>,
    /// The fields Poetry 1.8.3 requires in `[tool.poetry]` (`name`, `version`,
    /// `description`, `authors`) that are not there, in that order.
    pub legacy_missing: Vec<String>,
    /// `[tool.poetry.dependencies].python`
    pub poetry_python: Option<PythonReq>,
    /// `[project].requires-python`
    pub requires_python: Option<PythonReq>,
    /// Every dependency, from every table that declares them, `python` excluded.
    pub dependencies: Vec<Dependency>,
    /// The SDK, when declared as a main dependency (right or wrong name).
    pub sdk: Option<SdkInfo>,
    /// `[tool.poetry.group.dev.dependencies]` exists.
    pub has_dev_group: bool,
    /// `[tool.poetry.dev-dependencies]` exists (1.8.3 reads it as group `dev`).
    pub has_legacy_dev_dependencies: bool,
    /// A PEP 735 `[dependency-groups]` table exists (invisible to Poetry 1.8.3).
    pub has_dependency_groups: bool,
    /// Its group names.
    pub dependency_groups: Vec<String>,
    /// `[tool.poetry].packages`
    pub packages: Vec<PackageInclude>,
    /// The folder Poetry looks for when `packages` is not set: the name, PEP 503
    /// normalised, `-` to `_`.
    pub package_folder: Option<String>,
    /// `[[tool.poetry.source]]`
    pub sources: Vec<Source>,
    /// `[build-system].requires`
    pub build_requires: Vec<String>,
    /// `[build-system].build-backend`
    pub build_backend: Option<String>,
    /// Values that could not be read (wrong type, bad constraint), one sentence each.
    pub warnings: Vec<String>,
}

impl ProjectInfo {
    /// The Python range Poetry 1.8.3 uses (`[tool.poetry.dependencies].python`), else
    /// `requires-python`.
    pub fn python(&self) -> Option<&PythonReq> {
        self.poetry_python
            .as_ref()
            .or(self.requires_python.as_ref())
    }

    /// The folders the build needs: the `packages` includes, else the name's
    /// folder. A module include (`{ include = "x_plugin.py", from = "./f" }`, the
    /// official plugins' form) names its `from` folder, without `./` (`.` for the
    /// root). probe::layout reads the whole layout; this is its folder part.
    pub fn code_folders(&self) -> Vec<String> {
        if self.packages.is_empty() {
            return self.package_folder.iter().cloned().collect();
        }
        let mut out: Vec<String> = Vec::new();
        for p in &self.packages {
            let folder = if p.include.trim().ends_with(".py") {
                p.from.as_deref().unwrap_or(".").to_string()
            } else {
                p.path()
            };
            let folder = clean_folder(&folder);
            if !out.contains(&folder) {
                out.push(folder);
            }
        }
        out
    }

    /// The official build (Poetry 1.8.3) can read everything: legacy form, complete
    /// metadata, no `[dependency-groups]`, and a dev group for `--without dev`.
    pub fn fits_poetry_1_8(&self) -> bool {
        self.form == Form::Legacy
            && self.legacy_missing.is_empty()
            && !self.has_dependency_groups
            && (self.has_dev_group || self.has_legacy_dev_dependencies)
    }

    /// Dependencies declared in one place.
    pub fn dependencies_in<'a>(
        &'a self,
        source: &'a DepSource,
    ) -> impl Iterator<Item = &'a Dependency> + 'a {
        self.dependencies
            .iter()
            .filter(move |d| &d.source == source)
    }
}

/// `./a/b/` -> `a/b`; `""`, `./` -> `.`.
fn clean_folder(f: &str) -> String {
    let parts: Vec<&str> = f
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn table(item: Option<&Item>) -> Option<&dyn TableLike> {
    item.and_then(Item::as_table_like)
}

fn path<'a>(doc: &'a DocumentMut, keys: &[&str]) -> Option<&'a Item> {
    let mut item = doc.as_item();
    for k in keys {
        item = item.as_table_like()?.get(k)?;
    }
    Some(item)
}

fn string_at(
    t: Option<&dyn TableLike>,
    key: &str,
    where_: &str,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let item = t?.get(key)?;
    match item.as_str() {
        Some(s) => Some(s.to_string()),
        None => {
            warnings.push(format!(
                "{where_}.{key} should be a string, found {}",
                item.type_name()
            ));
            None
        }
    }
}

/// `{name = "A", email = "a@b"}` -> `A <a@b>`.
pub(crate) fn pep621_person(t: &dyn TableLike) -> Option<String> {
    let name = t.get("name").and_then(Item::as_str).map(str::trim);
    let email = t.get("email").and_then(Item::as_str).map(str::trim);
    match (name, email) {
        (Some(n), Some(e)) if !n.is_empty() => Some(format!("{n} <{e}>")),
        (Some(n), None) if !n.is_empty() => Some(n.to_string()),
        (_, Some(e)) if !e.is_empty() => Some(e.to_string()),
        _ => None,
    }
}

fn value_table(v: &Value) -> Option<&dyn TableLike> {
    v.as_inline_table().map(|t| t as &dyn TableLike)
}

fn authors_at(
    t: Option<&dyn TableLike>,
    pep621: bool,
    where_: &str,
    warnings: &mut Vec<String>,
) -> Option<Vec<String>> {
    let item = t?.get("authors")?;
    let mut out = Vec::new();
    if pep621 {
        if let Some(aot) = item.as_array_of_tables() {
            out.extend(aot.iter().filter_map(|t| pep621_person(t)));
            return Some(out);
        }
    }
    let Some(arr) = item.as_array() else {
        warnings.push(format!("{where_}.authors should be an array"));
        return None;
    };
    for a in arr.iter() {
        match (a.as_str(), value_table(a)) {
            (Some(s), _) if !pep621 => out.push(s.to_string()),
            (_, Some(t)) if pep621 => out.extend(pep621_person(t)),
            _ => warnings.push(format!(
                "{where_}.authors has an entry Poetry cannot read: {}",
                a.to_string().trim()
            )),
        }
    }
    Some(out)
}

/// The version constraint and origin of a `[tool.poetry...dependencies]` value.
pub(crate) fn poetry_dep_value(item: &Item) -> (Option<String>, Option<String>) {
    if let Some(s) = item.as_str() {
        return (Some(s.to_string()), None);
    }
    if let Some(t) = item.as_table_like() {
        if let Some(ver) = t.get("version").and_then(Item::as_str) {
            return (Some(ver.to_string()), None);
        }
        for k in ["git", "path", "url"] {
            if let Some(o) = t.get(k).and_then(Item::as_str) {
                return (None, Some(format!("{k} = {o}")));
            }
        }
        return (Some("*".to_string()), None);
    }
    if let Some(arr) = item.as_array() {
        // Multiple constraints (one per marker): their union.
        let vs: Vec<String> = arr
            .iter()
            .filter_map(|v| {
                value_table(v)
                    .and_then(|t| t.get("version"))
                    .and_then(Item::as_str)
                    .map(str::to_string)
                    .or_else(|| v.as_str().map(str::to_string))
            })
            .collect();
        if !vs.is_empty() {
            return (Some(vs.join(" || ")), None);
        }
    }
    if let Some(aot) = item.as_array_of_tables() {
        let vs: Vec<String> = aot
            .iter()
            .filter_map(|t| t.get("version").and_then(Item::as_str).map(str::to_string))
            .collect();
        if !vs.is_empty() {
            return (Some(vs.join(" || ")), None);
        }
    }
    (None, None)
}

fn poetry_deps(
    t: Option<&dyn TableLike>,
    source: DepSource,
    out: &mut Vec<Dependency>,
    python: &mut Option<String>,
) {
    let Some(t) = t else { return };
    for (name, item) in t.iter() {
        if name == "python" {
            if source == DepSource::Poetry {
                *python = item.as_str().map(str::to_string);
            }
            continue;
        }
        let (constraint, origin) = poetry_dep_value(item);
        out.push(Dependency {
            name: name.to_string(),
            constraint,
            origin,
            source: source.clone(),
        });
    }
}

fn pep508_deps(
    item: Option<&Item>,
    source: DepSource,
    where_: &str,
    out: &mut Vec<Dependency>,
    warnings: &mut Vec<String>,
) {
    let Some(item) = item else { return };
    let Some(arr) = item.as_array() else {
        warnings.push(format!(
            "{where_} should be an array of requirement strings"
        ));
        return;
    };
    for val in arr.iter() {
        let Some(s) = val.as_str() else {
            if value_table(val).is_some_and(|t| t.contains_key("include-group")) {
                continue;
            }
            warnings.push(format!(
                "{where_} has an entry that is not a string: {}",
                val.to_string().trim()
            ));
            continue;
        };
        match parse_requirement(s) {
            Ok(r) => out.push(Dependency {
                name: r.name,
                constraint: if r.url.is_some() {
                    None
                } else if r.specifier.is_empty() {
                    Some("*".to_string())
                } else {
                    Some(r.specifier)
                },
                origin: r.url.map(|u| format!("url = {u}")),
                source: source.clone(),
            }),
            Err(e) => warnings.push(format!("{where_}: {e}")),
        }
    }
}

fn sdk_info(deps: &[Dependency], python: Option<&PythonReq>) -> Option<SdkInfo> {
    let main = |d: &&Dependency| matches!(d.source, DepSource::Poetry | DepSource::Project);
    let right = normalize_name(SDK_NAME);
    let wrong = normalize_name(SDK_WRONG_NAME);
    let dep = deps
        .iter()
        .filter(main)
        .find(|d| normalize_name(&d.name) == right)
        .or_else(|| {
            deps.iter()
                .filter(main)
                .find(|d| normalize_name(&d.name) == wrong)
        })?;
    let wrong_name = normalize_name(&dep.name) == wrong;
    let parsed = dep.parsed().and_then(Result::ok);
    let allows_py312_only = parsed
        .as_ref()
        .is_some_and(|c| c.admits_at_or_above(&v("0.14.4")));
    let below_312 = python.is_none_or(|p| p.admits_below_3_12);
    let unresolvable = below_312
        && parsed
            .as_ref()
            .is_some_and(|c| !c.admits_at_or_below(&v(SDK_LAST_FOR_PY39)));
    Some(SdkInfo {
        dependency: dep.clone(),
        wrong_name,
        allows_py312_only,
        unresolvable,
    })
}

/// Read everything the doctor and the steps need from a parsed pyproject.toml.
pub fn inspect(doc: &DocumentMut) -> ProjectInfo {
    let mut warnings = Vec::new();
    let poetry = table(path(doc, &["tool", "poetry"]));
    let project = table(doc.get("project"));
    if doc.get("project").is_some() && project.is_none() {
        warnings.push("[project] is not a table".to_string());
    }
    if path(doc, &["tool", "poetry"]).is_some() && poetry.is_none() {
        warnings.push("tool.poetry is not a table".to_string());
    }
    let poetry_deps_table = table(path(doc, &["tool", "poetry", "dependencies"]));

    const META: [&str; 4] = ["name", "version", "description", "authors"];
    let legacy_meta = poetry.is_some_and(|t| META.iter().any(|k| t.contains_key(k)))
        || poetry_deps_table.is_some();
    let form = match (project.is_some(), legacy_meta) {
        (true, false) => Form::Pep621,
        (false, true) => Form::Legacy,
        (true, true) => Form::Mixed,
        (false, false) => Form::Unknown,
    };
    let legacy_missing = META
        .iter()
        .filter(|k| !poetry.is_some_and(|t| t.contains_key(k)))
        .map(|k| k.to_string())
        .collect();

    let tp = "[tool.poetry]";
    let pj = "[project]";
    let name = string_at(poetry, "name", tp, &mut warnings)
        .or_else(|| string_at(project, "name", pj, &mut warnings));
    let version = string_at(poetry, "version", tp, &mut warnings)
        .or_else(|| string_at(project, "version", pj, &mut warnings));
    let description = string_at(poetry, "description", tp, &mut warnings)
        .or_else(|| string_at(project, "description", pj, &mut warnings));
    let authors = authors_at(poetry, false, tp, &mut warnings)
        .or_else(|| authors_at(project, true, pj, &mut warnings))
        .unwrap_or_default();
    let readme = poetry
        .and_then(|t| t.get("readme"))
        .or_else(|| project.and_then(|t| t.get("readme")))
        .and_then(|i| {
            i.as_str().map(str::to_string).or_else(|| {
                i.as_table_like()
                    .and_then(|t| t.get("file"))
                    .and_then(Item::as_str)
                    .map(str::to_string)
            })
        });

    let mut dependencies = Vec::new();
    let mut python_raw = None;
    poetry_deps(
        poetry_deps_table,
        DepSource::Poetry,
        &mut dependencies,
        &mut python_raw,
    );
    if let Some(groups) = table(path(doc, &["tool", "poetry", "group"])) {
        for (g, item) in groups.iter() {
            let deps = item
                .as_table_like()
                .and_then(|t| table(t.get("dependencies")));
            poetry_deps(
                deps,
                DepSource::PoetryGroup(g.to_string()),
                &mut dependencies,
                &mut None,
            );
        }
    }
    let legacy_dev = table(path(doc, &["tool", "poetry", "dev-dependencies"]));
    poetry_deps(
        legacy_dev,
        DepSource::PoetryDevDependencies,
        &mut dependencies,
        &mut None,
    );
    pep508_deps(
        project.and_then(|t| t.get("dependencies")),
        DepSource::Project,
        "[project].dependencies",
        &mut dependencies,
        &mut warnings,
    );
    let dep_groups = table(doc.get("dependency-groups"));
    let mut dependency_groups = Vec::new();
    if let Some(g) = dep_groups {
        for (name, item) in g.iter() {
            dependency_groups.push(name.to_string());
            pep508_deps(
                Some(item),
                DepSource::DependencyGroup(name.to_string()),
                &format!("[dependency-groups].{name}"),
                &mut dependencies,
                &mut warnings,
            );
        }
    }

    let poetry_python = python_raw.map(|p| PythonReq::new(&p, PythonWhere::ToolPoetry));
    let requires_python = string_at(project, "requires-python", pj, &mut warnings)
        .map(|p| PythonReq::new(&p, PythonWhere::RequiresPython));
    for p in poetry_python.iter().chain(requires_python.iter()) {
        if let Some(e) = &p.error {
            warnings.push(format!(
                "the Python range '{}' cannot be read: {e}",
                p.constraint
            ));
        }
    }
    for d in &dependencies {
        if let Some(Err(e)) = d.parsed() {
            warnings.push(format!("the constraint of {} cannot be read: {e}", d.name));
        }
    }
    let sdk = sdk_info(
        &dependencies,
        poetry_python.as_ref().or(requires_python.as_ref()),
    );

    let has_dev_group = table(path(
        doc,
        &["tool", "poetry", "group", "dev", "dependencies"],
    ))
    .is_some();

    let mut packages = Vec::new();
    if let Some(item) = poetry.and_then(|t| t.get("packages")) {
        let mut push = |t: &dyn TableLike| {
            if let Some(inc) = t.get("include").and_then(Item::as_str) {
                packages.push(PackageInclude {
                    include: inc.to_string(),
                    from: t.get("from").and_then(Item::as_str).map(str::to_string),
                });
            }
        };
        if let Some(arr) = item.as_array() {
            arr.iter().filter_map(value_table).for_each(&mut push);
        } else if let Some(aot) = item.as_array_of_tables() {
            aot.iter().for_each(|t| push(t));
        } else {
            warnings.push("[tool.poetry].packages should be an array".to_string());
        }
    }

    let mut sources = Vec::new();
    if let Some(item) = path(doc, &["tool", "poetry", "source"]) {
        let mut push = |t: &dyn TableLike| {
            sources.push(Source {
                name: t
                    .get("name")
                    .and_then(Item::as_str)
                    .unwrap_or_default()
                    .to_string(),
                url: t.get("url").and_then(Item::as_str).map(str::to_string),
                priority: t.get("priority").and_then(Item::as_str).map(str::to_string),
            })
        };
        if let Some(aot) = item.as_array_of_tables() {
            aot.iter().for_each(|t| push(t));
        } else if let Some(arr) = item.as_array() {
            arr.iter().filter_map(value_table).for_each(&mut push);
        }
    }

    let build = table(doc.get("build-system"));
    let build_requires = build
        .and_then(|t| t.get("requires"))
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let build_backend = build
        .and_then(|t| t.get("build-backend"))
        .and_then(Item::as_str)
        .map(str::to_string);

    ProjectInfo {
        form,
        package_folder: name.as_deref().map(module_name),
        name,
        version,
        description,
        authors,
        readme,
        legacy_missing,
        poetry_python,
        requires_python,
        dependencies,
        sdk,
        has_dev_group,
        has_legacy_dev_dependencies: legacy_dev.is_some(),
        has_dependency_groups: dep_groups.is_some(),
        dependency_groups,
        packages,
        sources,
        build_requires,
        build_backend,
        warnings,
    }
}
