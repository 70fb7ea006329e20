//! What it means when a stranger's plugin does not succeed on its own
//! example here. ACT never runs the example, and real examples often need
//! what only the plugin's container or compose file gives: opensearch's
//! needs the search service its compose file starts, smallfile's runs
//! `/plugin/smallfile` from its image. So a step that ran and failed, or an
//! example that does not fit its step, is a warning that says which and
//! why; only a plugin that cannot start, or breaks the protocol, fails.

use crate::exec::{Ending, RunResult};
use crate::journey::Failure;

/// The line of `output` that says what went wrong: the SDK's validation
/// message, else the last line that reads as an exception.
pub(super) fn gist(output: &str) -> Option<String> {
    // The ATP error comes as a Python repr: its quotes escaped.
    let output = output.replace("\\'", "'");
    let lines: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(l) = lines.iter().find(|l| l.contains("Validation failed for")) {
        return Some(l[l.find("Validation failed for")?..].to_string());
    }
    if let Some(l) = lines.iter().find_map(|l| l.strip_prefix("STEP FAILED: ")) {
        return Some(l.to_string());
    }
    lines
        .iter()
        .rev()
        .find(|l| {
            let head = l.split(':').next().unwrap_or_default();
            l.contains(':')
                && !l.starts_with("File ")
                && (head.ends_with("Error") || head.ends_with("Exception"))
        })
        .map(|l| (*l).to_string())
}

/// The example input did not fit the step (the SDK's exit 65, or its
/// validation message).
fn does_not_fit(res: &RunResult, output: &str) -> bool {
    matches!(res.ending, Ending::Exited(65))
        || output.contains("Invalid input encountered")
        || output.contains("Validation failed for")
}

/// The step itself ran and raised (the traceback goes through the SDK's
/// step call).
fn step_raised(output: &str) -> bool {
    ["wrapped_handler", "_call_step", "Error while calling step"]
        .iter()
        .any(|m| output.contains(m))
}

/// What the cause most likely is, from the error's words.
fn likely_cause(gist: &str, dir: &str) -> String {
    let container = format!(
        "Run it in its container to see it work: `docker compose up --build` in {dir}, or \
         `arcaflow-wizard try` after building the image."
    );
    let quote = |c: char| c == '\'' || c == '"' || c == '\\';
    if let Some(path) = gist
        .split("No such file or directory: ")
        .nth(1)
        .map(|p| {
            let p = p.trim_start_matches(quote);
            &p[..p
                .find(|c: char| quote(c) || c.is_whitespace())
                .unwrap_or(p.len())]
        })
        .filter(|p| p.starts_with('/'))
    {
        return format!("{path} is not on this machine: the plugin's image provides it (see its Dockerfile). {container}");
    }
    let g = gist.to_ascii_lowercase();
    if [
        "connection refused",
        "max retries exceeded",
        "failed to establish",
        "name or service not known",
        "timed out",
    ]
    .iter()
    .any(|m| g.contains(m))
    {
        return format!(
            "It needs a service that does not answer here (its docker-compose.yaml may start one). {container}"
        );
    }
    format!("It may need a service, a file or a privilege that only its container has. {container}")
}

/// The example run (`python ENTRY -f INPUT [-s STEP]`) failed: a warning
/// when the step ran or the input does not fit, else None (a real failure).
pub(super) fn example_failed(
    res: &RunResult,
    output: &str,
    input: &str,
    step: &str,
    dir: &str,
) -> Option<Failure> {
    let g = gist(output).unwrap_or_else(|| res.describe());
    if does_not_fit(res, output) {
        return Some(not_fitting(input, step, &g));
    }
    step_raised(output).then(|| did_not_succeed(step, &g, dir))
}

/// The example run ended 0 with another output than `success`.
pub(super) fn example_answered(id: &str, output: &str, step: &str, dir: &str) -> Failure {
    Failure::new(format!(
        "The example step `{step}` answered `{id}` here, not `success` (its output is above). \
         ACT does not run the example; the setup is complete."
    ))
    .hint(likely_cause(output, dir))
    .as_warning()
}

/// The ATP check ended 3: the protocol works, the step did not succeed.
pub(super) fn atp_step_failed(res: &RunResult, output: &str, step: &str) -> Option<Failure> {
    if !matches!(res.ending, Ending::Exited(3)) {
        return None;
    }
    let g = shorten(&gist(output).unwrap_or_default(), 160);
    Some(
        Failure::new(format!(
            "The ATP round trip works (the hello, the schema, and step `{step}` answered through the \
             protocol, as in the engine); the step itself did not succeed on the example: {g}"
        ))
        .as_warning(),
    )
}

/// At most `max` characters, cut at a character boundary with an ellipsis
/// (the whole text is in the output above and in the session log).
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn not_fitting(input: &str, step: &str, gist: &str) -> Failure {
    Failure::new(format!(
        "The example input {input} does not fit step `{step}`: {gist}"
    ))
    .hint(
        "ACT does not run the example, so this does not fail the official build; the file is out of date, or made \
         for another step (docker-compose.yaml's `-s ID` names the step the wizard runs). The plugin's \
         repository has to fix it.",
    )
    .as_warning()
}

fn did_not_succeed(step: &str, gist: &str, dir: &str) -> Failure {
    Failure::new(format!(
        "The example step `{step}` ran and did not succeed here: {gist}"
    ))
    .hint(format!(
        "ACT does not run the example; the setup is complete. {}",
        likely_cause(gist, dir)
    ))
    .as_warning()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ended(code: i32) -> RunResult {
        RunResult {
            ending: Ending::Exited(code),
            tail: Default::default(),
            elapsed: Duration::ZERO,
        }
    }

    /// The outputs are those the real plugins gave (smallfile, horreum-client).
    #[test]
    fn a_binary_only_the_image_has_is_named() {
        let out = "Traceback (most recent call last):\n  File \"/x/arcaflow_plugin_sdk/plugin.py\", line 214, in wrapped_handler\n    return func(input)\n  File \"/x/subprocess.py\", line 1837, in _execute_child\n    raise child_exception_type(errno_num, err_msg, err_filename)\nFileNotFoundError: [Errno 2] No such file or directory: '/plugin/smallfile'\n";
        let f = example_failed(&ended(1), out, "smallfile-example.yaml", "workload", "/p").unwrap();
        assert!(f.warning);
        assert!(
            f.message
                .contains("`workload` ran and did not succeed here: FileNotFoundError"),
            "{f}"
        );
        assert!(
            f.to_string()
                .contains("/plugin/smallfile is not on this machine"),
            "{f}"
        );
    }

    #[test]
    fn an_example_that_does_not_fit_its_step_says_so() {
        let out = "Invalid input encountered while executing step 'horreum-client' from file 'example.yaml':\n  Validation failed for 'InputParams': Invalid parameter 'name', expected one of: horreum_url\n\nSet --debug to print a stack trace.\n";
        let f = example_failed(&ended(65), out, "example.yaml", "horreum-client", "/p").unwrap();
        assert!(f.warning);
        assert!(
            f.message.ends_with("does not fit step `horreum-client`: Validation failed for 'InputParams': Invalid parameter 'name', expected one of: horreum_url"),
            "{f}"
        );
    }

    #[test]
    fn a_plugin_that_cannot_start_is_no_warning() {
        let out = "Traceback (most recent call last):\n  File \"x_plugin.py\", line 3, in <module>\n    import nothere\nModuleNotFoundError: No module named 'nothere'\n";
        assert!(example_failed(&ended(1), out, "e.yaml", "s", "/p").is_none());
        assert!(atp_step_failed(
            &ended(1),
            "FAILED: the plugin exited 1 before its ATP hello",
            "s"
        )
        .is_none());
    }

    #[test]
    fn a_refused_connection_points_at_the_service() {
        let out = "  File \"/x/arcaflow_plugin_sdk/schema.py\", line 5835, in _call_step\nurllib3.exceptions.NewConnectionError: <urllib3.connection.HTTPConnection object>: Failed to establish a new connection: [Errno 111] Connection refused\n";
        let f = example_failed(&ended(1), out, "inputs/x.yaml", "opensearch", "/p").unwrap();
        assert!(
            f.to_string()
                .contains("needs a service that does not answer here"),
            "{f}"
        );
        let atp = "ok: the plugin answered through ATP\nSTEP FAILED: step opensearch did not succeed: ConnectionError: refused\n";
        let f = atp_step_failed(&ended(3), atp, "opensearch").unwrap();
        assert!(
            f.warning && f.message.contains("ATP round trip works"),
            "{f}"
        );
        assert!(
            f.message
                .ends_with("step opensearch did not succeed: ConnectionError: refused"),
            "{f}"
        );
    }
}
