//! Every Python interpreter on the machine: PATH entries named python, python3,
//! python3.X (and python2, python2.7); pyenv versions; the usual system folders
//! (under the probe root).
//!
//! Speed: starting processes is the cost, so a version is read from files when
//! a file tells it (pyenv's `versions/X.Y.Z/` folder, a venv's `pyvenv.cfg`),
//! and only other interpreters are run (`python -E -S -c ...`, about 12 ms
//! each, in parallel). pyenv shims are not run one by one (each costs ~120 ms
//! of bash): `pyenv version-name` is run once per pyenv and `pyenv which` is
//! done here, in the same order pyenv does it. A shim that does not look like
//! pyenv's own (a test fake, another tool) is run with the version code.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::pyenv::{pyenv_selected, pyenv_which, shim_kind, PyenvShim, ShimKind};
use super::run::{self, is_executable, par_map, sorted_entries};
use super::ProbeEnv;
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PythonSource {
    /// Found on PATH (directly or through a pyenv shim).
    Path,
    Pyenv,
    /// A usual system folder not on PATH.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Python {
    /// The path as found (e.g. `/usr/bin/python3`); for a name reached through a
    /// pyenv shim, the interpreter the shim runs (never the shim itself).
    pub path: PathBuf,
    /// After resolving symlinks; two found paths with the same real path are one interpreter
    /// (unless one of them is inside a venv: a venv is its own interpreter).
    pub real_path: PathBuf,
    pub version: Version,
    /// Names it answers to on PATH (`python3`, `python3.11`, ...): only the
    /// first match of a name on PATH gets it. Empty for interpreters that are
    /// not the first of any name (shadowed ones, pyenv versions, system folders).
    pub names: Vec<String>,
    pub source: PythonSource,
}

impl Python {
    /// The venv folder this interpreter belongs to (a `pyvenv.cfg` beside its `bin/`).
    pub fn venv(&self) -> Option<PathBuf> {
        venv_root(&self.path)
    }
}

/// `python`, `python3`, `python3.N`, `python2`, `python2.N`; not `python3-config`,
/// `python3.6m`, `python3.11-gdb.py`.
pub fn is_python_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("python") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let mut parts = rest.splitn(2, '.');
    let major = parts.next().unwrap_or("");
    if major != "2" && major != "3" {
        return false;
    }
    match parts.next() {
        None => true,
        Some(minor) => !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The venv folder of an interpreter path: `<venv>/bin/python` with `<venv>/pyvenv.cfg`.
pub fn venv_root(python: &Path) -> Option<PathBuf> {
    let root = python.parent()?.parent()?;
    root.join("pyvenv.cfg")
        .is_file()
        .then(|| root.to_path_buf())
}

/// The interpreter version a venv records in its `pyvenv.cfg` (`version = 3.11.7`
/// from `venv`, `version_info = 3.11.7.final.0` from virtualenv).
pub fn pyvenv_cfg_version(venv: &Path) -> Option<Version> {
    let text = std::fs::read_to_string(venv.join("pyvenv.cfg")).ok()?;
    pyvenv_cfg_value(&text, "version")
        .or_else(|| pyvenv_cfg_value(&text, "version_info"))
        .and_then(|v| Version::find_in(&v))
}

/// The `home` a venv's `pyvenv.cfg` records: the folder of the interpreter it was made from.
pub fn pyvenv_cfg_home(venv: &Path) -> Option<String> {
    let text = std::fs::read_to_string(venv.join("pyvenv.cfg")).ok()?;
    pyvenv_cfg_value(&text, "home")
}

/// A `key = value` from a `pyvenv.cfg` text.
fn pyvenv_cfg_value(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().to_string())
    })
}

/// A strict pyenv version folder name (`3.11.7`, `3.13.0rc1`, `3.13.0t`): its version.
/// Other names (`3.13-dev`, `pypy3.9-7.3.13`, `miniconda3-latest`, a virtualenv) say nothing.
fn strict_version_name(name: &str) -> Option<Version> {
    let digits_end = name
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(name.len());
    let (num, suffix) = name.split_at(digits_end);
    if num.split('.').count() != 3 || num.split('.').any(str::is_empty) {
        return None;
    }
    let suffix_ok = suffix.is_empty()
        || suffix == "t"
        || ["a", "b", "rc"].iter().any(|p| {
            suffix
                .strip_prefix(p)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    if !suffix_ok {
        return None;
    }
    Version::find_in(num)
}

/// The version an interpreter's location tells without running it.
pub fn version_from_files(path: &Path, real: &Path) -> Option<Version> {
    if let Some(venv) = venv_root(path) {
        return pyvenv_cfg_version(&venv);
    }
    for p in [real, path] {
        // <anything>/versions/<X.Y.Z>/bin/<exe>
        let comps: Vec<&OsStr> = p.iter().collect();
        let n = comps.len();
        if n >= 4 && comps[n - 2] == "bin" && comps[n - 4] == "versions" {
            if let Some(v) = comps[n - 3].to_str().and_then(strict_version_name) {
                return Some(v);
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// discovery

/// One executable found, before resolution and versions.
#[derive(Debug, Clone)]
struct Found {
    name: String,
    path: PathBuf,
    shim: Option<ShimKind>,
}

/// The usual folders that hold interpreters (absolute; read under the root).
fn system_dirs(env: &ProbeEnv) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["/usr/bin", "/usr/local/bin", "/bin", "/opt/homebrew/bin"]
        .iter()
        .map(|d| env.under_root(d))
        .collect();
    // Homebrew's keg folders, python.org's framework, Red Hat's software collections.
    for (parent, prefix, tail) in [
        ("/usr/local/opt", "python", "bin"),
        ("/opt/homebrew/opt", "python", "bin"),
        ("/Library/Frameworks/Python.framework/Versions", "", "bin"),
        ("/opt/rh", "rh-python", "root/usr/bin"),
    ] {
        for (name, p) in sorted_entries(&env.under_root(parent)) {
            if name.starts_with(prefix) && name != "Current" {
                dirs.push(p.join(tail));
            }
        }
    }
    dirs
}

fn scan_dir(dir: &Path, source: PythonSource, env: &ProbeEnv, out: &mut Vec<Found>) {
    for (name, path) in sorted_entries(dir) {
        if is_python_name(&name) && is_executable(&path) {
            let shim = if source == PythonSource::Path {
                shim_kind(&path, env)
            } else {
                None
            };
            out.push(Found { name, path, shim });
        }
    }
}

/// The pyenv interpreters: `<pyenv_root>/versions/*/bin/python3` (or python2, python),
/// skipping pyenv-virtualenv's venvs.
fn pyenv_interpreters(env: &ProbeEnv) -> Vec<PathBuf> {
    let Some(root) = &env.pyenv_root else {
        return Vec::new();
    };
    sorted_entries(&root.join("versions"))
        .into_iter()
        .filter(|(_, dir)| !dir.join("pyvenv.cfg").exists())
        .filter_map(|(_, dir)| {
            ["python3", "python2", "python"]
                .iter()
                .map(|n| dir.join("bin").join(n))
                .find(|p| is_executable(p))
        })
        .collect()
}

/// Every interpreter path found from files alone (no process, shims left out):
/// PATH, pyenv versions, system folders. What the Poetry probe scans for
/// site-packages.
pub fn locate(env: &ProbeEnv) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in env.path_dirs() {
        scan_dir(&dir, PythonSource::Path, env, &mut found);
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let paths = found
        .into_iter()
        .filter(|f| f.shim.is_none())
        .map(|f| f.path)
        .chain(pyenv_interpreters(env));
    let mut sys = Vec::new();
    for d in system_dirs(env) {
        scan_dir(&d, PythonSource::System, env, &mut sys);
    }
    for p in paths.chain(sys.into_iter().map(|f| f.path)) {
        if seen.insert(dedup_key(&p)) {
            out.push(p);
        }
    }
    out
}

/// Two paths are one interpreter when they resolve to the same file and are
/// not in different venvs.
fn dedup_key(path: &Path) -> DedupKey {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let venv = venv_root(path).map(|v| std::fs::canonicalize(&v).unwrap_or(v));
    (real, venv)
}

/// A resolved entry: the interpreter, the PATH name it got (if first), and a
/// version already known from running it.
struct Entry {
    path: PathBuf,
    name: Option<String>,
    source: PythonSource,
    version: Option<Version>,
}

pub fn find_all(env: &ProbeEnv) -> Vec<Python> {
    // 1. PATH, in order.
    let mut on_path = Vec::new();
    for dir in env.path_dirs() {
        scan_dir(&dir, PythonSource::Path, env, &mut on_path);
    }

    // 2. Processes, all at once: one `pyenv version-name` per pyenv and each
    //    opaque shim (only the first of each name matters: the shell stops
    //    there) start now, while the pyenv and system folders are read; then
    //    each plain interpreter whose version no file tells.
    let mut first_names = HashSet::new();
    let first_of_name: Vec<bool> = on_path
        .iter()
        .map(|f| first_names.insert(f.name.clone()))
        .collect();
    let mut shim_jobs: Vec<Job> = Vec::new();
    for (f, first) in on_path.iter().zip(&first_of_name) {
        match (&f.shim, first) {
            (Some(ShimKind::Pyenv(s)), true)
                if !shim_jobs
                    .iter()
                    .any(|j| matches!(j, Job::Pyenv(x) if x == s)) =>
            {
                shim_jobs.push(Job::Pyenv(s.clone()));
            }
            (Some(ShimKind::Opaque), true) => shim_jobs.push(Job::Opaque(f.path.clone())),
            _ => {}
        }
    }
    let run_job = |j: &Job| match j {
        Job::Pyenv(s) => Answer::Selected(pyenv_selected(s, env)),
        Job::Opaque(p) | Job::Version(p, _) => Answer::Ran(run::python_identity(p, env)),
    };
    let (sys, pyenv_found, mut jobs, answers) = std::thread::scope(|scope| {
        let shims = scope.spawn(|| par_map(&shim_jobs, run_job));
        let mut sys = Vec::new();
        for d in system_dirs(env) {
            scan_dir(&d, PythonSource::System, env, &mut sys);
        }
        let pyenv_found = pyenv_interpreters(env);
        let plain = on_path
            .iter()
            .filter(|f| f.shim.is_none())
            .map(|f| &f.path)
            .chain(&pyenv_found)
            .chain(sys.iter().map(|f| &f.path));
        let mut keys_to_run = HashSet::new();
        let mut version_jobs = Vec::new();
        for p in plain {
            let key = dedup_key(p);
            if version_from_files(p, &key.0).is_none() && keys_to_run.insert(key.clone()) {
                version_jobs.push(Job::Version(p.clone(), key));
            }
        }
        let mut answers = par_map(&version_jobs, run_job);
        let mut shim_answers = shims.join().expect("probe thread panicked");
        shim_answers.append(&mut answers);
        (sys, pyenv_found, version_jobs, shim_answers)
    });
    let mut all_jobs = std::mem::take(&mut shim_jobs);
    all_jobs.append(&mut jobs);
    let mut selected: HashMap<&PyenvShim, Vec<String>> = HashMap::new();
    let mut ran: HashMap<&PathBuf, (Version, PathBuf)> = HashMap::new();
    let mut ran_by_key: HashMap<&DedupKey, Option<Version>> = HashMap::new();
    for (j, a) in all_jobs.iter().zip(answers) {
        match (j, a) {
            (Job::Pyenv(s), Answer::Selected(Ok(v))) => {
                selected.insert(s, v);
            }
            (Job::Opaque(p), Answer::Ran(Some(r))) => {
                ran.insert(p, r);
            }
            (Job::Version(_, key), Answer::Ran(r)) => {
                ran_by_key.insert(key, r.map(|r| r.0));
            }
            _ => {}
        }
    }

    // 3. Entries in PATH order: the first of each name gets the name; a shim
    //    that resolves to nothing takes the name with it (the shell stops at it).
    let mut entries: Vec<Entry> = Vec::new();
    for (f, first) in on_path.into_iter().zip(first_of_name) {
        let name = first.then(|| f.name.clone());
        let resolved = match &f.shim {
            None => Some((f.path, None)),
            Some(_) if !first => None,
            Some(ShimKind::Pyenv(s)) => selected
                .get(s)
                .and_then(|sel| pyenv_which(&f.name, sel, s, env))
                .map(|t| (t, None)),
            Some(ShimKind::Opaque) => ran.get(&f.path).map(|(v, exe)| (exe.clone(), Some(*v))),
        };
        if let Some((path, version)) = resolved {
            entries.push(Entry {
                path,
                name,
                source: PythonSource::Path,
                version,
            });
        }
    }
    let others = pyenv_found
        .into_iter()
        .map(|p| (p, PythonSource::Pyenv))
        .chain(sys.into_iter().map(|f| (f.path, PythonSource::System)));
    for (path, source) in others {
        entries.push(Entry {
            path,
            name: None,
            source,
            version: None,
        });
    }

    // 4. Deduplicate by real path (and venv), merging names.
    let mut by_key: HashMap<DedupKey, usize> = HashMap::new();
    let mut merged: Vec<(Entry, DedupKey, Vec<String>)> = Vec::new();
    for e in entries {
        let key = dedup_key(&e.path);
        match by_key.get(&key) {
            Some(&i) => {
                let m = &mut merged[i];
                if let Some(n) = e.name {
                    if !m.2.contains(&n) {
                        m.2.push(n);
                    }
                }
                if m.0.version.is_none() {
                    m.0.version = e.version;
                }
            }
            None => {
                by_key.insert(key.clone(), merged.len());
                let names = e.name.clone().into_iter().collect();
                merged.push((e, key, names));
            }
        }
    }

    // 5. Versions: known from a run above, or from files; else (a shim's
    //    target outside pyenv's folders) run now, in parallel.
    let versions = par_map(&merged, |(e, key, _)| {
        e.version
            .or_else(|| ran_by_key.get(key).copied().flatten())
            .or_else(|| version_from_files(&e.path, &key.0))
            .or_else(|| {
                if ran_by_key.contains_key(key) {
                    None // ran already and failed: not a working interpreter
                } else {
                    run::python_identity(&e.path, env).map(|(v, _)| v)
                }
            })
    });
    let mut out: Vec<Python> = merged
        .into_iter()
        .zip(versions)
        .filter_map(|((e, key, names), v)| {
            Some(Python {
                path: e.path,
                real_path: key.0,
                version: v?,
                names,
                source: e.source,
            })
        })
        .collect();
    out.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.path.cmp(&b.path)));
    out
}

type DedupKey = (PathBuf, Option<PathBuf>);

/// A process `find_all` runs.
enum Job {
    Pyenv(PyenvShim),
    Opaque(PathBuf),
    Version(PathBuf, DedupKey),
}

enum Answer {
    Selected(Result<Vec<String>, String>),
    Ran(Option<(Version, PathBuf)>),
}

#[cfg(test)]
#[path = "tests_python.rs"]
mod tests;
