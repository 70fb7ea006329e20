//! What a failed tool run means, from the stable part of its message (the exit
//! code does not tell Poetry's failures apart: facts file, "What Poetry prints").

use super::Failure;
use crate::exec::{Ending, RunResult};
use crate::plan::Cmd;

/// Known messages, in the order they are tried: (needle, meaning, what to do).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "Could not find a matching version of package arcaflow-plugin-sdk-python",
        "There is no package called arcaflow-plugin-sdk-python: the SDK is published as arcaflow-plugin-sdk.",
        "poetry add 'arcaflow-plugin-sdk@^0.14.3'",
    ),
    (
        "Could not find a matching version of package",
        "The package index has no version of that package that fits.",
        "Check the package name and that the index (see [[tool.poetry.source]] in pyproject.toml) holds it.",
    ),
    (
        "supported Python range",
        "The project's Python range is open or wider than a dependency allows (the SDK needs <4.0).",
        "Give the range an upper bound: python = \"^3.9\" in [tool.poetry.dependencies] (or requires-python = \">=3.9,<4.0\").",
    ),
    (
        "Could not find the python executable",
        "Poetry cannot find that Python interpreter.",
        "Pass the full path of an existing python3.9 or newer (see `arcaflow-wizard doctor`).",
    ),
    (
        "is not supported by the project",
        "That Python is outside the project's Python range.",
        "Use Python 3.9 or newer.",
    ),
    (
        "Group(s) not found: dev",
        "The project has no dev dependency group, and the official Dockerfile runs `poetry install --without dev`.",
        "Add a [tool.poetry.group.dev.dependencies] table (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "[tool.poetry] section not found",
        "This Poetry (1.x, as in the official build image) reads only the legacy [tool.poetry] form.",
        "Move the project's metadata to [tool.poetry] (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "are required in package mode",
        "This Poetry (1.x) needs name, version, description and authors in [tool.poetry].",
        "Move the project's metadata to [tool.poetry] (arcaflow-wizard doctor --fix does it).",
    ),
    (
        "changed significantly since poetry.lock was last generated",
        "poetry.lock is out of date with pyproject.toml.",
        "poetry lock",
    ),
    (
        "No file/folder found for package",
        "The code folder does not match the package name (Poetry looks for the name with hyphens turned into underscores).",
        "Rename the code folder, or set packages = [{ include = \"<folder>\" }] in [tool.poetry].",
    ),
    (
        "Invalid TOML file",
        "pyproject.toml is not valid TOML.",
        "Fix the line and column named above.",
    ),
    (
        "Error connecting to repository",
        "The package index could not be reached.",
        "Check the index URL and your network or proxy.",
    ),
    (
        "unable to connect to the repository",
        "The package index could not be reached.",
        "Check the index URL and your network or proxy.",
    ),
    (
        "The requested command export does not exist",
        "Poetry 2 does not include `poetry export`; it needs poetry-plugin-export.",
        "poetry self add poetry-plugin-export",
    ),
    (
        "No files to publish",
        "There is nothing in dist/ to upload.",
        "poetry build",
    ),
];

/// A failure in the user's terms for a command whose output we recognise.
pub fn tool_failure(cmd: &Cmd, res: &RunResult) -> Option<Failure> {
    match res.ending {
        Ending::TimedOut => {
            return Some(
                Failure::new(format!("`{}` took too long and was stopped.", cmd.display()))
                    .hint("A network problem or a prompt waiting for input is the usual cause; run it by hand to see."),
            )
        }
        Ending::Cancelled => return Some(Failure::new(format!("`{}` was cancelled.", cmd.display()))),
        _ => {}
    }
    let text = res.tail_text();
    KNOWN.iter().find(|(needle, _, _)| text.contains(needle)).map(|(_, meaning, fix)| {
        Failure::new(format!("`{}` failed: {meaning}", cmd.display())).hint(format!("Fix: {fix}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::time::Duration;

    fn res(lines: &[&str]) -> RunResult {
        RunResult {
            ending: Ending::Exited(1),
            tail: lines.iter().map(|s| s.to_string()).collect::<VecDeque<_>>(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn recognises_the_wrong_sdk_name_before_the_generic_message() {
        let f = tool_failure(
            &Cmd::new("poetry").arg("add"),
            &res(&["", "Could not find a matching version of package arcaflow-plugin-sdk-python"]),
        )
        .unwrap();
        assert!(f.message.contains("published as arcaflow-plugin-sdk"), "{f}");
    }

    #[test]
    fn unknown_output_is_not_explained() {
        assert!(tool_failure(&Cmd::new("x"), &res(&["something else"])).is_none());
    }
}
