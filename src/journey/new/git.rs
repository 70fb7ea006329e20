use super::project_dir;
use crate::exec::capture;
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};

/// `git init` and a first commit, when git is there and the user wants it.
pub(super) struct Git;

fn git_present(ctx: &Context) -> bool {
    which::which_in("git", Some(&ctx.probe_env.path), "/").is_ok()
}

/// The git step makes a repository and its first commit.
pub(crate) fn will_commit(ctx: &Context) -> bool {
    git_present(ctx) && ctx.yes("git")
}

impl Step for Git {
    fn id(&self) -> &'static str {
        "git"
    }
    fn title(&self) -> &'static str {
        "Git repository"
    }
    fn why(&self) -> &'static str {
        "Official plugins live in a git repository named like the project (arcaflow-plugin-NAME). A first \
         commit now makes every later change easy to see and undo."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        if !git_present(ctx) {
            return Vec::new();
        }
        vec![Question::yes_no(
            "git",
            "Make it a git repository with a first commit?",
            true,
        )]
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        if !git_present(ctx) {
            return Ok(Check::Done("git is not installed; skipped".into()));
        }
        if !ctx.yes("git") {
            return Ok(Check::Done("you chose no git repository".into()));
        }
        Ok(if project_dir(ctx).join(".git").exists() {
            Check::Done("the project is a git repository".into())
        } else {
            Check::Todo
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        if !git_present(ctx) || !ctx.yes("git") {
            return Ok(Plan::new());
        }
        let dir = project_dir(ctx);
        let git = |args: &[&str]| Cmd::new("git").args(args.iter().copied()).cwd(&dir);
        // Without a configured identity `git commit` fails; use the plugin's author then.
        let mut commit = vec![];
        let has_identity = !ctx.opts.dry_run
            && capture(
                &Cmd::new("git")
                    .args(["config", "--get", "user.email"])
                    .cwd(&ctx.dir),
            )
            .is_some_and(|e| !e.is_empty());
        let (name, email) = split_author(ctx.answer("author").unwrap_or("Arcalot contributors"));
        let name_cfg = format!("user.name={name}");
        let email_cfg = format!("user.email={email}");
        if !has_identity {
            commit.extend(["-c", name_cfg.as_str(), "-c", email_cfg.as_str()]);
        }
        commit.extend([
            "commit",
            "-q",
            "-m",
            "New Arcaflow plugin, made with arcaflow-wizard",
        ]);
        Ok(Plan::new()
            .run(git(&["init", "-q"]))
            .run(git(&["add", "-A"]))
            .run(git(&commit)))
    }
}

/// "Jane Doe <jane@example.com>" -> ("Jane Doe", "jane@example.com").
fn split_author(a: &str) -> (String, String) {
    match (a.find('<'), a.rfind('>')) {
        (Some(l), Some(r)) if l < r => (a[..l].trim().to_string(), a[l + 1..r].trim().to_string()),
        _ => (
            a.trim().to_string(),
            "arcalot@users.noreply.github.com".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn splits_authors() {
        assert_eq!(
            super::split_author("Jane Doe <j@x.org>"),
            ("Jane Doe".into(), "j@x.org".into())
        );
        assert_eq!(
            super::split_author("Arcalot contributors").0,
            "Arcalot contributors"
        );
    }
}
