//! Bad input (issue 7): a table of what a user types or passes, with what the
//! wizard must say. Command-line rows run the binary (exit 2, the message,
//! nothing written); the rest call the library. Each failing row is named.

mod common;

use std::path::Path;

use arcaflow_wizard::commands::answers;
use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::probe::distro::parse_os_release;
use arcaflow_wizard::pyproject;
use arcaflow_wizard::version::bump;

/// Every file under `dir` with its bytes, sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// (row name, files to put in the folder first, arguments, what stderr must say)
type CliRow = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    &'static str,
);

const PYPROJECT: &str = "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\ndescription = \"d\"\nauthors = [\"A <a@example.com>\"]\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n";

const CLI: &[CliRow] = &[
    (
        "name with capitals",
        &[],
        &["new", "--yes", "--name", "Bad_Name"],
        "'Bad_Name' has capitals",
    ),
    (
        "name starting with a digit",
        &[],
        &["new", "--yes", "--name", "9lives"],
        "must start with a letter",
    ),
    (
        "prefix only",
        &[],
        &["new", "--yes", "--name", "arcaflow-plugin-"],
        "needs a name after 'arcaflow-plugin-'",
    ),
    (
        "name with a space",
        &[],
        &["new", "--yes", "--name", "my plugin"],
        "contains ' '",
    ),
    (
        "name with a dot",
        &[],
        &["new", "--yes", "--name", "a.b"],
        "contains '.'",
    ),
    (
        "double hyphen",
        &[],
        &["new", "--yes", "--name", "a--b"],
        "two in a row",
    ),
    (
        "name too long",
        &[],
        &[
            "new",
            "--yes",
            "--name",
            "abcdefghijabcdefghijabcdefghijabcdefghijx",
        ],
        "too long",
    ),
    (
        "index URL without a scheme",
        &[],
        &["new", "--yes", "--name", "ok", "--index-url", "notaurl"],
        "give an http:// or https:// URL",
    ),
    (
        "index URL with ftp",
        &[],
        &[
            "new",
            "--yes",
            "--name",
            "ok",
            "--index-url",
            "ftp://x/simple",
        ],
        "give an http:// or https:// URL",
    ),
    (
        "python path missing",
        &[],
        &[
            "new",
            "--yes",
            "--name",
            "ok",
            "--python",
            "/nonexistent/python3",
        ],
        "--python /nonexistent/python3: no such file",
    ),
    (
        "poetry path missing",
        &[],
        &[
            "new",
            "--yes",
            "--name",
            "ok",
            "--poetry",
            "/nonexistent/poetry",
        ],
        "--poetry /nonexistent/poetry",
    ),
    (
        "answers file missing",
        &[],
        &["new", "--yes", "--answers", "/nonexistent.toml"],
        "--answers /nonexistent.toml",
    ),
    (
        "answers file with a typo key",
        &[("a.toml", "nmae = \"x\"\n")],
        &["new", "--yes", "--answers", "a.toml"],
        "unknown key 'nmae'",
    ),
    (
        "answers file with bad TOML",
        &[("a.toml", "name = \"x\"\nauthor = \n")],
        &["new", "--yes", "--answers", "a.toml"],
        "line 2",
    ),
    (
        "answers file with a table",
        &[("a.toml", "[name]\nx = 1\n")],
        &["new", "--yes", "--answers", "a.toml"],
        "not a table",
    ),
    (
        "unknown flag",
        &[],
        &["new", "--bogus"],
        "unexpected argument '--bogus'",
    ),
    (
        "release without a project",
        &[],
        &["release", "--yes"],
        "has no pyproject.toml",
    ),
    (
        "release on malformed pyproject",
        &[(
            "pyproject.toml",
            "[tool.poetry]\nname = \"x\"\nversion = 0.1.0\n",
        )],
        &["release", "--yes"],
        "line 3",
    ),
    (
        "completions for an unknown shell",
        &[],
        &["completions", "cmd.exe"],
        "invalid value 'cmd.exe'",
    ),
];

/// `release --version X` is checked before any step runs (the checks step runs
/// `poetry install`, which would write poetry.lock and a venv).
const CLI_RELEASE_VERSION: &[CliRow] = &[
    (
        "release version not PEP 440",
        &[("pyproject.toml", PYPROJECT)],
        &["release", "--yes", "--version", "banana"],
        "'banana' is not a PEP 440 version",
    ),
    (
        "release version not greater",
        &[("pyproject.toml", PYPROJECT)],
        &["release", "--yes", "--version", "0.0.9"],
        "is not greater than the current version 0.1.0",
    ),
    (
        "release version with a local label",
        &[("pyproject.toml", PYPROJECT)],
        &["release", "--yes", "--version", "0.2.0+local"],
        "local label",
    ),
];

#[test]
fn command_line_inputs_exit_2_with_the_message_and_write_nothing() {
    check_cli(CLI);
}

#[test]
fn release_version_flag_is_checked_before_anything_runs() {
    check_cli(CLI_RELEASE_VERSION);
}

fn check_cli(table: &[CliRow]) {
    let mut failed = Vec::new();
    for (row, setup, args, needle) in table {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in *setup {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let before = files(dir.path());
        let mut cmd = common::wizard();
        // A token, so that release gets as far as reading its other inputs.
        cmd.current_dir(dir.path())
            .env("POETRY_PYPI_TOKEN_TESTPYPI", "pypi-not-a-real-token")
            .args(*args);
        let ran = common::run(&mut cmd, std::time::Duration::from_secs(60));
        let after = files(dir.path());
        let mut why = Vec::new();
        if ran.code != Some(2) {
            why.push(format!("exit {:?}, not 2", ran.code));
        }
        if !ran.output.contains(needle) {
            why.push(format!("does not say {needle:?}"));
        }
        if before != after {
            why.push("changed the folder".to_string());
        }
        if !why.is_empty() {
            failed.push(format!(
                "row {row:?} ({}): {}\n    output: {}",
                args.join(" "),
                why.join("; "),
                ran.output.trim().replace('\n', "\n            ")
            ));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn names_typed_at_the_prompt() {
    let rows: &[(&str, Result<&str, &str>)] = &[
        ("example", Ok("arcaflow_plugin_example")),
        ("  example  ", Ok("arcaflow_plugin_example")),
        ("arcaflow-plugin-my-thing", Ok("arcaflow_plugin_my_thing")),
        ("arcaflow_plugin_my_thing", Ok("arcaflow_plugin_my_thing")),
        ("my_thing", Ok("arcaflow_plugin_my_thing")),
        ("", Err("needs a name")),
        ("Example", Err("has capitals")),
        ("émile", Err("contains 'é'")),
        ("-x", Err("must start with a letter")),
        ("x-", Err("hyphen at the end")),
        ("x_", Err("hyphen at the end")),
        ("a/b", Err("contains '/'")),
        ("a\tb", Err("contains '\t'")),
    ];
    let mut failed = Vec::new();
    for (input, want) in rows {
        let got = PluginNames::parse(input)
            .map(|n| n.package())
            .map_err(|e| e.0);
        let ok = match (want, &got) {
            (Ok(w), Ok(g)) => w == g,
            (Err(w), Err(g)) => g.contains(w),
            _ => false,
        };
        if !ok {
            failed.push(format!("row {input:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn versions_for_release_bump() {
    let rows: &[(&str, &str, Result<&str, &str>)] = &[
        ("0.1.0", "patch", Ok("0.1.1")),
        ("0.1.0", "MINOR", Ok("0.2.0")),
        ("0.1.0", " major ", Ok("1.0.0")),
        ("1.0.0rc1", "patch", Ok("1.0.0")),
        ("0.1.0", "1.0.0-RC1", Ok("1.0.0rc1")),
        ("0.1.0", "banana", Err("is not a PEP 440 version")),
        ("0.1.0", "", Err("the version is empty")),
        ("0.1.0", "0.1.0", Err("is not greater")),
        ("0.1.0", "0.0.1", Err("is not greater")),
        ("0.1.0", "0.2.0+abc", Err("local label")),
        ("not-a-version", "patch", Err("the current version")),
    ];
    let mut failed = Vec::new();
    for (cur, how, want) in rows {
        let got = bump(cur, how);
        let ok = match (want, &got) {
            (Ok(w), Ok(g)) => w == g,
            (Err(w), Err(g)) => g.contains(w),
            _ => false,
        };
        if !ok {
            failed.push(format!("row {cur:?} + {how:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn answers_files() {
    type Row = (
        &'static str,
        Result<(&'static str, &'static str), &'static str>,
    );
    let rows: &[Row] = &[
        ("name = \"example\"\n", Ok(("name", "example"))),
        (
            "index-url = \"http://x/simple\"\n",
            Ok(("index_url", "http://x/simple")),
        ),
        ("git = false\n", Ok(("git", "no"))),
        ("git = true\n", Ok(("git", "yes"))),
        ("nmae = \"x\"\n", Err("unknown key 'nmae'")),
        ("name = 3\n", Err("must be a string or true/false")),
        ("[name]\n", Err("not a table")),
        ("name = \"x\"\nname = \"y\"\n", Err("line 2")),
        ("name = \"unterminated\n", Err("line 1")),
        ("\n\n\nauthor = \n", Err("line 4")),
    ];
    let mut failed = Vec::new();
    for (text, want) in rows {
        let got = answers::parse(text, answers::NEW_KEYS);
        let ok = match (want, &got) {
            (Ok((k, v)), Ok(m)) => m.get(*k).map(String::as_str) == Some(*v),
            (Err(w), Err(g)) => g.contains(w),
            _ => false,
        };
        if !ok {
            failed.push(format!("row {text:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn malformed_pyproject_names_line_and_column() {
    let rows: &[(&str, usize, usize, &str)] = &[
        ("[tool.poetry]\nname = \"x\"\nversion = 0.1.0\n", 3, 14, ""),
        ("[tool.poetry]\nname = \"x\nversion = \"0.1\"\n", 2, 0, ""),
        (
            "[tool.poetry]\nname = \"a\"\nname = \"b\"\n",
            3,
            1,
            "duplicate key `name`",
        ),
        ("[tool.poetry\n", 1, 0, ""),
        ("a = [1, 2\n", 0, 0, ""),
        ("\u{feff}[x]\ny = é\n", 2, 5, ""),
    ];
    let mut failed = Vec::new();
    for (text, line, col, msg) in rows {
        match pyproject::parse(text) {
            Ok(_) => failed.push(format!("row {text:?}: parsed")),
            Err(e) => {
                let shown = e.to_string();
                let lines = text.lines().count().max(1);
                let ok = (*line == 0 && e.line >= 1 && e.line <= lines + 1 || e.line == *line)
                    && (*col == 0 || e.column == *col)
                    && shown.contains(&format!("line {}, column {}", e.line, e.column))
                    && shown.contains(msg);
                if !ok {
                    failed.push(format!(
                        "row {text:?}: want line {line} column {col} {msg:?}, got {shown}"
                    ));
                }
            }
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn os_release_contents() {
    // (text, id, id_like, version_id, major)
    type Row = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
        Option<u32>,
    );
    let rows: &[Row] = &[
        (
            "ID=debian\nVERSION_ID=\"12\"\n",
            "debian",
            &[],
            "12",
            Some(12),
        ),
        (
            "ID=\"ubuntu\"\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n",
            "ubuntu",
            &["debian"],
            "22.04",
            Some(22),
        ),
        (
            "ID='rhel'\nID_LIKE=\"fedora centos\"\nVERSION_ID=9.3\n",
            "rhel",
            &["fedora", "centos"],
            "9.3",
            Some(9),
        ),
        ("# comment\n\n  ID = Fedora \n", "fedora", &[], "", None),
        ("garbage without equals\n\u{0}\u{1}", "", &[], "", None),
        ("", "", &[], "", None),
        (
            "ID=\"unterminated\nVERSION_ID=abc\n",
            "\"unterminated",
            &[],
            "abc",
            None,
        ),
        ("ID=\"a\\\"b\"\n", "a\"b", &[], "", None),
    ];
    let mut failed = Vec::new();
    for (text, id, like, ver, major) in rows {
        let d = parse_os_release(text);
        if d.id != *id || d.id_like != *like || d.version_id != *ver || d.major() != *major {
            failed.push(format!("row {text:?}: got {d:?}"));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}
