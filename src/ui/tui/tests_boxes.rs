//! The boxes that ask, on TestBackend: questions and their verdicts, file
//! changes with their diffs, a failure and its choices.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver};

use ratatui::crossterm::event::KeyCode;

use super::app::{App, Msg};
use super::tests::*;
use crate::journey::driver::{FailureChoice, FileChange};
use crate::journey::{Answer, Failure, Question};

#[test]
fn text_question_validates_as_you_type() {
    for size in SIZES {
        let mut a = running(COLOR);
        let rx = ask(&mut a, name_question(), None);
        let s = screen(&a, size);
        assert!(s.contains("Plugin name"), "{s}");
        assert!(s.contains("Enter accept"), "{s}");
        typed(&mut a, "Bad Name");
        let s = screen(&a, size);
        assert!(s.contains("✗ 'Bad Name' has capitals"), "{s}");
        // Enter on a refused answer keeps the form and sends nothing.
        a.update(key(KeyCode::Enter));
        assert!(rx.try_recv().is_err());
        for _ in 0.."Bad Name".len() {
            a.update(key(KeyCode::Backspace));
        }
        typed(&mut a, "arcaflow-plugin-example");
        let s = screen(&a, size);
        assert!(s.contains("✓ ok: example"), "{s}");
        a.update(key(KeyCode::Enter));
        assert_eq!(
            rx.try_recv().unwrap(),
            Answer::Value("arcaflow-plugin-example".into())
        );
    }
}

#[test]
fn the_drivers_refusal_is_shown() {
    let mut a = running(COLOR);
    let _rx = ask(
        &mut a,
        name_question(),
        Some("'x y' is not accepted: no spaces"),
    );
    let s = screen(&a, (80, 24));
    assert!(s.contains("✗ 'x y' is not accepted"), "{s}");
}

#[test]
fn defaults_are_filled_in() {
    let mut a = running(COLOR);
    let rx = ask(
        &mut a,
        Question::text("description", "One line on what it does").default("An Arcaflow plugin."),
        None,
    );
    assert!(screen(&a, (80, 24)).contains("An Arcaflow plugin."));
    a.update(key(KeyCode::Enter));
    assert_eq!(
        rx.try_recv().unwrap(),
        Answer::Value("An Arcaflow plugin.".into())
    );
}

#[test]
fn secrets_are_never_drawn() {
    for size in SIZES {
        let mut a = running(COLOR);
        let rx = ask(&mut a, Question::secret("token", "PyPI token"), None);
        typed(&mut a, "pypi-s3cret");
        let s = screen(&a, size);
        assert!(!s.contains("s3cret"), "{s}");
        assert!(s.contains("•••••••••••"), "{s}");
        assert!(s.contains("hidden as you type"), "{s}");
        a.update(key(KeyCode::Enter));
        assert_eq!(rx.try_recv().unwrap(), Answer::Value("pypi-s3cret".into()));
    }
}

#[test]
fn choices_are_a_list() {
    for size in SIZES {
        let mut a = running(COLOR);
        let rx = ask(
            &mut a,
            Question::choice(
                "python",
                "Which Python should the project use?",
                vec![
                    (
                        "/usr/bin/python3.9".into(),
                        "Python 3.9.19 at /usr/bin/python3.9".into(),
                    ),
                    (
                        "/usr/bin/python3.11".into(),
                        "Python 3.11.9 at /usr/bin/python3.11".into(),
                    ),
                ],
            )
            .default("/usr/bin/python3.11"),
            None,
        );
        let s = screen(&a, size);
        assert!(s.contains("  1) Python 3.9.19"), "{s}");
        assert!(
            s.contains("› 2) Python 3.11.9"),
            "the default is highlighted: {s}"
        );
        a.update(key(KeyCode::Up));
        assert!(screen(&a, size).contains("› 1) Python 3.9.19"));
        a.update(key(KeyCode::Enter));
        assert_eq!(
            rx.try_recv().unwrap(),
            Answer::Value("/usr/bin/python3.9".into())
        );
    }
}

#[test]
fn yes_no_takes_y_and_n() {
    let mut a = running(COLOR);
    let rx = ask(
        &mut a,
        Question::yes_no("git", "Make it a git repository?", true),
        None,
    );
    let s = screen(&a, (80, 24));
    assert!(s.contains("› Yes"), "{s}");
    a.update(key(KeyCode::Char('n')));
    a.update(key(KeyCode::Enter));
    assert_eq!(rx.try_recv().unwrap(), Answer::Value("no".into()));
}

fn diff_app(change: FileChange) -> (App, Receiver<bool>) {
    let mut a = running(COLOR);
    let (reply, rx) = mpsc::channel();
    a.update(Msg::Confirm {
        path: PathBuf::from("/tmp/p/pyproject.toml"),
        change,
        reply,
    });
    (a, rx)
}

#[test]
fn a_new_file_shows_its_content_and_asks() {
    let diff = crate::journey::diff::unified(
        std::path::Path::new("/tmp/p/pyproject.toml"),
        "",
        "[tool.poetry]\nname = \"arcaflow-plugin-example\"\n",
    );
    for size in SIZES {
        let (mut a, rx) = diff_app(FileChange {
            new: true,
            diff: diff.clone(),
            replaces_users_file: false,
            ..FileChange::default()
        });
        let s = screen(&a, size);
        assert!(s.contains("New file: /tmp/p/pyproject.toml"), "{s}");
        assert!(s.contains("+name = \"arcaflow-plugin-example\""), "{s}");
        assert!(s.contains("Write it? y yes"), "{s}");
        assert!(s.contains("y write"), "{s}");
        a.update(key(KeyCode::Char('y')));
        assert!(rx.try_recv().unwrap());
    }
}

#[test]
fn replacing_the_users_file_defaults_to_no() {
    let diff = crate::journey::diff::unified(
        std::path::Path::new("/tmp/p/pyproject.toml"),
        "a = 1\nb = 2\n",
        "a = 1\nb = 3\n",
    );
    let (mut a, rx) = diff_app(FileChange {
        new: false,
        diff,
        replaces_users_file: true,
        ..FileChange::default()
    });
    let s = screen(&a, (80, 24));
    assert!(s.contains("Your file would change"), "{s}");
    assert!(s.contains("-b = 2"), "{s}");
    assert!(s.contains("+b = 3"), "{s}");
    assert!(s.contains("n no (default)"), "{s}");
    a.update(key(KeyCode::Enter));
    assert!(!rx.try_recv().unwrap());
}

#[test]
fn yes_to_all_new_files_stops_asking_for_new_ones_only() {
    let (mut a, rx) = diff_app(FileChange {
        new: true,
        diff: "+x\n".into(),
        replaces_users_file: false,
        ..FileChange::default()
    });
    a.update(key(KeyCode::Char('a')));
    assert!(rx.try_recv().unwrap());
    let (reply, rx) = mpsc::channel();
    let redraw = a.update(Msg::Confirm {
        path: "/tmp/p/b".into(),
        change: FileChange {
            new: true,
            diff: "+y\n".into(),
            replaces_users_file: false,
            ..FileChange::default()
        },
        reply,
    });
    assert!(!redraw);
    assert!(rx.try_recv().unwrap());
}

/// The version bump is one change: both files named, both diffs, Enter says
/// yes (the user asked for it), one answer for both.
#[test]
fn a_change_asked_for_names_every_file_and_defaults_to_yes() {
    let diff = crate::journey::diff::unified(
        std::path::Path::new("/tmp/p/pyproject.toml"),
        "version = \"0.1.0\"\n",
        "version = \"0.1.1\"\n",
    ) + &crate::journey::diff::unified(
        std::path::Path::new("/tmp/p/Dockerfile"),
        "LABEL v=\"0.1.0\"\n",
        "LABEL v=\"0.1.1\"\n",
    );
    let (mut a, rx) = diff_app(FileChange {
        diff,
        asked_for: true,
        also: vec!["/tmp/p/Dockerfile".into()],
        ..FileChange::default()
    });
    let s = screen(&a, (80, 24));
    assert!(s.contains("pyproject.toml and Dockerfile"), "{s}");
    assert!(s.contains("+version = \"0.1.1\""), "{s}");
    assert!(s.contains("+LABEL v=\"0.1.1\""), "{s}");
    assert!(s.contains("y yes (default)"), "{s}");
    a.update(key(KeyCode::Enter));
    assert!(rx.try_recv().unwrap());
}

#[test]
fn failure_shows_last_lines_message_hint_and_the_fix_first() {
    for size in SIZES {
        let (mut a, rx) = failure_app(COLOR);
        let s = screen(&a, size);
        assert!(
            s.contains("Because no versions of arcaflow-plugin-sdk"),
            "last lines: {s}"
        );
        assert!(s.contains("✗ Two Poetry installs are on PATH."), "{s}");
        assert!(s.contains("Remove the one installed with pip"), "{s}");
        assert!(s.contains("fix: $ pip uninstall poetry"), "{s}");
        let fix = s.find("[f] Run the suggested fix").expect("fix choice");
        let retry = s.find("[r] Retry").expect("retry");
        assert!(fix < retry, "the fix comes first: {s}");
        assert!(s.contains("[s] Skip"), "{s}");
        assert!(s.contains("[q] Quit"), "{s}");
        assert!(s.contains("✗ $ poetry install"), "{s}");
        a.update(key(KeyCode::Char('r')));
        assert_eq!(rx.try_recv().unwrap(), FailureChoice::Retry);
    }
}

/// A refused token: the first choice types it again (the full-screen side of
/// the masked re-entry; the driver then asks the secret question).
#[test]
fn a_refused_token_offers_to_enter_it_again() {
    for size in SIZES {
        let mut a = running(COLOR);
        let (reply, rx) = mpsc::channel();
        let mut failure =
            Failure::new("The upload failed: local refused the token (403: Forbidden).");
        failure.ask_again = Some("token");
        a.update(Msg::Failure {
            title: "Upload to the test index".into(),
            failure,
            reply,
        });
        let s = screen(&a, size);
        let again = s.find("[t] Enter the token again").expect("t choice");
        let retry = s.find("[r] Retry").expect("retry");
        assert!(again < retry, "{s}");
        a.update(key(KeyCode::Char('t')));
        assert_eq!(rx.try_recv().unwrap(), FailureChoice::AskAgain);
    }
}

/// A version the index already has: `v` chooses another in place (the
/// driver then goes back to the version step); no token choice.
#[test]
fn a_taken_version_offers_to_choose_another() {
    for size in SIZES {
        let mut a = running(COLOR);
        let (reply, rx) = mpsc::channel();
        let mut failure = Failure::new(
            "The upload failed: this version is already on local: an index never takes the same version twice (Conflict).",
        );
        failure.ask_again = Some("version");
        a.update(Msg::Failure {
            title: "Upload to the test index".into(),
            failure,
            reply,
        });
        let s = screen(&a, size);
        assert!(s.contains("[v] Choose another version"), "{s}");
        assert!(!s.contains("token"), "{s}");
        a.update(key(KeyCode::Char('t')));
        assert!(rx.try_recv().is_err(), "t is no choice here");
        a.update(key(KeyCode::Char('v')));
        assert_eq!(rx.try_recv().unwrap(), FailureChoice::AskAgain);
    }
}

#[test]
fn enter_takes_the_highlighted_choice() {
    let (mut a, rx) = failure_app(COLOR);
    a.update(key(KeyCode::Enter));
    assert_eq!(rx.try_recv().unwrap(), FailureChoice::RunFix);
}

/// A CJK author name takes two columns a character: the form wraps the
/// driver's refusal by columns, so its end stays on screen, and the box keeps
/// its right border on every row (issue 16).
#[test]
fn a_cjk_author_name_keeps_the_forms_layout() {
    let author = || {
        Question::text("author", "Author (Name <email>)")
            .validate(|s| crate::names::one_line("author", s))
    };
    let name = "山田太郎山田太郎山田太郎山田太郎山田太郎 <taro@example.com>";
    let mut a = running(COLOR);
    let refusal =
        format!("the author {name} was refused by the index: its name is too long for the wheel");
    let rx = ask(&mut a, author(), Some(&refusal));
    let buf = render(&a, (80, 24));
    let s = text(&buf);
    assert!(
        s.contains("for the wheel"),
        "the refusal's end is wrapped onto the screen:\n{s}"
    );
    assert!(s.contains("Author (Name <email>)"), "{s}");
    typed(&mut a, name);
    let buf = render(&a, (80, 24));
    let s = text(&buf);
    let rows: Vec<u16> = (0..24)
        .filter(|&y| buf[(0, y)].symbol() == "│" && buf[(79, y)].symbol() != "│")
        .collect();
    assert!(rows.is_empty(), "rows {rows:?} lost the right border:\n{s}");
    assert!(s.contains("✓ ok"), "{s}");
    a.update(key(KeyCode::Enter));
    assert_eq!(rx.try_recv().unwrap(), Answer::Value(name.into()));
}
