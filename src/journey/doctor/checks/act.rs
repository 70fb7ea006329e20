//! ACT's checks, run locally: top-level names, the Dockerfile's lines, flake8.

use std::time::Duration;

use super::super::{Finding, Fix, Group, Input};
use crate::plan::Cmd;
use crate::preflight;

const G: Group = Group::Act;

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let dir = &input.dir;
    let mut results = preflight::check_project(dir);
    // Without a Dockerfile, its line checks only repeat that it is missing.
    if !dir.join("Dockerfile").is_file() {
        results
            .retain(|r| !(r.id.starts_with("act-dockerfile-") || r.id.starts_with("act-label-")));
    }
    if let Some(r) = flake8(input) {
        results.push(r);
    }
    let total = results.len();
    let mut out: Vec<Finding> = results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let sev = if r.id == "act-flake8"
                && (r.detail.contains("not installed")
                    || r.detail.starts_with("flake8 was not run"))
            {
                Finding::warning(G, r.id, r.title.clone())
            } else {
                Finding::problem(G, r.id, format!("ACT: {}", r.title))
            };
            let detail: Vec<&str> = r.detail.lines().take(12).collect();
            let f = sev.detail(detail.join("\n"));
            if r.fix.is_empty() {
                f
            } else {
                f.fix(Fix::manual(r.fix.clone()))
            }
        })
        .collect();
    // A check that was not run neither passed nor failed: the count leaves it out.
    let not_run = results
        .iter()
        .filter(|r| r.detail.starts_with("flake8 was not run"))
        .count();
    let passed = total - out.len();
    let counted = total - not_run;
    let note = if not_run > 0 { " (flake8 not run)" } else { "" };
    // A count with failures in it is not ok: it is as bad as the worst of them.
    let mut summary = Finding::ok(
        G,
        "act-checks",
        format!("{passed} of {counted} ACT checks pass{note}"),
    );
    summary.severity = out
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(summary.severity);
    out.insert(0, summary);
    out.extend(super::workflow::check(dir));
    out
}

/// flake8 as ACT runs it, with the project venv's Python when it has flake8,
/// else a `flake8` on PATH; when neither can run, a result that says why.
///
/// Doctor runs nothing that came with the project: not a venv git tracks or
/// whose Python lies inside the project (`venv::untrusted`), and not flake8 at
/// all when the project's flake8 config names local plugins (flake8 imports
/// that code). The venv's Python runs isolated (`-I`): a `flake8/` folder in
/// the project is not what `-m flake8` imports.
fn flake8(input: &Input) -> Option<preflight::CheckResult> {
    let dir = &input.dir;
    if let Some(file) = local_plugins(dir) {
        return Some(preflight::flake8_not_run(
            format!(
                "{file} declares [flake8:local-plugins], code of the project's that flake8 would import and run"
            ),
            "read the plugin code it names; then run it yourself: poetry run python -m flake8 --show-source .",
        ));
    }
    let name = super::Project::load(dir).and_then(|p| p.info().and_then(|i| i.name.clone()));
    let located = crate::probe::venv::locate(&input.dir, &input.env, name.as_deref());
    let distrust = located
        .as_ref()
        .and_then(|v| super::venv::untrusted(dir, v));
    let venv = located.clone().filter(|v| {
        distrust.is_none()
            && crate::probe::venv::broken(v).is_none()
            && crate::probe::venv::installed(v, "flake8")
    });
    let on_path = super::on_path(input, "flake8").filter(|f| outside(dir, f));
    let args = preflight::flake8_args();
    let cmd = match (venv, on_path) {
        (Some(v), _) => Cmd::new(v.join("bin/python")).arg("-I").args(args),
        (None, Some(f)) => Cmd::new(f).args(args.into_iter().skip(2)),
        (None, None) => {
            return Some(match (located, distrust) {
                (None, _) => preflight::flake8_not_run(
                    "the project has no virtualenv yet",
                    "poetry install   # makes the venv with the dev group; then: poetry run python -m flake8 --show-source .",
                ),
                (Some(v), Some(why)) => preflight::flake8_not_run(
                    format!("doctor does not run the virtualenv {}: {why}", v.display()),
                    "make the venv on this machine: poetry install; then: poetry run python -m flake8 --show-source .",
                ),
                (Some(_), None) => preflight::flake8_check(false, ""),
            });
        }
    };
    let cmd = cmd.cwd(dir).timeout(Duration::from_secs(20));
    // flake8's verdict only changes with the sources, its config or the tool:
    // remember it by their paths, sizes and mtimes, and start flake8 only then.
    let cache = flake8_cache_file(dir, &cmd);
    if let Some(text) = cache.as_ref().and_then(|f| std::fs::read_to_string(f).ok()) {
        if let Some((verdict, out)) = text.split_once('\n') {
            return Some(preflight::flake8_check(verdict == "ok", out));
        }
    }
    let mut out = String::new();
    let res = crate::exec::run(&cmd, &[], &crate::exec::CancelToken::new(), &mut |l| {
        if out.len() < 64 * 1024 {
            out.push_str(l);
            out.push('\n');
        }
    })
    .ok()?;
    if let (Some(f), crate::exec::Ending::Exited(_)) = (&cache, &res.ending) {
        let verdict = if res.success() { "ok" } else { "failed" };
        if crate::session::private_dir(&crate::session::state_dir(), "cache").is_ok() {
            let _ = crate::exec::write::write_file(
                f,
                format!("{verdict}\n{out}").as_bytes(),
                crate::exec::write::Mode::Exactly(0o600),
            );
        }
    }
    Some(preflight::flake8_check(res.success(), &out))
}

/// The flake8 config file that declares local plugins, if one does: `.flake8`,
/// `setup.cfg` or `tox.ini` with a `[flake8:local-plugins]` section.
fn local_plugins(dir: &std::path::Path) -> Option<&'static str> {
    [".flake8", "setup.cfg", "tox.ini"].into_iter().find(|f| {
        std::fs::read(dir.join(f)).is_ok_and(|b| {
            String::from_utf8_lossy(&b).lines().any(|l| {
                l.trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .trim()
                    .eq_ignore_ascii_case("flake8:local-plugins")
                    && l.trim().starts_with('[')
            })
        })
    })
}

/// `program`, links followed, lies outside the project `dir`.
fn outside(dir: &std::path::Path, program: &std::path::Path) -> bool {
    let real_dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    std::fs::canonicalize(program).is_ok_and(|p| !p.starts_with(&real_dir))
}

/// `<state>/cache/flake8-<key>`, keyed by the command and every Python file
/// and config flake8 reads (path, size, mtime); None when the tree is too big
/// to list cheaply.
fn flake8_cache_file(dir: &std::path::Path, cmd: &Cmd) -> Option<std::path::PathBuf> {
    use std::hash::{Hash, Hasher};
    const SKIP: [&str; 8] = [
        ".venv",
        "venv",
        ".git",
        ".tox",
        "dist",
        "build",
        "__pycache__",
        "htmlcov",
    ];
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let p = e.path();
            let ft = e.file_type().ok()?;
            if ft.is_dir() && !SKIP.contains(&name.as_ref()) {
                stack.push(p);
            } else if ft.is_file()
                && (name.ends_with(".py")
                    || matches!(name.as_ref(), ".flake8" | "setup.cfg" | "tox.ini"))
            {
                let m = e.metadata().ok()?;
                files.push((p, m.len(), m.modified().ok()?));
            }
            if files.len() > 5000 {
                return None;
            }
        }
    }
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cmd.display().hash(&mut h);
    std::fs::metadata(&cmd.program)
        .ok()?
        .modified()
        .ok()?
        .hash(&mut h);
    site_packages_mtimes(&cmd.program).hash(&mut h);
    files.hash(&mut h);
    Some(
        crate::session::state_dir()
            .join("cache")
            .join(format!("flake8-{:016x}", h.finish())),
    )
}

/// The mtimes of the package folders beside `program` (a venv's `bin/python`,
/// or a `flake8` script, followed through links): upgrading flake8 or its
/// plugins replaces their `*.dist-info` folders there, which changes the
/// folder's mtime though neither the program nor the sources changed.
fn site_packages_mtimes(program: &std::path::Path) -> Vec<std::time::SystemTime> {
    let mut prefixes = vec![program.to_path_buf()];
    prefixes.extend(std::fs::canonicalize(program).ok());
    let mut out = Vec::new();
    for p in prefixes {
        let Some(prefix) = p.parent().and_then(|b| b.parent()) else {
            continue;
        };
        let Ok(libs) = std::fs::read_dir(prefix.join("lib")) else {
            continue;
        };
        for lib in libs.flatten() {
            for sub in ["site-packages", "dist-packages"] {
                if let Ok(t) = std::fs::metadata(lib.path().join(sub)).and_then(|m| m.modified()) {
                    out.push(t);
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_changes_when_the_venv_gets_another_flake8() {
        let t = tempfile::tempdir().unwrap();
        let project = t.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("plugin.py"), "x = 1\n").unwrap();
        let venv = t.path().join("venv");
        let site = venv.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(site.join("flake8-7.0.0.dist-info")).unwrap();
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        std::fs::write(venv.join("bin/python"), "").unwrap();
        let cmd = Cmd::new(venv.join("bin/python")).args(preflight::flake8_args());
        let before = flake8_cache_file(&project, &cmd).unwrap();
        assert_eq!(flake8_cache_file(&project, &cmd).unwrap(), before);
        // pip install -U flake8: the old dist-info goes, a new one comes.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::remove_dir(site.join("flake8-7.0.0.dist-info")).unwrap();
        std::fs::create_dir(site.join("flake8-7.1.0.dist-info")).unwrap();
        assert_ne!(flake8_cache_file(&project, &cmd).unwrap(), before);
    }
}
