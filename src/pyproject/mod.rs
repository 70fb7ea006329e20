//! Reads, checks, writes and repairs pyproject.toml with toml_edit, keeping comments
//! and formatting, in both the legacy `[tool.poetry]` form (the only one the official
//! build image's Poetry 1.8.3 reads) and the PEP 621 `[project]` form (what Poetry 2
//! `poetry new` writes).
//!
//! - [`parse`]: text to a document, or an error with a 1-based line and column.
//! - [`inspect`]: what the doctor and the steps need to know about a document
//!   ([`ProjectInfo`]): its form, metadata, Python range, the SDK, groups, folders.
//! - [`legacy_pyproject`]: a fresh legacy pyproject for a new plugin.
//! - [`edit`]: the repairs (`to_legacy`, `set_python_bound`, `rename_sdk`, ...), each
//!   changing only its own keys.
//! - [`constraint`]: Poetry and PEP 440 version constraints as ranges.

pub mod constraint;
pub mod edit;
pub mod generate;
pub mod groups;
pub mod info;
pub mod legacy;
pub mod lock_hash;
pub mod packages;
pub mod read;

#[cfg(test)]
mod tests_edit;
#[cfg(test)]
mod tests_read;

use std::fmt;

pub use constraint::{normalize_name, parse_requirement, Constraint, Requirement};
pub use edit::{
    ensure_dev_group, pin_sdk, rename_sdk, set_python, set_python_bound, set_version, EditError,
};
pub use generate::{legacy_pyproject, LegacySpec};
pub use groups::move_dependency_groups;
pub use info::{
    DepSource, Dependency, Form, PackageInclude, ProjectInfo, PythonReq, PythonWhere, SdkInfo,
    Source,
};
pub use legacy::{to_legacy, LegacyReport};
pub use packages::{add_package, set_packages};
pub use read::inspect;

pub use crate::official::{
    PYTHON_CONSTRAINT, PYTHON_CONSTRAINT_PEP440, SDK_CONSTRAINT, SDK_LAST_FOR_PY39, SDK_NAME,
    SDK_WRONG_NAME,
};

/// A pyproject.toml that is not valid TOML, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based column (in characters) of the error.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pyproject.toml: line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TomlError {}

impl TomlError {
    /// The offending line of `text` with a caret under the column, for showing under the error.
    pub fn excerpt(&self, text: &str) -> String {
        let line = text.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        let width = self.line.to_string().len();
        let pad: String = line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{:width$} |\n{} | {}\n{:width$} | {}^",
            "", self.line, line, "", pad
        )
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Parse pyproject.toml text, keeping every comment and all formatting for later edits.
pub fn parse(text: &str) -> Result<toml_edit::DocumentMut, TomlError> {
    text.parse::<toml_edit::DocumentMut>().map_err(|e| {
        let span = e.span();
        let (line, column) = span
            .as_ref()
            .map(|s| line_col(text, s.start))
            .unwrap_or((1, 1));
        let mut message = e.message().trim().replace('\n', "; ");
        // toml_edit says "duplicate key" and points at it: name it.
        if let Some(s) = span.filter(|s| s.end > s.start) {
            if message.starts_with("duplicate key") {
                if let Some(key) = text.get(s) {
                    message = format!("{message} `{}`", key.trim());
                }
            }
        }
        TomlError {
            line,
            column,
            message,
        }
    })
}

/// The 1-based line and column where the value at `keys` (a path of keys, e.g.
/// `["tool", "poetry", "version"]`) starts in `text`; None when the text does not
/// parse or has no such key. For messages about a value of the wrong kind.
pub fn position_at(text: &str, keys: &[&str]) -> Option<(usize, usize)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut item = doc.as_item();
    for k in keys {
        item = item.get(k)?;
    }
    item.span().map(|s| line_col(text, s.start))
}

/// The folder Poetry looks for when `packages` is not set: the name, PEP 503 normalised,
/// with `-` turned into `_` (`arcaflow-plugin-example` -> `arcaflow_plugin_example`).
pub fn module_name(dist_name: &str) -> String {
    normalize_name(dist_name).replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_say_where() {
        let text = "[tool.poetry]\nname = \"x\"\nversion = 0.1.0\n";
        let e = parse(text).unwrap_err();
        assert_eq!((e.line, e.column), (3, 14), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("pyproject.toml: line 3, column 14: "),
            "{e}"
        );
        assert!(
            e.excerpt(text).contains("3 | version = 0.1.0"),
            "{}",
            e.excerpt(text)
        );
        assert!(
            e.excerpt(text).ends_with("             ^"),
            "{}",
            e.excerpt(text)
        );

        let e = parse("[tool.poetry]\nname = \"a\"\nname = \"b\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert_eq!(e.message, "duplicate key `name`");

        let e = parse("[tool.poetry\nname = 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 13), "{e}");

        let e = parse("description = \"é\" x\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 19), "columns count characters: {e}");

        let e = parse("deps = [1,\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 11), "{e}");
        assert!(parse("").is_ok());
    }

    #[test]
    fn positions_of_values() {
        let text = "[tool.poetry]\nname = \"x\"\nversion = 1\n[project]\nv = { a = [1] }\n";
        assert_eq!(
            position_at(text, &["tool", "poetry", "version"]),
            Some((3, 11))
        );
        assert_eq!(position_at(text, &["project", "v", "a"]), Some((5, 11)));
        assert_eq!(position_at(text, &["tool", "poetry", "nope"]), None);
        assert_eq!(position_at("x = ", &["x"]), None);
    }

    #[test]
    fn module_names_follow_poetry() {
        assert_eq!(
            module_name("arcaflow-plugin-example"),
            "arcaflow_plugin_example"
        );
        assert_eq!(module_name("Arcaflow.Plugin-Foo"), "arcaflow_plugin_foo");
    }
}
