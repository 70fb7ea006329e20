//! Render tests for screens that must say what is true: a failed step's
//! mark, a declined or handed-over step, the text kept past the end.

use ratatui::crossterm::event::KeyCode;

use super::app::Msg;
use super::tests::{failure_app, key, running, screen, state, COLOR, SIZES};
use crate::journey::driver::{Event, FailureChoice, Outcome};
use crate::journey::StepState;
use crate::journey::{Answer, Failure};
use crate::plan::{Cmd, Plan};

/// The step list's row for `title`.
fn row<'a>(s: &'a str, title: &str) -> &'a str {
    s.lines()
        .find(|l| l.contains(title) && l.starts_with('│'))
        .unwrap_or_else(|| panic!("no row for {title}:\n{s}"))
}

#[test]
fn a_failed_step_is_marked_failed_while_the_choices_wait() {
    for size in SIZES {
        let (mut a, rx) = failure_app(COLOR);
        let s = screen(&a, size);
        let r = row(&s, "Poetry");
        assert!(r.contains("✗ Poetry"), "{r}\n{s}");
        assert!(!r.contains("▶"), "{r}");
        // Retry: running again.
        a.update(key(KeyCode::Char('r')));
        assert_eq!(rx.try_recv().unwrap(), FailureChoice::Retry);
        let s = screen(&a, size);
        assert!(row(&s, "Poetry").contains("▶ Poetry"), "{s}");
    }
}

#[test]
fn declined_and_left_to_you_have_marks_of_their_own() {
    for size in SIZES {
        let mut a = running(COLOR);
        state(&mut a, 3, StepState::Running, "");
        state(&mut a, 3, StepState::Declined, "not uploaded to PyPI");
        state(&mut a, 4, StepState::Running, "");
        state(
            &mut a,
            4,
            StepState::LeftToYou,
            "Commit the version change and tag it:\n  git tag v0.1.1",
        );
        let s = screen(&a, size);
        assert!(row(&s, "Project").contains("⊘ Project"), "{s}");
        assert!(row(&s, "Dependencies").contains("→ Dependencies"), "{s}");
        assert!(s.contains("⊘ skipped: not uploaded to PyPI"), "{s}");
        assert!(!s.contains("already done: not uploaded"), "{s}");
        assert!(s.contains("git tag v0.1.1"), "{s}");
    }
}

#[test]
fn wrapping_keeps_leading_spaces() {
    use super::view::wrap;
    assert_eq!(wrap("    ^", 20), ["    ^"]);
    assert_eq!(wrap("  a: 1", 20), ["  a: 1"]);
    assert_eq!(wrap("  aaa bbb ccc", 9), ["  aaa bbb", "ccc"]);
    assert_eq!(wrap("  abcdefghij", 6), ["  abcd", "efghij"]);
    assert_eq!(wrap("plain words here", 11), ["plain words", "here"]);
    assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    assert_eq!(wrap("", 5), [""]);
    assert_eq!(wrap("a\n  b", 5), ["a", "  b"]);
}

/// `--schema`'s YAML and flake8's `--show-source` caret: the output pane
/// keeps each line's indentation, so nesting and columns stay.
#[test]
fn the_output_pane_keeps_indentation() {
    for size in SIZES {
        let mut a = running(COLOR);
        a.update(Msg::Event(Event::Output(
            "steps:\n  example:\n    input:\n      id: input\nplugin.py:3:8: E225 missing whitespace around operator\nx = a+b  # here\n     ^"
                .into(),
        )));
        let s = screen(&a, size);
        let col = |needle: &str| {
            s.lines()
                .find_map(|l| l.find(needle).map(|i| l[..i].chars().count()))
                .unwrap_or_else(|| panic!("no {needle:?}:\n{s}"))
        };
        assert_eq!(col("steps:") + 2, col("example:"), "{s}");
        assert_eq!(col("steps:") + 4, col("input:"), "{s}");
        assert_eq!(col("steps:") + 6, col("id: input"), "{s}");
        // The caret sits under the `+` of `a+b`.
        assert_eq!(col("x = a+b") + 5, col("^"), "{s}");
    }
}

/// What the user must do next, and what failed, outlive the full-screen view.
#[test]
fn the_recap_keeps_what_is_left_to_run_and_the_failure_with_its_fix() {
    let mut a = running(COLOR);
    state(&mut a, 2, StepState::Done, "");
    state(&mut a, 3, StepState::Running, "");
    state(
        &mut a,
        3,
        StepState::LeftToYou,
        "Commit the version change and tag it:\n  git commit -am \"Release 0.1.1\" && git tag v0.1.1 && git push origin HEAD v0.1.1",
    );
    a.update(Msg::Finished(Outcome::Done));
    let r = a.recap();
    assert!(
        r.starts_with("→ Project: not done here, left to you to run:\n    Commit"),
        "{r}"
    );
    assert!(
        r.contains("\n      git commit -am \"Release 0.1.1\" && git tag v0.1.1 && git push"),
        "{r}"
    );
    assert!(!r.contains('✗'), "{r}");

    let (mut a, _rx) = failure_app(COLOR);
    a.update(Msg::Finished(Outcome::Failed(
        Failure::new("Two Poetry installs are on PATH.")
            .hint("Remove the one installed with pip.")
            .fix(Plan::new().run(Cmd::new("pip").arg("uninstall").arg("poetry"))),
    )));
    let r = a.recap();
    let out = r
        .find("Because no versions of arcaflow-plugin-sdk")
        .expect(&r);
    let failed = r
        .find("✗ Poetry failed: Two Poetry installs are on PATH.")
        .expect(&r);
    assert!(out < failed, "{r}");
    assert!(r.contains("\n  Remove the one installed with pip."), "{r}");
    assert!(r.contains("\n  fix: $ pip uninstall poetry"), "{r}");

    // Bad usage is the command's to print; a quit at a question leaves nothing.
    let mut a = running(COLOR);
    a.update(Msg::Finished(Outcome::Failed(Failure::usage("bad flag"))));
    assert_eq!(a.recap(), "");
    let mut a = running(COLOR);
    a.update(Msg::Finished(Outcome::Quit));
    assert_eq!(a.recap(), "");
}

fn version_question() -> crate::journey::Question {
    crate::journey::Question::text(
        "version",
        "New version (patch, minor, major, or X.Y.Z); now 0.1.0",
    )
    .default("patch")
    .validate(|s| crate::version::bump("0.1.0", s).map(|_| s.trim().to_string()))
    .shows(|s| crate::version::bump("0.1.0", s))
}

/// The default is selected: typing replaces it (not `patchm`), and what the
/// answer comes to is shown before and while typing.
#[test]
fn a_default_is_replaced_by_typing_and_the_version_it_comes_to_is_shown() {
    use super::tests::{ask, typed};
    for size in SIZES {
        let mut a = running(COLOR);
        let rx = ask(&mut a, version_question(), None);
        let s = screen(&a, size);
        assert!(s.contains("✓ patch -> 0.1.1"), "{s}");
        typed(&mut a, "minor");
        let s = screen(&a, size);
        assert!(s.contains("✓ minor -> 0.2.0"), "{s}");
        assert!(!s.contains("patchminor"), "{s}");
        a.update(key(KeyCode::Enter));
        assert_eq!(rx.try_recv().unwrap(), Answer::Value("minor".into()));

        // End first: the default is kept, to add to.
        let mut a = running(COLOR);
        let rx = ask(
            &mut a,
            crate::journey::Question::text("d", "Description").default("An Arcaflow plugin."),
            None,
        );
        a.update(key(KeyCode::End));
        typed(&mut a, " More.");
        a.update(key(KeyCode::Enter));
        assert_eq!(
            rx.try_recv().unwrap(),
            Answer::Value("An Arcaflow plugin. More.".into())
        );
    }
}

/// `?` types into a text field: the cut why-text points to F1 there.
#[test]
fn the_why_text_points_to_the_help_key_that_works_here() {
    let why = "An index never takes the same version twice, so every release needs a new one. \
               It lives in pyproject.toml and, for the official image, in the Dockerfile's \
               io.github.arcalot.arcaflow.plugin.version label (ACT accepts only digits and dots there).";
    let mut a = super::app::App::new(
        "release",
        vec![("New version".into(), why.into())],
        crate::exec::CancelToken::new(),
        COLOR,
    );
    state(&mut a, 0, StepState::Running, "");
    let s = screen(&a, (80, 24));
    assert!(s.contains("(? for more)"), "{s}");
    let _rx = super::tests::ask(&mut a, version_question(), None);
    let s = screen(&a, (80, 24));
    assert!(s.contains("(F1 for more)"), "{s}");
    assert!(!s.contains("? for more"), "{s}");
}

/// Step names get the width they need, up to a third of the screen.
#[test]
fn step_names_are_not_cut_when_there_is_room() {
    let long = "Install from the test index and run it";
    let mut a = super::app::App::new(
        "release",
        vec![(long.into(), "why".into()), ("Tag".into(), "why".into())],
        crate::exec::CancelToken::new(),
        COLOR,
    );
    state(&mut a, 0, StepState::Running, "");
    for size in [(120, 40), (200, 50)] {
        let s = screen(&a, size);
        assert!(s.contains(&format!("▶ {long}")), "{size:?}:\n{s}");
    }
    // At 80 columns a third is the most: the output keeps the rest.
    let s = screen(&a, (80, 24));
    let r = row(&s, "▶ Install");
    let edge = r.chars().skip(1).position(|c| c == '│').unwrap() + 2;
    assert!(edge <= 80 / 3, "{edge}:\n{s}");
}

/// The last row of the output pane, above its bottom border.
fn last_output_row(s: &str) -> &str {
    let lines: Vec<&str> = s.lines().collect();
    let bottom = lines
        .iter()
        .position(|l| l.contains("lines back"))
        .unwrap_or_else(|| panic!("not scrolled back:\n{s}"));
    lines[bottom - 1]
}

/// Scrolled back in a small window, then the window grows: Home and PgUp
/// show a full page of output, not blanks.
#[test]
fn scrolling_back_after_the_window_grew_shows_no_blanks() {
    let mut a = running(COLOR);
    let _ = screen(&a, (80, 24));
    for _ in 0..8 {
        a.update(key(KeyCode::PageUp));
    }
    let _ = screen(&a, (80, 24));
    for k in [KeyCode::PageUp, KeyCode::Home] {
        a.update(key(k));
        let s = screen(&a, (200, 50));
        let r = last_output_row(&s);
        assert!(r.contains("Installing package-"), "{k:?}: {r:?}\n{s}");
        assert!(s.contains("Installing package-0 "), "{k:?}:\n{s}");
    }
    // One PgDn from the top moves at once: no dead presses for the rows
    // that were never shown.
    a.update(key(KeyCode::PageDown));
    let s = screen(&a, (200, 50));
    assert!(!s.contains("Installing package-0 "), "{s}");
}

/// The 403 advice is read to its end at 80x24, with the choices under it.
#[test]
fn the_whole_403_advice_fits_at_80x24() {
    let text = "Publishing arcaflow-plugin-x (0.1.1) to local\n - Uploading arcaflow_plugin_x-0.1.1-py3-none-any.whl FAILED\n\nHTTP Error 403: Forbidden | b'<html>\\n <head>\\n  <title>403 Forbidden</title>\\n </head>\\n</html>\\n'";
    let failure = crate::journey::explain::upload_failure(text, "local", "POETRY_PYPI_TOKEN_LOCAL")
        .expect("a 403 is explained");
    // With a fix too: one more line of advice, one more choice.
    let with_fix = failure
        .clone()
        .fix(Plan::new().run(Cmd::new("poetry").arg("config").arg("--list")));
    for (size, failure) in SIZES
        .into_iter()
        .flat_map(|s| [(s, failure.clone()), (s, with_fix.clone())])
    {
        let mut a = running(COLOR);
        let (reply, _rx) = std::sync::mpsc::channel();
        a.update(Msg::Failure {
            title: "Upload".into(),
            failure,
            reply,
        });
        let s = screen(&a, size);
        let flat: String = s
            .lines()
            .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
            .collect::<Vec<_>>()
            .join(" ");
        for needle in [
            "scoped to this project once it exists",
            "Nothing was uploaded.",
            "[r] ",
            "[q] ",
        ] {
            assert!(flat.contains(needle), "{needle:?} at {size:?}:\n{s}");
        }
    }
}
