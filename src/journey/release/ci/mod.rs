//! Publishing from GitHub Actions instead of this machine (`release --ci`, or
//! the first choice of the release journey): the wizard writes the publish
//! workflow and says what to register on PyPI and TestPyPI. No token is made,
//! typed or stored: Trusted Publishing needs none.

pub mod workflow;

use super::{dist_name, project_dir, project_info};
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Action, Cmd, Overwrite, Plan};
use workflow::Auth;

/// The answer that says where the release is published from.
pub const KEY: &str = "publish_from";

/// The release runs from GitHub Actions (`--ci` or the first question).
pub fn chosen(ctx: &Context) -> bool {
    ctx.answer(KEY) == Some("ci")
}

/// Where to publish from: the first question of the release journey.
pub struct PublishFrom;

impl Step for PublishFrom {
    fn id(&self) -> &'static str {
        "publish-from"
    }
    fn title(&self) -> &'static str {
        "Publish from here or from CI"
    }
    fn why(&self) -> &'static str {
        "The guide asks for \"a CI environment\" to publish from. From GitHub Actions with PyPI's \
         Trusted Publishing no token exists anywhere; from this machine the wizard checks, builds, \
         uploads to a test index and then to PyPI, with a token you keep."
    }
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        vec![Question::choice(
            KEY,
            "Where should releases be published from?",
            vec![
                ("here".into(), "From this machine, now (a token for the upload)".into()),
                (
                    "ci".into(),
                    "From GitHub Actions on each GitHub release (writes .github/workflows/publish.yaml)"
                        .into(),
                ),
            ],
        )
        .flag("--ci")
        .default("here")]
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Done(if chosen(ctx) {
            "from GitHub Actions".into()
        } else {
            "from this machine".into()
        }))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
}

/// A step of the journey that runs only on one side of the choice: the
/// uploads from this machine, or the workflow. The other side skips it.
pub struct OnlyIf {
    pub ci: bool,
    pub step: Box<dyn Step>,
}

impl OnlyIf {
    fn active(&self, ctx: &Context) -> bool {
        chosen(ctx) == self.ci
    }
}

impl Step for OnlyIf {
    fn id(&self) -> &'static str {
        self.step.id()
    }
    fn title(&self) -> &'static str {
        self.step.title()
    }
    fn why(&self) -> &'static str {
        self.step.why()
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        if self.active(ctx) {
            self.step.questions(ctx)
        } else {
            Vec::new()
        }
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        if self.active(ctx) {
            self.step.check(ctx)
        } else if self.ci {
            // Not "already done": the user chose the other way to publish.
            Ok(Check::Declined("publishing from this machine".into()))
        } else {
            Ok(Check::Declined(
                "publishing from GitHub Actions instead".into(),
            ))
        }
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        if self.active(ctx) {
            self.step.plan(ctx)
        } else {
            Ok(Plan::new())
        }
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        if self.active(ctx) {
            self.step.verify(ctx)
        } else {
            Ok(())
        }
    }
    fn explain(&self, ctx: &Context, cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        self.step.explain(ctx, cmd, res)
    }
    fn judge(&self, ctx: &Context, cmd: &Cmd, output: &str) -> Result<(), Failure> {
        if self.active(ctx) {
            self.step.judge(ctx, cmd, output)
        } else {
            Ok(())
        }
    }
    fn ask_again(&self, ctx: &Context, key: &str) -> Option<Question> {
        if self.active(ctx) {
            self.step.ask_again(ctx, key)
        } else {
            None
        }
    }
    fn refresh(&self, ctx: &mut Context) {
        if self.active(ctx) {
            self.step.refresh(ctx);
        }
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        self.active(ctx).then(|| self.step.note(ctx)).flatten()
    }
}

/// `owner/repository` of a GitHub remote URL (https, ssh or scp-like form).
pub fn github_repo(url: &str) -> Option<(String, String)> {
    let u = url.trim();
    let rest = u
        .strip_prefix("https://github.com/")
        .or_else(|| u.strip_prefix("http://github.com/"))
        .or_else(|| u.strip_prefix("git@github.com:"))
        .or_else(|| u.strip_prefix("ssh://git@github.com/"))
        .or_else(|| u.strip_prefix("git://github.com/"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let (owner, repo) = rest.split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    (ok(owner) && ok(repo)).then(|| (owner.to_string(), repo.to_string()))
}

/// The GitHub owner and repository of `origin`, if it is on GitHub.
fn origin(ctx: &Context) -> Option<(String, String)> {
    let url = crate::exec::capture(
        &Cmd::new("git")
            .args(["remote", "get-url", "origin"])
            .cwd(project_dir(ctx)),
    )?;
    github_repo(&url)
}

fn valid_name(what: &'static str) -> impl Fn(&str) -> Result<String, String> {
    move |s: &str| {
        let s = s.trim();
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            Ok(s.to_string())
        } else {
            Err(format!(
                "the GitHub {what}: letters, digits, '-', '_' and '.' only, as in github.com/OWNER/REPOSITORY"
            ))
        }
    }
}

fn auth(ctx: &Context) -> Auth {
    ctx.answer("ci_auth")
        .and_then(|a| Auth::parse(a).ok())
        .unwrap_or(Auth::Trusted)
}

/// The Python the build job sets up: the project's lowest.
fn build_python(ctx: &Context) -> String {
    project_info(ctx)
        .ok()
        .and_then(|i| i.python().and_then(|p| p.lower.clone()))
        .map(|l| l.split('.').take(2).collect::<Vec<_>>().join("."))
        .filter(|l| l.contains('.'))
        .unwrap_or_else(|| "3.12".into())
}

fn contents(ctx: &Context) -> Result<String, Failure> {
    Ok(workflow::render(
        &dist_name(ctx)?,
        &build_python(ctx),
        auth(ctx),
    ))
}

/// Writes the publish workflow, then says what to register.
pub struct PublishWorkflow;

impl Step for PublishWorkflow {
    fn id(&self) -> &'static str {
        "publish-workflow"
    }
    fn title(&self) -> &'static str {
        "The publish workflow"
    }
    fn why(&self) -> &'static str {
        "\"Set up a CI environment\" to publish, the guide says. The workflow builds with Poetry when a \
         GitHub release is published and uploads with pypa/gh-action-pypi-publish. With PyPI's Trusted \
         Publishing (the default) PyPI trusts this repository, workflow file and GitHub environment, \
         so no token is made or kept; for an index without it, a PYPI_API_TOKEN repository secret."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let (owner, repo) = match origin(ctx) {
            Some((o, r)) => (Some(o), Some(r)),
            None => (None, None),
        };
        vec![
            Question::choice(
                "ci_auth",
                "How does the upload prove who it is?",
                vec![
                    (
                        "trusted".into(),
                        "PyPI Trusted Publishing: no token anywhere (recommended)".into(),
                    ),
                    (
                        "token".into(),
                        "An API token in the repository secret PYPI_API_TOKEN".into(),
                    ),
                ],
            )
            .default("trusted"),
            Question::text(
                "github_owner",
                "GitHub owner (user or organisation) of the repository",
            )
            .default_opt(owner)
            .validate(valid_name("owner")),
            Question::text("github_repo", "GitHub repository name")
                .default_opt(repo)
                .validate(valid_name("repository")),
        ]
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let path = project_dir(ctx).join(workflow::PATH);
        Ok(match std::fs::read_to_string(&path) {
            Ok(text) if text == contents(ctx)? => {
                Check::Done(format!("{} is there", workflow::PATH))
            }
            _ => Check::Todo,
        })
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        // A new file is written without a question: show it whole first.
        let text = contents(ctx).ok()?;
        let path = project_dir(ctx).join(workflow::PATH);
        if path.exists() {
            return None;
        }
        let shown: Vec<String> = text.lines().map(|l| format!("+{l}")).collect();
        Some(format!(
            "{} will hold:\n{}",
            workflow::PATH,
            shown.join("\n")
        ))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let mut plan = Plan::new();
        plan.push(Action::WriteFile {
            path: project_dir(ctx).join(workflow::PATH),
            contents: contents(ctx)?,
            overwrite: Overwrite::AskIfDifferent,
            executable: false,
        });
        Ok(plan)
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let path = project_dir(ctx).join(workflow::PATH);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text != contents(ctx)? {
            return Err(Failure::usage(format!(
                "{} was kept as it was: nothing was changed.",
                workflow::PATH
            ))
            .hint("Move it away, or merge the wizard's version shown above into it, then run `arcaflow-wizard release --ci` again."));
        }
        ctx.notes.push(registration(ctx)?);
        Ok(())
    }
}

/// What to enter on PyPI and TestPyPI (or which secrets to set), and how to release.
pub fn registration(ctx: &Context) -> Result<String, Failure> {
    let dist = dist_name(ctx)?;
    let owner = ctx.answer("github_owner").unwrap_or("OWNER");
    let repo = ctx.answer("github_repo").unwrap_or("REPOSITORY");
    let version = project_info(ctx)?.version.unwrap_or_else(|| "X.Y.Z".into());
    let mut out = Vec::new();
    match auth(ctx) {
        Auth::Trusted => {
            for (index, url, env) in [
                (
                    "PyPI",
                    "https://pypi.org/manage/account/publishing/",
                    workflow::PYPI_ENVIRONMENT,
                ),
                (
                    "TestPyPI",
                    "https://test.pypi.org/manage/account/publishing/",
                    workflow::TESTPYPI_ENVIRONMENT,
                ),
            ] {
                out.push(format!(
                    "On {index}, \"Add a new pending publisher\" (GitHub) at {url}:\n  \
                     PyPI Project Name:  {dist}\n  \
                     Owner:              {owner}\n  \
                     Repository name:    {repo}\n  \
                     Workflow name:      {}\n  \
                     Environment name:   {env}",
                    workflow::FILE_NAME
                ));
            }
            out.push(
                "No token is needed: the upload proves itself with GitHub's identity for this workflow and environment."
                    .into(),
            );
        }
        Auth::Token => {
            out.push(format!(
                "Add the repository secrets (Settings > Secrets and variables > Actions, on github.com/{owner}/{repo}):\n  \
                 {}       a PyPI API token scoped to {dist}\n  \
                 {}  a TestPyPI API token (for the manual run)\n\
                 With gh, each reads the token from the terminal, not the command line: gh secret set {}",
                workflow::PYPI_TOKEN_SECRET,
                workflow::TESTPYPI_TOKEN_SECRET,
                workflow::PYPI_TOKEN_SECRET
            ));
        }
    }
    out.push(format!(
        "Commit and push {}, then try it on TestPyPI: Actions > publish > Run workflow (gh workflow run {}).\n\
         Publishing a GitHub release uploads to PyPI: gh release create v{version}",
        workflow::PATH,
        workflow::FILE_NAME
    ));
    Ok(out.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_remotes_in_every_form() {
        let want = Some(("arcalot".to_string(), "arcaflow-plugin-fio".to_string()));
        for url in [
            "https://github.com/arcalot/arcaflow-plugin-fio.git",
            "https://github.com/arcalot/arcaflow-plugin-fio",
            "git@github.com:arcalot/arcaflow-plugin-fio.git\n",
            "ssh://git@github.com/arcalot/arcaflow-plugin-fio.git",
        ] {
            assert_eq!(github_repo(url), want, "{url}");
        }
        assert_eq!(github_repo("https://gitlab.com/a/b.git"), None);
        assert_eq!(github_repo("https://github.com/a"), None);
        assert_eq!(github_repo("https://github.com/a/b c"), None);
    }
}
