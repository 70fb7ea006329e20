use super::{files_dir, layout};
use crate::journey::{Check, Context, Failure, Step};
use crate::plan::Plan;
use crate::probe::distro;
use crate::probe::layout::{Fact, Layout, SystemPackage};

/// Read the project as Poetry and the Dockerfile read it; runs nothing.
pub(super) struct ReadProject;

impl Step for ReadProject {
    fn id(&self) -> &'static str {
        "read"
    }
    fn title(&self) -> &'static str {
        "Read the project"
    }
    fn why(&self) -> &'static str {
        "Every plugin is laid out a little differently. The Dockerfile is the truth about how the \
         official build tests it (its RUN line, PYTHONPATH and system packages), and pyproject.toml \
         says which Python and SDK it needs. Reading them first means the next steps do what the \
         build does, and you know where to start."
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        // Reading changes nothing, so it is never "already done".
        Ok(Check::Todo)
    }
    fn note(&self, ctx: &Context) -> Option<String> {
        layout(ctx).map(|l| summary(ctx, &l))
    }
    fn plan(&self, ctx: &Context) -> Result<Plan, Failure> {
        let dir = files_dir(ctx);
        let Some(l) = layout(ctx) else {
            return Err(Failure::usage(format!(
                "{}/pyproject.toml cannot be read as TOML: run `arcaflow-wizard doctor {}` for the line",
                dir.display(),
                dir.display()
            )));
        };
        if l.python.is_none() {
            return Err(Failure::usage(
                "pyproject.toml declares no Python range ([tool.poetry.dependencies] python): \
                 this is not a Poetry plugin project the wizard can set up",
            ));
        }
        Ok(Plan::new())
    }
}

/// What the project says, a line per fact, for the screen and the script.
pub(crate) fn summary(ctx: &Context, l: &Layout) -> String {
    let mut out = Vec::new();
    let python = l
        .python
        .as_ref()
        .map(|p| p.constraint.clone())
        .unwrap_or_else(|| "not declared".into());
    let sdk = l.sdk.clone().unwrap_or_else(|| "not declared".into());
    out.push(format!("Python {python}, arcaflow-plugin-sdk {sdk}"));
    out.push(fact("Code folder", &l.code_folder, |v| v.clone()));
    out.push(fact("Entry module", &l.entry, |e| e.module.clone()));
    match schema_module(ctx, l) {
        Some(s) => out.push(format!("Schema module: {s}")),
        None => out.push("Schema module: none apart from the entry module".into()),
    }
    out.push(match l.tests.value() {
        Some(t) => format!("Tests, as the official build runs them: {}", test_line(t)),
        None => format!(
            "Tests: the Dockerfile's test command cannot be read: {}",
            l.tests.why().unwrap_or_default()
        ),
    });
    if !l.system_packages.is_empty() {
        let names: Vec<String> = l.system_packages.iter().map(|p| p.name.clone()).collect();
        out.push(format!(
            "System packages the build stage installs: {}",
            names.join(", ")
        ));
        let missing = missing_tools(ctx, &l.system_packages);
        if missing.is_empty() {
            out.push("  each is on this machine's PATH".into());
        } else {
            out.push(format!(
                "  missing here: {}; the tests may need them. Install: {}",
                missing.join(", "),
                distro::package_install_hint(ctx.facts.distro.as_ref(), &missing)
            ));
        }
    }
    out.push(match l.example_inputs.first() {
        Some(i) => format!("Example input: {i}"),
        None => {
            "Example input: none found (inputs/*.yaml, example.yaml, configs/, docker-compose.yaml)"
                .into()
        }
    });
    out.join("\n")
}

fn fact<T>(what: &str, f: &Fact<T>, show: impl Fn(&T) -> String) -> String {
    match f {
        Fact::Known { value, from } => format!("{what}: {} ({from})", show(value)),
        Fact::Unknown { why } => format!("{what}: cannot tell: {why}"),
    }
}

/// The test command as typed in the project folder: PYTHONPATH as the image sets it.
pub(super) fn test_line(t: &crate::probe::layout::TestRun) -> String {
    let mut s = String::new();
    if !t.pythonpath.is_empty() {
        s.push_str(&format!("PYTHONPATH={} ", t.pythonpath.join(":")));
    }
    s.push_str(&test_words(t).join(" "));
    s
}

/// The Dockerfile's test command with the test file named as the project names it.
pub(super) fn test_words(t: &crate::probe::layout::TestRun) -> Vec<String> {
    crate::probe::layout::docker::words(&t.command)
        .into_iter()
        .map(|w| if w == t.arg { t.file.clone() } else { w })
        .collect()
}

/// `x_schema.py` beside the entry module `x_plugin.py`, when it is there.
pub(super) fn schema_module(ctx: &Context, l: &Layout) -> Option<String> {
    let entry = &l.entry.value()?.module;
    let schema = entry.strip_suffix("_plugin.py")?.to_string() + "_schema.py";
    files_dir(ctx).join(&schema).is_file().then_some(schema)
}

/// The commands a build stage's packages provide that this machine lacks. A
/// package given by URL is named by its file (`minio-20240101.x86_64.rpm` -> minio).
pub(super) fn missing_tools(ctx: &Context, pkgs: &[SystemPackage]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pkgs {
        let name = tool_name(p);
        if name.is_empty() || out.contains(&name) {
            continue;
        }
        if which::which_in(&name, Some(&ctx.probe_env.path), "/").is_err() {
            out.push(name);
        }
    }
    out
}

fn tool_name(p: &SystemPackage) -> String {
    let base = p.name.rsplit('/').next().unwrap_or(&p.name);
    if !p.by_url {
        return base.to_string();
    }
    // name-VERSION...: the name ends before the first `-` that starts a number.
    let mut end = base.len();
    for (i, _) in base.match_indices('-') {
        if base[i + 1..].starts_with(|c: char| c.is_ascii_digit()) {
            end = i;
            break;
        }
    }
    base[..end].trim_end_matches(".rpm").to_string()
}
