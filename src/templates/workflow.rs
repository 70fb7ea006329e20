//! The official GitHub workflow of a plugin (ACT's build, then docsgen's README
//! update): the file `new` writes, the note on the secrets it needs, and a
//! reader that finds both jobs in a project's workflows for doctor.
//!
//! Reading is text only: doctor runs nothing from the project to do it.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

/// Where `new` (and doctor's fix) writes the workflow, as the official plugins do.
pub const PATH: &str = ".github/workflows/workflow.yaml";

/// The template; `{{package}}` and `{{entry_module}}` name the plugin_path.
pub const TEMPLATE: &str = include_str!("../../assets/github/workflow.yaml");

/// The reusable workflows the two jobs call (any ref).
pub const ACT_WORKFLOW: &str =
    "arcalot/arcaflow-container-toolkit/.github/workflows/reusable_workflow.yaml";
pub const DOCSGEN_WORKFLOW: &str =
    "arcalot/arcaflow-docsgen/.github/workflows/reusable_workflow.yaml";

/// The repository secrets ACT's job passes on.
pub const SECRETS: [&str; 3] = ["QUAY_NAMESPACE", "QUAY_USERNAME", "QUAY_PASSWORD"];

/// What to tell the user once the workflow exists: which secrets to set and who
/// sets them for an official plugin.
pub fn secrets_note() -> String {
    format!(
        "GitHub CI ({PATH}) needs the repository secrets {} (Settings > Secrets and variables > \
         Actions); for an official plugin under github.com/arcalot, the Arcalot chairs set them.",
        SECRETS.join(", ")
    )
}

/// A docsgen job as read from a workflow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docsgen {
    /// The job's `with.plugin_path`, as written; None when it has none.
    pub plugin_path: Option<String>,
}

/// One workflow file of the project, as far as the official jobs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    /// Relative to the project root, e.g. `.github/workflows/workflow.yaml`.
    pub path: PathBuf,
    /// A job calls ACT's reusable workflow.
    pub act: bool,
    pub docsgen: Vec<Docsgen>,
    /// Why the file could not be read as YAML, if it could not.
    pub error: Option<String>,
}

/// The workflow for a project whose entry module is at `plugin_path` (from
/// the root), for a project `new` did not make.
pub fn render_for(plugin_path: &str) -> String {
    TEMPLATE.replace("{{package}}/{{entry_module}}.py", plugin_path)
}

/// Larger files are not workflows anyone wrote by hand; they are not read.
const MAX_BYTES: u64 = 1 << 20;

/// A regular file's text (not a link, a fifo or a device), at most MAX_BYTES.
fn read_text(p: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(p).map_err(|e| e.to_string())?;
    if !meta.file_type().is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_BYTES {
        return Err("larger than 1 MiB".into());
    }
    let mut buf = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(MAX_BYTES).read_to_end(&mut buf))
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Every `.github/workflows/*.yaml|yml` of the project, sorted by name.
pub fn read_all(dir: &Path) -> Vec<Workflow> {
    let folder = dir.join(".github/workflows");
    let Ok(rd) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml") && p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap_or(&p).to_path_buf();
            match read_text(&p) {
                Ok(t) => parse(rel, &t),
                Err(e) => Workflow {
                    path: rel,
                    act: false,
                    docsgen: Vec::new(),
                    error: Some(e),
                },
            }
        })
        .collect()
}

/// Reads one workflow's text: which jobs call ACT and docsgen.
pub fn parse(path: PathBuf, text: &str) -> Workflow {
    let mut w = Workflow {
        path,
        act: false,
        docsgen: Vec::new(),
        error: None,
    };
    let docs = match YamlLoader::load_from_str(text) {
        Ok(d) => d,
        Err(e) => {
            w.error = Some(e.to_string());
            return w;
        }
    };
    let Some(Yaml::Hash(jobs)) = docs.first().map(|d| &d["jobs"]) else {
        return w;
    };
    for job in jobs.values() {
        let Some(uses) = job["uses"].as_str() else {
            continue;
        };
        let target = uses.split('@').next().unwrap_or(uses).trim();
        if target == ACT_WORKFLOW {
            w.act = true;
        } else if target == DOCSGEN_WORKFLOW {
            w.docsgen.push(Docsgen {
                plugin_path: job["with"]["plugin_path"].as_str().map(str::to_string),
            });
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::PluginNames;
    use crate::templates::{render, Vars};

    fn rendered(short: &str) -> String {
        let names = PluginNames::parse(short).unwrap();
        let vars = Vars {
            description: String::new(),
            version: "0.1.0".into(),
        };
        render(TEMPLATE, &names, &vars)
    }

    #[test]
    fn the_template_has_both_jobs_and_the_entry_module_as_plugin_path() {
        let w = parse(PATH.into(), &rendered("my-thing"));
        assert_eq!(w.error, None);
        assert!(w.act);
        assert_eq!(
            w.docsgen,
            [Docsgen {
                plugin_path: Some("arcaflow_plugin_my_thing/my_thing_plugin.py".into())
            }]
        );
    }

    #[test]
    fn the_template_keeps_the_github_expressions() {
        let text = rendered("x");
        assert!(text.contains("image_name: ${{ github.event.repository.name }}"));
        for s in SECRETS {
            assert!(
                text.contains(&format!("{s}: ${{{{ secrets.{s} }}}}")),
                "{s}"
            );
        }
        let docs = YamlLoader::load_from_str(&text).unwrap();
        let d = &docs[0];
        assert_eq!(
            d["jobs"]["act"]["with"]["image_tag"].as_str(),
            Some("latest")
        );
        assert_eq!(d["jobs"]["act"]["with"]["multi_arch"].as_bool(), Some(true));
        assert_eq!(d["jobs"]["docsgen"]["needs"].as_str(), Some("act"));
        let perms = &d["jobs"]["docsgen"]["permissions"];
        assert_eq!(perms["contents"].as_str(), Some("write"));
        assert_eq!(perms["pull-requests"].as_str(), Some("write"));
        assert_eq!(d["on"]["release"]["types"][0].as_str(), Some("published"));
        assert_eq!(d["on"]["push"]["branches"][0].as_str(), Some("**"));
    }

    #[test]
    fn reads_a_real_plugins_shape_and_ignores_other_jobs() {
        let text = "name: ci\non: [push]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: []\n  \
                    act:\n    uses: arcalot/arcaflow-container-toolkit/.github/workflows/reusable_workflow.yaml@v1\n  \
                    docs:\n    uses: arcalot/arcaflow-docsgen/.github/workflows/reusable_workflow.yaml@main\n    \
                    with:\n      plugin_path: arcaflow_plugin_fio/fio_plugin.py\n";
        let w = parse("w.yml".into(), text);
        assert!(w.act);
        assert_eq!(
            w.docsgen[0].plugin_path.as_deref(),
            Some("arcaflow_plugin_fio/fio_plugin.py")
        );
        let other = parse(
            "o.yml".into(),
            "on: push\njobs:\n  a:\n    uses: someone/else/.github/workflows/x.yaml@main\n",
        );
        assert!(!other.act && other.docsgen.is_empty() && other.error.is_none());
        let broken = parse("b.yml".into(), "jobs: [\n");
        assert!(broken.error.is_some() && !broken.act);
    }

    #[test]
    fn the_secrets_note_names_every_secret_and_the_chairs() {
        let n = secrets_note();
        for s in SECRETS {
            assert!(n.contains(s), "{n}");
        }
        assert!(n.contains("Arcalot chairs"), "{n}");
    }
}
