//! Property tests, the short run of issue 7's fuzzing in every `cargo test`:
//! the pyproject editor, the answers parser, the name rules and ACT's
//! Dockerfile checks. The same properties are cargo-fuzz targets under `fuzz/`
//! (nightly), for the long, coverage-guided run: `scripts/fuzz 600`.
//!
//! 256 cases a property by default; a longer run here:
//! `PROPTEST_CASES=100000 cargo test --release --test proptests`.

use std::collections::BTreeMap;

use arcaflow_wizard::commands::answers;
use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::preflight::check_dockerfile;
use arcaflow_wizard::pyproject;
use proptest::prelude::*;

mod props;
use props::{check_edit, edits, is_python_identifier, leaves};
use toml_edit::DocumentMut;

// ---------------------------------------------------------------- helpers

// ---------------------------------------------------------------- generators

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,5})?"
}

fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "[0-9]\\.[0-9]",
        "[0-9]\\.[0-9]\\.[0-9](rc[0-9]|\\.dev[0-9]|\\.post[0-9])",
    ]
}

fn python_constraint() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("^3.9".to_string()),
        Just(">=3.9".to_string()),
        Just(">=3.11".to_string()),
        Just(">=3.9,<4.0".to_string()),
        Just("~3.10".to_string()),
        Just("*".to_string()),
        Just("3.9.*".to_string()),
        "[<>=^~]{0,2}3\\.[0-9]{1,2}",
    ]
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "# [a-zA-Z ]{0,20}".prop_map(|c| format!("{c}\n")),
    ]
}

/// A pyproject.toml in the legacy form, the PEP 621 form, or both, with extra
/// tables and keys of the user's that no edit may touch.
fn pyproject_doc() -> impl Strategy<Value = String> {
    (
        (word(), version(), python_constraint(), comment()),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        prop::collection::vec((word(), version()), 0..4),
        prop::collection::vec((word(), "[a-zA-Z0-9 ._-]{0,12}"), 0..4),
        prop_oneof![
            Just("arcaflow-plugin-sdk"),
            Just("arcaflow-plugin-sdk-python"),
            Just("")
        ],
    )
        .prop_map(
            |((name, ver, py, com), (legacy, pep621, dev, groups, build), deps, extra, sdk)| {
                let mut s = String::new();
                s.push_str(&com);
                if legacy || !pep621 {
                    s.push_str(&format!(
                        "[tool.poetry]\nname = \"arcaflow-plugin-{name}\"\nversion = \"{ver}\"\ndescription = \"d\"\nauthors = [\"A <a@example.com>\"]\n{com}\n[tool.poetry.dependencies]\npython = \"{py}\"\n"
                    ));
                    if !sdk.is_empty() {
                        s.push_str(&format!("{sdk} = \"^0.14.3\"\n"));
                    }
                    for (i, (d, v)) in deps.iter().enumerate() {
                        s.push_str(&format!("dep{i}-{d} = \"^{v}\"\n"));
                    }
                    if dev {
                        s.push_str("\n[tool.poetry.group.dev.dependencies]\nflake8 = \"^7.0\"\n");
                    }
                }
                if pep621 {
                    let py440 = if py.starts_with('>') { py.clone() } else { ">=3.9".into() };
                    s.push_str(&format!(
                        "\n[project]\nname = \"arcaflow-plugin-{name}\"\nversion = \"{ver}\"\nrequires-python = \"{py440}\"\ndependencies = [\n"
                    ));
                    if !sdk.is_empty() {
                        s.push_str(&format!("    \"{sdk} (>=0.14.3,<0.15.0)\",\n"));
                    }
                    for (i, (d, v)) in deps.iter().enumerate() {
                        s.push_str(&format!("    \"dep{i}-{d}>={v}\",\n"));
                    }
                    s.push_str("]\n");
                }
                if groups {
                    s.push_str("\n[dependency-groups]\ndev = [\"coverage>=7.0\"]\n");
                }
                for (i, (k, v)) in extra.iter().enumerate() {
                    s.push_str(&format!("\n[tool.other-{i}-{k}]\nkey = \"{v}\"\n"));
                }
                if build {
                    s.push_str("\n[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n");
                }
                s
            },
        )
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256)
    ))]

    /// Every edit keeps the document parseable and changes only its own keys; an
    /// edit that refuses leaves the document exactly as it was.
    #[test]
    fn pyproject_edits_change_only_their_keys(text in pyproject_doc()) {
        let original = pyproject::parse(&text).expect("the generator makes valid TOML");
        for e in edits() {
            check_edit(&original, &text, e).map_err(TestCaseError::fail)?;
        }
    }

    /// `to_legacy` leaves a parseable document without `[project]` and
    /// `[dependency-groups]`, and never touches the user's other tables.
    #[test]
    fn to_legacy_keeps_the_users_other_tables(text in pyproject_doc()) {
        let original = pyproject::parse(&text).unwrap();
        let mut doc = original.clone();
        match pyproject::to_legacy(&mut doc, "arcaflow_plugin_x") {
            Ok(_) => {
                let out = doc.to_string();
                let re = pyproject::parse(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
                prop_assert!(re.get("project").is_none(), "{}", out);
                prop_assert!(re.get("dependency-groups").is_none(), "{}", out);
                let keep = |d: &DocumentMut| -> BTreeMap<String, String> {
                    leaves(d).into_iter().filter(|(k, _)| {
                        k.starts_with("build-system") || k.starts_with("tool.other-")
                    }).collect()
                };
                prop_assert_eq!(keep(&original), keep(&re), "{}", out);
            }
            Err(e) => prop_assert_eq!(doc.to_string(), text.clone(), "refused ({}) but changed", e),
        }
    }

    /// The TOML reader never panics, and a syntax error names a line and column
    /// inside the text.
    #[test]
    fn toml_errors_name_a_line_and_column(text in "\\PC{0,200}") {
        if let Err(e) = pyproject::parse(&text) {
            let lines = text.split('\n').count();
            prop_assert!(e.line >= 1 && e.line <= lines, "line {} of {}: {}", e.line, lines, e);
            prop_assert!(e.column >= 1);
            let _ = e.excerpt(&text);
        }
    }

    /// The answers parser never panics on any text; a TOML syntax error names a line.
    #[test]
    fn answers_parser_never_panics_and_names_the_line(text in prop_oneof![
        "\\PC{0,120}",
        "(name|dir|author|git|index-url|nmae) = (\"[a-z ]{0,8}\"|true|1|\\[x\\]|\"unterminated)\n{0,3}",
    ]) {
        match answers::parse(&text, answers::NEW_KEYS) {
            Ok(map) => {
                for k in map.keys() {
                    prop_assert!(answers::NEW_KEYS.contains(&k.as_str()), "{}", k);
                }
            }
            Err(msg) => {
                prop_assert!(!msg.is_empty());
                if pyproject::parse(&text).is_err() {
                    prop_assert!(msg.contains("line "), "a syntax error names its line: {}", msg);
                }
            }
        }
    }

    /// Accepted names always give valid Python identifiers and PEP 503 names; the
    /// rules never panic on any input.
    #[test]
    fn accepted_names_make_valid_identifiers(input in prop_oneof![
        "\\PC{0,50}",
        "(arcaflow[-_]plugin[-_])?[a-z0-9_-]{0,45}",
    ]) {
        if let Ok(n) = PluginNames::parse(&input) {
            // Not n.ident() or n.camel() alone: fragments, which may be keywords
            // ("as", "None"); the templates use camel as a stem (`{{camel}}Test`).
            let class = format!("{}Test", n.camel());
            for ident in [n.package(), n.entry_module(), n.schema_module(), class] {
                prop_assert!(is_python_identifier(&ident), "{:?} from {:?}", ident, input);
            }
            let dist = n.dist();
            prop_assert_eq!(pyproject::normalize_name(&dist), dist.clone(), "PEP 503 form");
            prop_assert_eq!(pyproject::module_name(&dist), n.package());
            prop_assert!(n.test_file().ends_with(".py"));
            // Parsing is idempotent on every spelling it produces.
            prop_assert_eq!(&PluginNames::parse(&dist).unwrap(), &n);
            prop_assert_eq!(&PluginNames::parse(&n.package()).unwrap(), &n);
        }
    }

    /// A name the check proposes ("e.g. 'x'") passes the same check, and so
    /// does every suggestion: a proposal never sends the user round again.
    #[test]
    fn a_proposed_name_is_accepted(input in prop_oneof![
        "\\PC{0,50}",
        "[A-Za-z0-9 ._-]{0,50}",
    ]) {
        if let Err(e) = PluginNames::parse(&input) {
            if let Some((_, tail)) = e.0.rsplit_once("e.g. '") {
                let proposed = tail.trim_end_matches('\'');
                prop_assert!(PluginNames::parse(proposed).is_ok(), "{:?} proposed {:?}", input, proposed);
            }
        }
        if let Some(s) = arcaflow_wizard::names::suggest(&input) {
            prop_assert_eq!(PluginNames::parse(&s).map(|n| n.short), Ok(s.clone()));
        }
    }

    /// The Dockerfile checks never panic, and always give one result per check.
    #[test]
    fn dockerfile_checks_never_panic(text in "\\PC{0,400}") {
        let results = check_dockerfile(&text);
        prop_assert_eq!(results.len(), 9);
        for r in &results {
            prop_assert!(r.ok || !r.detail.is_empty(), "{:?}", r);
            prop_assert!(r.ok || !r.fix.is_empty(), "{:?}", r);
        }
    }

    /// A multi-key `LABEL a=.. b=..` line passes ACT's check for its first key only:
    /// every later key fails, as ACT's regexes do.
    #[test]
    fn a_multi_key_label_line_fails_the_later_keys(
        order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
        take in 2usize..=6,
        lead in "[ ]{0,2}",
    ) {
        let pairs = [
            ("org.opencontainers.image.source", "https://github.com/arcalot/arcaflow-plugin-x", "act-label-source"),
            ("org.opencontainers.image.licenses", "Apache-2.0", "act-label-licenses"),
            ("org.opencontainers.image.vendor", "Arcalot project", "act-label-vendor"),
            ("org.opencontainers.image.authors", "Arcalot contributors", "act-label-authors"),
            ("org.opencontainers.image.title", "Arcaflow x plugin", "act-label-title"),
            ("io.github.arcalot.arcaflow.plugin.version", "1", "act-label-version"),
        ];
        let chosen: Vec<_> = order.iter().take(take).map(|&i| pairs[i]).collect();
        let line = chosen
            .iter()
            .map(|(k, v, _)| format!("{k}=\"{v}\""))
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!(
            "FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0\nCOPY LICENSE /app/\n{lead}LABEL {line}\nCMD []\n"
        );
        let results = check_dockerfile(&text);
        let ok = |id: &str| results.iter().find(|r| r.id == id).map(|r| r.ok);
        prop_assert_eq!(ok(chosen[0].2), Some(true), "{}", text);
        for (_, _, id) in &chosen[1..] {
            prop_assert_eq!(ok(id), Some(false), "{} should fail in\n{}", id, text);
        }
    }
}
