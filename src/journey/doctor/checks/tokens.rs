//! Upload tokens where `release` needs them: Poetry's auth.toml (plain text
//! when there is no keyring), `POETRY_PYPI_TOKEN_<NAME>`, token names that no
//! repository matches, and a keyring that could hang.

use std::path::PathBuf;

use super::super::{Finding, Fix, Group, Input};

const G: Group = Group::Tokens;

fn config_dir(input: &Input) -> Option<PathBuf> {
    std::env::var_os("POETRY_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CONFIG_HOME").map(|x| PathBuf::from(x).join("pypoetry")))
        .or_else(|| input.env.home.as_ref().map(|h| h.join(".config/pypoetry")))
}

fn table_keys(doc: &toml_edit::DocumentMut, key: &str) -> Vec<String> {
    doc.get(key)
        .and_then(|t| t.as_table_like())
        .map(|t| t.iter().map(|(k, _)| k.to_string()).collect())
        .unwrap_or_default()
}

/// The NAME of every set, non-empty `PREFIX<NAME>SUFFIX` variable. Read as
/// bytes (`vars_os`): `std::env::vars` panics on a value that is not UTF-8,
/// and its message holds the value, which may be a token. Only names are
/// kept; a name that is not UTF-8 is no repository Poetry could use.
fn env_names(prefix: &str, suffix: &str) -> Vec<String> {
    std::env::vars_os()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, _)| {
            let k = k.into_string().ok()?;
            Some(k.strip_prefix(prefix)?.strip_suffix(suffix)?.to_string())
        })
        .collect()
}

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    let dir = config_dir(input);
    let read = |f: &str| -> Option<toml_edit::DocumentMut> {
        std::fs::read_to_string(dir.as_ref()?.join(f))
            .ok()?
            .parse()
            .ok()
    };
    let auth = read("auth.toml");
    let config = read("config.toml");
    let stored: Vec<String> = auth
        .as_ref()
        .map(|a| table_keys(a, "pypi-token"))
        .unwrap_or_default();
    // Names compare as Poetry's environment variables spell them: case and `-`/`_` do not count.
    let norm = |n: &str| n.to_ascii_lowercase().replace('_', "-");
    let mut repos: Vec<String> = config
        .as_ref()
        .map(|c| table_keys(c, "repositories"))
        .unwrap_or_default()
        .iter()
        .map(|r| norm(r))
        .collect();
    // Poetry reads `repositories.<name>.url` from POETRY_REPOSITORIES_<NAME>_URL too.
    repos.extend(
        env_names("POETRY_REPOSITORIES_", "_URL")
            .iter()
            .map(|n| norm(n)),
    );
    let from_env: Vec<String> = env_names("POETRY_PYPI_TOKEN_", "")
        .iter()
        .map(|n| norm(n))
        .collect();

    if !stored.is_empty() {
        let path = dir.clone().unwrap_or_default().join("auth.toml");
        out.push(
            Finding::warning(G, "token-plaintext", format!("token(s) for {} stored in plain text", stored.join(", ")))
                .detail(format!("{} (no keyring backend was available when they were set)", path.display()))
                .fix(Fix::manual(format!(
                    "chmod 600 {}   # or move each token to the environment: keep it in a file only you can read, \
                     `export POETRY_PYPI_TOKEN_<NAME>=\"$(cat ~/.<name>-token)\"`, then `poetry config --unset pypi-token.<name>`",
                    path.display()
                ))),
        );
    }
    for name in stored.iter().chain(from_env.iter()) {
        if name != "pypi" && !repos.iter().any(|r| *r == norm(name)) {
            // The URL through the environment, as `release` passes it: advice to write
            // it into the global config.toml would change every later Poetry command.
            let url_var = crate::journey::release::repository_url_env_var(name);
            out.push(
                Finding::warning(G, "token-unknown-repository", format!("a token for `{name}`, but no repository of that name"))
                    .detail(format!(
                        "for PyPI the name must be `pypi`; `poetry publish -r {name}` also needs the repository's upload URL, \
                         which `arcaflow-wizard release --repository {name} --repository-url URL` gives Poetry in {url_var}"
                    ))
                    .fix(Fix::manual(if name == "testpypi" {
                        format!("export {url_var}=https://test.pypi.org/legacy/   # only for a bare `poetry publish -r testpypi`")
                    } else {
                        format!("export {url_var}=URL   # or, if the token is for PyPI, keep it in POETRY_PYPI_TOKEN_PYPI instead")
                    })),
            );
        }
    }
    let desktop = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && (std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some());
    if desktop && std::env::var_os("PYTHON_KEYRING_BACKEND").is_none() {
        out.push(
            Finding::warning(
                G,
                "keyring-may-hang",
                "a desktop keyring may make Poetry hang when it is locked (storing or reading a token)",
            )
            .fix(Fix::manual(
                "export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring",
            )),
        );
    }
    if stored.is_empty() && from_env.is_empty() {
        out.push(Finding::ok(
            G,
            "token-none",
            "no upload token configured (release asks for one)",
        ));
    } else if out.is_empty() {
        out.push(Finding::ok(
            G,
            "token-none",
            format!(
                "token(s) configured: {}",
                [stored, from_env].concat().join(", ")
            ),
        ));
    }
    out
}
