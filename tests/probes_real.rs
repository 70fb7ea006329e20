//! The probes against the real machine: real pyenv interpreters behind a PATH
//! the test builds, the two real Poetry installs `scripts/test` makes
//! (`AW_TEST_POETRY1`, `AW_TEST_POETRY2`), a real venv whose interpreter was
//! removed, and the time `gather` takes in the real environment.
//!
//! A test that lacks a tool prints `skipped: ...` and passes, unless
//! `AW_TEST_REQUIRE_TOOLS=1`, where it fails.

mod common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use arcaflow_wizard::probe::{self, poetry, python, InstallMethod, ProbeEnv, PythonSource};
use arcaflow_wizard::version::Version;

fn require_tools() -> bool {
    matches!(
        std::env::var("AW_TEST_REQUIRE_TOOLS").as_deref(),
        Ok("1" | "true" | "yes")
    )
}

/// Skip (or fail under AW_TEST_REQUIRE_TOOLS=1) when a tool is missing.
fn skip(why: &str) {
    assert!(!require_tools(), "AW_TEST_REQUIRE_TOOLS=1 but {why}");
    common::record_skip(why);
    eprintln!("skipped: {why}");
}

fn pyenv_root() -> PathBuf {
    std::env::var_os("AW_TEST_PYENV_ROOT")
        .or_else(|| std::env::var_os("PYENV_ROOT"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".pyenv")
        })
}

/// pyenv's newest `3.<minor>.Z`: (its `bin/python3.<minor>`, its version).
fn pyenv_python(minor: u32) -> Option<(PathBuf, Version)> {
    let mut found: Vec<(Version, PathBuf)> = std::fs::read_dir(pyenv_root().join("versions"))
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let v = Version::find_in(&name)?;
            let exe = e.path().join(format!("bin/python3.{minor}"));
            (v.major == 3 && v.minor == minor && name == v.to_string() && exe.is_file())
                .then_some((v, exe))
        })
        .collect();
    found.sort();
    found.pop().map(|(v, p)| (p, v))
}

/// A restricted environment: PATH is `path`, an empty root, HOME a temp folder.
fn restricted(tmp: &Path, path: &str) -> ProbeEnv {
    let root = tmp.join("root");
    let home = tmp.join("home");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    ProbeEnv {
        path: path.into(),
        home: Some(home.clone()),
        root,
        pyenv_root: None,
        poetry_home: Some(home.join(".local/share/pypoetry")),
    }
}

#[test]
fn finds_real_interpreters_behind_a_restricted_path() {
    let (Some((py36, v36)), Some((py311, v311))) = (pyenv_python(6), pyenv_python(11)) else {
        return skip("pyenv has no Python 3.6 and 3.11");
    };
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    symlink(&py36, bin.join("python3")).unwrap();
    symlink(&py311, bin.join("python3.11")).unwrap();
    let env = restricted(tmp.path(), &bin.display().to_string());

    let t = Instant::now();
    let found = python::find_all(&env);
    eprintln!(
        "python::find_all (2 interpreters, files only): {:?}",
        t.elapsed()
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    // Sorted newest first.
    assert_eq!(found[0].version, v311);
    assert_eq!(found[0].names, vec!["python3.11"]);
    assert_eq!(found[0].path, bin.join("python3.11"));
    assert_eq!(found[0].real_path, std::fs::canonicalize(&py311).unwrap());
    assert_eq!(found[1].version, v36);
    assert!(found.iter().all(|p| p.source == PythonSource::Path));

    let facts = probe::Facts {
        pythons: found,
        ..Default::default()
    };
    let p3 = facts.python3_on_path().expect("python3 is on PATH");
    assert_eq!(p3.version, v36, "python3 is the old 3.6");
    assert_eq!(p3.path, bin.join("python3"));
    // The best for a plugin is the 3.11, since python3 is too old.
    assert_eq!(facts.best_python().map(|p| p.version), Some(v311));
}

#[test]
fn real_pyenv_shims_resolve_to_the_global_version() {
    let root = pyenv_root();
    let shims = root.join("shims");
    if !shims.join("python3").is_file() {
        return skip("no pyenv shims");
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut env = restricted(tmp.path(), &format!("{}:/usr/bin:/bin", shims.display()));
    env.pyenv_root = Some(root.clone());
    // What the shim really runs, the slow way.
    let out = Command::new(shims.join("python3"))
        .args(["-c", "import sys; print(sys.executable)"])
        .env("PATH", &env.path)
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let t = Instant::now();
    let found = python::find_all(&env);
    eprintln!("python::find_all with pyenv shims: {:?}", t.elapsed());
    let p3 = found
        .iter()
        .find(|p| p.names.iter().any(|n| n == "python3"));
    if out.status.success() {
        let exe = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let p3 = p3.expect("python3 resolved through the shim");
        assert_eq!(
            p3.real_path,
            std::fs::canonicalize(&exe).unwrap(),
            "{found:#?}"
        );
        assert_eq!(p3.source, PythonSource::Path);
    } else {
        assert!(
            p3.is_none(),
            "the shim fails, so python3 is not available: {found:#?}"
        );
    }
    // Every pyenv version is there once.
    let versions = std::fs::read_dir(root.join("versions")).unwrap().count();
    assert!(found.len() >= versions.min(2), "{found:#?}");
}

/// The two real Poetry installs of scripts/test.
fn real_poetries() -> Option<(PathBuf, PathBuf)> {
    let p1 = std::env::var_os("AW_TEST_POETRY1").map(PathBuf::from)?;
    let p2 = std::env::var_os("AW_TEST_POETRY2").map(PathBuf::from)?;
    (p1.is_file() && p2.is_file()).then_some((p1, p2))
}

#[test]
fn finds_both_real_poetry_installs() {
    let Some((p1, p2)) = real_poetries() else {
        return skip("AW_TEST_POETRY1/AW_TEST_POETRY2 not set (run through scripts/test)");
    };
    let tmp = tempfile::tempdir().unwrap();
    // Two PATH folders, each with a link to one Poetry: the 1.8.3 one first.
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    symlink(&p1, a.join("poetry")).unwrap();
    symlink(&p2, b.join("poetry")).unwrap();
    let mut env = restricted(tmp.path(), &format!("{}:{}", a.display(), b.display()));

    let t = Instant::now();
    let found = poetry::find_all(&env);
    let took = t.elapsed();
    eprintln!("poetry::find_all (2 installs): {took:?}");
    assert_eq!(found.len(), 2, "{found:#?}");
    let want1 = Version::find_in(
        &std::env::var("AW_TEST_POETRY1_VERSION").unwrap_or_else(|_| "1.8.3".into()),
    );
    let by_major = |m: u32| {
        found
            .iter()
            .find(|p| p.version.is_some_and(|v| v.major == m))
    };
    let one = by_major(1).expect("Poetry 1.x found");
    let two = by_major(2).expect("Poetry 2.x found");
    assert_eq!(one.version, want1);
    if let Some(v2) = std::env::var("AW_TEST_POETRY2_VERSION")
        .ok()
        .and_then(|v| Version::find_in(&v))
    {
        assert_eq!(two.version, Some(v2));
    }
    for (inst, exe) in [(one, &p1), (two, &p2)] {
        let py = inst.python.as_ref().expect("owner from the shebang");
        assert_eq!(
            py.parent(),
            exe.parent(),
            "the venv's own python: {inst:#?}"
        );
        assert!(inst.python_exists);
        assert_eq!(inst.method, InstallMethod::Pip, "a pip'd venv: {inst:#?}");
        assert_eq!(inst.venv().as_deref(), exe.parent().and_then(Path::parent));
    }
    assert!(one.first_on_path && !two.first_on_path);
    assert_eq!(one.path, a.join("poetry"), "shown by the path PATH finds");
    // Versions came from the dist-info folders: no Poetry was run (that takes ~0.35 s each).
    assert!(took < Duration::from_millis(300), "{took:?}");

    // Swap the order: now 2.x is first.
    env.path = format!("{}:{}", b.display(), a.display());
    let found = poetry::find_all(&env);
    let first: Vec<_> = found.iter().filter(|p| p.first_on_path).collect();
    assert_eq!(first.len(), 1);
    assert!(first[0].is_v2());

    // The venvs' interpreters also see Poetry as `python -m poetry`: still two installs.
    let pythons: Vec<_> = [&p1, &p2]
        .iter()
        .map(|p| python::Python {
            path: p.with_file_name("python"),
            real_path: std::fs::canonicalize(p.with_file_name("python")).unwrap(),
            version: Version::new(3, 0, 0),
            names: vec![],
            source: PythonSource::Path,
        })
        .collect();
    let found = poetry::find_all_with(&env, &pythons);
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn a_real_venv_whose_python_was_removed() {
    let Some((py39, _)) = pyenv_python(9).or_else(|| pyenv_python(11)) else {
        return skip("pyenv has no Python 3.9 or 3.11 to make a venv with");
    };
    let tmp = tempfile::tempdir().unwrap();
    let venv = tmp.path().join("venv");
    let st = Command::new(&py39)
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    // The venv's interpreter links now point at an interpreter that is gone.
    let bin = venv.join("bin");
    for e in std::fs::read_dir(&bin).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("python") && e.file_type().unwrap().is_symlink() {
            std::fs::remove_file(e.path()).unwrap();
            symlink(tmp.path().join("removed").join(&name), e.path()).unwrap();
        }
    }
    assert!(!bin.join("python").exists());
    // A Poetry script pip would have written, in a PATH folder.
    let path_dir = tmp.path().join("path");
    std::fs::create_dir(&path_dir).unwrap();
    let script = path_dir.join("poetry");
    std::fs::write(
        &script,
        format!(
            "#!{}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom poetry.console.application import main\n",
            bin.join("python").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let env = restricted(tmp.path(), &path_dir.display().to_string());

    let t = Instant::now();
    let found = poetry::find_all(&env);
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "nothing to run: {:?}",
        t.elapsed()
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    let p = &found[0];
    assert!(!p.python_exists, "{p:#?}");
    assert_eq!(p.python, Some(bin.join("python")));
    assert!(p.first_on_path);
    assert_eq!(p.version, None, "no dist-info, and it cannot run");
    assert_eq!(p.venv(), Some(venv.clone()));
    // And the python probe does not count the venv's dead interpreter.
    let pys = python::find_all(&ProbeEnv {
        path: bin.display().to_string(),
        ..env.clone()
    });
    assert!(pys.is_empty(), "{pys:#?}");
}

#[test]
fn a_docker_client_without_a_daemon_is_not_usable_and_answers_fast() {
    // A socket nobody listens on: no daemon can answer, whatever this machine
    // runs. Process-wide, but only docker reads it and no test here wants a daemon.
    std::env::set_var(
        "DOCKER_HOST",
        "unix:///nonexistent/arcaflow-wizard-test.sock",
    );
    let env = ProbeEnv::from_env();
    let t = Instant::now();
    let engines = probe::engine::find_all(&env);
    let took = t.elapsed();
    eprintln!("engine::find_all: {took:?} {engines:#?}");
    assert!(
        took < Duration::from_secs(6),
        "every engine has a 5 s timeout"
    );
    let Some(d) = engines.iter().find(|e| e.name == "docker") else {
        common::skip("no docker client on this machine");
        return;
    };
    assert!(!d.usable, "{d:#?}");
    assert!(d.detail.contains("no daemon answers"), "{}", d.detail);
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// The time `gather` takes here, with the real environment (printed; the
/// assertion is only a guard against a hang).
#[test]
fn gather_is_fast_in_the_real_environment() {
    let env = ProbeEnv::from_env();
    let _ = probe::gather(&env); // warm the file cache
    let mut times = Vec::new();
    let mut facts = probe::Facts::default();
    for _ in 0..5 {
        let t = Instant::now();
        facts = probe::gather(&env);
        times.push(t.elapsed());
    }
    times.sort();
    eprintln!(
        "gather: min {:?}, median {:?}, max {:?} ({} pythons, {} poetries, distro {:?}, {} engines)",
        times[0],
        times[2],
        times[4],
        facts.pythons.len(),
        facts.poetries.len(),
        facts.distro.as_ref().map(|d| &d.pretty_name),
        facts.engines.len()
    );
    for p in &facts.pythons {
        eprintln!(
            "  python {} {} {:?} {:?}",
            p.version,
            p.path.display(),
            p.names,
            p.source
        );
    }
    for p in &facts.poetries {
        eprintln!(
            "  poetry {:?} {} {:?} first={} python_exists={}",
            p.version,
            p.path.display(),
            p.method,
            p.first_on_path,
            p.python_exists
        );
    }
    assert!(times[2] < Duration::from_secs(3), "{times:?}");
}
