//! Whole screens at 80x24 on TestBackend, kept as insta snapshots under
//! snapshots/: a change to the layout shows as a diff to review
//! (`cargo insta review`). Paths, clocks and the spinner are filtered: they
//! differ by machine and by moment.

use std::path::PathBuf;
use std::sync::mpsc;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::app::Msg;
use super::menu::Menu;
use super::tests::{failure_app, running, screen, text, NO_COLOR};
use crate::journey::driver::FileChange;
use crate::plan::{Cmd, Plan};

const SIZE: (u16, u16) = (80, 24);

/// Assert a screen against its snapshot, with paths and elapsed times filtered.
macro_rules! assert_screen {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({
            filters => vec![
                (r"/(tmp|home|root|usr|work|var)(/[^\s│]*)?", "[PATH]"),
                (r"\b\d+m\d{2}s\b|\b\d+(\.\d+)?s\b", "[T]"),
                // The spinner's frame follows the clock.
                (r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]", "*"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

#[test]
fn snapshot_menu() {
    let m = Menu::new(NO_COLOR);
    let mut t = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    t.draw(|f| m.draw(f)).unwrap();
    assert_screen!("menu", text(t.backend().buffer()));
}

#[test]
fn snapshot_journey_mid_step() {
    assert_screen!("journey_mid_step", screen(&running(NO_COLOR), SIZE));
}

#[test]
fn snapshot_diff_question() {
    let mut a = running(NO_COLOR);
    let (reply, _rx) = mpsc::channel();
    let path = PathBuf::from("/tmp/p/pyproject.toml");
    a.update(Msg::Confirm {
        change: FileChange {
            diff: crate::journey::diff::unified(
                &path,
                "[tool.poetry]\nname = \"example\"\nversion = \"0.1.0\"\n",
                "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\n",
            ),
            replaces_users_file: true,
            ..FileChange::default()
        },
        path,
        reply,
    });
    assert_screen!("diff_question", screen(&a, SIZE));
}

#[test]
fn snapshot_failure_with_choices() {
    let (a, _rx) = failure_app(NO_COLOR);
    assert_screen!("failure_with_choices", screen(&a, SIZE));
}

#[test]
fn snapshot_doctor_checklist() {
    use crate::journey::doctor::{Finding, Fix, Group};
    let findings = vec![
        Finding::ok(
            Group::Python,
            "python",
            "Python 3.11.9 at /usr/bin/python3.11",
        ),
        Finding::warning(Group::Python, "py-old", "python3 on PATH is 3.8")
            .detail("the official image uses 3.9"),
        Finding {
            fix: Some(Fix::run(
                "poetry lock",
                Plan::new().run(Cmd::new("poetry").arg("lock")),
                true,
            )),
            ..Finding::warning(Group::Lock, "lock-stale", "poetry.lock is out of date")
                .detail("pyproject.toml changed since the lock was made")
        },
    ];
    let list = super::doctor::Checklist::new(findings, NO_COLOR);
    let mut t = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    t.draw(|f| list.draw(f)).unwrap();
    assert_screen!("doctor_checklist", text(t.backend().buffer()));
}
