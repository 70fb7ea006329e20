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

use super::run::{self, is_executable, par_map, read_head, sorted_entries, PROBE_TIMEOUT};
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
// pyenv shims

/// What a pyenv shim says about itself: the pyenv program it execs and its root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PyenvShim {
    pub pyenv: PathBuf,
    pub root: PathBuf,
}

/// How a file found on PATH is to be treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShimKind {
    /// pyenv's own shim: resolved from `pyenv version-name` and the versions folder.
    Pyenv(PyenvShim),
    /// In a shims folder but not in pyenv's format: run it to learn what it runs.
    Opaque,
}

/// Whether `path` (found on PATH) is a shim: a file in `<pyenv_root>/shims/`, or
/// a small script in pyenv's shim format anywhere.
pub fn shim_kind(path: &Path, env: &ProbeEnv) -> Option<ShimKind> {
    let in_shims_dir = env
        .pyenv_root
        .as_ref()
        .is_some_and(|r| path.parent() == Some(&r.join("shims")))
        || path.parent().and_then(Path::file_name) == Some(OsStr::new("shims"));
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() < 8192);
    if !small {
        return None;
    }
    let head = read_head(path, 4096)?;
    if !head.starts_with("#!") {
        return in_shims_dir.then_some(ShimKind::Opaque);
    }
    match parse_pyenv_shim(&head) {
        Some(s) => Some(ShimKind::Pyenv(s)),
        None => in_shims_dir.then_some(ShimKind::Opaque),
    }
}

/// Parse pyenv's shim script:
/// `export PYENV_ROOT="/root/.pyenv"` and `exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@"`.
pub fn parse_pyenv_shim(text: &str) -> Option<PyenvShim> {
    let mut root = None;
    let mut pyenv = None;
    for line in text.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("export PYENV_ROOT=") {
            root = Some(PathBuf::from(unquote(v)));
        } else if let Some(rest) = line.strip_prefix("exec ") {
            let (prog, after) = split_word(rest)?;
            if after.trim_start().starts_with("exec") && prog.ends_with("pyenv") {
                pyenv = Some(PathBuf::from(prog));
            }
        }
    }
    Some(PyenvShim {
        pyenv: pyenv?,
        root: root?,
    })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
}

/// The first shell word (double-, single- or un-quoted) and the rest.
pub(crate) fn split_word(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    let q = s.chars().next()?;
    if q == '"' || q == '\'' {
        let end = s[1..].find(q)? + 1;
        Some((s[1..end].to_string(), &s[end + 1..]))
    } else {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        Some((s[..end].to_string(), &s[end..]))
    }
}

/// The versions pyenv selects (`pyenv version-name`: `PYENV_VERSION`,
/// `.python-version` from the working folder up, `<root>/version`), e.g.
/// `["3.11.7"]` or `["3.11.7", "3.9.18"]`; Err with pyenv's message when none
/// is usable (a selected version that is not installed).
pub fn pyenv_selected(shim: &PyenvShim, env: &ProbeEnv) -> Result<Vec<String>, String> {
    let out = run::run(
        &shim.pyenv,
        &["version-name"],
        env,
        &[("PYENV_ROOT", shim.root.as_os_str())],
        PROBE_TIMEOUT,
    );
    if !out.success() {
        return Err(out
            .first_error_line()
            .or(out.spawn_error.as_deref())
            .unwrap_or("pyenv version-name failed")
            .to_string());
    }
    Ok(out
        .stdout
        .trim()
        .split(':')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect())
}

/// `pyenv which NAME`, done here: the first selected version whose `bin/NAME`
/// is executable; `system` means PATH without the shims folder.
pub fn pyenv_which(
    name: &str,
    selected: &[String],
    shim: &PyenvShim,
    env: &ProbeEnv,
) -> Option<PathBuf> {
    let shims = shim.root.join("shims");
    for v in selected {
        let p = if v == "system" {
            env.path_dirs()
                .into_iter()
                .filter(|d| *d != shims)
                .map(|d| d.join(name))
                .find(|p| is_executable(p))
        } else {
            Some(shim.root.join("versions").join(v).join("bin").join(name))
        };
        if let Some(p) = p.filter(|p| is_executable(p)) {
            return Some(p);
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
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn env_with(path: &str, root: &Path) -> ProbeEnv {
        ProbeEnv {
            path: path.into(),
            home: None,
            root: root.into(),
            pyenv_root: None,
            poetry_home: None,
        }
    }

    fn write_exec(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A fake interpreter: a shell script that prints what the version code prints.
    fn fake_python(p: &Path, version: &str) {
        write_exec(
            p,
            &format!("#!/bin/sh\necho {version}\necho {}\n", p.display()),
        );
    }

    #[test]
    fn python_names() {
        for ok in [
            "python",
            "python3",
            "python2",
            "python3.11",
            "python2.7",
            "python3.6",
        ] {
            assert!(is_python_name(ok), "{ok}");
        }
        for no in [
            "python3-config",
            "python3.11-config",
            "python3.6m",
            "python3.11-gdb.py",
            "python4",
            "python3.",
            "pythonw",
            "python-config",
            "ipython3",
        ] {
            assert!(!is_python_name(no), "{no}");
        }
    }

    #[test]
    fn strict_versions() {
        assert_eq!(strict_version_name("3.11.7"), Some(Version::new(3, 11, 7)));
        assert_eq!(
            strict_version_name("3.13.0rc1"),
            Some(Version::new(3, 13, 0))
        );
        assert_eq!(strict_version_name("3.13.0t"), Some(Version::new(3, 13, 0)));
        assert_eq!(strict_version_name("3.13-dev"), None);
        assert_eq!(strict_version_name("pypy3.9-7.3.13"), None);
        assert_eq!(strict_version_name("myenv"), None);
    }

    #[test]
    fn parses_pyenv_shims() {
        let text = "#!/usr/bin/env bash\nset -e\n[ -n \"$PYENV_DEBUG\" ] && set -x\n\nprogram=\"${0##*/}\"\n\nexport PYENV_ROOT=\"/root/.pyenv\"\nSHIM_PATH=${0%/*}\nexec \"/root/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n";
        assert_eq!(
            parse_pyenv_shim(text),
            Some(PyenvShim {
                pyenv: "/root/.pyenv/libexec/pyenv".into(),
                root: "/root/.pyenv".into()
            })
        );
        assert_eq!(
            parse_pyenv_shim("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n"),
            None
        );
    }

    #[test]
    fn reads_pyvenv_cfg() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(
            t.path().join("pyvenv.cfg"),
            "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n",
        )
        .unwrap();
        assert_eq!(pyvenv_cfg_version(t.path()), Some(Version::new(3, 11, 2)));
        std::fs::write(
            t.path().join("pyvenv.cfg"),
            "home = /usr/bin\nimplementation = CPython\nversion_info = 3.9.18.final.0\nvirtualenv = 20.25.0\n",
        )
        .unwrap();
        assert_eq!(pyvenv_cfg_version(t.path()), Some(Version::new(3, 9, 18)));
    }

    #[test]
    fn finds_path_interpreters_dedups_and_sorts() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        let b = t.path().join("b");
        fake_python(&a.join("python3.9"), "3.9.18");
        symlink(a.join("python3.9"), a.join("python3")).unwrap();
        fake_python(&b.join("python3"), "3.12.1");
        fake_python(&b.join("python3.12"), "3.12.1");
        write_exec(&b.join("python3-config"), "#!/bin/sh\nexit 1\n");
        write_exec(&b.join("python3.12-config"), "#!/bin/sh\nexit 1\n");
        let root = t.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let env = env_with(&format!("{}:{}", a.display(), b.display()), &root);
        let found = find_all(&env);
        assert_eq!(found.len(), 3, "{found:#?}");
        // Sorted by version, then path: b/python3 and b/python3.12 are two files.
        assert_eq!(found[0].version, Version::new(3, 12, 1));
        assert_eq!(found[0].path, b.join("python3"));
        assert!(
            found[0].names.is_empty(),
            "python3 was taken by a/: {found:#?}"
        );
        assert_eq!(found[1].path, b.join("python3.12"));
        assert_eq!(found[1].names, vec!["python3.12"]);
        assert_eq!(found[2].version, Version::new(3, 9, 18));
        assert_eq!(found[2].path, a.join("python3"));
        assert_eq!(found[2].names, vec!["python3", "python3.9"]);
        assert!(found.iter().all(|p| p.source == PythonSource::Path));
    }

    #[test]
    fn reads_versions_from_pyenv_folders_and_system_dirs() {
        let t = tempfile::tempdir().unwrap();
        let pyenv = t.path().join("pyenv");
        // Would print a wrong version if run: the folder name must win.
        fake_python(&pyenv.join("versions/3.10.13/bin/python3"), "9.9.9");
        fake_python(&pyenv.join("versions/2.7.18/bin/python"), "9.9.9");
        // A pyenv-virtualenv venv is skipped.
        fake_python(&pyenv.join("versions/myenv/bin/python3"), "9.9.9");
        std::fs::write(
            pyenv.join("versions/myenv/pyvenv.cfg"),
            "version = 3.10.13\n",
        )
        .unwrap();
        let root = t.path().join("root");
        fake_python(&root.join("usr/bin/python3.8"), "3.8.18");
        fake_python(
            &root.join("usr/local/opt/python@3.12/bin/python3"),
            "3.12.4",
        );
        let mut env = env_with("", &root);
        env.pyenv_root = Some(pyenv.clone());
        let found = find_all(&env);
        let got: Vec<(String, PythonSource)> = found
            .iter()
            .map(|p| (p.version.to_string(), p.source.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("3.12.4".into(), PythonSource::System),
                ("3.10.13".into(), PythonSource::Pyenv),
                ("3.8.18".into(), PythonSource::System),
                ("2.7.18".into(), PythonSource::Pyenv),
            ]
        );
    }

    #[test]
    fn a_venv_on_path_is_its_own_interpreter() {
        let t = tempfile::tempdir().unwrap();
        let base = t.path().join("base");
        fake_python(&base.join("python3.11"), "3.11.2");
        let venv = t.path().join("venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("pyvenv.cfg"), "home = x\nversion = 3.11.2\n").unwrap();
        symlink(base.join("python3.11"), venv.join("bin/python3")).unwrap();
        let root = t.path().join("root");
        let env = env_with(
            &format!("{}:{}", venv.join("bin").display(), base.display()),
            &root,
        );
        let found = find_all(&env);
        assert_eq!(found.len(), 2, "{found:#?}");
        let v = found.iter().find(|p| p.venv().is_some()).unwrap();
        assert_eq!(v.names, vec!["python3"]);
        assert_eq!(
            v.real_path,
            std::fs::canonicalize(base.join("python3.11")).unwrap()
        );
    }

    #[test]
    fn broken_symlinks_are_not_interpreters() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        std::fs::create_dir(&a).unwrap();
        symlink("/nonexistent/python3", a.join("python3")).unwrap();
        let env = env_with(&a.display().to_string(), &t.path().join("root"));
        assert!(find_all(&env).is_empty());
    }

    /// A fake pyenv: a shims folder with shims in pyenv's format, a `pyenv`
    /// that answers `version-name`, and versions folders.
    fn fake_pyenv(dir: &Path, selected: &str) -> PathBuf {
        let root = dir.join("pyenv");
        write_exec(
            &root.join("libexec/pyenv"),
            &format!("#!/bin/sh\n[ \"$1\" = version-name ] && echo {selected} && exit 0\nexit 1\n"),
        );
        for name in ["python", "python3", "python3.9", "python3.12", "python2.7"] {
            write_exec(
                &root.join("shims").join(name),
                &format!(
                    "#!/usr/bin/env bash\nset -e\nprogram=\"${{0##*/}}\"\n\nexport PYENV_ROOT=\"{r}\"\nexec \"{r}/libexec/pyenv\" exec \"$program\" \"$@\"\n",
                    r = root.display()
                ),
            );
        }
        for (v, names) in [
            ("3.9.18", &["python", "python3", "python3.9"][..]),
            ("3.12.1", &["python", "python3", "python3.12"][..]),
        ] {
            // As in a real install: python and python3 link to python3.X.
            let bin = root.join("versions").join(v).join("bin");
            fake_python(&bin.join(names[2]), "9.9.9");
            for n in &names[..2] {
                symlink(names[2], bin.join(n)).unwrap();
            }
        }
        root
    }

    #[test]
    fn resolves_pyenv_shims_like_pyenv_which() {
        let t = tempfile::tempdir().unwrap();
        let root = fake_pyenv(t.path(), "3.12.1:3.9.18");
        let sys = t.path().join("sys");
        fake_python(&sys.join("python3"), "3.8.10");
        let mut env = env_with(
            &format!("{}:{}", root.join("shims").display(), sys.display()),
            &t.path().join("fsroot"),
        );
        env.pyenv_root = Some(root.clone());
        let found = find_all(&env);
        let p312 = found
            .iter()
            .find(|p| p.version == Version::new(3, 12, 1))
            .unwrap();
        assert_eq!(p312.names, vec!["python", "python3", "python3.12"]);
        assert_eq!(p312.source, PythonSource::Path);
        assert_eq!(p312.path, root.join("versions/3.12.1/bin/python"));
        // The second selected version answers for names the first lacks.
        let p39 = found
            .iter()
            .find(|p| p.version == Version::new(3, 9, 18))
            .unwrap();
        assert_eq!(p39.names, vec!["python3.9"]);
        // python2.7's shim resolves to nothing: the name is not available, and
        // /sys/python3 is shadowed by the shim.
        assert!(found.iter().all(|p| !p.names.contains(&"python2.7".into())));
        let sys3 = found
            .iter()
            .find(|p| p.path == sys.join("python3"))
            .unwrap();
        assert!(sys3.names.is_empty());
        // Facts::python3_on_path follows the shim.
        let facts = crate::probe::Facts {
            pythons: found.clone(),
            ..Default::default()
        };
        assert_eq!(
            facts.python3_on_path().map(|p| p.version),
            Some(Version::new(3, 12, 1))
        );
    }

    #[test]
    fn a_pyenv_with_a_missing_version_makes_its_shims_unavailable() {
        let t = tempfile::tempdir().unwrap();
        let root = fake_pyenv(t.path(), "x");
        // `version-name` fails like pyenv does for a version that is not installed.
        write_exec(
            &root.join("libexec/pyenv"),
            "#!/bin/sh\necho \"pyenv: version \\`3.5' is not installed\" >&2\nexit 1\n",
        );
        let mut env = env_with(
            &root.join("shims").display().to_string(),
            &t.path().join("r"),
        );
        env.pyenv_root = Some(root.clone());
        let found = find_all(&env);
        assert!(found.iter().all(|p| p.names.is_empty()), "{found:#?}");
        assert!(found.iter().all(|p| p.source == PythonSource::Pyenv));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn opaque_shims_are_run() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("real/python3.10");
        fake_python(&target, "3.10.4");
        let shims = t.path().join("pyenv/shims");
        write_exec(
            &shims.join("python3"),
            &format!("#!/bin/sh\nexec {} \"$@\"\n", target.display()),
        );
        write_exec(
            &shims.join("python3.7"),
            "#!/bin/sh\necho 'pyenv: python3.7: command not found' >&2\nexit 127\n",
        );
        let mut env = env_with(&shims.display().to_string(), &t.path().join("r"));
        env.pyenv_root = Some(t.path().join("pyenv"));
        let found = find_all(&env);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].path, target);
        assert_eq!(found[0].version, Version::new(3, 10, 4));
        assert_eq!(found[0].names, vec!["python3"]);
    }
}
