//! Front ends: they draw what the journeys decide and answer their questions.
//! `plain` prints lines (scripts, CI, `--plain`, no terminal).

pub mod doctor_report;
pub mod plain;
pub mod style;
pub mod tui;
