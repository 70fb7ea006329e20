//! The plugin's names, from its short name, as every official plugin spells them.

use std::fmt;

/// All the names of one plugin, derived from the short name (`example`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginNames {
    /// `example` or `my-thing` (hyphens, lower case).
    pub short: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError(pub String);

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NameError {}

impl NameError {
    fn proposes_none(&self) -> bool {
        !self.0.contains("e.g. '")
    }
}

/// A name close to what was typed that [`PluginNames::parse`] accepts, or
/// None when nothing of it is usable: "My Plugin" gives `my-plugin`. An error
/// that proposes a name the same check refuses only sends the user round again.
pub fn suggest(input: &str) -> Option<String> {
    let lower = input.trim().to_ascii_lowercase();
    let raw = PREFIXES
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_lowercase() || (c.is_ascii_digit() && !out.is_empty()) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            // spaces, dots, underscores, other letters: a word break
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    PluginNames::check(&out).ok().map(|n| n.short)
}

const PREFIXES: [&str; 2] = ["arcaflow-plugin-", "arcaflow_plugin_"];

impl PluginNames {
    /// Accepts `example`, `my-thing`, `my_thing` or `arcaflow-plugin-example`.
    /// A refusal that can propose a name ends with `e.g. 'NAME'`, and NAME is
    /// one this function accepts (see [`suggest`]).
    pub fn parse(input: &str) -> Result<Self, NameError> {
        Self::check(input).map_err(|e| match suggest(input) {
            Some(s) if e.proposes_none() => NameError(format!("{}, e.g. '{s}'", e.0)),
            _ => e,
        })
    }

    fn check(input: &str) -> Result<Self, NameError> {
        let raw = input.trim();
        let short = PREFIXES
            .iter()
            .find_map(|p| raw.strip_prefix(p))
            .unwrap_or(raw);
        if short.is_empty() {
            return Err(NameError(format!(
                "the plugin needs a name after 'arcaflow-plugin-' (got '{raw}'), e.g. 'example'"
            )));
        }
        if short.len() > 40 {
            return Err(NameError(format!(
                "'{short}' is too long: use at most 40 characters"
            )));
        }
        if short.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(NameError(format!(
                "'{short}' has capitals: plugin names are lower case"
            )));
        }
        if let Some(bad) = short
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
        {
            return Err(NameError(format!(
                "'{short}' contains '{bad}': use lower-case letters, digits and hyphens only"
            )));
        }
        if !short.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(NameError(format!(
                "'{short}' must start with a letter: it becomes the Python module '{}_plugin'",
                short.replace('-', "_")
            )));
        }
        let short = short.replace('_', "-");
        if short.ends_with('-') || short.contains("--") {
            return Err(NameError(format!(
                "'{short}' has a hyphen at the end or two in a row: use single hyphens between words"
            )));
        }
        Ok(PluginNames { short })
    }

    /// `arcaflow-plugin-example`: repository, image and Poetry name.
    pub fn dist(&self) -> String {
        format!("arcaflow-plugin-{}", self.short)
    }
    /// `arcaflow_plugin_example`: the code folder and the Dockerfile's `ARG package`.
    pub fn package(&self) -> String {
        format!("arcaflow_plugin_{}", self.ident())
    }
    /// `example`, hyphens to underscores: the part the module names below are
    /// built from, not an identifier of its own (it may be a keyword, e.g. `as`,
    /// where `arcaflow_plugin_as` is fine), so templates do not get it.
    pub fn ident(&self) -> String {
        self.short.replace('-', "_")
    }
    /// `example_plugin`: the entry module (without `.py`).
    pub fn entry_module(&self) -> String {
        format!("{}_plugin", self.ident())
    }
    /// `example_schema`: the schema module (without `.py`).
    pub fn schema_module(&self) -> String {
        format!("{}_schema", self.ident())
    }
    /// `tests/test_arcaflow_plugin_example.py`.
    pub fn test_file(&self) -> String {
        format!("tests/test_{}.py", self.package())
    }
    /// `https://github.com/arcalot/arcaflow-plugin-example`.
    pub fn source_url(&self) -> String {
        format!("https://github.com/arcalot/{}", self.dist())
    }
    /// A title for humans: `Example`, `My Thing`.
    pub fn title(&self) -> String {
        self.short
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// A CamelCase stem for Python class names: `Example`, `MyThing`.
    pub fn camel(&self) -> String {
        self.title().replace(' ', "")
    }
}

/// A one-line text field (the description becomes PyPI's summary, which
/// refuses a newline; the author goes into `authors = [...]`): no line breaks or
/// other control characters.
pub fn one_line(field: &str, s: &str) -> Result<String, String> {
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        let what = match c {
            '\n' | '\r' => "a line break".to_string(),
            '\t' => "a tab".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        let why = if field == "description" {
            " (it becomes the package's summary, and PyPI rejects one with a line break)"
        } else {
            ""
        };
        return Err(format!(
            "the {field} holds {what}: it must be one line{why}"
        ));
    }
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("the {field} is needed"));
    }
    Ok(s.to_string())
}

/// The project folder as given: one starting with `-` would reach `poetry new`
/// as an option (`-n` is `--no-interaction`), so it is refused; `./-n` is fine.
pub fn check_dir_arg(d: &str) -> Result<(), String> {
    if d.starts_with('-') {
        return Err(format!(
            "DIR '{d}' starts with '-', which `poetry new` would read as an option: write ./{d} for a folder of that name"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_refuse_line_breaks_and_control_characters() {
        assert_eq!(
            one_line("description", " Says hello ").unwrap(),
            "Says hello"
        );
        let e = one_line("description", "Says\nhello").unwrap_err();
        assert!(e.contains("a line break") && e.contains("PyPI"), "{e}");
        assert!(one_line("author", "A\r\nB")
            .unwrap_err()
            .contains("line break"));
        assert!(one_line("author", "A\u{1b}[31m")
            .unwrap_err()
            .contains("U+001B"));
    }

    #[test]
    fn a_dir_starting_with_a_hyphen_is_refused() {
        assert!(check_dir_arg("-n").unwrap_err().contains("./-n"));
        assert!(check_dir_arg("./-n").is_ok());
        assert!(check_dir_arg("my-plugin").is_ok());
    }

    #[test]
    fn derives_every_name() {
        let n = PluginNames::parse("example").unwrap();
        assert_eq!(n.dist(), "arcaflow-plugin-example");
        assert_eq!(n.package(), "arcaflow_plugin_example");
        assert_eq!(n.entry_module(), "example_plugin");
        assert_eq!(n.schema_module(), "example_schema");
        assert_eq!(n.test_file(), "tests/test_arcaflow_plugin_example.py");
        assert_eq!(
            n.source_url(),
            "https://github.com/arcalot/arcaflow-plugin-example"
        );
        let n = PluginNames::parse("my_thing").unwrap();
        assert_eq!(n.dist(), "arcaflow-plugin-my-thing");
        assert_eq!(n.package(), "arcaflow_plugin_my_thing");
        assert_eq!(n.camel(), "MyThing");
    }

    #[test]
    fn accepts_the_full_name() {
        assert_eq!(
            PluginNames::parse("arcaflow-plugin-fio").unwrap().short,
            "fio"
        );
        assert_eq!(
            PluginNames::parse(" arcaflow_plugin_fio ").unwrap().short,
            "fio"
        );
    }

    #[test]
    fn a_suggestion_passes_the_same_check() {
        for (input, want) in [
            ("My Plugin", Some("my-plugin")),
            ("Example", Some("example")),
            ("my plugin", Some("my-plugin")),
            ("9lives", Some("lives")),
            ("ab-", Some("ab")),
            ("a--b", Some("a-b")),
            ("Arcaflow-Plugin-Fio", Some("fio")),
            ("arcaflow-plugin-My.Thing 2", Some("my-thing-2")),
            ("123", None),
            ("é", None),
        ] {
            assert_eq!(suggest(input).as_deref(), want, "{input:?}");
        }
        let long = format!("{} x", "A".repeat(60));
        let s = suggest(&long).unwrap();
        assert!(PluginNames::parse(&s).is_ok(), "{s}");
        // Every refusal's proposal is itself accepted.
        for input in ["My Plugin", "Hello World!", "9 Lives", "x y z", "A_B c"] {
            let e = PluginNames::parse(input).unwrap_err().0;
            let proposed = e.rsplit("e.g. '").next().unwrap().trim_end_matches('\'');
            assert!(
                PluginNames::parse(proposed).is_ok(),
                "{input:?} proposed {proposed:?}: {e}"
            );
        }
    }

    #[test]
    fn rejects_bad_names_with_a_reason() {
        for (input, says) in [
            ("", "needs a name"),
            ("arcaflow-plugin-", "needs a name"),
            ("Example", "lower case"),
            ("my plugin", "contains ' '"),
            ("9lives", "start with a letter"),
            ("-x", "start with a letter"),
            ("a--b", "two in a row"),
            ("ab-", "at the end"),
            ("é", "contains 'é'"),
            ("My Plugin", "e.g. 'my-plugin'"),
            (&"a".repeat(41), "too long"),
        ] {
            let e = PluginNames::parse(input).unwrap_err();
            assert!(e.0.contains(says), "{input:?}: {e}");
        }
    }
}
