//! `poetry build`, then a look inside the wheel and the sdist: the code folder,
//! every module, README and LICENSE must be there, or a PyPI install breaks.
//!
//! Each run builds into a folder of its own (`poetry build --output DIR`, and
//! `poetry publish --dist-dir DIR` uploads from it): Poetry 2.x uploads the
//! highest version it finds in its folder, not the project's, so a failed
//! run's files left in `dist/` would go up instead (`explain::stale_upload`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{code_folder, dist_name, poetry_cmd, project_dir, release_version, scratch_dir};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::{Cmd, Plan};

pub(super) struct Build;

/// This run's build folder: in its private scratch folder, so nothing of an
/// earlier run (a higher version that failed to upload) lies beside it, and the
/// project tree gains nothing.
pub(crate) fn build_dir(ctx: &Context) -> Result<PathBuf, Failure> {
    Ok(scratch_dir(ctx)?.join("dist"))
}

/// The files in `folder` that are not of `dist` `version` (what Poetry 2.x
/// would upload instead, when one is a higher version).
pub(crate) fn foreign_files(folder: &Path, dist: &str, version: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".whl") || n.ends_with(".tar.gz"))
        .filter(|n| !super::index::is_file_of(n, dist, version))
        .collect();
    out.sort();
    out
}

/// The wheel and the sdist of `dist` `version` in `folder`.
pub(crate) fn dist_files(
    folder: &Path,
    dist: &str,
    version: &str,
) -> (Option<PathBuf>, Option<PathBuf>) {
    let mut wheel = None;
    let mut sdist = None;
    if let Ok(rd) = std::fs::read_dir(folder) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !super::index::is_file_of(&name, dist, version) {
                continue;
            }
            if name.ends_with(".whl") {
                wheel = Some(e.path());
            } else if name.ends_with(".tar.gz") {
                sdist = Some(e.path());
            }
        }
    }
    (wheel, sdist)
}

/// The wheel's file name as Poetry makes it (for plans made before the build, e.g. `--dry-run`).
pub(crate) fn expected_wheel(dist: &str, version: &str) -> String {
    let name = crate::pyproject::normalize_name(dist).replace('-', "_");
    let v = crate::version::normalize_pep440(version).unwrap_or(version.to_string());
    format!("{name}-{v}-py3-none-any.whl")
}

/// The names inside a wheel (zip) or an sdist (tar.gz), read by Python's own modules.
fn list_archive(ctx: &Context, path: &Path) -> Result<Vec<String>, Failure> {
    const SCRIPT: &str = "import sys, tarfile, zipfile\n\
p = sys.argv[1]\n\
names = zipfile.ZipFile(p).namelist() if p.endswith('.whl') else tarfile.open(p).getnames()\n\
print('\\n'.join(names))\n";
    let python = ctx
        .facts
        .best_python()
        .map(|p| p.path.clone())
        .unwrap_or_else(|| "python3".into());
    crate::exec::capture(
        &Cmd::new(python)
            // Isolated: a `zipfile.py` in the working folder is not what it imports.
            .args(["-I", "-c", SCRIPT, &path.to_string_lossy()])
            .timeout(Duration::from_secs(60)),
    )
    .map(|out| out.lines().map(str::to_string).collect())
    .ok_or_else(|| Failure::new(format!("could not list the files in {}", path.display())))
}

/// Every module of the code folder, relative to the project (`pkg/a.py`).
fn modules(dir: &Path, folder: &str) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() && name != "__pycache__" {
                walk(base, &p, out);
            } else if name.ends_with(".py") {
                if let Ok(rel) = p.strip_prefix(base) {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &dir.join(folder), &mut out);
    out.sort();
    out
}

/// What is missing from an archive's names: modules (by path suffix), README, LICENSE.
pub(crate) fn missing(
    names: &[String],
    modules: &[String],
    need_readme: bool,
    need_license: bool,
) -> Vec<String> {
    let has = |want: &str| {
        names
            .iter()
            .any(|n| n == want || n.ends_with(&format!("/{want}")))
    };
    let base_has = |prefix: &str| {
        names.iter().any(|n| {
            n.rsplit('/')
                .next()
                .is_some_and(|b| b.to_ascii_uppercase().starts_with(prefix))
        })
    };
    let mut out: Vec<String> = modules.iter().filter(|m| !has(m)).cloned().collect();
    if need_readme && !base_has("README") {
        out.push("README".into());
    }
    if need_license && !base_has("LICENSE") {
        out.push("LICENSE".into());
    }
    out
}

impl Step for Build {
    fn id(&self) -> &'static str {
        "build"
    }
    fn title(&self) -> &'static str {
        "Build and look inside"
    }
    fn why(&self) -> &'static str {
        "`poetry build` makes the wheel and the source archive (the guide's \"Publishing to PyPI\"). A \
         pyproject whose `packages` names one module, or a code folder that does not match the name, \
         builds without complaint and then cannot be imported after `pip install`: the wizard lists both \
         archives and checks that the code folder, every module, README and LICENSE are in them."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let out = build_dir(ctx)?;
        // Fresh each time: a retry after a fix builds again from nothing.
        Ok(Plan::new()
            .run(super::remove_dir(&out))
            .run(poetry_cmd(ctx, &["build", "--output"]).arg(out.to_string_lossy().into_owned())))
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let dir = project_dir(ctx);
        let dist = dist_name(ctx)?;
        let version = release_version(ctx)?;
        let folder = code_folder(ctx)?;
        let out = build_dir(ctx)?;
        let foreign = foreign_files(&out, &dist, &version);
        if !foreign.is_empty() {
            return Err(Failure::new(format!(
                "The build folder holds files that are not {dist} {version}: {}.",
                foreign.join(", ")
            ))
            .hint("Poetry 2.x uploads the highest version it finds there, not the project's: run the release again, it builds into a fresh folder."));
        }
        let (wheel, sdist) = dist_files(&out, &dist, &version);
        let (Some(wheel), Some(sdist)) = (wheel, sdist) else {
            return Err(Failure::new(format!(
                "`poetry build` made no wheel and sdist of {dist} {version} in {}.",
                out.display()
            )));
        };
        let mods = modules(&dir, &folder);
        if mods.is_empty() {
            return Err(Failure::new(format!(
                "The code folder {folder}/ has no Python modules."
            )));
        }
        let mut problems = Vec::new();
        for (path, readme) in [(&wheel, false), (&sdist, true)] {
            let names = list_archive(ctx, path)?;
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            let shown: Vec<_> = names
                .iter()
                .filter(|n| !n.ends_with('/'))
                .map(|n| format!("  {n}"))
                .collect();
            ctx.notes
                .push(format!("{file} holds:\n{}", shown.join("\n")));
            let miss = missing(&names, &mods, readme, true);
            if !miss.is_empty() {
                problems.push(format!("{file} lacks {}", miss.join(", ")));
            }
        }
        if problems.is_empty() {
            ctx.notes.push(format!(
                "Both archives hold {folder}/ ({} modules), README and LICENSE (the wheel keeps README as its description).",
                mods.len()
            ));
            Ok(())
        } else {
            Err(Failure::new(format!(
                "The archives are incomplete: {}.",
                problems.join("; ")
            ))
            .hint(format!(
                "Check [tool.poetry] in pyproject.toml: packages = [{{ include = \"{folder}\" }}] takes the whole folder, \
                 readme = \"README.md\" takes the README; Poetry adds LICENSE by itself when the file is in the project folder."
            )))
        }
    }
}
