use crate::journey::doctor::checks::venv_range::pep440;
use crate::journey::{Check, Context, Failure, Question, Step};
use crate::plan::{Cmd, Plan};
use crate::probe::{distro, Python};
use crate::pyproject::constraint::Constraint;
use crate::version::Version;

use crate::official::MIN_PYTHON as MIN;

/// A Python 3.9 or newer for the project; for a project that exists (`setup`),
/// one its own range admits.
pub(crate) struct PythonStep {
    /// Read the range from the project's pyproject.toml (`setup`), rather than
    /// the range `new` writes.
    pub project_range: bool,
}

impl PythonStep {
    pub(crate) const ANY: PythonStep = PythonStep {
        project_range: false,
    };
    pub(crate) const PROJECT: PythonStep = PythonStep {
        project_range: true,
    };

    /// The project's range as written, and parsed (None: any Python 3.9+ will do).
    fn range(&self, ctx: &Context) -> Option<(String, Constraint)> {
        if !self.project_range {
            return None;
        }
        crate::journey::setup::python_range(ctx)
    }

    /// The floor: `new`'s target (3.9, or 3.12 for a 3.12-only plugin); for
    /// `setup`, 3.9 and then the project's own range.
    fn min(&self, ctx: &Context) -> Version {
        if self.project_range {
            MIN
        } else {
            super::target(ctx).min_python()
        }
    }

    fn admitted<'a>(&self, ctx: &'a Context) -> Vec<&'a Python> {
        let range = self.range(ctx);
        let min = self.min(ctx);
        ctx.facts
            .pythons
            .iter()
            .filter(|p| p.version >= min)
            .filter(|p| {
                range
                    .as_ref()
                    .is_none_or(|(_, c)| c.contains(&pep440(p.version)))
            })
            .collect()
    }

    /// `new`: python3 when it will do, else the oldest 3.9+. `setup`: the oldest
    /// the range admits, the one nearest the official images' Python.
    fn default_python(&self, ctx: &Context) -> Option<String> {
        let p = if self.project_range {
            self.admitted(ctx).into_iter().min_by_key(|p| p.version)
        } else {
            let min = self.min(ctx);
            ctx.facts
                .best_python()
                .filter(|p| p.version >= min)
                .or_else(|| self.admitted(ctx).into_iter().min_by_key(|p| p.version))
        };
        p.map(|p| p.path.to_string_lossy().into_owned())
    }
}

impl Step for PythonStep {
    fn id(&self) -> &'static str {
        "python"
    }
    fn title(&self) -> &'static str {
        if self.project_range {
            "A Python the project admits"
        } else {
            "Python 3.9 or newer"
        }
    }
    fn why(&self) -> &'static str {
        if self.project_range {
            return "The project's pyproject.toml says which Pythons it supports (`python = \"^3.9\"` for the \
             official images' Python 3.9, `^3.12` for the 0.5 base images); its virtualenv must be made \
             from one of them, or `poetry install` refuses the interpreter.";
        }
        "Official plugins run on Python 3.9 in the official build images, and the SDK needs 3.9 or newer \
         (\"Installing Poetry\": ensure python3 is at least 3.9). The project's virtualenv is made from \
         the interpreter chosen here. A plugin for Python 3.12 only needs a 3.12 or newer."
    }
    fn questions(&self, ctx: &Context) -> Vec<Question> {
        let options: Vec<(String, String)> = self
            .admitted(ctx)
            .into_iter()
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
        vec![
            Question::choice("python", "Which Python should the project use?", options)
                .flag("--python")
                .default_opt(self.default_python(ctx)),
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
        let min = self.min(ctx);
        let Some(py) = super::chosen_python(ctx).filter(|p| p.version >= min) else {
            return Err(match self.range(ctx) {
                Some((text, c)) => no_python_for(ctx, &text, &c),
                None => no_python(ctx),
            });
        };
        if let Some((text, c)) = self.range(ctx) {
            if !c.contains(&pep440(py.version)) {
                // Only a given --python (or answers file) gets here: the
                // question lists admitted interpreters only.
                return Err(Failure::usage(format!(
                    "Python {} at {} is outside the project's range `{text}` (pyproject.toml)",
                    py.version,
                    py.path.display()
                ))
                .hint("Give a --python the range admits, or leave --python out to choose one."));
            }
        }
        Ok(Plan::new().run(Cmd::new(&py.path).arg("--version")))
    }
}

fn newest_found(ctx: &Context) -> String {
    match ctx.facts.pythons.iter().max_by_key(|p| p.version) {
        Some(p) => format!(
            " The newest found is Python {} at {}.",
            p.version,
            p.path.display()
        ),
        None => " No Python interpreter was found at all.".into(),
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
    Failure::new(format!(
        "No Python {}.{} or newer was found.{}",
        min.major,
        min.minor,
        newest_found(ctx)
    ))
    .hint(format!(
        "Install one, then run the wizard again:\n  {}",
        install_hint(ctx, min)
    ))
}

/// No interpreter the project's range admits: the install command for the
/// lowest minor it admits, on this distro.
fn no_python_for(ctx: &Context, text: &str, range: &Constraint) -> Failure {
    let minor = (9..=14)
        .find(|m| {
            range.contains(&pep440(Version::new(3, *m, 0)))
                || range.contains(&pep440(Version::new(3, *m, 99)))
        })
        .unwrap_or(9);
    let found: Vec<String> = ctx
        .facts
        .pythons
        .iter()
        .map(|p| p.version.to_string())
        .collect();
    let found = if found.is_empty() {
        " No Python interpreter was found at all.".to_string()
    } else {
        format!(" Found here: Python {}.", found.join(", "))
    };
    Failure::new(format!(
        "The project needs Python {text} (pyproject.toml), and none that it admits is installed.{found}"
    ))
    .hint(format!(
        "Install Python 3.{minor}, then run the wizard again:\n  {}",
        distro::python_install_hint_for(ctx.facts.distro.as_ref(), minor)
    ))
}
