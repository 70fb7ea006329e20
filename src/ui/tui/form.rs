//! A question being answered: the field or list, and its keys.

use std::sync::mpsc::Sender;

use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::app::ctrl_key;
use super::app::{App, Modal};
use crate::journey::{Answer, Question, QuestionKind};

pub struct Form {
    pub q: Question,
    /// Why the answer was refused (by the driver, or on Enter here).
    pub error: Option<String>,
    pub input: TextArea<'static>,
    /// The highlighted option of a choice or yes/no.
    pub selected: usize,
    /// The user typed something: validate as they type.
    pub touched: bool,
    pub reply: Sender<Answer>,
}

impl Form {
    pub fn new(q: Question, error: Option<String>, reply: Sender<Answer>) -> Self {
        let mut input = TextArea::default();
        input.set_cursor_line_style(ratatui::style::Style::default());
        let mut selected = 0;
        match &q.kind {
            QuestionKind::Text => {
                if let Some(d) = &q.default {
                    input.insert_str(d);
                    // Selected: typing replaces the default (`patchm` was no answer);
                    // Right or End keeps it to add to. Reversed: seen without colour.
                    input.select_all();
                    input.set_selection_style(
                        ratatui::style::Style::default()
                            .add_modifier(ratatui::style::Modifier::REVERSED),
                    );
                }
            }
            QuestionKind::Secret => input.set_mask_char('•'),
            QuestionKind::Choice(opts) => {
                if let Some(d) = &q.default {
                    selected = opts.iter().position(|(v, _)| v == d).unwrap_or(0);
                }
            }
            QuestionKind::YesNo => {
                selected = usize::from(q.default.as_deref() == Some("no"));
            }
        }
        Form {
            q,
            error,
            input,
            selected,
            touched: false,
            reply,
        }
    }

    /// The options shown as a list (choices and yes/no).
    pub fn options(&self) -> Vec<(String, String)> {
        match &self.q.kind {
            QuestionKind::Choice(o) => o.clone(),
            QuestionKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            _ => Vec::new(),
        }
    }

    pub fn is_list(&self) -> bool {
        matches!(self.q.kind, QuestionKind::Choice(_) | QuestionKind::YesNo)
    }

    pub fn typed(&self) -> String {
        self.input.lines().join("")
    }

    pub fn value(&self) -> String {
        if self.is_list() {
            self.options()
                .get(self.selected)
                .map(|o| o.0.clone())
                .unwrap_or_default()
        } else {
            self.typed()
        }
    }

    /// What to show under the field: the reason it is refused, or what it becomes.
    pub fn verdict(&self) -> Option<Result<String, String>> {
        if self.is_list() {
            return self.error.clone().map(Err);
        }
        if !self.touched {
            if let Some(e) = &self.error {
                return Some(Err(e.clone()));
            }
            // A default that comes to something else says so before any typing.
            self.q.resolved(&self.value())?;
        }
        Some(self.q.accept(&self.value()))
    }
}

impl App {
    pub(super) fn form_key(&mut self, k: KeyEvent) {
        let Modal::Ask(f) = &mut self.modal else {
            return;
        };
        // A one-line field has no use for Up/Down: they (and the wheel) scroll.
        if matches!(k.code, KeyCode::PageUp | KeyCode::PageDown)
            || (!f.is_list() && matches!(k.code, KeyCode::Up | KeyCode::Down))
        {
            self.scroll_key(k.code);
            return;
        }
        if k.code == KeyCode::Esc {
            self.confirm_quit = true;
            return;
        }
        if k.code == KeyCode::Enter {
            let value = f.value();
            match f.q.accept(&value) {
                Ok(_) => {
                    let Modal::Ask(f) = std::mem::replace(&mut self.modal, Modal::None) else {
                        return;
                    };
                    let _ = f.reply.send(Answer::Value(value));
                }
                Err(e) => {
                    f.error = Some(e);
                    f.touched = false;
                }
            }
            return;
        }
        if f.is_list() {
            let n = f.options().len();
            match k.code {
                KeyCode::Char('?') => self.help = true,
                KeyCode::Char('q') => self.confirm_quit = true,
                KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                    f.selected = (f.selected + n - 1) % n.max(1);
                }
                KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                    f.selected = (f.selected + 1) % n.max(1);
                }
                KeyCode::Char('y') if f.q.kind == QuestionKind::YesNo => f.selected = 0,
                KeyCode::Char('n') if f.q.kind == QuestionKind::YesNo => f.selected = 1,
                KeyCode::Char(c) if c.is_ascii_digit() => {
                    let i = c.to_digit(10).unwrap_or(0) as usize;
                    if i >= 1 && i <= n {
                        f.selected = i - 1;
                    }
                }
                _ => {}
            }
            return;
        }
        // A one-line field: no newlines, no tabs.
        if matches!(k.code, KeyCode::Tab | KeyCode::BackTab)
            || (ctrl_key(&k) && matches!(k.code, KeyCode::Char('m' | 'j')))
        {
            return;
        }
        if super::app::line_key(&mut f.input, k) {
            f.touched = true;
            f.error = None;
        }
    }
}
