//! A `--python` or `--poetry` the user gave: found (a bare name on PATH, as a
//! shell does), run once to learn what it is, and added to the facts so the
//! questions offer it. Refused with what to pass instead when it is not what
//! the flag asks for.

use std::path::{Path, PathBuf};

use super::{Facts, Python, PythonSource};
use crate::version::Version;

/// Why a `--python` or `--poetry` value is refused: bad input, said with
/// what to pass instead. The command turns it into its usage failure (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    pub hint: Option<String>,
}

impl Refused {
    fn new(message: String) -> Self {
        Refused {
            message,
            hint: None,
        }
    }
    fn hint(mut self, h: String) -> Self {
        self.hint = Some(h);
        self
    }
}

/// What `--python VALUE` or `--poetry VALUE` points at.
struct Given {
    /// The file to run: VALUE itself, or for a bare name, the one on PATH.
    path: PathBuf,
    /// How messages name it: `--python VALUE`, with the PATH match for a bare name.
    shown: String,
    /// For a bare name: `./VALUE` when this folder holds another file of that name.
    here: Option<String>,
}

impl Given {
    /// A bare name (no `/`) is looked up on PATH, as a shell does; anything
    /// else is a path, relative to the current folder.
    fn resolve(flag: &str, value: &Path) -> Result<Given, Refused> {
        let text = value.to_string_lossy();
        if text.contains('/') || text.is_empty() {
            return Ok(Given {
                path: value.to_path_buf(),
                shown: format!("--{flag} {text}"),
                here: None,
            });
        }
        let cwd = std::env::current_dir().unwrap_or_default();
        let found = which::which_in(value, std::env::var_os("PATH"), &cwd).ok();
        let local = cwd.join(value);
        let here = (local.is_file()
            && found.as_ref().and_then(|f| std::fs::canonicalize(f).ok())
                != std::fs::canonicalize(&local).ok())
        .then(|| format!("./{text}"));
        let Some(path) = found else {
            let mut f = Refused::new(format!(
                "--{flag} {text}: there is no {text} on PATH (a name without a / is looked up on PATH, as a shell does)"
            ));
            if let Some(h) = &here {
                f = f.hint(format!(
                    "This folder has a file {text}: to use it, pass --{flag} {h}"
                ));
            }
            return Err(f);
        };
        Ok(Given {
            shown: format!("--{flag} {text} ({} on PATH)", path.display()),
            path,
            here,
        })
    }

    /// The hint under a refusal: the file of that name here, then what to pass.
    fn hint(&self, flag: &str, instead: String) -> String {
        match &self.here {
            Some(h) => format!(
                "This folder has another file {}: to use it, pass --{flag} {h}\n{instead}",
                h.trim_start_matches("./")
            ),
            None => instead,
        }
    }
}

/// The first line of a program's output, short, for a message.
fn first_line(out: &str) -> String {
    let line = out
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim();
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

/// Run a probe of a user-given program: its output, or how it failed, as a
/// clause (`ran` says what was run: "`--version`").
fn probe_output(cmd: &crate::plan::Cmd, ran: &str) -> Result<String, String> {
    use crate::exec::{CancelToken, Ending};
    let mut out = String::new();
    let res = crate::exec::run(cmd, &[], &CancelToken::new(), &mut |l| {
        if out.len() < 1 << 16 {
            out.push_str(l);
            out.push('\n');
        }
    })
    .map_err(|e| format!("it cannot be run ({e})"))?;
    let said = match first_line(&out) {
        l if l.is_empty() => String::new(),
        l => format!(": \"{l}\""),
    };
    match res.ending {
        Ending::Exited(0) => Ok(out.trim_end().to_string()),
        Ending::Exited(n) => Err(format!("{ran} failed with exit code {n}{said}")),
        Ending::TimedOut => Err(format!(
            "{ran} did not finish in {} s",
            cmd.timeout.map(|t| t.as_secs()).unwrap_or_default()
        )),
        Ending::Signalled(n) => Err(format!("{ran} was killed by signal {n}{said}")),
        Ending::Cancelled => Err(format!("{ran} was cancelled")),
    }
}

/// The code `--python` is run with: any Python prints its version first.
const PYTHON_VERSION_CODE: &str = "import sys; print(sys.version)";

/// What to pass instead of a refused `--python`: the interpreters found.
fn python_instead(facts: &Facts) -> String {
    let ok: Vec<String> = facts
        .pythons
        .iter()
        .filter(|p| p.version >= crate::official::MIN_PYTHON)
        .take(5)
        .map(|p| format!("  --python {}   (Python {})", p.path.display(), p.version))
        .collect();
    instead(
        ok,
        "Pass a Python 3.9 or newer interpreter, e.g. --python /usr/bin/python3.11; none was found here \
         (`arcaflow-wizard doctor` says how to install one).",
        "Pass a Python 3.9 or newer interpreter, or leave --python out to choose from those found:",
    )
}

/// `none` when nothing was found, else `some` followed by the options, a line each.
fn instead(options: Vec<String>, none: &str, some: &str) -> String {
    if options.is_empty() {
        none.to_string()
    } else {
        format!("{some}\n{}", options.join("\n"))
    }
}

/// What to pass instead of a refused `--poetry`: the installs found.
fn poetry_instead(facts: &Facts) -> String {
    let ok: Vec<String> = facts
        .poetries
        .iter()
        .filter(|p| p.python_exists && !p.via_module())
        .take(5)
        .map(|p| {
            let v = p
                .version
                .map(|v| format!("   (Poetry {v})"))
                .unwrap_or_default();
            format!("  --poetry {}{v}", p.path.display())
        })
        .collect();
    instead(
        ok,
        "Pass the `poetry` script, e.g. --poetry ~/.local/bin/poetry; none was found here \
         (`arcaflow-wizard doctor` says how to install it).",
        "Pass the `poetry` script, or leave --poetry out to use the one found:",
    )
}

/// Make a user-given interpreter part of the facts, so questions can offer it.
/// A bare name is looked up on PATH. Returns the path the facts know it by.
pub(crate) fn adopt_python(facts: &mut Facts, given: &Path) -> Result<PathBuf, Refused> {
    let g = Given::resolve("python", given)?;
    let real = std::fs::canonicalize(&g.path)
        .map_err(|_| Refused::new(format!("{}: no such file", g.shown)))?;
    if facts.pythons.iter().any(|p| p.path == g.path) {
        return Ok(g.path);
    }
    // The same interpreter found under another name (the python3 link on
    // PATH): use and record the path the user gave, not that link.
    if let Some(p) = facts.pythons.iter().find(|p| p.real_path == real).cloned() {
        facts.pythons.push(Python {
            path: g.path.clone(),
            ..p
        });
        return Ok(g.path);
    }
    let ran = format!("running it with -c '{PYTHON_VERSION_CODE}'");
    let out = probe_output(
        &crate::plan::Cmd::new(&g.path)
            .args(["-c", PYTHON_VERSION_CODE])
            .timeout(std::time::Duration::from_secs(10)),
        &ran,
    );
    let refuse = |why: String| {
        Refused::new(format!("{} is not a Python interpreter: {why}", g.shown))
            .hint(g.hint("python", python_instead(facts)))
    };
    let out = out.map_err(refuse)?;
    let Some(version) = Version::find_in(&out) else {
        return Err(refuse(if out.trim().is_empty() {
            format!("{ran} printed nothing")
        } else {
            format!(
                "{ran} printed \"{}\", not a Python version",
                first_line(&out)
            )
        }));
    };
    facts.pythons.push(Python {
        path: g.path.clone(),
        real_path: real,
        version,
        names: Vec::new(),
        source: PythonSource::System,
    });
    Ok(g.path)
}

/// The same for `--poetry PATH`.
pub(crate) fn adopt_poetry(facts: &mut Facts, given: &Path) -> Result<PathBuf, Refused> {
    let g = Given::resolve("poetry", given)?;
    if !g.path.is_file() {
        return Err(Refused::new(format!("{}: no such file", g.shown)));
    }
    let real = std::fs::canonicalize(&g.path).unwrap_or_else(|_| g.path.clone());
    if let Some(p) = facts.poetries.iter().find(|p| {
        p.path == g.path || std::fs::canonicalize(&p.path).ok().as_deref() == Some(real.as_path())
    }) {
        return Ok(p.path.clone());
    }
    let out = probe_output(
        &crate::plan::Cmd::new(&g.path)
            .arg("--version")
            .env("NO_COLOR", "1")
            .timeout(std::time::Duration::from_secs(30)),
        "`--version`",
    );
    let refuse = |why: String| {
        Refused::new(format!("{} is not Poetry: {why}", g.shown))
            .hint(g.hint("poetry", poetry_instead(facts)))
    };
    let out = out.map_err(refuse)?;
    let version = Version::find_in(&out);
    if !out.contains("Poetry") || version.is_none() {
        return Err(refuse(if out.trim().is_empty() {
            "`--version` printed nothing".into()
        } else {
            format!(
                "`--version` printed \"{}\", not a Poetry version",
                first_line(&out)
            )
        }));
    }
    facts.poetries.push(crate::probe::PoetryInstall {
        path: g.path.clone(),
        version,
        python: None,
        python_exists: true,
        method: crate::probe::InstallMethod::Unknown,
        first_on_path: false,
    });
    Ok(g.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--python /full/path` of an interpreter that was found as the python3
    /// link on PATH: the path given is used and recorded, not the link.
    #[test]
    fn a_python_given_by_path_is_recorded_as_given() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("python3.11");
        std::fs::write(&real, "#!/bin/sh\necho 3.11.7\n").unwrap();
        let link_dir = d.path().join("bin");
        std::fs::create_dir(&link_dir).unwrap();
        let link = link_dir.join("python3");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let real = std::fs::canonicalize(&real).unwrap();
        let mut facts = Facts::default();
        facts.pythons.push(Python {
            path: link.clone(),
            real_path: real.clone(),
            version: Version::find_in("3.11.7").unwrap(),
            names: vec!["python3".into()],
            source: PythonSource::System,
        });
        let got = adopt_python(&mut facts, &real).unwrap();
        assert_eq!(got, real);
        let py = facts.python_at(&got).unwrap();
        assert_eq!(py.path, real, "recorded as the python3 link");
        assert_eq!(py.version, Version::find_in("3.11.7").unwrap());
    }
}
