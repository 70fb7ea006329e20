//! "Save what ran as a shell script": the commands that started, in order, in
//! the folder each ran in, and the files written, with their content read back
//! from disk at export time.
//!
//! Secrets never reach it: a command's summary shows only its non-secret
//! environment (`Cmd::display`), secret variables are named in a comment
//! without their value, and no journey writes a secret into a file.

use std::path::{Path, PathBuf};

use crate::journey::driver::Shown;
use crate::plan::shell_quote;

/// One thing the journey did, in the order the front end saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rec {
    /// A step began.
    Step(String),
    /// A command started: its summary (`$ ...`), the folder it ran in when the
    /// plan said, the names of secret variables it was given, and how it ended.
    Run {
        summary: String,
        cwd: Option<PathBuf>,
        secret_vars: Vec<String>,
        ok: Option<bool>,
    },
    /// A file was written.
    File(PathBuf),
    /// The user kept their own file.
    Kept(PathBuf),
}

/// The record as a bash script.
pub(crate) fn script(journey: &str, recs: &[Rec]) -> String {
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    s.push_str(&format!(
        "# What `arcaflow-wizard` ({journey}) ran in this session, in order, saved by its `e` key.\n"
    ));
    s.push_str(
        "# Commands run in the folder they ran in; files are written with the content they have now.\n\
         # Secrets are not in it: a command that was given one names the variable to set first.\n\
         set -euo pipefail\n",
    );
    let mut cwd: Option<PathBuf> = None;
    let mut step_pending: Option<&str> = None;
    for r in recs {
        match r {
            Rec::Step(t) => step_pending = Some(t),
            other => {
                if let Some(t) = step_pending.take() {
                    s.push_str(&format!("\n# ── {t}\n"));
                }
                match other {
                    Rec::Run {
                        summary,
                        cwd: dir,
                        secret_vars,
                        ok,
                    } => {
                        if let Some(d) = dir {
                            if cwd.as_ref() != Some(d) {
                                s.push_str(&format!("cd {}\n", quote_path(d)));
                                cwd = Some(d.clone());
                            }
                        }
                        for v in secret_vars {
                            s.push_str(&format!(
                                "# needs {v} in the environment (the wizard passed it to this command only)\n"
                            ));
                        }
                        match ok {
                            Some(false) => s.push_str("# this command failed in the session\n"),
                            None => s.push_str("# this command did not finish in the session\n"),
                            Some(true) => {}
                        }
                        let cmd = summary.strip_prefix("$ ").unwrap_or(summary);
                        s.push_str(cmd);
                        if ok != &Some(true) {
                            s.push_str(" || true");
                        }
                        s.push('\n');
                    }
                    Rec::File(p) => write_file(&mut s, p),
                    Rec::Kept(p) => s.push_str(&format!(
                        "# kept your own {} (the wizard's version was refused)\n",
                        p.display()
                    )),
                    Rec::Step(_) => {}
                }
            }
        }
    }
    s
}

fn write_file(s: &mut String, p: &Path) {
    let Ok(contents) = std::fs::read_to_string(p) else {
        s.push_str(&format!(
            "# wrote {} (no longer readable at export time)\n",
            p.display()
        ));
        return;
    };
    // Written as a plan writes it: the same heredoc, exact to the last byte.
    crate::plan::render_action(
        s,
        &crate::plan::Action::WriteFile {
            path: p.to_path_buf(),
            contents,
            overwrite: crate::plan::Overwrite::Replace,
            executable: is_executable(p),
        },
    );
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

fn quote_path(p: &Path) -> String {
    shell_quote(&p.to_string_lossy())
}

/// The record of a command that is about to start, as the driver showed it.
pub(crate) fn run_rec(c: &Shown) -> Rec {
    Rec::Run {
        summary: c.summary.clone(),
        cwd: c.cwd.clone(),
        secret_vars: c.secret_vars.clone(),
        ok: None,
    }
}

/// Write the script; the path it went to.
pub(crate) fn save(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    crate::exec::write::write_file(
        path,
        text.as_bytes(),
        crate::exec::write::Mode::Keep { executable: true },
    )?;
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}
