//! The `--answers FILE` parser on any text: never panics, keeps only known keys,
//! and a TOML syntax error says which line.
#![no_main]

use arcaflow_wizard::commands::answers;
use arcaflow_wizard::pyproject;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // read() takes the file as a String, so only UTF-8 reaches parse().
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match answers::parse(text, answers::NEW_KEYS) {
        Ok(map) => {
            for k in map.keys() {
                assert!(answers::NEW_KEYS.contains(&k.as_str()), "unknown key {k:?} accepted");
            }
        }
        Err(msg) => {
            assert!(!msg.is_empty());
            if pyproject::parse(text).is_err() {
                assert!(msg.contains("line "), "a syntax error names its line: {msg}");
            }
        }
    }
});
