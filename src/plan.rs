//! A plan is the only way the wizard changes anything: a list of actions that is
//! executed by `exec`, printed as a bash script for `--dry-run`, and logged.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A command to run: program, arguments, extra environment, working folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Extra environment variables. Values never hold secrets: secrets go in `secret_env`.
    pub env: BTreeMap<String, String>,
    /// Environment variables whose values are secrets: passed to the child, never
    /// printed, logged, or stored. The value is the secret itself.
    pub secret_env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
    /// The runner kills the command's whole process group after this long.
    pub timeout: Option<Duration>,
    /// Inherits the user's upload credentials (`exec::env`): the upload alone.
    pub credentials: bool,
    /// What it is, when the command alone misleads (`poetry publish --dry-run`
    /// prints "Uploading ... 100%"): shown after it as a `# comment`.
    pub label: Option<String>,
    /// A file the command writes whose whole text goes to the session log,
    /// not to the screen, once it ends (the engine's log: its output is
    /// folded to what matters).
    pub log_file: Option<PathBuf>,
}

impl Cmd {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            secret_env: BTreeMap::new(),
            cwd: None,
            timeout: None,
            credentials: false,
            label: None,
            log_file: None,
        }
    }
    /// See `log_file`.
    pub fn log_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.log_file = Some(path.into());
        self
    }
    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.env.insert(k.into(), v.into());
        self
    }
    pub fn secret_env(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.secret_env.insert(k.into(), v.into());
        self
    }
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }
    /// Let the child see the upload credentials of the wizard's environment.
    pub fn with_credentials(mut self) -> Self {
        self.credentials = true;
        self
    }

    /// The command as a user would type it (secret values shown as `"$NAME"` references).
    pub fn display(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.env {
            let _ = write!(s, "{}={} ", k, shell_quote(v));
        }
        s.push_str(&shell_quote(&self.program.to_string_lossy()));
        for a in &self.args {
            s.push(' ');
            s.push_str(&shell_quote(a));
        }
        s
    }
}

/// How a file write treats a file that is already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Only create: an existing file with other content is the user's; show the diff and ask.
    AskIfDifferent,
    /// A change the user asked for (release's version bump): the writes of this
    /// kind that follow one another in a plan are one change, shown as one diff,
    /// asked once (default yes), and written all or none.
    AskedFor,
    /// The file was made by an earlier action of this same plan (e.g. by `poetry new`),
    /// so replacing it loses nothing of the user's.
    Replace,
    /// The wizard's own file in its state or cache folder, never in the
    /// project (the ATP check's script, `try`'s scratch workflow): written
    /// without a question, and said.
    Own,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Run(Cmd),
    WriteFile {
        path: PathBuf,
        contents: String,
        overwrite: Overwrite,
        executable: bool,
    },
    CreateDir(PathBuf),
    /// Independent commands started at once: the branches run side by side,
    /// each its commands in order (a coverage run, then its report). A
    /// script runs them one after another, as a person types them.
    Parallel(Vec<Vec<Cmd>>),
}

impl Action {
    /// The commands the action runs, in start order.
    pub fn commands(&self) -> Vec<&Cmd> {
        match self {
            Action::Run(c) => vec![c],
            Action::Parallel(b) => b.iter().flatten().collect(),
            _ => Vec::new(),
        }
    }
    /// One line saying what the action does, for the screen and the log.
    pub fn summary(&self) -> String {
        match self {
            Action::Run(c) => format!("$ {}", c.display()),
            Action::WriteFile { path, .. } => format!("write {}", path.display()),
            Action::CreateDir(p) => format!("mkdir -p {}", p.display()),
            Action::Parallel(b) => format!("{} commands at once", b.iter().flatten().count()),
        }
    }
}

/// The actions of one step, with the step's reason, for the script's comments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub actions: Vec<Action>,
}

impl Plan {
    pub fn new() -> Self {
        Plan::default()
    }
    pub fn run(mut self, c: Cmd) -> Self {
        self.actions.push(Action::Run(c));
        self
    }
    pub fn write(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        self.actions.push(Action::WriteFile {
            path: path.into(),
            contents: contents.into(),
            overwrite: Overwrite::AskIfDifferent,
            executable: false,
        });
        self
    }
    /// See [`Overwrite::Own`].
    pub fn own(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        self.actions.push(Action::WriteFile {
            path: path.into(),
            contents: contents.into(),
            overwrite: Overwrite::Own,
            executable: false,
        });
        self
    }
    pub fn replace(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> Self {
        self.actions.push(Action::WriteFile {
            path: path.into(),
            contents: contents.into(),
            overwrite: Overwrite::Replace,
            executable: false,
        });
        self
    }
    pub fn push(&mut self, a: Action) {
        self.actions.push(a);
    }
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }
}

/// Quote a word for bash only when it needs it.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | '/' | ':' | '=' | '@' | '+' | ',' | '^' | '%'
                )
        });
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// One step's part of a script: its title, its reason, its plan.
pub struct ScriptSection<'a> {
    pub title: &'a str,
    pub why: &'a str,
    pub plan: &'a Plan,
}

/// Render plans as a bash script that does what executing them does.
pub fn to_shell_script(header: &str, sections: &[ScriptSection<'_>]) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("set -euo pipefail\n");
    for sec in sections {
        let _ = writeln!(out, "\n# == {} ==", sec.title);
        for line in crate::text::wrap(sec.why, 76) {
            let _ = writeln!(out, "# {line}");
        }
        for a in &sec.plan.actions {
            render_action(&mut out, a);
        }
    }
    out
}

/// One action as script lines (a file as a heredoc that recreates it exactly).
pub(crate) fn render_action(out: &mut String, a: &Action) {
    match a {
        Action::Run(c) => {
            let mut line = String::new();
            if let Some(dir) = &c.cwd {
                let _ = write!(line, "(cd {} && ", shell_quote(&dir.to_string_lossy()));
            }
            for k in c.secret_env.keys() {
                // The script never contains a secret: it expects it in the environment.
                let _ = write!(line, "{k}=\"${{{k}:?set {k} first}}\" ");
            }
            line.push_str(&c.display());
            if c.cwd.is_some() {
                line.push(')');
            }
            if let Some(l) = &c.label {
                let _ = write!(line, "  # {l}");
            }
            let _ = writeln!(out, "{line}");
        }
        Action::WriteFile {
            path,
            contents,
            executable,
            ..
        } => {
            let p = shell_quote(&path.to_string_lossy());
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                let _ = writeln!(out, "mkdir -p {}", shell_quote(&parent.to_string_lossy()));
            }
            let marker = heredoc_marker(contents);
            if contents.is_empty() {
                let _ = writeln!(out, ": > {p}");
            } else if contents.ends_with('\n') {
                let _ = write!(out, "cat > {p} <<'{marker}'\n{contents}{marker}\n");
            } else {
                let _ = write!(
                    out,
                    "printf '%s' \"$(cat <<'{marker}'\n{contents}\n{marker}\n)\" > {p}\n"
                );
            }
            if *executable {
                let _ = writeln!(out, "chmod +x {p}");
            }
        }
        Action::CreateDir(p) => {
            let _ = writeln!(out, "mkdir -p {}", shell_quote(&p.to_string_lossy()));
        }
        Action::Parallel(branches) => {
            let n = branches.iter().flatten().count();
            let _ = writeln!(
                out,
                "# The wizard runs these {n} commands at once ({} independent groups), with the venv's python:",
                branches.len()
            );
            for c in branches.iter().flatten() {
                render_action(out, &Action::Run(c.clone()));
            }
            let _ = writeln!(out, "# (end of the commands run at once)");
        }
    }
}

fn heredoc_marker(contents: &str) -> String {
    let mut m = String::from("EOF");
    while contents.lines().any(|l| l == m) {
        m.push('_');
    }
    m
}

/// Paths in plans are absolute; scripts read better relative to where they run.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_quote("poetry"), "poetry");
        assert_eq!(
            shell_quote("arcaflow-plugin-sdk@^0.14.3"),
            "arcaflow-plugin-sdk@^0.14.3"
        );
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn script_writes_files_and_never_contains_secrets() {
        let plan = Plan::new().write("/p/a.txt", "hello\nEOF\n").run(
            Cmd::new("poetry")
                .arg("publish")
                .secret_env("POETRY_PYPI_TOKEN_PYPI", "pypi-SECRET")
                .cwd("/p"),
        );
        let s = to_shell_script(
            "test",
            &[ScriptSection {
                title: "T",
                why: "because",
                plan: &plan,
            }],
        );
        assert!(s.starts_with("#!/usr/bin/env bash\n"));
        assert!(s.contains("set -euo pipefail"));
        assert!(
            s.contains("cat > /p/a.txt <<'EOF_'\nhello\nEOF\nEOF_\n"),
            "{s}"
        );
        assert!(!s.contains("pypi-SECRET"));
        assert!(
            s.contains("POETRY_PYPI_TOKEN_PYPI=\"${POETRY_PYPI_TOKEN_PYPI:?"),
            "{s}"
        );
        assert!(s.contains("(cd /p && "));
    }

    #[test]
    fn commands_at_once_are_one_after_another_in_a_script_with_a_comment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("order");
        let f = f.to_string_lossy();
        let mut plan = Plan::new();
        plan.push(Action::Parallel(vec![
            vec![
                Cmd::new("sh").args(["-c", &format!("echo a >> {f}")]),
                Cmd::new("sh").args(["-c", &format!("echo b >> {f}")]),
            ],
            vec![Cmd::new("sh").args(["-c", &format!("echo c >> {f}")])],
        ]));
        let s = to_shell_script(
            "t",
            &[ScriptSection {
                title: "T",
                why: "w",
                plan: &plan,
            }],
        );
        assert!(
            s.contains("# The wizard runs these 3 commands at once"),
            "{s}"
        );
        let st = std::process::Command::new("bash")
            .arg("-c")
            .arg(&s)
            .status()
            .unwrap();
        assert!(st.success());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("order")).unwrap(),
            "a\nb\nc\n"
        );
    }

    #[test]
    fn script_round_trips_through_bash() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("sub dir/x.txt");
        let content = "line 1\n$HOME `x` 'q'\nno newline at end";
        let plan = Plan::new().write(&f, content);
        let s = to_shell_script(
            "t",
            &[ScriptSection {
                title: "T",
                why: "w",
                plan: &plan,
            }],
        );
        let st = std::process::Command::new("bash")
            .arg("-c")
            .arg(&s)
            .status()
            .unwrap();
        assert!(st.success());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), content);
    }
}
