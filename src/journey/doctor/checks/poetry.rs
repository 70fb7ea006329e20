//! Poetry: exactly one install, recent enough, whose own Python still exists.

use super::super::{Finding, Fix, Group, Input};
use crate::plan::{Cmd, Plan};
use crate::probe::{distro, poetry, InstallMethod, PoetryInstall};
use crate::version::Version;

const G: Group = Group::Poetry;

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let (installs, distro) = std::thread::scope(|s| {
        let d = s.spawn(|| distro::read(&input.env));
        let p = poetry::find_all(&input.env);
        (p, d.join().unwrap_or_default())
    });
    judge(&installs, distro.as_ref())
}

fn method(m: &InstallMethod) -> &'static str {
    match m {
        InstallMethod::OfficialInstaller => "official installer",
        InstallMethod::Pipx => "pipx",
        InstallMethod::Pip => "pip",
        InstallMethod::Distro => "distro package",
        InstallMethod::Unknown => "unknown way",
    }
}

fn describe(p: &PoetryInstall) -> String {
    let version = p
        .version
        .map(|v| v.to_string())
        .unwrap_or_else(|| "?".into());
    let owner = match (&p.python, p.python_exists) {
        (Some(py), true) => format!("on {}", py.display()),
        (Some(py), false) => format!("on {} (GONE)", py.display()),
        (None, _) => "owner Python unknown".into(),
    };
    let first = if p.first_on_path {
        "  <- `poetry` on PATH"
    } else {
        ""
    };
    format!(
        "Poetry {version} at {} ({}, {owner}){first}",
        p.path.display(),
        method(&p.method)
    )
}

fn shell(cmd: &str) -> Cmd {
    Cmd::new("bash").args(["-c", cmd])
}

/// The verdicts for these installs (pure, for tests).
pub(crate) fn judge(installs: &[PoetryInstall], distro: Option<&distro::Distro>) -> Vec<Finding> {
    let list = installs.iter().map(describe).collect::<Vec<_>>().join("\n");
    if installs.is_empty() {
        let pipx = distro::pipx_install_hint(distro);
        return vec![Finding::problem(G, "poetry-missing", "Poetry is not installed")
            .detail("looked on PATH, in ~/.local/bin, the official installer's folder, pipx, pyenv and every Python's site-packages")
            .fix(Fix::manual(format!("{pipx}\npipx install poetry")))];
    }
    let mut out = Vec::new();
    for p in installs.iter().filter(|p| !p.python_exists) {
        let fix = format!("{}\npipx install poetry", p.uninstall_hint());
        out.push(
            Finding::problem(
                G,
                "poetry-python-missing",
                format!(
                    "Poetry at {} cannot run: its Python is gone",
                    p.path.display()
                ),
            )
            .detail(describe(p))
            .fix(Fix::manual(fix)),
        );
    }
    if installs.len() > 1 {
        let others: Vec<&PoetryInstall> = installs.iter().filter(|p| !p.first_on_path).collect();
        let cmds: Vec<String> = others.iter().map(|p| p.uninstall_hint()).collect();
        let plan = cmds.iter().fold(Plan::new(), |pl, c| pl.run(shell(c)));
        let first = installs.iter().find(|p| p.first_on_path);
        let title = match first {
            Some(f) => format!(
                "{} Poetry installs, keep exactly one; `poetry` runs {}",
                installs.len(),
                f.version
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| f.path.display().to_string())
            ),
            None => format!(
                "{} Poetry installs, keep exactly one; none of them is on PATH as `poetry`",
                installs.len()
            ),
        };
        // Each extra install with the command that removes it.
        let removals: Vec<String> = others
            .iter()
            .zip(&cmds)
            .map(|(p, c)| format!("remove {}:\n  {c}", p.path.display()))
            .collect();
        // A problem, as `new` refuses to go on with several: which one runs
        // depends on PATH and shell, and the guide says exactly one.
        out.push(
            Finding::problem(G, "poetry-multiple", title)
                .detail(format!(
                    "Poetry belongs in exactly one Python; with several, which one runs depends on PATH and shell.\n{list}\n{}",
                    removals.join("\n")
                ))
                .fix(Fix::run(cmds.join("\n"), plan, false)),
        );
    }
    let first = installs.iter().find(|p| p.first_on_path);
    match first {
        None => out.push(
            Finding::problem(
                G,
                "poetry-not-on-path",
                "Poetry is installed but `poetry` is not on PATH",
            )
            .detail(list.clone())
            .fix(Fix::manual(
                "export PATH=\"$HOME/.local/bin:$PATH\"   # add it to ~/.bashrc",
            )),
        ),
        Some(f) => {
            let v = f.version;
            if v.is_some_and(|v| v < Version::new(1, 2, 0)) {
                out.push(
                    Finding::problem(
                        G,
                        "poetry-too-old",
                        format!(
                            "Poetry {} is too old: dependency groups need 1.2+",
                            v.unwrap()
                        ),
                    )
                    .detail(format!(
                        "the official build uses Poetry 1.8.3 (`poetry install --without dev`)\n{}",
                        describe(f)
                    ))
                    .fix(Fix::manual(format!(
                        "{}\npipx install poetry",
                        f.uninstall_hint()
                    ))),
                );
            } else if v.is_some_and(|v| v < Version::new(1, 8, 0)) {
                out.push(
                    Finding::warning(
                        G,
                        "poetry-old",
                        format!(
                            "Poetry {} is older than the official build's 1.8.3",
                            v.unwrap()
                        ),
                    )
                    .detail(describe(f))
                    .fix(Fix::manual(
                        "pipx install poetry   # or: poetry self update",
                    )),
                );
            } else if out.is_empty() {
                out.push(
                    Finding::ok(
                        G,
                        "poetry-ok",
                        format!(
                            "Poetry {}",
                            v.map(|v| v.to_string())
                                .unwrap_or_else(|| "(version unknown)".into())
                        ),
                    )
                    .detail(list),
                );
            }
        }
    }
    out
}
