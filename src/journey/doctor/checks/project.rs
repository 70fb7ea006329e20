//! The project: pyproject.toml in the form the official build's Poetry 1.8.3
//! reads, a Python range the SDK resolves in, the SDK under its real name, a dev
//! group, the code folder where the official Dockerfile copies it from; and the
//! lock file in sync.
//!
//! Project check ids name the check: the same id is reported `ok` once fixed.

use std::path::Path;
use std::time::Duration;

use toml_edit::DocumentMut;

use super::super::{Finding, Fix, Group, Input};
use super::Project;
use crate::plan::{Cmd, Plan};
use crate::probe::layout::{Fact, Layout, PackagesForm, Tree};
use crate::pyproject::{self, EditError, Form};

const G: Group = Group::Project;

/// A fix that rewrites pyproject.toml with `edit` applied (None when it changes nothing).
fn edit_fix(
    p: &Project,
    doc: &DocumentMut,
    what: &str,
    edit: impl FnOnce(&mut DocumentMut) -> Result<bool, EditError>,
) -> Option<Fix> {
    let mut d = doc.clone();
    match edit(&mut d) {
        Ok(true) => {
            let text = d.to_string();
            (text != p.text).then(|| {
                Fix::run(
                    format!("edit pyproject.toml: {what}"),
                    Plan::new().replace(&p.path, text),
                    true,
                )
            })
        }
        _ => None,
    }
}

fn with_fix(f: Finding, fix: Option<Fix>) -> Finding {
    match fix {
        Some(x) => f.fix(x),
        None => f,
    }
}

/// The folder the official Dockerfile's `ARG package` names: the code folder,
/// or for Poetry 2's src layout the folder it belongs in at the top. None when
/// the layout does not settle it.
fn dockerfile_folder(l: &Layout) -> Option<String> {
    let folder = l.code_folder.value()?;
    match folder.strip_prefix("src/") {
        Some(rest) if l.packages_form != PackagesForm::Module && !rest.contains('/') => {
            Some(rest.to_string())
        }
        _ => Some(folder.clone()),
    }
}

/// pyproject.toml is there but cannot be read as text: every other project
/// check would be skipped, so this is the finding (Poetry cannot read it either).
fn unreadable(path: &Path) -> Option<Finding> {
    let id = "pyproject-invalid";
    let why = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => format!("pyproject.toml cannot be read: {e}"),
        Ok(bytes) => match std::str::from_utf8(&bytes) {
            Ok(_) => return None,
            Err(u) => {
                let good = &bytes[..u.valid_up_to()];
                let line = good.iter().filter(|b| **b == b'\n').count() + 1;
                let col =
                    good.len() - good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
                format!(
                    "pyproject.toml is not UTF-8 text (line {line}, byte {col} of that line): TOML must be UTF-8, and Poetry cannot read it"
                )
            }
        },
    };
    Some(
        Finding::problem(G, id, why)
            .detail("no other project check can run until it is readable")
            .fix(Fix::manual(format!(
                "save {} as UTF-8 (e.g. iconv -f latin1 -t utf-8), readable by you",
                path.display()
            ))),
    )
}

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let Some(p) = Project::load(&input.dir) else {
        return unreadable(&input.dir.join("pyproject.toml"))
            .into_iter()
            .collect();
    };
    let (doc, info) = match &p.parsed {
        Ok(x) => x,
        Err(e) => {
            return vec![Finding::problem(
                G,
                "pyproject-invalid",
                format!("pyproject.toml is not valid TOML: {e}"),
            )
            .detail(e.excerpt(&p.text))
            .fix(Fix::manual(format!(
                "correct line {}, column {} of {}",
                e.line,
                e.column,
                p.path.display()
            )))];
        }
    };
    let mut out = Vec::new();
    let dir = &input.dir;
    let dockerfile = std::fs::read_to_string(dir.join("Dockerfile")).ok();
    let compose = std::fs::read_to_string(dir.join("docker-compose.yaml")).ok();
    let lay = Layout::of(
        info,
        dockerfile.as_deref(),
        compose.as_deref(),
        &Tree::read(dir),
    );
    // The folder `packages = [{include = ...}]` gets when the form is rewritten;
    // a module include keeps its own `packages` (no automatic rewrite).
    let folder = match lay.packages_form {
        PackagesForm::Default | PackagesForm::Folder => dockerfile_folder(&lay)
            .filter(|f| f != ".")
            .unwrap_or_default(),
        _ => String::new(),
    };

    // The form Poetry 1.8.3 reads.
    let id = "pyproject-pep621";
    match info.form {
        Form::Pep621 | Form::Mixed => {
            let f = Finding::problem(G, id, if info.form == Form::Pep621 {
                "pyproject.toml is in the PEP 621 [project] form, which the official build's Poetry 1.8.3 cannot read"
            } else {
                "pyproject.toml has a [project] table beside [tool.poetry]: the official build's Poetry 1.8.3 ignores it"
            })
            .detail("Poetry 1.8.3 fails with `[tool.poetry] section not found`, or locks without [project].dependencies and exports an empty requirements.txt.\nThe fix moves everything into the legacy [tool.poetry] tables and removes [project].");
            let fix = (!folder.is_empty()).then(|| {
                edit_fix(&p, doc, "move [project] into the legacy [tool.poetry] tables", |d| {
                    pyproject::to_legacy(d, &folder).map(|r| r.changed)
                })
            });
            out.push(with_fix(f, fix.flatten()));
        }
        Form::Unknown => out.push(
            Finding::problem(G, id, "pyproject.toml has neither [tool.poetry] metadata nor a [project] table")
                .fix(Fix::manual("arcaflow-wizard new .   # or fill in [tool.poetry] name, version, description, authors")),
        ),
        Form::Legacy if !info.legacy_missing.is_empty() => out.push(
            Finding::problem(G, id, format!("[tool.poetry] lacks {}", info.legacy_missing.join(", ")))
                .detail("Poetry 1.8.3: `The fields [...] are required in package mode`")
                .fix(Fix::manual("add them to [tool.poetry] in pyproject.toml")),
        ),
        Form::Legacy => out.push(Finding::ok(G, id, "pyproject.toml is in the legacy [tool.poetry] form (Poetry 1.8.3 reads it)")),
    }

    out.extend(version(&p, doc));

    // The Python range.
    let id = "pyproject-open-python-bound";
    match info.python() {
        None => out.push(with_fix(
            Finding::problem(G, id, "pyproject.toml sets no Python range"),
            edit_fix(&p, doc, "python = \"^3.9\"", |d| pyproject::set_python(d, pyproject::PYTHON_CONSTRAINT)),
        )),
        Some(r) if r.error.is_some() => out.push(
            Finding::problem(G, id, format!("the Python range `{}` cannot be read", r.constraint))
                .detail(r.error.clone().unwrap_or_default())
                .fix(Fix::manual("python = \"^3.9\" in [tool.poetry.dependencies]")),
        ),
        Some(r) if !r.upper_ok => out.push(with_fix(
            Finding::problem(G, id, format!("the Python range `{}` has no upper bound: no SDK version resolves", r.constraint))
                .detail("the SDK declares python <4.0, so Poetry fails with `version solving failed` (it suggests adding <4.0)"),
            edit_fix(&p, doc, "close the Python range with <4.0", pyproject::set_python_bound),
        )),
        Some(r) => {
            out.push(Finding::ok(G, id, format!("the Python range `{}` is closed", r.constraint)));
            if !r.admits_3_9 && lay.newer_base_images() {
                // arcaflow-plugin-opensearch moved to the 0.5.0 images with `^3.12`:
                // those very likely run 3.12, which is not measured here.
                out.push(
                    Finding::warning(G, "pyproject-python-not-3-9", format!("the Python range `{}` excludes 3.9: fine if the 0.5.x base images this Dockerfile uses run Python 3.12 (very likely; the 0.4.x ones run 3.9)", r.constraint))
                        .detail(format!("FROM {}", lay.base_images.join(", FROM "))),
                );
            } else if !r.admits_3_9 {
                out.push(
                    Finding::warning(G, "pyproject-python-not-3-9", format!("the Python range `{}` excludes 3.9, the official images' Python", r.constraint))
                        .fix(Fix::manual("python = \"^3.9\" in [tool.poetry.dependencies]")),
                );
            }
        }
    }

    // The SDK.
    let id = "pyproject-wrong-sdk-name";
    match &info.sdk {
        None => out.push(
            Finding::warning(G, "pyproject-no-sdk", "the Arcaflow SDK is not a dependency").fix(Fix::run(
                "poetry add arcaflow-plugin-sdk@^0.14.3",
                Plan::new().run(
                    Cmd::new("poetry")
                        .args(["add", "arcaflow-plugin-sdk@^0.14.3"])
                        .cwd(&input.dir),
                ),
                true,
            )),
        ),
        Some(s) if s.wrong_name => out.push(with_fix(
            Finding::problem(G, id, "the SDK is declared as arcaflow-plugin-sdk-python, which does not exist on PyPI")
                .detail("Poetry: `Could not find a matching version of package arcaflow-plugin-sdk-python`; its name is arcaflow-plugin-sdk"),
            edit_fix(&p, doc, "arcaflow-plugin-sdk-python -> arcaflow-plugin-sdk = \"^0.14.3\"", pyproject::rename_sdk),
        )),
        Some(s) => {
            out.push(Finding::ok(G, id, format!(
                "the SDK is arcaflow-plugin-sdk {}",
                s.dependency.constraint.clone().unwrap_or_default()
            )));
            if s.unresolvable {
                out.push(with_fix(
                    Finding::problem(G, "pyproject-sdk-unresolvable", format!(
                        "arcaflow-plugin-sdk `{}` needs Python >= 3.12, but the project's range goes lower",
                        s.dependency.constraint.clone().unwrap_or_default()
                    ))
                    .detail("0.14.3 is the last SDK release for Python >=3.9,<4.0 (every official plugin locks it)"),
                    edit_fix(&p, doc, "arcaflow-plugin-sdk = \"^0.14.3\"", |d| pyproject::pin_sdk(d, pyproject::SDK_CONSTRAINT)),
                ));
            }
        }
    }

    // PEP 735 groups, invisible to Poetry 1.8.3.
    if info.has_dependency_groups {
        out.push(with_fix(
            Finding::problem(G, "pyproject-pep735-groups", format!(
                "[dependency-groups] ({}) is invisible to the official build's Poetry 1.8.3",
                info.dependency_groups.join(", ")
            ))
            .detail("Poetry 2 writes it on `poetry add --group dev` when [tool.poetry.group.dev.dependencies] is missing; 1.8.3 says `Group(s) not found: dev`"),
            edit_fix(&p, doc, "move [dependency-groups] to [tool.poetry.group.*.dependencies]", pyproject::move_dependency_groups),
        ));
    }

    // The dev group for `--without dev`.
    let id = "pyproject-no-dev-group";
    let without_dev = dockerfile
        .as_deref()
        .is_some_and(|d| d.contains("--without dev") || d.contains("--without=dev"));
    if info.has_dev_group || info.has_legacy_dev_dependencies {
        let place = if info.has_dev_group {
            "[tool.poetry.group.dev.dependencies]"
        } else {
            "[tool.poetry.dev-dependencies], which Poetry reads as the group dev"
        };
        out.push(Finding::ok(
            G,
            id,
            format!("a dev group exists ({place}; the official Dockerfile runs `poetry install --without dev`)"),
        ));
    } else if dockerfile.is_some() && !without_dev {
        // This Dockerfile does not ask for `--without dev`: nothing fails today.
        out.push(
            Finding::warning(
                G,
                id,
                "no dev group: fine for this Dockerfile, but the official one's `poetry install --without dev` would fail",
            )
            .detail("Poetry 1.8: `Group(s) not found: dev (via --without)`"),
        );
    } else {
        out.push(with_fix(
            Finding::problem(
                G,
                id,
                "no dev group: the official Dockerfile's `poetry install --without dev` fails",
            )
            .detail("Poetry: `Group(s) not found: dev (via --without)`"),
            edit_fix(
                &p,
                doc,
                "add an empty [tool.poetry.group.dev.dependencies]",
                pyproject::ensure_dev_group,
            ),
        ));
    }

    out.push(layout(input, &p, doc, &lay));
    out.extend(super::python_m::check(dir, &lay));
    if let Some(text) = &dockerfile {
        out.extend(super::dockerfile::verdict(
            dir,
            text,
            &lay,
            dockerfile_folder(&lay),
        ));
        out.extend(super::dockerfile::entry_and_tests(dir, &lay));
    }
    out
}

/// The version in `[tool.poetry]` and `[project]`: Poetry stops on one that is
/// not PEP 440 (1.8.3 and 2.x: `Invalid version 'X' on package NAME`; 2.x on
/// `[project]`: `project.version must match pattern ...`). None when neither
/// table has a version as a string (the form check says what is missing).
fn version(p: &Project, doc: &DocumentMut) -> Option<Finding> {
    let id = "pyproject-version-not-pep440";
    let tables: [(&str, &[&str]); 2] = [
        ("[tool.poetry]", &["tool", "poetry"]),
        ("[project]", &["project"]),
    ];
    let mut good = None;
    for (table, path) in tables {
        let item = path
            .iter()
            .try_fold(doc.as_item(), |item, k| item.get(k))
            .and_then(|t| t.get("version"));
        let Some(v) = item.and_then(|v| v.as_str()) else {
            continue;
        };
        let Err(why) = crate::version::normalize_pep440(v) else {
            good.get_or_insert_with(|| v.to_string());
            continue;
        };
        let keys: Vec<&str> = path.iter().copied().chain(["version"]).collect();
        let at = pyproject::position_at(&p.text, &keys)
            .map(|(l, c)| format!(" (line {l}, column {c})"))
            .unwrap_or_default();
        let poetry_says = if table == "[project]" {
            "Poetry 2 stops with `project.version must match pattern ...`".to_string()
        } else {
            format!("Poetry stops with `Invalid version '{v}' on package ...`")
        };
        return Some(
            Finding::problem(
                G,
                id,
                format!("the version `{v}` in {table} is not a PEP 440 version: Poetry refuses the project"),
            )
            .detail(format!("{why}\n{poetry_says} (install, lock, build)."))
            .fix(Fix::manual(format!(
                "set version = \"0.1.0\" in {table}{at} of {}: a version is numbers and dots (0.1.0, 1.2.3), \
                 optionally with a pre-release (1.0.0rc1)",
                p.path.display()
            ))),
        );
    }
    good.map(|v| Finding::ok(G, id, format!("the version {v} is a PEP 440 version")))
}

/// The code Poetry packs is where `packages` (or the name) says, and at the top
/// level, where the official Dockerfile copies it from.
fn layout(input: &Input, p: &Project, doc: &DocumentMut, l: &Layout) -> Finding {
    let id = "layout-code-folder";
    let dir = &input.dir;
    let name = match &l.code_folder {
        Fact::Known { value, .. } => value.clone(),
        Fact::Unknown { why } if l.dist_name.is_none() && l.packaged.is_empty() => {
            return Finding::problem(G, id, "no project name and no packages, so no code folder")
                .detail(why.clone())
                .fix(Fix::manual("set [tool.poetry] name"));
        }
        Fact::Unknown { why } => {
            return Finding::warning(G, id, format!("cannot tell the code folder: {why}"));
        }
    };
    let missing: Vec<&String> = l
        .packaged
        .iter()
        .filter(|m| !dir.join(m).exists())
        .collect();
    if missing.is_empty() {
        let (at, holder) = if name == "." {
            ("the top level".to_string(), "the top level".to_string())
        } else {
            (format!("{name}/"), format!("the code folder {name}/"))
        };
        // Poetry 2's src layout: Poetry finds it, the official Dockerfile does not.
        if let Some(top) = name
            .strip_prefix("src/")
            .filter(|_| l.packages_form == PackagesForm::Folder)
        {
            return src_layout(dir, p, doc, top);
        }
        let title = if l.packages_form == PackagesForm::Module {
            format!(
                "{holder} holds {}, as pyproject.toml says",
                l.packaged.join(", ")
            )
        } else {
            format!("the code is in {at}, as pyproject.toml says")
        };
        return Finding::ok(G, id, title);
    }
    // No `packages` and the name's folder is only under src/.
    if l.packages_form == PackagesForm::Default && dir.join("src").join(&name).is_dir() {
        return src_layout(dir, p, doc, &name);
    }
    if l.packages_form == PackagesForm::Default {
        return Finding::problem(G, id, format!("no code folder {name}/: Poetry fails with `No file/folder found for package`"))
            .detail(format!("Poetry maps the name {} to the folder {name}/", l.dist_name.clone().unwrap_or_default()))
            .fix(Fix::manual(format!("rename the code folder to {name}/, or set packages = [{{include = \"FOLDER\"}}] in [tool.poetry]")));
    }
    let list: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
    Finding::problem(
        G,
        id,
        format!("pyproject.toml packages names {}, which is not there: Poetry cannot pack the plugin", list.join(", ")),
    )
    .detail("`poetry install` (of the project itself) and `poetry build` stop on a `packages` entry that matches nothing")
    .fix(Fix::manual("point packages in [tool.poetry] at the plugin's code (include = the module or folder, from = its folder)"))
}

/// The code is in src/NAME/ (Poetry 2's src layout); the official Dockerfile
/// copies NAME/ from the top. The fix moves a folder: never safe, and its plan
/// lists the move and the pyproject.toml edit.
fn src_layout(dir: &Path, p: &Project, doc: &DocumentMut, name: &str) -> Finding {
    let id = "layout-code-folder";
    let mut plan = Plan::new().run(Cmd::new("mv").arg(format!("src/{name}")).arg(name).cwd(dir));
    let mut d = doc.clone();
    if pyproject::set_packages(&mut d, name).is_ok() && d.to_string() != p.text {
        plan = plan.replace(&p.path, d.to_string());
    }
    Finding::problem(G, id, format!("the code is in src/{name}/ (Poetry 2's src layout); the official Dockerfile copies {name}/ from the top"))
        .detail("the image build fails to find the package; `poetry check` does not notice")
        .fix(Fix::run(format!("mv src/{name} {name}   # and packages = [{{include = \"{name}\"}}]"), plan, false))
}

const LOCK_TIMEOUT: Duration = Duration::from_secs(25);

/// poetry.lock: present and in sync with pyproject.toml (`poetry check --lock`,
/// which both 1.8 and 2.x understand).
pub(crate) fn check_lock(input: &Input) -> Vec<Finding> {
    const G: Group = Group::Lock;
    let dir = &input.dir;
    let lock_cmd =
        |args: &[&str]| Plan::new().run(Cmd::new("poetry").args(args.iter().copied()).cwd(dir));
    if !dir.join("poetry.lock").is_file() {
        return vec![Finding::problem(
            G,
            "lock-missing",
            "no poetry.lock: the official Dockerfile copies it",
        )
        .fix(Fix::run("poetry lock", lock_cmd(&["lock"]), true))];
    }
    // The lock's content-hash, recomputed: in sync without starting Poetry. When it
    // differs or cannot be computed, Poetry has the last word.
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap_or_default();
    let lock = std::fs::read_to_string(dir.join("poetry.lock")).unwrap_or_default();
    let computed = crate::pyproject::parse(&pyproject)
        .ok()
        .and_then(|doc| crate::pyproject::lock_hash::content_hash(&doc));
    if computed.is_some() && computed == crate::pyproject::lock_hash::recorded_hash(&lock) {
        return vec![Finding::ok(
            G,
            "lock-stale",
            "poetry.lock is in sync with pyproject.toml",
        )];
    }
    let Some(poetry) = super::poetry(input) else {
        return vec![Finding::warning(
            G,
            "lock-stale",
            "cannot tell whether poetry.lock is in sync: no `poetry` on PATH",
        )];
    };
    stale_verdict(dir, &poetry, lock_cmd)
}

fn stale_verdict(dir: &Path, poetry: &Path, lock_cmd: impl Fn(&[&str]) -> Plan) -> Vec<Finding> {
    const G: Group = Group::Lock;
    let cmd = Cmd::new(poetry)
        .args(["check", "--lock", "--no-ansi", "--no-interaction"])
        .env("NO_COLOR", "1")
        .cwd(dir)
        .timeout(LOCK_TIMEOUT);
    let mut out = String::new();
    let res = crate::exec::run(&cmd, &[], &crate::exec::CancelToken::new(), &mut |l| {
        out.push_str(l);
        out.push('\n');
    });
    let Ok(res) = res else {
        return vec![Finding::warning(
            G,
            "lock-stale",
            "cannot tell whether poetry.lock is in sync: `poetry check --lock` did not start",
        )];
    };
    if res.success() {
        return vec![Finding::ok(
            G,
            "lock-stale",
            "poetry.lock is in sync with pyproject.toml",
        )];
    }
    if res.ending == crate::exec::Ending::TimedOut {
        return vec![Finding::warning(
            G,
            "lock-stale",
            "`poetry check --lock` took too long",
        )];
    }
    let stale = out.contains("changed significantly")
        || out.contains("not consistent")
        || out.contains("poetry lock");
    if stale {
        let (shown, plan) = if out.contains("--no-update") {
            (
                "poetry lock --no-update",
                lock_cmd(&["lock", "--no-update"]),
            )
        } else {
            ("poetry lock", lock_cmd(&["lock"]))
        };
        return vec![Finding::problem(G, "lock-stale", "poetry.lock is out of date with pyproject.toml")
            .detail("the official build fails: `pyproject.toml changed significantly since poetry.lock was last generated`")
            .fix(Fix::run(shown, plan, true))];
    }
    let first: Vec<&str> = out
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(4)
        .collect();
    vec![
        Finding::warning(G, "lock-check-failed", "`poetry check --lock` fails")
            .detail(first.join("\n")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_pyproject_is_a_problem_and_a_missing_one_is_nothing() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(unreadable(&d.path().join("pyproject.toml")), None);
        // A folder where the file should be: reading it fails (root reads any mode).
        std::fs::create_dir(d.path().join("pyproject.toml")).unwrap();
        let f = unreadable(&d.path().join("pyproject.toml")).unwrap();
        assert_eq!(f.id, "pyproject-invalid");
        assert_eq!(f.severity, crate::journey::doctor::Severity::Problem);
        assert!(
            f.title.starts_with("pyproject.toml cannot be read: "),
            "{}",
            f.title
        );
        let p = d.path().join("x.toml");
        std::fs::write(&p, b"[tool.poetry]\nname = \"\xff\"\n").unwrap();
        assert!(unreadable(&p)
            .unwrap()
            .title
            .contains("(line 2, byte 9 of that line)"));
        std::fs::write(&p, "[tool.poetry]\n").unwrap();
        assert_eq!(unreadable(&p), None);
    }
}
