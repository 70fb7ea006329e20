//! What a child's environment may hold: the one place that decides it, for
//! every way the wizard starts a program (steps, probes, doctor's checks).
//!
//! A user who releases keeps upload credentials in the environment
//! (`POETRY_PYPI_TOKEN_*`, `POETRY_HTTP_BASIC_*`, `TWINE_*`). Every other child,
//! and every program found in a project someone else wrote, would get them too:
//! so no child inherits them, and the upload alone opts in (`Cmd::credentials`).
//! Poetry commands that need no keyring get the null backend, since a locked
//! keyring can hang them with nothing on screen (facts file).

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// Variables that hold upload credentials, by prefix.
pub(crate) const CREDENTIAL_PREFIXES: [&str; 3] =
    ["POETRY_PYPI_TOKEN_", "POETRY_HTTP_BASIC_", "TWINE_"];

/// Poetry's variable for its keyring backend, and the backend that stores nothing.
pub(crate) const KEYRING_VAR: &str = "PYTHON_KEYRING_BACKEND";
pub(crate) const NULL_KEYRING: &str = "keyring.backends.null.Keyring";

/// Poetry commands that may read credentials from a keyring (a private source's
/// password, the upload's token): everything else runs without one.
const KEYRING_COMMANDS: [&str; 8] = [
    "install", "add", "lock", "update", "sync", "publish", "source", "self",
];

/// A variable that holds an upload credential (the name as bytes: a name that
/// is not UTF-8 is compared all the same).
pub(crate) fn is_credential(name: &OsStr) -> bool {
    let b = name.as_encoded_bytes();
    CREDENTIAL_PREFIXES
        .iter()
        .any(|p| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// The credential variables in this process's environment (names only).
pub(crate) fn inherited_credentials() -> Vec<OsString> {
    std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| is_credential(k))
        .collect()
}

/// `program` is Poetry (`poetry`, or a path ending in it).
pub(crate) fn is_poetry(program: &Path) -> bool {
    program
        .file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|n| {
            n == "poetry"
                || n.starts_with("poetry-")
                || n.starts_with("poetry1")
                || n.starts_with("poetry2")
        })
}

/// The changes a child's environment gets on top of what it inherits.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Inherited variables to take out.
    pub remove: Vec<OsString>,
    /// Variables to set (never a secret).
    pub set: Vec<(String, String)>,
}

/// What to change for `program args`: credentials out unless `credentials`;
/// the null keyring for a Poetry command that needs none, unless `own` (the
/// command's own variables) chooses a backend.
pub(crate) fn changes(
    program: &Path,
    args: &[&str],
    own: &dyn Fn(&str) -> bool,
    credentials: bool,
) -> Changes {
    let mut c = Changes::default();
    if !credentials {
        c.remove = inherited_credentials();
    }
    if is_poetry(program) && !own(KEYRING_VAR) && !needs_keyring(args) {
        c.set
            .push((KEYRING_VAR.to_string(), NULL_KEYRING.to_string()));
    }
    c
}

/// The Poetry subcommand (the first argument that is not an option) may read
/// a keyring.
fn needs_keyring(args: &[&str]) -> bool {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            // Global options that take a value.
            "-C" | "--directory" | "-P" | "--project" => {
                it.next();
            }
            a if a.starts_with('-') => {}
            a => return KEYRING_COMMANDS.contains(&a),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_by_prefix_in_any_case() {
        for n in [
            "POETRY_PYPI_TOKEN_PYPI",
            "POETRY_PYPI_TOKEN_LOCAL_2",
            "POETRY_HTTP_BASIC_MIRROR_PASSWORD",
            "TWINE_PASSWORD",
            "twine_username",
        ] {
            assert!(is_credential(OsStr::new(n)), "{n}");
        }
        for n in [
            "POETRY_PYPI_TOKEN",
            "PATH",
            "POETRY_REPOSITORIES_X_URL",
            "TWIN",
        ] {
            assert!(!is_credential(OsStr::new(n)), "{n}");
        }
        use std::os::unix::ffi::OsStrExt;
        assert!(is_credential(OsStr::from_bytes(b"TWINE_\xff")));
    }

    #[test]
    fn poetry_gets_the_null_keyring_unless_its_command_may_need_one() {
        let none = |_: &str| false;
        let set = |p: &str, args: &[&str]| changes(Path::new(p), args, &none, true).set;
        let null = vec![(KEYRING_VAR.to_string(), NULL_KEYRING.to_string())];
        assert_eq!(set("poetry", &["--version"]), null);
        assert_eq!(set("/x/bin/poetry", &["env", "info", "--path"]), null);
        assert_eq!(set("poetry", &["--no-ansi", "check", "--lock"]), null);
        assert_eq!(set("poetry", &["-C", "install", "build"]), null);
        assert!(set("poetry", &["install"]).is_empty());
        assert!(set("poetry", &["--no-ansi", "publish", "-r", "x"]).is_empty());
        assert!(set("python3", &["--version"]).is_empty());
        // The command's own choice stands.
        let own = |k: &str| k == KEYRING_VAR;
        assert!(changes(Path::new("poetry"), &["build"], &own, true)
            .set
            .is_empty());
    }
}
