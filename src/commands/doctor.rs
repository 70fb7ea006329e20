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
use crate::journey::doctor::{self, fixes, Input};
use crate::journey::driver::Driver;
use crate::journey::Context;
use crate::probe::{Facts, ProbeEnv};
use crate::session::{self, SessionLog};
use crate::ui::doctor_report as report;
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
    // The full-screen checklist on a terminal (Enter runs a fix), unless lines or JSON were asked for.
    let full_screen = !args.json && crate::ui::tui::wanted(args.common.plain || args.common.yes);
    if !full_screen {
        crate::ui::plain::stop_on_signals();
    }
    let started = Instant::now();
    let mut findings = doctor::diagnose(&input);
    let elapsed = started.elapsed();

    if full_screen {
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
    let _ = write!(
        out,
        "{}",
        report::render_with(&style, &findings, elapsed, false)
    );
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
    let mut not_asked = 0;
    while let Some(f) = fixes::next(&findings, &tried).cloned() {
        tried.insert(f.id);
        let fix = f.fix.clone().expect("fixable");
        let _ = writeln!(out, "\n{} {}  [{}]", style.bold("fix:"), f.title, f.id);
        show_preview(&mut out, &style, &f);
        let go = if args.common.yes {
            if !fix.safe {
                not_asked += 1;
                let why = if fix.deletes.is_some() {
                    "it deletes something, so it is never applied without asking"
                } else {
                    "it is not applied without asking"
                };
                let _ = writeln!(
                    out,
                    "  skipped: {why} (run `arcaflow-wizard doctor --fix` without --yes)"
                );
            }
            fix.safe
        } else if interactive {
            let _ = write!(out, "  Apply it? [y/N]: ");
            let _ = out.flush();
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            matches!(line.trim(), "y" | "Y" | "yes")
        } else {
            not_asked += 1;
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
        let verdict = fixes::apply(&mut findings, &f, &input, |steps| {
            let mut driver = Driver::new(steps, &log);
            let mut ui = if args.json {
                Plain::new(args.common.yes).to_stderr()
            } else {
                Plain::new(args.common.yes)
            };
            driver.run(&mut ctx, &mut ui)
        });
        log.line(&format!("doctor fix {}: {}", f.id, verdict.line()));
        if verdict.is_fixed() {
            applied += 1;
        }
        let line = format!("  {}", verdict.line());
        let _ = writeln!(
            out,
            "{}",
            if verdict.is_fixed() {
                style.ok(&line)
            } else {
                style.bad(&line)
            }
        );
    }
    if let Some(p) = log.path() {
        let _ = writeln!(out, "\nFixed {applied}. Session log: {}", p.display());
    }
    log.flush();
    // The summary is a fresh check, so it says what `doctor` run now would say.
    let findings = fixes::after(&input);
    let _ = writeln!(out, "\nAfter the fixes:");
    let _ = write!(
        out,
        "{}",
        report::render_with(&style, &findings, started.elapsed(), false)
    );
    if not_asked > 0 {
        let _ = writeln!(
            out,
            "{not_asked} fix(es) were not applied without asking: run `arcaflow-wizard doctor --fix` on a terminal, without --yes, to be asked."
        );
    }
    if args.json {
        println!("{}", doctor::finding::to_json(&input.dir, &findings));
    }
    doctor::exit_code(&findings)
}

/// What a fix will do (command, diffs, what it deletes), indented.
fn show_preview(out: &mut dyn Write, style: &Style, f: &doctor::Finding) {
    for l in fixes::preview(f) {
        let l = if l.starts_with("$ ") {
            l
        } else if l.starts_with('+') {
            style.ok(&l)
        } else if l.starts_with('-') || l.starts_with("This deletes") {
            style.bad(&l)
        } else {
            l
        };
        let _ = writeln!(out, "  {l}");
    }
}
