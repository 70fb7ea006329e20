//! Part of the project group: the Dockerfile's `ARG package=...` must name the
//! project's code folder. The official Dockerfile copies `${package}/` and runs
//! `tests/test_${package}.py`; a folder renamed, or copied from another plugin,
//! often keeps the old value, and the image build then fails on the COPY.

use std::path::Path;

use super::super::{Finding, Fix, Group};
use crate::plan::Plan;

const G: Group = Group::Project;

/// The check's id: `ok` when every `ARG package=` names the code folder.
pub const ID: &str = "layout-dockerfile-package";

/// An `ARG package=VALUE` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageArg {
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
pub fn package_args(text: &str) -> Vec<PackageArg> {
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

/// The verdict for `dir`'s Dockerfile against the code folder `folder` (the one
/// the layout check wants). None without a Dockerfile or an `ARG package=`:
/// only the official form is checked.
pub fn check(dir: &Path, folder: &str) -> Option<Finding> {
    let path = dir.join("Dockerfile");
    let text = std::fs::read_to_string(&path).ok()?;
    verdict(dir, &text, folder)
}

/// Pure but for the folder tests on `dir`.
pub fn verdict(dir: &Path, text: &str, folder: &str) -> Option<Finding> {
    if folder.is_empty() {
        return None;
    }
    let args = package_args(text);
    // A value made of other variables cannot be judged from the text.
    let wrong: Vec<&PackageArg> = args
        .iter()
        .filter(|a| a.value != folder && !a.value.contains('$'))
        .collect();
    if args.is_empty() {
        return None;
    }
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
        "{}\nThe official build copies ${{package}}/ and runs tests/test_${{package}}.py, so the image build fails: {why}.",
        lines.join("\n"),
    );
    let test = format!("tests/test_{folder}.py");
    let old_test = format!("tests/test_{}.py", first.value);
    // The tests file is named for the package too; the edit does not rename it.
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
    // shown as a diff and asked for, like every doctor edit. It is safe unless
    // the old value also names a folder (then which one is meant is the user's
    // call), or a tests file still has the old name (the build would still fail
    // after the edit alone, so --yes does not make it on its own).
    if dir.join(folder).is_dir() {
        let fixed = with_package(text, &wrong, folder);
        let safe = !dir.join(&first.value).is_dir() && !stale_test;
        Some(finding.fix(Fix::run(
            format!("edit Dockerfile: {}", change.join(", ")),
            Plan::new().replace(dir.join("Dockerfile"), fixed),
            safe,
        )))
    } else {
        Some(finding.fix(Fix::manual(format!(
            "in {}, change {}",
            dir.join("Dockerfile").display(),
            change.join(", ")
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::Severity;
    use crate::plan::Action;

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
        let f = verdict(d.path(), OFFICIAL, "arcaflow_plugin_example").unwrap();
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
        assert!(fix.safe);
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
        let f = verdict(d.path(), OFFICIAL, "arcaflow_plugin_example").unwrap();
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
        let f = verdict(d.path(), text, "pkg").unwrap();
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
        let f = verdict(d.path(), "ARG package=old\n", "pkg").unwrap();
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
        let f = verdict(d.path(), "ARG package=pkg\nARG package\n", "pkg").unwrap();
        assert_eq!((f.id, f.severity), (ID, Severity::Ok));
        assert_eq!(
            verdict(d.path(), "FROM python:3.9\nCOPY . /app\n", "pkg"),
            None
        );
        assert_eq!(
            verdict(
                d.path(),
                "ARG name=x\nARG package=arcaflow_plugin_${name}\n",
                "pkg"
            )
            .map(|f| f.severity),
            Some(Severity::Ok)
        );
        assert_eq!(verdict(d.path(), "ARG package=x\n", ""), None);
    }
}
