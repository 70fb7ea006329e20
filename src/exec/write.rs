//! The one way the wizard writes a file (issue 13): a write that a planted
//! file or link cannot redirect, and that leaves the old file whole if it fails.
//!
//! The new content goes to a temporary file with a fresh random name in the
//! target's own folder, created with `O_EXCL | O_NOFOLLOW` (a link or file
//! planted at that name makes the open fail; the next name is tried), written,
//! given the old file's mode, fsynced, and renamed over the target; then the
//! folder is fsynced, which is what makes the rename itself survive a crash.
//! A target that is a symlink is written at the file it points to: the link
//! stays a link.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The mode a file gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A file that exists keeps its mode; a new one is 0644 (0755 when
    /// executable; the umask applies).
    Keep { executable: bool },
    /// Always exactly this (state files: 0600).
    Exactly(u32),
}

/// How many random names are tried before giving up.
const TRIES: usize = 16;

/// Where a write to `path` lands: `path` itself, or, when it is a symlink,
/// the file it points to (through every link of a chain).
pub(crate) fn target_of(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other(format!(
        "{} is a chain of too many links",
        path.display()
    )))
}

/// Write `contents` to `path` (see the module's comment); the path written,
/// which differs from `path` when that is a symlink. Missing folders are
/// made (0700 for the wizard's own: see `session::private_dir`; here 0755
/// less the umask).
pub(crate) fn write_file(path: &Path, contents: &[u8], mode: Mode) -> std::io::Result<PathBuf> {
    write_with_names(path, contents, mode, &mut random_name)
}

/// `write_file`, with the temporary names taken from `name` (tests plant
/// files at the names it will give).
fn write_with_names(
    path: &Path,
    contents: &[u8],
    mode: Mode,
    name: &mut dyn FnMut(&str) -> String,
) -> std::io::Result<PathBuf> {
    let target = target_of(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old_mode = std::fs::metadata(&target)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode() & 0o7777);
    let (create_mode, final_mode) = match mode {
        Mode::Exactly(m) => (m, Some(m)),
        Mode::Keep { executable } => {
            let new = if executable { 0o755 } else { 0o644 };
            let kept = old_mode.map(|m| if executable { m | (m & 0o444) >> 2 } else { m });
            (new, kept)
        }
    };
    let (tmp, mut f) = open_fresh(&dir, &file_name, create_mode, name)?;
    let res = (|| {
        f.write_all(contents)?;
        if let Some(m) = final_mode {
            // Explicitly: the umask may have taken bits the old file had.
            f.set_permissions(std::fs::Permissions::from_mode(m))?;
        }
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &target)?;
        // The rename is an entry in the folder: durable once the folder is synced.
        File::open(&dir)?.sync_all()
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map(|()| target)
}

/// A new file in `dir` that nothing else had: `O_CREAT | O_EXCL | O_NOFOLLOW`.
fn open_fresh(
    dir: &Path,
    file_name: &str,
    mode: u32,
    name: &mut dyn FnMut(&str) -> String,
) -> std::io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..TRIES {
        let tmp = dir.join(name(file_name));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .mode(mode)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// `.NAME.<16 random hex>.tmp`: the random part from the OS (through std's
/// randomly keyed hasher), the pid and a counter, so names never repeat.
fn random_name(file_name: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNT.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    format!(".{file_name}.{:016x}.tmp", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn mode_of(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_link_planted_at_the_temporary_name_is_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        let file = d.path().join("pyproject.toml");
        std::fs::write(&file, "old").unwrap();
        // The first two names the writer will try are taken: a link and a file.
        let names = [".p.first.tmp", ".p.second.tmp", ".p.third.tmp"];
        symlink(&victim, d.path().join(names[0])).unwrap();
        std::fs::write(d.path().join(names[1]), "planted").unwrap();
        let mut i = 0;
        let mut next = |_: &str| {
            i += 1;
            names[i - 1].to_string()
        };
        let wrote =
            write_with_names(&file, b"new", Mode::Keep { executable: false }, &mut next).unwrap();
        assert_eq!(wrote, file);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(
            std::fs::read_to_string(d.path().join(names[1])).unwrap(),
            "planted"
        );
        assert!(!d.path().join(names[2]).exists());
    }

    #[test]
    fn names_are_fresh_and_a_full_set_of_planted_names_fails_cleanly() {
        assert_ne!(random_name("a"), random_name("a"));
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("f");
        std::fs::write(d.path().join(".taken"), "").unwrap();
        let err = write_with_names(&file, b"x", Mode::Exactly(0o600), &mut |_| ".taken".into())
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert!(!file.exists());
    }

    #[test]
    fn a_file_keeps_its_mode_and_a_state_file_is_private() {
        let d = tempfile::tempdir().unwrap();
        let script = d.path().join("run.sh");
        std::fs::write(&script, "old").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_file(&script, b"new", Mode::Keep { executable: false }).unwrap();
        assert_eq!(mode_of(&script), 0o755);
        let odd = d.path().join("odd");
        std::fs::write(&odd, "old").unwrap();
        std::fs::set_permissions(&odd, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&odd, b"new", Mode::Keep { executable: true }).unwrap();
        assert_eq!(mode_of(&odd), 0o750);
        let state = d.path().join("state.toml");
        std::fs::write(&state, "old").unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_file(&state, b"new", Mode::Exactly(0o600)).unwrap();
        assert_eq!(mode_of(&state), 0o600);
        // Nothing is left beside them.
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 3);
    }

    #[test]
    fn a_symlinked_file_is_written_at_its_target_and_stays_a_link() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("real")).unwrap();
        let real = d.path().join("real/pyproject.toml");
        std::fs::write(&real, "old").unwrap();
        let link = d.path().join("pyproject.toml");
        symlink("real/pyproject.toml", &link).unwrap();
        let wrote = write_file(&link, b"new", Mode::Keep { executable: false }).unwrap();
        assert_eq!(wrote, real);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // A dangling link: the file it names is made.
        let dangling = d.path().join("new.toml");
        symlink("real/made.toml", &dangling).unwrap();
        write_file(&dangling, b"made", Mode::Keep { executable: false }).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("real/made.toml")).unwrap(),
            "made"
        );
    }
}
