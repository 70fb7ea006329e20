//! Front ends: they draw what the journeys decide and answer their questions.
//! `plain` prints lines (scripts, CI, `--plain`, no terminal).

pub(crate) mod again;
pub(crate) mod doctor_report;
pub mod plain;
pub(crate) mod style;
pub mod tui;
