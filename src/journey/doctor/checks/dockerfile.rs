//! Part of the project group: the Dockerfile's `ARG package=...` must name the
//! project's code folder (read by probe::layout, as Poetry reads `packages`).
//! The official Dockerfile copies `${package}/` and runs its tests file; a
//! folder renamed, or copied from another plugin, often keeps the old value,
//! and the image build then fails on the COPY. Also: the ENTRYPOINT's module
//! and the tests file the RUN line names are in the project.

use std::path::Path;

use super::super::{Finding, Fix, Group};
use crate::plan::Plan;
use crate::probe::layout::{Fact, Layout};

const G: Group = Group::Project;

/// The check's id: `ok` when every `ARG package=` names the code folder.
pub(crate) const ID: &str = "layout-dockerfile-package";
/// The ENTRYPOINT's module is in the project.
pub(crate) const ENTRY_ID: &str = "layout-dockerfile-entry";
/// The test file the Dockerfile's `coverage run` line runs is in the project.
pub(crate) const TESTS_ID: &str = "layout-dockerfile-tests";

/// An `ARG package=VALUE` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackageArg {
    /// 1-based.
    pub line: usize,
    /// The line as written, without its line ending.
    pub text: String,
    /// Without quotes.
    pub value: String,
    /// Where `package=...` starts and ends in `text` (bytes).
    span: (usize, usize),
}

/// Every `ARG package=VALUE` of a Dockerfile (instructions are case-insensitive;
/// `ARG package` without a value only declares it in a stage).
pub(crate) fn package_args(text: &str) -> Vec<PackageArg> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("ARG")) {
            continue;
        }
        for w in words {
            let Some(v) = w.strip_prefix("package=") else {
                continue;
            };
            // `w` is a slice of `line`: its offset is the pointer difference.
            let start = w.as_ptr() as usize - line.as_ptr() as usize;
            out.push(PackageArg {
                line: i + 1,
                text: line.to_string(),
                value: v.trim_matches(|c| c == '"' || c == '\'').to_string(),
                span: (start, start + w.len()),
            });
        }
    }
    out
}

/// The Dockerfile with every `package=` value of `args` set to `folder`, line
/// endings and everything else kept.
fn with_package(text: &str, args: &[&PackageArg], folder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split_inclusive('\n').enumerate() {
        match args.iter().find(|a| a.line == i + 1) {
            Some(a) => {
                let (s, e) = a.span;
                out.push_str(&piece[..s]);
                out.push_str("package=");
                out.push_str(folder);
                out.push_str(&piece[e..]);
            }
            None => out.push_str(piece),
        }
    }
    out
}

/// The verdict for `dir`'s Dockerfile (`text`) against the code folder `folder`
/// that the layout `l` settles (None when it does not). None without an
/// `ARG package=`: only the official form is checked.
pub(crate) fn verdict(
    dir: &Path,
    text: &str,
    l: &Layout,
    folder: Option<String>,
) -> Option<Finding> {
    let args = package_args(text);
    if args.is_empty() {
        return None;
    }
    let folder = match folder {
        Some(f) if !f.is_empty() && f != "." => f,
        // The code folder is not settled (or is the root): judging ARG package
        // would be a guess.
        Some(_) => return Some(Finding::warning(
            G,
            ID,
            "the code is at the top level, so the Dockerfile's ARG package cannot name its folder",
        )),
        None => {
            return Some(Finding::warning(
                G,
                ID,
                format!(
                    "cannot tell whether the Dockerfile's ARG package names the code folder: {}",
                    l.code_folder
                        .why()
                        .unwrap_or("the code folder is not known")
                ),
            ))
        }
    };
    let folder = folder.as_str();
    // A value made of other variables cannot be judged from the text.
    let wrong: Vec<&PackageArg> = args
        .iter()
        .filter(|a| a.value != folder && !a.value.contains('$'))
        .collect();
    if wrong.is_empty() {
        return Some(Finding::ok(
            G,
            ID,
            format!("the Dockerfile's ARG package is the code folder {folder}"),
        ));
    }
    let first = wrong[0];
    let lines: Vec<String> = wrong
        .iter()
        .map(|a| format!("Dockerfile line {}: {}", a.line, a.text.trim()))
        .collect();
    let why = if dir.join(&first.value).is_dir() {
        format!(
            "it would copy {}/, not the plugin's code in {folder}/",
            first.value
        )
    } else {
        format!("there is no {}/ to copy", first.value)
    };
    let mut detail = format!(
        "{}\nThe official build copies ${{package}}/, so the image build fails: {why}.",
        lines.join("\n"),
    );
    // The tests file is named for the package too (the RUN line says where);
    // the edit does not rename it.
    let (old_test, test) = match l.tests.value() {
        Some(t) if t.file.contains(&first.value) => {
            (t.file.clone(), t.file.replace(&first.value, folder))
        }
        _ => (
            format!("tests/test_{}.py", first.value),
            format!("tests/test_{folder}.py"),
        ),
    };
    let stale_test = !dir.join(&test).is_file() && dir.join(&old_test).is_file();
    if stale_test {
        detail.push_str(&format!("\nRename {old_test} to {test} as well."));
    }
    let change: Vec<String> = wrong
        .iter()
        .map(|a| {
            format!(
                "line {}: `{}` -> `package={folder}`",
                a.line,
                &a.text[a.span.0..a.span.1]
            )
        })
        .collect();
    let title = format!(
        "the Dockerfile's `ARG package={}` is not the code folder {folder}: the official image build fails",
        first.value
    );
    let finding = Finding::problem(G, ID, title).detail(detail);
    // Rewritten only when the folder it should name is there; then the fix is
    // shown as a diff and asked for, like every doctor edit. It is never safe:
    // an edit to the Dockerfile changes what the image build does, so --yes
    // does not make it on its own.
    if dir.join(folder).is_dir() {
        let fixed = with_package(text, &wrong, folder);
        Some(finding.fix(Fix::run(
            format!("edit Dockerfile: {}", change.join(", ")),
            Plan::new().replace(dir.join("Dockerfile"), fixed),
            false,
        )))
    } else {
        Some(finding.fix(Fix::manual(format!(
            "in {}, change {}",
            dir.join("Dockerfile").display(),
            change.join(", ")
        ))))
    }
}

/// What the image runs (ENTRYPOINT) and how the official build runs the tests
/// (the `coverage run` RUN line), checked against the project's files. What
/// the Dockerfile does not settle is a warning, never a problem.
pub(crate) fn entry_and_tests(dir: &Path, l: &Layout) -> Vec<Finding> {
    let mut out = Vec::new();
    let id = ENTRY_ID;
    out.push(match &l.entry {
        Fact::Known { value, from } if dir.join(&value.module).is_file() => Finding::ok(
            G,
            id,
            format!("the image runs {} ({from})", value.module),
        ),
        Fact::Known { value, from } => Finding::warning(
            G,
            id,
            format!(
                "the image runs {} ({from}), which would come from {}, and that is not in the project",
                value.image_path, value.module
            ),
        )
        .detail("the plugin's container would fail to start"),
        Fact::Unknown { why } => {
            Finding::warning(G, id, format!("cannot tell which module the image runs: {why}"))
        }
    });
    let id = TESTS_ID;
    out.push(match &l.tests {
        Fact::Known { value, from } if dir.join(&value.file).is_file() => Finding::ok(
            G,
            id,
            format!(
                "the official build runs the tests in {} ({from})",
                value.file
            ),
        )
        .detail(format!(
            "{}\nin {}, PYTHONPATH {}",
            value.command,
            value.workdir,
            if value.pythonpath.is_empty() {
                "unset".to_string()
            } else {
                value.pythonpath.join(":")
            }
        )),
        Fact::Known { value, from } => Finding::warning(
            G,
            id,
            format!(
                "the official build runs {} ({from}), but {} is not in the project",
                value.arg, value.file
            ),
        )
        .detail(format!(
            "{}: the image build would stop at that RUN line",
            value.command
        )),
        Fact::Unknown { why } => Finding::warning(
            G,
            id,
            format!("cannot tell how the official build runs the tests: {why}"),
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::Severity;
    use crate::plan::Action;
    use crate::probe::layout::Tree;

    /// The verdict with the layout read from `dir` and a project named `folder`.
    fn verdict_for(dir: &Path, text: &str, folder: &str) -> Option<Finding> {
        let toml = format!("[tool.poetry]\nname = \"{folder}\"\n");
        let info = crate::pyproject::inspect(&crate::pyproject::parse(&toml).unwrap());
        let l = Layout::of(&info, Some(text), None, &Tree::read(dir));
        verdict(dir, text, &l, Some(folder.to_string()))
    }

    const OFFICIAL: &str = "# comment: ARG package=not_this\r\nARG package=arcaflow_plugin_old\r\n\r\nFROM quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0 AS build\r\nARG package\r\nCOPY ${package}/ /app/${package}\r\n";

    #[test]
    fn finds_the_package_args_with_their_lines() {
        let args = package_args(OFFICIAL);
        assert_eq!(args.len(), 1, "{args:?}");
        assert_eq!(args[0].line, 2);
        assert_eq!(args[0].value, "arcaflow_plugin_old");
        assert_eq!(args[0].text, "ARG package=arcaflow_plugin_old");
        let more = package_args("arg other=1 package=\"x_y\"\n  ARG   package='z'\nARG mypackage=q\nRUN echo package=w\n");
        let got: Vec<(usize, &str)> = more.iter().map(|a| (a.line, a.value.as_str())).collect();
        assert_eq!(got, vec![(1, "x_y"), (2, "z")]);
    }

    #[test]
    fn a_wrong_value_is_a_problem_with_an_edit_that_keeps_the_rest() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("arcaflow_plugin_example")).unwrap();
        let f = verdict_for(d.path(), OFFICIAL, "arcaflow_plugin_example").unwrap();
        assert_eq!((f.id, f.severity), (ID, Severity::Problem));
        assert_eq!(
            f.title,
            "the Dockerfile's `ARG package=arcaflow_plugin_old` is not the code folder arcaflow_plugin_example: the official image build fails"
        );
        assert!(
            f.detail
                .starts_with("Dockerfile line 2: ARG package=arcaflow_plugin_old\n"),
            "{}",
            f.detail
        );
        let fix = f.fix.unwrap();
        assert_eq!(
            fix.command,
            "edit Dockerfile: line 2: `package=arcaflow_plugin_old` -> `package=arcaflow_plugin_example`"
        );
        // An edit to the Dockerfile is never made by --yes alone.
        assert!(!fix.safe);
        let [Action::WriteFile { contents, .. }] = fix.plan.actions.as_slice() else {
            panic!("{:?}", fix.plan);
        };
        assert_eq!(
            *contents,
            OFFICIAL.replace(
                "package=arcaflow_plugin_old",
                "package=arcaflow_plugin_example"
            )
        );
    }

    #[test]
    fn a_tests_file_with_the_old_name_makes_the_edit_ask() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("arcaflow_plugin_example")).unwrap();
        std::fs::create_dir(d.path().join("tests")).unwrap();
        std::fs::write(d.path().join("tests/test_arcaflow_plugin_old.py"), "").unwrap();
        let f = verdict_for(d.path(), OFFICIAL, "arcaflow_plugin_example").unwrap();
        assert!(
            f.detail.ends_with(
                "Rename tests/test_arcaflow_plugin_old.py to tests/test_arcaflow_plugin_example.py as well."
            ),
            "{}",
            f.detail
        );
        assert!(
            f.detail
                .contains("there is no arcaflow_plugin_old/ to copy"),
            "{}",
            f.detail
        );
        // The edit alone would leave the build failing: --yes does not make it.
        assert!(!f.fix.unwrap().safe);
    }

    #[test]
    fn quoted_and_repeated_values_are_all_changed() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("pkg")).unwrap();
        std::fs::create_dir(d.path().join("old")).unwrap();
        let text = "ARG package=\"old\"\nFROM x\nARG package=old\n";
        let f = verdict_for(d.path(), text, "pkg").unwrap();
        let fix = f.fix.unwrap();
        assert_eq!(
            fix.command,
            "edit Dockerfile: line 1: `package=\"old\"` -> `package=pkg`, line 3: `package=old` -> `package=pkg`"
        );
        // old/ exists too: which folder is meant is the user's call.
        assert!(!fix.safe);
        assert!(
            f.detail
                .contains("it would copy old/, not the plugin's code in pkg/"),
            "{}",
            f.detail
        );
        let [Action::WriteFile { contents, .. }] = fix.plan.actions.as_slice() else {
            panic!("{:?}", fix.plan);
        };
        assert_eq!(*contents, "ARG package=pkg\nFROM x\nARG package=pkg\n");
    }

    #[test]
    fn without_the_code_folder_the_fix_is_manual_and_names_the_test_file() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("tests")).unwrap();
        std::fs::write(d.path().join("tests/test_old.py"), "").unwrap();
        let f = verdict_for(d.path(), "ARG package=old\n", "pkg").unwrap();
        assert!(
            f.detail
                .ends_with("\nRename tests/test_old.py to tests/test_pkg.py as well."),
            "{}",
            f.detail
        );
        let fix = f.fix.unwrap();
        assert!(!fix.automatic());
        assert_eq!(
            fix.command,
            format!(
                "in {}/Dockerfile, change line 1: `package=old` -> `package=pkg`",
                d.path().display()
            )
        );
    }

    #[test]
    fn right_values_and_other_dockerfiles() {
        let d = tempfile::tempdir().unwrap();
        let f = verdict_for(d.path(), "ARG package=pkg\nARG package\n", "pkg").unwrap();
        assert_eq!((f.id, f.severity), (ID, Severity::Ok));
        assert_eq!(
            verdict_for(d.path(), "FROM python:3.9\nCOPY . /app\n", "pkg"),
            None
        );
        assert_eq!(
            verdict_for(
                d.path(),
                "ARG name=x\nARG package=arcaflow_plugin_${name}\n",
                "pkg"
            )
            .map(|f| f.severity),
            Some(Severity::Ok)
        );
        let f = verdict_for(d.path(), "ARG package=x\n", ".").unwrap();
        assert_eq!(f.severity, Severity::Warning);
    }
}
