//! The image deployer's input: the commit's image, built by the container
//! engine that works here (docker or podman) from a clean checkout of the
//! commit, so uncommitted files are not in it, as with the Python deployer.

use std::time::Duration;

use super::{commit_dir, image_engine, learned, DIST, SHA};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

/// `<dist>:try-<first 12 of the commit>`: local, never pulled.
pub(super) fn tag(dist: &str, sha: &str) -> String {
    format!("{}:try-{}", dist.to_lowercase(), &sha[..sha.len().min(12)])
}

pub(super) struct Image;

impl Step for Image {
    fn id(&self) -> &'static str {
        "image"
    }
    fn title(&self) -> &'static str {
        "Build the commit's image"
    }
    fn why(&self) -> &'static str {
        "The image deployer runs the plugin's container image, as a workflow does with a published one. \
         The image is built from the committed HEAD, checked out apart from your working tree."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(match image_engine(ctx) {
            None => {
                Check::Done("no docker or podman works here: the Python deployer runs it".into())
            }
            Some(_) => Check::Todo,
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let Some((_, engine)) = image_engine(ctx) else {
            return Ok(Plan::new());
        };
        let sha = learned(ctx, SHA)?;
        let src = commit_dir(ctx)?.join("src");
        let src_s = src.to_string_lossy().into_owned();
        let project = ctx.dir.to_string_lossy().into_owned();
        let t = Duration::from_secs(600);
        Ok(Plan::new()
            .run(Cmd::new("rm").args(["-rf", &src_s]))
            .run(
                Cmd::new("git")
                    .args(["clone", "--quiet", "--no-checkout", &project, &src_s])
                    .timeout(t),
            )
            .run(
                Cmd::new("git")
                    .args(["-C", &src_s, "checkout", "--quiet", sha])
                    .timeout(t),
            )
            .run(
                Cmd::new(engine)
                    .args(["build", "-t", &tag(learned(ctx, DIST)?, sha), &src_s])
                    .timeout(t),
            ))
    }
}
