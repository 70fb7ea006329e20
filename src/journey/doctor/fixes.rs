//! The fix loop both front ends use: which fix comes next (what others depend
//! on first), what a fix would change (its command, diffs and what it
//! deletes), and applying one: run it, check again, and say what came of it
//! without claiming more than happened.

use std::collections::HashSet;

use super::checks::venv_fix::BROKEN;
use super::{diagnose, fix_journey, run_groups, Finding, Group, Input, Severity, GROUP_TIMEOUT};
use crate::journey::driver::Outcome;
use crate::journey::Step;
use crate::plan::{Action, Plan};

/// The order fixes run in: a broken venv made again first (any other Poetry
/// command would replace it with a venv of Poetry's choosing), then
/// pyproject.toml before the lock (a lock made from the old file is stale at
/// once), the lock before anything that runs `poetry install` (Poetry refuses
/// to install from a stale lock).
fn rank(f: &Finding) -> u8 {
    if f.id == BROKEN {
        return 0;
    }
    match f.group {
        Group::Project => 1,
        Group::Lock => 2,
        Group::Venv => 3,
        Group::Act => 4,
        Group::Python | Group::Poetry | Group::Tokens | Group::Engine => 5,
    }
}

/// The next fix to offer: of those not tried yet, the first in dependency order.
pub(crate) fn next<'a>(findings: &'a [Finding], tried: &HashSet<&str>) -> Option<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.fixable() && !tried.contains(f.id))
        .min_by_key(|f| rank(f))
}

/// A fix that must run before this one (the lock before a venv's `poetry
/// install`), if one is still pending.
pub(crate) fn pending_before<'a>(findings: &'a [Finding], target: &Finding) -> Option<&'a Finding> {
    if rank(target) > 4 {
        return None;
    }
    findings
        .iter()
        .filter(|f| f.fixable() && f.id != target.id && rank(f) < rank(target))
        .min_by_key(|f| rank(f))
}

/// What a fix does, as lines to show before asking: the command, the diff of
/// every file it writes, and what it deletes.
pub(crate) fn preview(f: &Finding) -> Vec<String> {
    let Some(fix) = &f.fix else {
        return Vec::new();
    };
    let mut out: Vec<String> = fix.command.lines().map(|c| format!("$ {c}")).collect();
    out.extend(diffs(&fix.plan));
    if let Some(d) = &fix.deletes {
        out.push(format!("This deletes {d}."));
    }
    out
}

/// The unified diff of every file a plan would change.
pub(crate) fn diffs(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for a in &plan.actions {
        if let Action::WriteFile { path, contents, .. } = a {
            let now = std::fs::read_to_string(path).unwrap_or_default();
            out.extend(
                crate::journey::diff::unified(path, &now, contents)
                    .lines()
                    .map(str::to_string),
            );
        }
    }
    out
}

/// What came of one fix, checked again afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It ran, and the check now says ok (or no longer finds it).
    Fixed(String),
    /// It ran, but the check still finds the problem.
    Still(Severity, String),
    /// It did not finish: the check's answer is given, never "fixed".
    Failed(String),
}

impl Verdict {
    /// One line for the screen.
    pub(crate) fn line(&self) -> String {
        match self {
            Verdict::Fixed(t) => format!("now: ok: {t}"),
            Verdict::Still(s, t) => format!("now: still {}: {t}", s.mark()),
            Verdict::Failed(why) => format!("the fix failed: {why}"),
        }
    }
    pub(crate) fn is_fixed(&self) -> bool {
        matches!(self, Verdict::Fixed(_))
    }
}

/// Apply one finding's fix: `run` executes its steps (through the front end's
/// Driver, so the command is shown, streamed and logged), then every group
/// the fix can change is checked again and `findings` updated in place.
pub(crate) fn apply(
    findings: &mut Vec<Finding>,
    target: &Finding,
    input: &Input,
    run: impl FnOnce(&[Box<dyn Step>]) -> Outcome,
) -> Verdict {
    let Some(steps) = fix_journey(target) else {
        return Verdict::Failed("there is no fix to run".into());
    };
    let outcome = run(&steps);
    recheck(findings, target.group, input);
    let now = findings.iter().find(|x| x.id == target.id);
    match outcome {
        Outcome::Done => match now {
            None => Verdict::Fixed(target.title.clone()),
            Some(x) if x.severity == Severity::Ok => Verdict::Fixed(x.title.clone()),
            Some(x) => Verdict::Still(x.severity, x.title.clone()),
        },
        Outcome::Failed(f) => Verdict::Failed(match now {
            Some(x) if x.severity != Severity::Ok => {
                format!("{}; still {}: {}", f.message, x.severity.mark(), x.title)
            }
            _ => f.message,
        }),
        Outcome::Quit => Verdict::Failed("stopped before it finished".into()),
    }
}

/// Check again what a fix in `group` can change: a project fix changes the
/// lock, the venv and ACT's flake8 run, so every project group is run again.
fn recheck(findings: &mut Vec<Finding>, group: Group, input: &Input) {
    let mut groups: Vec<Group> = Group::ALL
        .into_iter()
        .filter(|g| g.needs_project() || *g == group)
        .collect();
    groups.sort();
    groups.dedup();
    let fresh = run_groups(&groups, input, GROUP_TIMEOUT);
    findings.retain(|x| {
        !groups.contains(&x.group) || matches!(x.id, "project-none" | "project-not-plugin")
    });
    findings.extend(fresh);
    findings.sort_by_key(|x| x.group);
    super::relate(findings, input);
}

/// The state after the fixes, checked from scratch: what a fresh `doctor` says.
pub(crate) fn after(input: &Input) -> Vec<Finding> {
    diagnose(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::Fix;
    use crate::plan::Cmd;

    fn fixable(g: Group, id: &'static str) -> Finding {
        Finding::problem(g, id, id).fix(Fix::run(id, Plan::new().run(Cmd::new("true")), true))
    }

    #[test]
    fn the_lock_is_fixed_before_the_venv_and_the_project_before_both() {
        let fs = vec![
            fixable(Group::Venv, "venv-python-missing"),
            fixable(Group::Lock, "lock-stale"),
            fixable(Group::Project, "pyproject-no-dev-group"),
        ];
        let mut tried = HashSet::new();
        let mut order = Vec::new();
        while let Some(f) = next(&fs, &tried) {
            tried.insert(f.id);
            order.push(f.id);
        }
        // A broken venv first: Poetry would replace it on the lock fix.
        assert_eq!(
            order,
            [
                "venv-python-missing",
                "pyproject-no-dev-group",
                "lock-stale"
            ]
        );
        assert_eq!(
            pending_before(&fs, &fs[1]).map(|f| f.id),
            Some("venv-python-missing")
        );
        assert_eq!(pending_before(&fs, &fs[0]), None);
        let fs = vec![
            fixable(Group::Venv, "venv-deps-missing"),
            fixable(Group::Lock, "lock-stale"),
        ];
        assert_eq!(
            pending_before(&fs, &fs[0]).map(|f| f.id),
            Some("lock-stale")
        );
    }

    /// A fix whose run fails: the verdict says so, whatever the check finds after.
    #[test]
    fn apply_reports_a_failed_run_as_failed() {
        let t = tempfile::tempdir().unwrap();
        let input = Input {
            dir: t.path().to_path_buf(),
            env: crate::probe::ProbeEnv::from_env(),
        };
        let target = fixable(Group::Venv, "venv-python-missing");
        let mut findings = vec![target.clone()];
        let v = apply(&mut findings, &target, &input, |steps| {
            assert_eq!(steps.len(), 1);
            Outcome::Failed(crate::journey::Failure::new("`poetry install` failed"))
        });
        assert_eq!(v, Verdict::Failed("`poetry install` failed".into()));
        // The venv group ran again (no project here: it finds nothing), so the old finding is gone.
        assert!(findings.iter().all(|f| f.id != "venv-python-missing"));
        let v = apply(&mut findings, &target, &input, |_| Outcome::Done);
        assert!(v.is_fixed(), "{v:?}");
    }

    #[test]
    fn a_failed_fix_is_never_called_fixed() {
        let v = Verdict::Failed("`poetry install` failed".into());
        assert!(!v.is_fixed());
        assert!(!v.line().contains("fixed"), "{}", v.line());
    }
}
