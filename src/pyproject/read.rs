//! What a pyproject.toml says, in either form, for the doctor and the steps.

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::constraint::{normalize_name, parse_requirement, v};
use super::info::{
    DepSource, Dependency, Form, PackageInclude, ProjectInfo, PythonReq, PythonWhere, SdkInfo,
    Source,
};
use super::{module_name, SDK_LAST_FOR_PY39, SDK_NAME, SDK_WRONG_NAME};

fn table(item: Option<&Item>) -> Option<&dyn TableLike> {
    item.and_then(Item::as_table_like)
}

fn path<'a>(doc: &'a DocumentMut, keys: &[&str]) -> Option<&'a Item> {
    let mut item = doc.as_item();
    for k in keys {
        item = item.as_table_like()?.get(k)?;
    }
    Some(item)
}

fn string_at(
    t: Option<&dyn TableLike>,
    key: &str,
    where_: &str,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let item = t?.get(key)?;
    match item.as_str() {
        Some(s) => Some(s.to_string()),
        None => {
            warnings.push(format!(
                "{where_}.{key} should be a string, found {}",
                item.type_name()
            ));
            None
        }
    }
}

/// `{name = "A", email = "a@b"}` -> `A <a@b>`.
pub(crate) fn pep621_person(t: &dyn TableLike) -> Option<String> {
    let name = t.get("name").and_then(Item::as_str).map(str::trim);
    let email = t.get("email").and_then(Item::as_str).map(str::trim);
    match (name, email) {
        (Some(n), Some(e)) if !n.is_empty() => Some(format!("{n} <{e}>")),
        (Some(n), None) if !n.is_empty() => Some(n.to_string()),
        (_, Some(e)) if !e.is_empty() => Some(e.to_string()),
        _ => None,
    }
}

fn value_table(v: &Value) -> Option<&dyn TableLike> {
    v.as_inline_table().map(|t| t as &dyn TableLike)
}

fn authors_at(
    t: Option<&dyn TableLike>,
    pep621: bool,
    where_: &str,
    warnings: &mut Vec<String>,
) -> Option<Vec<String>> {
    let item = t?.get("authors")?;
    let mut out = Vec::new();
    if pep621 {
        if let Some(aot) = item.as_array_of_tables() {
            out.extend(aot.iter().filter_map(|t| pep621_person(t)));
            return Some(out);
        }
    }
    let Some(arr) = item.as_array() else {
        warnings.push(format!("{where_}.authors should be an array"));
        return None;
    };
    for a in arr {
        match (a.as_str(), value_table(a)) {
            (Some(s), _) if !pep621 => out.push(s.to_string()),
            (_, Some(t)) if pep621 => out.extend(pep621_person(t)),
            _ => warnings.push(format!(
                "{where_}.authors has an entry Poetry cannot read: {}",
                a.to_string().trim()
            )),
        }
    }
    Some(out)
}

/// The version constraint and origin of a `[tool.poetry...dependencies]` value.
pub(crate) fn poetry_dep_value(item: &Item) -> (Option<String>, Option<String>) {
    if let Some(s) = item.as_str() {
        return (Some(s.to_string()), None);
    }
    if let Some(t) = item.as_table_like() {
        if let Some(ver) = t.get("version").and_then(Item::as_str) {
            return (Some(ver.to_string()), None);
        }
        for k in ["git", "path", "url"] {
            if let Some(o) = t.get(k).and_then(Item::as_str) {
                return (None, Some(format!("{k} = {o}")));
            }
        }
        return (Some("*".to_string()), None);
    }
    if let Some(arr) = item.as_array() {
        // Multiple constraints (one per marker): their union.
        let vs: Vec<String> = arr
            .iter()
            .filter_map(|v| {
                value_table(v)
                    .and_then(|t| t.get("version"))
                    .and_then(Item::as_str)
                    .map(str::to_string)
                    .or_else(|| v.as_str().map(str::to_string))
            })
            .collect();
        if !vs.is_empty() {
            return (Some(vs.join(" || ")), None);
        }
    }
    if let Some(aot) = item.as_array_of_tables() {
        let vs: Vec<String> = aot
            .iter()
            .filter_map(|t| t.get("version").and_then(Item::as_str).map(str::to_string))
            .collect();
        if !vs.is_empty() {
            return (Some(vs.join(" || ")), None);
        }
    }
    (None, None)
}

fn poetry_deps(
    t: Option<&dyn TableLike>,
    source: DepSource,
    out: &mut Vec<Dependency>,
    python: &mut Option<String>,
) {
    let Some(t) = t else { return };
    for (name, item) in t.iter() {
        if name == "python" {
            if source == DepSource::Poetry {
                *python = item.as_str().map(str::to_string);
            }
            continue;
        }
        let (constraint, origin) = poetry_dep_value(item);
        out.push(Dependency {
            name: name.to_string(),
            constraint,
            origin,
            source: source.clone(),
        });
    }
}

fn pep508_deps(
    item: Option<&Item>,
    source: DepSource,
    where_: &str,
    out: &mut Vec<Dependency>,
    warnings: &mut Vec<String>,
) {
    let Some(item) = item else { return };
    let Some(arr) = item.as_array() else {
        warnings.push(format!(
            "{where_} should be an array of requirement strings"
        ));
        return;
    };
    for val in arr {
        let Some(s) = val.as_str() else {
            if value_table(val).is_some_and(|t| t.contains_key("include-group")) {
                continue;
            }
            warnings.push(format!(
                "{where_} has an entry that is not a string: {}",
                val.to_string().trim()
            ));
            continue;
        };
        match parse_requirement(s) {
            Ok(r) => out.push(Dependency {
                name: r.name,
                constraint: if r.url.is_some() {
                    None
                } else if r.specifier.is_empty() {
                    Some("*".to_string())
                } else {
                    Some(r.specifier)
                },
                origin: r.url.map(|u| format!("url = {u}")),
                source: source.clone(),
            }),
            Err(e) => warnings.push(format!("{where_}: {e}")),
        }
    }
}

fn sdk_info(deps: &[Dependency], python: Option<&PythonReq>) -> Option<SdkInfo> {
    let main = |d: &&Dependency| matches!(d.source, DepSource::Poetry | DepSource::Project);
    let right = normalize_name(SDK_NAME);
    let wrong = normalize_name(SDK_WRONG_NAME);
    let dep = deps
        .iter()
        .filter(main)
        .find(|d| normalize_name(&d.name) == right)
        .or_else(|| {
            deps.iter()
                .filter(main)
                .find(|d| normalize_name(&d.name) == wrong)
        })?;
    let wrong_name = normalize_name(&dep.name) == wrong;
    let parsed = dep.parsed().and_then(Result::ok);
    let allows_py312_only = parsed
        .as_ref()
        .is_some_and(|c| c.admits_at_or_above(&v("0.14.4")));
    let below_312 = python.is_none_or(|p| p.admits_below_3_12);
    let unresolvable = below_312
        && parsed
            .as_ref()
            .is_some_and(|c| !c.admits_at_or_below(&v(SDK_LAST_FOR_PY39)));
    Some(SdkInfo {
        dependency: dep.clone(),
        wrong_name,
        allows_py312_only,
        unresolvable,
    })
}

/// Read everything the doctor and the steps need from a parsed pyproject.toml.
pub fn inspect(doc: &DocumentMut) -> ProjectInfo {
    let mut warnings = Vec::new();
    let poetry = table(path(doc, &["tool", "poetry"]));
    let project = table(doc.get("project"));
    if doc.get("project").is_some() && project.is_none() {
        warnings.push("[project] is not a table".to_string());
    }
    if path(doc, &["tool", "poetry"]).is_some() && poetry.is_none() {
        warnings.push("tool.poetry is not a table".to_string());
    }
    let poetry_deps_table = table(path(doc, &["tool", "poetry", "dependencies"]));

    const META: [&str; 4] = ["name", "version", "description", "authors"];
    let legacy_meta = poetry.is_some_and(|t| META.iter().any(|k| t.contains_key(k)))
        || poetry_deps_table.is_some();
    let form = match (project.is_some(), legacy_meta) {
        (true, false) => Form::Pep621,
        (false, true) => Form::Legacy,
        (true, true) => Form::Mixed,
        (false, false) => Form::Unknown,
    };
    let legacy_missing = META
        .iter()
        .filter(|k| !poetry.is_some_and(|t| t.contains_key(k)))
        .map(|k| k.to_string())
        .collect();

    let tp = "[tool.poetry]";
    let pj = "[project]";
    let name = string_at(poetry, "name", tp, &mut warnings)
        .or_else(|| string_at(project, "name", pj, &mut warnings));
    let version = string_at(poetry, "version", tp, &mut warnings)
        .or_else(|| string_at(project, "version", pj, &mut warnings));
    let description = string_at(poetry, "description", tp, &mut warnings)
        .or_else(|| string_at(project, "description", pj, &mut warnings));
    let authors = authors_at(poetry, false, tp, &mut warnings)
        .or_else(|| authors_at(project, true, pj, &mut warnings))
        .unwrap_or_default();
    let readme = poetry
        .and_then(|t| t.get("readme"))
        .or_else(|| project.and_then(|t| t.get("readme")))
        .and_then(|i| {
            i.as_str().map(str::to_string).or_else(|| {
                i.as_table_like()
                    .and_then(|t| t.get("file"))
                    .and_then(Item::as_str)
                    .map(str::to_string)
            })
        });

    let mut dependencies = Vec::new();
    let mut python_raw = None;
    poetry_deps(
        poetry_deps_table,
        DepSource::Poetry,
        &mut dependencies,
        &mut python_raw,
    );
    if let Some(groups) = table(path(doc, &["tool", "poetry", "group"])) {
        for (g, item) in groups.iter() {
            let deps = item
                .as_table_like()
                .and_then(|t| table(t.get("dependencies")));
            poetry_deps(
                deps,
                DepSource::PoetryGroup(g.to_string()),
                &mut dependencies,
                &mut None,
            );
        }
    }
    let legacy_dev = table(path(doc, &["tool", "poetry", "dev-dependencies"]));
    poetry_deps(
        legacy_dev,
        DepSource::PoetryDevDependencies,
        &mut dependencies,
        &mut None,
    );
    pep508_deps(
        project.and_then(|t| t.get("dependencies")),
        DepSource::Project,
        "[project].dependencies",
        &mut dependencies,
        &mut warnings,
    );
    let dep_groups = table(doc.get("dependency-groups"));
    let mut dependency_groups = Vec::new();
    if let Some(g) = dep_groups {
        for (name, item) in g.iter() {
            dependency_groups.push(name.to_string());
            pep508_deps(
                Some(item),
                DepSource::DependencyGroup(name.to_string()),
                &format!("[dependency-groups].{name}"),
                &mut dependencies,
                &mut warnings,
            );
        }
    }

    let poetry_python = python_raw.map(|p| PythonReq::new(&p, PythonWhere::ToolPoetry));
    let requires_python = string_at(project, "requires-python", pj, &mut warnings)
        .map(|p| PythonReq::new(&p, PythonWhere::RequiresPython));
    for p in poetry_python.iter().chain(requires_python.iter()) {
        if let Some(e) = &p.error {
            warnings.push(format!(
                "the Python range '{}' cannot be read: {e}",
                p.constraint
            ));
        }
    }
    for d in &dependencies {
        if let Some(Err(e)) = d.parsed() {
            warnings.push(format!("the constraint of {} cannot be read: {e}", d.name));
        }
    }
    let sdk = sdk_info(
        &dependencies,
        poetry_python.as_ref().or(requires_python.as_ref()),
    );

    let has_dev_group = table(path(
        doc,
        &["tool", "poetry", "group", "dev", "dependencies"],
    ))
    .is_some();

    let mut packages = Vec::new();
    if let Some(item) = poetry.and_then(|t| t.get("packages")) {
        let mut push = |t: &dyn TableLike| {
            if let Some(inc) = t.get("include").and_then(Item::as_str) {
                packages.push(PackageInclude {
                    include: inc.to_string(),
                    from: t.get("from").and_then(Item::as_str).map(str::to_string),
                });
            }
        };
        if let Some(arr) = item.as_array() {
            arr.iter().filter_map(value_table).for_each(&mut push);
        } else if let Some(aot) = item.as_array_of_tables() {
            aot.iter().for_each(|t| push(t));
        } else {
            warnings.push("[tool.poetry].packages should be an array".to_string());
        }
    }

    let mut sources = Vec::new();
    if let Some(item) = path(doc, &["tool", "poetry", "source"]) {
        let mut push = |t: &dyn TableLike| {
            sources.push(Source {
                name: t
                    .get("name")
                    .and_then(Item::as_str)
                    .unwrap_or_default()
                    .to_string(),
                url: t.get("url").and_then(Item::as_str).map(str::to_string),
                priority: t.get("priority").and_then(Item::as_str).map(str::to_string),
            });
        };
        if let Some(aot) = item.as_array_of_tables() {
            aot.iter().for_each(|t| push(t));
        } else if let Some(arr) = item.as_array() {
            arr.iter().filter_map(value_table).for_each(&mut push);
        }
    }

    let build = table(doc.get("build-system"));
    let build_requires = build
        .and_then(|t| t.get("requires"))
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let build_backend = build
        .and_then(|t| t.get("build-backend"))
        .and_then(Item::as_str)
        .map(str::to_string);

    ProjectInfo {
        form,
        package_folder: name.as_deref().map(module_name),
        name,
        version,
        description,
        authors,
        readme,
        legacy_missing,
        poetry_python,
        requires_python,
        dependencies,
        sdk,
        has_dev_group,
        has_legacy_dev_dependencies: legacy_dev.is_some(),
        has_dependency_groups: dep_groups.is_some(),
        dependency_groups,
        packages,
        sources,
        build_requires,
        build_backend,
        warnings,
    }
}
