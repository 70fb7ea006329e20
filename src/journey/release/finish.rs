//! The end: where the package is, and the git commands that mark the release.

use super::publish::target;
use super::{dist_name, release_version, Target};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;
use crate::templates::workflow;

pub struct Finish;

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
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
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
        lines.extend(image_lines(&v.to_string(), has_workflow, gh));
        ctx.notes.push(lines.join("\n"));
        Ok(())
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
    use super::image_lines;

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
