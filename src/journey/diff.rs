//! Unified diffs for the "this file would change" question.

use std::path::Path;

pub(crate) fn unified(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (now)"), &format!("{name} (after)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_changed_lines() {
        let d = super::unified(
            std::path::Path::new("a.toml"),
            "a = 1\nb = 2\n",
            "a = 1\nb = 3\n",
        );
        assert!(d.contains("-b = 2\n+b = 3\n"), "{d}");
        assert!(d.contains("a.toml (now)"));
    }
}
