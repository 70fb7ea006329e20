//! The new version: asked (default `patch`, or `--version`), checked against the
//! index, written to pyproject.toml (either form, comments kept) and to the
//! Dockerfile's plugin version label, as file writes the driver shows as a diff.

use std::sync::Mutex;

use super::index::{self, IndexAnswer};
use super::{dist_name, project_dir, project_info};
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Action, Overwrite, Plan};
use crate::pyproject;

const LABEL: &str = "LABEL io.github.arcalot.arcaflow.plugin.version=";

/// The answer's key; also what a failure asks again when the index already
/// has the version (the driver then runs this step and those after it again).
pub(crate) const KEY: &str = "version";

/// The version a stopped run left in pyproject.toml is taken up again, unless
/// the user has just chosen another after the index refused it.
fn resuming(ctx: &Context, current: &str) -> bool {
    ctx.learned.get("resume_version").map(String::as_str) == Some(current)
        && ctx
            .learned
            .get(crate::journey::driver::ASKED_AGAIN)
            .map(String::as_str)
            != Some(KEY)
}

#[derive(Default)]
pub(super) struct VersionStep {
    /// The index's answer for (url, version), so note and plan ask once.
    asked: Mutex<Option<(String, IndexAnswer)>>,
    /// The version the last plan writes, for verify (pyproject says it by then).
    planned: Mutex<Option<String>>,
}

/// An answer to the version question: `patch`, `minor`, `major` or a version.
/// With the current version known, the answer must lead past it (the rules and
/// messages of `--version`: [`crate::version::bump`]), so a lower or equal
/// version is refused as it is typed, not after the steps that follow.
pub(crate) fn check_how_from(current: Option<&str>, s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    let keyword = matches!(t.as_str(), "patch" | "minor" | "major");
    match current.filter(|c| crate::version::normalize_pep440(c).is_ok()) {
        Some(cur) => {
            let next = crate::version::bump(cur, s)?;
            Ok(if keyword { t } else { next })
        }
        None if keyword => Ok(t),
        None => crate::version::normalize_pep440(s),
    }
}

/// The new version from the answer, or why it cannot be.
pub(crate) fn next_version(ctx: &Context) -> Result<(String, String), Failure> {
    let current = project_info(ctx)?
        .version
        .ok_or_else(|| Failure::usage("pyproject.toml has no version"))?;
    if resuming(ctx, &current) {
        return Ok((current.clone(), current));
    }
    let how = ctx.answer(KEY).unwrap_or("patch");
    let next = crate::version::bump(&current, how)
        .map_err(|e| Failure::usage(format!("--version {how}: {e}")))?;
    Ok((current, next))
}

/// The Dockerfile with its plugin version label set, or None when it has no such line.
pub(super) fn set_label(dockerfile: &str, version: &str) -> Option<String> {
    let mut found = false;
    let mut out: Vec<String> = Vec::new();
    for line in dockerfile.split_inclusive('\n') {
        if line.trim_start().starts_with(LABEL) {
            found = true;
            let indent = &line[..line.len() - line.trim_start().len()];
            let nl = if line.ends_with('\n') { "\n" } else { "" };
            out.push(format!("{indent}{LABEL}\"{version}\"{nl}"));
        } else {
            out.push(line.to_string());
        }
    }
    found.then(|| out.concat())
}

/// ACT accepts only digits and dots in the label (`(\d*)(\.?\d*?)(\.?\d*?)`).
pub(super) fn label_accepts(version: &str) -> bool {
    !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// pyproject.toml with the new version, comments and layout kept.
pub(super) fn bumped_pyproject(text: &str, version: &str) -> Result<String, Failure> {
    let mut doc = pyproject::parse(text).map_err(|e| Failure::usage(e.to_string()))?;
    pyproject::set_version(&mut doc, version)
        .map_err(|e| Failure::new(format!("cannot set the version: {e}")))?;
    Ok(doc.to_string())
}

/// pyproject.toml's version, or "?".
fn current_version(ctx: &Context) -> String {
    project_info(ctx)
        .ok()
        .and_then(|i| i.version)
        .unwrap_or_else(|| "?".into())
}

/// The version question, for a project now at `current`.
fn version_question(current: &str) -> Question {
    let known = (current != "?").then(|| current.to_string());
    Question::text(
        KEY,
        format!("New version (patch, minor, major, or X.Y.Z); now {current}"),
    )
    .default("patch")
    .flag("--version")
    .validate({
        let known = known.clone();
        move |s| check_how_from(known.as_deref(), s)
    })
    .shows(move |s| match &known {
        Some(cur) => crate::version::bump(cur, s),
        None => Err(String::new()),
    })
}

impl VersionStep {
    fn index_answer(&self, ctx: &Context, version: &str) -> Option<IndexAnswer> {
        if ctx.opts.dry_run {
            return None;
        }
        let target = super::publish::target(ctx).ok()?;
        let dist = dist_name(ctx).ok()?;
        let key = format!("{}|{version}", target.project_simple(&dist));
        let mut cache = self.asked.lock().unwrap();
        if let Some((k, a)) = cache.as_ref() {
            if *k == key {
                return Some(a.clone());
            }
        }
        let a = index::query(ctx, &target, &dist, version);
        *cache = Some((key, a.clone()));
        Some(a)
    }
}

impl Step for VersionStep {
    fn id(&self) -> &'static str {
        "version"
    }
    fn title(&self) -> &'static str {
        "New version"
    }
    fn why(&self) -> &'static str {
        "An index never takes the same version twice, so every release needs a new one. It lives in \
         pyproject.toml and, for the official image, in the Dockerfile's \
         io.github.arcalot.arcaflow.plugin.version label (ACT accepts only digits and dots there)."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let current = current_version(ctx);
        // A dry run asks nothing: --version, else patch (the script's comment says which).
        if resuming(ctx, &current) || ctx.opts.dry_run {
            return Vec::new();
        }
        vec![version_question(&current)]
    }
    fn ask_again(&self, ctx: &Context, key: &str) -> Option<Question> {
        (key == KEY).then(|| version_question(&current_version(ctx)))
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let (current, next) = next_version(ctx)?;
        if current == next {
            return Ok(Check::Done(format!(
                "pyproject.toml already says {next}, from the run that stopped before the upload"
            )));
        }
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let (current, next) = next_version(ctx).ok()?;
        let mut lines = Vec::new();
        if let Some(why) = ctx.learned.get("resume_ended") {
            lines.push(format!("Not resumed: {why}."));
        }
        lines.push(format!(
            "Version {current} -> {next}: pyproject.toml's version and the Dockerfile's plugin version label."
        ));
        if !label_accepts(&next) {
            lines.push(format!(
                "Warning: {next} is a pre-release: ACT accepts only digits and dots in the Dockerfile's version label, so the label stays as it is; release a final version for the official image."
            ));
        }
        match self.index_answer(ctx, &next) {
            Some(IndexAnswer::Unknown(why)) => lines.push(format!(
                "Warning: could not check whether {next} is already on the index ({why}); the upload will tell."
            )),
            Some(IndexAnswer::Absent) => lines.push(format!("{next} is not on the index yet.")),
            _ => {}
        }
        Some(lines.join("\n"))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let (current, next) = next_version(ctx)?;
        if self.index_answer(ctx, &next) == Some(IndexAnswer::Present) {
            let target = super::publish::target(ctx)?;
            let dist = dist_name(ctx)?;
            let mut f = Failure::new(format!(
                "Version {next} of {dist} is already on {}: an index never takes a version twice.",
                target.name
            ))
            .hint(format!(
                "Choose a higher one: arcaflow-wizard release --version minor (or X.Y.Z above {next}). \
                 Nothing was changed. See {}",
                target.project_simple(&dist)
            ));
            f.ask_again = Some(KEY);
            return Err(f);
        }
        let dir = project_dir(ctx);
        let py_path = dir.join("pyproject.toml");
        let text = std::fs::read_to_string(&py_path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", py_path.display())))?;
        // One change the user asked for: both diffs, one question (default yes),
        // both files written or neither (--yes chose the version up front).
        let overwrite = Overwrite::AskedFor;
        let mut plan = Plan::new();
        plan.push(Action::WriteFile {
            path: py_path,
            contents: bumped_pyproject(&text, &next)?,
            overwrite,
            executable: false,
        });
        let df = dir.join("Dockerfile");
        if label_accepts(&next) {
            if let Ok(t) = std::fs::read_to_string(&df) {
                if let Some(new) = set_label(&t, &next) {
                    plan.push(Action::WriteFile {
                        path: df,
                        contents: new,
                        overwrite,
                        executable: false,
                    });
                }
            }
        }
        let _ = current;
        *self.planned.lock().unwrap() = Some(next);
        Ok(plan)
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let next = match self.planned.lock().unwrap().clone() {
            Some(v) => v,
            None => next_version(ctx)?.1,
        };
        let now = project_info(ctx)?.version.unwrap_or_default();
        if now != next {
            return Err(Failure::usage(format!(
                "pyproject.toml still says {now}: the release needs the new version {next}."
            ))
            .hint("Answer yes to the change, or set the version yourself and run again."));
        }
        ctx.learned.insert("new_version".into(), next);
        Ok(())
    }
}
