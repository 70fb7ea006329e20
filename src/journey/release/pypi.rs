//! PyPI itself, only after the test upload installed and ran, and only when the
//! user says yes (default no). `--yes` never uploads to PyPI unless `--repository
//! pypi` was given (then the test upload above already was PyPI).

use super::publish::{explain_upload, target, upload_plan};
use super::token::{token_question, token_source, token_warning};
use super::Target;
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};

/// The question: PyPI now? (default no).
pub(super) struct PypiConfirm;

impl Step for PypiConfirm {
    fn id(&self) -> &'static str {
        "pypi-confirm"
    }
    fn title(&self) -> &'static str {
        "PyPI now?"
    }
    fn why(&self) -> &'static str {
        "A version on PyPI is public and final: it can be yanked but never replaced. It goes there only \
         after the same files installed and ran from the test index, and only when you say so."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        match target(ctx) {
            // A dry run ran nothing to judge by: its script stops at the test index.
            Ok(t) if !t.is_pypi() && !ctx.opts.dry_run => vec![Question::yes_no(
                "pypi",
                "It installed and ran from the test index. Upload the same files to PyPI now (public, final)?",
                false,
            )],
            _ => Vec::new(),
        }
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let t = target(ctx)?;
        Ok(Check::Done(if t.is_pypi() {
            "the upload above went to PyPI itself".into()
        } else if ctx.opts.dry_run {
            "not in a dry run's script: run `arcaflow-wizard release --repository pypi` when ready"
                .into()
        } else if ctx.answer("pypi") == Some("yes") {
            "yes".into()
        } else {
            "not now; run `arcaflow-wizard release --repository pypi` when ready".into()
        }))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
}

pub(super) struct Pypi;

fn wanted(ctx: &Context) -> bool {
    // --yes answers the question with its default, no: PyPI only with --repository pypi.
    matches!(target(ctx), Ok(t) if !t.is_pypi())
        && ctx.answer("pypi") == Some("yes")
        && !ctx.opts.yes
        && !ctx.opts.dry_run
}

impl Step for Pypi {
    fn id(&self) -> &'static str {
        "pypi"
    }
    fn title(&self) -> &'static str {
        "Upload to PyPI"
    }
    fn why(&self) -> &'static str {
        "The same files, now to PyPI, with a PyPI token (a TestPyPI token does not work there), again \
         only in the environment of the upload."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        if wanted(ctx) && token_source(ctx, &Target::pypi()).is_none() {
            vec![token_question("pypi_token", &Target::pypi())]
        } else {
            Vec::new()
        }
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        if wanted(ctx) {
            Ok(Check::Todo)
        } else {
            Ok(Check::Declined("not uploaded to PyPI".into()))
        }
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        if !wanted(ctx) {
            return Ok(Plan::new());
        }
        super::publish::check_upload_files(ctx)?;
        upload_plan(ctx, &Target::pypi(), "pypi_token")
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        ctx.learned.insert("on_pypi".into(), "yes".into());
        Ok(())
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        ctx.secrets
            .get("pypi_token")
            .and_then(|t| token_warning(t))
            .map(|w| format!("Warning: {w}."))
    }
    fn explain(&self, ctx: &Context, cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        explain_upload(ctx, &Target::pypi(), cmd, res)
    }
    fn ask_again(&self, _ctx: &Context, key: &str) -> Option<Question> {
        super::publish::token_again(&Target::pypi(), key)
    }
}
