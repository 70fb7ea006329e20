//! The menu shown by `arcaflow-wizard` with no subcommand.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use super::view::{centered, draw_keys, wrap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    New,
    Release,
    /// Release, forgetting a stopped one instead of resuming it.
    ReleaseAfresh,
    Doctor,
    Setup,
}

/// (choice, name, command, who it is for)
pub(crate) const ITEMS: [(Choice, &str, &str, &str); 4] = [
    (
        Choice::New,
        "New plugin",
        "arcaflow-wizard new",
        "For a first-time contributor: from an empty folder to an official plugin, checked the way the build will check it.",
    ),
    (
        Choice::Release,
        "Release",
        "arcaflow-wizard release",
        "For a maintainer: version bump, checks, build, a test upload, then PyPI.",
    ),
    (
        Choice::Doctor,
        "Doctor",
        "arcaflow-wizard doctor",
        "For someone whose Python or Poetry setup is broken: what is wrong, and the fix.",
    ),
    (
        Choice::Setup,
        "Work on an existing plugin",
        "arcaflow-wizard setup",
        "For a contributor joining a plugin: clone it, the Python it needs, one Poetry, its venv, and its tests run as the official build runs them.",
    ),
];

pub(crate) struct Menu {
    pub selected: usize,
    pub theme: Theme,
    /// Some(choice) or None (quit) once decided.
    #[allow(clippy::option_option)]
    pub done: Option<Option<Choice>>,
    /// A stopped release that Release resumes ("resuming 0.2.1 to testpypi").
    pub release_note: Option<String>,
}

impl Menu {
    pub(crate) fn new(theme: Theme) -> Self {
        Menu {
            selected: 0,
            theme,
            done: None,
            release_note: None,
        }
    }

    pub(crate) fn key(&mut self, k: KeyEvent) {
        let n = ITEMS.len();
        match k.code {
            KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.done = Some(None);
            }
            KeyCode::Esc | KeyCode::Char('q') => self.done = Some(None),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                self.selected = (self.selected + n - 1) % n;
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                self.selected = (self.selected + 1) % n;
            }
            KeyCode::Char(c @ '1'..='4') => {
                self.selected = c as usize - '1' as usize;
                self.done = Some(Some(ITEMS[self.selected].0));
            }
            KeyCode::Enter => self.done = Some(Some(ITEMS[self.selected].0)),
            // Start the stopped release over rather than resume it.
            KeyCode::Char('n')
                if ITEMS[self.selected].0 == Choice::Release && self.release_note.is_some() =>
            {
                self.done = Some(Some(Choice::ReleaseAfresh));
            }
            _ => {}
        }
    }

    pub(crate) fn draw(&self, f: &mut Frame) {
        let t = &self.theme;
        let area = f.area();
        let [body, keys] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
        let r = centered(body, body.width.saturating_sub(4).min(84), body.height);
        let block = Block::bordered()
            .title(" arcaflow-wizard ")
            .border_style(t.accent());
        let inner = block.inner(r);
        f.render_widget(block, r);
        let w = inner.width as usize;
        let mut lines = vec![
            Line::styled("What would you like to do?", t.bold()),
            Line::raw(""),
        ];
        for (i, (_, name, cmd, who)) in ITEMS.iter().enumerate() {
            let sel = i == self.selected;
            let head = format!("{} {}. {name}", if sel { "›" } else { " " }, i + 1);
            let pad = w.saturating_sub(super::view::width(&head) + super::view::width(cmd) + 1);
            lines.push(Line::from(vec![
                Span::styled(head, if sel { t.selected() } else { t.bold() }),
                Span::raw(" ".repeat(pad)),
                Span::styled(format!("{cmd} "), t.dim()),
            ]));
            for l in wrap(who, w.saturating_sub(5)) {
                lines.push(Line::raw(format!("     {l}")));
            }
            if let (Choice::Release, Some(note)) = (ITEMS[i].0, &self.release_note) {
                let note = format!("{note}; n to start over");
                for l in wrap(&note, w.saturating_sub(5)) {
                    lines.push(Line::styled(format!("     {l}"), t.warn()));
                }
            }
            lines.push(Line::raw(""));
        }
        lines.extend(
            wrap(
                "Each step shows why it exists and the command it runs, so you learn the process as the wizard does it.",
                w,
            )
            .into_iter()
            .map(|l| Line::styled(l, t.dim())),
        );
        f.render_widget(Paragraph::new(lines), inner);
        draw_keys(
            f,
            t,
            keys,
            &[("↑↓", "choose"), ("Enter/1-4", "start"), ("q/Esc", "quit")],
        );
    }
}
