//! A plugin project's layout as Poetry and the Dockerfile read it: the code
//! folder and the modules the wheel holds, the Dockerfile's `ARG package`, its
//! entry module, test command and test file, the PYTHONPATH it sets, the system
//! packages its build stage installs, the example inputs, the Python range and
//! SDK, and where the dev tools sit.
//!
//! A pure function of the files: nothing is run. A fact that the files do not
//! settle is `Fact::Unknown` with the reason, never a guess; doctor turns those
//! into warnings, `setup` into questions.

mod compose;
pub(crate) mod docker;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

pub(crate) use docker::SystemPackage;

use crate::pyproject::{self, DepSource, ProjectInfo, PythonReq};

/// A fact about the layout, or why it could not be determined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub(crate) enum Fact<T> {
    /// `from` says where it was read (`pyproject.toml packages`, `Dockerfile line 26`).
    Known {
        value: T,
        from: String,
    },
    Unknown {
        why: String,
    },
}

impl<T> Fact<T> {
    fn known(value: T, from: impl Into<String>) -> Self {
        Fact::Known {
            value,
            from: from.into(),
        }
    }
    fn unknown(why: impl Into<String>) -> Self {
        Fact::Unknown { why: why.into() }
    }
    pub(crate) fn value(&self) -> Option<&T> {
        match self {
            Fact::Known { value, .. } => Some(value),
            Fact::Unknown { .. } => None,
        }
    }
    /// Why it is not known (None when it is).
    pub(crate) fn why(&self) -> Option<&str> {
        match self {
            Fact::Known { .. } => None,
            Fact::Unknown { why } => Some(why),
        }
    }
}

/// The files of a project, as relative paths (`a/b.py`; folders end without `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tree {
    files: BTreeSet<String>,
    dirs: BTreeSet<String>,
}

/// Folders never looked into.
const SKIP: [&str; 7] = [
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "target",
    "__pycache__",
    ".tox",
];

impl Tree {
    /// From a list of file paths (their parent folders are implied). For tests.
    #[cfg(test)]
    pub(crate) fn of<'a>(files: impl IntoIterator<Item = &'a str>) -> Tree {
        let mut t = Tree::default();
        for f in files {
            t.add_file(f);
        }
        t
    }

    #[cfg(test)]
    fn add_file(&mut self, f: &str) {
        let f = docker::normalize(f);
        let mut acc = String::new();
        let parts: Vec<&str> = f.split('/').collect();
        for p in &parts[..parts.len() - 1] {
            if !acc.is_empty() {
                acc.push('/');
            }
            acc.push_str(p);
            self.dirs.insert(acc.clone());
        }
        self.files.insert(f);
    }

    /// The project's files, three folders deep (enough for `tests/unit/test_x.py`).
    pub(crate) fn read(dir: &Path) -> Tree {
        let mut t = Tree::default();
        let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        t.walk(&root, dir, "", 0);
        t
    }

    fn walk(&mut self, root: &Path, dir: &Path, rel: &str, depth: usize) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(ft) = e.file_type() else { continue };
            // A link out of the project (a stranger's clone can hold
            // `inputs/example.yaml -> ~/.pypirc`) is not the project's:
            // nothing reads it as one, as the example input or otherwise.
            if ft.is_symlink()
                && !std::fs::canonicalize(e.path()).is_ok_and(|t| t.starts_with(root))
            {
                continue;
            }
            // Symlinks in it are followed: a linked folder counts as a folder.
            let is_dir = ft.is_dir() || (ft.is_symlink() && e.path().is_dir());
            if is_dir {
                if SKIP.contains(&name.as_str()) {
                    continue;
                }
                self.dirs.insert(path.clone());
                if depth < 3 && self.files.len() < 5000 {
                    self.walk(root, &e.path(), &path, depth + 1);
                }
            } else {
                self.files.insert(path);
            }
        }
    }

    pub(crate) fn is_file(&self, p: &str) -> bool {
        self.files.contains(&docker::normalize(p))
    }
    pub(crate) fn is_dir(&self, p: &str) -> bool {
        let p = docker::normalize(p);
        p == "." || self.dirs.contains(&p)
    }
    #[cfg(test)]
    pub(crate) fn exists(&self, p: &str) -> bool {
        self.is_file(p) || self.is_dir(p)
    }
    /// Files directly in `dir` whose name ends with one of `exts`, sorted.
    fn files_in(&self, dir: &str, exts: &[&str]) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| {
                f.rsplit_once('/').map(|(d, _)| d) == Some(dir)
                    && exts.iter().any(|e| f.ends_with(e))
            })
            .cloned()
            .collect()
    }
}

/// How `[tool.poetry].packages` names the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum PackagesForm {
    /// No `packages`: Poetry packs the folder named for the project.
    Default,
    /// `{ include = "folder" }` (optionally with `from`).
    Folder,
    /// `{ include = "x_plugin.py", from = "./folder" }`: one module from a folder.
    Module,
    /// Globs or entries of both kinds.
    Other,
}

/// Where the dev tools are declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum DevPlace {
    /// `[tool.poetry.group.dev.dependencies]`
    Group,
    /// `[tool.poetry.dev-dependencies]`, which Poetry (1.2+) reads as the group `dev`.
    LegacyTable,
    /// Both tables: Poetry merges them into `dev`.
    Both,
    /// No dev group: `poetry install --without dev` fails on Poetry 1.8.
    None,
}

/// The entry module the image runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Entry {
    /// The ENTRYPOINT's words, substituted.
    pub command: Vec<String>,
    /// The module's path in the image.
    pub image_path: String,
    /// Its path in the project (by the final stage's COPY lines).
    pub module: String,
}

/// The official build's test run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TestRun {
    /// The `coverage run ...` command, substituted (`${package}` filled in).
    pub command: String,
    /// The test file as the command names it.
    pub arg: String,
    /// The WORKDIR the command runs in.
    pub workdir: String,
    /// The test file's path in the project.
    pub file: String,
    /// PYTHONPATH in the image at that RUN, as project paths (`.` for the root);
    /// empty when unset.
    pub pythonpath: Vec<String>,
}

/// Everything the layout says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Layout {
    /// `[tool.poetry].name` (else `[project].name`), as written.
    pub dist_name: Option<String>,
    pub packages_form: PackagesForm,
    /// The folder the code lives in (`.` for the root): what the Dockerfile's
    /// `ARG package` should name.
    pub code_folder: Fact<String>,
    /// What the wheel holds, as project paths: modules (`folder/x_plugin.py`) or
    /// package folders.
    pub packaged: Vec<String>,
    /// The Dockerfile is there.
    pub has_dockerfile: bool,
    /// Every stage's FROM image, substituted, in order.
    pub base_images: Vec<String>,
    /// `ARG package=VALUE` (or `ENV package VALUE`) as the Dockerfile sets it;
    /// None when it does not use one.
    pub package_arg: Option<String>,
    pub entry: Fact<Entry>,
    pub tests: Fact<TestRun>,
    /// What the build stage installs with dnf/yum/microdnf/apt.
    pub system_packages: Vec<SystemPackage>,
    /// Example inputs, best first: the file docker-compose.yaml's command
    /// gives with `-f`, those it mounts at /config/, then inputs/*.yaml, example.yaml, configs/*.yaml.
    pub example_inputs: Vec<String>,
    /// The step docker-compose.yaml's command runs (`-s ID`), for a plugin
    /// of several steps.
    pub example_step: Option<String>,
    pub python: Option<PythonReq>,
    /// The SDK constraint as written (None when not declared or not by version).
    pub sdk: Option<String>,
    pub dev: DevPlace,
    /// The dev tools' names, from whichever table holds them.
    pub dev_tools: Vec<String>,
}

impl Layout {
    /// Read `dir`'s files. None without a readable pyproject.toml.
    pub(crate) fn read(dir: &Path) -> Option<Layout> {
        let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
        let doc = pyproject::parse(&text).ok()?;
        let info = pyproject::inspect(&doc);
        let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).ok();
        let compose = ["docker-compose.yaml", "docker-compose.yml"]
            .iter()
            .find_map(|f| std::fs::read_to_string(dir.join(f)).ok());
        Some(Layout::of(
            &info,
            dockerfile.as_deref(),
            compose.as_deref(),
            &Tree::read(dir),
        ))
    }

    /// The layout from what was read: pyproject.toml's facts, the Dockerfile's
    /// and docker-compose.yaml's text, and the project's files.
    pub(crate) fn of(
        info: &ProjectInfo,
        dockerfile: Option<&str>,
        compose: Option<&str>,
        tree: &Tree,
    ) -> Layout {
        let (packages_form, code_folder, packaged) = code(info, tree);
        let df = dockerfile.map(docker::parse);
        let is_dir = |p: &str| tree.is_dir(p);
        let package_arg = df.as_ref().and_then(package_arg);
        let entry = match &df {
            None => Fact::unknown("no Dockerfile"),
            Some(d) => entry(d, &is_dir),
        };
        let tests = match &df {
            None => Fact::unknown("no Dockerfile"),
            Some(d) => tests(d, &is_dir),
        };
        let system_packages = df.as_ref().map(build_packages).unwrap_or_default();
        let dev = match (info.has_dev_group, info.has_legacy_dev_dependencies) {
            (true, true) => DevPlace::Both,
            (true, false) => DevPlace::Group,
            (false, true) => DevPlace::LegacyTable,
            (false, false) => DevPlace::None,
        };
        let dev_group = DepSource::PoetryGroup("dev".to_string());
        let dev_tools = info
            .dependencies
            .iter()
            .filter(|d| d.source == dev_group || d.source == DepSource::PoetryDevDependencies)
            .map(|d| d.name.clone())
            .collect();
        Layout {
            dist_name: info.name.clone(),
            packages_form,
            code_folder,
            packaged,
            has_dockerfile: dockerfile.is_some(),
            base_images: df
                .as_ref()
                .map(|d| d.stages.iter().map(|s| s.base.clone()).collect())
                .unwrap_or_default(),
            package_arg,
            entry,
            tests,
            system_packages,
            example_inputs: example_inputs(compose, tree),
            example_step: compose.and_then(compose::step),
            python: info.python().cloned(),
            sdk: info
                .sdk
                .as_ref()
                .and_then(|s| s.dependency.constraint.clone()),
            dev,
            dev_tools,
        }
    }
}

impl Layout {
    /// Every stage starts from an Arcalot base image tagged 0.5 or later (the
    /// images arcaflow-plugin-opensearch moved to with Python `^3.12`).
    pub(crate) fn newer_base_images(&self) -> bool {
        let newer = |img: &str| {
            let Some(rest) = img.strip_prefix("quay.io/arcalot/arcaflow-plugin-baseimage-python-")
            else {
                return false;
            };
            let tag = rest.split_once(':').map(|(_, t)| t).unwrap_or("");
            let tag = tag.split('@').next().unwrap_or("");
            let mut parts = tag.split('.').map(|p| p.parse::<u32>().ok());
            matches!((parts.next(), parts.next()), (Some(Some(major)), Some(Some(minor))) if major > 0 || minor >= 5)
        };
        // Stages built FROM an earlier stage (`FROM build`) inherit its image.
        let external: Vec<&String> = self
            .base_images
            .iter()
            .filter(|b| b.contains('/'))
            .collect();
        !external.is_empty() && external.iter().all(|b| newer(b))
    }
}

/// `./x/` -> `x`, `""`/`.`/`./` -> `.`.
fn clean_dir(p: &str) -> String {
    docker::normalize(p.trim())
}

/// The code folder and what the wheel holds, the way Poetry reads `packages`.
fn code(info: &ProjectInfo, tree: &Tree) -> (PackagesForm, Fact<String>, Vec<String>) {
    if info.packages.is_empty() {
        return match &info.name {
            Some(n) => {
                let folder = pyproject::module_name(n);
                // Poetry also accepts a single module named for the project.
                let packaged = if !tree.is_dir(&folder) && tree.is_file(&format!("{folder}.py")) {
                    format!("{folder}.py")
                } else {
                    folder.clone()
                };
                let code = if packaged.ends_with(".py") {
                    ".".to_string()
                } else {
                    folder
                };
                (
                    PackagesForm::Default,
                    Fact::known(code, format!("the project name {n} (no packages)")),
                    vec![packaged],
                )
            }
            None => (
                PackagesForm::Default,
                Fact::unknown("no project name and no packages in pyproject.toml"),
                Vec::new(),
            ),
        };
    }
    let mut folders = Vec::new();
    let mut packaged = Vec::new();
    let mut modules = 0;
    let mut globs = false;
    for p in &info.packages {
        let from = p.from.as_deref().map(clean_dir).unwrap_or(".".to_string());
        let include = p.include.trim().trim_end_matches('/');
        globs |= include.contains('*') || include.contains('?');
        let path = docker::normalize(&format!("{from}/{include}"));
        if include.ends_with(".py") {
            modules += 1;
            folders.push(from);
        } else {
            folders.push(path.clone());
        }
        packaged.push(path);
    }
    let form = if globs || (modules > 0 && modules < info.packages.len()) {
        PackagesForm::Other
    } else if modules > 0 {
        PackagesForm::Module
    } else {
        PackagesForm::Folder
    };
    let first = folders[0].clone();
    let code = if globs {
        Fact::unknown("packages uses a glob pattern")
    } else if folders.iter().any(|f| *f != first) {
        Fact::unknown(format!(
            "packages names code in more than one folder: {}",
            folders.join(", ")
        ))
    } else {
        Fact::known(first, "pyproject.toml packages")
    };
    (form, code, packaged)
}

/// The value the Dockerfile gives `package`: a global `ARG package=`, else the
/// first stage that sets it.
fn package_arg(df: &docker::Dockerfile) -> Option<String> {
    df.global_args
        .get("package")
        .or_else(|| df.stages.iter().find_map(|s| s.vars.get("package")))
        .cloned()
}

fn entry(df: &docker::Dockerfile, is_dir: &dyn Fn(&str) -> bool) -> Fact<Entry> {
    let Some(stage) = df.stages.last() else {
        return Fact::unknown("the Dockerfile has no FROM");
    };
    let Some((line, words, workdir)) = &stage.entrypoint else {
        return Fact::unknown("the Dockerfile's last stage has no ENTRYPOINT");
    };
    let from = format!("Dockerfile line {line}");
    let Some(script) = python_script(words) else {
        return Fact::unknown(format!(
            "the ENTRYPOINT ({from}) does not run a Python file: {}",
            words.join(" ")
        ));
    };
    if script.contains('$') {
        return Fact::unknown(format!("the ENTRYPOINT ({from}) uses a variable: {script}"));
    }
    let image_path = docker::normalize(&if script.starts_with('/') {
        script.clone()
    } else {
        format!("{workdir}/{script}")
    });
    match stage.source_of(&image_path, is_dir) {
        Some(module) => Fact::known(
            Entry {
                command: words.clone(),
                image_path,
                module,
            },
            from,
        ),
        None => Fact::unknown(format!(
            "no COPY line of the last stage puts {image_path} (the ENTRYPOINT, {from}) in the image"
        )),
    }
}

/// The `.py` a `python ...` command runs (not `-m module`).
fn python_script(words: &[String]) -> Option<String> {
    let py = words.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        base.starts_with("python")
    })?;
    words[py + 1..]
        .iter()
        .find(|w| !w.starts_with('-'))
        .filter(|w| w.ends_with(".py"))
        .cloned()
}

fn tests(df: &docker::Dockerfile, is_dir: &dyn Fn(&str) -> bool) -> Fact<TestRun> {
    for stage in &df.stages {
        for run in &stage.runs {
            for seg in docker::segments(&run.command) {
                let ws: Vec<&str> = seg.split_whitespace().collect();
                let Some(i) = ws
                    .windows(2)
                    .position(|w| w[0].ends_with("coverage") && w[1] == "run")
                else {
                    continue;
                };
                let from = format!("Dockerfile line {}", run.line);
                let args: Vec<&str> = ws[i + 2..].to_vec();
                // Options that take a value, then the script (or `-m module`).
                let mut k = 0;
                while k < args.len() && args[k].starts_with('-') {
                    if args[k] == "-m" {
                        return Fact::unknown(format!(
                            "the tests run a module ({from}: {seg}), not a file"
                        ));
                    }
                    let takes_value = matches!(
                        args[k],
                        "--rcfile" | "--source" | "--include" | "--omit" | "--data-file" | "-p"
                    ) && !args[k].contains('=');
                    k += if takes_value { 2 } else { 1 };
                }
                let Some(arg) = args.get(k).map(|a| a.to_string()) else {
                    return Fact::unknown(format!("`coverage run` names no file ({from})"));
                };
                if arg.contains('$') {
                    return Fact::unknown(format!("the test file ({from}) uses a variable: {arg}"));
                }
                let image = docker::normalize(&if arg.starts_with('/') {
                    arg.clone()
                } else {
                    format!("{}/{arg}", run.workdir)
                });
                let Some(file) = stage.source_of(&image, is_dir) else {
                    return Fact::unknown(format!(
                        "no COPY line puts {image} (the test file, {from}) in the image"
                    ));
                };
                let pythonpath = run
                    .pythonpath
                    .iter()
                    .flat_map(|p| p.split(':'))
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        let abs = docker::normalize(&if p.starts_with('/') {
                            p.to_string()
                        } else {
                            format!("{}/{p}", run.workdir)
                        });
                        stage.source_of(&abs, is_dir).unwrap_or(abs)
                    })
                    .collect();
                return Fact::known(
                    TestRun {
                        command: seg.clone(),
                        arg,
                        workdir: run.workdir.clone(),
                        file,
                        pythonpath,
                    },
                    from,
                );
            }
        }
    }
    Fact::unknown("no RUN line of the Dockerfile runs `coverage run`")
}

/// What the build stage installs: the stage that runs the tests (else the
/// first), with the stages it is built FROM (`FROM base AS build`), oldest first.
fn build_packages(df: &docker::Dockerfile) -> Vec<SystemPackage> {
    let runs_tests = |s: &&docker::Stage| s.runs.iter().any(|r| r.command.contains("coverage run"));
    let Some(mut stage) = df
        .stages
        .iter()
        .find(runs_tests)
        .or_else(|| df.stages.first())
    else {
        return Vec::new();
    };
    let mut chain = vec![stage];
    while let Some(parent) = df.stages.iter().find(|s| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&stage.base))
    }) {
        if chain.iter().any(|c| std::ptr::eq(*c, parent)) {
            break;
        }
        chain.push(parent);
        stage = parent;
    }
    chain
        .iter()
        .rev()
        .flat_map(|s| s.runs.iter().flat_map(docker::system_packages))
        .collect()
}

fn example_inputs(compose: Option<&str>, tree: &Tree) -> Vec<String> {
    let yaml = [".yaml", ".yml"];
    let mut out: Vec<String> = compose
        .map(|c| {
            let mut v: Vec<String> = compose::input_file(c).into_iter().collect();
            v.extend(compose::config_mounts(c));
            v
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|f| tree.is_file(f))
        .collect();
    out.extend(tree.files_in("inputs", &yaml));
    out.extend(
        ["example.yaml", "example.yml"]
            .iter()
            .filter(|f| tree.is_file(f))
            .map(|f| f.to_string()),
    );
    out.extend(tree.files_in("configs", &yaml));
    let mut seen = BTreeSet::new();
    out.retain(|f| seen.insert(f.clone()));
    out
}

#[cfg(test)]
mod tests;
