//! What `try` runs: the entry module, its first step, and an example input,
//! read from the project's files (nothing of the project is run to find them).

use std::path::Path;

use crate::journey::atp;
use crate::journey::Failure;
use crate::probe::layout::{Fact, Layout};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TryExample {
    /// The entry module, relative to the project.
    pub entry: String,
    pub step: String,
    /// The step's input, as YAML.
    pub input: String,
    /// Where the input came from, for the screen.
    pub input_from: String,
}

/// Where arcaflow-plugin-example keeps its example input: tried last.
const FIXTURES: &[&str] = &["fixtures/example.yaml", "fixtures/example.yml"];

/// The first `@plugin.step(id="...")` of a module's text.
pub(super) fn first_step(text: &str) -> Option<String> {
    let re = regex::Regex::new(r#"@plugin\.step\(\s*id\s*=\s*["']([^"']+)["']"#).ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

pub(crate) fn find_example(dir: &Path, l: &Layout) -> Result<TryExample, Failure> {
    let entry = match &l.entry {
        Fact::Known { value, .. } if dir.join(&value.module).is_file() => value.module.clone(),
        _ => {
            let folder = l.code_folder.value().cloned().unwrap_or_else(|| ".".into());
            let mut found: Vec<String> = std::fs::read_dir(dir.join(&folder))
                .map_err(|e| Failure::usage(format!("cannot read {folder}/: {e}")))?
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with("_plugin.py"))
                .collect();
            found.sort();
            match found.as_slice() {
                [one] => format!("{folder}/{one}"),
                _ => {
                    return Err(Failure::usage(format!(
                        "cannot tell the plugin's entry module: the Dockerfile's ENTRYPOINT does not name one, \
                         and {folder}/ holds {} *_plugin.py files",
                        found.len()
                    )))
                }
            }
        }
    };
    let text = std::fs::read_to_string(dir.join(&entry))
        .map_err(|e| Failure::usage(format!("cannot read {entry}: {e}")))?;
    let step = first_step(&text)
        .ok_or_else(|| Failure::usage(format!("{entry} declares no @plugin.step(id=\"...\")")))?;
    let file = [atp::EXAMPLE_INPUT_FILE.to_string()]
        .into_iter()
        .chain(l.example_inputs.iter().cloned())
        .chain(FIXTURES.iter().map(|f| f.to_string()))
        .find(|f| in_project(dir, f));
    let (input, input_from) = match file {
        Some(f) => (
            std::fs::read_to_string(dir.join(&f))
                .map_err(|e| Failure::usage(format!("cannot read {f}: {e}")))?,
            f,
        ),
        None if step == atp::SCAFFOLD_STEP => (
            "name: Arca\n".to_string(),
            "the scaffold's example (no inputs/example.yaml)".to_string(),
        ),
        None => {
            return Err(Failure::usage(format!(
                "no example input for step {step}: write one as {}",
                atp::EXAMPLE_INPUT_FILE
            )))
        }
    };
    Ok(TryExample {
        entry,
        step,
        input,
        input_from,
    })
}

/// `f` is a file of the project at `dir`, where it lands past any link: a
/// stranger's clone can plant `inputs/example.yaml -> ~/.pypirc`, and the
/// input's text goes into the engine's workflow and its log.
fn in_project(dir: &Path, f: &str) -> bool {
    let (Ok(root), Ok(target)) = (
        std::fs::canonicalize(dir),
        std::fs::canonicalize(dir.join(f)),
    ) else {
        return false;
    };
    target.is_file() && target.starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_linked_out_of_the_project_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("pypirc"), "password = x\n").unwrap();
        let p = tempfile::tempdir().unwrap();
        std::fs::create_dir(p.path().join("inputs")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("pypirc"),
            p.path().join("inputs/example.yaml"),
        )
        .unwrap();
        std::fs::write(p.path().join("inputs/real.yaml"), "name: A\n").unwrap();
        assert!(!in_project(p.path(), "inputs/example.yaml"));
        assert!(in_project(p.path(), "inputs/real.yaml"));
        assert!(!in_project(p.path(), "inputs/none.yaml"));
    }

    #[test]
    fn the_first_step_id_is_read_from_the_decorator() {
        let t =
            "x\n@plugin.step(\n    id=\"hello-world\",\n    name=\"H\",\n)\n@plugin.step(id='b')";
        assert_eq!(first_step(t).as_deref(), Some("hello-world"));
        assert_eq!(first_step("def f(): pass"), None);
    }

    #[test]
    fn the_examples_fixture_is_its_input_when_no_other_is_there() {
        let d = tempfile::tempdir().unwrap();
        let write = |p: &str, t: &str| {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        };
        write(
            "pyproject.toml",
            "[tool.poetry]\nname = \"arcaflow-plugin-x\"\npackages = [{include =\"x_plugin.py\", from=\"./arcaflow_plugin_x\"}]\n",
        );
        write(
            "arcaflow_plugin_x/x_plugin.py",
            "@plugin.step(id=\"hello-world\", name=\"h\")\n",
        );
        write("fixtures/example.yaml", "name:\n  nick: Arca\n");
        let l = Layout::read(d.path()).unwrap();
        let ex = find_example(d.path(), &l).unwrap();
        assert_eq!(ex.input_from, "fixtures/example.yaml");
        assert_eq!(ex.input, "name:\n  nick: Arca\n");
        // An inputs/ file comes first.
        write("inputs/example.yaml", "name: Lot\n");
        let l = Layout::read(d.path()).unwrap();
        assert_eq!(find_example(d.path(), &l).unwrap().input, "name: Lot\n");
    }
}
