//! `setup`: a contributor joining a plugin that exists. Get the code, read the
//! project as Poetry and the Dockerfile read it, then `new`'s Python, Poetry and
//! virtualenv steps on that project, and its tests run as the official build
//! runs them. Setup changes none of the project's files.

mod code;
mod example_verdict;
mod finish;
pub(crate) mod install;
mod read;
mod test_build;

use std::path::{Path, PathBuf};

use super::new::{env::Env, poetry::PoetryStep, python::PythonStep};
use super::{Context, Step};
use crate::probe::layout::Layout;
use crate::pyproject::Constraint;

pub(crate) use code::{clone_target_problem, is_clone_of, url_has_password};
pub(crate) use read::summary;

pub(crate) fn steps() -> Vec<Box<dyn Step>> {
    vec![
        Box::new(code::GetCode),
        Box::new(read::ReadProject),
        Box::new(PythonStep::PROJECT),
        Box::new(PoetryStep),
        Box::new(Env),
        Box::new(install::Install),
        Box::new(test_build::TestBuild),
        Box::new(finish::Finish),
    ]
}

/// Where the code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A folder, used as it is (absolute).
    Folder(PathBuf),
    /// A git URL, cloned.
    Git(String),
}

/// A git URL as `git clone` takes it: a scheme git knows, or scp-like `user@host:path`.
pub(crate) fn is_git_url(s: &str) -> bool {
    const SCHEMES: [&str; 6] = [
        "https://",
        "http://",
        "ssh://",
        "git://",
        "file://",
        "git+ssh://",
    ];
    if SCHEMES.iter().any(|p| s.starts_with(p)) {
        return true;
    }
    // scp-like: `git@github.com:arcalot/x.git` (no slash before the colon).
    match (s.find('@'), s.find(':')) {
        (Some(at), Some(colon)) => at < colon && !s[..colon].contains('/'),
        _ => false,
    }
}

pub(crate) fn parse_source(s: &str, cwd: &Path) -> Source {
    if is_git_url(s) {
        Source::Git(s.trim().to_string())
    } else {
        // `.` and `./x` name the folder itself in messages and commands.
        Source::Folder(
            cwd.join(s)
                .components()
                .filter(|c| *c != std::path::Component::CurDir)
                .collect(),
        )
    }
}

/// The folder a clone of `url` goes to by default, as `git clone` names it.
pub(crate) fn clone_name(url: &str) -> String {
    let t = url.trim_end_matches('/');
    let last = t.rsplit(['/', ':']).next().unwrap_or(t);
    let name = last.strip_suffix(".git").unwrap_or(last);
    if name.is_empty() {
        "plugin".into()
    } else {
        name.to_string()
    }
}

/// The source as answered (the current folder when none was given).
pub(crate) fn source(ctx: &Context) -> Source {
    parse_source(ctx.answer("source").unwrap_or("."), &ctx.dir)
}

/// The project folder: the folder given, or where the clone goes (DIR, else ./NAME).
pub(crate) fn project_dir(ctx: &Context) -> PathBuf {
    match source(ctx) {
        Source::Folder(p) => p,
        Source::Git(url) => match ctx.answer("dir") {
            Some(d) => ctx.dir.join(d),
            None => ctx.dir.join(clone_name(&url)),
        },
    }
}

/// The key under which `--dry-run` of a URL records its temporary clone.
pub(crate) const READ_FROM: &str = "read_from";

/// Where the project's files are read: the project, or for `--dry-run` of a git
/// URL, the temporary clone made to read it.
pub(crate) fn files_dir(ctx: &Context) -> PathBuf {
    ctx.learned
        .get(READ_FROM)
        .map(PathBuf::from)
        .unwrap_or_else(|| project_dir(ctx))
}

pub(crate) fn layout(ctx: &Context) -> Option<Layout> {
    Layout::read(&files_dir(ctx))
}

/// The project's Python range, as written and parsed.
pub(crate) fn python_range(ctx: &Context) -> Option<(String, Constraint)> {
    let req = layout(ctx)?.python?;
    let c = req.parsed().ok()?;
    Some((req.constraint, c))
}

/// Why `dir` is not a plugin project, if it is not: the files ACT and the build need.
pub(crate) fn not_a_plugin(dir: &Path) -> Option<String> {
    if !dir.is_dir() {
        return Some(format!("{} is not a folder", dir.display()));
    }
    let missing: Vec<&str> = ["pyproject.toml", "Dockerfile"]
        .into_iter()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "{} is not an Arcaflow plugin project: it has no {} (a Python plugin has both \
         pyproject.toml and a Dockerfile at its root)",
        dir.display(),
        missing.join(" and no ")
    ))
}

/// A command in the project folder, for the script and the runner.
pub(crate) fn poetry_cmd(ctx: &Context, args: &[&str]) -> crate::plan::Cmd {
    super::new::poetry_cmd(ctx, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_and_folders() {
        for u in [
            "https://github.com/arcalot/arcaflow-plugin-fio",
            "file:///tmp/x.git",
            "git@github.com:arcalot/arcaflow-plugin-fio.git",
            "ssh://git@host/x",
        ] {
            assert!(is_git_url(u), "{u}");
        }
        for f in [".", "./arcaflow-plugin-fio", "/tmp/a:b", "plugins/x@y:z"] {
            assert!(!is_git_url(f), "{f}");
        }
        assert_eq!(
            clone_name("https://github.com/arcalot/arcaflow-plugin-fio.git/"),
            "arcaflow-plugin-fio"
        );
        assert_eq!(clone_name("git@github.com:arcalot/x.git"), "x");
        assert_eq!(clone_name("git@github.com:x.git"), "x");
    }
}
