//! Files a plan writes: each shown as a diff and asked where it is the
//! user's (or a change they asked for, all or none), the wizard's own files
//! in its state and cache folders written without a question; every write
//! through the one writer a planted link cannot redirect.

use std::path::{Path, PathBuf};

use super::{Driver, Event, FileChange, Interact};
use crate::journey::{diff, Failure};
use crate::plan::{Action, Overwrite};

impl Driver<'_> {
    pub(super) fn write_file(
        &self,
        path: &Path,
        contents: &str,
        overwrite: Overwrite,
        executable: bool,
        ui: &mut dyn Interact,
    ) -> Result<(), Failure> {
        let current = match std::fs::read_to_string(path) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Failure::new(format!(
                    "could not read {}: {e}",
                    path.display()
                )))
            }
        };
        if current.as_deref() == Some(contents) {
            return Ok(());
        }
        // The wizard's own file goes without a question only where its own
        // files live (where the write lands, past any link): anywhere else
        // it is treated as the user's, diff and question with default no.
        let own = overwrite == Overwrite::Own && crate::session::is_own_place(path);
        let overwrite = match overwrite {
            Overwrite::Own if !own => Overwrite::AskIfDifferent,
            o => o,
        };
        // An empty file loses nothing; a file made earlier in this plan is not the user's.
        let theirs = current.as_deref().is_some_and(|c| !c.trim().is_empty())
            && overwrite == Overwrite::AskIfDifferent;
        let shown = shown_path(path);
        let asked = !own;
        let change = FileChange {
            new: current.is_none(),
            diff: diff::unified(&shown, current.as_deref().unwrap_or(""), contents),
            replaces_users_file: theirs,
            ..FileChange::default()
        };
        if asked && !ui.confirm_write(path, &change) {
            self.emit(
                ui,
                Event::File {
                    path: path.to_path_buf(),
                    written: false,
                },
            );
            return Ok(());
        }
        write_atomically(path, contents, executable)
            .map_err(|e| Failure::new(format!("could not write {}: {e}", path.display())).hint(
                "Check that the folder is writable and the disk is not full; nothing else was changed.",
            ))?;
        self.emit(
            ui,
            Event::File {
                path: path.to_path_buf(),
                written: true,
            },
        );
        Ok(())
    }

    /// Several files as one change the user asked for: one diff, one question,
    /// every file written or none (a failed write puts back those written).
    pub(super) fn write_together(
        &self,
        group: &[&Action],
        ui: &mut dyn Interact,
    ) -> Result<(), Failure> {
        let mut files: Vec<(&Path, &str, bool, Option<String>)> = Vec::new();
        for a in group {
            if let Action::WriteFile {
                path,
                contents,
                executable,
                ..
            } = a
            {
                let current = match std::fs::read_to_string(path) {
                    Ok(c) => Some(c),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => {
                        return Err(Failure::new(format!(
                            "could not read {}: {e}",
                            path.display()
                        )))
                    }
                };
                if current.as_deref() != Some(contents.as_str()) {
                    files.push((path, contents, *executable, current));
                }
            }
        }
        let Some(first) = files.first() else {
            return Ok(());
        };
        let change = FileChange {
            new: files.iter().all(|f| f.3.is_none()),
            diff: files
                .iter()
                .map(|(p, c, _, cur)| {
                    diff::unified(&shown_path(p), cur.as_deref().unwrap_or(""), c)
                })
                .collect::<String>(),
            replaces_users_file: false,
            asked_for: true,
            also: files[1..].iter().map(|f| f.0.to_path_buf()).collect(),
        };
        let yes = ui.confirm_write(first.0, &change);
        if yes {
            let mut written: Vec<usize> = Vec::new();
            for (i, (path, contents, executable, _)) in files.iter().enumerate() {
                if let Err(e) = write_atomically(path, contents, *executable) {
                    // All or none: put back what this change already wrote.
                    for &j in &written {
                        let (p, _, x, old) = &files[j];
                        match old {
                            Some(o) => {
                                let _ = write_atomically(p, o, *x);
                            }
                            None => {
                                let _ = std::fs::remove_file(p);
                            }
                        }
                    }
                    return Err(Failure::new(format!("could not write {}: {e}", path.display()))
                        .hint("Nothing of this change was kept: the files are as they were. Check that the folder is writable and the disk is not full."));
                }
                written.push(i);
            }
        }
        for (path, ..) in &files {
            self.emit(
                ui,
                Event::File {
                    path: path.to_path_buf(),
                    written: yes,
                },
            );
        }
        Ok(())
    }
}

/// The path a diff names: a link is written at its target, so both.
fn shown_path(path: &Path) -> PathBuf {
    match crate::exec::write::target_of(path) {
        Ok(t) if t != path => PathBuf::from(format!("{} -> {}", path.display(), t.display())),
        _ => path.to_path_buf(),
    }
}

/// Through the one writer that a planted link cannot redirect (see `exec::write`).
fn write_atomically(path: &Path, contents: &str, executable: bool) -> std::io::Result<PathBuf> {
    let written = crate::exec::write::write_file(
        path,
        contents.as_bytes(),
        crate::exec::write::Mode::Keep { executable },
    );
    // A file written can change what a tool answers (pyproject.toml and
    // `poetry env info`): the questions asked so far are asked again.
    crate::exec::query::something_ran();
    written
}
