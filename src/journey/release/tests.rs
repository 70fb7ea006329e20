use super::build::{expected_wheel, missing};
use super::index::{simple_url, version_on_page, Target};
use super::token::{token_env_var, token_warning};
use super::version::{bumped_pyproject, label_accepts, set_label};

#[test]
fn bump_keeps_comments_in_both_forms() {
    let legacy = "# the project\n[tool.poetry]\nname = \"arcaflow-plugin-x\"  # its name\nversion = \"0.1.0\" # bumped by release\ndescription = \"d\"\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n";
    let out = bumped_pyproject(legacy, "0.1.1").unwrap();
    assert_eq!(
        out,
        legacy.replace("version = \"0.1.0\"", "version = \"0.1.1\""),
        "{out}"
    );
    let pep621 = "[project]\n# metadata\nname = \"arcaflow-plugin-x\"\nversion = \"1.2.3\"  # keep me\nrequires-python = \">=3.9,<4.0\"\n";
    let out = bumped_pyproject(pep621, "1.3.0").unwrap();
    assert!(out.contains("version = \"1.3.0\"  # keep me"), "{out}");
    assert!(out.contains("# metadata"), "{out}");
    assert_eq!(crate::version::bump("1.2.3", "minor").unwrap(), "1.3.0");
}

#[test]
fn dockerfile_label_is_replaced_only_for_final_versions() {
    let df = "FROM x\nLABEL org.opencontainers.image.title=\"t\"\nLABEL io.github.arcalot.arcaflow.plugin.version=\"0.1.0\"\nCMD []\n";
    let out = set_label(df, "0.2.0").unwrap();
    assert_eq!(out, df.replace("\"0.1.0\"", "\"0.2.0\""));
    assert!(set_label("FROM x\n", "1.0.0").is_none());
    assert!(label_accepts("1.0.0"));
    assert!(!label_accepts("1.0.0rc1"));
}

/// A token goes only to its own index: PyPI's and TestPyPI's names in any
/// case or spelling that maps to their variable, at their own URL; a custom
/// URL is https unless on this machine; credentials and queries are refused
/// without being repeated.
#[test]
fn a_token_goes_only_to_its_own_index() {
    for name in ["PYPI", "PyPI", "pypi"] {
        let e = Target::from_args(Some(name), Some("http://127.0.0.1:9/")).unwrap_err();
        assert!(e.contains("PyPI itself"), "{e}");
        assert!(Target::from_args(Some(name), None).unwrap().is_pypi());
    }
    for name in ["TESTPYPI", "TestPyPI"] {
        let e =
            Target::from_args(Some(name), Some("https://elsewhere.example/legacy/")).unwrap_err();
        assert!(e.contains("TestPyPI"), "{e}");
        let t = Target::from_args(Some(name), Some("https://test.pypi.org/legacy")).unwrap();
        assert_eq!(t.name, "testpypi");
        assert_eq!(
            t.upload_url.as_deref(),
            Some("https://test.pypi.org/legacy/")
        );
    }
    let e = Target::from_args(Some("mine"), Some("http://elsewhere.example/")).unwrap_err();
    assert!(e.contains("https"), "{e}");
    for ok in [
        "https://elsewhere.example/",
        "http://127.0.0.1:8080/",
        "http://127.1.2.3/",
        "http://localhost:8080/",
        "http://[::1]:8080/",
    ] {
        assert!(Target::from_args(Some("mine"), Some(ok)).is_ok(), "{ok}");
    }
    for (bad, secret) in [
        ("https://me:hunter22@host.example/", "hunter22"),
        ("https://abcdef123@host.example/", "abcdef123"),
        ("https://host.example/?key=s3cr3tvalue", "s3cr3tvalue"),
        ("https://host.example/#s3cr3tvalue", "s3cr3tvalue"),
        ("ftp://me:hunter22@host.example/", "hunter22"),
    ] {
        let e = Target::from_args(Some("mine"), Some(bad)).unwrap_err();
        assert!(!e.contains(secret), "{bad}: {e}");
    }
}

#[test]
fn targets_and_their_simple_index() {
    let t = Target::from_args(None, None).unwrap();
    assert_eq!(t.name, "testpypi");
    assert_eq!(
        t.upload_url.as_deref(),
        Some("https://test.pypi.org/legacy/")
    );
    assert_eq!(t.simple, "https://test.pypi.org/simple/");
    assert_eq!(t.token_var(), "POETRY_PYPI_TOKEN_TESTPYPI");
    assert_eq!(
        t.project_page("arcaflow_plugin_x", "0.1.1"),
        "https://test.pypi.org/project/arcaflow-plugin-x/0.1.1/"
    );
    let p = Target::from_args(Some("pypi"), None).unwrap();
    assert!(p.is_pypi() && p.upload_url.is_none());
    assert!(Target::from_args(Some("pypi"), Some("https://x/")).is_err());
    assert!(Target::from_args(Some("mine"), None).is_err());
    assert!(Target::from_args(Some("bad name"), Some("https://h/")).is_err());
    let l = Target::from_args(Some("local"), Some("http://127.0.0.1:8080/")).unwrap();
    assert_eq!(l.simple, "http://127.0.0.1:8080/simple/");
    assert_eq!(token_env_var("my-repo"), "POETRY_PYPI_TOKEN_MY_REPO");
    assert_eq!(
        simple_url("https://upload.pypi.org/legacy/"),
        "https://pypi.org/simple/"
    );
    assert_eq!(
        simple_url("https://nexus.example/repository/py/legacy"),
        "https://nexus.example/repository/py/simple/"
    );
}

#[test]
fn finds_a_version_on_a_simple_page() {
    let page = "<html><body>\n<a href=\"/packages/arcaflow_plugin_x-0.1.1-py3-none-any.whl#sha256=ab\">arcaflow_plugin_x-0.1.1-py3-none-any.whl</a><br>\n<a href=\"https://files.example/arcaflow-plugin-x-0.1.2.tar.gz#sha256=cd\">arcaflow-plugin-x-0.1.2.tar.gz</a>\n</body></html>";
    assert!(version_on_page(page, "arcaflow-plugin-x", "0.1.1"));
    assert!(version_on_page(page, "Arcaflow_Plugin.X", "0.1.2"));
    assert!(!version_on_page(page, "arcaflow-plugin-x", "0.1.10"));
    assert!(!version_on_page(page, "arcaflow-plugin-y", "0.1.1"));
    assert_eq!(
        expected_wheel("arcaflow-plugin-x", "1.0.0-RC1"),
        "arcaflow_plugin_x-1.0.0rc1-py3-none-any.whl"
    );
}

#[test]
fn archive_contents_are_checked() {
    let mods = vec![
        "pkg/__init__.py".to_string(),
        "pkg/a_plugin.py".to_string(),
        "pkg/a_schema.py".to_string(),
    ];
    let wheel: Vec<String> = [
        "pkg/__init__.py",
        "pkg/a_plugin.py",
        "x-0.1.dist-info/licenses/LICENSE",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        missing(&wheel, &mods, false, true),
        vec!["pkg/a_schema.py".to_string()]
    );
    let sdist: Vec<String> = [
        "x-0.1/pkg/__init__.py",
        "x-0.1/pkg/a_plugin.py",
        "x-0.1/pkg/a_schema.py",
        "x-0.1/README.md",
        "x-0.1/LICENSE",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(missing(&sdist, &mods, true, true).is_empty());
    assert_eq!(
        missing(&sdist[..3], &mods, true, true),
        vec!["README".to_string(), "LICENSE".to_string()]
    );
}

#[test]
fn token_warnings() {
    assert!(token_warning("pypi-AgEIcHlwaS5vcmc").is_none());
    assert!(token_warning("AgEIcHlwaS5vcmc").unwrap().contains("pypi-"));
}

/// The version question knows the current version: a version that does not
/// lead past it is refused as it is typed, with `--version`'s message, rather
/// than after the answer was taken (issue: refused only once the checks ran).
#[test]
fn version_question_refuses_what_does_not_follow_the_current_version() {
    use super::version::check_how_from;
    let not_greater = crate::version::bump("0.1.0", "0.0.9").unwrap_err();
    assert_eq!(
        not_greater,
        "'0.0.9' is not greater than the current version 0.1.0: a release needs a new, higher version"
    );
    let rows: &[(Option<&str>, &str, Result<&str, &str>)] = &[
        (Some("0.1.0"), "0.0.9", Err(&not_greater)),
        (
            Some("0.1.0"),
            "0.1.0",
            Err("'0.1.0' is not greater than the current version 0.1.0"),
        ),
        (
            Some("1.0.0"),
            "1.0.0rc1",
            Err("'1.0.0rc1' is not greater than the current version 1.0.0"),
        ),
        (Some("0.1.0"), "0.2.0+local", Err("has a local label")),
        (
            Some("0.1.0"),
            "banana",
            Err("'banana' is not a PEP 440 version"),
        ),
        (Some("0.1.0"), "", Err("the version is empty")),
        (Some("0.1.0"), " Patch ", Ok("patch")),
        (Some("0.1.0"), "major", Ok("major")),
        (Some("0.1.0"), "0.2.0", Ok("0.2.0")),
        (Some("0.1.0"), "1.0.0-RC1", Ok("1.0.0rc1")),
        // The current version unknown (or not PEP 440: release refuses it up front).
        (None, "0.0.9", Ok("0.0.9")),
        (Some("banana"), "0.0.9", Ok("0.0.9")),
        (None, "minor", Ok("minor")),
        (None, "banana", Err("'banana' is not a PEP 440 version")),
    ];
    let mut failed = Vec::new();
    for (current, typed, want) in rows {
        let got = check_how_from(*current, typed);
        let ok = match (want, &got) {
            (Ok(w), Ok(g)) => w == g,
            (Err(w), Err(g)) => g.contains(w),
            _ => false,
        };
        if !ok {
            failed.push(format!(
                "{current:?} + {typed:?}: want {want:?}, got {got:?}"
            ));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));

    // The question as the step asks it, for a project at 0.1.0.
    use crate::journey::{context::Options, Context, Step};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.poetry]\nname = \"arcaflow-plugin-x\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let ctx = Context::new(
        dir.path().to_path_buf(),
        Options::default(),
        crate::probe::Facts::default(),
        crate::probe::ProbeEnv::from_env(),
    );
    let qs = super::version::VersionStep::default().questions(&ctx);
    let q = qs
        .iter()
        .find(|q| q.key == "version")
        .expect("the version question");
    assert_eq!(q.accept("0.0.9"), Err(not_greater));
    assert_eq!(q.accept("patch"), Ok("patch".to_string()));
    assert_eq!(q.accept("0.1.1"), Ok("0.1.1".to_string()));
}

#[test]
fn an_environment_token_reaches_the_token_step_and_the_upload_for_every_target() {
    // As `commands::release` stores a POETRY_PYPI_TOKEN_<NAME> it found.
    use crate::journey::{context::Options, Check, Context, Step};
    for (repo, var) in [
        ("pypi", "POETRY_PYPI_TOKEN_PYPI"),
        ("testpypi", "POETRY_PYPI_TOKEN_TESTPYPI"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = Context::new(
            dir.path().to_path_buf(),
            Options::default(),
            crate::probe::Facts::default(),
            crate::probe::ProbeEnv::from_env(),
        );
        ctx.answers.insert("repository".into(), repo.into());
        let target = super::publish::target(&ctx).unwrap();
        ctx.secrets.insert(
            super::token::secret_key(&target).into(),
            "pypi-AgEIcHlwaS5vcmc".into(),
        );
        ctx.learned.insert(format!("env:{repo}"), "1".into());
        let step = super::token::TokenStep;
        assert!(step.questions(&ctx).is_empty(), "{repo}: asked again");
        assert!(
            matches!(step.check(&ctx), Ok(Check::Done(ref s)) if s.contains(var)),
            "{repo}: {:?}",
            step.check(&ctx)
        );
        ctx.learned.insert(
            super::SCRATCH_KEY.into(),
            dir.path().to_string_lossy().into_owned(),
        );
        let plan =
            super::publish::upload_plan(&ctx, &target, super::token::secret_key(&target)).unwrap();
        let given = plan.actions.iter().any(|a| match a {
            crate::plan::Action::Run(c) => {
                c.secret_env.get(var).map(String::as_str) == Some("pypi-AgEIcHlwaS5vcmc")
                    && !c.display().contains("pypi-AgEIcHlwaS5vcmc")
            }
            _ => false,
        });
        assert!(given, "{repo}: no upload gets the token in {var}");
    }
}

/// The upload URL reaches Poetry in the environment of the two publish commands
/// only: no `poetry config repositories.NAME URL`, which rewrote the user's global
/// config.toml. The URL is no secret; the token goes to the real upload alone.
#[test]
fn the_upload_url_goes_to_the_publish_commands_not_to_poetry_config() {
    use crate::journey::{context::Options, Context};
    use crate::plan::Action;
    assert_eq!(
        super::index::repository_url_env_var("my-index2"),
        "POETRY_REPOSITORIES_MY_INDEX2_URL"
    );
    let url = "http://127.0.0.1:8080/";
    for dry_run in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = Context::new(
            dir.path().to_path_buf(),
            Options {
                dry_run,
                ..Options::default()
            },
            crate::probe::Facts::default(),
            crate::probe::ProbeEnv::from_env(),
        );
        ctx.answers.insert("repository".into(), "my-index2".into());
        ctx.answers.insert("repository_url".into(), url.into());
        let target = super::publish::target(&ctx).unwrap();
        assert_eq!(target.url_var(), "POETRY_REPOSITORIES_MY_INDEX2_URL");
        ctx.secrets
            .insert("token".into(), "pypi-AgEIcHlwaS5vcmc".into());
        ctx.learned.insert(
            super::SCRATCH_KEY.into(),
            dir.path().to_string_lossy().into_owned(),
        );
        let out = super::build::build_dir(&ctx).unwrap();
        let out = out.to_string_lossy();
        let plan = super::publish::upload_plan(&ctx, &target, "token").unwrap();
        let cmds: Vec<_> = plan
            .actions
            .iter()
            .map(|a| match a {
                Action::Run(c) => c,
                other => panic!("not a command: {other:?}"),
            })
            .collect();
        assert_eq!(cmds.len(), 2, "{cmds:?}");
        for c in &cmds {
            assert_eq!(c.args[0], "publish", "{}", c.display());
            assert!(!c.args.iter().any(|a| a == "config"), "{}", c.display());
            assert_eq!(
                c.env
                    .get("POETRY_REPOSITORIES_MY_INDEX2_URL")
                    .map(String::as_str),
                Some(url),
                "{}",
                c.display()
            );
            assert!(!c
                .secret_env
                .contains_key("POETRY_REPOSITORIES_MY_INDEX2_URL"));
            assert!(
                c.display()
                    .contains(&format!("POETRY_REPOSITORIES_MY_INDEX2_URL={url} ")),
                "{}",
                c.display()
            );
        }
        // Both upload from this run's own build folder, never dist/.
        assert_eq!(
            cmds[0].args,
            [
                "publish",
                "--dry-run",
                "--dist-dir",
                &out,
                "-r",
                "my-index2"
            ]
        );
        assert_eq!(
            cmds[0].label.as_deref(),
            Some("rehearsal (uploads nothing)")
        );
        assert!(cmds[0].secret_env.is_empty());
        assert_eq!(
            cmds[1].args,
            ["publish", "--dist-dir", &out, "-r", "my-index2"]
        );
        assert!(cmds[1]
            .secret_env
            .contains_key("POETRY_PYPI_TOKEN_MY_INDEX2"));
    }
    // PyPI: Poetry knows its URL; nothing is set.
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = Context::new(
        dir.path().to_path_buf(),
        Options::default(),
        crate::probe::Facts::default(),
        crate::probe::ProbeEnv::from_env(),
    );
    ctx.learned.insert(
        super::SCRATCH_KEY.into(),
        dir.path().to_string_lossy().into_owned(),
    );
    let plan = super::publish::upload_plan(&ctx, &Target::pypi(), "pypi_token").unwrap();
    for a in &plan.actions {
        if let Action::Run(c) = a {
            assert!(
                !c.env.keys().any(|k| k.starts_with("POETRY_REPOSITORIES_")),
                "{}",
                c.display()
            );
        }
    }
}

/// The advice on keeping a token never puts it on a command line: Poetry 1.8 and
/// 2.x take `poetry config pypi-token.NAME` only with the token as its argument.
#[test]
fn keeping_a_token_is_advised_through_a_private_file_and_the_environment() {
    let t = Target::from_args(Some("my-index"), Some("http://127.0.0.1:8080/")).unwrap();
    let hint = super::token::storing_hint(&t);
    assert!(
        hint.contains("export POETRY_PYPI_TOKEN_MY_INDEX=\"$(cat ~/.my-index-token)\""),
        "{hint}"
    );
    assert!(hint.contains("umask 077"), "{hint}");
    let pypi = super::token::keep_token_advice("pypi");
    assert!(
        pypi.contains("export POETRY_PYPI_TOKEN_PYPI=\"$(cat ~/.pypi-token)\""),
        "{pypi}"
    );
    for text in [hint, pypi] {
        assert!(!text.contains("poetry config"), "{text}");
        assert!(!text.contains("type it when asked"), "{text}");
    }
}

/// The throwaway venvs' folder is new each run, only its owner's (0700), and
/// gone once the run lets it go.
#[test]
fn the_scratch_folder_is_fresh_private_and_removed() {
    use std::os::unix::fs::PermissionsExt;
    let a = super::make_scratch().unwrap();
    let b = super::make_scratch().unwrap();
    assert_ne!(a.path(), b.path());
    let mode = std::fs::metadata(a.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
    let path = a.path().to_path_buf();
    std::fs::create_dir_all(path.join("wheel-venv/bin")).unwrap();
    drop(a);
    assert!(!path.exists());
}

/// A module include (`include = "hello_plugin.py", from = "./arcaflow_plugin_hello"`)
/// puts the module at the wheel's top: it is imported as `hello_plugin`, not
/// `arcaflow_plugin_hello.hello_plugin` (which no wheel of it holds).
#[test]
fn a_module_include_is_imported_by_its_own_name() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins");
    for (fixture, want) in [
        ("module-from-dotslash", "hello_plugin"),
        ("folder-include", "arcaflow_plugin_nod.nod_plugin"),
    ] {
        let dir = fixtures.join(fixture);
        let layout = crate::probe::layout::Layout::read(&dir).unwrap();
        let text = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
        let info = crate::pyproject::inspect(&crate::pyproject::parse(&text).unwrap());
        let names = crate::names::PluginNames::parse(info.name.as_deref().unwrap()).unwrap();
        let got = super::install::wheel_entry_module(&dir, &layout, &info, &names.entry_module());
        assert_eq!(got.as_deref(), Some(want), "{fixture}");
    }
}

/// What Poetry 2.x would upload instead: any file in the build folder that is
/// not the version being released (a higher one wins there).
#[test]
fn files_of_another_version_in_the_build_folder_are_named() {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "arcaflow_plugin_x-0.1.1-py3-none-any.whl",
        "arcaflow_plugin_x-0.1.1.tar.gz",
        "notes.txt",
    ] {
        std::fs::write(d.path().join(f), "").unwrap();
    }
    assert!(super::build::foreign_files(d.path(), "arcaflow-plugin-x", "0.1.1").is_empty());
    std::fs::write(
        d.path().join("arcaflow_plugin_x-0.2.0-py3-none-any.whl"),
        "",
    )
    .unwrap();
    assert_eq!(
        super::build::foreign_files(d.path(), "arcaflow-plugin-x", "0.1.1"),
        vec!["arcaflow_plugin_x-0.2.0-py3-none-any.whl".to_string()]
    );
}
