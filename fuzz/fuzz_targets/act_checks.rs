//! ACT's Dockerfile checks on any text: never panic, always one result per check
//! (in the same order), and every failure says why.
#![no_main]

use arcaflow_wizard::preflight::check_dockerfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let results = check_dockerfile(text);
    assert_eq!(results.len(), 9);
    for r in &results {
        assert!(r.ok || !r.detail.is_empty(), "{r:?}");
        assert!(r.ok || !r.fix.is_empty(), "{r:?}");
    }
});
