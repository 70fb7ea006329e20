//! arcaflow-wizard: the journeys decide, the runner executes, the front ends draw.
//!
//! Data flows one way: `probe` gathers facts about the machine, a `journey`'s
//! steps turn facts and answers into a `plan`, `exec` runs the plan and reports
//! `Event`s, and a front end in `ui` draws them and answers questions.

pub mod cli;
pub mod commands;
pub mod exec;
pub(crate) mod handoff;
pub mod journey;
pub mod names;
pub(crate) mod official;
pub mod plan;
pub mod preflight;
pub mod probe;
pub mod pyproject;
pub mod session;
pub mod sys;

pub mod templates;
pub(crate) mod text;
pub mod ui;
pub mod version;
