//! The files of a new official plugin, rendered from the templates under `assets/`
//! with the plugin's names.
//!
//! Placeholders are `{{name}}`: `dist`, `package`, `ident`, `short`, `entry_module`,
//! `schema_module`, `title`, `camel`, `source_url`, `test_file`, `description`,
//! `version`. Values are substituted in one pass, so a value that itself holds
//! `{{...}}` (a user's description) is left as it is.

pub mod workflow;

use std::path::PathBuf;

use crate::names::PluginNames;

/// The example step's input, and the compose file that runs the image on it.
pub const EXAMPLE_INPUT: &str = "inputs/example.yaml";

/// What the user tells the wizard beyond the plugin's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars {
    /// One sentence for the README; empty gives a generic sentence.
    pub description: String,
    /// The plugin's version, e.g. `0.1.0`. ACT wants digits and dots only in the
    /// image's version label.
    pub version: String,
}

/// One file to write, with its path relative to the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Where a template goes, as a function of the names.
enum Dest {
    Fixed(&'static str),
    PackageInit,
    PackageMain,
    EntryModule,
    SchemaModule,
    TestFile,
}

/// `<package>/__main__.py`: what `python -m <package>` runs (the Python deployer).
const PACKAGE_MAIN: &str = include_str!("../assets/plugin/__main__.py");

/// `<package>/__main__.py` for a code folder and entry module that need not
/// follow the naming convention (doctor's fix on an existing plugin).
pub fn package_main(package: &str, entry_module: &str) -> String {
    PACKAGE_MAIN
        .replace("{{package}}", package)
        .replace("{{entry_module}}", entry_module)
}

/// `<folder>/__main__.py` for a wheel that packages the code folder only for
/// `python -m` (doctor's fix on the official template's shape): it runs the
/// entry module from the folder, as the container does.
pub fn folder_main(entry_module: &str) -> String {
    include_str!("../assets/doctor/folder_main.py").replace("{{entry_module}}", entry_module)
}

const TEMPLATES: &[(Dest, &str)] = &[
    (
        Dest::Fixed("Dockerfile"),
        include_str!("../assets/Dockerfile"),
    ),
    (Dest::Fixed("LICENSE"), include_str!("../assets/LICENSE")),
    (Dest::Fixed(".flake8"), include_str!("../assets/flake8")),
    (
        Dest::Fixed(".gitignore"),
        include_str!("../assets/gitignore"),
    ),
    (
        Dest::Fixed("README.md"),
        include_str!("../assets/README.md"),
    ),
    (
        Dest::PackageInit,
        include_str!("../assets/plugin/__init__.py"),
    ),
    (Dest::PackageMain, PACKAGE_MAIN),
    (Dest::EntryModule, include_str!("../assets/plugin/entry.py")),
    (
        Dest::SchemaModule,
        include_str!("../assets/plugin/schema.py"),
    ),
    (Dest::TestFile, include_str!("../assets/tests/test.py")),
    (Dest::Fixed(workflow::PATH), workflow::TEMPLATE),
    (
        Dest::Fixed(EXAMPLE_INPUT),
        include_str!("../assets/inputs/example.yaml"),
    ),
    (
        Dest::Fixed("docker-compose.yaml"),
        include_str!("../assets/docker-compose.yaml"),
    ),
];

impl Dest {
    fn path(&self, names: &PluginNames) -> PathBuf {
        let pkg = PathBuf::from(names.package());
        match self {
            Dest::Fixed(p) => PathBuf::from(p),
            Dest::PackageInit => pkg.join("__init__.py"),
            Dest::PackageMain => pkg.join("__main__.py"),
            Dest::EntryModule => pkg.join(format!("{}.py", names.entry_module())),
            Dest::SchemaModule => pkg.join(format!("{}.py", names.schema_module())),
            Dest::TestFile => PathBuf::from(names.test_file()),
        }
    }
}

/// The value of one placeholder, or `None` for a name that is not a placeholder.
fn value(key: &str, names: &PluginNames, vars: &Vars) -> Option<String> {
    Some(match key {
        "dist" => names.dist(),
        "package" => names.package(),
        "short" => names.short.clone(),
        "entry_module" => names.entry_module(),
        "schema_module" => names.schema_module(),
        "title" => names.title(),
        "camel" => names.camel(),
        "source_url" => names.source_url(),
        "test_file" => names.test_file(),
        "description" => {
            let d = vars.description.trim();
            if d.is_empty() {
                format!("An Arcaflow plugin: {}.", names.title())
            } else {
                d.to_string()
            }
        }
        "version" => vars.version.trim().to_string(),
        _ => return None,
    })
}

/// Replaces every known `{{placeholder}}` in `template`; anything else is kept.
pub fn render(template: &str, names: &PluginNames, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let replaced = after.find("}}").and_then(|end| {
            value(after[..end].trim(), names, vars).map(|v| (v, start + 2 + end + 2))
        });
        match replaced {
            Some((v, consumed)) => {
                out.push_str(&v);
                rest = &rest[consumed..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every template file of a new plugin, rendered, with its path in the project.
pub fn render_all(names: &PluginNames, vars: &Vars) -> Vec<RenderedFile> {
    TEMPLATES
        .iter()
        .map(|(dest, template)| RenderedFile {
            path: dest.path(names),
            contents: render(template, names, vars),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            description: "Greets people.".into(),
            version: "0.1.0".into(),
        }
    }

    fn file<'a>(files: &'a [RenderedFile], path: &str) -> &'a RenderedFile {
        files
            .iter()
            .find(|f| f.path == std::path::Path::new(path))
            .unwrap_or_else(|| panic!("no {path} among {files:?}"))
    }

    #[test]
    fn no_placeholder_is_left() {
        // GitHub's own expressions, `${{ ... }}`, are meant to stay.
        let github = regex::Regex::new(r"\$\{\{ [a-z.A-Z_]+ \}\}").unwrap();
        for short in ["example", "my-thing", "a1-b2-c3"] {
            let names = PluginNames::parse(short).unwrap();
            for f in render_all(&names, &vars()) {
                let text = github.replace_all(&f.contents, "");
                assert!(
                    !text.contains("{{") && !text.contains("}}"),
                    "{}: {}",
                    f.path.display(),
                    f.contents
                );
            }
        }
    }

    #[test]
    fn paths_follow_the_naming_convention() {
        let names = PluginNames::parse("my-thing").unwrap();
        let files = render_all(&names, &vars());
        let mut paths: Vec<String> = files
            .iter()
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                ".flake8",
                ".github/workflows/workflow.yaml",
                ".gitignore",
                "Dockerfile",
                "LICENSE",
                "README.md",
                "arcaflow_plugin_my_thing/__init__.py",
                "arcaflow_plugin_my_thing/__main__.py",
                "arcaflow_plugin_my_thing/my_thing_plugin.py",
                "arcaflow_plugin_my_thing/my_thing_schema.py",
                "docker-compose.yaml",
                "inputs/example.yaml",
                "tests/test_arcaflow_plugin_my_thing.py",
            ]
        );
        for f in &files {
            assert!(f.path.is_relative(), "{}", f.path.display());
        }
    }

    #[test]
    fn contents_use_the_names() {
        let names = PluginNames::parse("my-thing").unwrap();
        let files = render_all(&names, &vars());
        let docker = &file(&files, "Dockerfile").contents;
        assert!(docker.starts_with('#') || docker.starts_with("ARG"));
        assert!(docker.contains("ARG package=arcaflow_plugin_my_thing\n"));
        assert!(docker.contains(r#"ENTRYPOINT ["python", "my_thing_plugin.py"]"#));
        assert!(docker.contains(
            "LABEL org.opencontainers.image.source=\"https://github.com/arcalot/arcaflow-plugin-my-thing\"\n"
        ));
        assert!(docker.contains("LABEL io.github.arcalot.arcaflow.plugin.version=\"0.1.0\"\n"));
        let entry = &file(&files, "arcaflow_plugin_my_thing/my_thing_plugin.py").contents;
        assert!(entry.contains("from my_thing_schema import ("));
        assert!(entry.contains("from .my_thing_schema import ("));
        let test = &file(&files, "tests/test_arcaflow_plugin_my_thing.py").contents;
        assert!(test.contains("from my_thing_plugin import hello_world"));
        assert!(test.contains("class MyThingTest(unittest.TestCase):"));
        assert!(test.contains("\"arcaflow_plugin_my_thing\","));
        let readme = &file(&files, "README.md").contents;
        assert!(readme.starts_with("# arcaflow-plugin-my-thing\n\nGreets people.\n"));
        assert!(readme.contains("<!-- Autogenerated documentation by arcaflow-docsgen -->\n"));
        assert!(readme.contains("<!-- End of autogenerated documentation -->\n"));
        assert!(readme
            .contains("poetry run python arcaflow_plugin_my_thing/my_thing_plugin.py --schema"));
        assert!(readme.contains(
            "poetry run python arcaflow_plugin_my_thing/my_thing_plugin.py -f inputs/example.yaml"
        ));
        assert!(readme.contains("docker compose up --build"));
        for secret in workflow::SECRETS {
            assert!(readme.contains(&format!("`{secret}`")), "{secret}");
        }
        assert!(readme.contains("Arcalot chairs set them"));
        let compose = &file(&files, "docker-compose.yaml").contents;
        assert!(compose.contains("image: arcaflow-plugin-my-thing:latest\n"));
        assert!(compose.contains("./inputs/example.yaml:/config/example.yaml"));
        assert!(compose.contains(r#"command: ["-f", "/config/example.yaml"]"#));
        let example = &file(&files, EXAMPLE_INPUT).contents;
        assert!(example.contains("\nname: Arca\n"));
        let license = &file(&files, "LICENSE").contents;
        assert!(license.contains("Apache License"));
        assert!(license.contains("Version 2.0, January 2004"));
        assert!(license.contains("Copyright Arcalot contributors"));
        let flake8 = &file(&files, ".flake8").contents;
        assert!(flake8.starts_with("[flake8]\n"));
        assert!(flake8.contains("max-line-length = 88\n"));
        assert!(flake8.contains("doctests = True\n"));
        let main = &file(&files, "arcaflow_plugin_my_thing/__main__.py").contents;
        assert!(main.contains("    \"arcaflow_plugin_my_thing\"\n    \".my_thing_plugin\"\n"));
        assert!(main.contains("runpy.run_module(ENTRY_MODULE, run_name=\"__main__\")"));
        assert_eq!(
            *main,
            package_main("arcaflow_plugin_my_thing", "my_thing_plugin")
        );
        // Poetry `new` writes an empty `__init__.py`: ours is the same, so no question.
        assert_eq!(
            file(&files, "arcaflow_plugin_my_thing/__init__.py").contents,
            ""
        );
    }

    #[test]
    fn render_substitutes_in_one_pass() {
        let names = PluginNames::parse("x").unwrap();
        let v = Vars {
            description: "uses {{package}} literally".into(),
            version: " 1.2.3 ".into(),
        };
        assert_eq!(
            render("{{description}} {{ version }} {{nope}} {{dist", &names, &v),
            "uses {{package}} literally 1.2.3 {{nope}} {{dist"
        );
        let empty = Vars {
            description: "  ".into(),
            version: "0.1.0".into(),
        };
        assert_eq!(
            render("{{description}}", &names, &empty),
            "An Arcaflow plugin: X."
        );
    }

    #[test]
    fn python_lines_fit_flake8_even_for_the_longest_name() {
        // The wizard accepts names of up to 40 characters; ACT fails on any flake8
        // finding, so no rendered Python line may pass 88 characters.
        for short in [&"a".repeat(40), "ab-cd-ef-gh-ij-kl-mn-op-qr-st-uv-wx-yz-1"] {
            let names = PluginNames::parse(short).unwrap();
            for f in render_all(&names, &vars()) {
                if f.path.extension().is_some_and(|e| e == "py") {
                    for (i, line) in f.contents.lines().enumerate() {
                        assert!(
                            line.chars().count() <= 88,
                            "{}:{}: {} chars: {line}",
                            f.path.display(),
                            i + 1,
                            line.chars().count()
                        );
                    }
                }
            }
        }
    }
}
