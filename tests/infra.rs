//! Proves the test infrastructure from scripts/test is real: the local index
//! serves the SDK and nothing else, both Poetry versions run, uploads need the
//! right token, and the official build reproduction passes a good plugin and
//! fails a broken one.

mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use common::*;

const MIN: Duration = Duration::from_secs(60);

#[test]
fn local_index_serves_the_sdk_and_its_dependencies() {
    let tools = require_tools!();
    let (status, body) = http_get(&format!("{}arcaflow-plugin-sdk/", tools.index_url)).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("arcaflow_plugin_sdk-0.14.3-py3-none-any.whl"),
        "SDK 0.14.3 missing from the index page:\n{body}"
    );
    for dep in ["pyyaml", "cbor2", "flake8", "coverage", "poetry-core"] {
        let (status, body) = http_get(&format!("{}{dep}/", tools.index_url)).unwrap();
        assert_eq!(status, 200, "{dep}: {body}");
        assert!(
            body.contains("cp39") || body.contains("py3-none-any") || body.contains("py2.py3"),
            "{dep}: {body}"
        );
    }
    // PyYAML 6.0.3 is the newest with Python 3.9 wheels: a "^3.9" project locks it.
    let (_, body) = http_get(&format!("{}pyyaml/", tools.index_url)).unwrap();
    assert!(
        body.contains("PyYAML-6.0.3") || body.contains("pyyaml-6.0.3-cp39"),
        "{body}"
    );
}

#[test]
fn local_index_refuses_what_it_lacks() {
    let tools = require_tools!();
    // Without --disable-fallback pypiserver would redirect (303) to PyPI.
    for missing in ["requests", "arcaflow-plugin-sdk-python"] {
        let (status, body) = http_get(&format!("{}{missing}/", tools.index_url)).unwrap();
        assert_eq!(
            status, 404,
            "{missing} should be unknown to the local index: {body}"
        );
    }
}

#[test]
fn both_poetry_versions_and_the_dev_tools_run() {
    let tools = require_tools!();
    let sb = Sandbox::with_tools(&tools);
    let ran = run(sb.command(&tools.poetry2).arg("--version"), MIN);
    assert!(ran.ok(), "{}", ran.output);
    assert!(ran.output.contains("Poetry (version 2."), "{}", ran.output);
    if !tools.poetry2_version.is_empty() {
        assert!(
            ran.output.contains(&tools.poetry2_version),
            "{}",
            ran.output
        );
    }
    let ran = run(sb.command(&tools.poetry1).arg("--version"), MIN);
    assert!(ran.ok(), "{}", ran.output);
    assert!(
        ran.output.contains("Poetry (version 1.8.3)"),
        "{}",
        ran.output
    );

    for (py, want) in [(&tools.py39, "3.9."), (&tools.py311, "3.11.")] {
        let ran = run(sb.command(py).arg("--version"), MIN);
        assert!(
            ran.output.contains(&format!("Python {want}")),
            "{}: {}",
            py.display(),
            ran.output
        );
    }
    let pins = dev_pins();
    for tool in ["flake8", "coverage"] {
        assert!(
            pins.iter().any(|(n, _)| n == tool),
            "scripts/dev-pins.txt lacks {tool}"
        );
        let ran = run(sb.command(tools.tools_bin.join(tool)).arg("--version"), MIN);
        assert!(ran.ok(), "{tool}: {}", ran.output);
    }
}

const TINY_PYPROJECT: &str = r#"[tool.poetry]
name = "tiny-pkg"
version = "0.1.0"
description = "An upload test"
authors = ["Arcalot contributors <arcalot@example.com>"]
packages = [{ include = "tiny_pkg" }]

[tool.poetry.dependencies]
python = "^3.9"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#;

#[test]
fn upload_needs_the_right_token() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "bin",
        &[("python3", &tools.py311), ("poetry", &tools.poetry2)],
    );
    sb.set_path(&[&bin]);
    let packages = sb.root().join("packages");
    let index = start_upload_index(&packages, "pypi-right-token");

    let project = sb.work().join("tiny");
    fs::create_dir_all(project.join("tiny_pkg")).unwrap();
    fs::write(project.join("pyproject.toml"), TINY_PYPROJECT).unwrap();
    fs::write(project.join("tiny_pkg/__init__.py"), "VALUE = 1\n").unwrap();

    let poetry = |args: &[&str]| {
        let mut c = sb.command("poetry");
        c.args(args).arg("--no-interaction").current_dir(&project);
        c
    };
    let ran = run(
        &mut poetry(&["config", "repositories.local", &index.upload_url()]),
        MIN,
    );
    assert!(ran.ok(), "{}", ran.output);
    let ran = run(&mut poetry(&["build"]), MIN);
    assert!(ran.ok(), "{}", ran.output);

    let ran = run(
        poetry(&["publish", "-r", "local"]).env("POETRY_PYPI_TOKEN_LOCAL", "pypi-wrong-token"),
        MIN,
    );
    assert!(!ran.ok(), "a wrong token was accepted:\n{}", ran.output);
    assert!(ran.output.contains("403"), "{}", ran.output);
    assert!(
        fs::read_dir(&packages).unwrap().next().is_none(),
        "something was stored"
    );

    let ran = run(
        poetry(&["publish", "-r", "local"]).env("POETRY_PYPI_TOKEN_LOCAL", "pypi-right-token"),
        MIN,
    );
    assert!(ran.ok(), "{}\n--- server:\n{}", ran.output, index.log());
    assert!(packages.join("tiny_pkg-0.1.0-py3-none-any.whl").is_file());
    let (status, body) = http_get(&format!("{}tiny-pkg/", index.url())).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("tiny_pkg-0.1.0-py3-none-any.whl"), "{body}");

    // The same version again: pypiserver says 409 (PyPI says 400).
    let ran = run(
        poetry(&["publish", "-r", "local"]).env("POETRY_PYPI_TOKEN_LOCAL", "pypi-right-token"),
        MIN,
    );
    assert!(!ran.ok() && ran.output.contains("409"), "{}", ran.output);
}

const PLUGIN_CODE: &str = r#"#!/usr/bin/env python3
import sys
import typing
from dataclasses import dataclass

from arcaflow_plugin_sdk import plugin, schema


@dataclass
class InputParams:
    name: typing.Annotated[
        str, schema.name("Name"), schema.description("Who to greet")
    ]


@dataclass
class SuccessOutput:
    message: typing.Annotated[
        str, schema.name("Message"), schema.description("The greeting")
    ]


@dataclass
class ErrorOutput:
    error: typing.Annotated[
        str, schema.name("Error"), schema.description("What went wrong")
    ]


@plugin.step(
    id="hello",
    name="Hello",
    description="Says hello",
    outputs={"success": SuccessOutput, "error": ErrorOutput},
)
def hello(
    params: InputParams,
) -> typing.Tuple[str, typing.Union[SuccessOutput, ErrorOutput]]:
    return "success", SuccessOutput("Hello, {}!".format(params.name))


if __name__ == "__main__":
    sys.exit(plugin.run(plugin.build_schema(hello)))
"#;

const PLUGIN_TEST: &str = r#"#!/usr/bin/env python3
import unittest

import infra_plugin
from arcaflow_plugin_sdk import plugin


class HelloTest(unittest.TestCase):
    @staticmethod
    def test_serialization():
        plugin.test_object_serialization(infra_plugin.InputParams("x"))
        plugin.test_object_serialization(infra_plugin.SuccessOutput("y"))

    def test_functional(self):
        output_id, output = infra_plugin.hello(
            params=infra_plugin.InputParams("World"), run_id="plugin_ci"
        )
        self.assertEqual("success", output_id)
        self.assertEqual("EXPECTED", output.message)


if __name__ == "__main__":
    unittest.main()
"#;

/// A minimal official-style plugin, locked with Poetry 2 against the local index.
fn make_locked_plugin(sb: &Sandbox, tools: &Tools, dir: &Path) {
    let dev = dev_pins()
        .iter()
        .map(|(n, c)| format!("{n} = \"{c}\"\n"))
        .collect::<String>();
    let pyproject = format!(
        r#"[tool.poetry]
name = "arcaflow-plugin-infra"
version = "0.1.0"
description = "Infrastructure test plugin"
authors = ["Arcalot contributors"]
license = "Apache-2.0"
packages = [{{ include = "arcaflow_plugin_infra" }}]

[tool.poetry.dependencies]
python = "^3.9"
arcaflow-plugin-sdk = "^0.14.3"

[tool.poetry.group.dev.dependencies]
{dev}
[[tool.poetry.source]]
name = "local"
url = "{}"
priority = "primary"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"#,
        tools.index_url
    );
    fs::create_dir_all(dir.join("arcaflow_plugin_infra")).unwrap();
    fs::create_dir_all(dir.join("tests")).unwrap();
    fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    fs::write(dir.join("arcaflow_plugin_infra/__init__.py"), "").unwrap();
    fs::write(
        dir.join("arcaflow_plugin_infra/infra_plugin.py"),
        PLUGIN_CODE,
    )
    .unwrap();
    fs::write(
        dir.join("tests/test_arcaflow_plugin_infra.py"),
        PLUGIN_TEST.replace("EXPECTED", "Hello, World!"),
    )
    .unwrap();
    let ran = run(
        sb.command(&tools.poetry2)
            .args(["lock", "--no-interaction"])
            .current_dir(dir),
        Duration::from_secs(300),
    );
    assert!(ran.ok(), "poetry lock: {}", ran.output);
    let lock = fs::read_to_string(dir.join("poetry.lock")).unwrap();
    assert!(lock.contains("name = \"arcaflow-plugin-sdk\""), "{lock}");
}

#[test]
fn official_build_reproduction_passes_a_good_plugin_and_fails_a_broken_one() {
    let tools = require_tools!();
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir("bin", &[("python3", &tools.py311)]);
    sb.set_path(&[&bin]);
    let project = sb.work().join("arcaflow-plugin-infra");
    make_locked_plugin(&sb, &tools, &project);

    let log = reproduce_official_build(&project, &tools).unwrap_or_else(|log| panic!("{log}"));
    eprintln!("{log}");
    // Each of these is what a step printed, not what the reproduction wrote
    // itself (its `$ command` lines name poetry, pip and the plugin whatever
    // happens): the venv Poetry 1.8.3 made is a 3.9 one, the unit tests ran and
    // passed, the final venv installed PyYAML 6.0.3 (the newest for 3.9), and
    // `--schema` printed the step.
    assert!(
        log.contains("Using virtualenv: ") && log.contains("-py3.9"),
        "no Python 3.9 venv from Poetry 1.8.3:\n{log}"
    );
    assert!(
        log.contains("Ran 2 tests") && log.contains("\nOK\n"),
        "the unit tests did not run and pass:\n{log}"
    );
    assert!(
        log.contains("PyYAML-6.0.3") || log.contains("pyyaml-6.0.3"),
        "PyYAML 6.0.3 not installed in the final venv:\n{log}"
    );
    assert!(
        log.contains("steps:") && log.contains("hello:"),
        "no schema with the hello step in:\n{log}"
    );

    // A failing unit test fails the image build.
    fs::write(
        project.join("tests/test_arcaflow_plugin_infra.py"),
        PLUGIN_TEST.replace("EXPECTED", "Goodbye"),
    )
    .unwrap();
    let err =
        reproduce_official_build(&project, &tools).expect_err("a failing test must fail the build");
    assert!(
        err.contains("FAILED:") && err.contains("tests/test_arcaflow_plugin_infra.py"),
        "{err}"
    );
    assert!(err.contains("AssertionError"), "{err}");
}
