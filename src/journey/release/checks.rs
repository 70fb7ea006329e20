//! Before anything changes: the git tree, the project's tests, ACT's checks.

use std::time::Duration;

use super::{names, poetry_cmd, project_dir};
use crate::exec::capture;
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};
use crate::preflight;

pub(super) struct Checks;

/// Files `git status --porcelain` lists as changed or new; None when this is not
/// a git repository (or git is missing).
pub(crate) fn uncommitted(ctx: &Context) -> Option<Vec<String>> {
    let out = capture(
        &Cmd::new("git")
            .args(["status", "--porcelain", "--untracked-files=normal"])
            .cwd(project_dir(ctx))
            .timeout(Duration::from_secs(30)),
    )?;
    let mut files: Vec<String> = out
        .lines()
        .filter(|l| l.len() > 3)
        .map(|l| l[3..].trim().to_string())
        .collect();
    // A run that stopped after the version bump left these changed: not the
    // user's (whether this run resumes its version or goes on from it).
    if ctx.learned.contains_key("resume_version") || ctx.learned.contains_key("resume_ended") {
        files.retain(|f| f != "pyproject.toml" && f != "Dockerfile");
    }
    Some(files)
}

impl Step for Checks {
    fn id(&self) -> &'static str {
        "checks"
    }
    fn title(&self) -> &'static str {
        "Check the project before releasing"
    }
    fn why(&self) -> &'static str {
        "A release is tagged from a commit, so the tree should hold nothing uncommitted; and what is \
         published should pass the same checks the official build (ACT) runs: the tests under coverage, \
         flake8, and ACT's file and Dockerfile checks."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        if ctx.opts.dry_run {
            return Vec::new();
        }
        match uncommitted(ctx) {
            Some(files) if !files.is_empty() => {
                let shown: Vec<_> = files.iter().take(5).map(String::as_str).collect();
                let more = if files.len() > 5 { ", ..." } else { "" };
                vec![Question::yes_no(
                    "dirty_ok",
                    format!(
                        "The git tree has uncommitted changes ({}{more}). Go on with them?",
                        shown.join(", ")
                    ),
                    false,
                )]
            }
            _ => Vec::new(),
        }
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        if ctx.answer("dirty_ok") == Some("no") {
            // With --yes the question was never shown: the message names the files.
            let files = uncommitted(ctx).unwrap_or_default();
            let shown: Vec<_> = files.iter().take(5).map(String::as_str).collect();
            let more = if files.len() > 5 { ", ..." } else { "" };
            return Err(Failure::usage(format!(
                "The git tree has uncommitted changes ({}{more}): a release should be made from a commit.",
                shown.join(", ")
            ))
            .hint("Commit them (git add ... && git commit), or answer yes to go on anyway."));
        }
        let n = names(ctx)?;
        let test_file = format!("tests/{}", n.test_file().trim_start_matches("tests/"));
        let flake8 = preflight::flake8_args();
        let mut flake8_cmd: Vec<&str> = vec!["run", "python"];
        flake8_cmd.extend(flake8.iter().map(String::as_str));
        Ok(Plan::new()
            .run(poetry_cmd(ctx, &["install"]))
            .run(poetry_cmd(
                ctx,
                &["run", "python", "-m", "coverage", "run", &test_file],
            ))
            .run(poetry_cmd(ctx, &flake8_cmd)))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let results = preflight::check_project(&project_dir(ctx));
        let (notes, failed) = preflight::notes(&results, "flake8 ran above");
        ctx.notes.extend(notes);
        if failed.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(format!("ACT's checks failed: {}", failed.join(", ")))
            .hint("Each failing check above says what to change; the official build would refuse this release."))
        }
    }
}
