use super::{chosen_python, dist_name, poetry_cmd, project_dir};
use crate::exec::query;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};
use crate::version::Version;

/// `poetry env use` with the chosen interpreter.
pub(crate) struct Env;

/// The project's virtualenv and its Python version, as Poetry sees it now.
/// From files when they tell (as `doctor` finds it: `.venv`, else the one venv
/// of this project in Poetry's virtualenvs folder, and the version its
/// pyvenv.cfg records), else from Poetry: starting Poetry costs most of a
/// second, which `new` would spend on every run for this one answer.
pub(crate) fn current_env(ctx: &Context) -> Option<(String, Version)> {
    env_from_files(ctx).or_else(|| env_from_poetry(ctx))
}

fn env_from_files(ctx: &Context) -> Option<(String, Version)> {
    use crate::probe::venv;
    let name = dist_name(ctx);
    let found = venv::locate(
        &project_dir(ctx),
        &ctx.probe_env,
        Some(name.as_str()).filter(|n| !n.is_empty()),
    )?;
    if venv::broken(&found).is_some() {
        return None;
    }
    let v = crate::probe::python::pyvenv_cfg_version(&found)?;
    Some((found.display().to_string(), v))
}

/// Asked once while nothing changes the venv (`exec::query`): the env step's
/// check, the test build's plan and note would each start Poetry otherwise.
fn env_from_poetry(ctx: &Context) -> Option<(String, Version)> {
    let path = query::ask(
        &poetry_cmd(ctx, &["env", "info", "--path"]).timeout(std::time::Duration::from_secs(60)),
    )?;
    let path = path.lines().last()?.trim().to_string();
    let py = std::path::Path::new(&path).join("bin/python");
    let v = query::ask(&Cmd::new(py).arg("--version")).and_then(|o| Version::find_in(&o))?;
    Some((path, v))
}

impl Step for Env {
    fn id(&self) -> &'static str {
        "env"
    }
    fn title(&self) -> &'static str {
        "The project's virtualenv"
    }
    fn why(&self) -> &'static str {
        "\"Set Poetry to use your Python that is at least 3.9\": `poetry env use` makes the project's \
         virtualenv from the chosen interpreter, so Poetry does not pick another one."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        // A project made in this run gets its `poetry env use`, as in the guide, even
        // when Poetry would pick the same interpreter by itself.
        if ctx.learned.contains_key("project_created") {
            return Ok(Check::Todo);
        }
        let want = chosen_python(ctx).map(|p| p.version);
        Ok(match current_env(ctx) {
            Some((path, v)) if Some(v) == want => Check::Done(format!("Python {v} in {path}")),
            _ => Check::Todo,
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let py = chosen_python(ctx).ok_or_else(|| Failure::new("no Python was chosen"))?;
        Ok(Plan::new().run(poetry_cmd(ctx, &["env", "use", &py.path.to_string_lossy()])))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let want = chosen_python(ctx).map(|p| p.version);
        match current_env(ctx) {
            Some((_, v)) if Some(v) == want => Ok(()),
            Some((path, v)) => Err(Failure::new(format!(
                "the virtualenv {path} has Python {v}, not the chosen {}",
                want.map(|w| w.to_string()).unwrap_or_default()
            ))
            .hint(format!(
                "Remove it and retry: cd {} && poetry env remove --all",
                project_dir(ctx).display()
            ))),
            None => Err(Failure::new(
                "Poetry reports no working virtualenv for the project",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::context::Options;
    use crate::probe::{Facts, ProbeEnv};

    /// The venv is found from its files, without starting Poetry: `.venv` with a
    /// pyvenv.cfg whose home holds a Python, and the version it records.
    #[test]
    fn the_env_is_read_from_its_files() {
        let home = which::which("python3").expect("a python3 on PATH");
        let home = home.parent().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let mut ctx = Context::new(
            tmp.path().to_path_buf(),
            Options::default(),
            Facts::default(),
            ProbeEnv::from_env(),
        );
        ctx.answers.insert("name".into(), "x".into());
        let venv = tmp.path().join("arcaflow-plugin-x/.venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        assert_eq!(env_from_files(&ctx), None, "no pyvenv.cfg yet");
        std::fs::write(
            venv.join("pyvenv.cfg"),
            format!(
                "home = {}\nimplementation = CPython\nversion_info = 3.11.7.final.0\n",
                home.display()
            ),
        )
        .unwrap();
        std::os::unix::fs::symlink(home.join("python3"), venv.join("bin/python")).unwrap();
        let (path, v) = env_from_files(&ctx).expect("found from files");
        assert_eq!(path, venv.display().to_string());
        assert_eq!(v, Version::find_in("3.11.7").unwrap());
        // A venv whose python is gone is left to Poetry to judge.
        std::fs::remove_file(venv.join("bin/python")).unwrap();
        assert_eq!(env_from_files(&ctx), None);
    }
}
