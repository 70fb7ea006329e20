//! Where the wizard keeps what outlives a run: per-project state (answers and
//! steps done, so a journey resumes) and session logs.

pub(crate) mod log;
pub mod resume;
pub mod state;

use std::path::{Path, PathBuf};

pub use log::SessionLog;
pub use state::ProjectState;

/// The wizard's cache folder (the engine's venv, `try`'s scratch runs); with
/// no home, inside this run's private folder (see `state_dir`).
pub fn cache_dir() -> PathBuf {
    match directories::ProjectDirs::from("io", "arcalot", "arcaflow-wizard") {
        Some(d) => d.cache_dir().to_path_buf(),
        None => homeless_state_dir().join("cache"),
    }
}

/// Where a write to `path` lands (past any link) is in the wizard's own state
/// or cache folder, never a project's.
pub fn is_own_place(path: &Path) -> bool {
    crate::exec::write::target_of(path)
        .is_ok_and(|t| t.starts_with(state_dir()) || t.starts_with(cache_dir()))
}

/// The wizard's state folder: `$XDG_STATE_HOME/arcaflow-wizard` on Linux.
/// With no home folder to put it in, a private folder of this run's own
/// (0700, a random name under the temp folder): a predictable name there
/// could be made first by another user, who would then read the logs or
/// plant state. Nothing resumes from it, but nothing leaks either.
pub fn state_dir() -> PathBuf {
    let dirs = directories::ProjectDirs::from("io", "arcalot", "arcaflow-wizard");
    match dirs {
        Some(d) => d
            .state_dir()
            .unwrap_or_else(|| d.data_local_dir())
            .to_path_buf(),
        None => homeless_state_dir(),
    }
}

/// This run's private state folder when there is no home (made once).
fn homeless_state_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        tempfile::Builder::new()
            .prefix("arcaflow-wizard-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map(tempfile::TempDir::keep)
            // Not even that: a folder that cannot exist, so every write
            // fails with a message that names it, rather than a shared one.
            .unwrap_or_else(|_| PathBuf::from("/nonexistent/arcaflow-wizard-state"))
    })
    .clone()
}

/// Make `state/sub` (`sub` may be empty) for the wizard's own files: the state
/// folder and `sub` are 0700, also when they existed with looser modes (they
/// are the wizard's); folders made above them are 0700 too, and folders
/// that existed above them (the user's) are left as they are.
pub fn private_dir(state: &Path, sub: &str) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let dir = if sub.is_empty() {
        state.to_path_buf()
    } else {
        state.join(sub)
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let mut ours = vec![state.to_path_buf()];
    let mut p = dir.as_path();
    while p != state {
        ours.push(p.to_path_buf());
        match p.parent() {
            Some(up) => p = up,
            None => break,
        }
    }
    for d in ours {
        // The state folder may be a link the user made; the folders in it are ours.
        let m = if d == state {
            std::fs::metadata(&d)?
        } else {
            std::fs::symlink_metadata(&d)?
        };
        if m.file_type().is_symlink() || !m.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is not a folder (a link or a file is in its place)",
                d.display()
            )));
        }
        if m.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(dir)
}

/// UTC `YYYYMMDD-HHMMSS` for file names, without a date crate.
pub fn timestamp(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_folders_are_0700_and_the_users_folders_are_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let users = t.path().join("state");
        std::fs::create_dir(&users).unwrap();
        std::fs::set_permissions(&users, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Made fresh: the state folder, and one above it that was missing.
        let ours = users.join("made/arcaflow-wizard");
        let logs = private_dir(&ours, "logs").unwrap();
        assert_eq!(logs, ours.join("logs"));
        for d in [&users.join("made"), &ours, &logs] {
            assert_eq!(mode(d), 0o700, "{}", d.display());
        }
        assert_eq!(mode(&users), 0o755);
        // Made earlier with looser modes: ours are tightened.
        for d in [&ours, &logs] {
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        private_dir(&ours, "logs").unwrap();
        assert_eq!((mode(&ours), mode(&logs)), (0o700, 0o700));
        assert_eq!(mode(&users), 0o755);
        // A link in place of one of ours is refused.
        let elsewhere = t.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, ours.join("projects")).unwrap();
        assert!(private_dir(&ours, "projects").is_err());
    }

    /// With no home, the state folder is this run's own: private, under the
    /// temp folder, and not at a name another user could have made first.
    #[test]
    fn without_a_home_the_state_folder_is_private_and_unpredictable() {
        let d = homeless_state_dir();
        assert_eq!(d, homeless_state_dir(), "one folder for the whole run");
        assert!(d.starts_with(std::env::temp_dir()), "{}", d.display());
        assert_ne!(d, std::env::temp_dir().join("arcaflow-wizard"));
        assert!(std::fs::symlink_metadata(&d).unwrap().is_dir());
        assert_eq!(mode(&d), 0o700);
    }

    #[test]
    fn logs_and_state_files_are_0600() {
        let t = tempfile::tempdir().unwrap();
        let state = t.path().join("aw");
        let log = SessionLog::create(&state, "test").unwrap();
        log.line("x");
        log.flush();
        assert_eq!(mode(log.path().unwrap()), 0o600);
        let st = ProjectState {
            project: t.path().join("p"),
            journey: "new".into(),
            ..Default::default()
        };
        st.save(&state).unwrap();
        let f = ProjectState::file_for(&state, &st.project, "new");
        assert_eq!(mode(&f), 0o600);
        assert_eq!(mode(f.parent().unwrap()), 0o700);
        assert_eq!(mode(&state), 0o700);
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "19700101-000000");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(1_795_606_245)),
            "20261125-113045"
        );
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229-000000"
        );
    }
}
