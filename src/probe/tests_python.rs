//! Interpreter discovery against fake interpreters, venvs and pyenv roots.

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
