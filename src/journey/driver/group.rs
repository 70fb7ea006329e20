//! The driver's side of commands run at once: what the front end is told
//! (the group, a live status, each command's block whole in start order),
//! the outputs kept for verify, each output judged by its step, and one
//! failure that names every command that failed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{BlockState, Driver, Event, Interact, Shown};
use crate::exec::parallel::{run_group, Ended, GroupMsg};
use crate::journey::{context::OUTPUT_KEPT, explain, Context, Failure, Step};
use crate::plan::Cmd;

/// How often the live status line is redrawn while nothing else happens.
const TICK: Duration = Duration::from_millis(100);

/// A command's summary line, as `run_command` shows it.
pub(super) fn summary_of(cmd: &Cmd) -> String {
    match &cmd.label {
        Some(l) => format!("$ {}  # {l}", cmd.display()),
        None => format!("$ {}", cmd.display()),
    }
}

struct Done {
    ok: bool,
    ending: String,
    elapsed: Duration,
    output: String,
    failure: Option<Failure>,
}

impl Driver<'_> {
    pub(super) fn run_group(
        &self,
        step: &dyn Step,
        branches: &[Vec<Cmd>],
        ctx: &mut Context,
        ui: &mut dyn Interact,
    ) -> Result<(), Failure> {
        let cmds: Vec<&Cmd> = branches.iter().flatten().collect();
        let summaries: Vec<String> = cmds.iter().map(|c| summary_of(c)).collect();
        self.emit(
            ui,
            Event::GroupStart(cmds.iter().map(|c| Shown::of(c)).collect()),
        );
        let secrets: Vec<String> = ctx.secrets.values().cloned().collect();
        let mut states = vec![BlockState::Waiting; cmds.len()];
        let mut done: Vec<Option<Done>> = (0..cmds.len()).map(|_| None).collect();
        let mut shown = 0;
        let started = Instant::now();
        let ctx_ref: &Context = ctx;
        run_group(branches, &secrets, &self.cancel, TICK, &mut |m| {
            match m {
                GroupMsg::Started(i) => {
                    states[i] = BlockState::Running {
                        since: Instant::now(),
                    }
                }
                GroupMsg::Ended(i, ended, kept) => {
                    let text = kept.text();
                    let d = judge(step, ctx_ref, cmds[i], ended, text);
                    states[i] = if d.ending.starts_with("not run") {
                        BlockState::NotRun
                    } else {
                        BlockState::Done {
                            ok: d.ok,
                            elapsed: d.elapsed,
                        }
                    };
                    done[i] = Some(d);
                }
                GroupMsg::Tick => {}
            }
            self.emit(ui, Event::GroupStatus(states.clone()));
            // Each block whole, in start order: a later one that ended first waits.
            while let Some(Some(d)) = done.get(shown) {
                self.emit(
                    ui,
                    Event::Block {
                        index: shown,
                        summary: summaries[shown].clone(),
                        output: Arc::from(d.output.as_str()),
                        ok: d.ok,
                        ending: d.ending.clone(),
                        elapsed: d.elapsed,
                    },
                );
                shown += 1;
            }
        });
        self.emit(
            ui,
            Event::GroupEnd {
                elapsed: started.elapsed(),
            },
        );
        let mut failures = Vec::new();
        for (cmd, d) in cmds.iter().zip(done) {
            let Some(d) = d else { continue };
            let mut kept = d.output;
            kept.truncate(floor_char_boundary(&kept, OUTPUT_KEPT));
            ctx.outputs.insert(cmd.display(), kept);
            match d.failure {
                // Said, and the step goes on (see `Failure::warning`).
                Some(f) if f.warning => self.emit(ui, Event::Note(format!("Warning: {f}"))),
                Some(f) => failures.push(f),
                None => {}
            }
        }
        if self.cancel.is_cancelled() {
            return Err(Failure::new("cancelled"));
        }
        match failures.len() {
            0 => Ok(()),
            1 => Err(failures.remove(0)),
            n => {
                let mut message = format!("{n} of the {} commands run at once failed:", cmds.len());
                let mut hints = Vec::new();
                for f in failures {
                    message.push_str(&format!("\n  - {}", f.message));
                    if let Some(h) = f.hint {
                        hints.push(h);
                    }
                }
                let mut f = Failure::new(message);
                if !hints.is_empty() {
                    f = f.hint(hints.join("\n"));
                }
                Err(f)
            }
        }
    }
}

/// How a command of the group ended, its output judged by the step.
fn judge(step: &dyn Step, ctx: &Context, cmd: &Cmd, ended: Ended, output: String) -> Done {
    match ended {
        Ended::Ran(res) => {
            let mut d = Done {
                ok: res.success(),
                ending: res.describe(),
                elapsed: res.elapsed,
                output,
                failure: None,
            };
            if res.success() {
                if let Err(f) = step.judge(ctx, cmd, &d.output) {
                    d.ok = false;
                    d.ending.clone_from(&f.message);
                    d.failure = Some(f);
                }
            } else {
                d.failure = Some(
                    step.explain(ctx, cmd, &res)
                        .or_else(|| explain::tool_failure(cmd, &res))
                        .unwrap_or_else(|| {
                            Failure::new(format!("`{}` {}", cmd.display(), res.describe()))
                        }),
                );
            }
            d
        }
        Ended::NotStarted(e) => Done {
            ok: false,
            ending: format!("could not start: {e}"),
            elapsed: Duration::ZERO,
            output: String::new(),
            failure: Some(Failure::new(format!(
                "could not start {}: {e}",
                cmd.program.display()
            ))),
        },
        Ended::NotRun => Done {
            ok: false,
            ending: "not run: the command before it failed, or it was cancelled".into(),
            elapsed: Duration::ZERO,
            output: String::new(),
            failure: None,
        },
    }
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::context::Options;
    use crate::journey::driver::{FailureChoice, FileChange, Outcome};
    use crate::journey::{Answer, Check, Question};
    use crate::plan::{Action, Plan};
    use crate::probe::{Facts, ProbeEnv};
    use crate::session::SessionLog;

    #[derive(Default)]
    struct Record(Vec<Event>);
    impl Interact for Record {
        fn event(&mut self, ev: &Event) {
            self.0.push(ev.clone());
        }
        fn ask(&mut self, _q: &Question, _e: Option<&str>) -> Answer {
            Answer::Quit
        }
        fn confirm_write(&mut self, _p: &std::path::Path, _c: &FileChange) -> bool {
            false
        }
        fn on_failure(&mut self, _t: &str, _f: &Failure) -> FailureChoice {
            FailureChoice::Quit
        }
    }

    /// Three checks: the first slow and failing, the second fast and
    /// failing, the third's output judged wrong by the step; then a command
    /// that must not run.
    struct Checks;
    impl Step for Checks {
        fn id(&self) -> &'static str {
            "checks"
        }
        fn title(&self) -> &'static str {
            "Checks"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn judge(&self, _ctx: &Context, _cmd: &Cmd, output: &str) -> Result<(), Failure> {
            if output.contains("answer: error") {
                return Err(Failure::new("the example answered error"));
            }
            Ok(())
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            let sh = |s: &str| Cmd::new("sh").args(["-c", s]);
            let mut p = Plan::new();
            p.push(Action::Parallel(vec![
                vec![sh("sleep 0.5; echo slow; exit 2"), sh("echo never")],
                vec![sh("echo fast; exit 3")],
                vec![sh("echo 'answer: error'")],
            ]));
            Ok(p.run(sh("echo after")))
        }
    }

    #[test]
    fn blocks_come_whole_in_start_order_and_every_failure_is_named() {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Checks)];
        let log = SessionLog::disabled();
        let mut ui = Record::default();
        let mut ctx = Context::new(
            std::env::temp_dir(),
            Options::default(),
            Facts::default(),
            ProbeEnv::from_env(),
        );
        let out = crate::journey::driver::Driver::new(&steps, &log).run(&mut ctx, &mut ui);
        let Outcome::Failed(f) = out else {
            panic!("{out:?}")
        };
        assert!(
            f.message.starts_with("3 of the 4 commands"),
            "{}",
            f.message
        );
        assert!(f.message.contains("exited with code 2"), "{}", f.message);
        assert!(f.message.contains("exited with code 3"), "{}", f.message);
        assert!(f.message.contains("answered error"), "{}", f.message);
        let blocks: Vec<(usize, String, bool)> =
            ui.0.iter()
                .filter_map(|e| match e {
                    Event::Block {
                        index, output, ok, ..
                    } => Some((*index, output.to_string(), *ok)),
                    _ => None,
                })
                .collect();
        assert_eq!(
            blocks,
            vec![
                (0, "slow".into(), false),
                (1, String::new(), false),
                (2, "fast".into(), false),
                (3, "answer: error".into(), false),
            ]
        );
        // The fast one ended first: the status said so before its block came.
        let first_done = ui.0.iter().position(
            |e| matches!(e, Event::GroupStatus(s) if matches!(s[2], BlockState::Done { .. })),
        );
        let slow_block =
            ui.0.iter()
                .position(|e| matches!(e, Event::Block { index: 0, .. }));
        assert!(first_done < slow_block, "{:?}", ui.0);
        // Nothing after the group ran.
        assert!(!ui
            .0
            .iter()
            .any(|e| matches!(e, Event::Output(o) if o.contains("after"))));
        assert!(ctx.outputs.values().any(|o| o == "fast"));
    }
}
