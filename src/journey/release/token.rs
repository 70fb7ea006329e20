//! The upload token. It is asked in a masked field, or found in the environment
//! (`POETRY_PYPI_TOKEN_<NAME>`, as Poetry reads it) or in Poetry's auth.toml. It
//! reaches Poetry only through that environment variable, for the one command
//! that uploads: never in an argv (`poetry config pypi-token.NAME TOKEN` would put
//! it there, visible in `ps` and /proc), never on screen, in the log or the state.

use std::path::PathBuf;

use super::Target;
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::Plan;

/// `POETRY_PYPI_TOKEN_<NAME>`: NAME upper-cased, `-` and `.` to `_`.
pub fn token_env_var(repo: &str) -> String {
    format!(
        "POETRY_PYPI_TOKEN_{}",
        repo.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

/// Poetry's config folder: `POETRY_CONFIG_DIR`, else `$XDG_CONFIG_HOME/pypoetry`,
/// else `~/.config/pypoetry`.
fn poetry_config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("POETRY_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(d.into());
    }
    if let Some(d) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("pypoetry"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/pypoetry"))
}

/// Poetry has a token for `repo` in plain text in auth.toml (where it goes when no
/// keyring works). Only the key's presence is read; the value is not kept.
pub fn auth_toml_has_token(repo: &str) -> bool {
    let Some(dir) = poetry_config_dir() else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(dir.join("auth.toml")) else {
        return false;
    };
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return false;
    };
    doc.get("pypi-token")
        .and_then(|t| t.get(repo))
        .and_then(|v| v.as_str())
        .is_some_and(|v| !v.trim().is_empty())
}

/// The secret key a target's token is kept under in `ctx.secrets`.
pub fn secret_key(target: &Target) -> &'static str {
    if target.is_pypi() {
        "pypi_token"
    } else {
        "token"
    }
}

/// Where the token for `target` comes from, or None when it must be asked.
pub(crate) fn token_source(ctx: &Context, target: &Target) -> Option<String> {
    if ctx.secrets.contains_key(secret_key(target)) {
        return Some(
            if ctx.learned.contains_key(&format!("env:{}", target.name)) {
                format!("{} in the environment", target.token_var())
            } else {
                "typed in this session".into()
            },
        );
    }
    if auth_toml_has_token(&target.name) {
        return Some(format!(
            "Poetry's configuration (pypi-token.{} in auth.toml)",
            target.name
        ));
    }
    None
}

/// Why a token looks wrong (kept short; the token itself is never shown).
pub fn token_warning(token: &str) -> Option<String> {
    if token.trim() != token {
        return Some("the token has spaces or a line break around it: copy it again".into());
    }
    if !token.starts_with("pypi-") {
        return Some(
            "the token does not start with `pypi-`, as (Test)PyPI API tokens do: check that you copied all of it"
                .into(),
        );
    }
    None
}

/// Does `value` look like a PyPI API token (`pypi-` and a long base64url macaroon,
/// which always holds capitals)? Such a value given as a name, a path, a version
/// or a URL must not be echoed back. Plugin names are lower case, so a name such
/// as `pypi-tools` is not taken for one.
pub fn looks_like_token(value: &str) -> bool {
    let Some(rest) = value.trim().strip_prefix("pypi-") else {
        return false;
    };
    rest.len() >= 16
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && rest.chars().any(|c| c.is_ascii_uppercase())
}

/// Does `value` hold a token-shaped part (a URL's user info, a query value, ...)?
pub fn holds_token(value: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(looks_like_token)
}

/// What to say when `what` (a flag or an answers-file key) was given a token.
/// The value is not repeated.
pub fn token_given_as(what: &str) -> String {
    format!(
        "{what}: this looks like an API token (not shown here), not the value this takes. \
         A token is never a flag or an answer: `release` reads it from POETRY_PYPI_TOKEN_<NAME> \
         or asks for it in a masked field. If it is a real token, revoke it and make a new one: \
         it may now be in your shell history or in a file."
    )
}

/// A typed token, checked: the token without spaces around it, or why it is refused.
/// The reason never holds the token.
pub fn check_token(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("a token is needed (it is not shown while you type)".into());
    }
    if t.contains(char::is_whitespace) {
        return Err("a token has no spaces or line breaks inside: copy it again".into());
    }
    if t.starts_with("http://") || t.starts_with("https://") {
        return Err(
            "this is a URL, not a token: paste the API token (from PyPI it starts with `pypi-`)"
                .into(),
        );
    }
    Ok(t.to_string())
}

/// A token from the environment variable `var`, checked like a typed one.
/// `Ok(None)` when the variable is set but blank (empty or only spaces): it holds
/// no token. Spaces and line breaks around the token are dropped (a secret pasted
/// into CI often ends in a newline; no token has them). The reason never holds
/// the token.
pub fn check_env_token(var: &str, raw: &std::ffi::OsStr) -> Result<Option<String>, String> {
    let Some(v) = raw.to_str() else {
        return Err(format!(
            "{var} holds bytes that are not text: set it to the token again"
        ));
    };
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.contains(char::is_whitespace) {
        return Err(format!(
            "{var} has a space or a line break inside the token: copy the token again"
        ));
    }
    if t.starts_with("http://") || t.starts_with("https://") {
        return Err(format!(
            "{var} holds a URL, not a token: set it to the API token (from PyPI it starts with `pypi-`)"
        ));
    }
    Ok(Some(t.to_string()))
}

/// The token question for a target (masked).
pub(crate) fn token_question(key: &'static str, target: &Target) -> Question {
    let site = if target.is_pypi() {
        "https://pypi.org/manage/account/token/".to_string()
    } else if target.name == "testpypi" {
        "https://test.pypi.org/manage/account/token/".to_string()
    } else {
        target.upload_url.clone().unwrap_or_default()
    };
    Question::secret(
        key,
        format!(
            "API token for {} ({site}); it is not shown while you type, or set {}",
            target.name,
            target.token_var()
        ),
    )
    .validate(check_token)
}

/// How to keep the token for `repo` so that Poetry and `release --yes` find it,
/// without it ever reaching a command line or shell history. Not `poetry config
/// pypi-token.NAME`: Poetry 1.8 and 2.x take the token only as its argument, and
/// one it stores in a keyring is not seen by the wizard, which runs Poetry with no
/// keyring (a locked one can hang).
pub fn keep_token_advice(repo: &str) -> String {
    let var = token_env_var(repo);
    let file = format!("~/.{repo}-token");
    format!(
        "put it in a file only you can read: run `(umask 077; cat > {file})`, paste the token, \
         press Enter and Ctrl-D; then, in the shell that releases, `export {var}=\"$(cat {file})\"` \
         (Poetry reads {var} itself, and the token never appears on a command line or in shell history)"
    )
}

/// How to keep the token for later, without the wizard ever putting it on a command line.
pub(crate) fn storing_hint(target: &Target) -> String {
    format!(
        "A token typed here is kept for this session only. In CI, set the secret {var}. \
         On your machine, {advice}.",
        var = target.token_var(),
        advice = keep_token_advice(&target.name)
    )
}

pub(super) struct TokenStep;

impl Step for TokenStep {
    fn id(&self) -> &'static str {
        "token"
    }
    fn title(&self) -> &'static str {
        "Upload token"
    }
    fn why(&self) -> &'static str {
        "An index takes uploads with an API token (user `__token__`). The guide stores one with \
         `poetry config pypi-token.<any name> TOKEN`: the name must be the repository's (`pypi` for PyPI, \
         `testpypi` for TestPyPI), and a token on a command line is seen by every process on the machine \
         and kept in shell history. The wizard reads it from POETRY_PYPI_TOKEN_<NAME> (NAME upper-cased, \
         `-` to `_`), which Poetry reads too, or asks for it in a masked field, and gives it to Poetry only \
         in that variable of the upload (a token Poetry keeps in plain text in auth.toml is used as it is)."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let Ok(target) = super::publish::target(ctx) else {
            return Vec::new();
        };
        // A dry run's script expects the token in the environment when it runs.
        if ctx.opts.dry_run || token_source(ctx, &target).is_some() {
            return Vec::new();
        }
        vec![token_question(secret_key(&target), &target)]
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let target = super::publish::target(ctx)?;
        if ctx.secrets.contains_key(secret_key(&target))
            && !ctx.learned.contains_key(&format!("env:{}", target.name))
        {
            // Typed now: the note below says how to keep it.
            return Ok(Check::Todo);
        }
        match token_source(ctx, &target) {
            Some(src) => {
                let warn = ctx
                    .secrets
                    .get(secret_key(&target))
                    .and_then(|t| token_warning(t))
                    .map(|w| format!("; warning: {w}"))
                    .unwrap_or_default();
                Ok(Check::Done(format!("found in {src}{warn}")))
            }
            None => Ok(Check::Todo),
        }
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let target = super::publish::target(ctx).ok()?;
        let mut note = String::new();
        if let Some(w) = ctx
            .secrets
            .get(secret_key(&target))
            .and_then(|t| token_warning(t))
        {
            note.push_str(&format!("Warning: {w}.\n"));
        }
        note.push_str(&storing_hint(&target));
        Some(note)
    }
}
