use super::{names, project_dir};
use crate::journey::{Check, Context, Failure, Question};
use crate::names::PluginNames;
use crate::plan::Plan;

/// The plugin's name and description, and a target folder that is safe to use.
pub(super) struct About;

fn valid_name(s: &str) -> Result<String, String> {
    PluginNames::parse(s).map(|n| n.short).map_err(|e| e.0)
}

fn default_author() -> String {
    let get =
        |k: &str| crate::exec::capture(&crate::plan::Cmd::new("git").args(["config", "--get", k]));
    match (get("user.name"), get("user.email")) {
        (Some(n), Some(e)) if !n.is_empty() && !e.is_empty() => format!("{n} <{e}>"),
        (Some(n), _) if !n.is_empty() => n,
        _ => "Arcalot contributors".into(),
    }
}

impl crate::journey::Step for About {
    fn id(&self) -> &'static str {
        "about"
    }
    fn title(&self) -> &'static str {
        "About your plugin"
    }
    fn why(&self) -> &'static str {
        "Official plugins follow one naming scheme (\"Setting up your project\"): the repository, image and \
         Poetry name are arcaflow-plugin-NAME, the code folder arcaflow_plugin_NAME, the entry module \
         NAME_plugin.py. The code folder must match the Poetry name or the build fails."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let default_name = ctx
            .answer("dir")
            .and_then(|d| {
                std::path::Path::new(d)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
            })
            .filter(|f| f.starts_with("arcaflow-plugin-") || f.starts_with("arcaflow_plugin_"))
            .and_then(|f| valid_name(&f).ok());
        vec![
            Question::text(
                "name",
                "Plugin name (e.g. example for arcaflow-plugin-example)",
            )
            .flag("--name")
            .default_opt(default_name)
            .validate(valid_name),
            Question::text("description", "One line on what it does")
                .default("An Arcaflow plugin.")
                .validate(|s| crate::names::one_line("description", s)),
            Question::text("author", "Author (Name <email>)")
                .default(default_author())
                .validate(|s| crate::names::one_line("author", s)),
            // Asked before the Python step, which offers only interpreters the target allows.
            super::target::question_for(ctx),
        ]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        check_target(ctx)?;
        Ok(Plan::new())
    }
}

/// The folder must be new, empty, or this same plugin from an earlier run.
fn check_target(ctx: &Context) -> Result<(), Failure> {
    let dir = project_dir(ctx);
    let dist = names(ctx).dist();
    if dir.is_file() {
        return Err(Failure::usage(format!(
            "{} is a file, not a folder: choose another DIR.",
            dir.display()
        )));
    }
    check_writable(&dir)?;
    let Ok(mut entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    if entries.next().is_none() {
        return Ok(());
    }
    if super::project::is_our_project(ctx) {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "{} already exists and is not the {dist} project: nothing was changed.",
        dir.display()
    ))
    .hint("Choose another folder (arcaflow-wizard new DIR --name NAME), or remove that one first."))
}

/// The folder, or the nearest existing folder above it that it would be made in,
/// must be writable by this user: `poetry new` would fail half-way otherwise.
fn check_writable(dir: &std::path::Path) -> Result<(), Failure> {
    let Some(existing) = dir.ancestors().find(|a| a.is_dir()) else {
        return Ok(());
    };
    let err = match crate::sys::ffi::can_write_dir(existing) {
        Ok(()) => return Ok(()),
        // A path with a NUL byte cannot be asked about: left to `poetry new`.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return Ok(()),
        Err(e) => e,
    };
    Err(Failure::usage(format!(
        "{} cannot be written ({err}): nothing was changed.",
        existing.display()
    ))
    .hint("Choose a folder you can write to (arcaflow-wizard new DIR --name NAME), or fix its permissions."))
}

#[cfg(test)]
mod tests {
    use crate::journey::Step;

    /// The form refuses a pasted two-line description or author, as --answers does.
    #[test]
    fn the_form_refuses_a_line_break_in_the_description_and_author() {
        let ctx = crate::journey::Context::new(
            std::env::temp_dir(),
            Default::default(),
            Default::default(),
            crate::probe::ProbeEnv::from_env(),
        );
        let qs = super::About.questions(&ctx);
        for key in ["description", "author"] {
            let q = qs.iter().find(|q| q.key == key).unwrap();
            assert!(
                q.accept("one\ntwo").unwrap_err().contains("line break"),
                "{key}"
            );
            assert_eq!(q.accept("one line").unwrap(), "one line", "{key}");
        }
    }
}
