//! `release --ci`: the publish workflow, the values PyPI's pending-publisher form
//! asks for, and doctor's check that the workflow still matches them. The
//! workflow is checked against GitHub's workflow schema by the real
//! check-jsonschema (`AW_TEST_CHECK_JSONSCHEMA`, from scripts/test).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use arcaflow_wizard::journey::release::ci::workflow;
use common::{run, Sandbox};

const T: Duration = Duration::from_secs(120);

/// A plugin project as `new` leaves it, with `origin` at `remote` (if any).
fn project(sb: &Sandbox, remote: Option<&str>) -> PathBuf {
    let dir = sb.work().join("arcaflow-plugin-example");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.3.0\"\ndescription = \"x\"\n\
         authors = [\"A <a@example.com>\"]\npackages = [{ include = \"arcaflow_plugin_example\" }]\n\n\
         [tool.poetry.dependencies]\npython = \"^3.9\"\n",
    )
    .unwrap();
    let git = |args: &[&str]| {
        let r = run(sb.command("git").args(args).current_dir(&dir), T);
        assert!(r.ok(), "git {args:?}: {}", r.output);
    };
    git(&["init", "-q"]);
    if let Some(url) = remote {
        git(&["remote", "add", "origin", url]);
    }
    dir
}

fn release_ci(sb: &Sandbox, dir: &Path, extra: &[&str]) -> common::Ran {
    let mut c = sb.wizard();
    c.arg("release")
        .arg(dir)
        .args(["--ci", "--yes"])
        .args(extra);
    run(&mut c, T)
}

/// check-jsonschema's GitHub workflow schema, or None after saying why it skips.
fn schema_check(file: &Path) -> Option<common::Ran> {
    let exe = match std::env::var_os("AW_TEST_CHECK_JSONSCHEMA").map(PathBuf::from) {
        Some(p) if p.is_file() => p,
        _ => {
            common::skip(
                "AW_TEST_CHECK_JSONSCHEMA is not set or missing (scripts/test installs it)",
            );
            return None;
        }
    };
    let mut c = std::process::Command::new(exe);
    c.args(["--builtin-schema", "vendor.github-workflows"])
        .arg(file);
    Some(run(&mut c, T))
}

#[test]
fn release_ci_writes_a_valid_workflow_and_prints_the_publisher_values() {
    let sb = Sandbox::new();
    let dir = project(
        &sb,
        Some("git@github.com:arcalot/arcaflow-plugin-example.git"),
    );
    let ran = release_ci(&sb, &dir, &[]);
    assert!(ran.ok(), "{}", ran.output);
    let path = dir.join(workflow::PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    // Shown before it was written.
    assert!(
        ran.output.contains("+on:\n") || ran.output.contains("+on:"),
        "{}",
        ran.output
    );
    for want in [
        "PyPI Project Name:  arcaflow-plugin-example",
        "Owner:              arcalot",
        "Repository name:    arcaflow-plugin-example",
        "Workflow name:      publish.yaml",
        "Environment name:   pypi",
        "Environment name:   testpypi",
        "https://test.pypi.org/manage/account/publishing/",
        "gh release create v0.3.0",
        "Done: the publish workflow is written",
    ] {
        assert!(
            ran.output.contains(want),
            "missing {want:?}:\n{}",
            ran.output
        );
    }
    // Its structure, read back: what the printed values promise.
    let w = workflow::read(&text).unwrap();
    assert!(w.on_release_published, "{text}");
    let envs: Vec<_> = w
        .publish_jobs
        .iter()
        .map(|j| {
            (
                j.environment.clone().unwrap(),
                j.to_pypi(),
                j.id_token,
                j.uses_token,
            )
        })
        .collect();
    assert_eq!(
        envs,
        [
            ("pypi".to_string(), true, true, false),
            ("testpypi".to_string(), false, true, false)
        ]
    );
    assert!(
        text.contains("repository-url: https://test.pypi.org/legacy/"),
        "{text}"
    );
    assert!(
        text.contains("uses: pypa/gh-action-pypi-publish@release/v1"),
        "{text}"
    );
    assert!(text.contains("python-version: \"3.9\""), "{text}");
    // GitHub's own schema accepts it, and actionlint finds nothing.
    if let Some(r) = schema_check(&path) {
        assert!(r.ok(), "check-jsonschema:\n{}", r.output);
    }
    if let Some(v) = common::workflow::validators() {
        v.actionlint(&path)
            .unwrap_or_else(|e| panic!("actionlint: {e}"));
    }
    // doctor agrees it matches.
    let mut d = sb.wizard();
    d.args(["doctor", "--json"]).arg(&dir);
    let out = run(&mut d, T).output;
    assert!(
        out.contains("\"publish-workflow-mismatch\"")
            && !out.contains("does not match the publisher"),
        "{out}"
    );
    // A second run finds it done and changes nothing.
    let again = release_ci(&sb, &dir, &[]);
    assert!(again.ok(), "{}", again.output);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn the_token_form_also_passes_the_workflow_schema_and_actionlint() {
    let sb = Sandbox::new();
    let file = sb.root().join("publish.yaml");
    std::fs::write(
        &file,
        workflow::render("arcaflow-plugin-example", "3.12", workflow::Auth::Token),
    )
    .unwrap();
    if let Some(r) = schema_check(&file) {
        assert!(r.ok(), "check-jsonschema:\n{}", r.output);
    }
    let validators = common::workflow::validators();
    if let Some(v) = &validators {
        v.actionlint(&file)
            .unwrap_or_else(|e| panic!("actionlint: {e}"));
    }
    // And the schema check can fail: a job without runs-on is refused.
    std::fs::write(
        &file,
        "on: push\njobs:\n  x:\n    steps:\n      - run: echo\n",
    )
    .unwrap();
    if let Some(r) = schema_check(&file) {
        assert!(!r.ok(), "check-jsonschema accepted a job without runs-on");
    }
    // And actionlint can: an expression naming a context that does not exist.
    std::fs::write(
        &file,
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nosuchcontext.value }}\n",
    )
    .unwrap();
    if let Some(v) = &validators {
        assert!(
            v.actionlint(&file).is_err(),
            "actionlint accepted an unknown context"
        );
    }
}

#[test]
fn without_a_github_remote_the_owner_is_asked_and_yes_cannot_answer() {
    let sb = Sandbox::new();
    let dir = project(
        &sb,
        Some("https://gitlab.com/me/arcaflow-plugin-example.git"),
    );
    let ran = release_ci(&sb, &dir, &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(ran.output.contains("GitHub owner"), "{}", ran.output);
    assert!(!dir.join(".github").exists(), "something was written");
}

#[test]
fn a_workflow_of_the_users_is_not_overwritten_and_flags_that_do_not_apply_are_refused() {
    let sb = Sandbox::new();
    let dir = project(&sb, Some("https://github.com/me/arcaflow-plugin-example"));
    let path = dir.join(workflow::PATH);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "# mine\non: push\n").unwrap();
    let ran = release_ci(&sb, &dir, &[]);
    assert_eq!(ran.code, Some(2), "{}", ran.output);
    assert!(
        ran.output.contains("-on: push"),
        "the diff was not shown:\n{}",
        ran.output
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\non: push\n"
    );

    // --dry-run prints a release script: with --ci it would be silently ignored.
    for flag in [&["--version", "patch"][..], &["--dry-run"][..]] {
        let ran = release_ci(&sb, &dir, flag);
        assert_eq!(ran.code, Some(2), "{flag:?}: {}", ran.output);
        assert!(ran.output.contains("cannot be used with"), "{}", ran.output);
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\non: push\n"
    );
}

#[test]
fn doctor_reports_a_publish_workflow_whose_environment_or_trigger_moved() {
    let sb = Sandbox::new();
    let dir = project(&sb, None);
    let path = dir.join(workflow::PATH);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let good = workflow::render("arcaflow-plugin-example", "3.9", workflow::Auth::Trusted);
    for (edit, why) in [
        (
            good.replace("name: pypi\n", "name: production\n"),
            "environment `production`",
        ),
        (
            good.replace("types: [published]", "types: [created]"),
            "does not run when a GitHub release is published",
        ),
    ] {
        std::fs::write(&path, &edit).unwrap();
        let mut d = sb.wizard();
        d.args(["doctor", "--json"]).arg(&dir);
        let r = run(&mut d, T);
        let start = r.output.rfind("\n{\n").map(|i| i + 1).unwrap_or(0);
        let v: serde_json::Value = serde_json::from_str(r.output[start..].trim())
            .unwrap_or_else(|e| panic!("{e}:\n{}", r.output));
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "publish-workflow-mismatch")
            .unwrap_or_else(|| panic!("no finding in {v:#}"));
        assert_eq!(f["severity"], "problem", "{f:#}");
        assert!(f["detail"].as_str().unwrap().contains(why), "{f:#}");
        assert!(
            f["fix"]["command"]
                .as_str()
                .unwrap_or_default()
                .contains("release --ci"),
            "{f:#}"
        );
        assert_eq!(r.code, Some(1), "{}", r.output);
    }
}

/// The release journey's first question: choosing GitHub Actions writes the
/// workflow and runs none of the upload steps (no Poetry, no token asked).
#[test]
fn the_release_journeys_first_question_leads_to_the_workflow() {
    use std::io::Write;
    let sb = Sandbox::new();
    let dir = project(
        &sb,
        Some("https://github.com/me/arcaflow-plugin-example.git"),
    );
    let mut c = sb.wizard();
    c.arg("release")
        .arg(&dir)
        .arg("--plain")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    // 2: from GitHub Actions; then the defaults (trusted, owner and repository from origin).
    child.stdin.take().unwrap().write_all(b"2\n\n\n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Where should releases be published from?"),
        "{text}"
    );
    assert!(text.contains("Owner:              me"), "{text}");
    assert!(
        text.contains("publishing from GitHub Actions instead"),
        "{text}"
    );
    assert!(
        !text.contains("$ poetry")
            && text.contains("⊘ Upload token: skipped: publishing from GitHub Actions instead"),
        "{text}"
    );
    let w = workflow::read(&std::fs::read_to_string(dir.join(workflow::PATH)).unwrap()).unwrap();
    assert!(w.on_release_published);
}
