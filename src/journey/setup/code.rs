use std::path::Path;
use std::time::Duration;

use super::{not_a_plugin, project_dir, source, Source};
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};

/// Clone the plugin, or take the folder as it is.
pub(super) struct GetCode;

impl Step for GetCode {
    fn id(&self) -> &'static str {
        "code"
    }
    fn title(&self) -> &'static str {
        "Get the code"
    }
    fn why(&self) -> &'static str {
        "A contribution starts from the plugin's own repository: a git URL is cloned (the `git clone` \
         is shown so you can do it yourself next time); a folder you already have is used as it is."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let cwd = ctx.dir.clone();
        vec![
            Question::text("source", "The plugin: a folder, or a git URL to clone")
                .default(".")
                .flag("SOURCE")
                .validate(move |s| validate_source(s, &cwd)),
        ]
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        match source(ctx) {
            Source::Folder(p) => match not_a_plugin(&p) {
                Some(why) => Err(Failure::usage(format!("{why}; nothing was changed."))),
                None => Ok(Check::Done(format!("{} is used as it is", p.display()))),
            },
            Source::Git(url) => {
                let dir = project_dir(ctx);
                if is_clone_of(&dir, &url) && not_a_plugin(&dir).is_none() {
                    return Ok(Check::Done(format!(
                        "already cloned into {}",
                        dir.display()
                    )));
                }
                match clone_target_problem(&dir) {
                    Some(why) => Err(Failure::usage(why)),
                    None => Ok(Check::Todo),
                }
            }
        }
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let Source::Git(url) = source(ctx) else {
            return Ok(Plan::new());
        };
        let dir = project_dir(ctx);
        let shown = crate::plan::relative_to(&dir, &ctx.dir);
        Ok(Plan::new().run(
            Cmd::new("git")
                .args(["clone", &url, &shown.to_string_lossy()])
                .cwd(&ctx.dir)
                .timeout(Duration::from_secs(600)),
        ))
    }
    fn explain(&self, ctx: &Context, _cmd: &Cmd, res: &crate::exec::RunResult) -> Option<Failure> {
        let Source::Git(url) = source(ctx) else {
            return None;
        };
        let said = res
            .tail_text()
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .to_string();
        // git removes a clone it could not finish: nothing is left behind.
        Some(
            Failure::usage(format!("git could not clone {url}: {said}"))
                .hint("Check the URL (and that you may read the repository); nothing was created."),
        )
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let dir = project_dir(ctx);
        if let Some(why) = not_a_plugin(&dir) {
            // The clone is this run's own: take it away again, so nothing is left.
            let _ = std::fs::remove_dir_all(&dir);
            return Err(Failure::usage(format!(
                "{why}. The clone was removed again; nothing else was changed."
            )));
        }
        // A fresh clone has no virtualenv yet: the venv step need not ask Poetry
        // (a second of its start-up) to find that out.
        ctx.learned
            .insert("project_created".into(), "cloned".into());
        Ok(())
    }
}

/// The source as typed: a folder is refused as it is typed (not a plugin, or
/// not there), so the form can be answered again; a URL is tried by the clone.
fn validate_source(s: &str, cwd: &Path) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("give a folder or a git URL".into());
    }
    if crate::journey::release::holds_token(s) || url_has_password(s) {
        return Err(
            "the URL holds a password or token: clone with git's credential helper instead".into(),
        );
    }
    if let Source::Folder(p) = super::parse_source(s, cwd) {
        if !p.exists() {
            return Err("no such folder, and not a git URL".into());
        }
        if not_a_plugin(&p).is_some() {
            // Short: the form has one line for it.
            let missing: Vec<&str> = ["pyproject.toml", "Dockerfile"]
                .into_iter()
                .filter(|f| !p.join(f).is_file())
                .collect();
            return Err(format!(
                "not an Arcaflow plugin: no {} in {s}",
                missing.join(", no ")
            ));
        }
    }
    Ok(s.to_string())
}

/// A password in a URL (`user:password@`), or anything before `@` in an
/// http(s) URL (where that is a token: `https://ghp_...@github.com/`): it would
/// be on git's command line and in logs. `ssh://git@host/...` is a user name.
pub(crate) fn url_has_password(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let Some((user, _)) = authority.rsplit_once('@') else {
        return false;
    };
    user.contains(':') || matches!(scheme, "http" | "https")
}

/// Why a clone cannot go to `dir`: it is there and not empty (git refuses too,
/// but only after the journey started).
pub(crate) fn clone_target_problem(dir: &Path) -> Option<String> {
    if dir.exists() && !dir.is_dir() {
        return Some(format!(
            "{} is a file: give another DIR for the clone; nothing was changed.",
            dir.display()
        ));
    }
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
    non_empty.then(|| {
        format!(
            "{} exists and is not empty: give another DIR for the clone, or run setup on that \
             folder itself; nothing was changed.",
            dir.display()
        )
    })
}

/// `dir` is a git clone whose origin is `url` (read from .git/config: running
/// git in a folder someone else made is what setup avoids before it is asked).
pub(crate) fn is_clone_of(dir: &Path, url: &str) -> bool {
    let Ok(cfg) = std::fs::read_to_string(dir.join(".git/config")) else {
        return false;
    };
    let mut in_origin = false;
    for line in cfg.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_origin = l == "[remote \"origin\"]";
        } else if in_origin {
            if let Some((k, v)) = l.split_once('=') {
                if k.trim() == "url" && v.trim() == url {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_checked_as_it_is_typed() {
        let tmp = tempfile::tempdir().unwrap();
        let cwd = tmp.path();
        std::fs::create_dir(cwd.join("p")).unwrap();
        let e = validate_source("p", cwd).unwrap_err();
        assert_eq!(
            e,
            "not an Arcaflow plugin: no pyproject.toml, no Dockerfile in p"
        );
        std::fs::write(cwd.join("p/pyproject.toml"), "").unwrap();
        std::fs::write(cwd.join("p/Dockerfile"), "").unwrap();
        assert_eq!(validate_source(" p ", cwd).unwrap(), "p");
        assert!(validate_source("q", cwd)
            .unwrap_err()
            .contains("no such folder"));
        assert!(validate_source("", cwd).is_err());
        // A URL is left to the clone.
        assert!(validate_source("https://example.com/x.git", cwd).is_ok());
        assert!(validate_source("https://u:pw@example.com/x.git", cwd).is_err());
    }

    #[test]
    fn credentials_in_urls() {
        for u in [
            "https://me:secret@github.com/a/b.git",
            "https://ghp_abcdefabcdef@github.com/a/b.git",
            "ssh://me:pw@host/x",
        ] {
            assert!(url_has_password(u), "{u}");
        }
        for u in [
            "https://github.com/a/b.git",
            "ssh://git@github.com/a/b.git",
            "git@github.com:a/b.git",
            "file:///tmp/x.git",
        ] {
            assert!(!url_has_password(u), "{u}");
        }
    }
}
