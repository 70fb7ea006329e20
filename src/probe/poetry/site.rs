//! An interpreter's site-packages folders and the Poetry dist-info in them:
//! the version, the installer and the scripts it records, read from files.

use std::path::{Component, Path, PathBuf};

use crate::probe::python::{self, is_python_name, venv_root};
use crate::probe::run::sorted_entries;
use crate::probe::ProbeEnv;
use crate::version::Version;

/// `X.Y` of an interpreter, from its (real) file name or its location.
pub(super) fn interpreter_xy(python: &Path) -> Option<String> {
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
pub(super) fn lib_python_dirs(prefix: &Path) -> Vec<PathBuf> {
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
pub(super) fn site_dirs(python: &Path, env: &ProbeEnv) -> Vec<PathBuf> {
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
pub(super) fn poetry_dist_infos(site: &Path) -> Vec<(PathBuf, Version)> {
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
pub(super) fn normalize(p: &Path) -> PathBuf {
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
pub(super) fn record_scripts(site: &Path, dist_info: &Path) -> Vec<PathBuf> {
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

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Where Poetry's package is for an owner: the dist-info (and its site folder).
/// With several candidates, the one whose RECORD installed `script` wins.
pub(super) fn find_dist_info(
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

pub(super) fn installer_of(dist_info: &Path) -> Option<String> {
    std::fs::read_to_string(dist_info.join("INSTALLER"))
        .ok()
        .map(|s| s.trim().to_string())
}
