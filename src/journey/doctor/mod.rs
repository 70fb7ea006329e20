//! `doctor`: every check at once, a verdict per finding, and the fix as a command
//! the wizard can run.
//!
//! Each group of checks (`checks/`) runs in its own thread with a deadline, so
//! the wall time is that of the slowest group; every process a check starts has
//! its own timeout too. Checks read files where files tell (pyvenv.cfg,
//! dist-info folders, auth.toml) and run a tool only where nothing else tells.
//! A check decides; it changes nothing: a fix is a `Plan`, run by a front end
//! through the Driver, one fix at a time (`fixes`).

pub(crate) mod checks;
pub(crate) mod finding;
pub(crate) mod fixes;

use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

pub(crate) use finding::{Finding, Fix, Group, Severity};

use crate::probe::ProbeEnv;

/// How long one group of checks may take before it is reported as timed out.
pub(crate) const GROUP_TIMEOUT: Duration = Duration::from_secs(30);

/// What the checks look at.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    /// The project folder (absolute); it may hold no project at all.
    pub dir: PathBuf,
    pub env: ProbeEnv,
}

impl Input {
    pub(crate) fn has_project(&self) -> bool {
        self.dir.join("pyproject.toml").is_file()
    }

    /// Why the pyproject.toml here is no Arcaflow plugin, when it plainly is
    /// not one: another build backend (maturin, hatchling, ...), no Poetry
    /// metadata, and no SDK among its dependencies, e.g. the wizard's own
    /// checkout. The plugin checks would only report problems that are none.
    pub(crate) fn not_a_plugin(&self) -> Option<String> {
        let project = checks::Project::load(&self.dir)?;
        let info = project.info()?;
        let backend = info.build_backend.as_deref()?;
        let poetry = backend.starts_with("poetry")
            || matches!(
                info.form,
                crate::pyproject::Form::Legacy | crate::pyproject::Form::Mixed
            );
        let sdk = info
            .dependencies
            .iter()
            .any(|d| crate::pyproject::normalize_name(&d.name).starts_with("arcaflow-plugin-sdk"));
        if poetry || sdk {
            return None;
        }
        let what = match backend {
            "maturin" => "maturin, which packages a Rust program as a wheel".to_string(),
            b => format!("`{b}`, not Poetry"),
        };
        Some(format!(
            "pyproject.toml in {} builds with {what}, and the Arcaflow SDK is not a dependency: \
             not an Arcaflow plugin, so only this machine was checked",
            self.dir.display()
        ))
    }

    /// A project the plugin checks apply to.
    fn plugin_project(&self) -> bool {
        self.has_project() && self.not_a_plugin().is_none()
    }
}

/// Run one group of checks (in this thread).
pub(crate) fn run_group(group: Group, input: &Input) -> Vec<Finding> {
    if group.needs_project() && !input.plugin_project() {
        return Vec::new();
    }
    match group {
        Group::Python => checks::python::check(input),
        Group::Poetry => checks::poetry::check(input),
        Group::Project => {
            let mut found = checks::project::check(input);
            found.extend(checks::publish_workflow::check(input));
            found
        }
        Group::Lock => checks::project::check_lock(input),
        Group::Venv => checks::venv::check(input),
        Group::Act => checks::act::check(input),
        Group::Tokens => checks::tokens::check(input),
        Group::Engine => checks::engine::check(input),
    }
}

/// Run these groups at once, each in a thread; a group that misses the deadline
/// becomes one warning (its thread is left to finish on its own).
pub(crate) fn run_groups(groups: &[Group], input: &Input, timeout: Duration) -> Vec<Finding> {
    let input = Arc::new(input.clone());
    let (tx, rx) = mpsc::channel::<(Group, Vec<Finding>)>();
    let fault = injected_fault();
    for &g in groups {
        let tx = tx.clone();
        let input = Arc::clone(&input);
        let fault = fault.filter(|(_, fg)| *fg == g).map(|(f, _)| f);
        std::thread::spawn(move || {
            let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match fault {
                Some(Fault::Crash) => panic!("check crash injected by ARCAFLOW_WIZARD_TEST_CHECK"),
                Some(Fault::Hang) => loop {
                    std::thread::sleep(Duration::from_secs(3600));
                },
                None => run_group(g, &input),
            }))
            .unwrap_or_else(|_| {
                vec![Finding::warning(
                    g,
                    "check-crashed",
                    format!("the {} checks crashed", g.title()),
                )
                .detail("this is a bug in arcaflow-wizard; the other checks are unaffected")]
            });
            let _ = tx.send((g, found));
        });
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let mut got: Vec<(Group, Vec<Finding>)> = Vec::new();
    while got.len() < groups.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(r) => got.push(r),
            Err(_) => break,
        }
    }
    let mut out = Vec::new();
    for &g in groups {
        match got.iter_mut().find(|(h, _)| *h == g) {
            Some((_, f)) => out.append(f),
            None => out.push(
                Finding::warning(
                    g,
                    "check-timeout",
                    format!("{}: the checks took longer than {} s", g.title(), timeout.as_secs()),
                )
                .detail("a tool did not answer in time; run the doctor again, or run the tool by hand to see why"),
            ),
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Crash,
    Hang,
}

/// Debug builds only, for the tests of `check-crashed` and `check-timeout`
/// (tests/doctor_ids.rs): `ARCAFLOW_WIZARD_TEST_CHECK=crash:GROUP` makes that
/// group's checks panic, `hang:GROUP` makes them never answer. GROUP is the
/// JSON `check` name (`engine`, `tokens`, ...). A release build reads nothing.
fn injected_fault() -> Option<(Fault, Group)> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let v = std::env::var("ARCAFLOW_WIZARD_TEST_CHECK").ok()?;
    let (fault, group) = v.split_once(':')?;
    let fault = match fault {
        "crash" => Fault::Crash,
        "hang" => Fault::Hang,
        _ => return None,
    };
    let group = Group::ALL
        .into_iter()
        .find(|g| format!("{g:?}").eq_ignore_ascii_case(group))?;
    Some((fault, group))
}

/// Every check, in parallel. When DIR holds no pyproject.toml, only the machine
/// is checked and one finding says so.
pub(crate) fn diagnose(input: &Input) -> Vec<Finding> {
    let mut out = run_groups(&Group::ALL, input, GROUP_TIMEOUT);
    relate(&mut out, input);
    if let Some(why) = input.not_a_plugin() {
        out.insert(0, Finding::ok(Group::Project, "project-not-plugin", why));
    } else if !input.has_project() {
        out.insert(
            0,
            Finding::ok(
                Group::Project,
                "project-none",
                format!(
                    "no pyproject.toml in {}: only this machine was checked",
                    input.dir.display()
                ),
            ),
        );
    }
    out
}

/// What one group's findings mean for another's, once all are in: the groups
/// run apart, in parallel, so each sees only its own facts.
pub(crate) fn relate(findings: &mut [Finding], input: &Input) {
    checks::venv_fix::mark_poetry_losses(findings);
    flake8_waits_for_the_venv(findings, input);
}

/// flake8 could not run from the project's venv because the venv is broken or
/// lacks it, while the dev group already lists flake8: the advice is to fix
/// the venv, not to `poetry add` what is there.
fn flake8_waits_for_the_venv(findings: &mut [Finding], input: &Input) {
    let venv = findings
        .iter()
        .find(|f| {
            f.severity != Severity::Ok
                && matches!(
                    f.id,
                    "venv-python-missing" | "venv-missing" | "venv-deps-missing"
                )
        })
        .map(|f| f.id);
    let Some(venv) = venv else {
        return;
    };
    let in_dev = checks::Project::load(&input.dir)
        .and_then(|p| {
            p.info().map(|i| {
                i.dependencies.iter().any(|d| {
                    crate::pyproject::normalize_name(&d.name) == "flake8"
                        && matches!(
                            &d.source,
                            crate::pyproject::DepSource::PoetryGroup(_)
                                | crate::pyproject::DepSource::PoetryDevDependencies
                                | crate::pyproject::DepSource::DependencyGroup(_)
                        )
                })
            })
        })
        .unwrap_or(false);
    let Some(f) = findings
        .iter_mut()
        .find(|f| f.id == "act-flake8" && f.severity != Severity::Ok)
    else {
        return;
    };
    let suggests_add = f
        .fix
        .as_ref()
        .is_some_and(|x| x.command.contains("poetry add --group dev flake8"));
    // Not run because the venv's interpreter is gone. Other reasons (no venv
    // yet, a venv inside the project that doctor will not run) keep their own
    // advice: it is already the right one.
    let not_run_broken =
        f.detail.starts_with("flake8 was not run") && venv == "venv-python-missing";
    if !(in_dev && (suggests_add || not_run_broken)) {
        return;
    }
    f.severity = Severity::Warning;
    f.title = "flake8 was not run: the project's virtualenv cannot run it yet".into();
    f.detail = format!(
        "flake8 is in the dev group already; the virtualenv needs fixing first ({venv} above)"
    );
    f.fix = Some(Fix::manual(format!(
        "fix the virtualenv ({venv}), then run: poetry run python -m flake8 --show-source ."
    )));
}

/// A finding's fix as a one-step journey, so the Driver runs it like any step:
/// the command shown first, its output streamed and logged, files diffed.
pub(crate) fn fix_journey(finding: &Finding) -> Option<Vec<Box<dyn crate::journey::Step>>> {
    let fix = finding.fix.as_ref()?;
    Some(vec![Box::new(FixStep {
        note: format!("{} [{}]: {}", finding.title, finding.id, fix.command),
        plan: fix.plan.clone(),
    })])
}

struct FixStep {
    note: String,
    plan: crate::plan::Plan,
}

impl crate::journey::Step for FixStep {
    fn id(&self) -> &'static str {
        "doctor-fix"
    }
    fn title(&self) -> &'static str {
        "Apply the doctor's fix"
    }
    fn why(&self) -> &'static str {
        "A fix the doctor offered for one of its findings: the command it runs is shown before it runs."
    }
    fn check(
        &self,
        _ctx: &crate::journey::Context,
    ) -> Result<crate::journey::Check, crate::journey::Failure> {
        Ok(crate::journey::Check::Todo)
    }
    fn note(&self, _ctx: &crate::journey::Context) -> Option<String> {
        Some(self.note.clone())
    }
    fn plan(
        &self,
        _ctx: &crate::journey::Context,
    ) -> Result<crate::plan::Plan, crate::journey::Failure> {
        Ok(self.plan.clone())
    }
}

/// Exit code for a set of findings: 0 when no problem, 1 otherwise.
pub(crate) fn exit_code(findings: &[Finding]) -> i32 {
    i32::from(findings.iter().any(|f| f.severity == Severity::Problem))
}
