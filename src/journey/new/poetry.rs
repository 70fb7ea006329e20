use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};
use crate::probe::{self, distro};
use crate::version::Version;

/// Exactly one Poetry, new enough for dependency groups.
pub(crate) struct PoetryStep;

/// Dependency groups (`--without dev` in the official Dockerfile) came with 1.2.
const MIN: Version = Version::new(1, 2, 0);

impl Step for PoetryStep {
    fn id(&self) -> &'static str {
        "poetry"
    }
    fn title(&self) -> &'static str {
        "Exactly one Poetry"
    }
    fn why(&self) -> &'static str {
        "Official Python plugins are built with Poetry (\"Installing Poetry\"). It must be installed \
         into exactly one Python: with two, it is hard to tell which one made or broke the project's \
         virtualenv."
    }
    /// The probe already knows the chosen Poetry's version (from its files,
    /// or from the one `poetry --version` it ran): asking again would start
    /// Poetry for nothing. The script still shows the command.
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        Ok(match super::chosen_poetry(ctx) {
            Ok(p) => match p.version {
                Some(v) if v >= MIN => {
                    let mut done = format!("Poetry {v} at {}", p.path.display());
                    // The note a run of the step would print, kept.
                    if let Some(n) = self.note(ctx) {
                        done.push_str(". ");
                        done.push_str(&n);
                    }
                    Check::Done(done)
                }
                _ => Check::Todo,
            },
            Err(_) => Check::Todo,
        })
    }
    fn refresh(&self, ctx: &mut Context) {
        ctx.facts.poetries = probe::poetry::find_all(&ctx.probe_env);
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let chosen = match super::chosen_poetry(ctx) {
            Ok(p) => p,
            Err(f) if f.usage => return Err(f),
            Err(_) => return Err(problem(ctx)),
        };
        if let Some(v) = chosen.version.filter(|v| *v < MIN) {
            return Err(Failure::new(format!(
                "Poetry {v} at {} is too old: dependency groups need Poetry 1.2 or newer.",
                chosen.path.display()
            ))
            .hint(format!("Upgrade it, e.g.: {}", upgrade_hint(chosen))));
        }
        Ok(Plan::new().run(Cmd::new(super::poetry_cmd(ctx, &[]).program).arg("--version")))
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        super::chosen_poetry(ctx).ok().filter(|p| p.is_v2()).map(|_| {
            "Poetry 2 differs from the guide's Poetry 1: `poetry new` needs --flat, it writes a [project] \
             table the official build cannot read, and `poetry shell` is gone (use `poetry env activate`). \
             The wizard handles each where it matters."
                .to_string()
        })
    }
}

fn upgrade_hint(p: &probe::PoetryInstall) -> String {
    match p.method {
        probe::InstallMethod::Pipx => "pipx upgrade poetry".into(),
        probe::InstallMethod::OfficialInstaller => "poetry self update".into(),
        _ => "pipx install poetry   (after removing the old one)".into(),
    }
}

/// No Poetry, or several: say which, and what to do.
fn problem(ctx: &Context) -> Failure {
    let all = &ctx.facts.poetries;
    let working: Vec<_> = all.iter().filter(|p| p.python_exists).collect();
    if working.is_empty() {
        let broken: String = all
            .iter()
            .map(|p| {
                format!(
                    "\n  {} is broken: its Python {} is gone",
                    p.path.display(),
                    p.python
                        .as_ref()
                        .map(|x| x.display().to_string())
                        .unwrap_or_default()
                )
            })
            .collect();
        let py = ctx
            .facts
            .best_python()
            .map(|p| p.path.display().to_string())
            .unwrap_or_else(|| "python3".into());
        let has_pipx = which::which_in("pipx", Some(&ctx.probe_env.path), "/").is_ok();
        let mut fix = Plan::new();
        if !has_pipx {
            fix = fix.run(Cmd::new(&py).args(["-m", "pip", "install", "--user", "pipx"]));
        }
        fix = fix.run(Cmd::new(&py).args(["-m", "pipx", "install", "poetry"]));
        return Failure::new(format!("Poetry is not installed.{broken}"))
            .hint(format!(
                "Install it with pipx (the wizard can run this for you):\n  {}{py} -m pipx install poetry\n\
                 or with the official installer:\n  curl -sSL https://install.python-poetry.org | {py} -\n\
                 pipx itself: {}",
                if has_pipx { String::new() } else { format!("{py} -m pip install --user pipx\n  ") },
                distro::pipx_install_hint(ctx.facts.distro.as_ref())
            ))
            .fix(fix);
    }
    let mut msg = String::from("More than one Poetry is installed; keep exactly one:");
    for p in &working {
        msg.push_str(&format!(
            "\n  {} (Poetry {}, {}, Python {}){}\n    remove: {}",
            p.path.display(),
            p.version
                .map(|v| v.to_string())
                .unwrap_or_else(|| "?".into()),
            method_label(&p.method),
            p.python
                .as_ref()
                .map(|x| x.display().to_string())
                .unwrap_or_else(|| "?".into()),
            if p.first_on_path {
                "  <- `poetry` runs this one"
            } else {
                ""
            },
            p.uninstall_hint()
        ));
    }
    let journey = if ctx.project_dir_of.is_some() {
        "setup"
    } else {
        "new"
    };
    Failure::new(msg).hint(format!(
        "Or pick one for this run: arcaflow-wizard {journey} --poetry PATH"
    ))
}

fn method_label(m: &probe::InstallMethod) -> &'static str {
    match m {
        probe::InstallMethod::OfficialInstaller => "official installer",
        probe::InstallMethod::Pipx => "pipx",
        probe::InstallMethod::Pip => "pip",
        probe::InstallMethod::Distro => "package manager",
        probe::InstallMethod::Unknown => "installed by an unknown way",
    }
}
