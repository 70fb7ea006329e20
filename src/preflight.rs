//! ACT's requirement checks, run locally, each a pass/fail with the line that
//! failed and the fix.
//!
//! The Arcaflow Container Toolkit (arcalot/arcaflow-container-toolkit,
//! `internal/requirements`) checks a plugin before it builds the image:
//! 1. the project folder's top-level names (only those: nothing below them) must
//!    match the unanchored regexes `README.md`, `Dockerfile` and `(?i).*test.*`;
//! 2. the language is Python when a top-level name is `pyproject.toml` or matches
//!    `(?i).*plugin.*\.` with the extension `py`; a Python project needs a top-level
//!    `pyproject.toml` or `requirements.txt`, and `python3 -m flake8 --show-source`
//!    over the folder (with its `.flake8`) must find nothing;
//! 3. the Dockerfile's whole text must match, unanchored and with `.` never
//!    crossing a line end, the `FROM`, `LICENSE`, `CMD []` and six strict `LABEL`
//!    patterns below. A `LABEL a=".." b=".."` line (or a continued one) therefore
//!    only counts for its first key.
//!
//! The patterns are ACT's own text, with Go's ASCII `\d` spelled `[0-9]`.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// Stable, kebab-case: `act-readme`, `act-label-source`, ...
    pub id: &'static str,
    /// What is checked, for a checklist line.
    pub title: String,
    pub ok: bool,
    /// The failing line, or what is missing; empty when ok.
    pub detail: String,
    /// What to do about it; empty when ok.
    pub fix: String,
}

impl CheckResult {
    fn pass(id: &'static str, title: impl Into<String>) -> Self {
        CheckResult {
            id,
            title: title.into(),
            ok: true,
            detail: String::new(),
            fix: String::new(),
        }
    }
    fn fail(
        id: &'static str,
        title: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        CheckResult {
            id,
            title: title.into(),
            ok: false,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static README: LazyLock<Regex> = LazyLock::new(|| re("README.md"));
static DOCKERFILE: LazyLock<Regex> = LazyLock::new(|| re("Dockerfile"));
static TEST: LazyLock<Regex> = LazyLock::new(|| re("(?i).*test.*"));
static PLUGIN_FILE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i).*plugin.*\."));
static REQUIREMENTS: LazyLock<Regex> = LazyLock::new(|| re("requirements.txt"));
static PYPROJECT: LazyLock<Regex> = LazyLock::new(|| re("pyproject.toml"));

static FROM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"FROM quay\.io/(centos/centos:stream8|arcalot/arcaflow-plugin-baseimage-python-.*base)")
});
static LICENSE_COPY: LazyLock<Regex> = LazyLock::new(|| re(r"(ADD|COPY) .*/?LICENSE /.*"));
static CMD_EMPTY: LazyLock<Regex> = LazyLock::new(|| re(r"CMD \[\]"));

/// One of ACT's strict label checks.
struct Label {
    id: &'static str,
    key: &'static str,
    strict: &'static str,
    /// The line to write, for the fix.
    example: &'static str,
}

const LABELS: [Label; 6] = [
    Label {
        id: "act-label-source",
        key: "org.opencontainers.image.source",
        strict: r#"LABEL org.opencontainers.image.source=".*""#,
        example: r#"LABEL org.opencontainers.image.source="https://github.com/arcalot/arcaflow-plugin-NAME""#,
    },
    Label {
        id: "act-label-licenses",
        key: "org.opencontainers.image.licenses",
        strict: r#"LABEL org.opencontainers.image.licenses="Apache-2\.0.*""#,
        example: r#"LABEL org.opencontainers.image.licenses="Apache-2.0""#,
    },
    Label {
        id: "act-label-vendor",
        key: "org.opencontainers.image.vendor",
        strict: r#"LABEL org.opencontainers.image.vendor="Arcalot project""#,
        example: r#"LABEL org.opencontainers.image.vendor="Arcalot project""#,
    },
    Label {
        id: "act-label-authors",
        key: "org.opencontainers.image.authors",
        strict: r#"LABEL org.opencontainers.image.authors="Arcalot contributors""#,
        example: r#"LABEL org.opencontainers.image.authors="Arcalot contributors""#,
    },
    Label {
        id: "act-label-title",
        key: "org.opencontainers.image.title",
        strict: r#"LABEL org.opencontainers.image.title=".*""#,
        example: r#"LABEL org.opencontainers.image.title="Arcaflow NAME plugin""#,
    },
    Label {
        id: "act-label-version",
        key: "io.github.arcalot.arcaflow.plugin.version",
        strict: r#"LABEL io.github.arcalot.arcaflow.plugin.version="([0-9]*)(\.?[0-9]*?)(\.?[0-9]*?)""#,
        example: r#"LABEL io.github.arcalot.arcaflow.plugin.version="0.1.0""#,
    },
];

static LABEL_PATTERNS: LazyLock<Vec<Regex>> =
    LazyLock::new(|| LABELS.iter().map(|l| re(l.strict)).collect());

/// `results` as a journey shows them: a note per failed check with its fix,
/// then the count (`ran_apart` says which checks ran as commands of their own),
/// and the titles of the failed checks.
pub fn notes(results: &[CheckResult], ran_apart: &str) -> (Vec<String>, Vec<String>) {
    let failed: Vec<&CheckResult> = results.iter().filter(|r| !r.ok).collect();
    let mut notes: Vec<String> = failed
        .iter()
        .map(|r| {
            format!(
                "ACT check FAILED: {}\n{}\nfix: {}",
                r.title, r.detail, r.fix
            )
        })
        .collect();
    // flake8 is one of ACT's checks (doctor counts it too): it ran apart,
    // before these, and passed, or the step would have stopped there.
    notes.push(format!(
        "ACT's checks, run locally: {} of {} passed ({ran_apart}).",
        results.len() - failed.len() + 1,
        results.len() + 1
    ));
    (notes, failed.iter().map(|r| r.title.clone()).collect())
}

/// The arguments ACT gives `python3` for its code-style check, run in the project
/// folder: `python3 -m flake8 --show-source .` (any finding fails the check).
pub fn flake8_args() -> Vec<String> {
    ["-m", "flake8", "--show-source", "."]
        .into_iter()
        .map(String::from)
        .collect()
}

/// ACT's flake8 command in one process: on its own flake8 starts a pool of
/// one worker per core (`--jobs auto`), which for a plugin's few files costs
/// more CPU than it saves, and here the other checks want those cores.
/// The findings are the same: `--jobs` only changes how the files are split.
pub fn flake8_args_one_process() -> Vec<String> {
    let mut args = flake8_args();
    let at = args.len() - 1;
    args.insert(at, "--jobs=1".into());
    args
}

/// The result of running [`flake8_args`] in the project folder, as a check:
/// `success` is flake8's exit status, `output` what it printed.
pub fn flake8_check(success: bool, output: &str) -> CheckResult {
    const ID: &str = "act-flake8";
    const TITLE: &str = "flake8 finds nothing (python3 -m flake8 --show-source .)";
    if success {
        return CheckResult::pass(ID, TITLE);
    }
    let output = output.trim();
    if output.is_empty() {
        CheckResult::fail(
            ID,
            TITLE,
            "flake8 failed and printed nothing: it is probably not installed in the Python that ran it",
            "add flake8 to the dev group (poetry add --group dev flake8) and run it with `poetry run python -m flake8 --show-source .`",
        )
    } else if output.contains("No module named flake8") {
        CheckResult::fail(
            ID,
            TITLE,
            output,
            "add flake8 to the dev group: poetry add --group dev flake8",
        )
    } else {
        let findings = output
            .lines()
            .filter(|l| !l.starts_with(' ') && l.contains(": "))
            .count();
        CheckResult::fail(
            ID,
            TITLE,
            output,
            format!(
                "fix the {findings} finding(s) shown (ACT fails on any); the project's .flake8 sets the rules, e.g. max-line-length = 88"
            ),
        )
    }
}

/// flake8 as a check that was not run: `why` says why (no venv yet, code in
/// the project that flake8 would run), `fix` what to run instead. Never a
/// guess that it is "not installed".
pub fn flake8_not_run(why: impl Into<String>, fix: impl Into<String>) -> CheckResult {
    CheckResult::fail(
        "act-flake8",
        "flake8 was not run (ACT runs python3 -m flake8 --show-source .)",
        format!("flake8 was not run: {}", why.into()),
        fix,
    )
}

/// Every check ACT makes from the files alone: the top-level names, the
/// language, and the Dockerfile's text. Reads files only; runs nothing.
pub fn check_project(dir: &Path) -> Vec<CheckResult> {
    let mut names: Vec<String> = Vec::new();
    let mut list_error = None;
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        Err(e) => list_error = Some(format!("cannot list {}: {e}", dir.display())),
    }
    names.sort();
    let missing = |what: &str| {
        list_error
            .clone()
            .unwrap_or_else(|| format!("no top-level name matches {what}"))
    };
    let has = |r: &Regex| names.iter().any(|n| r.is_match(n));

    let mut out = Vec::new();
    let title = "README.md at the top level";
    out.push(if has(&README) {
        CheckResult::pass("act-readme", title)
    } else {
        CheckResult::fail(
            "act-readme",
            title,
            missing("README.md"),
            "add README.md at the top of the project (the template's says how to run the plugin)",
        )
    });
    let title = "Dockerfile at the top level";
    out.push(if has(&DOCKERFILE) {
        CheckResult::pass("act-dockerfile", title)
    } else {
        CheckResult::fail(
            "act-dockerfile",
            title,
            missing("Dockerfile"),
            "add the Dockerfile at the top of the project (the wizard writes the official one)",
        )
    });
    let title = "tests at the top level (a name containing 'test')";
    out.push(if has(&TEST) {
        CheckResult::pass("act-tests", title)
    } else {
        CheckResult::fail(
            "act-tests",
            title,
            missing("(?i).*test.* (e.g. a tests/ folder)"),
            "put the tests in a top-level tests/ folder, e.g. tests/test_arcaflow_plugin_NAME.py",
        )
    });
    out.push(language_check(&names, list_error.as_deref()));
    let title = "pyproject.toml or requirements.txt at the top level";
    out.push(if has(&PYPROJECT) || has(&REQUIREMENTS) {
        CheckResult::pass("act-python-deps", title)
    } else {
        CheckResult::fail(
            "act-python-deps",
            title,
            missing("pyproject.toml or requirements.txt"),
            "keep Poetry's pyproject.toml at the top of the project",
        )
    });

    match std::fs::read_to_string(dir.join("Dockerfile")) {
        Ok(text) => out.extend(check_dockerfile(&text)),
        Err(e) => {
            let detail = format!("cannot read {}: {e}", dir.join("Dockerfile").display());
            out.extend(check_dockerfile("").into_iter().map(|mut c| {
                c.detail.clone_from(&detail);
                c
            }));
        }
    }
    out
}

/// ACT's language detection (first name in directory order wins), and whether it
/// lands on Python.
fn language_check(names: &[String], list_error: Option<&str>) -> CheckResult {
    const ID: &str = "act-language";
    const TITLE: &str = "ACT sees a Python plugin (top-level pyproject.toml)";
    let ext_of = |n: &str| n.rfind('.').map(|i| n[i + 1..].to_string());
    let mut python = Vec::new();
    let mut go = Vec::new();
    for n in names {
        if PLUGIN_FILE.is_match(n) {
            match ext_of(n).as_deref() {
                Some("py") => python.push(n.clone()),
                Some("go") => go.push(n.clone()),
                _ => {}
            }
        }
        if n == "pyproject.toml" {
            python.push(n.clone());
        }
    }
    if let Some(e) = list_error {
        return CheckResult::fail(ID, TITLE, e, "run the checks in the project folder");
    }
    if python.is_empty() && go.is_empty() {
        return CheckResult::fail(
            ID,
            TITLE,
            "no top-level pyproject.toml (nor *plugin*.py): ACT cannot tell the plugin's language",
            "create the project with Poetry, which writes pyproject.toml at the top",
        );
    }
    if python.is_empty() {
        return CheckResult::fail(
            ID,
            TITLE,
            format!(
                "ACT takes this for a Go plugin because of {}",
                go.join(", ")
            ),
            "add pyproject.toml at the top; rename the top-level *plugin*.go file(s)",
        );
    }
    if !go.is_empty() {
        return CheckResult::fail(
            ID,
            TITLE,
            format!(
                "ACT may take this for a Go plugin, depending on directory order: {}",
                go.join(", ")
            ),
            "move or rename the top-level *plugin*.go file(s)",
        );
    }
    CheckResult::pass(ID, TITLE)
}

/// The lines of `text` that `pred` picks, with 1-based numbers, for a detail.
fn lines_with(text: &str, pred: impl Fn(&str) -> bool) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| pred(l))
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .collect()
}

fn show(lines: &[(usize, &str)]) -> String {
    lines
        .iter()
        .map(|(n, l)| format!("line {n}: {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// ACT's Dockerfile checks over the Dockerfile's text: the base image, the
/// LICENSE copy, `CMD []`, and the six strict labels.
pub fn check_dockerfile(text: &str) -> Vec<CheckResult> {
    let mut out = Vec::new();

    let id = "act-dockerfile-from";
    let title =
        "FROM an Arcalot base image (quay.io/arcalot/arcaflow-plugin-baseimage-python-*base)";
    out.push(if FROM.is_match(text) {
        CheckResult::pass(id, title)
    } else {
        let froms = lines_with(text, |l| l.trim_start().to_ascii_uppercase().starts_with("FROM"));
        CheckResult::fail(
            id,
            title,
            if froms.is_empty() {
                "no FROM line".to_string()
            } else {
                format!("no FROM line uses an Arcalot base image:\n{}", show(&froms))
            },
            "build FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0 and run FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0 (upper-case FROM, as ACT matches it)",
        )
    });

    let id = "act-dockerfile-license";
    let title = "the image gets the LICENSE file (COPY LICENSE /app/)";
    out.push(if LICENSE_COPY.is_match(text) {
        CheckResult::pass(id, title)
    } else {
        let lines = lines_with(text, |l| l.contains("LICENSE"));
        CheckResult::fail(
            id,
            title,
            if lines.is_empty() {
                "no line copies LICENSE".to_string()
            } else {
                format!(
                    "ACT wants `COPY LICENSE /...` (LICENSE, a space, then an absolute path):\n{}",
                    show(&lines)
                )
            },
            "add the line `COPY LICENSE /app/` to the final stage",
        )
    });

    let id = "act-dockerfile-cmd";
    let title = "an empty command: CMD []";
    out.push(if CMD_EMPTY.is_match(text) {
        CheckResult::pass(id, title)
    } else {
        let lines = lines_with(text, |l| l.trim_start().to_ascii_uppercase().starts_with("CMD"));
        CheckResult::fail(
            id,
            title,
            if lines.is_empty() {
                "no CMD line".to_string()
            } else {
                format!("the command is not empty:\n{}", show(&lines))
            },
            "put `CMD []` after the ENTRYPOINT line: the arguments come from whoever runs the image",
        )
    });

    for (label, pattern) in LABELS.iter().zip(LABEL_PATTERNS.iter()) {
        out.push(label_check(text, label, pattern));
    }
    out
}

fn label_check(text: &str, label: &Label, pattern: &Regex) -> CheckResult {
    let title = format!("LABEL {}=\"...\" on a line of its own", label.key);
    if pattern.is_match(text) {
        return CheckResult::pass(label.id, title);
    }
    let needle = format!("{}=", label.key);
    let mentions = lines_with(text, |l| l.contains(&needle));
    let Some(&(n, line)) = mentions.first() else {
        return CheckResult::fail(
            label.id,
            title,
            format!("no LABEL {} line", label.key),
            format!("add the line `{}`", label.example),
        );
    };
    let own_line = format!("LABEL {needle}");
    if !line.trim_start().starts_with(&own_line) {
        return CheckResult::fail(
            label.id,
            title,
            format!(
                "line {n} sets {} after another key (ACT only sees the first key of a LABEL): {line}",
                label.key
            ),
            format!(
                "give each label its own line, exactly `LABEL key=\"value\"`: `{}`",
                label.example
            ),
        );
    }
    let value_rule = match label.id {
        "act-label-licenses" => "the value must start with Apache-2.0, in double quotes",
        "act-label-vendor" => "the value must be exactly \"Arcalot project\"",
        "act-label-authors" => "the value must be exactly \"Arcalot contributors\"",
        "act-label-version" => {
            "the value must be digits and dots only, in double quotes, like \"0.1.0\" (no v, no suffix)"
        }
        _ => "the value must be in double quotes, right after the =",
    };
    CheckResult::fail(
        label.id,
        title,
        format!("line {n}: {line}"),
        format!("{value_rule}: `{}`", label.example),
    )
}

#[cfg(test)]
#[path = "tests_preflight.rs"]
mod tests;
