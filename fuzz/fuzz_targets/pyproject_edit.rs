//! Any text that parses as TOML, given to every pyproject edit: each edit leaves
//! parseable TOML and changes only the keys it owns, and one that refuses leaves
//! the document exactly as it was. The same properties as
//! tests/proptests.rs, on inputs no generator would write.
#![no_main]

use arcaflow_wizard::pyproject;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;
use props::{edits, non_sdk_deps, others, Edit};

/// `to_legacy` with the paths it may change: it moves all of [project] and
/// [dependency-groups] into [tool.poetry]; every other table stays, and neither
/// of the two is left (checked below).
const TO_LEGACY: (&str, Edit, &[&str]) = (
    "to_legacy",
    |d| pyproject::to_legacy(d, "arcaflow_plugin_x").map(|r| r.changed),
    &["tool.poetry", "project", "dependency-groups"],
);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let original = match pyproject::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            // A syntax error names a line and column inside the text.
            let lines = text.split('\n').count();
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}: {e}", e.line);
            assert!(e.column >= 1, "{e}");
            let _ = e.excerpt(text);
            return;
        }
    };
    let before = original.to_string();
    for (name, edit, touched) in edits().into_iter().chain([TO_LEGACY]) {
        let mut doc = original.clone();
        match edit(&mut doc) {
            Ok(_) => {
                let out = doc.to_string();
                let reparsed = pyproject::parse(&out).unwrap_or_else(|e| {
                    panic!("{name} made invalid TOML: {e}\n--- before\n{text}\n--- after\n{out}")
                });
                assert_eq!(
                    others(&original, touched),
                    others(&reparsed, touched),
                    "{name} changed keys it does not own\n--- before\n{text}\n--- after\n{out}"
                );
                // to_legacy moves [project].dependencies; every other edit keeps them.
                if name != "to_legacy" {
                    assert_eq!(
                        non_sdk_deps(&original),
                        non_sdk_deps(&reparsed),
                        "{name} changed the user's dependencies\n--- before\n{text}\n--- after\n{out}"
                    );
                }
                if name == "to_legacy" {
                    assert!(reparsed.get("project").is_none(), "to_legacy left [project]\n{out}");
                    assert!(
                        reparsed.get("dependency-groups").is_none(),
                        "to_legacy left [dependency-groups]\n{out}"
                    );
                }
            }
            Err(e) => assert_eq!(
                doc.to_string(),
                before,
                "{name} refused ({e}) but changed the document\n--- before\n{text}"
            ),
        }
    }
});
