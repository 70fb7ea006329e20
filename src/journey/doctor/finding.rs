//! The doctor's verdicts: one `Finding` per thing checked, and the stable JSON
//! document `--json` prints (documented in docs/doctor-json.md).

use serde::Serialize;

use crate::plan::Plan;

/// How bad a finding is. `Problem` makes `doctor` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Ok,
    Warning,
    Problem,
}

impl Severity {
    /// The text mark of the plain report (colour is only ever added to it).
    pub(crate) fn mark(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warn",
            Severity::Problem => "PROBLEM",
        }
    }
}

/// What fixes a finding: the command as a user would type it, and the plan
/// that does the same when the wizard runs it for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fix {
    /// Shown to the user (and in the JSON); for a manual fix, what to do.
    pub command: String,
    /// Empty when the wizard cannot do it (a shell alias, an install with sudo).
    pub plan: Plan,
    /// `--fix --yes` applies it without asking: it deletes nothing and
    /// touches only the project.
    pub safe: bool,
    /// What the fix deletes, named for the user (a venv, and anything in it
    /// pip did not put there); such a fix is never safe.
    pub deletes: Option<String>,
}

impl Fix {
    pub(crate) fn run(command: impl Into<String>, plan: Plan, safe: bool) -> Fix {
        Fix {
            command: command.into(),
            plan,
            safe,
            deletes: None,
        }
    }
    /// The fix deletes `what`: it is asked about every time, never applied by `--yes`.
    pub(crate) fn deleting(mut self, what: impl Into<String>) -> Fix {
        self.deletes = Some(what.into());
        self.safe = false;
        self
    }
    /// Advice only: the user does it.
    pub(crate) fn manual(command: impl Into<String>) -> Fix {
        Fix {
            command: command.into(),
            plan: Plan::new(),
            safe: false,
            deletes: None,
        }
    }
    pub(crate) fn automatic(&self) -> bool {
        !self.plan.is_empty()
    }
}

/// Which group of checks made a finding (each group runs in its own thread and
/// is run again after a fix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Group {
    Python,
    Poetry,
    Project,
    Lock,
    Venv,
    Act,
    Tokens,
    Engine,
}

impl Group {
    pub(crate) const ALL: [Group; 8] = [
        Group::Python,
        Group::Poetry,
        Group::Project,
        Group::Lock,
        Group::Venv,
        Group::Act,
        Group::Tokens,
        Group::Engine,
    ];
    pub(crate) fn title(self) -> &'static str {
        match self {
            Group::Python => "Python",
            Group::Poetry => "Poetry",
            Group::Project => "pyproject.toml and layout",
            Group::Lock => "poetry.lock",
            Group::Venv => "The project's virtualenv",
            Group::Act => "ACT's checks (Arcaflow Container Toolkit)",
            Group::Tokens => "Upload tokens",
            Group::Engine => "Container engine",
        }
    }
    /// Groups that only make sense in a project folder.
    pub(crate) fn needs_project(self) -> bool {
        matches!(
            self,
            Group::Project | Group::Lock | Group::Venv | Group::Act
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// Stable, kebab-case: scripts match on it.
    pub id: &'static str,
    pub group: Group,
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What was found, possibly several lines.
    pub detail: String,
    pub fix: Option<Fix>,
}

impl Finding {
    /// Not ok, and the wizard can run its fix: what `--fix` and Enter act on.
    pub(crate) fn fixable(&self) -> bool {
        self.severity != Severity::Ok && self.fix.as_ref().is_some_and(|x| x.automatic())
    }

    pub(crate) fn ok(group: Group, id: &'static str, title: impl Into<String>) -> Finding {
        Finding {
            id,
            group,
            severity: Severity::Ok,
            title: title.into(),
            detail: String::new(),
            fix: None,
        }
    }
    pub(crate) fn warning(group: Group, id: &'static str, title: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::ok(group, id, title)
        }
    }
    pub(crate) fn problem(group: Group, id: &'static str, title: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Problem,
            ..Finding::ok(group, id, title)
        }
    }
    pub(crate) fn detail(mut self, d: impl Into<String>) -> Finding {
        self.detail = d.into();
        self
    }
    pub(crate) fn fix(mut self, f: Fix) -> Finding {
        self.fix = Some(f);
        self
    }
}

// ---------------------------------------------------------------- JSON

/// `doctor --json`. Version 1: fields are only ever added, never renamed.
#[derive(Debug, Serialize)]
pub(crate) struct JsonReport<'a> {
    pub version: u32,
    /// The project folder checked (absolute).
    pub project: String,
    pub findings: Vec<JsonFinding<'a>>,
    pub summary: Summary,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonFinding<'a> {
    pub id: &'a str,
    pub check: Group,
    pub severity: Severity,
    pub title: &'a str,
    pub detail: &'a str,
    pub fix: Option<JsonFix<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonFix<'a> {
    pub command: &'a str,
    pub safe: bool,
    /// The wizard can run it (`doctor --fix`); false for advice such as an alias.
    pub automatic: bool,
    /// What the fix deletes (such a fix is never safe), or null.
    pub deletes: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    pub ok: usize,
    pub warnings: usize,
    pub problems: usize,
}

impl Summary {
    pub(crate) fn of(findings: &[Finding]) -> Summary {
        let mut s = Summary::default();
        for f in findings {
            match f.severity {
                Severity::Ok => s.ok += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Problem => s.problems += 1,
            }
        }
        s
    }
}

pub(crate) fn to_json(project: &std::path::Path, findings: &[Finding]) -> String {
    let doc = JsonReport {
        version: 1,
        project: project.display().to_string(),
        findings: findings
            .iter()
            .map(|f| JsonFinding {
                id: f.id,
                check: f.group,
                severity: f.severity,
                title: &f.title,
                detail: &f.detail,
                fix: f.fix.as_ref().map(|x| JsonFix {
                    command: &x.command,
                    safe: x.safe,
                    automatic: x.automatic(),
                    deletes: x.deletes.as_deref(),
                }),
            })
            .collect(),
        summary: Summary::of(findings),
    };
    serde_json::to_string_pretty(&doc).expect("plain data serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Cmd;

    #[test]
    fn json_has_the_documented_shape() {
        let fs = vec![
            Finding::ok(Group::Python, "python-ok", "Python 3.11.7"),
            Finding::problem(Group::Venv, "venv-python-missing", "broken venv")
                .detail("home = /gone")
                .fix(Fix::run(
                    "poetry install",
                    Plan::new().run(Cmd::new("poetry").arg("install")),
                    true,
                )),
            Finding::warning(Group::Python, "python3-too-old", "old").fix(Fix::manual("alias")),
        ];
        let v: serde_json::Value =
            serde_json::from_str(&to_json(std::path::Path::new("/p"), &fs)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["project"], "/p");
        assert_eq!(v["findings"][0]["fix"], serde_json::Value::Null);
        assert_eq!(v["findings"][1]["severity"], "problem");
        assert_eq!(v["findings"][1]["check"], "venv");
        assert_eq!(v["findings"][1]["fix"]["command"], "poetry install");
        assert_eq!(v["findings"][1]["fix"]["safe"], true);
        assert_eq!(v["findings"][2]["fix"]["automatic"], false);
        assert_eq!(v["findings"][1]["fix"]["deletes"], serde_json::Value::Null);
        assert_eq!(v["summary"]["ok"], 1);
        assert_eq!(v["summary"]["warnings"], 1);
        assert_eq!(v["summary"]["problems"], 1);
    }
}
