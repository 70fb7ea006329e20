//! Colour only where it helps and is wanted: a terminal, and no NO_COLOR.
//! Every colour has a text mark beside it, so colour is never the only signal.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub color: bool,
}

impl Style {
    pub(crate) fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn ok(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub(crate) fn warn(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub(crate) fn bad(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}
