//! The example step run on the example input, as a user (and the compose file)
//! will run it: a step that loads but answers `error`, or nothing, fails here
//! rather than in CI. The SDK exits 0 whatever the output is, so the check
//! reads the output id it printed.

use crate::journey::Failure;
use crate::templates::EXAMPLE_INPUT;

/// The output the example input must give.
pub(crate) const EXPECTED: &str = "success";

/// The `output_id` the SDK printed (its YAML result's top-level key), if any.
pub(crate) fn output_id(out: &str) -> Option<&str> {
    out.lines()
        .find_map(|l| l.strip_prefix("output_id:"))
        .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\''))
}

/// Judges what the example run printed.
pub(crate) fn judge(out: &str) -> Result<(), Failure> {
    match output_id(out) {
        Some(EXPECTED) => Ok(()),
        Some(other) => Err(Failure::new(format!(
            "the example step answered `{other}` on {EXAMPLE_INPUT}, not `{EXPECTED}`"
        ))
        .hint(format!(
            "Read the output above: the step returned its `{other}` output. Fix the step (or the input) \
             and run the same command again."
        ))),
        None => Err(Failure::new(format!(
            "the plugin printed no `output_id` for {EXAMPLE_INPUT}"
        ))
        .hint("The SDK prints `output_id: ...` when a step ran; read the output above.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_output_id_the_sdk_prints() {
        let ok = "output_id: success\noutput_data:\n  message: Hello, Arca!\ndebug_logs: ''\n";
        assert_eq!(output_id(ok), Some("success"));
        let bad = "output_id: error\noutput_data:\n  error: 'the name is blank'\n";
        assert_eq!(output_id(bad), Some("error"));
        assert_eq!(output_id("output_id: 'success'\n"), Some("success"));
        // A value that merely mentions success is not the id.
        assert_eq!(output_id("output_data:\n  message: success\n"), None);
        assert_eq!(output_id(""), None);
    }
}
