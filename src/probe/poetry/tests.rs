//! Poetry discovery against fake installs built in temporary folders.

use super::script::{shebang_python, wrapper_target, ShebangPython};
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
        );
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
