//! What stays on the normal screen once the full-screen view is gone: what is
//! left for the user to run, and the failure with its fix. Without it the
//! terminal keeps only the command's last line ("Stopped. Fix the problem
//! above…", with nothing above it).

use super::app::{App, Kind};
use crate::journey::driver::Outcome;
use crate::journey::StepState;

/// Output lines of the failed command repeated under its failure.
const LAST_LINES: usize = 5;

impl App {
    /// The text to print after leaving the full-screen view; empty when there
    /// is nothing to keep. A usage failure is left to the command, which
    /// prints it itself.
    pub fn recap(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        for s in &self.steps {
            if s.state == StepState::LeftToYou {
                out.push(format!("→ {}: not done here, left to you to run:", s.title));
                out.extend(s.detail.lines().map(|l| format!("    {l}")));
            }
        }
        if let Some(Outcome::Failed(f)) = &self.finished {
            if !f.usage {
                let title = self
                    .steps
                    .get(self.current)
                    .map(|s| s.title.as_str())
                    .unwrap_or("A step");
                let last = self.last_output();
                if !last.is_empty() {
                    out.push(format!("{title}: the last lines of output:"));
                    out.extend(last.into_iter().map(|l| format!("    {l}")));
                }
                let mut msg = f.message.lines();
                out.push(format!(
                    "✗ {title} failed: {}",
                    msg.next().unwrap_or_default()
                ));
                out.extend(msg.map(|l| format!("  {l}")));
                if let Some(h) = &f.hint {
                    out.extend(h.lines().map(|l| format!("  {l}")));
                }
                if let Some(fix) = &f.fix {
                    for a in &fix.actions {
                        out.push(format!("  fix: {}", a.summary()));
                    }
                }
            }
        }
        if out.is_empty() {
            return String::new();
        }
        out.join("\n")
    }

    /// The last lines the last command printed (cleaned, blank ones left out).
    fn last_output(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for (kind, l) in self.output.iter().rev() {
            match kind {
                Kind::Output => {
                    let l = super::output::clean(l);
                    if !l.trim().is_empty() {
                        lines.push(l.trim_end().to_string());
                    }
                    if lines.len() == LAST_LINES {
                        break;
                    }
                }
                Kind::Command | Kind::Step => break,
                _ => {}
            }
        }
        lines.reverse();
        lines
    }
}
