//! Keys: what each does on each screen of the full-screen wizard.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Modal};
use crate::journey::driver::FailureChoice;
use crate::journey::StepState;

impl App {
    pub(super) fn key(&mut self, k: KeyEvent) {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(k.code, KeyCode::Char('c')) {
            if self.running.is_some() && !self.cancel_requested && !self.quitting {
                self.cancel.cancel();
                self.cancel_requested = true;
                self.status = Some("Cancelling the command… press Ctrl-C again to quit.".into());
            } else {
                self.quit();
            }
            return;
        }
        if self.confirm_quit {
            match k.code {
                KeyCode::Char('y' | 'Y' | 'q') | KeyCode::Enter => self.quit(),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.confirm_quit = false,
                _ => {}
            }
            return;
        }
        if self.help {
            if matches!(
                k.code,
                KeyCode::Esc | KeyCode::Char('q' | '?') | KeyCode::F(1) | KeyCode::Enter
            ) {
                self.help = false;
            }
            return;
        }
        if self.export.is_some() {
            self.export_key(k);
            return;
        }
        // A question, diff or failure that opened while a search term was being
        // typed takes the keys: the user's answer must not go into the search.
        let in_pane = self.finished.is_some() || matches!(self.modal, Modal::None);
        if in_pane && self.search.as_ref().is_some_and(|s| s.editing) {
            self.search_edit_key(k);
            return;
        }
        if in_pane && self.search_key(k.code) {
            return;
        }
        if self.finished.is_some() {
            match k.code {
                KeyCode::Char('e') => self.start_export(),
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => self.exit = true,
                _ => self.scroll_key(k.code),
            }
            return;
        }
        if k.code == KeyCode::F(1) {
            self.help = true;
            return;
        }
        match &mut self.modal {
            Modal::Ask(_) => self.form_key(k),
            Modal::Diff(_) => self.diff_key(k),
            Modal::Failure(_) => self.failure_key(k),
            Modal::None => match k.code {
                KeyCode::Char('?') => self.help = true,
                KeyCode::Char('q') | KeyCode::Esc => self.confirm_quit = true,
                c => self.scroll_key(c),
            },
        }
    }

    pub(super) fn scroll_key(&mut self, code: KeyCode) {
        let page = 10;
        let max = self.output.len().min(self.out_max_scroll.get());
        // A scroll left from a smaller window starts from what is shown.
        self.scroll = self.scroll.min(max);
        match code {
            // Also the mouse wheel: alternate scroll mode (see `term`) turns it
            // into Up/Down in the alternate screen.
            KeyCode::Up => self.scroll = (self.scroll + 1).min(max),
            KeyCode::Down => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageUp => self.scroll = (self.scroll + page).min(max),
            KeyCode::PageDown => self.scroll = self.scroll.saturating_sub(page),
            KeyCode::Home => self.scroll = max,
            KeyCode::End => self.scroll = 0,
            _ => {}
        }
    }

    fn diff_key(&mut self, k: KeyEvent) {
        let Modal::Diff(d) = &mut self.modal else {
            return;
        };
        let answer = match k.code {
            KeyCode::Char('y' | 'Y') => Some(true),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(false),
            KeyCode::Char('a') => {
                self.accept_new_files = true;
                Some(true)
            }
            KeyCode::Enter => Some(!d.change.replaces_users_file),
            KeyCode::Char('q') => {
                self.confirm_quit = true;
                None
            }
            KeyCode::Char('?') => {
                self.help = true;
                None
            }
            KeyCode::Down | KeyCode::Char('j') => {
                d.scroll += 1;
                None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                d.scroll = d.scroll.saturating_sub(1);
                None
            }
            KeyCode::PageDown | KeyCode::Char(' ') => {
                d.scroll += 10;
                None
            }
            KeyCode::PageUp => {
                d.scroll = d.scroll.saturating_sub(10);
                None
            }
            _ => None,
        };
        if let Some(a) = answer {
            if let Modal::Diff(d) = std::mem::replace(&mut self.modal, Modal::None) {
                let _ = d.reply.send(a);
            }
        }
    }

    fn failure_key(&mut self, k: KeyEvent) {
        let Modal::Failure(f) = &mut self.modal else {
            return;
        };
        let choices = f.choices();
        let chosen = match k.code {
            KeyCode::Up | KeyCode::Char('k') => {
                f.selected = (f.selected + choices.len() - 1) % choices.len();
                None
            }
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                f.selected = (f.selected + 1) % choices.len();
                None
            }
            KeyCode::Enter => choices.get(f.selected).map(|c| c.0),
            KeyCode::Char('?') => {
                self.help = true;
                None
            }
            KeyCode::Esc => {
                self.confirm_quit = true;
                None
            }
            KeyCode::Char(c) => choices.iter().find(|x| x.1 == c).map(|x| x.0),
            c => {
                self.scroll_key(c);
                None
            }
        };
        if let Some(choice) = chosen {
            if choice == FailureChoice::Quit {
                self.quit();
                return;
            }
            if let Modal::Failure(f) = std::mem::replace(&mut self.modal, Modal::None) {
                // Retried (after a fix, or with an answer given again): running
                // again. Skipped: the driver says so next.
                if !matches!(choice, FailureChoice::Skip | FailureChoice::Quit) {
                    if let Some(s) = self.steps.get_mut(self.current) {
                        s.state = StepState::Running;
                    }
                }
                let _ = f.reply.send(choice);
            }
        }
    }
}
