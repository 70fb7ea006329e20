//! `/` in the output pane: typing the term, and jumping between matches.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::app::ctrl_key;
use super::app::App;
use super::output::clean;

/// `/` in the output pane: the term, whether it is still being typed, and the
/// output line of the current match.
pub struct Search {
    pub term: String,
    pub editing: bool,
    pub current: Option<usize>,
}

impl Search {
    pub fn matches(&self, text: &str) -> bool {
        !self.term.is_empty() && text.to_lowercase().contains(&self.term.to_lowercase())
    }
}

impl App {
    pub(super) fn search_key(&mut self, code: KeyCode) -> bool {
        match code {
            KeyCode::Char('/') => {
                let term = self.search.take().map(|s| s.term).unwrap_or_default();
                self.search = Some(Search {
                    term,
                    editing: true,
                    current: None,
                });
                true
            }
            KeyCode::Char('n') if self.search.is_some() => {
                self.find(true, false);
                true
            }
            KeyCode::Char('N') if self.search.is_some() => {
                self.find(false, false);
                true
            }
            KeyCode::Esc if self.search.is_some() => {
                self.search = None;
                self.status = None;
                true
            }
            _ => false,
        }
    }

    pub(super) fn search_edit_key(&mut self, k: KeyEvent) {
        let Some(s) = self.search.as_mut() else {
            return;
        };
        match k.code {
            KeyCode::Esc => {
                self.search = None;
                self.status = None;
            }
            KeyCode::Enter => {
                s.editing = false;
                if s.term.is_empty() {
                    self.search = None;
                } else {
                    self.find(true, true);
                }
            }
            KeyCode::Backspace => {
                s.term.pop();
            }
            KeyCode::Char('u') if ctrl_key(&k) => s.term.clear(),
            KeyCode::Char(c) if !ctrl_key(&k) => s.term.push(c),
            _ => {}
        }
    }

    /// Jump to a match: `older` goes up (back in time), else down; `first`
    /// starts at the line at the bottom of the pane. Wraps around.
    fn find(&mut self, older: bool, first: bool) {
        let Some(s) = self.search.as_ref() else {
            return;
        };
        let n = self.output.len();
        if n == 0 {
            return;
        }
        let bottom = n - 1 - self.scroll.min(n - 1);
        let start = match (first, s.current) {
            (false, Some(c)) => c,
            _ if first => {
                // Include the bottom line itself.
                (bottom + 1) % n
            }
            _ => bottom,
        };
        // One pass over the lines, not a walk to each candidate.
        let hits: Vec<bool> = self
            .output
            .iter()
            .map(|(_, l)| s.matches(&clean(l)))
            .collect();
        let found = (1..=n)
            .map(|d| {
                if older {
                    (start + n - d % n) % n
                } else {
                    (start + d) % n
                }
            })
            .find(|&i| hits[i]);
        match found {
            Some(i) => {
                let rows = self.out_rows.get().max(1);
                self.scroll = (n - 1 - i).saturating_sub(rows / 3);
                let wrapped = if older { i > start } else { i < start };
                self.status = (wrapped && !first).then(|| "search wrapped around".to_string());
                if let Some(s) = self.search.as_mut() {
                    s.current = Some(i);
                }
            }
            None => {
                self.status = Some(format!("no match for “{}”", s.term));
                if let Some(s) = self.search.as_mut() {
                    s.current = None;
                }
            }
        }
    }
}
