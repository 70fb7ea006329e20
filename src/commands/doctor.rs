//! `arcaflow-wizard doctor [DIR] [--json] [--fix] [--yes]`.
//!
//! Runs every check at once and prints the report (or JSON). With `--fix`, offers
//! each automatic fix in turn: shows the command and any diff, asks (with
//! `--yes`: applies the safe ones without asking, skips the others), runs it
//! through the Driver so output streams and the session log records it, then
//! checks that group again.

use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Instant;

use crate::cli::DoctorArgs;
use crate::journey::context::Options;
use crate::journey::doctor::{self, report, Input, Severity};
use crate::journey::driver::{Driver, Outcome};
use crate::journey::{diff, Context};
use crate::plan::{Action, Plan};
use crate::probe::{Facts, ProbeEnv};
use crate::session::{self, SessionLog};
use crate::ui::plain::Plain;
use crate::ui::style::Style;

pub fn run(args: DoctorArgs) -> i32 {
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    if !dir.is_dir() {
        eprintln!("arcaflow-wizard doctor: {} is not a folder", dir.display());
        return 2;
    }
    let dir = match std::fs::canonicalize(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("arcaflow-wizard doctor: cannot read {}: {e}", dir.display());
            return 2;
        }
    };
    if let Err(f) = super::text_path(&dir) {
        return super::fail(&f);
    }
    let input = Input {
        dir,
        env: ProbeEnv::from_env(),
    };
    let started = Instant::now();
    let mut findings = doctor::diagnose(&input);
    let elapsed = started.elapsed();

    // The full-screen checklist on a terminal (Enter runs a fix), unless lines or JSON were asked for.
    if !args.json && crate::ui::tui::wanted(args.common.plain || args.common.yes) {
        let log = SessionLog::create(&session::state_dir(), "doctor")
            .unwrap_or_else(|_| SessionLog::disabled());
        let findings = crate::ui::tui::doctor::run(&input, findings, &log);
        print!(
            "{}",
            report::render(&Style::detect(), &findings, started.elapsed())
        );
        return doctor::exit_code(&findings);
    }

    if !args.fix {
        if args.json {
            println!("{}", doctor::finding::to_json(&input.dir, &findings));
        } else {
            print!("{}", report::render(&Style::detect(), &findings, elapsed));
        }
        return doctor::exit_code(&findings);
    }

    // --fix: the report and the fixes go to stderr when stdout carries JSON.
    let mut out: Box<dyn Write> = if args.json {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let style = if args.json {
        Style {
            color: Style::detect().color && std::io::stderr().is_terminal(),
        }
    } else {
        Style::detect()
    };
    let _ = write!(out, "{}", report::render(&style, &findings, elapsed));
    let state_dir = session::state_dir();
    let log = SessionLog::create(&state_dir, "doctor").unwrap_or_else(|_| SessionLog::disabled());
    let mut ctx = Context::new(
        input.dir.clone(),
        Options {
            yes: args.common.yes,
            ..Options::default()
        },
        Facts::default(),
        input.env.clone(),
    );
    let interactive = std::io::stdin().is_terminal();
    let mut tried: HashSet<&'static str> = HashSet::new();
    let mut applied = 0;
    while let Some(f) = findings
        .iter()
        .find(|f| f.fixable() && !tried.contains(f.id))
        .cloned()
    {
        tried.insert(f.id);
        let fix = f.fix.clone().expect("filtered");
        let _ = writeln!(out, "\n{} {}  [{}]", style.bold("fix:"), f.title, f.id);
        let _ = writeln!(out, "  $ {}", fix.command.replace('\n', "\n  $ "));
        show_diffs(&mut out, &style, &fix.plan);
        let go = if args.common.yes {
            if !fix.safe {
                let _ = writeln!(out, "  skipped: this fix is not applied without asking (run `doctor --fix` without --yes)");
            }
            fix.safe
        } else if interactive {
            let _ = write!(out, "  Apply it? [y/N]: ");
            let _ = out.flush();
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            matches!(line.trim(), "y" | "Y" | "yes")
        } else {
            let _ = writeln!(
                out,
                "  skipped: no terminal to ask (pass --yes to apply the safe fixes)"
            );
            false
        };
        if !go {
            continue;
        }
        log.line(&format!("doctor fix {}: {}", f.id, fix.command));
        let Some(step) = doctor::fix_journey(&f) else {
            continue;
        };
        let mut driver = Driver::new(&step, &log);
        let mut ui = if args.json {
            Plain::new(args.common.yes).to_stderr()
        } else {
            Plain::new(args.common.yes)
        };
        let outcome = driver.run(&mut ctx, &mut ui);
        if outcome == Outcome::Done {
            applied += 1;
        }
        doctor::recheck_after_fix(&mut findings, &f, &input);
        let now = findings.iter().find(|x| x.id == f.id);
        let verdict = match now {
            None => style.ok("  now: fixed"),
            Some(x) if x.severity == Severity::Ok => style.ok(&format!("  now: ok: {}", x.title)),
            Some(x) => style.bad(&format!("  now: still {}: {}", x.severity.mark(), x.title)),
        };
        let _ = writeln!(out, "{verdict}");
    }
    if let Some(p) = log.path() {
        let _ = writeln!(
            out,
            "\nApplied {applied} fix(es). Session log: {}",
            p.display()
        );
    }
    log.flush();
    let _ = writeln!(out, "\nAfter the fixes:");
    let _ = write!(
        out,
        "{}",
        report::render(&style, &findings, started.elapsed())
    );
    if args.json {
        println!("{}", doctor::finding::to_json(&input.dir, &findings));
    }
    doctor::exit_code(&findings)
}

/// The diff of every file a plan would change.
fn show_diffs(out: &mut dyn Write, style: &Style, plan: &Plan) {
    for a in &plan.actions {
        if let Action::WriteFile { path, contents, .. } = a {
            let now = std::fs::read_to_string(path).unwrap_or_default();
            for l in diff::unified(path, &now, contents).lines() {
                let l = if l.starts_with('+') {
                    style.ok(l)
                } else if l.starts_with('-') {
                    style.bad(l)
                } else {
                    l.to_string()
                };
                let _ = writeln!(out, "    {l}");
            }
        }
    }
}
