//! Render tests for screens that must say what is true: a failed step's
//! mark, a declined or handed-over step, the text kept past the end.

use ratatui::crossterm::event::KeyCode;

use super::tests::{failure_app, key, running, screen, state, COLOR, SIZES};
use crate::journey::driver::FailureChoice;
use crate::journey::StepState;

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
