//! Every Poetry install: PATH entries (`which -a poetry`, pyenv shims resolved),
//! `~/.local/bin`, the official installer's venv, pipx venvs (with `--suffix`
//! installs), pyenv versions, distro paths, and `python -m poetry` for every
//! interpreter that has Poetry in its site-packages; with version, owning
//! Python and how it was installed.
//!
//! Everything is read from files when it can be: the owner from the script's
//! shebang, the version from the `poetry-X.Y.Z.dist-info` folder in the
//! owner's site-packages. `poetry --version` (about 0.35 s) runs only when no
//! file tells, in parallel, with a timeout.
//!
//! One install reached by several paths (a `~/.local/bin/poetry` symlink into
//! a venv, the venv's own `bin/poetry`, a pyenv shim) is reported once, keyed
//! by its venv, else by the site-packages folder holding it, else by the
//! script's real path.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::python::{self, is_python_name, pyenv_selected, pyenv_which, shim_kind, venv_root};
use super::python::{Python, ShimKind};
use super::run::{self, is_executable, par_map, read_head, sorted_entries, PROBE_TIMEOUT};
use super::ProbeEnv;
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallMethod {
    /// The official installer (venv under $POETRY_HOME or ~/.local/share/pypoetry).
    OfficialInstaller,
    Pipx,
    /// `pip install poetry` into an interpreter or a venv.
    Pip,
    /// A package manager's package: the distro's (/usr/bin/poetry owned by the
    /// system Python), or Homebrew's.
    Distro,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoetryInstall {
    /// The `poetry` executable (script) to run. When `via_module()` there is
    /// no script: this is the interpreter, to run as `python -m poetry`.
    pub path: PathBuf,
    pub version: Option<Version>,
    /// The interpreter that owns it (the script's shebang or venv python).
    pub python: Option<PathBuf>,
    /// False when that interpreter is gone: this Poetry cannot run.
    pub python_exists: bool,
    pub method: InstallMethod,
    /// True for the one `poetry` on PATH resolves to.
    pub first_on_path: bool,
}

impl PoetryInstall {
    pub fn is_v2(&self) -> bool {
        self.version.is_some_and(|v| v.major >= 2)
    }
    /// True when no `poetry` script was found, only the package in the
    /// interpreter's site-packages: `path` is then that interpreter, to run as
    /// `<python> -m poetry` (see `command`).
    pub fn via_module(&self) -> bool {
        self.python.as_deref() == Some(self.path.as_path())
    }
    /// The program and leading arguments that run this Poetry.
    pub fn command(&self) -> (PathBuf, Vec<String>) {
        if self.via_module() {
            (self.path.clone(), vec!["-m".into(), "poetry".into()])
        } else {
            (self.path.clone(), Vec::new())
        }
    }
    /// The venv Poetry lives in, when it has its own (official installer,
    /// pipx, a pip'd venv): its owner's venv, else the script's.
    pub fn venv(&self) -> Option<PathBuf> {
        self.python
            .as_deref()
            .and_then(venv_root)
            .or_else(|| venv_root(&canon(&self.path)))
            .or_else(|| {
                // A dangling link: the venv its target was in.
                let t = std::fs::read_link(&self.path).ok()?;
                let v = t.parent()?.parent()?;
                v.join("pyvenv.cfg").exists().then(|| v.to_path_buf())
            })
    }
    /// The command that removes this install, for the "more than one Poetry" message.
    pub fn uninstall_hint(&self) -> String {
        match self.method {
            InstallMethod::OfficialInstaller => {
                let home = self
                    .venv()
                    .as_deref()
                    .and_then(Path::parent)
                    .filter(|h| !h.ends_with(".local/share/pypoetry"))
                    .map(|h| format!("POETRY_HOME={} ", h.display()))
                    .unwrap_or_default();
                format!("curl -sSL https://install.python-poetry.org | {home}python3 - --uninstall")
            }
            InstallMethod::Pipx => {
                // A `--suffix` install is uninstalled by its venv's name (`poetry@1.8.3`).
                let venv = self.venv();
                let name = venv
                    .as_deref()
                    .and_then(Path::file_name)
                    .and_then(|n| n.to_str())
                    .filter(|n| n.starts_with("poetry"))
                    .unwrap_or("poetry");
                format!("pipx uninstall {name}")
            }
            InstallMethod::Pip => match &self.python {
                Some(py) if self.python_exists => {
                    format!("{} -m pip uninstall -y poetry", py.display())
                }
                // The interpreter is gone: nothing can run pip there; remove the venv.
                _ => match self.venv() {
                    Some(v) => format!("rm -rf {}", v.display()),
                    None => format!("rm {}", self.path.display()),
                },
            },
            InstallMethod::Distro => {
                let p = self.path.to_string_lossy();
                if p.contains("/Cellar/") || p.contains("homebrew") {
                    "brew uninstall poetry".into()
                } else {
                    "sudo apt-get remove python3-poetry   # or: sudo dnf remove python3-poetry"
                        .into()
                }
            }
            InstallMethod::Unknown => match self.venv() {
                Some(v) => format!("rm -rf {}", v.display()),
                None => format!("rm {}", self.path.display()),
            },
        }
    }
}

/// Every install, finding interpreters' site-packages from files alone
/// (no interpreter is run).
pub fn find_all(env: &ProbeEnv) -> Vec<PoetryInstall> {
    let pythons = python::locate(env);
    find_all_in(env, &pythons)
}

/// Every install, also checking the site-packages of each of `pythons`
/// (`python -m poetry`).
pub fn find_all_with(env: &ProbeEnv, pythons: &[Python]) -> Vec<PoetryInstall> {
    let mut paths: Vec<PathBuf> = pythons.iter().map(|p| p.path.clone()).collect();
    for p in python::locate(env) {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    find_all_in(env, &paths)
}

// ---------------------------------------------------------------------------
// reading scripts

/// What a `poetry` script says about its owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScriptOwner {
    /// The interpreter from the shebang (for `#!/usr/bin/env python3`, the PATH lookup).
    pub python: Option<PathBuf>,
    /// The script that really runs, after following shell wrappers (Homebrew's).
    pub script: PathBuf,
    /// `#!/usr/bin/env NAME` and no NAME on PATH: the script cannot run.
    pub not_on_path: bool,
}

/// The interpreter a script's first lines name: `#!/path/python`,
/// `#!/usr/bin/env [-S] python3`, or pip's long-path form
/// `#!/bin/sh` + `'''exec' /path/python "$0" "$@"`. None for other programs.
pub fn shebang_python(text: &str) -> Option<ShebangPython> {
    let mut lines = text.lines();
    let first = lines.next()?.strip_prefix("#!")?.trim();
    let (interp, rest) = python::split_word(first)?;
    let base = Path::new(&interp).file_name()?.to_str()?.to_string();
    if base == "env" {
        let prog = rest
            .split_whitespace()
            .find(|w| !w.starts_with('-') && !w.contains('='))?;
        return is_python_like(prog).then(|| ShebangPython::OnPath(prog.to_string()));
    }
    if is_python_like(&base) {
        return Some(ShebangPython::Abs(PathBuf::from(interp)));
    }
    if ["sh", "bash", "dash", "zsh"].contains(&base.as_str()) {
        for line in lines.take(5) {
            if let Some(rest) = line.trim().strip_prefix("'''exec' ") {
                let (py, _) = python::split_word(rest)?;
                return Some(ShebangPython::Abs(PathBuf::from(py)));
            }
        }
    }
    None
}

/// A shebang's interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShebangPython {
    Abs(PathBuf),
    /// `#!/usr/bin/env NAME`: looked up on PATH.
    OnPath(String),
}

fn is_python_like(name: &str) -> bool {
    is_python_name(name) || name.starts_with("python") || name.starts_with("pypy")
}

/// A shell wrapper's `exec "/path/to/poetry" "$@"` target (Homebrew writes these).
fn wrapper_target(text: &str) -> Option<PathBuf> {
    let mut lines = text.lines();
    let first = lines.next()?.strip_prefix("#!")?;
    let base = Path::new(first.split_whitespace().next()?)
        .file_name()?
        .to_str()?;
    if !["sh", "bash", "dash", "zsh"].contains(&base) {
        return None;
    }
    lines.find_map(|l| {
        let l = l.trim();
        // `exec "..."`, or Homebrew's `PYTHONPATH="..." exec "..." "$@"`.
        let at = if l.starts_with("exec ") {
            0
        } else {
            l.find(" exec ")? + 1
        };
        let rest = &l[at + 5..];
        let (target, _) = python::split_word(rest)?;
        let p = PathBuf::from(target);
        p.file_name()?.to_str()?.starts_with("poetry").then_some(p)
    })
}

/// Under a test root, a script's absolute shebang paths are read under the root too.
fn rooted(env: &ProbeEnv, script: &Path, p: PathBuf) -> PathBuf {
    if env.root != Path::new("/") && script.starts_with(&env.root) && !p.exists() {
        let r = env.under_root(&p.to_string_lossy());
        if r.exists() || std::fs::symlink_metadata(&r).is_ok() {
            return r;
        }
    }
    p
}

/// The owner of the script at `script` (already resolved), following up to two wrappers.
pub fn script_owner(env: &ProbeEnv, script: &Path) -> ScriptOwner {
    let mut current = script.to_path_buf();
    for _ in 0..3 {
        let Some(head) = read_head(&current, 4096) else {
            break;
        };
        if let Some(sp) = shebang_python(&head) {
            let (python, not_on_path) = match sp {
                ShebangPython::Abs(p) => (Some(rooted(env, &current, p)), false),
                ShebangPython::OnPath(name) => {
                    let found = env
                        .path_dirs()
                        .into_iter()
                        .map(|d| d.join(&name))
                        .find(|p| is_executable(p));
                    let missing = found.is_none();
                    (found, missing)
                }
            };
            return ScriptOwner {
                python,
                script: current,
                not_on_path,
            };
        }
        match wrapper_target(&head) {
            Some(t) => {
                let t = rooted(env, &current, t);
                current = std::fs::canonicalize(&t).unwrap_or(t);
            }
            None => break,
        }
    }
    ScriptOwner {
        python: None,
        script: current,
        not_on_path: false,
    }
}

// ---------------------------------------------------------------------------
// site-packages

/// `X.Y` of an interpreter, from its (real) file name or its location.
fn interpreter_xy(python: &Path) -> Option<String> {
    let real = std::fs::canonicalize(python).unwrap_or_else(|_| python.to_path_buf());
    for p in [&real, &python.to_path_buf()] {
        if let Some(n) = p.file_name().and_then(|n| n.to_str()) {
            if let Some(xy) = n.strip_prefix("python").filter(|r| r.contains('.')) {
                if is_python_name(n) {
                    return Some(xy.to_string());
                }
            }
        }
    }
    python::version_from_files(python, &real).map(|v| format!("{}.{}", v.major, v.minor))
}

/// The `lib/python*` folders of a prefix (for an unknown X.Y, or a venv).
fn lib_python_dirs(prefix: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for lib in ["lib", "lib64"] {
        for (name, p) in sorted_entries(&prefix.join(lib)) {
            if name.starts_with("python") {
                out.push(p);
            }
        }
    }
    out
}

/// The folders where `python` looks for packages (where `pip install` puts them).
pub fn site_dirs(python: &Path, env: &ProbeEnv) -> Vec<PathBuf> {
    if let Some(venv) = venv_root(python) {
        return lib_python_dirs(&venv)
            .into_iter()
            .map(|d| d.join("site-packages"))
            .collect();
    }
    let real = std::fs::canonicalize(python).unwrap_or_else(|_| python.to_path_buf());
    let Some(prefix) = real.parent().and_then(Path::parent) else {
        return Vec::new();
    };
    let xy = interpreter_xy(python);
    let libs: Vec<PathBuf> = match &xy {
        Some(xy) => vec![
            prefix.join("lib").join(format!("python{xy}")),
            prefix.join("lib64").join(format!("python{xy}")),
        ],
        None => lib_python_dirs(prefix),
    };
    let mut out = Vec::new();
    for l in &libs {
        out.push(l.join("site-packages"));
        out.push(l.join("dist-packages"));
    }
    // Debian's system packages, and where pip puts packages for /usr/bin/python3.
    out.push(prefix.join("lib/python3/dist-packages"));
    if let Some(xy) = &xy {
        for kind in ["dist-packages", "site-packages"] {
            out.push(prefix.join(format!("local/lib/python{xy}/{kind}")));
        }
        if let Some(home) = &env.home {
            out.push(home.join(format!(".local/lib/python{xy}/site-packages")));
            out.push(home.join(format!("Library/Python/{xy}/lib/python/site-packages")));
        }
    }
    out.retain(|d| d.is_dir());
    out.dedup();
    out
}

/// `poetry-X.Y.Z.dist-info` folders in a site folder (not poetry_core, poetry_plugin_*).
pub fn poetry_dist_infos(site: &Path) -> Vec<(PathBuf, Version)> {
    sorted_entries(site)
        .into_iter()
        .filter_map(|(name, p)| {
            let ver = name.strip_prefix("poetry-")?.strip_suffix(".dist-info")?;
            if !ver.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            Some((p, Version::find_in(ver)?))
        })
        .collect()
}

/// Lexically normalise a path (`a/b/../c` -> `a/c`).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The scripts a dist-info's RECORD installed (`../../../bin/poetry`), resolved.
fn record_scripts(site: &Path, dist_info: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(dist_info.join("RECORD")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.split(',').next())
        .filter(|p| {
            let name = Path::new(p).file_name().and_then(|n| n.to_str());
            name.is_some_and(|n| n == "poetry") && p.contains("bin/")
        })
        .map(|p| normalize(&site.join(p)))
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Where Poetry's package is for an owner: the dist-info (and its site folder).
/// With several candidates, the one whose RECORD installed `script` wins.
fn find_dist_info(
    python: &Path,
    script: Option<&Path>,
    env: &ProbeEnv,
) -> Option<(PathBuf, PathBuf, Version)> {
    let mut found = Vec::new();
    for site in site_dirs(python, env) {
        for (di, v) in poetry_dist_infos(&site) {
            found.push((site.clone(), di, v));
        }
    }
    if found.len() > 1 {
        if let Some(script) = script {
            if let Some(i) = found.iter().position(|(site, di, _)| {
                record_scripts(site, di)
                    .iter()
                    .any(|s| same_file(s, script))
            }) {
                return Some(found.swap_remove(i));
            }
        }
    }
    found.into_iter().next()
}

fn installer_of(dist_info: &Path) -> Option<String> {
    std::fs::read_to_string(dist_info.join("INSTALLER"))
        .ok()
        .map(|s| s.trim().to_string())
}

// ---------------------------------------------------------------------------
// locations

fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The official installer's venvs: `$POETRY_HOME/venv` and the defaults.
fn official_venvs(env: &ProbeEnv) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(h) = &env.poetry_home {
        v.push(h.join("venv"));
    }
    if let Some(home) = &env.home {
        v.push(home.join(".local/share/pypoetry/venv"));
        v.push(home.join("Library/Application Support/pypoetry/venv"));
    }
    v
}

fn pipx_venv_dirs(env: &ProbeEnv) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(home) = &env.home {
        v.push(home.join(".local/share/pipx/venvs"));
        v.push(home.join(".local/pipx/venvs"));
    }
    v.push(env.under_root("/opt/pipx/venvs"));
    v
}

fn is_pipx_venv(venv: &Path) -> bool {
    venv.parent()
        .is_some_and(|p| p.ends_with("pipx/venvs") || p.ends_with("pipx/venvs/"))
}

// ---------------------------------------------------------------------------
// the probe

/// A `poetry` found somewhere, before analysis.
struct Cand {
    /// As found.
    path: PathBuf,
    /// The first `poetry` the shell would run.
    first_on_path: bool,
}

/// The analysis of one install.
struct Analysed {
    key: PathBuf,
    inst: PoetryInstall,
    /// The script to run for `--version` when no file told the version.
    needs_run: Option<PathBuf>,
}

fn analyse(env: &ProbeEnv, cand: &Cand, official: &[PathBuf]) -> Analysed {
    let real = std::fs::canonicalize(&cand.path);
    let Ok(real) = real else {
        // A dangling symlink: the install it pointed to is gone.
        let target = std::fs::read_link(&cand.path).ok();
        let venv = target
            .as_deref()
            .and_then(|t| t.parent()?.parent())
            .filter(|v| v.join("pyvenv.cfg").exists() || official.iter().any(|o| o == v))
            .map(Path::to_path_buf);
        return Analysed {
            key: target.clone().unwrap_or_else(|| cand.path.clone()),
            inst: PoetryInstall {
                path: cand.path.clone(),
                version: None,
                python: None,
                python_exists: false,
                method: method_for(venv.as_deref(), None, &cand.path, env, official),
                first_on_path: false,
            },
            needs_run: None,
        };
    };
    let owner = script_owner(env, &real);
    let python_exists = !owner.not_on_path && owner.python.as_ref().is_none_or(|p| p.exists());
    let venv = owner
        .python
        .as_deref()
        .and_then(venv_root)
        .or_else(|| venv_root(&owner.script));
    let dist = owner
        .python
        .as_deref()
        .and_then(|py| find_dist_info(py, Some(&owner.script), env))
        .or_else(|| {
            // No shebang owner (or it is gone): look beside the script's own venv.
            venv.as_ref().and_then(|v| {
                lib_python_dirs(v).into_iter().find_map(|l| {
                    let site = l.join("site-packages");
                    poetry_dist_infos(&site)
                        .into_iter()
                        .next()
                        .map(|(di, ver)| (site, di, ver))
                })
            })
        });
    let key = match (&venv, &dist) {
        (Some(v), _) => canon(v),
        (None, Some((site, _, _))) => canon(site),
        (None, None) => real.clone(),
    };
    let method = method_for(venv.as_deref(), dist.as_ref(), &real, env, official);
    let version = dist.as_ref().map(|d| d.2);
    Analysed {
        key,
        needs_run: (version.is_none() && python_exists).then(|| cand.path.clone()),
        inst: PoetryInstall {
            path: cand.path.clone(),
            version,
            python: owner.python,
            python_exists,
            method,
            first_on_path: cand.first_on_path,
        },
    }
}

fn method_for(
    venv: Option<&Path>,
    dist: Option<&(PathBuf, PathBuf, Version)>,
    script: &Path,
    env: &ProbeEnv,
    official: &[PathBuf],
) -> InstallMethod {
    if let Some(v) = venv {
        let cv = canon(v);
        if official.iter().any(|o| *o == v || canon(o) == cv) {
            return InstallMethod::OfficialInstaller;
        }
        if is_pipx_venv(v) || is_pipx_venv(&cv) {
            return InstallMethod::Pipx;
        }
        let s = cv.to_string_lossy();
        if s.contains("/Cellar/poetry/") {
            return InstallMethod::Distro;
        }
        return InstallMethod::Pip;
    }
    let usr_lib = env.under_root("/usr/lib");
    let usr_lib64 = env.under_root("/usr/lib64");
    if let Some((site, di, _)) = dist {
        let pip_like = installer_of(di).is_some_and(|i| i == "pip" || i == "uv" || i == "pipx");
        if (site.starts_with(&usr_lib) || site.starts_with(&usr_lib64)) && !pip_like {
            return InstallMethod::Distro;
        }
        return InstallMethod::Pip;
    }
    if script == env.under_root("/usr/bin/poetry") {
        return InstallMethod::Distro;
    }
    InstallMethod::Unknown
}

fn find_all_in(env: &ProbeEnv, interpreters: &[PathBuf]) -> Vec<PoetryInstall> {
    let official = official_venvs(env);
    let mut cands: Vec<Cand> = Vec::new();

    // 1. PATH, `which -a` style; the first executable one is what `poetry` runs,
    //    unless it is a pyenv shim that resolves to nothing.
    let mut first_taken = false;
    for dir in env.path_dirs() {
        let p = dir.join("poetry");
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if !is_executable(&p) {
            if meta.file_type().is_symlink() {
                // Dangling: the shell skips it, the doctor reports it.
                cands.push(Cand {
                    path: p,
                    first_on_path: false,
                });
            }
            continue;
        }
        let first = !first_taken;
        first_taken = true;
        match shim_kind(&p, env) {
            Some(ShimKind::Pyenv(s)) => {
                let target = pyenv_selected(&s, env)
                    .ok()
                    .and_then(|sel| pyenv_which("poetry", &sel, &s, env));
                if let Some(t) = target {
                    cands.push(Cand {
                        path: t,
                        first_on_path: first,
                    });
                }
            }
            _ => cands.push(Cand {
                path: p,
                first_on_path: first,
            }),
        }
    }

    // 2. The usual places off PATH.
    let mut places: Vec<PathBuf> = Vec::new();
    if let Some(home) = &env.home {
        let bin = home.join(".local/bin");
        places.push(bin.join("poetry"));
        // pipx `--suffix` links: poetry@1.8.3 -> .../pipx/venvs/poetry@1.8.3/bin/poetry.
        for (name, p) in sorted_entries(&bin) {
            if name.starts_with("poetry") && name != "poetry" {
                let real = canon(&p);
                if real
                    .parent()
                    .and_then(Path::parent)
                    .is_some_and(is_pipx_venv)
                {
                    places.push(p);
                }
            }
        }
    }
    if let Some(h) = &env.poetry_home {
        places.push(h.join("bin/poetry"));
    }
    for v in &official {
        places.push(v.join("bin/poetry"));
    }
    for dir in pipx_venv_dirs(env) {
        for (name, venv) in sorted_entries(&dir) {
            if name.starts_with("poetry") {
                places.push(venv.join("bin/poetry"));
            }
        }
    }
    if let Some(root) = &env.pyenv_root {
        for (_, v) in sorted_entries(&root.join("versions")) {
            places.push(v.join("bin/poetry"));
        }
    }
    for abs in [
        "/usr/bin/poetry",
        "/usr/local/bin/poetry",
        "/opt/homebrew/bin/poetry",
    ] {
        places.push(env.under_root(abs));
    }
    for p in places {
        let exists = std::fs::symlink_metadata(&p).is_ok();
        if exists && !cands.iter().any(|c| c.path == p) {
            cands.push(Cand {
                path: p,
                first_on_path: false,
            });
        }
    }

    // 3. Analyse each and merge the ones that are the same install.
    let mut installs: Vec<Analysed> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    for c in &cands {
        let a = analyse(env, c, &official);
        match index.get(&a.key) {
            Some(&i) => merge(&mut installs[i], a),
            None => {
                index.insert(a.key.clone(), installs.len());
                installs.push(a);
            }
        }
    }

    // 4. `python -m poetry`: interpreters with Poetry in their site-packages
    //    that no script led to.
    for py in interpreters {
        let venv = venv_root(py);
        let Some((site, di, ver)) = find_dist_info(py, None, env) else {
            continue;
        };
        let key = venv.as_deref().map(canon).unwrap_or_else(|| canon(&site));
        if index.contains_key(&key) {
            continue;
        }
        // A script RECORD says it installed, if it is still there.
        let script = record_scripts(&site, &di)
            .into_iter()
            .find(|s| is_executable(s));
        let a = match script {
            Some(s) => {
                let mut a = analyse(
                    env,
                    &Cand {
                        path: s,
                        first_on_path: false,
                    },
                    &official,
                );
                a.key = key.clone();
                a
            }
            None => Analysed {
                key: key.clone(),
                needs_run: None,
                inst: PoetryInstall {
                    path: py.clone(),
                    version: Some(ver),
                    python: Some(py.clone()),
                    python_exists: true,
                    method: method_for(
                        venv.as_deref(),
                        Some(&(site.clone(), di.clone(), ver)),
                        py,
                        env,
                        &official,
                    ),
                    first_on_path: false,
                },
            },
        };
        index.insert(key, installs.len());
        installs.push(a);
    }

    // 5. Versions no file told: `poetry --version`, in parallel.
    let runs: Vec<(usize, PathBuf)> = installs
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.needs_run.clone().map(|p| (i, p)))
        .collect();
    let versions = par_map(&runs, |(_, p)| {
        let out = run::run(p, &["--version"], env, &[], PROBE_TIMEOUT);
        out.success()
            .then(|| out.stdout.lines().find_map(Version::find_in))
            .flatten()
    });
    for ((i, _), v) in runs.iter().zip(versions) {
        installs[*i].inst.version = v;
    }
    installs.into_iter().map(|a| a.inst).collect()
}

/// Fold a second sighting of an install into the first.
fn merge(into: &mut Analysed, other: Analysed) {
    let o = other.inst;
    let i = &mut into.inst;
    if o.first_on_path && !i.first_on_path {
        // The one PATH runs is the path to show.
        i.path = o.path;
        i.first_on_path = true;
    }
    if i.version.is_none() {
        i.version = o.version;
        if i.version.is_some() {
            into.needs_run = None;
        }
    }
    if i.python.is_none() {
        i.python = o.python;
        i.python_exists = o.python_exists;
    }
    if i.method == InstallMethod::Unknown {
        i.method = o.method;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn write_exec(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A fake venv with Poetry `version` installed by pip: pyvenv.cfg,
    /// bin/python -> `base`, bin/poetry with the venv's shebang, the dist-info.
    fn fake_venv(venv: &Path, base: &Path, version: &str) -> PathBuf {
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(
            venv.join("pyvenv.cfg"),
            format!(
                "home = {}\nversion = 3.11.2\n",
                base.parent().unwrap().display()
            ),
        )
        .unwrap();
        symlink(base, venv.join("bin/python")).unwrap();
        let site = venv.join("lib/python3.11/site-packages");
        let di = site.join(format!("poetry-{version}.dist-info"));
        std::fs::create_dir_all(&di).unwrap();
        std::fs::write(di.join("INSTALLER"), "pip\n").unwrap();
        std::fs::write(
            di.join("RECORD"),
            "poetry/__init__.py,,\n../../../bin/poetry,sha256=x,100\n",
        )
        .unwrap();
        std::fs::create_dir_all(site.join("poetry_core-1.9.0.dist-info")).unwrap();
        let script = venv.join("bin/poetry");
        write_exec(
            &script,
            &format!(
                "#!{}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom poetry.console.application import main\n",
                venv.join("bin/python").display()
            ),
        );
        script
    }

    struct Fixture {
        _t: tempfile::TempDir,
        dir: PathBuf,
        env: ProbeEnv,
        base: PathBuf,
    }

    fn fixture() -> Fixture {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().to_path_buf();
        let home = dir.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let base = dir.join("base/bin/python3.11");
        write_exec(&base, "#!/bin/sh\necho 3.11.2\n");
        let env = ProbeEnv {
            path: String::new(),
            home: Some(home.clone()),
            root: dir.join("root"),
            pyenv_root: None,
            poetry_home: Some(home.join(".local/share/pypoetry")),
        };
        Fixture {
            _t: t,
            dir,
            env,
            base,
        }
    }

    #[test]
    fn shebangs() {
        assert_eq!(
            shebang_python("#!/home/u/.local/share/pypoetry/venv/bin/python\nimport sys\n"),
            Some(ShebangPython::Abs(
                "/home/u/.local/share/pypoetry/venv/bin/python".into()
            ))
        );
        assert_eq!(
            shebang_python("#!/usr/bin/env python3\n"),
            Some(ShebangPython::OnPath("python3".into()))
        );
        assert_eq!(
            shebang_python("#!/usr/bin/env -S python3 -E\n"),
            Some(ShebangPython::OnPath("python3".into()))
        );
        assert_eq!(
            shebang_python("#!/usr/bin/python3 -s\n"),
            Some(ShebangPython::Abs("/usr/bin/python3".into()))
        );
        assert_eq!(
            shebang_python(
                "#!/bin/sh\n'''exec' /very/long/path/venv/bin/python \"$0\" \"$@\"\n' '''\n# -*- coding: utf-8 -*-\n"
            ),
            Some(ShebangPython::Abs("/very/long/path/venv/bin/python".into()))
        );
        assert_eq!(
            shebang_python("#!/bin/sh\n'''exec' \"/path with space/bin/python\" \"$0\" \"$@\"\n"),
            Some(ShebangPython::Abs("/path with space/bin/python".into()))
        );
        assert_eq!(shebang_python("#!/bin/bash\necho hi\n"), None);
        assert_eq!(shebang_python("\x7fELF..."), None);
    }

    #[test]
    fn wrapper_targets() {
        let brew = "#!/bin/bash\nPYTHONPATH=\"/opt/homebrew/Cellar/poetry/1.8.3/libexec/lib/python3.12/site-packages\" exec \"/opt/homebrew/Cellar/poetry/1.8.3/libexec/bin/poetry\" \"$@\"\n";
        assert_eq!(
            wrapper_target(brew),
            Some(PathBuf::from(
                "/opt/homebrew/Cellar/poetry/1.8.3/libexec/bin/poetry"
            ))
        );
        let plain = "#!/bin/sh\nexec \"/opt/x/libexec/bin/poetry\" \"$@\"\n";
        assert_eq!(
            wrapper_target(plain),
            Some(PathBuf::from("/opt/x/libexec/bin/poetry"))
        );
    }

    #[test]
    fn official_installer_reached_through_a_local_bin_symlink_is_one_install() {
        let f = fixture();
        let home = f.env.home.clone().unwrap();
        let venv = home.join(".local/share/pypoetry/venv");
        let script = fake_venv(&venv, &f.base, "1.8.3");
        let bin = home.join(".local/bin");
        std::fs::create_dir_all(&bin).unwrap();
        symlink(&script, bin.join("poetry")).unwrap();
        let mut env = f.env.clone();
        env.path = bin.display().to_string();
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        let p = &found[0];
        assert_eq!(p.path, bin.join("poetry"));
        assert_eq!(p.version, Some(Version::new(1, 8, 3)));
        assert_eq!(p.python, Some(venv.join("bin/python")));
        assert!(p.python_exists);
        assert_eq!(p.method, InstallMethod::OfficialInstaller);
        assert!(p.first_on_path);
        assert_eq!(p.venv(), Some(venv.clone()));
        let _ = script;
        assert!(!p.is_v2());
        assert!(p.uninstall_hint().contains("--uninstall"));
        assert!(!p.uninstall_hint().contains("POETRY_HOME"));
    }

    #[test]
    fn pipx_installs_with_and_without_suffix_and_which_is_first() {
        let f = fixture();
        let home = f.env.home.clone().unwrap();
        let venvs = home.join(".local/share/pipx/venvs");
        let s2 = fake_venv(&venvs.join("poetry"), &f.base, "2.1.3");
        let s1 = fake_venv(&venvs.join("poetry@1.8.3"), &f.base, "1.8.3");
        let bin = home.join(".local/bin");
        std::fs::create_dir_all(&bin).unwrap();
        symlink(&s2, bin.join("poetry")).unwrap();
        symlink(&s1, bin.join("poetry@1.8.3")).unwrap();
        // A second PATH dir with a pip'd Poetry in some venv, after ~/.local/bin.
        let other = fake_venv(&f.dir.join("other-venv"), &f.base, "1.7.1");
        let mut env = f.env.clone();
        env.path = format!("{}:{}", bin.display(), other.parent().unwrap().display());
        let found = find_all(&env);
        assert_eq!(found.len(), 3, "{found:#?}");
        let by_ver = |v: Version| found.iter().find(|p| p.version == Some(v)).unwrap();
        let p2 = by_ver(Version::new(2, 1, 3));
        assert_eq!(p2.method, InstallMethod::Pipx);
        assert!(p2.first_on_path);
        assert!(p2.is_v2());
        assert_eq!(p2.uninstall_hint(), "pipx uninstall poetry");
        let p1 = by_ver(Version::new(1, 8, 3));
        assert_eq!(p1.method, InstallMethod::Pipx);
        assert!(!p1.first_on_path);
        assert_eq!(p1.uninstall_hint(), "pipx uninstall poetry@1.8.3");
        assert_eq!(p1.path, bin.join("poetry@1.8.3"));
        let p0 = by_ver(Version::new(1, 7, 1));
        assert_eq!(p0.method, InstallMethod::Pip);
        assert!(!p0.first_on_path);
        assert!(p0.uninstall_hint().ends_with("-m pip uninstall -y poetry"));
    }

    #[test]
    fn a_venv_whose_python_is_gone_is_reported() {
        let f = fixture();
        let venv = f.dir.join("broken-venv");
        let script = fake_venv(&venv, &f.base, "1.8.3");
        std::fs::remove_file(venv.join("bin/python")).unwrap();
        symlink(f.dir.join("removed/python3.9"), venv.join("bin/python")).unwrap();
        let mut env = f.env.clone();
        env.path = script.parent().unwrap().display().to_string();
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(!found[0].python_exists);
        assert_eq!(found[0].python, Some(venv.join("bin/python")));
        // The version is still read from the dist-info; nothing was run.
        assert_eq!(found[0].version, Some(Version::new(1, 8, 3)));
        assert!(found[0].first_on_path);
        assert_eq!(found[0].venv(), Some(venv.clone()));
        assert_eq!(
            found[0].uninstall_hint(),
            format!("rm -rf {}", venv.display())
        );
    }

    #[test]
    fn a_dangling_poetry_link_is_reported_and_skipped_by_the_shell() {
        let f = fixture();
        let bin = f.dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        symlink(f.dir.join("gone/venv/bin/poetry"), bin.join("poetry")).unwrap();
        let live = fake_venv(&f.dir.join("v"), &f.base, "2.0.1");
        let mut env = f.env.clone();
        env.path = format!("{}:{}", bin.display(), live.parent().unwrap().display());
        let found = find_all(&env);
        assert_eq!(found.len(), 2, "{found:#?}");
        let dangling = found.iter().find(|p| p.path == bin.join("poetry")).unwrap();
        assert!(!dangling.python_exists);
        assert!(!dangling.first_on_path);
        let live = found
            .iter()
            .find(|p| p.version == Some(Version::new(2, 0, 1)))
            .unwrap();
        assert!(live.first_on_path);
    }

    #[test]
    fn distro_poetry_under_the_root_and_user_site_pip_install() {
        let f = fixture();
        let root = f.env.root.clone();
        let home = f.env.home.clone().unwrap();
        // The system interpreter and Debian's python3-poetry.
        write_exec(&root.join("usr/bin/python3.11"), "#!/bin/sh\necho 3.11.2\n");
        symlink("python3.11", root.join("usr/bin/python3")).unwrap();
        std::fs::create_dir_all(root.join("usr/lib/python3/dist-packages/poetry-1.3.2.dist-info"))
            .unwrap();
        write_exec(
            &root.join("usr/bin/poetry"),
            "#!/usr/bin/python3\nfrom poetry.console.application import main\n",
        );
        // `pip install --user poetry` with that interpreter.
        let user_site = home.join(".local/lib/python3.11/site-packages");
        let di = user_site.join("poetry-1.8.3.dist-info");
        std::fs::create_dir_all(&di).unwrap();
        std::fs::write(di.join("INSTALLER"), "pip\n").unwrap();
        std::fs::write(di.join("RECORD"), "../../../bin/poetry,,\n").unwrap();
        write_exec(
            &home.join(".local/bin/poetry"),
            &format!("#!{}\nimport sys\n", root.join("usr/bin/python3").display()),
        );
        let found = find_all(&f.env);
        assert_eq!(found.len(), 2, "{found:#?}");
        let user = found
            .iter()
            .find(|p| p.version == Some(Version::new(1, 8, 3)))
            .unwrap();
        assert_eq!(user.method, InstallMethod::Pip);
        assert_eq!(user.path, home.join(".local/bin/poetry"));
        let deb = found
            .iter()
            .find(|p| p.version == Some(Version::new(1, 3, 2)))
            .unwrap();
        assert_eq!(deb.method, InstallMethod::Distro);
        assert_eq!(deb.python, Some(root.join("usr/bin/python3")));
        assert!(deb.uninstall_hint().contains("python3-poetry"));
        assert!(found.iter().all(|p| !p.first_on_path), "PATH is empty");
    }

    #[test]
    fn module_only_installs_are_found_per_interpreter() {
        let f = fixture();
        let venv = f.dir.join("venv");
        let script = fake_venv(&venv, &f.base, "1.8.3");
        std::fs::remove_file(&script).unwrap();
        let python = Python {
            path: venv.join("bin/python"),
            real_path: f.base.clone(),
            version: Version::new(3, 11, 2),
            names: vec![],
            source: python::PythonSource::Path,
        };
        let found = find_all_with(&f.env, &[python]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].via_module());
        assert_eq!(found[0].version, Some(Version::new(1, 8, 3)));
        let (prog, args) = found[0].command();
        assert_eq!(prog, venv.join("bin/python"));
        assert_eq!(args, vec!["-m", "poetry"]);
    }

    #[test]
    fn long_shebang_scripts_and_a_custom_poetry_home() {
        let f = fixture();
        let home = f.dir.join("custom-poetry-home");
        let venv = home.join("venv");
        let script = fake_venv(&venv, &f.base, "2.0.0");
        // What pip writes when the interpreter's path is too long for #!.
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n'''exec' {} \"$0\" \"$@\"\n' '''\n# -*- coding: utf-8 -*-\nimport re\n",
                venv.join("bin/python").display()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(home.join("bin")).unwrap();
        symlink(&script, home.join("bin/poetry")).unwrap();
        let mut env = f.env.clone();
        env.poetry_home = Some(home.clone());
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        let p = &found[0];
        assert_eq!(p.python, Some(venv.join("bin/python")));
        assert_eq!(p.version, Some(Version::new(2, 0, 0)));
        assert_eq!(p.method, InstallMethod::OfficialInstaller);
        assert!(p.is_v2());
        assert!(!p.first_on_path);
        assert_eq!(
            p.uninstall_hint(),
            format!(
                "curl -sSL https://install.python-poetry.org | POETRY_HOME={} python3 - --uninstall",
                home.display()
            )
        );
    }

    #[test]
    fn an_env_shebang_without_that_python_on_path_cannot_run() {
        let f = fixture();
        let bin = f.dir.join("bin");
        write_exec(
            &bin.join("poetry"),
            "#!/usr/bin/env python3.99\nimport sys\n",
        );
        let mut env = f.env.clone();
        env.path = bin.display().to_string();
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(!found[0].python_exists);
        assert_eq!(found[0].version, None, "not run: it cannot run");
    }

    #[test]
    fn version_falls_back_to_running_poetry() {
        let f = fixture();
        let bin = f.dir.join("bin");
        write_exec(
            &bin.join("poetry"),
            "#!/bin/sh\necho 'Poetry (version 2.2.1)'\n",
        );
        let mut env = f.env.clone();
        env.path = bin.display().to_string();
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].version, Some(Version::new(2, 2, 1)));
        assert_eq!(found[0].method, InstallMethod::Unknown);
        assert!(found[0].python_exists, "no owner known: nothing is missing");
    }

    #[test]
    fn a_pyenv_poetry_shim_resolves_to_the_selected_version_only() {
        let f = fixture();
        let root = f.dir.join("pyenv");
        let shim = |name: &str| {
            write_exec(
                &root.join("shims").join(name),
                &format!(
                    "#!/usr/bin/env bash\nset -e\nprogram=\"${{0##*/}}\"\nexport PYENV_ROOT=\"{r}\"\nexec \"{r}/libexec/pyenv\" exec \"$program\" \"$@\"\n",
                    r = root.display()
                ),
            )
        };
        shim("poetry");
        let pyenv = root.join("libexec/pyenv");
        write_exec(&pyenv, "#!/bin/sh\necho 3.9.18\n");
        // Poetry only in 3.12.1's bin: the 3.9.18 global does not have it.
        let v312 = root.join("versions/3.12.1");
        write_exec(&v312.join("bin/python3.12"), "#!/bin/sh\n");
        std::fs::create_dir_all(v312.join("lib/python3.12/site-packages/poetry-2.1.0.dist-info"))
            .unwrap();
        write_exec(
            &v312.join("bin/poetry"),
            &format!("#!{}\n", v312.join("bin/python3.12").display()),
        );
        let bin = f.dir.join("bin");
        let other = fake_venv(&f.dir.join("venv"), &f.base, "1.8.3");
        std::fs::create_dir_all(&bin).unwrap();
        let mut env = f.env.clone();
        env.pyenv_root = Some(root.clone());
        env.path = format!(
            "{}:{}",
            root.join("shims").display(),
            other.parent().unwrap().display()
        );
        let found = find_all(&env);
        assert_eq!(found.len(), 2, "{found:#?}");
        // The shim comes first on PATH and fails: `poetry` runs nothing.
        assert!(found.iter().all(|p| !p.first_on_path), "{found:#?}");
        let py = found
            .iter()
            .find(|p| p.version == Some(Version::new(2, 1, 0)))
            .unwrap();
        assert_eq!(py.method, InstallMethod::Pip);
        // Select 3.12.1: now the shim runs that Poetry.
        write_exec(&pyenv, "#!/bin/sh\necho 3.12.1\n");
        let found = find_all(&env);
        let py = found
            .iter()
            .find(|p| p.version == Some(Version::new(2, 1, 0)))
            .unwrap();
        assert!(py.first_on_path);
        assert_eq!(py.path, v312.join("bin/poetry"));
    }
}
