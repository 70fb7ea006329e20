//! A container engine that answers (a docker client with no daemon is common).

use super::super::{Finding, Fix, Group, Input};
use crate::probe::engine;

const G: Group = Group::Engine;

pub(crate) fn check(input: &Input) -> Vec<Finding> {
    let engines = engine::find_all(&input.env);
    if engines.is_empty() {
        return vec![Finding::warning(G, "engine-none", "no docker or podman: the image build cannot be tried locally")
            .detail("`arcaflow-wizard new` reproduces the official build without an engine; ACT's own build needs one")
            .fix(Fix::manual("sudo dnf -y install podman   # or: sudo apt-get -y install podman"))];
    }
    if let Some(e) = engines.iter().find(|e| e.usable) {
        return vec![Finding::ok(
            G,
            "engine-no-daemon",
            format!("{} answers ({})", e.name, e.detail),
        )];
    }
    let list = engines
        .iter()
        .map(|e| format!("{} at {}: {}", e.name, e.path.display(), e.detail))
        .collect::<Vec<_>>()
        .join("\n");
    let fix = if engines.iter().any(|e| e.name == "docker") {
        "sudo systemctl start docker   # and: sudo usermod -aG docker $USER, then log in again"
    } else {
        "podman system migrate   # rootless podman: check /etc/subuid and /etc/subgid for your user"
    };
    vec![Finding::warning(
        G,
        "engine-no-daemon",
        "a container client is installed but no engine answers",
    )
    .detail(list)
    .fix(Fix::manual(fix))]
}
