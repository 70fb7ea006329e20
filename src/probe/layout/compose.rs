//! What docker-compose.yaml says about running the plugin: the files it
//! mounts into the container and the step and input its `command:` names
//! (opensearch's compose runs `-s opensearch -f /inputs/opensearch_example.yaml`
//! with `./inputs` mounted at `/inputs`). A line scan, not a YAML parser: the
//! official files are all in the forms read here.

use super::docker;

/// A bind mount: the project-side path (as written) and where it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    source: String,
    target: String,
}

fn clean(v: &str) -> String {
    v.trim().trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Every bind mount, in the long (`source:`/`target:`) and short
/// (`- ./src:/dst:Z`) forms.
fn mounts(text: &str) -> Vec<Mount> {
    let mut out = Vec::new();
    let mut source: Option<String> = None;
    for line in text.lines() {
        let t = line.trim().trim_start_matches("- ").trim();
        if let Some(v) = t.strip_prefix("source:") {
            source = Some(clean(v));
        } else if let Some(v) = t.strip_prefix("target:") {
            if let Some(source) = source.take() {
                out.push(Mount {
                    source,
                    target: clean(v),
                });
            }
        } else if line.trim_start().starts_with("- ") {
            let item = clean(t);
            let mut parts = item.split(':');
            if let (Some(src), Some(dst)) = (parts.next(), parts.next()) {
                if (src.starts_with('.') || src.starts_with('/')) && dst.starts_with('/') {
                    out.push(Mount {
                        source: src.to_string(),
                        target: dst.to_string(),
                    });
                }
            }
        }
    }
    out
}

/// A mount's source as a path in the project, when it is in the project.
fn in_project(source: &str) -> Option<String> {
    let p = docker::normalize(source);
    (!p.starts_with('/')).then_some(p)
}

/// The files docker-compose.yaml binds at `/config/...` (long and short forms).
pub(crate) fn config_mounts(text: &str) -> Vec<String> {
    mounts(text)
        .into_iter()
        .filter(|m| m.target.starts_with("/config/"))
        .filter_map(|m| in_project(&m.source))
        .collect()
}

/// The words of the first `command:` that gives the plugin arguments
/// (`command: "-s x -f y"`, `command: ["-s", "x"]`, or a block list).
fn command_words(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(v) = line.trim().strip_prefix("command:") else {
            continue;
        };
        let v = v.trim();
        let words: Vec<String> = if let Some(list) = v.strip_prefix('[') {
            list.trim_end_matches(']').split(',').map(clean).collect()
        } else if v.is_empty() {
            let indent = line.len() - line.trim_start().len();
            lines[i + 1..]
                .iter()
                .take_while(|l| {
                    l.trim().starts_with("- ") && l.len() - l.trim_start().len() >= indent
                })
                .map(|l| clean(l.trim().trim_start_matches("- ")))
                .collect()
        } else {
            clean(v).split_whitespace().map(str::to_string).collect()
        };
        // The plugin's command is arguments to its entrypoint, naming its
        // step or its input; a service's own command (`tail -f /dev/null`)
        // or options (`-E discovery.type=...`) do not count.
        let plugin_args = ["-s", "--step", "-f", "--file"];
        let named = words.iter().any(|w| {
            plugin_args.contains(&w.as_str())
                || w.starts_with("--step=")
                || w.starts_with("--file=")
        });
        if named && words.first().is_some_and(|w| w.starts_with('-')) {
            return words;
        }
    }
    Vec::new()
}

/// The value after `-s`/`--step` (or `--step=`) in compose's command.
pub(crate) fn step(text: &str) -> Option<String> {
    option(&command_words(text), &["-s", "--step"])
}

/// The input file compose's command gives with `-f`, as a path in the
/// project (through the mount that puts it in the container).
pub(crate) fn input_file(text: &str) -> Option<String> {
    let file = option(&command_words(text), &["-f", "--file"])?;
    mounts(text).into_iter().find_map(|m| {
        let rest = file.strip_prefix(m.target.trim_end_matches('/'))?;
        let rest = rest.strip_prefix('/').or(rest.is_empty().then_some(""))?;
        let source = in_project(&m.source)?;
        Some(if rest.is_empty() {
            source
        } else if source == "." || source.is_empty() {
            rest.to_string()
        } else {
            format!("{}/{rest}", source.trim_end_matches('/'))
        })
    })
}

fn option(words: &[String], names: &[&str]) -> Option<String> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        if names.contains(&w.as_str()) {
            return it.next().cloned();
        }
        for n in names.iter().filter(|n| n.starts_with("--")) {
            if let Some(v) = w.strip_prefix(&format!("{n}=")) {
                return Some(v.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_in_both_forms() {
        let long = "    volumes:\n      - source: ./inputs/example.yaml\n        target: /config/example.yaml\n        type: bind\n      - source: ./data\n        target: /data\n";
        assert_eq!(config_mounts(long), vec!["inputs/example.yaml"]);
        let short = "    volumes:\n      - ./my-input.yaml:/config/my-input.yaml:Z\n      - ./inputs:/inputs:Z\n      - \"/abs/x.yaml:/config/x.yaml\"\n";
        assert_eq!(config_mounts(short), vec!["my-input.yaml"]);
    }

    /// opensearch's shape: a service beside the plugin, the step and the
    /// input on the command line, the input's folder mounted.
    #[test]
    fn the_commands_step_and_input_through_its_mount() {
        let text = "services:\n  es:\n    image: elasticsearch\n    ports:\n      - 9200:9200\n  backend:\n    build: .\n    command: \"-s opensearch -f /inputs/opensearch_example.yaml\"\n    volumes:\n      - ./inputs:/inputs:Z\n";
        assert_eq!(step(text).as_deref(), Some("opensearch"));
        assert_eq!(
            input_file(text).as_deref(),
            Some("inputs/opensearch_example.yaml")
        );
        let list = "    command: [\"--step=b\", \"--file\", \"/config/x.yaml\"]\n    volumes:\n      - source: ./x.yaml\n        target: /config/x.yaml\n";
        assert_eq!(step(list).as_deref(), Some("b"));
        assert_eq!(input_file(list).as_deref(), Some("x.yaml"));
        let block = "    command:\n      - -s\n      - c\n";
        assert_eq!(step(block).as_deref(), Some("c"));
        // A service's own command (no plugin arguments) is not the plugin's,
        // and one with options of its own is passed over for the plugin's.
        let other = "    command: sleep infinity\n";
        assert_eq!(step(other), None);
        let two =
            "  search:\n    command: -E discovery.type=single-node\n  plugin:\n    command: -s b\n";
        assert_eq!(step(two).as_deref(), Some("b"));
        let sidecar = "  logs:\n    command: tail -f /dev/null\n  plugin:\n    command: [\"-s\", \"c\", \"-f\", \"/config/x.yaml\"]\n";
        assert_eq!(step(sidecar).as_deref(), Some("c"));
        assert_eq!(step("services: {}\n"), None);
    }
}
