//! `doctor` in the full-screen wizard: the findings as a checklist (one line
//! each with its mark; the selected one's fix and detail below). Enter on a
//! finding with an automatic fix shows what it will do (the command, the diff
//! of every file, what it deletes) and asks yes or no (a fix that only writes
//! files is asked about by the journey screen's diff question); yes runs it through
//! the shared fix loop (`journey::doctor::fixes`: a one-step journey in the
//! journey screen, then the check again).

use std::sync::mpsc;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::app::Msg;
use super::term::{self, Term};
use super::theme::Theme;
use super::view::{draw_keys, truncate, wrap};
use crate::journey::doctor::{self, fixes, Finding, Input, Severity};
use crate::journey::driver::Driver;
use crate::journey::Context;
use crate::session::SessionLog;

pub(crate) struct Checklist {
    pub findings: Vec<Finding>,
    pub selected: usize,
    pub theme: Theme,
    /// What the last fix did, shown above the list.
    pub status: Option<String>,
    /// The fix being asked about (the index of its finding).
    pub confirm: Option<usize>,
    /// How far the detail (or the fix being asked about) is scrolled.
    pub scroll: usize,
}

enum Action {
    Quit,
    Fix(usize),
    Recheck,
}

impl Checklist {
    pub(crate) fn new(findings: Vec<Finding>, theme: Theme) -> Self {
        let mut c = Checklist {
            findings,
            selected: 0,
            theme,
            status: None,
            confirm: None,
            scroll: 0,
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
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Action::Quit);
        }
        if let Some(i) = self.confirm {
            return match k.code {
                KeyCode::Char('y' | 'Y') => {
                    self.confirm = None;
                    Some(Action::Fix(i))
                }
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => {
                    self.confirm = None;
                    self.scroll = 0;
                    self.status = Some("Not applied: nothing was changed.".into());
                    None
                }
                KeyCode::PageDown | KeyCode::Down | KeyCode::Char('j') => {
                    self.scroll += 1;
                    None
                }
                KeyCode::PageUp | KeyCode::Up | KeyCode::Char('k') => {
                    self.scroll = self.scroll.saturating_sub(1);
                    None
                }
                _ => None,
            };
        }
        let n = self.findings.len().max(1);
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = (self.selected + n - 1) % n;
                self.scroll = 0;
                None
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.selected = (self.selected + 1) % n;
                self.scroll = 0;
                None
            }
            KeyCode::PageDown => {
                self.scroll += 1;
                None
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(1);
                None
            }
            KeyCode::Char('r') => Some(Action::Recheck),
            KeyCode::Enter | KeyCode::Char('f') => {
                let f = self.findings.get(self.selected)?;
                if !f.fixable() {
                    self.status = Some(match &f.fix {
                        Some(_) => "This fix is for you to run: the command is shown below.".into(),
                        None => "Nothing to fix here.".into(),
                    });
                    return None;
                }
                // The lock before the venv's `poetry install`: offer that one first.
                if let Some(first) = fixes::pending_before(&self.findings, f) {
                    let (title, id) = (f.title.clone(), first.id);
                    self.status = Some(format!(
                        "First this one: \"{title}\" needs it fixed before it can work."
                    ));
                    self.selected = self.findings.iter().position(|x| x.id == id)?;
                    self.scroll = 0;
                    return None;
                }
                self.scroll = 0;
                // A fix that only writes files: the journey screen shows each
                // diff and asks, as for any file; asking here too would be twice.
                let writes_only = f.fix.as_ref().is_some_and(|x| {
                    x.deletes.is_none()
                        && x.plan
                            .actions
                            .iter()
                            .all(|a| matches!(a, crate::plan::Action::WriteFile { .. }))
                });
                if writes_only {
                    return Some(Action::Fix(self.selected));
                }
                self.confirm = Some(self.selected);
                None
            }
            _ => None,
        }
    }

    pub(crate) fn draw(&self, f: &mut Frame) {
        let t = &self.theme;
        let area = f.area();
        let [header, body, detail, keys] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(5),
            Constraint::Length(area.height.saturating_sub(2) / 3 + 2),
            Constraint::Length(1),
        ])
        .areas(area);
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" arcaflow-wizard · doctor", t.bold().patch(t.accent())),
                Span::styled(
                    format!(
                        "  {} problem(s), {} warning(s), {} ok",
                        count(Severity::Problem),
                        count(Severity::Warning),
                        count(Severity::Ok)
                    ),
                    t.dim(),
                ),
            ])),
            header,
        );
        if let Some(i) = self.confirm {
            self.draw_confirm(f, i, body.union(detail));
            draw_keys(
                f,
                t,
                keys,
                &[
                    ("y", "run it"),
                    ("n/Esc", "do not"),
                    ("PgUp/PgDn", "scroll"),
                ],
            );
            return;
        }
        self.draw_list(f, body);
        self.draw_detail(f, detail);
        draw_keys(
            f,
            t,
            keys,
            &[
                ("↑↓", "choose"),
                ("Enter", "fix"),
                ("PgDn", "detail"),
                ("r", "check again"),
                ("q/Esc", "quit"),
            ],
        );
    }

    fn draw_list(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let block = Block::bordered().title(" Findings ");
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let mut lines = Vec::new();
        if let Some(s) = &self.status {
            for l in wrap(s, w).into_iter().take(2) {
                lines.push(Line::styled(l, t.warn().patch(t.bold())));
            }
        }
        let total = self.findings.len();
        let avail = (inner.height as usize).saturating_sub(lines.len()).max(1);
        // What fits, with a marker line for the rows above and below when it scrolls.
        let (mut start, mut room) = (0, avail);
        if total > avail {
            room = avail.saturating_sub(1).max(1);
            start = self.selected.saturating_sub(room - 1);
            if start > 0 {
                room = room.saturating_sub(1).max(1);
                start = self
                    .selected
                    .saturating_sub(room - 1)
                    .min(total.saturating_sub(room));
            }
        }
        let end = (start + room).min(total);
        if start > 0 {
            lines.push(Line::styled(format!("  ↑ {start} more"), t.dim()));
        }
        for (i, fnd) in self.findings.iter().enumerate().take(end).skip(start) {
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
                truncate(&fnd.title, w.saturating_sub(4 + crate::text::width(tail)))
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
        if end < total {
            lines.push(Line::styled(format!("  ↓ {} more", total - end), t.dim()));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }

    /// The selected finding: its title, then the fix (so it is never cut
    /// off), then the detail; wrapped, and scrolled with PgUp/PgDn.
    fn draw_detail(&self, f: &mut Frame, area: Rect) {
        let t = &self.theme;
        let block = Block::bordered().title(" Detail ");
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(fnd) = self.findings.get(self.selected) {
            for l in wrap(&format!("{}  [{}]", fnd.title, fnd.id), w) {
                lines.push(Line::styled(l, t.bold()));
            }
            if let Some(fix) = &fnd.fix {
                let how = if fix.automatic() { "fix" } else { "to fix" };
                for c in fix.command.lines() {
                    for l in wrap(&format!("{how}: $ {c}"), w) {
                        lines.push(Line::styled(l, t.accent()));
                    }
                }
                if let Some(d) = &fix.deletes {
                    for l in wrap(&format!("deletes: {d}"), w) {
                        lines.push(Line::styled(l, t.bad()));
                    }
                }
            }
            lines.extend(wrap(&fnd.detail, w).into_iter().map(Line::raw));
        }
        scrolled(f, t, lines, self.scroll, inner);
    }

    fn draw_confirm(&self, f: &mut Frame, i: usize, area: Rect) {
        let t = &self.theme;
        let block = Block::bordered().title(" Run this fix? y yes / n no ");
        let inner = block.inner(area);
        f.render_widget(block, area);
        let w = inner.width as usize;
        let mut lines: Vec<Line> = Vec::new();
        if let Some(fnd) = self.findings.get(i) {
            for l in wrap(&format!("{}  [{}]", fnd.title, fnd.id), w) {
                lines.push(Line::styled(l, t.bold()));
            }
            for p in fixes::preview(fnd) {
                let style = if p.starts_with("$ ") {
                    t.accent()
                } else if p.starts_with("This deletes") || p.starts_with('-') {
                    t.bad()
                } else if p.starts_with('+') {
                    t.ok()
                } else {
                    Default::default()
                };
                for l in wrap(&p, w) {
                    lines.push(Line::styled(l, style));
                }
            }
            let safe = fnd.fix.as_ref().is_some_and(|x| x.safe);
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                if safe {
                    "Run it? y yes, n no (nothing is changed)"
                } else {
                    "Run it? y yes, n no (nothing is changed). It is not run without asking."
                },
                t.bold(),
            ));
        }
        scrolled(f, t, lines, self.scroll, inner);
    }
}

/// Lines from `scroll` on; the last row says how many more are below.
fn scrolled(f: &mut Frame, t: &Theme, lines: Vec<Line<'static>>, scroll: usize, area: Rect) {
    let h = area.height as usize;
    let start = scroll.min(lines.len().saturating_sub(1));
    let mut shown: Vec<Line> = lines.iter().skip(start).cloned().collect();
    if shown.len() > h && h > 0 {
        let more = shown.len() - (h - 1);
        shown.truncate(h - 1);
        shown.push(Line::styled(format!("↓ {more} more (PgDn)"), t.dim()));
    }
    f.render_widget(Paragraph::new(shown), area);
}

/// The checklist until the user quits; the findings at that point.
pub(crate) fn run(input: &Input, findings: Vec<Finding>, log: &SessionLog) -> Vec<Finding> {
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
                list.selected = list.selected.min(list.findings.len().saturating_sub(1));
                list.status = Some("Checked again.".into());
            }
            Action::Fix(i) => {
                let f = list.findings[i].clone();
                let fix = f.fix.clone().expect("fixable");
                log.line(&format!("doctor fix {}: {}", f.id, fix.command));
                let verdict = fixes::apply(&mut list.findings, &f, input, |steps| {
                    let mut driver = Driver::new(steps, log);
                    super::run_journey("doctor fix", &mut driver, &mut ctx)
                });
                log.line(&format!("doctor fix {}: {}", f.id, verdict.line()));
                list.sort();
                list.status = Some(format!("{}: {}", f.title, verdict.line()));
                // The cursor stays where it was: the next finding moves up to it.
                list.selected = i.min(list.findings.len().saturating_sub(1));
                list.scroll = 0;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::doctor::{Fix, Group};
    use crate::plan::{Cmd, Plan};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    fn screen(c: &Checklist, w: u16, h: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| c.draw(f)).unwrap();
        let buf = term.backend().buffer().clone();
        let mut s = String::new();
        for y in 0..h {
            for x in 0..w {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    fn many() -> Vec<Finding> {
        let mut v: Vec<Finding> = (0..30)
            .map(|i| Finding::ok(Group::Act, "act-readme", format!("check number {i}")))
            .collect();
        v.push(
            Finding::problem(Group::Venv, "venv-python-missing", "broken venv")
                .detail("line one\nline two\nline three\nline four\nline five\nline six\nline seven")
                .fix(
                    Fix::run(
                        "rm -rf /home/me/.cache/pypoetry/virtualenvs/arcaflow-plugin-example-WbkmGCUO-py3.11 && poetry env use /root/.pyenv/versions/3.11.7/bin/python3.11",
                        Plan::new().run(Cmd::new("true")),
                        false,
                    )
                    .deleting("the virtualenv /home/me/.cache/pypoetry/virtualenvs/arcaflow-plugin-example-WbkmGCUO-py3.11 (only what pip installed)"),
                ),
        );
        v
    }

    #[test]
    fn at_80x24_the_list_says_how_many_more_and_the_fix_line_is_whole() {
        let c = Checklist::new(many(), Theme { color: false });
        let s = screen(&c, 80, 24);
        assert!(s.contains("1 problem(s), 0 warning(s), 30 ok"), "{s}");
        assert!(s.contains("↓ "), "no marker for the rest of the list:\n{s}");
        // The fix command wraps: its end (`poetry install`) is on screen.
        assert!(s.contains("fix: $ rm -rf"), "{s}");
        assert!(s.contains("3.11.7/bin/python3.11"), "{s}");
        assert!(s.contains("deletes: the virtualenv"), "{s}");
    }

    #[test]
    fn scrolled_down_the_list_says_what_is_above_and_below() {
        let mut c = Checklist::new(many(), Theme { color: false });
        c.selected = 15;
        let s = screen(&c, 80, 24);
        let rows = s.lines().filter(|l| l.contains("✓ check number")).count();
        let num = |arrow: &str| -> usize {
            s.lines()
                .find_map(|l| l.split(arrow).nth(1))
                .and_then(|t| t.split_whitespace().next()?.parse().ok())
                .unwrap_or_else(|| panic!("no {arrow}:\n{s}"))
        };
        assert_eq!(num("↑ ") + rows + num("↓ "), 31, "{s}");
        assert!(s.contains("› ✓ check number 14"), "{s}");
    }

    /// A detail longer than its box: PgDn brings the rest into view.
    #[test]
    fn pgdn_scrolls_the_detail() {
        let mut c = Checklist::new(many(), Theme { color: false });
        let s = screen(&c, 80, 24);
        assert!(!s.contains("line seven"), "{s}");
        for _ in 0..8 {
            c.key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
        }
        let s = screen(&c, 80, 24);
        assert!(s.contains("line seven"), "{s}");
    }

    #[test]
    fn enter_asks_before_a_fix_runs_and_n_changes_nothing() {
        let mut c = Checklist::new(many(), Theme { color: false });
        let key = |c: KeyCode| KeyEvent::new(c, KeyModifiers::NONE);
        assert!(c.key(key(KeyCode::Enter)).is_none());
        assert_eq!(c.confirm, Some(0));
        let s = screen(&c, 80, 24);
        assert!(s.contains("Run this fix?"), "{s}");
        assert!(s.contains("This deletes the virtualenv"), "{s}");
        assert!(c.key(key(KeyCode::Char('n'))).is_none());
        assert_eq!(c.confirm, None);
        assert!(c.status.as_deref().unwrap().contains("nothing was changed"));
        c.key(key(KeyCode::Enter));
        assert!(matches!(
            c.key(key(KeyCode::Char('y'))),
            Some(Action::Fix(0))
        ));
    }
}
