//! Any text that parses as TOML, given to every pyproject edit: each edit leaves
//! parseable TOML and changes only the keys it owns, and one that refuses leaves
//! the document exactly as it was. The same properties as
//! tests/proptests.rs, on inputs no generator would write.
#![no_main]

use arcaflow_wizard::pyproject;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;
use props::{check_edit, edits, TO_LEGACY};

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
    for e in edits().into_iter().chain([TO_LEGACY]) {
        if let Err(why) = check_edit(&original, text, e) {
            panic!("{why}");
        }
    }
});
