//! The official GitHub workflow: a job that runs ACT's build, and docsgen's
//! `plugin_path` naming a file that exists. Read as text: nothing of the
//! project runs.

use std::path::{Component, Path};

use super::super::{Finding, Fix, Group};
use crate::plan::Plan;
use crate::probe::layout::{Fact, Layout};
use crate::templates::workflow;

const G: Group = Group::Act;
/// No workflow of the project runs ACT's build.
pub(crate) const MISSING_ID: &str = "act-workflow";
/// A docsgen job's `plugin_path` names no file of the project.
pub(crate) const DOCSGEN_ID: &str = "act-workflow-docsgen-path";

pub(crate) fn check(dir: &Path) -> Vec<Finding> {
    let flows = workflow::read_all(dir);
    let entry = Layout::read(dir).and_then(|l| match l.entry {
        Fact::Known { value, .. } if dir.join(&value.module).is_file() => Some(value.module),
        _ => None,
    });
    let mut out = Vec::new();
    out.push(match flows.iter().find(|w| w.act) {
        Some(w) => Finding::ok(
            G,
            MISSING_ID,
            format!("{} runs ACT's build", w.path.display()),
        ),
        None => missing(dir, &flows, entry.as_deref()),
    });
    for w in &flows {
        for d in &w.docsgen {
            out.push(docsgen(dir, &w.path, d, entry.as_deref()));
        }
    }
    out
}

fn missing(dir: &Path, flows: &[workflow::Workflow], entry: Option<&str>) -> Finding {
    let unreadable: Vec<String> = flows
        .iter()
        .filter_map(|w| {
            w.error
                .as_ref()
                .map(|e| format!("{} could not be read: {e}", w.path.display()))
        })
        .collect();
    let mut detail = vec![
        "Pushed to GitHub, nothing builds the plugin: official plugins run the Arcaflow Container \
         Toolkit's reusable workflow on every push and published release, then arcaflow-docsgen."
            .to_string(),
    ];
    detail.extend(unreadable);
    let f = Finding::warning(G, MISSING_ID, "no GitHub workflow runs ACT's build")
        .detail(detail.join("\n"));
    let target = dir.join(workflow::PATH);
    match entry {
        // A new file, never one of the user's: shown as a diff, and asked about.
        Some(entry) if !target.exists() => f.fix(Fix::run(
            format!("write {} (ACT's build, then docsgen for {entry})", workflow::PATH),
            Plan::new().write(target, workflow::render_for(entry)),
            false,
        )),
        _ => f.fix(Fix::manual(format!(
            "add a job that uses {}@main (image_name, image_tag, multi_arch and the secrets {}) to a \
             workflow under .github/workflows/",
            workflow::ACT_WORKFLOW,
            workflow::SECRETS.join(", ")
        ))),
    }
}

fn docsgen(dir: &Path, file: &Path, d: &workflow::Docsgen, entry: Option<&str>) -> Finding {
    let set_it = |what: String| match entry {
        Some(e) => Fix::manual(format!(
            "in {}, set the docsgen job's plugin_path: \"{e}\"",
            file.display()
        )),
        None => Fix::manual(format!(
            "in {}, {what}: the entry module's path from the repository root",
            file.display()
        )),
    };
    let why = "docsgen fails on it, so the README's documentation is never generated";
    match &d.plugin_path {
        Some(p) if inside(p) && dir.join(p).is_file() => Finding::ok(
            G,
            DOCSGEN_ID,
            format!("docsgen documents {p} ({})", file.display()),
        ),
        Some(p) => Finding::problem(
            G,
            DOCSGEN_ID,
            format!(
                "{}: docsgen's plugin_path {p} is not a file of the project",
                file.display()
            ),
        )
        .detail(why)
        .fix(set_it("set plugin_path".into())),
        None => Finding::problem(
            G,
            DOCSGEN_ID,
            format!("{}: the docsgen job has no plugin_path", file.display()),
        )
        .detail(why)
        .fix(set_it("add `with: plugin_path: ...`".into())),
    }
}

/// A relative path that stays in the project.
fn inside(p: &str) -> bool {
    let p = Path::new(p);
    p.is_relative()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::Severity;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for (p, c) in files {
            let path = t.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
        t
    }

    fn by_id<'a>(v: &'a [Finding], id: &str) -> Vec<&'a Finding> {
        v.iter().filter(|f| f.id == id).collect()
    }

    #[test]
    fn no_workflow_is_a_warning_and_a_relative_plugin_path_that_exists_is_ok() {
        let t = project(&[("README.md", "x")]);
        let v = check(t.path());
        let m = by_id(&v, MISSING_ID);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].severity, Severity::Warning);
        assert!(by_id(&v, DOCSGEN_ID).is_empty());

        let t = project(&[
            ("pkg/x_plugin.py", ""),
            (workflow::PATH, &workflow::render_for("pkg/x_plugin.py")),
        ]);
        let v = check(t.path());
        assert_eq!(by_id(&v, MISSING_ID)[0].severity, Severity::Ok);
        assert_eq!(by_id(&v, DOCSGEN_ID)[0].severity, Severity::Ok);
    }

    #[test]
    fn a_plugin_path_outside_or_missing_is_a_problem() {
        // ../outside.py exists, beside the project: still not the project's.
        for path in ["pkg/gone.py", "../outside.py", "/etc/hostname"] {
            let wf = workflow::render_for(path);
            let t = project(&[
                ("outside.py", ""),
                (&format!("proj/{}", workflow::PATH), &wf),
            ]);
            let v = check(&t.path().join("proj"));
            let d = by_id(&v, DOCSGEN_ID);
            assert_eq!(d[0].severity, Severity::Problem, "{path}: {d:?}");
            assert!(d[0].title.contains(path), "{d:?}");
        }
    }
}
