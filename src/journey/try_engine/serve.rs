//! The commit to serve: a bare clone of HEAD, prepared for dumb-HTTP git
//! (`git update-server-info`), and the wheels the deployer's pip install
//! needs, downloaded now (inside the private network namespace there is no
//! network). Both are kept by commit: a second `try` skips this step.

use std::time::Duration;

use super::{commit_dir, learned, DIST, PYTHON, SHA};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

/// Written last: the commit's folder is complete.
const STAMP: &str = "ready";

pub(super) struct Serve;

/// `<dist>.git` under the served folder.
pub(super) fn repo_name(dist: &str) -> String {
    format!("{dist}.git")
}

impl Step for Serve {
    fn id(&self) -> &'static str {
        "serve"
    }
    fn title(&self) -> &'static str {
        "Prepare the commit for the Python deployer"
    }
    fn why(&self) -> &'static str {
        "Arcaflow's Python deployer installs a plugin with pip from `<name>@git+http(s)://...@<commit>`. \
         The committed HEAD is cloned into the wizard's cache, ready to be served over plain HTTP, \
         and the wheels pip needs for it are downloaded now, so the run needs no network."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        if super::image_engine(ctx).is_some() {
            return Ok(Check::Done(
                "the image deployer runs the commit's image: no git server is needed".into(),
            ));
        }
        let dir = commit_dir(ctx)?;
        Ok(if dir.join(STAMP).is_file() {
            Check::Done(format!(
                "commit {} is ready in {}",
                learned(ctx, SHA)?,
                dir.display()
            ))
        } else {
            Check::Todo
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        if super::image_engine(ctx).is_some() {
            return Ok(Plan::new());
        }
        let dir = commit_dir(ctx)?;
        let sha = learned(ctx, SHA)?;
        let dist = learned(ctx, DIST)?;
        let python = learned(ctx, PYTHON)?;
        let repo = dir.join("srv").join(repo_name(dist));
        let wheels = dir.join("wheels");
        let t = Duration::from_secs(600);
        let project = ctx.dir.to_string_lossy().into_owned();
        let repo_s = repo.to_string_lossy().into_owned();
        Ok(Plan::new()
            .run(Cmd::new("rm").args(["-rf", &repo_s]))
            .run(
                Cmd::new("git")
                    .args([
                        "clone",
                        "--bare",
                        "--quiet",
                        "--no-hardlinks",
                        &project,
                        &repo_s,
                    ])
                    .timeout(t),
            )
            .run(Cmd::new("git").args(["--git-dir", &repo_s, "update-server-info"]))
            // The plugin's dependencies as pip resolves them for this commit,
            // and its build backend (pip builds it from source).
            .run(
                Cmd::new(python)
                    .args([
                        "-m",
                        "pip",
                        "download",
                        "--disable-pip-version-check",
                        "--quiet",
                        "--dest",
                    ])
                    .arg(wheels.to_string_lossy())
                    .args([
                        "poetry-core".to_string(),
                        format!("git+file://{repo_s}@{sha}"),
                    ])
                    .timeout(t),
            )
            .own(dir.join(STAMP), format!("{sha}\n")))
    }
}
