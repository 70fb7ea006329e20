use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};
use crate::probe::distro;
use crate::version::Version;

pub const MIN: Version = Version::new(3, 9, 0);

/// A Python 3.9 or newer for the project.
pub struct PythonStep;

impl Step for PythonStep {
    fn id(&self) -> &'static str {
        "python"
    }
    fn title(&self) -> &'static str {
        "Python 3.9 or newer"
    }
    fn why(&self) -> &'static str {
        "Official plugins run on Python 3.9 in the official build images, and the SDK needs 3.9 or newer \
         (\"Installing Poetry\": ensure python3 is at least 3.9). The project's virtualenv is made from \
         the interpreter chosen here. A plugin for Python 3.12 only needs a 3.12 or newer."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let min = super::target(ctx).min_python();
        let options: Vec<(String, String)> = ctx
            .facts
            .pythons
            .iter()
            .filter(|p| p.version >= min)
            .map(|p| {
                let names = if p.names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", p.names.join(", "))
                };
                (
                    p.path.to_string_lossy().into_owned(),
                    format!("Python {}  {}{names}", p.version, p.path.display()),
                )
            })
            .collect();
        if options.is_empty() {
            return Vec::new();
        }
        let default = ctx
            .facts
            .best_python()
            .filter(|p| p.version >= min)
            .or_else(|| {
                ctx.facts
                    .pythons
                    .iter()
                    .filter(|p| p.version >= min)
                    .min_by_key(|p| p.version)
            })
            .map(|p| p.path.to_string_lossy().into_owned());
        vec![
            Question::choice("python", "Which Python should the project use?", options)
                .flag("--python")
                .default_opt(default),
        ]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        let chosen = super::chosen_python(ctx)?;
        let p3 = ctx.facts.python3_on_path()?;
        (p3.version < MIN).then(|| {
            format!(
                "python3 on your PATH is Python {} ({}), older than 3.9; the project uses {}.\n\
                 To make python3 mean it in your shell: alias python3=\"{}\"",
                p3.version,
                p3.path.display(),
                chosen.path.display(),
                chosen.path.display()
            )
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let min = super::target(ctx).min_python();
        let Some(py) = super::chosen_python(ctx).filter(|p| p.version >= min) else {
            return Err(no_python(ctx));
        };
        Ok(Plan::new().run(Cmd::new(&py.path).arg("--version")))
    }
}

/// The distro's hint gives a Python 3.9 or newer; a 3.12 floor is not in every
/// distro's packages, so pyenv's command, which is.
fn install_hint(ctx: &Context, min: Version) -> String {
    if min > MIN {
        format!(
            "pyenv install {}.{}   # pyenv: https://github.com/pyenv/pyenv#installation (or your distro's python{}.{} package)",
            min.major, min.minor, min.major, min.minor
        )
    } else {
        distro::python_install_hint(ctx.facts.distro.as_ref())
    }
}

fn no_python(ctx: &Context) -> Failure {
    let min = super::target(ctx).min_python();
    let found = match ctx.facts.pythons.iter().max_by_key(|p| p.version) {
        Some(p) => format!(
            " The newest found is Python {} at {}.",
            p.version,
            p.path.display()
        ),
        None => " No Python interpreter was found at all.".into(),
    };
    Failure::new(format!(
        "No Python {}.{} or newer was found.{found}",
        min.major, min.minor
    ))
    .hint(format!(
        "Install one, then run the wizard again:\n  {}",
        install_hint(ctx, min)
    ))
}
