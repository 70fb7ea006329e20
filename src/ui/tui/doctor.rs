//! `doctor` in the full-screen wizard: the findings as a checklist (one line
//! each with its mark; the selected one's detail and fix below), Enter on a
//! finding with an automatic fix runs it the way `doctor --fix` does (a
//! one-step journey through the Driver, shown in the journey screen with its
//! output, diffs and failure choices), then checks that group again.

use std::sync::mpsc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::app::Msg;
use super::term::{self, Term};
use super::theme::Theme;
use super::view::{draw_keys, truncate, wrap};
use crate::journey::doctor::{self, Finding, Input, Severity};
use crate::journey::driver::Driver;
use crate::journey::Context;
use crate::session::SessionLog;

pub struct Checklist {
    pub findings: Vec<Finding>,
    pub selected: usize,
    pub theme: Theme,
    /// What the last fix did, shown above the list.
    pub status: Option<String>,
}

enum Action {
    Quit,
    Fix(usize),
    Recheck,
}

impl Checklist {
    pub fn new(findings: Vec<Finding>, theme: Theme) -> Self {
        let mut c = Checklist {
            findings,
            selected: 0,
            theme,
            status: None,
        };
        c.sort();
        c
    }

    /// Problems first, then warnings, then what is fine.
    fn sort(&mut self) {
        self.findings
            .sort_by_key(|f| (std::cmp::Reverse(f.severity), f.group));
    }

    fn key(&mut self, k: KeyEvent) -> Option<Action> {
        let n = self.findings.len().max(1);
        match k.code {
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Some(Action::Quit),
            KeyCode::Esc | KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = (self.selected + n - 1) % n;
                None
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.selected = (self.selected + 1) % n;
                None
            }
            KeyCode::Char('r') => Some(Action::Recheck),
            KeyCode::Enter | KeyCode::Char('f') => {
                let f = self.findings.get(self.selected)?;
                if f.fixable() {
                    Some(Action::Fix(self.selected))
                } else {
                    self.status = Some(match &f.fix {
                        Some(_) => "This fix is for you to run: the command is shown below.".into(),
                        None => "Nothing to fix here.".into(),
                    });
                    None
                }
            }
            _ => None,
        }
    }

    pub fn draw(&self, f: &mut Frame) {
        let t = &self.theme;
        let area = f.area();
        let [header, body, detail, keys] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(5),
            Constraint::Length(area.height.saturating_sub(2) / 3 + 1),
            Constraint::Length(1),
        ])
        .areas(area);
        let problems = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Problem)
            .count();
        let warnings = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" arcaflow-wizard · doctor", t.bold().patch(t.accent())),
                Span::styled(
                    format!("  {problems} problem(s), {warnings} warning(s)"),
                    t.dim(),
                ),
            ])),
            header,
        );
        let block = Block::bordered().title(" Findings ");
        let inner = block.inner(body);
        f.render_widget(block, body);
        let w = inner.width as usize;
        let mut lines = Vec::new();
        if let Some(s) = &self.status {
            lines.push(Line::styled(truncate(s, w), t.warn().patch(t.bold())));
        }
        let room = (inner.height as usize).saturating_sub(lines.len()).max(1);
        let start = self.selected.saturating_sub(room - 1);
        for (i, fnd) in self.findings.iter().enumerate().skip(start).take(room) {
            let (mark, style) = match fnd.severity {
                Severity::Ok => ("✓", t.ok()),
                Severity::Warning => ("!", t.warn()),
                Severity::Problem => ("✗", t.bad().patch(t.bold())),
            };
            let tail = if fnd.fixable() { "  [Enter: fix]" } else { "" };
            let sel = i == self.selected;
            let text = format!(
                "{} {mark} {}",
                if sel { "›" } else { " " },
                truncate(&fnd.title, w.saturating_sub(4 + tail.chars().count()))
            );
            let style = if sel {
                style.patch(t.selected())
            } else {
                style
            };
            lines.push(Line::from(vec![
                Span::styled(text, style),
                Span::styled(tail, t.accent()),
            ]));
        }
        f.render_widget(Paragraph::new(lines), inner);

        let block = Block::bordered().title(" Detail ");
        let inner = block.inner(detail);
        f.render_widget(block, detail);
        let w = inner.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(fnd) = self.findings.get(self.selected) {
            lines.push(Line::styled(
                truncate(&format!("{}  [{}]", fnd.title, fnd.id), w),
                t.bold(),
            ));
            lines.extend(wrap(&fnd.detail, w).into_iter().map(Line::raw));
            if let Some(fix) = &fnd.fix {
                for c in fix.command.lines() {
                    lines.push(Line::styled(
                        truncate(&format!("fix: $ {c}"), w),
                        t.accent(),
                    ));
                }
            }
        }
        f.render_widget(Paragraph::new(lines), inner);
        draw_keys(
            f,
            t,
            keys,
            &[
                ("↑↓", "choose"),
                ("Enter", "run the fix"),
                ("r", "check again"),
                ("q/Esc", "quit"),
            ],
        );
    }
}

/// The checklist until the user quits; the findings at that point.
pub fn run(input: &Input, findings: Vec<Finding>, log: &SessionLog) -> Vec<Finding> {
    let theme = Theme::detect();
    let mut list = Checklist::new(findings, theme);
    let mut ctx = Context::new(
        input.dir.clone(),
        Default::default(),
        Default::default(),
        input.env.clone(),
    );
    loop {
        let action = match pick(&mut list) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("arcaflow-wizard: cannot use the full-screen wizard ({e})");
                return list.findings;
            }
        };
        match action {
            Action::Quit => return list.findings,
            Action::Recheck => {
                list.findings = doctor::diagnose(input);
                list.sort();
                list.status = Some("Checked again.".into());
            }
            Action::Fix(i) => {
                let f = list.findings[i].clone();
                let fix = f.fix.clone().expect("fixable");
                log.line(&format!("doctor fix {}: {}", f.id, fix.command));
                let Some(steps) = doctor::fix_journey(&f) else {
                    continue;
                };
                let mut driver = Driver::new(&steps, log);
                let outcome = super::run_journey("doctor fix", &mut driver, &mut ctx);
                doctor::recheck_after_fix(&mut list.findings, &f, input);
                list.sort();
                let now = list.findings.iter().position(|x| x.id == f.id);
                list.status = Some(match now.map(|p| &list.findings[p]) {
                    None => format!("{}: fixed.", f.title),
                    Some(x) if x.severity == Severity::Ok => format!("now ok: {}", x.title),
                    Some(x) => format!(
                        "still {}: {} ({})",
                        x.severity.mark(),
                        x.title,
                        match outcome {
                            crate::journey::driver::Outcome::Done => "the fix ran",
                            _ => "the fix did not finish",
                        }
                    ),
                });
                list.selected = now.unwrap_or(0);
            }
        }
    }
}

/// Show the checklist until the user picks something.
fn pick(list: &mut Checklist) -> std::io::Result<Action> {
    let mut t = Term::enter()?;
    let (tx, rx) = mpsc::channel();
    term::attach(tx);
    let res = (|| {
        t.draw(|f| list.draw(f))?;
        loop {
            match rx.recv() {
                Ok(Msg::Key(k)) => {
                    if let Some(a) = list.key(k) {
                        return Ok(a);
                    }
                }
                Ok(_) => {}
                Err(_) => return Ok(Action::Quit),
            }
            t.draw(|f| list.draw(f))?;
        }
    })();
    term::detach();
    drop(t);
    res
}
