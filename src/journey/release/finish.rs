//! The end: where the package is, and the git commands that mark the release.

use super::publish::target;
use super::{dist_name, release_version, Target};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;

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
        Ok(Check::LeftToYou(lines.join("\n")))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
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
}
