//! Pythons: at least one >= 3.9; `python3` itself >= 3.9 (else the alias tip).

use super::super::{Finding, Fix, Group, Input};
use crate::probe::{distro, python, Python};

const G: Group = Group::Python;

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let (pythons, distro) = std::thread::scope(|s| {
        let d = s.spawn(|| distro::read(&input.env));
        let p = python::find_all(&input.env);
        (p, d.join().unwrap_or_default())
    });
    judge(&pythons, distro.as_ref())
}

fn describe(p: &Python) -> String {
    let names = if p.names.is_empty() {
        String::new()
    } else {
        format!(" ({} on PATH)", p.names.join(", "))
    };
    format!("{} {}{}", p.version, p.path.display(), names)
}

/// The verdicts for these interpreters (pure, for tests).
pub(crate) fn judge(pythons: &[Python], distro: Option<&distro::Distro>) -> Vec<Finding> {
    let min = crate::official::MIN_PYTHON;
    let list = pythons.iter().map(describe).collect::<Vec<_>>().join("\n");
    let good: Vec<&Python> = pythons.iter().filter(|p| p.version >= min).collect();
    if good.is_empty() {
        let hint = distro::python_install_hint(distro);
        let title = if pythons.is_empty() {
            "no Python interpreter found".to_string()
        } else {
            "no Python 3.9 or newer: Arcaflow plugins and the SDK need 3.9+".to_string()
        };
        return vec![Finding::problem(G, "python-none", title)
            .detail(if list.is_empty() {
                "looked on PATH, in pyenv and in the system folders".into()
            } else {
                format!("found:\n{list}")
            })
            .fix(Fix::manual(hint))];
    }
    let python3 = pythons
        .iter()
        .find(|p| p.names.iter().any(|n| n == "python3") && p.source == python::PythonSource::Path);
    let mut out = Vec::new();
    match python3 {
        Some(p) if p.version < min => {
            // The newest with a name on PATH reads best in an alias; else its full path.
            let best = good
                .iter()
                .filter(|g| !g.names.is_empty())
                .max_by_key(|g| g.version)
                .or_else(|| good.iter().max_by_key(|g| g.version))
                .expect("non-empty");
            let target = best
                .names
                .iter()
                .find(|n| n.starts_with("python3."))
                .cloned()
                .unwrap_or_else(|| best.path.display().to_string());
            out.push(
                Finding::warning(
                    G,
                    "python3-too-old",
                    format!("python3 is Python {} (needs 3.9+), but Python {} is installed", p.version, best.version),
                )
                .detail(format!(
                    "python3 on PATH: {}\nThe guide's tip: make python3 the newer one in your shell (add the line to ~/.bashrc to keep it);\n`arcaflow-wizard new --python {}` also works without it.\nfound:\n{list}",
                    p.path.display(),
                    best.path.display()
                ))
                .fix(Fix::manual(format!("alias python3={target}"))),
            );
        }
        Some(p) => out.push(
            Finding::ok(G, "python-ok", format!("python3 is Python {}", p.version))
                .detail(format!("found:\n{list}")),
        ),
        None => {
            let best = good.iter().max_by_key(|g| g.version).expect("non-empty");
            out.push(
                Finding::warning(
                    G,
                    "python3-missing",
                    format!(
                        "no python3 on PATH; Python {} is at {}",
                        best.version,
                        best.path.display()
                    ),
                )
                .detail(format!("tools and the guide run `python3`\nfound:\n{list}"))
                .fix(Fix::manual(format!(
                    "alias python3={}",
                    best.path.display()
                ))),
            );
        }
    }
    out
}
