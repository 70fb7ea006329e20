//! A publish workflow (one that uploads with pypa/gh-action-pypi-publish) must
//! still match what the user registered on PyPI: it runs when a GitHub release
//! is published, and with Trusted Publishing it runs in the environment named
//! in the publisher (`pypi`, `testpypi` for TestPyPI) with `id-token: write`.
//! PyPI refuses an upload from any other environment ("invalid-publisher").

use super::super::{Finding, Fix, Group, Input};
use crate::journey::release::ci::workflow;

const G: Group = Group::Project;
const ID: &str = "publish-workflow-mismatch";

/// The workflow files: `.github/workflows/*.yaml` and `*.yml`, sorted.
fn workflow_files(input: &Input) -> Vec<std::path::PathBuf> {
    let dir = input.dir.join(".github").join("workflows");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

/// What is wrong with one workflow's publish jobs, one line each.
pub(crate) fn mismatches(w: &workflow::Workflow) -> Vec<String> {
    let mut out = Vec::new();
    let pypi_jobs: Vec<_> = w.publish_jobs.iter().filter(|j| j.to_pypi()).collect();
    if !pypi_jobs.is_empty() && !w.on_release_published {
        out.push(
            "it does not run when a GitHub release is published (`on: release: types: [published]`), \
             so a release uploads nothing"
                .to_string(),
        );
    }
    for j in &w.publish_jobs {
        if j.uses_token {
            continue;
        }
        let want = if j.to_pypi() {
            workflow::PYPI_ENVIRONMENT
        } else {
            workflow::TESTPYPI_ENVIRONMENT
        };
        let index = if j.to_pypi() { "PyPI" } else { "TestPyPI" };
        match j.environment.as_deref() {
            Some(e) if e == want => {}
            Some(e) => out.push(format!(
                "job `{}` runs in environment `{e}`, but the publisher on {index} names `{want}`: the upload is refused",
                j.job
            )),
            None => out.push(format!(
                "job `{}` has no environment, but the publisher on {index} names `{want}`: the upload is refused",
                j.job
            )),
        }
        if !j.id_token {
            out.push(format!(
                "job `{}` lacks `permissions: id-token: write`, which Trusted Publishing needs",
                j.job
            ));
        }
    }
    out
}

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let mut problems = Vec::new();
    let mut seen = false;
    for path in workflow_files(input) {
        let name = path
            .strip_prefix(&input.dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains("gh-action-pypi-publish") {
            continue;
        }
        seen = true;
        match workflow::read(&text) {
            Ok(w) => problems.extend(mismatches(&w).into_iter().map(|m| format!("{name}: {m}"))),
            Err(e) => problems.push(format!("{name} is not valid YAML: {e}")),
        }
    }
    if !seen {
        return Vec::new();
    }
    if problems.is_empty() {
        return vec![Finding::ok(
            G,
            ID,
            "the publish workflow runs on a published release, in the environments registered on PyPI",
        )];
    }
    vec![Finding::problem(
        G,
        ID,
        "the publish workflow does not match the publisher registered on PyPI",
    )
    .detail(problems.join("\n"))
    .fix(Fix::manual(format!(
        "arcaflow-wizard release --ci   (shows the diff to {}, then the values to register)",
        workflow::PATH
    )))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wizards_workflow_matches_and_edits_of_it_do_not() {
        let good = workflow::render("arcaflow-plugin-x", "3.9", workflow::Auth::Trusted);
        assert!(mismatches(&workflow::read(&good).unwrap()).is_empty());
        let token = workflow::render("arcaflow-plugin-x", "3.9", workflow::Auth::Token);
        assert!(mismatches(&workflow::read(&token).unwrap()).is_empty());

        let renamed = good.replace("name: pypi\n", "name: release\n");
        let m = mismatches(&workflow::read(&renamed).unwrap());
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("`release`") && m[0].contains("names `pypi`"),
            "{m:?}"
        );

        let created = good.replace("types: [published]", "types: [created]");
        let m = mismatches(&workflow::read(&created).unwrap());
        assert!(m.len() == 1 && m[0].contains("does not run"), "{m:?}");

        let no_id = good.replace("      id-token: write\n", "      contents: read\n");
        let m = mismatches(&workflow::read(&no_id).unwrap());
        assert!(
            m.iter().all(|l| l.contains("id-token")) && m.len() == 2,
            "{m:?}"
        );
    }
}
