//! The upload to the test index (TestPyPI, or `--repository NAME --repository-url URL`):
//! a dry run (which checks no credentials), then the real upload with the token in
//! the environment of that one command. Both get the repository's URL in their
//! environment; the user's Poetry configuration is never written.

use super::{poetry_cmd, Target};
use crate::journey::{explain, Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

/// The repository chosen on the command line.
pub(crate) fn target(ctx: &Context) -> Result<Target, Failure> {
    Target::from_args(ctx.answer("repository"), ctx.answer("repository_url"))
        .map_err(Failure::usage)
}

/// The commands that upload to `target`: dry run, upload. Both get the upload URL
/// as `POETRY_REPOSITORIES_<NAME>_URL` (no secret), which Poetry reads as
/// `repositories.<name>.url`: `poetry config repositories.NAME URL` would rewrite the
/// user's global config.toml for every later Poetry command. The token, when the
/// wizard holds it, is passed as `POETRY_PYPI_TOKEN_<NAME>` to the upload only.
pub(crate) fn upload_plan(ctx: &Context, target: &Target, secret: &str) -> Result<Plan, Failure> {
    let out = super::build::build_dir(ctx)?;
    let out = out.to_string_lossy().into_owned();
    // This run's own build folder: Poetry 2.x uploads the highest version it
    // finds in its folder, and dist/ may hold a failed run's higher version.
    let mut repo_args: Vec<&str> = vec!["--dist-dir", &out];
    if !target.is_pypi() {
        repo_args.extend(["-r", target.name.as_str()]);
    }
    let publish = |args: &[&str]| {
        let cmd = poetry_cmd(ctx, args);
        match &target.upload_url {
            Some(url) => cmd.env(target.url_var(), url),
            None => cmd,
        }
    };
    let mut dry = vec!["publish", "--dry-run"];
    dry.extend(&repo_args);
    let plan = Plan::new().run(publish(&dry).label("rehearsal (uploads nothing)"));
    let mut real = vec!["publish"];
    real.extend(&repo_args);
    // The one child that may see the user's upload credentials (exec::env).
    let mut upload = publish(&real).with_credentials();
    match ctx.secrets.get(secret) {
        Some(token) => upload = upload.secret_env(target.token_var(), token),
        // --dry-run: the script expects the variable, and never holds the value.
        None if ctx.opts.dry_run => upload = upload.secret_env(target.token_var(), ""),
        None => {}
    }
    Ok(plan.run(upload))
}

/// The files about to be uploaded are all of the version being released
/// (Poetry 2.x would upload a higher one lying beside them instead).
pub(crate) fn check_upload_files(ctx: &Context) -> Result<(), Failure> {
    if ctx.opts.dry_run {
        return Ok(());
    }
    let out = super::build::build_dir(ctx)?;
    let dist = super::dist_name(ctx)?;
    let version = super::release_version(ctx)?;
    let foreign = super::build::foreign_files(&out, &dist, &version);
    let (wheel, sdist) = super::build::dist_files(&out, &dist, &version);
    if !foreign.is_empty() || wheel.is_none() || sdist.is_none() {
        return Err(Failure::new(format!(
            "The files to upload are not those of {dist} {version}{}.",
            if foreign.is_empty() {
                String::new()
            } else {
                format!(": {} lie there too", foreign.join(", "))
            }
        ))
        .hint("Poetry 2.x uploads the highest version in its folder, not the project's. Retry: the build step makes a fresh folder."));
    }
    Ok(())
}

/// Explain a failed upload of `target`: first Poetry 2.x's trap (it uploaded
/// another version than this release's), then the index's answer.
pub(crate) fn explain_upload(
    ctx: &Context,
    target: &Target,
    cmd: &Cmd,
    res: &crate::exec::RunResult,
) -> Option<Failure> {
    if !cmd.args.iter().any(|a| a == "publish") {
        return None;
    }
    let text = res.tail_text();
    if let (Ok(dist), Ok(version)) = (super::dist_name(ctx), super::release_version(ctx)) {
        if let Some(f) = explain::stale_upload(&text, &dist, &version) {
            return Some(f);
        }
    }
    let mut f = explain::upload_failure(&text, &target.name, &target.token_var())?;
    // A token that reached the index and was refused (or none reached it):
    // the user can type the right one without starting over.
    let error = explain::upload_error(&text);
    match error.as_ref().and_then(|e| e.status) {
        Some(401 | 403) => f.ask_again = Some(super::token::secret_key(target)),
        // The version is taken: choosing another goes back to the version
        // step, and the bump, the build and its checks run again for it.
        Some(409) => f.ask_again = Some(super::version::KEY),
        Some(400)
            if error
                .as_ref()
                .is_some_and(|e| e.reason.to_ascii_lowercase().contains("exist")) =>
        {
            f.ask_again = Some(super::version::KEY);
        }
        _ => {}
    }
    Some(f)
}

/// The token question for `key`, asked again after the index refused it.
pub(crate) fn token_again(target: &Target, key: &str) -> Option<crate::journey::Question> {
    let want = super::token::secret_key(target);
    (key == want).then(|| super::token::token_question(want, target))
}

pub(super) struct Publish;

impl Step for Publish {
    fn id(&self) -> &'static str {
        "publish"
    }
    fn title(&self) -> &'static str {
        "Upload to the test index"
    }
    fn why(&self) -> &'static str {
        "The guide ends with `poetry publish --dry-run`, which succeeds with no credentials and even with \
         the index down: it proves nothing about the token. A real upload to a test index (TestPyPI, or your \
         own) proves the token, the name and the metadata before anything is public on PyPI."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let target = target(ctx).ok()?;
        Some(format!(
            "`poetry publish --dry-run` checks no credentials (it passes with none, and with the index down); \
             the real upload to {} after it is the check. The token goes to that one command in {}, never on its command line.",
            target.name,
            target.token_var()
        ))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let target = target(ctx)?;
        check_upload_files(ctx)?;
        upload_plan(ctx, &target, super::token::secret_key(&target))
    }
    fn explain(&self, ctx: &Context, cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        explain_upload(ctx, &target(ctx).ok()?, cmd, res)
    }
    fn ask_again(&self, ctx: &Context, key: &str) -> Option<crate::journey::Question> {
        token_again(&target(ctx).ok()?, key)
    }
}
