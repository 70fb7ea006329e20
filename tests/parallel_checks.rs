//! new's test-build checks run at once (issue 19), with the real Python,
//! Poetry, coverage and flake8: a failing flake8 beside passing tests shows
//! both results, each command's block whole, and the session log keeps each
//! output whole in start order.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{run, Sandbox, Tools};

const JOURNEY: Duration = Duration::from_secs(600);

fn sandbox_with(tools: &Tools, poetry: &Path, python3: &Path) -> Sandbox {
    let mut sb = Sandbox::with_tools(tools);
    let bin = sb.bin_dir("main", &[("poetry", poetry), ("python3", python3)]);
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    sb
}

fn new_plugin(sb: &Sandbox, tools: &Tools) -> common::Ran {
    let mut cmd = sb.wizard();
    cmd.args([
        "new",
        "--yes",
        "--name",
        "example",
        "--index-url",
        &tools.index_url,
        "--python",
    ])
    .arg(&tools.py311);
    run(&mut cmd, JOURNEY)
}

/// The lines of `out` from the one that holds `start` to the next `✓`/`✗` line.
fn block<'a>(out: &'a str, start: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(start))
        .unwrap_or_else(|| panic!("no {start:?} in:\n{out}"));
    let mut b = vec![lines[i]];
    for l in &lines[i + 1..] {
        b.push(l);
        if l.trim_start().starts_with('✓') || l.trim_start().starts_with('✗') {
            break;
        }
    }
    b
}

#[test]
fn a_failing_flake8_beside_passing_tests_shows_both_results() {
    let Some(tools) = common::tools() else {
        return;
    };
    let sb = sandbox_with(&tools, &tools.poetry2, &tools.py311);
    let first = new_plugin(&sb, &tools);
    assert!(first.ok(), "new failed:\n{}", first.output);
    // Run at once, with the venv's interpreter, each shown with its poetry run form.
    assert!(
        first.output.contains("commands at once"),
        "{}",
        first.output
    );
    assert!(
        first
            .output
            .contains("# as `poetry run python -m flake8 --show-source --jobs=1 .`"),
        "{}",
        first.output
    );
    // `poetry add` left the venv in sync with the lock: no second install.
    assert!(
        first.output.contains("`poetry install` is not needed"),
        "{}",
        first.output
    );
    let project = sb.work().join("arcaflow-plugin-example");
    let module = project.join("arcaflow_plugin_example/example_plugin.py");
    let mut text = std::fs::read_to_string(&module).unwrap();
    // A real flake8 finding (F401), nothing the tests notice.
    text.push_str("\nimport os  # noqa: E402\n");
    std::fs::write(&module, &text).unwrap();

    let again = new_plugin(&sb, &tools);
    let out = &again.output;
    assert_eq!(again.code, Some(1), "{out}");
    let tests = block(out, "-m coverage run tests/test_arcaflow_plugin_example.py");
    let tests = tests.join("\n");
    assert!(tests.contains("Ran 4 tests"), "{tests}");
    assert!(
        tests.trim_end().ends_with(')') && tests.contains("✓ ("),
        "{tests}"
    );
    let report = block(out, "-m coverage report").join("\n");
    assert!(report.contains("TOTAL"), "{report}");
    let flake8 = block(out, "-m flake8 --show-source --jobs=1 .").join("\n");
    assert!(flake8.contains("F401"), "{flake8}");
    assert!(flake8.contains("✗ exited with code 1"), "{flake8}");
    // Its neighbours ran to their end too.
    let schema = block(out, "example_plugin.py --schema").join("\n");
    assert!(schema.contains("✓ ("), "{schema}");
    // The failure names flake8; nothing after the group started.
    assert!(out.contains("flake8"), "{out}");
    assert!(!out.contains("$ docker build"), "{out}");
    // The session log keeps each block whole: the coverage run's output sits
    // between its command and its result.
    let log_line = out
        .lines()
        .find_map(|l| l.strip_prefix("Session log: "))
        .unwrap_or_else(|| panic!("no session log named:\n{out}"));
    let log = std::fs::read_to_string(log_line.trim()).unwrap();
    let at = log.rfind("-m coverage run tests/").unwrap();
    let rest = &log[at..];
    let end = rest.find("  -> ").unwrap();
    assert!(rest[..end].contains("Ran 4 tests"), "{}", &rest[..end]);
    assert!(!rest[..end].contains("F401"), "{}", &rest[..end]);
}
