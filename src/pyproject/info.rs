//! What a pyproject.toml says, as data: its form, metadata, Python range,
//! dependencies, the SDK, folders and sources. `read::inspect` fills it in.

use super::constraint::{v, Constraint};

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
    pub(super) fn new(constraint: &str, location: PythonWhere) -> PythonReq {
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
