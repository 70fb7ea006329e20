//! The official GitHub workflow and the example input of a plugin made by
//! `new`: the workflow passes GitHub's workflow schema (check-jsonschema) and
//! actionlint, docsgen's plugin_path exists, and the test-build step fails on
//! an example that does not answer `success`.

mod common;

use std::path::Path;
use std::time::Duration;

use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::templates::{self, workflow};
use common::{run, Sandbox};

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The validators pass the template and fail what they are there to catch:
/// otherwise a passing check would prove nothing.
#[test]
fn the_validators_pass_the_template_and_catch_broken_workflows() {
    let Some(v) = common::workflow::validators() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let names = PluginNames::parse("example").unwrap();
    let vars = templates::Vars {
        description: String::new(),
        version: "0.1.0".into(),
    };
    for f in templates::render_all(&names, &vars) {
        write(t.path(), &f.path.to_string_lossy(), &f.contents);
    }
    v.validate(t.path()).unwrap_or_else(|e| panic!("{e}"));

    // A compose file that is not one: the compose schema catches it.
    let compose = t.path().join("docker-compose.yaml");
    let good_compose = std::fs::read_to_string(&compose).unwrap();
    std::fs::write(
        &compose,
        good_compose.replace("    volumes:", "    volumez:"),
    )
    .unwrap();
    let e = v
        .compose(&compose)
        .expect_err("the compose schema passed `volumez`");
    assert!(e.contains("volumez"), "{e}");

    let file = t.path().join(workflow::PATH);
    let good = std::fs::read_to_string(&file).unwrap();
    // Not a workflow by GitHub's schema: a job with neither runs-on nor uses.
    std::fs::write(
        &file,
        good.replace(
            "    uses: arcalot/arcaflow-docsgen",
            "    usez: arcalot/arcaflow-docsgen",
        ),
    )
    .unwrap();
    let e = v
        .schema(&file)
        .expect_err("schema passed a job without uses");
    assert!(e.contains("docsgen"), "{e}");
    // A valid shape with a wrong expression: actionlint's part.
    std::fs::write(
        &file,
        good.replace("github.event.repository.name", "github.repo_name"),
    )
    .unwrap();
    v.schema(&file)
        .expect("the schema does not read expressions");
    let e = v
        .actionlint(&file)
        .expect_err("actionlint passed a bad expression");
    assert!(e.contains("repo_name"), "{e}");
    // docsgen would document a module that is not there.
    std::fs::write(&file, good.replace("example_plugin.py", "gone_plugin.py")).unwrap();
    let e =
        common::workflow::plugin_path_exists(t.path()).expect_err("a missing plugin_path passed");
    assert!(e.contains("gone_plugin.py"), "{e}");
}

#[test]
fn new_writes_a_valid_workflow_and_a_broken_example_fails_the_test_build() {
    let tools = require_tools!();
    let Some(v) = common::workflow::validators() else {
        return;
    };
    let mut sb = Sandbox::with_tools(&tools);
    let bin = sb.bin_dir(
        "main",
        &[("poetry", &tools.poetry2), ("python3", &tools.py311)],
    );
    sb.set_path(&[bin]);
    sb.set_os_release("ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
    let new = |sb: &Sandbox| {
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
        run(&mut cmd, Duration::from_secs(600))
    };
    let ran = new(&sb);
    assert!(ran.ok(), "new failed:\n{}", ran.output);
    let dir = sb.work().join("arcaflow-plugin-example");
    v.validate(&dir).unwrap_or_else(|e| panic!("{e}"));
    // The example ran as the README says, and answered success.
    assert!(
        ran.output
            .contains("arcaflow_plugin_example/example_plugin.py -f inputs/example.yaml"),
        "{}",
        ran.output
    );
    assert!(ran.output.contains("output_id: success"), "{}", ran.output);
    assert!(
        ran.output.contains("message: Hello, Arca!"),
        "{}",
        ran.output
    );
    // The end says which secrets to set.
    for s in workflow::SECRETS {
        assert!(ran.output.contains(s), "{s}: {}", ran.output);
    }
    assert!(ran.output.contains("Arcalot chairs"), "{}", ran.output);
    let compose = std::fs::read_to_string(dir.join("docker-compose.yaml")).unwrap();
    assert!(
        compose.contains("./inputs/example.yaml:/config/example.yaml"),
        "{compose}"
    );

    // A step that answers `error` on the example (a blank name): the SDK exits
    // 0, the wizard does not.
    let input = dir.join("inputs/example.yaml");
    let text = std::fs::read_to_string(&input).unwrap();
    std::fs::write(&input, text.replace("name: Arca", "name: \"  \"")).unwrap();
    let again = new(&sb);
    assert_eq!(again.code, Some(1), "{}", again.output);
    assert!(
        again.output.contains("output_id: error"),
        "{}",
        again.output
    );
    // Named by whichever check meets it first: the example's own output id, or
    // the ATP round trip on the same input.
    assert!(
        again
            .output
            .contains("the example step answered `error` on inputs/example.yaml, not `success`")
            || again
                .output
                .contains("FAILED: step hello-world returned 'error', not 'success'"),
        "{}",
        again.output
    );
}
