//! `arcaflow-wizard release`.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::fail;
use crate::cli::ReleaseArgs;
use crate::journey::context::Options;
use crate::journey::driver::{Driver, Outcome};
use crate::journey::release::{self, auth_toml_has_token, token_env_var, Target};
use crate::journey::{Context, Failure};
use crate::probe::{self, ProbeEnv};
use crate::session::{self, ProjectState};
use crate::ui::plain::Plain;

const JOURNEY: &str = "release";

pub fn run(args: ReleaseArgs) -> i32 {
    let mut ctx = match prepare(&args) {
        Ok(c) => c,
        Err(f) => return fail(&f),
    };
    let steps = if args.ci {
        release::ci_steps()
    } else {
        release::steps()
    };

    if args.dry_run {
        let header = "Made by `arcaflow-wizard release --dry-run`: the release as a script.\n\
                      It holds no token: set POETRY_PYPI_TOKEN_<REPOSITORY> before running it.";
        let log = session::SessionLog::disabled();
        let driver = Driver::new(&steps, &log);
        let mut ui = Plain::new(args.common.yes).to_stderr();
        return match driver.script(&mut ctx, &mut ui, header) {
            Ok(script) => {
                print!("{}", with_private_scratch(&script));
                0
            }
            Err(Outcome::Failed(f)) => fail(&f),
            Err(o) => o.exit_code(),
        };
    }
    // The throwaway venvs' folder: fresh, private, and removed when this ends.
    let scratch = match release::make_scratch() {
        Ok(t) => t,
        Err(e) => {
            return fail(&Failure::new(format!(
                "cannot make a private scratch folder in {}: {e}",
                std::env::temp_dir().display()
            )))
        }
    };
    // A signal exits without dropping it: remove it then too.
    let scratch_path = scratch.path().to_path_buf();
    crate::exec::at_stop(move |_| {
        let _ = std::fs::remove_dir_all(&scratch_path);
    });
    ctx.learned.insert(
        release::SCRATCH_KEY.into(),
        scratch.path().to_string_lossy().into_owned(),
    );

    let state_dir = session::state_dir();
    let log = match super::open_log(&state_dir, JOURNEY) {
        Ok(l) => l,
        Err(code) => return code,
    };

    for s in ctx.secrets.values() {
        log.add_secret(s);
    }
    let mut ui = Plain::new(args.common.yes);
    let dir = ctx.dir.clone();
    let mut st = ProjectState::load(&state_dir, &dir, JOURNEY);
    st.done.clear();
    let mut driver = Driver::new(&steps, &log);
    driver.on_step_done = Box::new(|id, ctx: &Context| {
        // Answers and what was learned, never a secret (those live in ctx.secrets only).
        st.answers = ctx.answers.clone();
        if let Some(v) = release_version(ctx) {
            st.answers.insert("new_version".into(), v.clone());
        }
        st.done.insert(id.to_string());
        let _ = st.save(&state_dir);
    });
    // The full-screen wizard on a terminal (the token in its masked field), unless lines were asked for.
    let outcome = if crate::ui::tui::wanted(args.common.plain || args.common.yes || args.dry_run) {
        crate::ui::tui::run_journey("release", &mut driver, &mut ctx)
    } else {
        crate::ui::plain::stop_on_signals();
        driver.run(&mut ctx, &mut ui)
    };
    drop(driver);
    let log_path = log
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    log.flush();
    match &outcome {
        Outcome::Done if release::ci::chosen(&ctx) => {
            ProjectState::forget(&state_dir, &dir, JOURNEY);
            println!("\nDone: the publish workflow is written; register it as shown above.");
        }
        Outcome::Done => {
            ProjectState::forget(&state_dir, &dir, JOURNEY);
            println!("\nDone: the release is uploaded and installs.");
        }
        Outcome::Failed(f) if f.usage => {
            fail(f);
        }
        Outcome::Failed(_) => match release_version(&ctx) {
            // A --version on the next run names a new version: it bumps again.
            Some(v) if args.version.is_some() => eprintln!(
                "\nStopped. Fix the problem above and run the command again without --version: it goes on with version {v} (a --version bumps again)."
            ),
            Some(v) => eprintln!(
                "\nStopped. Fix the problem above and run the same command again: it goes on with version {v}."
            ),
            None => eprintln!("\nStopped. Fix the problem above and run the same command again."),
        },
        Outcome::Quit => eprintln!("\nStopped. Run the same command again to continue."),
    }
    eprintln!("Session log: {log_path}");
    drop(scratch);
    outcome.exit_code()
}

/// A release of `dir` that stopped after its version bump and before the
/// upload, as a plain `release` would resume it: "resuming 0.2.1 to testpypi".
pub fn stalled(dir: &std::path::Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let prev = ProjectState::load(&session::state_dir(), &dir, JOURNEY);
    let v = prev.answers.get("new_version")?;
    if prev.done.contains("publish")
        || release::project_info_at(&dir)?.version.as_deref() != Some(v.as_str())
    {
        return None;
    }
    let target = Target::from_args(None, None).ok()?;
    Some(format!("resuming {v} to {}", target.name))
}

/// Start over: forget the stopped release of `dir` (its bumped files stay).
pub fn forget_stalled(dir: &std::path::Path) {
    if let Ok(dir) = std::fs::canonicalize(dir) {
        ProjectState::forget(&session::state_dir(), &dir, JOURNEY);
    }
}

/// Why the stopped run's version `v` is not resumed, or None to resume it: a
/// `--version` that names another version, or the index has `v` already (a
/// resumed run would only get the same 409 again).
fn resume_ends(ctx: &Context, target: &Target, how: Option<&str>, v: &str) -> Option<String> {
    let norm = |s: &str| crate::version::normalize_pep440(s).unwrap_or_else(|_| s.to_string());
    if let Some(how) = how.filter(|h| norm(h) != norm(v)) {
        return Some(format!(
            "--version {how} was given: the stopped run's {v} is not resumed, the version goes on from it"
        ));
    }
    let dist = release::project_info_at(&ctx.dir)?.name?;
    match release::index_query(ctx, target, &dist, v) {
        release::IndexAnswer::Present => Some(format!(
            "{v}, the version of the run that stopped, is already on {}: an index never takes it again, so the version goes on from it",
            target.name
        )),
        _ => None,
    }
}

/// The script makes its own private scratch folder when it runs (`mktemp -d`,
/// removed at exit), where the plans name [`release::SCRIPT_SCRATCH`].
fn with_private_scratch(script: &str) -> String {
    const SET: &str = "set -euo pipefail\n";
    let made = "scratch=\"$(mktemp -d)\"\ntrap 'rm -rf \"$scratch\"' EXIT\n";
    script
        .replacen(SET, &format!("{SET}{made}"), 1)
        .replace(release::SCRIPT_SCRATCH, "\"$scratch\"")
}

/// Take every `POETRY_PYPI_TOKEN_*` out of this process's environment, so that no
/// child inherits it: the wizard hands a token to `poetry publish` alone.
/// Their values are returned as they were, blank or not: [`env_token`] checks them.
fn take_tokens_from_env() -> BTreeMap<String, OsString> {
    let mut out = BTreeMap::new();
    for (k, v) in std::env::vars_os() {
        let Some(k) = k.to_str().map(str::to_string) else {
            continue;
        };
        if k.starts_with("POETRY_PYPI_TOKEN_") {
            crate::sys::ffi::scrub_env_value(&k);
            std::env::remove_var(&k);
            out.insert(k, v);
        }
    }
    out
}

/// The version this release goes out as: bumped in this run, or by the run it
/// resumes (whose version step is then skipped as done, and learns nothing),
/// so a second resume does not bump again.
fn release_version(ctx: &Context) -> Option<&String> {
    ctx.learned
        .get("new_version")
        .or_else(|| ctx.learned.get("resume_version"))
}

type Secrets = BTreeMap<String, String>;

/// The tokens found in the environment for `target` (and for PyPI, the
/// upload after a test index), as the context's secrets, under the keys the
/// token step and the uploads read; and what the context learns of them.
fn env_secrets(
    tokens: &BTreeMap<String, OsString>,
    target: &Target,
) -> Result<(Secrets, BTreeMap<String, String>), Failure> {
    let mut secrets = BTreeMap::new();
    let mut learned = BTreeMap::new();
    if let Some(t) = env_token(tokens, &target.token_var())? {
        secrets.insert(release::secret_key(target).to_string(), t);
        learned.insert(format!("env:{}", target.name), "1".to_string());
    }
    if !target.is_pypi() {
        if let Some(t) = env_token(tokens, &token_env_var("pypi"))? {
            secrets.insert(release::secret_key(&Target::pypi()).to_string(), t);
            learned.insert("env:pypi".to_string(), "1".to_string());
        }
    }
    Ok((secrets, learned))
}

/// The token in `var`, checked (None when it is unset or blank); bad input stops
/// the release before anything runs. The message names the variable, never the token.
fn env_token(tokens: &BTreeMap<String, OsString>, var: &str) -> Result<Option<String>, Failure> {
    match tokens.get(var) {
        None => Ok(None),
        Some(raw) => release::check_env_token(var, raw).map_err(|why| {
            Failure::usage(why).hint(
                "Nothing was changed. Set the variable to the API token alone, e.g. from a file: \
                 export VAR=\"$(cat token.txt)\"; or unset it to type the token in a masked field."
                    .replace("VAR", var),
            )
        }),
    }
}

/// A flag that was given a token (pasted into the wrong place) is refused
/// without repeating it.
fn refuse_tokens(args: &ReleaseArgs) -> Result<(), Failure> {
    let given = [
        (
            "DIR",
            args.dir.as_ref().map(|d| d.to_string_lossy().into_owned()),
        ),
        ("--repository", args.repository.clone()),
        ("--repository-url", args.repository_url.clone()),
        ("--version", args.version.clone()),
    ];
    for (flag, v) in given {
        if v.as_deref().is_some_and(release::holds_token) {
            return Err(Failure::usage(release::token_given_as(flag)));
        }
    }
    Ok(())
}

fn prepare(args: &ReleaseArgs) -> Result<Context, Failure> {
    refuse_tokens(args)?;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the current folder: {e}")))?;
    let dir = match &args.dir {
        Some(d) => cwd.join(d),
        None => cwd.clone(),
    };
    let dir = std::fs::canonicalize(&dir)
        .map_err(|e| Failure::usage(format!("{}: {e}", dir.display())))?;
    super::text_path(&dir)?;
    if !dir.join("pyproject.toml").is_file() {
        return Err(Failure::usage(format!(
            "{} has no pyproject.toml: run the release in the plugin's folder, or give it: arcaflow-wizard release DIR",
            dir.display()
        )));
    }
    if let Some(u) = &args.repository_url {
        // Credentials or a query first: refused without repeating the URL.
        release::refuse_hidden_parts(u).map_err(Failure::usage)?;
        crate::cli::check_url("--repository-url", u, crate::cli::UrlUse::Upload)
            .map_err(Failure::usage)?;
    }
    let target = Target::from_args(args.repository.as_deref(), args.repository_url.as_deref())
        .map_err(Failure::usage)?;
    let info = release::check_project(&dir)?;
    let mut answers = BTreeMap::new();
    answers.insert("repository".to_string(), target.name.clone());
    if let Some(u) = &args.repository_url {
        answers.insert("repository_url".to_string(), u.clone());
    }
    if let Some(v) = &args.version {
        answers.insert("version".to_string(), v.clone());
    }
    // --ci publishes from GitHub Actions; a repository, a version or a dry run
    // is a release from this machine, so the journey does not ask.
    let from_here = args.dry_run
        || args.repository.is_some()
        || args.repository_url.is_some()
        || args.version.is_some();
    if args.ci {
        answers.insert(release::ci::KEY.to_string(), "ci".to_string());
    } else if from_here {
        answers.insert(release::ci::KEY.to_string(), "here".to_string());
    }

    // Before any thread or child starts.
    let tokens = take_tokens_from_env();
    let (secrets, learned) = env_secrets(&tokens, &target)?;
    // The workflow needs no token here: Trusted Publishing or a repository secret.
    if args.common.yes
        && !args.dry_run
        && !args.ci
        && !secrets.contains_key(release::secret_key(&target))
        && !auth_toml_has_token(&target.name)
    {
        let var = target.token_var();
        // Say what is there instead: a blank variable, or tokens under other names.
        let seen = if tokens.contains_key(&var) {
            format!(" {var} is set but holds no token (it is empty or only spaces).")
        } else {
            let others: Vec<&str> = tokens.keys().map(String::as_str).collect();
            if others.is_empty() {
                String::new()
            } else {
                format!(
                    " The environment has {}, for another repository (NAME is the repository's name, upper-cased, '-' to '_').",
                    others.join(", ")
                )
            }
        };
        // Not `poetry config pypi-token.NAME`: it takes the token on its command line,
        // and one it keeps in a keyring is not seen here (Poetry runs with no keyring).
        // Nor a file to keep it in: the variable is the one place the wizard reads.
        return Err(Failure::usage(format!(
            "--yes was given but there is no token for {}: set {var} in the environment (the token is never a flag; \
             in CI, a secret named {var}). A token in your keyring is not seen: the wizard runs Poetry without one.{seen}",
            target.name,
        )));
    }

    let probe_env = ProbeEnv::from_env();
    let facts = probe::gather(&probe_env);
    let opts = Options {
        index_url: None,
        dry_run: args.dry_run,
        yes: args.common.yes,
    };
    let mut ctx = Context::new(dir.clone(), opts, facts, probe_env);
    ctx.answers = answers;
    ctx.secrets = secrets;
    ctx.learned = learned;

    // A run that stopped after the version bump but before the upload goes on
    // with that version, unless this run names another (`--version patch` after
    // a 409) or the index already has it: then it is ended, and bumped from.
    if !args.dry_run {
        let prev = ProjectState::load(&session::state_dir(), &dir, JOURNEY);
        if let (Some(v), false) = (
            prev.answers.get("new_version"),
            prev.done.contains("publish"),
        ) {
            let current = release::project_version(&ctx);
            if current.as_deref() == Some(v.as_str()) {
                match resume_ends(&ctx, &target, args.version.as_deref(), v) {
                    Some(why) => {
                        ctx.learned.insert("resume_ended".into(), why);
                    }
                    None => {
                        ctx.learned.insert("resume_version".into(), v.clone());
                    }
                }
            }
        }
    }
    // A --version that cannot follow the current one is bad input: refuse it
    // before any step runs (the checks step installs and runs the tests).
    if let (Some(how), false) = (&args.version, ctx.learned.contains_key("resume_version")) {
        let current = info.version.clone().unwrap_or_default();
        crate::version::bump(&current, how)
            .map_err(|e| Failure::usage(format!("--version {how}: {e}")))?;
    }
    Ok(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A POETRY_PYPI_TOKEN_<NAME> lands where the token step and the upload
    /// for that target look (with --repository pypi it was stored elsewhere,
    /// and the upload went without it).
    #[test]
    fn environment_tokens_are_stored_where_each_target_reads_them() {
        let tokens: BTreeMap<String, OsString> = [
            ("POETRY_PYPI_TOKEN_PYPI", "pypi-AAAApypi"),
            ("POETRY_PYPI_TOKEN_TESTPYPI", "pypi-AAAAtest"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
        for (repo, want) in [("pypi", "pypi-AAAApypi"), ("testpypi", "pypi-AAAAtest")] {
            let target = Target::from_args(Some(repo), None).unwrap();
            let (secrets, learned) = env_secrets(&tokens, &target).unwrap();
            let key = release::secret_key(&target);
            assert_eq!(secrets.get(key).map(String::as_str), Some(want), "{repo}");
            assert!(learned.contains_key(&format!("env:{repo}")), "{repo}");
        }
    }

    /// A resumed run skips the version step and learns no new_version: the
    /// version it resumed with is still the one to save and to name.
    #[test]
    fn a_resumed_run_keeps_the_version_it_resumed_with() {
        let mut ctx = Context::new(
            std::env::temp_dir(),
            Options::default(),
            probe::Facts::default(),
            ProbeEnv::from_env(),
        );
        assert_eq!(release_version(&ctx), None);
        ctx.learned.insert("resume_version".into(), "0.1.1".into());
        assert_eq!(release_version(&ctx).map(String::as_str), Some("0.1.1"));
        ctx.learned.insert("new_version".into(), "0.2.0".into());
        assert_eq!(release_version(&ctx).map(String::as_str), Some("0.2.0"));
    }
}
