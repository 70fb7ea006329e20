//! Which Python line the plugin is for. The default works in both official image
//! lines (0.4.x runs Python 3.9, 0.5.0 very likely 3.12); the second target is
//! arcaflow-plugin-opensearch's: Python 3.12 only, with the newer SDK.

use crate::journey::{Context, Question};
use crate::version::Version;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `python = "^3.9"`, SDK `^0.14.3`: the last SDK line for 3.9.
    Py39,
    /// `python = "^3.12"`, SDK `^0.14.4`: needs the 0.5.0 images.
    Py312,
}

impl Target {
    /// The answer's value (`--target`, `target = "..."` in an answers file).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Target::Py39 => "3.9",
            Target::Py312 => "3.12",
        }
    }
    pub(crate) fn parse(s: &str) -> Result<Target, String> {
        match s.trim() {
            "3.9" | "^3.9" | "py39" => Ok(Target::Py39),
            "3.12" | "^3.12" | "py312" => Ok(Target::Py312),
            other => Err(format!(
                "unknown target '{other}': give 3.9 (Python 3.9 and newer, SDK ^0.14.3) or 3.12 (Python 3.12 only, SDK ^0.14.4)"
            )),
        }
    }
    /// The project's Python range in Poetry's form; it keeps the SDK's <4.0.
    pub(crate) fn python_range(self) -> &'static str {
        match self {
            Target::Py39 => crate::official::PYTHON_CONSTRAINT,
            Target::Py312 => "^3.12",
        }
    }
    pub(crate) fn sdk_constraint(self) -> &'static str {
        match self {
            Target::Py39 => crate::official::SDK_CONSTRAINT,
            Target::Py312 => "^0.14.4",
        }
    }
    /// The oldest interpreter the project can use.
    pub(crate) fn min_python(self) -> Version {
        match self {
            Target::Py39 => crate::official::MIN_PYTHON,
            Target::Py312 => Version::new(3, 12, 0),
        }
    }
    pub(crate) fn label(self) -> &'static str {
        match self {
            Target::Py39 => "Python 3.9 and newer (SDK ^0.14.3): every official image",
            Target::Py312 => "Python 3.12 only (SDK ^0.14.4, as arcaflow-plugin-opensearch)",
        }
    }
}

/// The target answered so far; the default before the question is asked.
pub(crate) fn target(ctx: &Context) -> Target {
    ctx.answer("target")
        .and_then(|t| Target::parse(t).ok())
        .unwrap_or(Target::Py39)
}

/// The target of a project an earlier run made (a second run keeps it).
fn existing(ctx: &Context) -> Option<Target> {
    ctx.answer("name")?;
    let dir = super::project_dir(ctx);
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
    let doc = crate::pyproject::parse(&text).ok()?;
    let info = crate::pyproject::inspect(&doc);
    let range = info.python()?;
    if range.error.is_some() {
        return None;
    }
    Some(if range.admits_below_3_12 {
        Target::Py39
    } else {
        Target::Py312
    })
}

pub(crate) fn question_for(ctx: &Context) -> Question {
    let q = question();
    match existing(ctx) {
        Some(t) => q.default(t.key()),
        None => q,
    }
}

pub(crate) fn question() -> Question {
    let options = [Target::Py39, Target::Py312]
        .iter()
        .map(|t| (t.key().to_string(), t.label().to_string()))
        .collect();
    Question::choice("target", "Which Python should the plugin support?", options)
        .flag("--target")
        .default(Target::Py39.key())
        .validate(|s| Target::parse(s).map(|t| t.key().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_target_pairs_its_range_sdk_and_floor() {
        assert_eq!(Target::parse("3.9").unwrap().python_range(), "^3.9");
        let t = Target::parse("3.12").unwrap();
        assert_eq!(
            (t.python_range(), t.sdk_constraint(), t.min_python()),
            ("^3.12", "^0.14.4", Version::new(3, 12, 0))
        );
        assert_eq!(Target::Py39.sdk_constraint(), "^0.14.3");
        assert!(Target::parse("3.11").unwrap_err().contains("give 3.9"));
        // The question accepts the flag's forms and stores the canonical key.
        assert_eq!(question().accept("^3.12").unwrap(), "3.12");
        assert!(question().accept("2.7").is_err());
    }
}
