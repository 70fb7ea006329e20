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
use std::path::{Path, PathBuf};

use crate::probe::pyenv::{pyenv_selected, pyenv_which, shim_kind, ShimKind};
use crate::probe::python::{self, venv_root, Python};
use crate::probe::run::{self, is_executable, par_map, sorted_entries, PROBE_TIMEOUT};
use crate::probe::ProbeEnv;
use crate::version::Version;

mod script;
mod site;
#[cfg(test)]
mod tests;

use script::script_owner;
use site::{find_dist_info, installer_of, lib_python_dirs, poetry_dist_infos, record_scripts};

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
                a.key.clone_from(&key);
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
