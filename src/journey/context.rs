//! What steps read: the options, the answers so far, the machine's facts, and
//! what earlier steps recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::probe::{Facts, ProbeEnv};

/// Options from the command line that steps read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--index-url`: the project's primary package source.
    pub index_url: Option<String>,
    pub dry_run: bool,
    pub yes: bool,
}

#[derive(Debug, Clone)]
pub struct Context {
    /// The project folder (absolute).
    pub dir: PathBuf,
    pub opts: Options,
    /// Answers by question key. Secrets are never stored here: see `secrets`.
    pub answers: BTreeMap<String, String>,
    /// Secret answers, kept in memory only for this run.
    pub secrets: BTreeMap<String, String>,
    pub facts: Facts,
    pub probe_env: ProbeEnv,
    /// Facts that steps learned while running (e.g. the venv's interpreter).
    pub learned: BTreeMap<String, String>,
    /// Lines a step's verify wants shown (e.g. each ACT check); the driver emits them.
    pub notes: Vec<String>,
    /// What each command of this run printed (its first 64 KiB), by the command
    /// as displayed: a step's verify reads what its own commands said.
    pub outputs: BTreeMap<String, String>,
    /// The project folder of a journey on a project that exists already (`setup`),
    /// so the steps it shares with `new` work there; `new` derives it from its answers.
    pub project_dir_of: Option<fn(&Context) -> PathBuf>,
}

/// How much of a command's output `Context::outputs` keeps.
pub const OUTPUT_KEPT: usize = 64 * 1024;

impl Context {
    pub fn new(dir: PathBuf, opts: Options, facts: Facts, probe_env: ProbeEnv) -> Self {
        Context {
            dir,
            opts,
            answers: BTreeMap::new(),
            secrets: BTreeMap::new(),
            facts,
            probe_env,
            learned: BTreeMap::new(),
            notes: Vec::new(),
            outputs: BTreeMap::new(),
            project_dir_of: None,
        }
    }
    pub fn answer(&self, key: &str) -> Option<&str> {
        self.answers.get(key).map(String::as_str)
    }
    pub fn yes(&self, key: &str) -> bool {
        self.answer(key) == Some("yes")
    }
}
