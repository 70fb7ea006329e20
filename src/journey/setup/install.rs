use std::path::{Path, PathBuf};

use super::{layout, poetry_cmd, project_dir};
use crate::journey::new::env::current_env;
use crate::journey::new::DEV_TOOLS;
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;
use crate::pyproject::normalize_name;

/// `poetry install` with the dev group, and the tools the official build image
/// brings (flake8, coverage) where the project does not declare them.
pub(super) struct Install;

/// The tools the build image has and a local run needs (module names as pip names them).
const IMAGE_TOOLS: [&str; 2] = ["flake8", "coverage"];

impl Step for Install {
    fn id(&self) -> &'static str {
        "install"
    }
    fn title(&self) -> &'static str {
        "Install the project and its dev tools"
    }
    fn why(&self) -> &'static str {
        "`poetry install` puts the SDK, the plugin's dependencies and its dev group (black, \
         pycodestyle, ... as the project declares them) into the virtualenv, at the versions \
         poetry.lock pins. The official build image also brings flake8 and coverage, which many \
         plugins do not declare: they go into the virtualenv with pip, so pyproject.toml stays as it is."
    }
    fn check(&self, ctx: &Context) -> Result<Check, Failure> {
        let Some(site) = site_packages(ctx) else {
            return Ok(Check::Todo);
        };
        let dir = project_dir(ctx);
        let Some(locked) = locked_packages(&dir) else {
            return Ok(Check::Todo);
        };
        let have = installed(&site);
        let all_there = locked
            .iter()
            .all(|(n, v)| have.iter().any(|(hn, hv)| hn == n && hv == v))
            && IMAGE_TOOLS
                .iter()
                .all(|t| have.iter().any(|(hn, _)| hn == t));
        Ok(if all_there {
            Check::Done(format!(
                "the {} packages poetry.lock pins, flake8 and coverage are in {}",
                locked.len(),
                site.display()
            ))
        } else {
            Check::Todo
        })
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        (!project_dir(ctx).join("poetry.lock").is_file()).then(|| {
            "The project has no poetry.lock: `poetry install` resolves the dependencies and writes one \
             (a new file; no file of yours changes)."
                .to_string()
        })
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let mut plan = Plan::new().run(poetry_cmd(ctx, &["install"]));
        let missing = undeclared_tools(ctx);
        if !missing.is_empty() {
            let mut args: Vec<String> = [
                "run",
                "python",
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
            ]
            .map(String::from)
            .to_vec();
            if let Some(u) = &ctx.opts.index_url {
                args.push("--index-url".into());
                args.push(u.clone());
            }
            args.extend(missing);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            plan = plan.run(poetry_cmd(ctx, &args));
        }
        Ok(plan)
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let Some(site) = site_packages(ctx) else {
            return Err(Failure::new(
                "Poetry reports no working virtualenv for the project after `poetry install`",
            ));
        };
        let have = installed(&site);
        let lacking: Vec<&str> = ["arcaflow-plugin-sdk", "flake8", "coverage"]
            .into_iter()
            .filter(|t| !have.iter().any(|(n, _)| n == t))
            .collect();
        if lacking.is_empty() {
            Ok(())
        } else {
            Err(Failure::new(format!(
                "after the install, {} lacks {}",
                site.display(),
                lacking.join(", ")
            ))
            .hint(format!(
                "Look at the output above; then: cd {} && poetry install",
                project_dir(ctx).display()
            )))
        }
    }
}

/// flake8 and coverage as pip requirements, for those the project does not declare,
/// pinned as `new` pins them (`~7.3` -> `flake8>=7.3,<7.4`).
fn undeclared_tools(ctx: &Context) -> Vec<String> {
    let declared: Vec<String> = layout(ctx)
        .map(|l| l.dev_tools.iter().map(|t| normalize_name(t)).collect())
        .unwrap_or_default();
    let main = std::fs::read_to_string(super::files_dir(ctx).join("pyproject.toml"))
        .ok()
        .and_then(|t| crate::pyproject::parse(&t).ok())
        .map(|d| crate::pyproject::inspect(&d))
        .map(|i| {
            i.dependencies
                .iter()
                .map(|d| normalize_name(&d.name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    DEV_TOOLS
        .iter()
        .filter(|(t, _)| !declared.contains(&t.to_string()) && !main.contains(&t.to_string()))
        .map(|(t, c)| pip_requirement(t, c))
        .collect()
}

/// `~X.Y` (Poetry) as pip writes it.
fn pip_requirement(name: &str, tilde: &str) -> String {
    let v = tilde.trim_start_matches('~');
    let mut parts = v.split('.');
    match (
        parts.next().and_then(|m| m.parse::<u32>().ok()),
        parts.next().and_then(|m| m.parse::<u32>().ok()),
    ) {
        (Some(maj), Some(min)) => format!("{name}>={maj}.{min},<{maj}.{}", min + 1),
        _ => name.to_string(),
    }
}

/// The venv's site-packages folder, when the project has a venv.
pub(crate) fn site_packages(ctx: &Context) -> Option<PathBuf> {
    let (venv, _) = current_env(ctx)?;
    let lib = Path::new(&venv).join("lib");
    std::fs::read_dir(&lib)
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
}

/// (normalised name, version) of every distribution in site-packages.
pub(crate) fn installed(site: &Path) -> Vec<(String, String)> {
    let Ok(rd) = std::fs::read_dir(site) else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let stem = n.strip_suffix(".dist-info")?;
            let (name, version) = stem.rsplit_once('-')?;
            Some((normalize_name(name), version.to_string()))
        })
        .collect()
}

/// (normalised name, version) of every package poetry.lock installs by default
/// (optional ones, installed only for an extra, left out).
pub(crate) fn locked_packages(dir: &Path) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(dir.join("poetry.lock")).ok()?;
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    let pkgs = doc.get("package")?.as_array_of_tables()?;
    Some(
        pkgs.iter()
            .filter(|p| p.get("optional").and_then(|o| o.as_bool()) != Some(true))
            .filter_map(|p| {
                Some((
                    normalize_name(p.get("name")?.as_str()?),
                    p.get("version")?.as_str()?.to_string(),
                ))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock's packages against the dist-info folders: names normalised,
    /// optional packages (an extra's) left out.
    #[test]
    fn locked_and_installed_are_read_from_files() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("poetry.lock"),
            "[[package]]\nname = \"PyYAML\"\nversion = \"6.0.3\"\noptional = false\n\n\
             [[package]]\nname = \"arcaflow-plugin-sdk\"\nversion = \"0.14.3\"\n\n\
             [[package]]\nname = \"tomli\"\nversion = \"2.0.1\"\noptional = true\n",
        )
        .unwrap();
        assert_eq!(
            locked_packages(tmp.path()).unwrap(),
            vec![
                ("pyyaml".to_string(), "6.0.3".to_string()),
                ("arcaflow-plugin-sdk".to_string(), "0.14.3".to_string())
            ]
        );
        let site = tmp.path().join("site");
        for d in [
            "PyYAML-6.0.3.dist-info",
            "arcaflow_plugin_sdk-0.14.3.dist-info",
            "yaml",
        ] {
            std::fs::create_dir_all(site.join(d)).unwrap();
        }
        let mut have = installed(&site);
        have.sort();
        assert_eq!(
            have,
            vec![
                ("arcaflow-plugin-sdk".to_string(), "0.14.3".to_string()),
                ("pyyaml".to_string(), "6.0.3".to_string())
            ]
        );
        assert_eq!(locked_packages(&site), None, "no poetry.lock there");
    }

    #[test]
    fn tilde_pins_as_pip_writes_them() {
        assert_eq!(pip_requirement("flake8", "~7.3"), "flake8>=7.3,<7.4");
        assert_eq!(pip_requirement("coverage", "~7.10"), "coverage>=7.10,<7.11");
    }
}
