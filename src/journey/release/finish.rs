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
        ctx.notes.push(lines.join("\n"));
        Ok(())
    }
}
