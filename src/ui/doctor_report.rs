//! doctor's plain report (a front end's drawing of the findings, which are data): a heading per group, one line per finding with a text mark
//! (`ok`, `warn`, `PROBLEM`), the detail indented under it, and `fix: <command>`.

use std::fmt::Write as _;

use crate::journey::doctor::finding::{Finding, Group, Severity, Summary};
use crate::ui::style::Style;

fn paint(style: &Style, sev: Severity, s: &str) -> String {
    match sev {
        Severity::Ok => style.ok(s),
        Severity::Warning => style.warn(s),
        Severity::Problem => style.bad(s),
    }
}

/// One finding: `[mark] title`, detail and fix indented under it.
pub(crate) fn finding(style: &Style, f: &Finding) -> String {
    let mut out = String::new();
    let mark = format!("{:<7}", f.severity.mark());
    let _ = writeln!(
        out,
        "  {} {}  {}",
        paint(style, f.severity, &mark),
        f.title,
        style.dim(&format!("[{}]", f.id))
    );
    for l in f.detail.lines() {
        let _ = writeln!(out, "            {l}");
    }
    if let Some(fix) = &f.fix {
        let mut lines = fix.command.lines();
        if let Some(first) = lines.next() {
            let how = if fix.automatic() { "fix" } else { "to fix" };
            let _ = writeln!(out, "            {}: {}", style.bold(how), first);
            for l in lines {
                let _ = writeln!(out, "                 {l}");
            }
        }
    }
    out
}

/// The whole report, ending with how to apply the fixes.
pub(crate) fn render(style: &Style, findings: &[Finding], elapsed: std::time::Duration) -> String {
    render_with(style, findings, elapsed, true)
}

/// The whole report; `offer_fix`: end with the `doctor --fix` hint (not while
/// `--fix` is running already).
pub(crate) fn render_with(
    style: &Style,
    findings: &[Finding],
    elapsed: std::time::Duration,
    offer_fix: bool,
) -> String {
    let mut out = String::new();
    let mut last: Option<Group> = None;
    for f in findings {
        if last != Some(f.group) {
            let _ = writeln!(out, "\n{}", style.bold(f.group.title()));
            last = Some(f.group);
        }
        out.push_str(&finding(style, f));
    }
    let s = Summary::of(findings);
    let _ = writeln!(
        out,
        "\n{} problem(s), {} warning(s), {} ok  ({:.1} s)",
        s.problems,
        s.warnings,
        s.ok,
        elapsed.as_secs_f64()
    );
    if offer_fix && findings.iter().any(Finding::fixable) {
        let _ = writeln!(
            out,
            "Run `arcaflow-wizard doctor --fix` to apply the fixes one by one (with --yes: every safe one)."
        );
    }
    out
}
