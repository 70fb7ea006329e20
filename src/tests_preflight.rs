//! ACT's requirement checks against projects and Dockerfiles built in temporary folders.

use super::*;

#[test]
fn notes_name_each_failed_check_with_its_fix_then_the_count() {
    let r = |id, ok: bool| CheckResult {
        id,
        title: format!("{id} title"),
        ok,
        detail: if ok {
            String::new()
        } else {
            format!("{id} detail")
        },
        fix: if ok {
            String::new()
        } else {
            format!("{id} fix")
        },
    };
    let (notes, failed) = notes(&[r("act-a", true), r("act-b", false)], "flake8 ran above");
    assert_eq!(
        notes,
        [
            "ACT check FAILED: act-b title\nact-b detail\nfix: act-b fix",
            "ACT's checks, run locally: 2 of 3 passed (flake8 ran above)."
        ]
    );
    assert_eq!(failed, ["act-b title"]);
}
use crate::names::PluginNames;
use crate::templates::{render_all, Vars};

const GOOD: &str = r#"ARG package=arcaflow_plugin_x
FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0 AS build
FROM quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0
COPY LICENSE /app/
ENTRYPOINT ["python", "x_plugin.py"]
CMD []
LABEL org.opencontainers.image.source="https://github.com/arcalot/arcaflow-plugin-x"
LABEL org.opencontainers.image.licenses="Apache-2.0"
LABEL org.opencontainers.image.vendor="Arcalot project"
LABEL org.opencontainers.image.authors="Arcalot contributors"
LABEL org.opencontainers.image.title="Arcaflow X plugin"
LABEL io.github.arcalot.arcaflow.plugin.version="0.1.0"
"#;

fn by_id<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn failing(results: &[CheckResult]) -> Vec<&'static str> {
    results.iter().filter(|r| !r.ok).map(|r| r.id).collect()
}

#[test]
fn ids_are_stable_kebab_case_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let results = check_project(dir.path());
    let ids: Vec<_> = results.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "act-readme",
            "act-dockerfile",
            "act-tests",
            "act-language",
            "act-python-deps",
            "act-dockerfile-from",
            "act-dockerfile-license",
            "act-dockerfile-cmd",
            "act-label-source",
            "act-label-licenses",
            "act-label-vendor",
            "act-label-authors",
            "act-label-title",
            "act-label-version",
        ]
    );
    for r in &results {
        assert!(!r.ok, "{} passes in an empty folder", r.id);
        assert!(!r.detail.is_empty() && !r.fix.is_empty(), "{r:?}");
    }
    assert!(by_id(&results, "act-label-title")
        .detail
        .contains("cannot read"));
}

#[test]
fn a_good_dockerfile_passes_every_check() {
    let results = check_dockerfile(GOOD);
    assert_eq!(failing(&results), Vec::<&str>::new());
    for r in &results {
        assert!(r.detail.is_empty() && r.fix.is_empty(), "{r:?}");
    }
}

#[test]
fn the_rendered_template_passes_every_check() {
    for short in ["example", "my-thing"] {
        let names = PluginNames::parse(short).unwrap();
        let vars = Vars {
            description: "Does things.".into(),
            version: "0.1.0".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        for f in render_all(&names, &vars) {
            let p = dir.path().join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f.contents).unwrap();
        }
        std::fs::write(dir.path().join("pyproject.toml"), "").unwrap();
        let results = check_project(dir.path());
        assert_eq!(failing(&results), Vec::<&str>::new(), "{results:#?}");
        assert_eq!(results.len(), 14);
    }
}

#[test]
fn a_multi_key_label_line_fails_every_key_after_the_first() {
    let text = GOOD
        .replace(
            "LABEL org.opencontainers.image.licenses=\"Apache-2.0\"\n",
            "",
        )
        .replace(
            "LABEL org.opencontainers.image.source=\"https://github.com/arcalot/arcaflow-plugin-x\"",
            "LABEL org.opencontainers.image.source=\"https://github.com/arcalot/arcaflow-plugin-x\" org.opencontainers.image.licenses=\"Apache-2.0\"",
        );
    let results = check_dockerfile(&text);
    assert_eq!(failing(&results), ["act-label-licenses"]);
    let r = by_id(&results, "act-label-licenses");
    assert!(r.detail.starts_with("line 7 sets"), "{}", r.detail);
    assert!(r.detail.contains("image.source="), "{}", r.detail);
    assert!(r.fix.contains("its own line"), "{}", r.fix);
}

#[test]
fn a_continued_label_fails_the_continued_keys() {
    let text = GOOD
        .replace("LABEL org.opencontainers.image.vendor=\"Arcalot project\"\n", "")
        .replace(
            "LABEL org.opencontainers.image.authors=\"Arcalot contributors\"\n",
            "LABEL org.opencontainers.image.authors=\"Arcalot contributors\" \\\n      org.opencontainers.image.vendor=\"Arcalot project\"\n",
        );
    let results = check_dockerfile(&text);
    assert_eq!(failing(&results), ["act-label-vendor"]);
    assert!(by_id(&results, "act-label-vendor")
        .detail
        .starts_with("line 10 sets"));
}

#[test]
fn label_values_are_checked() {
    for (from, to, id, says) in [
        (
            "licenses=\"Apache-2.0\"",
            "licenses=\"MIT\"",
            "act-label-licenses",
            "Apache-2.0",
        ),
        (
            "vendor=\"Arcalot project\"",
            "vendor=\"Arcalot\"",
            "act-label-vendor",
            "Arcalot project",
        ),
        (
            "authors=\"Arcalot contributors\"",
            "authors=\"me\"",
            "act-label-authors",
            "Arcalot contributors",
        ),
        (
            "version=\"0.1.0\"",
            "version=\"v0.1.0\"",
            "act-label-version",
            "digits and dots",
        ),
        (
            "version=\"0.1.0\"",
            "version=\"1.2.3.4\"",
            "act-label-version",
            "digits and dots",
        ),
        (
            "version=\"0.1.0\"",
            "version=0.1.0",
            "act-label-version",
            "digits and dots",
        ),
        (
            "title=\"Arcaflow X plugin\"",
            "title='Arcaflow X plugin'",
            "act-label-title",
            "double quotes",
        ),
        (
            "source=\"https",
            "source= \"https",
            "act-label-source",
            "double quotes",
        ),
    ] {
        let results = check_dockerfile(&GOOD.replace(from, to));
        assert_eq!(failing(&results), [id], "{to}");
        let r = by_id(&results, id);
        assert!(r.detail.starts_with("line "), "{}", r.detail);
        assert!(r.detail.contains(to), "{}", r.detail);
        assert!(r.fix.contains(says), "{}", r.fix);
    }
    // ACT's version pattern: up to three dot-separated numbers.
    for ok in ["1", "1.2", "10.20.30", ""] {
        let text = GOOD.replace("version=\"0.1.0\"", &format!("version=\"{ok}\""));
        assert!(
            by_id(&check_dockerfile(&text), "act-label-version").ok,
            "{ok}"
        );
    }
    let text = GOOD.replace("\"Apache-2.0\"", "\"Apache-2.0 AND MIT\"");
    assert!(by_id(&check_dockerfile(&text), "act-label-licenses").ok);
}

#[test]
fn a_missing_label_says_which_line_to_add() {
    let text = GOOD.replace(
        "LABEL org.opencontainers.image.title=\"Arcaflow X plugin\"\n",
        "",
    );
    let results = check_dockerfile(&text);
    assert_eq!(failing(&results), ["act-label-title"]);
    let r = by_id(&results, "act-label-title");
    assert_eq!(r.detail, "no LABEL org.opencontainers.image.title line");
    assert!(r.fix.contains("LABEL org.opencontainers.image.title=\""));
}

#[test]
fn cmd_must_be_empty() {
    let results = check_dockerfile(&GOOD.replace("CMD []\n", ""));
    assert_eq!(failing(&results), ["act-dockerfile-cmd"]);
    assert_eq!(by_id(&results, "act-dockerfile-cmd").detail, "no CMD line");

    let results = check_dockerfile(&GOOD.replace("CMD []", "CMD [\"--help\"]"));
    assert_eq!(failing(&results), ["act-dockerfile-cmd"]);
    let r = by_id(&results, "act-dockerfile-cmd");
    assert!(
        r.detail.contains("line 6: CMD [\"--help\"]"),
        "{}",
        r.detail
    );
    assert!(r.fix.contains("CMD []"));
}

#[test]
fn from_must_be_an_arcalot_base_image() {
    let text = GOOD
        .replace(
            "quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0",
            "python:3.9",
        )
        .replace(
            "quay.io/arcalot/arcaflow-plugin-baseimage-python-osbase:0.5.0",
            "docker.io/library/python:3.9-slim",
        );
    let results = check_dockerfile(&text);
    assert_eq!(failing(&results), ["act-dockerfile-from"]);
    let r = by_id(&results, "act-dockerfile-from");
    assert!(
        r.detail.contains("line 2: FROM python:3.9 AS build"),
        "{}",
        r.detail
    );
    assert!(r.detail.contains("line 3: FROM docker.io"), "{}", r.detail);
    assert!(r.fix.contains("baseimage-python-buildbase"));

    // One matching FROM is enough for ACT; CentOS Stream 8 is accepted too.
    let text = GOOD.replace(
        "quay.io/arcalot/arcaflow-plugin-baseimage-python-buildbase:0.5.0",
        "python:3.9",
    );
    assert!(by_id(&check_dockerfile(&text), "act-dockerfile-from").ok);
    let stream8 = "FROM quay.io/centos/centos:stream8\nCOPY LICENSE /x\nCMD []\n";
    assert!(by_id(&check_dockerfile(stream8), "act-dockerfile-from").ok);
    // ACT matches case-sensitively, although Docker does not.
    let lower = GOOD.replace("FROM quay.io", "from quay.io");
    assert!(!by_id(&check_dockerfile(&lower), "act-dockerfile-from").ok);
}

#[test]
fn license_must_be_copied_to_an_absolute_path() {
    let results = check_dockerfile(&GOOD.replace("COPY LICENSE /app/\n", ""));
    assert_eq!(failing(&results), ["act-dockerfile-license"]);
    assert_eq!(
        by_id(&results, "act-dockerfile-license").detail,
        "no line copies LICENSE"
    );
    for bad in ["COPY LICENSE ./", "COPY LICENSE README.md /app/"] {
        let results = check_dockerfile(&GOOD.replace("COPY LICENSE /app/", bad));
        assert_eq!(failing(&results), ["act-dockerfile-license"], "{bad}");
        assert!(by_id(&results, "act-dockerfile-license")
            .detail
            .contains(&format!("line 4: {bad}")));
    }
    for good in ["ADD LICENSE /app/", "COPY ./LICENSE /app/LICENSE"] {
        let text = GOOD.replace("COPY LICENSE /app/", good);
        assert!(
            by_id(&check_dockerfile(&text), "act-dockerfile-license").ok,
            "{good}"
        );
    }
}

#[test]
fn crlf_dockerfiles_pass_like_lf_ones() {
    let text = GOOD.replace('\n', "\r\n");
    assert_eq!(failing(&check_dockerfile(&text)), Vec::<&str>::new());
}

fn project(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let p = dir.path().join(f);
        if let Some(folder) = f.strip_suffix('/') {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        } else {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let text = if *f == "Dockerfile" { GOOD } else { "" };
            std::fs::write(p, text).unwrap();
        }
    }
    dir
}

#[test]
fn a_complete_project_passes() {
    let dir = project(&["README.md", "Dockerfile", "tests/", "pyproject.toml"]);
    assert_eq!(failing(&check_project(dir.path())), Vec::<&str>::new());
}

#[test]
fn missing_top_level_files_fail() {
    let dir = project(&["Dockerfile", "pyproject.toml", "src/tests/test_x.py"]);
    let results = check_project(dir.path());
    assert_eq!(failing(&results), ["act-readme", "act-tests"]);
    assert!(by_id(&results, "act-tests").fix.contains("tests/"));
    assert!(by_id(&results, "act-readme")
        .detail
        .contains("no top-level name matches README.md"));

    let dir = project(&["README.md", "tests/", "pyproject.toml"]);
    let results = check_project(dir.path());
    let failed = failing(&results);
    // No Dockerfile: the file check and every Dockerfile check fail.
    assert_eq!(failed[0], "act-dockerfile");
    assert_eq!(failed.len(), 1 + 3 + 6, "{failed:?}");
    assert!(by_id(&results, "act-dockerfile-cmd")
        .detail
        .contains("cannot read"));
}

#[test]
fn the_names_are_unanchored_regexes() {
    // ACT matches `README.md` anywhere in a name, with `.` any character.
    let dir = project(&[
        "README_md.txt",
        "Dockerfile",
        "my_TEST_notes",
        "requirements.txt",
    ]);
    let results = check_project(dir.path());
    assert_eq!(failing(&results), ["act-language"], "{results:#?}");
}

#[test]
fn language_comes_from_pyproject_or_a_plugin_file() {
    let dir = project(&[
        "README.md",
        "Dockerfile",
        "tests/",
        "requirements.txt",
        "example_plugin.py",
    ]);
    assert_eq!(failing(&check_project(dir.path())), Vec::<&str>::new());

    let dir = project(&["README.md", "Dockerfile", "tests/", "setup.py"]);
    let results = check_project(dir.path());
    assert_eq!(failing(&results), ["act-language", "act-python-deps"]);
    assert!(by_id(&results, "act-language")
        .detail
        .contains("cannot tell"));

    let dir = project(&[
        "README.md",
        "Dockerfile",
        "tests/",
        "pyproject.toml",
        "old_plugin.go",
    ]);
    let results = check_project(dir.path());
    assert_eq!(failing(&results), ["act-language"]);
    assert!(by_id(&results, "act-language")
        .detail
        .contains("old_plugin.go"));
}

#[test]
fn flake8_results() {
    assert_eq!(flake8_args(), ["-m", "flake8", "--show-source", "."]);
    assert!(flake8_check(true, "").ok);
    let out = "./x/x_plugin.py:3:89: E501 line too long (90 > 88 characters)\n    foo = 1\n";
    let r = flake8_check(false, out);
    assert!(!r.ok && r.id == "act-flake8");
    assert!(r.detail.contains("E501"));
    assert!(r.fix.contains("1 finding"), "{}", r.fix);
    let r = flake8_check(false, "/usr/bin/python3: No module named flake8\n");
    assert!(r.fix.contains("poetry add --group dev flake8"));
    assert!(!flake8_check(false, "").ok);
}
