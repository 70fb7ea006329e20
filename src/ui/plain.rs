//! The plain front end: one line per event, questions answered from `--yes`
//! defaults or read from standard input.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::style::Style;
use crate::journey::driver::{BlockState, Event, FailureChoice, FileChange, Interact};
use crate::journey::{Answer, Failure, Question, QuestionKind, StepState};
use crate::sys::ffi::Termios;

pub struct Plain {
    pub yes: bool,
    style: Style,
    steps: Vec<(String, String)>,
    /// Where events go: stdout normally, stderr when stdout carries a script or JSON.
    out: Box<dyn Write + Send>,
    interactive: bool,
    /// Reused for each block of command output.
    scratch: Vec<u8>,
    /// Where the output goes is a terminal: commands run at once get one
    /// live status line, redrawn in place.
    live: bool,
    /// The live line is on screen (to be cleared before anything else).
    live_shown: bool,
    group: Vec<String>,
    spin: usize,
}

impl Plain {
    pub fn new(yes: bool) -> Self {
        Plain {
            yes,
            style: Style::detect(),
            steps: Vec::new(),
            out: Box::new(std::io::BufWriter::with_capacity(
                64 * 1024,
                std::io::stdout(),
            )),
            interactive: std::io::stdin().is_terminal(),
            scratch: Vec::new(),
            live: std::io::stdout().is_terminal(),
            live_shown: false,
            group: Vec::new(),
            spin: 0,
        }
    }
    /// Events to stderr (for `--dry-run`, whose stdout is the script).
    pub fn to_stderr(mut self) -> Self {
        self.out = Box::new(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
        self.style.color = self.style.color && std::io::stderr().is_terminal();
        self.live = std::io::stderr().is_terminal();
        self
    }

    fn clear_live(&mut self) {
        if self.live_shown {
            let _ = write!(self.out, "\r\x1b[2K");
            self.live_shown = false;
        }
    }

    /// One line for the commands still running: spinner, how many, their
    /// names and clocks, cut to the terminal's width.
    fn draw_live(&mut self, states: &[BlockState]) {
        if !self.live {
            return;
        }
        const SPIN: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        self.spin = (self.spin + 1) % SPIN.len();
        let running: Vec<String> = states
            .iter()
            .zip(&self.group)
            .filter_map(|(s, cmd)| match s {
                BlockState::Running { since } => Some(format!(
                    "{} {:.1}s",
                    short_name(cmd),
                    since.elapsed().as_secs_f64()
                )),
                _ => None,
            })
            .collect();
        self.clear_live();
        if running.is_empty() {
            let _ = self.out.flush();
            return;
        }
        let width = crossterm::terminal::size()
            .map(|(w, _)| w as usize)
            .unwrap_or(80)
            .max(20);
        let line = format!(
            "  {} {} running: {}",
            SPIN[self.spin],
            running.len(),
            running.join(" · ")
        );
        let line: String = line.chars().take(width - 1).collect();
        let _ = write!(self.out, "{line}");
        self.live_shown = true;
        let _ = self.out.flush();
    }

    fn say(&mut self, s: &str) {
        let _ = writeln!(self.out, "{s}");
        let _ = self.out.flush();
    }

    /// Read one answer line; None at end of input.
    fn read_line(&mut self, prompt: &str, secret: bool) -> Option<String> {
        // Echo off before the prompt shows: a token typed (or pasted) as soon
        // as the prompt appears must not be echoed.
        let echo_off = secret && self.interactive && std::io::stdin().is_terminal();
        let guard = if echo_off { Termios::echo_off() } else { None };
        let _ = write!(self.out, "{prompt}");
        let _ = self.out.flush();
        let mut line = String::new();
        let n = std::io::stdin().lock().read_line(&mut line).ok()?;
        drop(guard);
        if echo_off {
            self.say("");
        }
        (n > 0).then(|| line.trim_end_matches(['\n', '\r']).to_string())
    }

    pub fn failure(&mut self, f: &Failure) {
        let msg = format!("✗ {}", f.message);
        let msg = self.style.bad(&msg);
        self.say(&msg);
        if let Some(h) = &f.hint {
            for l in h.lines() {
                self.say(&format!("  {l}"));
            }
        }
    }
}

/// A command's short name for the live line: the tool, not the venv's path.
pub(crate) fn short_name(summary: &str) -> String {
    let words: Vec<&str> = summary
        .trim_start_matches("$ ")
        .split_whitespace()
        .collect();
    let pick = match words.as_slice() {
        [_, "-m", m, ..] => m.to_string(),
        [_, "run", "python", "-m", m, ..] => m.to_string(),
        [_, "run", "python", f, rest @ ..] | [_, f, rest @ ..] => {
            let base = f.rsplit('/').next().unwrap_or(f).to_string();
            match rest.first() {
                Some(a) if a.starts_with('-') => format!("{base} {a}"),
                _ => base,
            }
        }
        _ => summary.to_string(),
    };
    pick
}

impl Interact for Plain {
    fn event(&mut self, ev: &Event) {
        let st = self.style;
        if !matches!(ev, Event::GroupStatus(_)) {
            self.clear_live();
        }
        match ev {
            Event::GroupStart(cmds) => {
                self.group = cmds.iter().map(|c| c.summary.clone()).collect();
                self.say(&format!(
                    "  {} commands at once; each one's output follows when it ends:",
                    cmds.len()
                ));
            }
            Event::GroupStatus(states) => self.draw_live(states),
            Event::Block {
                summary,
                output,
                ok,
                ending,
                elapsed,
                ..
            } => {
                self.say(&format!("  {}", st.bold(summary)));
                if !output.is_empty() {
                    self.event(&Event::Output(output.clone()));
                }
                let secs = elapsed.as_secs_f64();
                if *ok {
                    self.say(&st.ok(&format!("    ✓ ({secs:.1} s)")));
                } else {
                    self.say(&st.bad(&format!("    ✗ {ending} ({secs:.1} s)")));
                }
            }
            Event::GroupEnd { elapsed } => {
                let line = format!(
                    "    all {} ended in {:.2} s",
                    self.group.len(),
                    elapsed.as_secs_f64()
                );
                self.say(&st.dim(&line));
                self.group.clear();
                let _ = self.out.flush();
            }
            Event::Steps(s) => self.steps.clone_from(s),
            Event::StepState {
                index,
                state,
                detail,
            } => {
                let title = self
                    .steps
                    .get(*index)
                    .map(|s| s.1.clone())
                    .unwrap_or_default();
                let n = format!("[{}/{}]", index + 1, self.steps.len());
                let line = match state {
                    StepState::Running => format!("\n{} {}", st.bold(&n), st.bold(&title)),
                    StepState::Done => st.ok(&format!("✓ {title}: done")),
                    StepState::Skipped => st.ok(&format!("✓ {title}: already done ({detail})")),
                    StepState::Declined => st.warn(&format!("⊘ {title}: skipped: {detail}")),
                    StepState::LeftToYou => {
                        let mut l =
                            st.warn(&format!("→ {title}: not done here, left to you to run:"));
                        for d in detail.lines() {
                            l.push_str(&format!("\n    {d}"));
                        }
                        l
                    }
                    StepState::Failed => st.bad(&format!("✗ {title}: {detail}")),
                    StepState::Waiting => return,
                };
                self.say(&line);
            }
            Event::Note(n) => {
                let mut first = true;
                for l in n.lines() {
                    let l = if first {
                        format!("  note: {l}")
                    } else {
                        format!("        {l}")
                    };
                    first = false;
                    self.say(&st.warn(&l));
                }
            }
            Event::ActionStart(s) => self.say(&format!("  {}", st.bold(&s.summary))),
            // Dim each line, and reset once after the block: the same look as a
            // code per line, for one pass over the bytes.
            Event::Output(block) => {
                let prefix = if st.color { "    \x1b[2m" } else { "    " };
                self.scratch.clear();
                crate::exec::lines::indent_into(&mut self.scratch, prefix, block);
                if st.color {
                    self.scratch.extend_from_slice(b"\x1b[0m");
                }
                let _ = self.out.write_all(&self.scratch);
            }
            Event::OutputIdle => {
                let _ = self.out.flush();
            }
            Event::LogOnly(_) => {}
            Event::ActionEnd {
                ok,
                summary,
                elapsed,
            } => {
                let secs = elapsed.as_secs_f64();
                if *ok {
                    self.say(&st.dim(&format!("    ({secs:.1} s)")));
                } else {
                    self.say(&st.bad(&format!("    ✗ {summary} ({secs:.1} s)")));
                }
            }
            Event::File { path, written } => {
                let line = if *written {
                    format!("  wrote {}", path.display())
                } else {
                    format!("  kept your {} unchanged", path.display())
                };
                self.say(&line);
            }
        }
    }

    fn ask(&mut self, q: &Question, error: Option<&str>) -> Answer {
        let flag = q
            .flag
            .map(|f| format!(" (or pass {f})"))
            .unwrap_or_default();
        if let Some(e) = error {
            if self.yes || !self.interactive {
                return Answer::Unanswerable(format!("{}: {e}", q.flag.unwrap_or(q.key)));
            }
            self.say(&self.style.bad(&format!("  {e}")));
        }
        if self.yes {
            return match (&q.default, q.kind == QuestionKind::Secret) {
                (Some(d), false) => Answer::Value(d.clone()),
                _ => Answer::Unanswerable(format!(
                    "--yes was given but \"{}\" has no default: answer it with {}",
                    q.prompt,
                    q.flag
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("`{}` in --answers FILE", q.key))
                )),
            };
        }
        if let QuestionKind::Choice(opts) = &q.kind {
            self.say(&format!("  {}{flag}", q.prompt));
            for (i, (_, label)) in opts.iter().enumerate() {
                self.say(&format!("    {}) {label}", i + 1));
            }
        }
        let def = match (&q.kind, &q.default) {
            (QuestionKind::Secret, _) | (_, None) => String::new(),
            (QuestionKind::YesNo, Some(d)) => {
                if d == "yes" { " [Y/n]" } else { " [y/N]" }.to_string()
            }
            (_, Some(d)) => format!(" [{d}]"),
        };
        let prompt = match &q.kind {
            QuestionKind::Choice(_) => format!("  choice{def}: "),
            _ => format!("  {}{flag}{def}: ", q.prompt),
        };
        match self.read_line(&prompt, q.kind == QuestionKind::Secret) {
            None => Answer::Unanswerable(format!(
                "no answer for \"{}\" (standard input ended){}",
                q.prompt,
                q.flag
                    .map(|f| format!(": pass {f}, or --yes to take the defaults"))
                    .unwrap_or_default()
            )),
            Some(l) if l.trim().is_empty() => match &q.default {
                Some(d) if q.kind != QuestionKind::Secret => Answer::Value(d.clone()),
                _ => Answer::Value(String::new()),
            },
            Some(l) => Answer::Value(l),
        }
    }

    fn confirm_write(&mut self, path: &Path, change: &FileChange) -> bool {
        if change.new {
            return true;
        }
        // A change to a file that exists is always shown, also when nobody is
        // asked: a file this run made, or a change agreed with --yes (release's
        // version bump): the log of the terminal then says what was changed.
        if change.asked_for && !change.also.is_empty() {
            let names: Vec<String> = std::iter::once(path)
                .chain(change.also.iter().map(|p| p.as_path()))
                .map(|p| p.display().to_string())
                .collect();
            self.say(&format!("  One change to {}:", names.join(" and ")));
        } else if change.replaces_users_file {
            self.say(&format!("  {} exists and would change:", path.display()));
        } else {
            self.say(&format!("  {} changes:", path.display()));
        }
        for l in change.diff.lines() {
            let l = if l.starts_with('+') {
                self.style.ok(l)
            } else if l.starts_with('-') {
                self.style.bad(l)
            } else {
                l.to_string()
            };
            self.say(&format!("    {l}"));
        }
        if change.asked_for {
            // The change the user asked for (the version they chose): default yes.
            if self.yes || !self.interactive {
                return true;
            }
            let q = if change.also.is_empty() {
                "  Write it? [Y/n]: "
            } else {
                "  Write them all? [Y/n]: "
            };
            return !matches!(
                self.read_line(q, false).as_deref().map(str::trim),
                Some("n" | "N" | "no")
            );
        }
        if !change.replaces_users_file {
            return true;
        }
        if self.yes || !self.interactive {
            self.say("  not changed: it is yours (answer yes interactively to replace it)");
            return false;
        }
        matches!(
            self.read_line("  Replace it? [y/N]: ", false)
                .as_deref()
                .map(str::trim),
            Some("y" | "Y" | "yes")
        )
    }

    fn on_failure(&mut self, step_title: &str, f: &Failure) -> FailureChoice {
        let _ = step_title;
        self.failure(f);
        if self.yes || !self.interactive {
            return FailureChoice::Quit;
        }
        let fix = if f.fix.is_some() {
            ", [f]ix (run the suggested fix)"
        } else {
            ""
        };
        let again_choice = crate::ui::again::again_choice(f);
        let again = match again_choice {
            Some(a) if a.key == 't' => ", [t]oken again (typed, not shown)".to_string(),
            Some(a) => format!(", [{}]{}", a.key, &a.word[1..]),
            None => String::new(),
        };
        loop {
            let prompt = format!("  [r]etry{again}{fix}, [s]kip, [q]uit: ");
            match self.read_line(&prompt, false).as_deref().map(str::trim) {
                Some("r") => return FailureChoice::Retry,
                Some(k) if again_choice.is_some_and(|a| k == a.key.to_string()) => {
                    return FailureChoice::AskAgain;
                }
                Some("f") if f.fix.is_some() => return FailureChoice::RunFix,
                Some("s") => return FailureChoice::Skip,
                Some("q") | None => return FailureChoice::Quit,
                _ => {}
            }
        }
    }
}

/// From now on, SIGINT, SIGTERM and SIGHUP stop the wizard cleanly: the running
/// command's whole group is ended (nothing it started is left running), the
/// terminal gets back the settings it had here (echo on, also when the
/// signal came at the masked token prompt), one line says what happened, and
/// the exit code is 128 + the signal (130, 143, 129). The full-screen view
/// installs it too, before it takes the terminal: it reads Ctrl-C as a key,
/// and SIGTERM, SIGHUP or a SIGINT sent by `kill` come here, which gives its
/// terminal back first.
pub fn stop_on_signals() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let saved = Termios::of_stdin();
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    // The full-screen view first (raw mode, the alternate
                    // screen), so that the line below lands on the user's screen.
                    crate::ui::tui::term::give_back();
                    if let Some(t) = &saved {
                        t.restore();
                    }
                    let what = match sig {
                        SIGINT => "Ctrl-C (SIGINT)",
                        SIGTERM => "SIGTERM",
                        _ => "SIGHUP (the terminal closed)",
                    };
                    crate::exec::stop_all(&format!("stopped by {what}"));
                    let _ = std::io::stdout().flush();
                    // Not eprintln!: after a hang-up the terminal is gone, and
                    // a failed write must not keep the wizard from exiting.
                    let _ = writeln!(
                        std::io::stderr(),
                        "\nStopped by {what}: the command that was running was ended, nothing more was done. \
                         Run the same command again to go on."
                    );
                    std::process::exit(128 + sig);
                }
            });
        drop(spawned);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// What a Plain front end printed.
    #[derive(Clone, Default)]
    struct Printed(Arc<Mutex<Vec<u8>>>);

    impl Printed {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Printed {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn plain_yes() -> (Plain, Printed) {
        let printed = Printed::default();
        let mut p = Plain::new(true);
        p.out = Box::new(printed.clone());
        p.style.color = false;
        p.interactive = false;
        (p, printed)
    }

    fn change(replaces_users_file: bool) -> FileChange {
        FileChange {
            new: false,
            diff: "--- a/pyproject.toml\n+++ b/pyproject.toml\n-version = \"1.0.0\"\n+version = \"1.1.0\"\n"
                .into(),
            replaces_users_file,
            ..FileChange::default()
        }
    }

    #[test]
    fn an_agreed_change_is_written_and_its_diff_shown() {
        let (mut p, printed) = plain_yes();
        assert!(p.confirm_write(Path::new("pyproject.toml"), &change(false)));
        let text = printed.text();
        assert!(text.contains("pyproject.toml changes:"), "{text}");
        assert!(text.contains("-version = \"1.0.0\""), "{text}");
        assert!(text.contains("+version = \"1.1.0\""), "{text}");
    }

    #[test]
    fn a_users_file_is_shown_and_kept_under_yes() {
        let (mut p, printed) = plain_yes();
        assert!(!p.confirm_write(Path::new("pyproject.toml"), &change(true)));
        let text = printed.text();
        assert!(text.contains("exists and would change"), "{text}");
        assert!(text.contains("+version = \"1.1.0\""), "{text}");
        assert!(text.contains("not changed: it is yours"), "{text}");
    }

    #[test]
    fn a_new_file_is_written_without_a_diff() {
        let (mut p, printed) = plain_yes();
        let mut c = change(false);
        c.new = true;
        assert!(p.confirm_write(Path::new("README.md"), &c));
        assert!(printed.text().is_empty());
    }

    /// A declined upload is not "already done", and a step that ran nothing
    /// is not "done": each says what it is, with a marker of its own.
    #[test]
    fn a_declined_step_says_skipped_and_a_left_one_what_to_run() {
        let (mut p, printed) = plain_yes();
        p.event(&Event::Steps(vec![
            ("pypi".into(), "Upload to PyPI".into()),
            ("finish".into(), "Tag the release".into()),
        ]));
        p.event(&Event::StepState {
            index: 0,
            state: StepState::Declined,
            detail: "not uploaded to PyPI".into(),
        });
        p.event(&Event::StepState {
            index: 1,
            state: StepState::LeftToYou,
            detail: "Commit the version change and tag it:\n  git tag v0.1.1".into(),
        });
        let text = printed.text();
        assert!(
            text.contains("⊘ Upload to PyPI: skipped: not uploaded to PyPI"),
            "{text}"
        );
        assert!(!text.contains("already done"), "{text}");
        assert!(!text.contains("✓"), "{text}");
        assert!(
            text.contains("→ Tag the release: not done here, left to you to run:\n    Commit"),
            "{text}"
        );
        assert!(text.contains("\n      git tag v0.1.1"), "{text}");
    }
}
