//! The end: where the package is, and the git commands that mark the release.

use super::publish::target;
use super::{dist_name, release_version, Target};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;
use crate::templates::workflow;

pub(super) struct Finish;

impl Step for Finish {
    fn id(&self) -> &'static str {
        "finish"
    }
    fn title(&self) -> &'static str {
        "Tag the release"
    }
    fn why(&self) -> &'static str {
        "A release is a commit with a tag: `v<version>` on the commit that changed the version lets \
         anyone rebuild exactly what was published."
    }
    /// Nothing is tagged here: the step says what is left to run, and the
    /// front ends keep it past the end of the run.
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let t = target(ctx)?;
        let dist = dist_name(ctx)?;
        let v = release_version(ctx)?;
        let mut lines = vec![format!(
            "{dist} {v} is on {}: {}",
            t.name,
            t.project_page(&dist, &v)
        )];
        if ctx.learned.contains_key("on_pypi") {
            lines.push(format!(
                "and on PyPI: {}",
                Target::pypi().project_page(&dist, &v)
            ));
        }
        lines.push(format!(
            "Commit the version change and tag it:\n  git commit -am \"Release {v}\" && git tag v{v} && git push origin HEAD v{v}"
        ));
        let dir = super::project_dir(ctx);
        let has_workflow = workflow::read_all(&dir).iter().any(|w| w.act);
        let gh = which::which_in("gh", Some(&ctx.probe_env.path), &dir).is_ok();
        lines.extend(image_lines(&v.clone(), has_workflow, gh));
        Ok(Check::LeftToYou(lines.join("\n")))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
}

/// How the official image of this version gets built: by the GitHub workflow,
/// when a GitHub release `v<version>` is published.
fn image_lines(v: &str, has_workflow: bool, gh: bool) -> Vec<String> {
    let mut out = vec![format!(
        "The official image is built when a GitHub release v{v} is published: that triggers \
         {} (ACT builds the image and pushes it to quay.io).",
        workflow::PATH
    )];
    if !has_workflow {
        out.push(
            "This project has no workflow that runs ACT yet: `arcaflow-wizard doctor --fix` writes one."
                .into(),
        );
    }
    out.push(if gh {
        format!("Publish it with the GitHub CLI, once the tag is pushed:\n  gh release create v{v} --verify-tag --title v{v} --generate-notes")
    } else {
        format!("Publish it on GitHub (Releases > Draft a new release, tag v{v}), or install the GitHub CLI (gh) and run:\n  gh release create v{v} --verify-tag --title v{v} --generate-notes")
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::context::Options;

    /// Nothing is tagged by the wizard: the step says what is left to run,
    /// not "done".
    #[test]
    fn the_tag_is_left_to_the_user_with_the_line_to_run() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.1\"\n",
        )
        .unwrap();
        let mut ctx = Context::new(
            dir.path().to_path_buf(),
            Options::default(),
            crate::probe::Facts::default(),
            crate::probe::ProbeEnv::from_env(),
        );
        ctx.answers.insert("repository".into(), "testpypi".into());
        match Finish.check(&ctx) {
            Ok(Check::LeftToYou(what)) => {
                assert!(what.contains("git tag v0.1.1"), "{what}");
                assert!(
                    what.contains("arcaflow-plugin-example 0.1.1 is on testpypi"),
                    "{what}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_image_is_built_by_publishing_the_release() {
        let with_gh = image_lines("1.2.3", true, true).join("\n");
        assert!(
            with_gh.contains("GitHub release v1.2.3 is published"),
            "{with_gh}"
        );
        assert!(
            with_gh.contains("\n  gh release create v1.2.3 --verify-tag"),
            "{with_gh}"
        );
        assert!(!with_gh.contains("doctor --fix"), "{with_gh}");
        let without = image_lines("1.2.3", false, false).join("\n");
        assert!(
            without.contains("Releases > Draft a new release"),
            "{without}"
        );
        assert!(without.contains("install the GitHub CLI"), "{without}");
        assert!(without.contains("doctor --fix` writes one"), "{without}");
    }
}
