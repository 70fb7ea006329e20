//! Part of the project group: can `python -m <module>` run the plugin?
//! Arcaflow's Python deployer pip-installs the plugin and starts it as
//! `python -m <dist name with - as _> --atp`. That needs a package of that
//! name in the wheel, with a `__main__.py` that runs the plugin. The official
//! template has none, so most plugins run only in their container.
//! Decided from the files alone: nothing of the project is run.

use std::path::Path;

use super::super::{Finding, Fix, Group};
use crate::plan::Plan;
use crate::probe::layout::{Fact, Layout};

const G: Group = Group::Project;

/// The check's id: `ok` when the deployer's `python -m` finds a `__main__.py`
/// that runs the plugin.
pub(crate) const ID: &str = "layout-python-m";

/// What the deployer runs for the project named `dist`.
pub(crate) fn deployer_module(dist: &str) -> String {
    dist.trim().replace('-', "_")
}

/// The verdict for `dir` with layout `l`; None when the project has no name.
pub(crate) fn check(dir: &Path, l: &Layout) -> Option<Finding> {
    let module = deployer_module(l.dist_name.as_deref()?);
    let command = format!("python -m {module} --atp");
    let why = format!(
        "Arcaflow's Python deployer installs the plugin with pip and runs `{command}`; \
         the container image is not affected."
    );
    // The wheel's package of that name (a folder, perhaps under a `from`).
    let folder = l.packaged.iter().find(|p| {
        Path::new(p)
            .file_name()
            .is_some_and(|n| n == module.as_str())
            && dir.join(p).is_dir()
    });
    // A top-level module of that name: `python -m` runs the file itself as
    // __main__ (arcaflow-plugin-example's shape).
    let same_module = l.packaged.iter().find(|p| {
        p.ends_with(".py")
            && Path::new(p)
                .file_stem()
                .is_some_and(|n| n == module.as_str())
            && dir.join(p).is_file()
    });
    if let (None, Some(file)) = (folder, same_module) {
        return Some(module_verdict(dir, file, &module, &why));
    }
    let Some(folder) = folder else {
        if let Some(fix) = package_the_folder(dir, l, &module) {
            return Some(
                Finding::warning(
                    G,
                    ID,
                    format!(
                        "`python -m {module}` cannot run the plugin: the wheel has no package {module}"
                    ),
                )
                .detail(format!(
                    "The wheel holds {}. {why}",
                    l.packaged.join(", ")
                ))
                .fix(fix),
            );
        }
        let holds = if l.packaged.is_empty() {
            "nothing Poetry can name".to_string()
        } else {
            l.packaged.join(", ")
        };
        return Some(
            Finding::warning(
                G,
                ID,
                format!(
                    "`python -m {module}` cannot run the plugin: the wheel has no package {module}"
                ),
            )
            .detail(format!("The wheel holds {holds}. {why}"))
            .fix(Fix::manual(format!(
                "package the folder (pyproject.toml: packages = [{{ include = \"{module}\" }}]) \
                 and add {module}/__main__.py that runs the plugin"
            ))),
        );
    };
    let main = dir.join(folder).join("__main__.py");
    let main_rel = format!("{folder}/__main__.py");
    if let Ok(text) = std::fs::read_to_string(&main) {
        // Either it runs a module as __main__ (our template) or it calls the
        // SDK's runner itself.
        let runs = text.contains("run_module") || text.contains("plugin.run(");
        return Some(if runs {
            Finding::ok(
                G,
                ID,
                format!("`python -m {module}` runs the plugin ({main_rel})"),
            )
        } else {
            Finding::warning(
                G,
                ID,
                format!("{main_rel} does not seem to run the plugin: `python -m {module}` may not start it"),
            )
            .detail(format!(
                "It calls neither runpy.run_module nor plugin.run. {why}"
            ))
        });
    }
    let finding = Finding::warning(
        G,
        ID,
        format!("`python -m {module}` cannot run the plugin: there is no {main_rel}"),
    )
    .detail(why);
    let Some(entry) = entry_module(dir, folder, l) else {
        return Some(finding.fix(Fix::manual(format!(
            "add {main_rel} that runs the plugin's entry module as __main__"
        ))));
    };
    let contents = crate::templates::package_main(&module, &entry);
    // Adds one new file to the project and changes nothing else: safe.
    Some(finding.fix(Fix::run(
        format!("write {main_rel} (runs {module}.{entry})"),
        Plan::new().write(main, contents),
        true,
    )))
}

/// The verdict on a top-level module run by `python -m`: it starts the
/// plugin when its `__main__` guard calls the SDK's runner.
fn module_verdict(dir: &Path, file: &str, module: &str, why: &str) -> Finding {
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    if runs_as_main(&text) {
        return Finding::ok(
            G,
            ID,
            format!("`python -m {module}` runs {file}, whose __main__ guard starts the plugin"),
        );
    }
    Finding::warning(
        G,
        ID,
        format!("`python -m {module}` runs {file}, which does not start the plugin as __main__"),
    )
    .detail(format!(
        "It has no `if __name__ == \"__main__\":` that calls plugin.run. {why}"
    ))
    .fix(Fix::manual(format!(
        "end {file} with `if __name__ == \"__main__\": sys.exit(plugin.run(plugin.build_schema(...)))`"
    )))
}

/// The module has a `__main__` guard and calls the SDK's runner.
fn runs_as_main(text: &str) -> bool {
    let guard = text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("if") && l.contains("__name__") && l.contains("__main__")
    });
    guard && text.contains("plugin.run(")
}

/// The official template's shape: the wheel holds only the entry module,
/// `from` a folder named like the package the deployer runs. The fix adds
/// that folder to the wheel as a package (what was packaged stays) and a
/// `__main__.py` that runs the entry module from the folder, as the
/// container does. It edits pyproject.toml, so it is asked every time.
fn package_the_folder(dir: &Path, l: &Layout, module: &str) -> Option<Fix> {
    let folder = l.packaged.iter().find_map(|p| {
        let parent = Path::new(p).parent()?.to_str()?;
        (p.ends_with(".py")
            && Path::new(parent).file_name().is_some_and(|n| n == module)
            && dir.join(parent).is_dir())
        .then(|| parent.to_string())
    })?;
    let entry = entry_module(dir, &folder, l)?;
    let pyproject = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject).ok()?;
    let mut doc = crate::pyproject::parse(&text).ok()?;
    if !crate::pyproject::add_package(&mut doc, &folder).ok()? {
        return None;
    }
    let main_rel = format!("{folder}/__main__.py");
    // The diff is shown and the fix asked before it runs (as doctor's other
    // pyproject.toml edits): no second question for the same change.
    let plan = Plan::new()
        .replace(&pyproject, doc.to_string())
        .write(dir.join(&main_rel), crate::templates::folder_main(&entry));
    Some(Fix::run(
        format!(
            "add {{ include = \"{folder}\" }} to pyproject.toml's packages and write {main_rel} (runs {entry}.py from {folder}/)"
        ),
        plan,
        false,
    ))
}

/// The entry module's name in `folder`: the one the Dockerfile runs, else the
/// only `*_plugin.py` there.
fn entry_module(dir: &Path, folder: &str, l: &Layout) -> Option<String> {
    if let Fact::Known { value, .. } = &l.entry {
        let p = Path::new(&value.module);
        if p.parent() == Some(Path::new(folder)) && dir.join(p).is_file() {
            return p.file_stem().map(|s| s.to_string_lossy().into_owned());
        }
    }
    let mut found: Vec<String> = std::fs::read_dir(dir.join(folder))
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with("_plugin.py"))
        .map(|n| n.trim_end_matches(".py").to_string())
        .collect();
    found.sort();
    (found.len() == 1).then(|| found.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let path = d.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        d
    }

    const PYPROJECT: &str = "[tool.poetry]\nname = \"arcaflow-plugin-x\"\nversion = \"0.1.0\"\n\
        description = \"d\"\nauthors = [\"a\"]\npackages = [{ include = \"arcaflow_plugin_x\" }]\n";

    #[test]
    fn a_package_without_main_gets_the_template_as_a_safe_fix() {
        let d = project(&[
            ("pyproject.toml", PYPROJECT),
            ("arcaflow_plugin_x/__init__.py", ""),
            ("arcaflow_plugin_x/x_plugin.py", "print()"),
        ]);
        let l = Layout::read(d.path()).unwrap();
        let f = check(d.path(), &l).unwrap();
        assert_eq!(f.severity, crate::journey::doctor::Severity::Warning);
        assert!(
            f.title
                .contains("there is no arcaflow_plugin_x/__main__.py"),
            "{f:?}"
        );
        let fix = f.fix.unwrap();
        assert!(fix.safe);
        assert_eq!(
            fix.plan,
            Plan::new().write(
                d.path().join("arcaflow_plugin_x/__main__.py"),
                crate::templates::package_main("arcaflow_plugin_x", "x_plugin")
            )
        );
    }

    #[test]
    fn a_module_include_has_no_package_to_run() {
        let text = PYPROJECT.replace(
            "{ include = \"arcaflow_plugin_x\" }",
            "{ include = \"x_plugin.py\", from = \"./arcaflow_plugin_x\" }",
        );
        let d = project(&[
            ("pyproject.toml", &text),
            ("arcaflow_plugin_x/x_plugin.py", ""),
        ]);
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert!(
            f.title
                .contains("the wheel has no package arcaflow_plugin_x"),
            "{f:?}"
        );
        assert!(f.detail.contains("arcaflow_plugin_x/x_plugin.py"), "{f:?}");
        // The official template's shape: the folder joins the wheel (the
        // module stays), with a __main__.py; pyproject.toml changes, so the
        // fix is asked about.
        let fix = f.fix.unwrap();
        assert!(!fix.safe);
        let pyproject = text.replace(
            "from = \"./arcaflow_plugin_x\" }]",
            "from = \"./arcaflow_plugin_x\" }, { include = \"arcaflow_plugin_x\" }]",
        );
        assert_ne!(pyproject, text);
        assert_eq!(
            fix.plan,
            Plan::new()
                .replace(d.path().join("pyproject.toml"), pyproject)
                .write(
                    d.path().join("arcaflow_plugin_x/__main__.py"),
                    crate::templates::folder_main("x_plugin")
                )
        );
        // A folder named otherwise is not the package the deployer runs.
        let other = text.replace("./arcaflow_plugin_x", "./code");
        let d = project(&[("pyproject.toml", &other), ("code/x_plugin.py", "")]);
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert!(!f.fix.unwrap().automatic(), "{}", f.title);
    }

    #[test]
    fn a_module_named_like_the_package_runs_when_it_has_a_main_guard() {
        // arcaflow-plugin-example's shape.
        let text = PYPROJECT.replace(
            "{ include = \"arcaflow_plugin_x\" }",
            "{include =\"arcaflow_plugin_x.py\", from=\"./arcaflow_plugin_x\"}",
        );
        let guarded = "from arcaflow_plugin_sdk import plugin\n\nif __name__ == \"__main__\":\n    sys.exit(plugin.run(plugin.build_schema(x)))\n";
        let d = project(&[
            ("pyproject.toml", &text),
            ("arcaflow_plugin_x/arcaflow_plugin_x.py", guarded),
        ]);
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert_eq!(f.severity, crate::journey::doctor::Severity::Ok, "{f:?}");
        assert!(
            f.title
                .contains("runs arcaflow_plugin_x/arcaflow_plugin_x.py"),
            "{f:?}"
        );
        std::fs::write(
            d.path().join("arcaflow_plugin_x/arcaflow_plugin_x.py"),
            "from arcaflow_plugin_sdk import plugin\n",
        )
        .unwrap();
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert_eq!(
            f.severity,
            crate::journey::doctor::Severity::Warning,
            "{f:?}"
        );
        assert!(f.title.contains("does not start the plugin"), "{f:?}");
    }

    #[test]
    fn the_template_main_is_ok_and_an_empty_one_is_not() {
        let main = crate::templates::package_main("arcaflow_plugin_x", "x_plugin");
        let d = project(&[
            ("pyproject.toml", PYPROJECT),
            ("arcaflow_plugin_x/x_plugin.py", ""),
            ("arcaflow_plugin_x/__main__.py", &main),
        ]);
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert_eq!(f.severity, crate::journey::doctor::Severity::Ok, "{f:?}");
        std::fs::write(d.path().join("arcaflow_plugin_x/__main__.py"), "").unwrap();
        let f = check(d.path(), &Layout::read(d.path()).unwrap()).unwrap();
        assert_eq!(
            f.severity,
            crate::journey::doctor::Severity::Warning,
            "{f:?}"
        );
        assert!(f.fix.is_none());
    }
}
