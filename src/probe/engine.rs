//! Container engines (docker, podman) and whether they can build.
//!
//! A client on PATH is not enough: `<engine> info` must answer (this is what
//! fails when no daemon runs, the socket is not ours, or rootless podman is not
//! set up). The format flag keeps its output to one word.

use std::path::PathBuf;

use super::run::{self, is_executable, par_map, PROBE_TIMEOUT};
use super::ProbeEnv;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Engine {
    /// "docker" or "podman".
    pub name: String,
    pub path: PathBuf,
    /// True when the engine answers (e.g. `docker info` succeeds): a client alone is not usable.
    pub usable: bool,
    /// Why not usable, in one line; when usable, the server's version (`server 27.1.1`).
    pub detail: String,
}

/// The engines this wizard knows, with the `info` format that prints one word.
const ENGINES: [(&str, &str); 2] = [
    ("docker", "{{.ServerVersion}}"),
    ("podman", "{{.Version.Version}}"),
];

/// The first `name` on PATH.
fn on_path(env: &ProbeEnv, name: &str) -> Option<PathBuf> {
    env.path_dirs()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

pub fn find_all(env: &ProbeEnv) -> Vec<Engine> {
    let found: Vec<(&str, &str, PathBuf)> = ENGINES
        .iter()
        .filter_map(|(n, f)| on_path(env, n).map(|p| (*n, *f, p)))
        .collect();
    par_map(&found, |(name, format, path)| {
        let out = run::run(path, &["info", "--format", format], env, &[], PROBE_TIMEOUT);
        let answer = out.stdout.trim();
        // Some docker versions print the error into the template and exit 0.
        if out.success() && !answer.is_empty() && !answer.contains("Cannot connect") {
            return Engine {
                name: name.to_string(),
                path: path.clone(),
                usable: true,
                detail: format!("server {answer}"),
            };
        }
        let detail = if out.timed_out {
            format!(
                "`{name} info` did not answer within {} s",
                PROBE_TIMEOUT.as_secs()
            )
        } else if let Some(e) = &out.spawn_error {
            format!("{name} could not be started ({e})")
        } else {
            explain(name, out.first_error_line().unwrap_or("no output"))
        };
        Engine {
            name: name.to_string(),
            path: path.clone(),
            usable: false,
            detail,
        }
    })
}

/// One line saying why `<name> info` failed, with the engine's own words.
pub fn explain(name: &str, message: &str) -> String {
    let msg: String = message.trim().chars().take(200).collect();
    let lower = msg.to_lowercase();
    if lower.contains("cannot connect to the docker daemon")
        || lower.contains("is the docker daemon running")
        || lower.contains("connect: no such file")
        || lower.contains("connection refused")
    {
        format!("the {name} client is installed but no daemon answers ({msg})")
    } else if lower.contains("permission denied") {
        let fix = if name == "docker" {
            "add your user to the `docker` group, then log in again"
        } else {
            "check rootless podman's set-up (`podman system migrate`)"
        };
        format!("the {name} daemon refuses this user: {fix} ({msg})")
    } else {
        format!("`{name} info` failed ({msg})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn write_exec(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn env(path: &Path) -> ProbeEnv {
        ProbeEnv {
            path: path.display().to_string(),
            home: None,
            root: "/".into(),
            pyenv_root: None,
            poetry_home: None,
        }
    }

    #[test]
    fn a_client_without_a_daemon_is_not_usable() {
        let t = tempfile::tempdir().unwrap();
        write_exec(
            &t.path().join("docker"),
            "#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
        );
        write_exec(
            &t.path().join("podman"),
            "#!/bin/sh\n[ \"$1 $3\" = 'info {{.Version.Version}}' ] && echo 5.2.2\n",
        );
        let found = find_all(&env(t.path()));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "docker");
        assert!(!found[0].usable);
        assert!(
            found[0].detail.starts_with(
                "the docker client is installed but no daemon answers (Cannot connect"
            ),
            "{}",
            found[0].detail
        );
        assert!(found[1].usable, "{:?}", found[1]);
        assert_eq!(found[1].detail, "server 5.2.2");
    }

    #[test]
    fn no_engine_no_entry() {
        let t = tempfile::tempdir().unwrap();
        assert!(find_all(&env(t.path())).is_empty());
    }

    #[test]
    fn explains_permission_problems() {
        let d = explain(
            "docker",
            "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock",
        );
        assert!(d.contains("`docker` group"), "{d}");
    }
}
