//! The plugin-name rules on any text: never panic; every accepted name gives valid
//! Python identifiers and a PEP 503 normalised distribution name, and parsing the
//! names it produces gives the same plugin back.
#![no_main]

use arcaflow_wizard::names::PluginNames;
use arcaflow_wizard::pyproject;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/props/mod.rs"]
mod props;
use props::is_python_identifier;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(n) = PluginNames::parse(input) else {
        return;
    };
    // Not n.ident() or n.camel() alone: fragments, which may be keywords
    // ("as", "None"); the templates use camel as a stem (`{{camel}}Test`).
    let class = format!("{}Test", n.camel());
    for ident in [n.package(), n.entry_module(), n.schema_module(), class] {
        assert!(is_python_identifier(&ident), "{ident:?} from {input:?}");
    }
    let dist = n.dist();
    assert_eq!(pyproject::normalize_name(&dist), dist, "PEP 503 form, from {input:?}");
    assert_eq!(pyproject::module_name(&dist), n.package(), "from {input:?}");
    assert!(n.test_file().ends_with(".py"));
    assert_eq!(PluginNames::parse(&dist).as_ref(), Ok(&n), "dist {dist:?}");
    assert_eq!(PluginNames::parse(&n.package()).as_ref(), Ok(&n), "package of {input:?}");
    // The rest must not panic either.
    let _ = (n.source_url(), n.title(), n.camel());
});
