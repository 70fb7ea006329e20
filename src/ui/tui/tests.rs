//! Render tests on ratatui's TestBackend (at 80x24 and 120x40, with and
//! without colour) and the key handling of `App`, without a terminal.

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use ratatui::Terminal;

use super::app::{App, Msg, OUTPUT_CAP};
use super::menu::Menu;
use super::theme::Theme;
use super::view;
use crate::exec::CancelToken;
use crate::journey::driver::{Event, FailureChoice, Outcome, Shown};
use crate::journey::{Answer, Failure, Question, StepState};
use crate::plan::{Cmd, Plan};

pub(super) const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
pub(super) const COLOR: Theme = Theme { color: true };
pub(super) const NO_COLOR: Theme = Theme { color: false };

pub(super) fn steps() -> Vec<(String, String)> {
    [
        ("About your plugin", "Official plugins follow one naming scheme (\"Setting up your project\"): the repository, image and Poetry name are arcaflow-plugin-NAME."),
        ("Python", "The project needs Python 3.9 or newer, as in the official build image."),
        ("Poetry", "Exactly one Poetry should be installed, so every command uses the same one."),
        ("Project", "poetry new makes the project folder."),
        ("Dependencies", "The SDK and the dev tools."),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

pub(super) fn app(theme: Theme) -> App {
    App::new("new plugin", steps(), CancelToken::new(), theme)
}

pub(super) fn state(app: &mut App, index: usize, state: StepState, detail: &str) {
    app.update(Msg::Event(Event::StepState {
        index,
        state,
        detail: detail.into(),
    }));
}

/// An app in the middle of the journey: two steps behind, one running a command.
pub(super) fn running(theme: Theme) -> App {
    let mut a = app(theme);
    state(&mut a, 0, StepState::Running, "");
    state(&mut a, 0, StepState::Done, "");
    state(&mut a, 1, StepState::Running, "");
    state(
        &mut a,
        1,
        StepState::Skipped,
        "Python 3.11.9 at /usr/bin/python3.11",
    );
    state(&mut a, 2, StepState::Running, "");
    a.update(Msg::Event(Event::ActionStart("$ poetry install".into())));
    for i in 0..100 {
        a.update(Msg::Event(Event::Output(
            format!("Installing package-{i} (1.0.{i})").into(),
        )));
    }
    a
}

pub(super) fn render(app: &App, (w, h): (u16, u16)) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

pub(super) fn text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

pub(super) fn screen(app: &App, size: (u16, u16)) -> String {
    text(&render(app, size))
}

fn colourless(buf: &Buffer) -> bool {
    buf.content()
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
}

pub(super) fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub(super) fn ctrl_c() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

pub(super) fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(key(KeyCode::Char(c)));
    }
}

pub(super) fn ask(app: &mut App, q: Question, error: Option<&str>) -> Receiver<Answer> {
    let (reply, rx) = mpsc::channel();
    app.update(Msg::Ask {
        q,
        error: error.map(str::to_string),
        reply,
    });
    rx
}

pub(super) fn name_question() -> Question {
    Question::text(
        "name",
        "Plugin name (e.g. example for arcaflow-plugin-example)",
    )
    .flag("--name")
    .validate(|s| {
        crate::names::PluginNames::parse(s)
            .map(|n| n.short)
            .map_err(|e| e.0)
    })
}

#[test]
fn step_list_marks_and_output_follow_the_tail() {
    for size in SIZES {
        let a = running(COLOR);
        let s = screen(&a, size);
        assert!(s.contains("✓ About your plugin"), "{s}");
        assert!(s.contains("↷ Python"), "{s}");
        assert!(s.contains("▶ Poetry"), "{s}");
        assert!(s.contains("· Project"), "{s}");
        assert!(
            s.contains("▶ $ poetry install"),
            "the command is shown: {s}"
        );
        assert!(s.contains("Installing package-99 (1.0.99)"), "tail: {s}");
        assert!(!s.contains("package-0 "), "{s}");
        assert!(s.contains("Exactly one Poetry"), "why-text: {s}");
        assert!(s.contains("Ctrl-C cancel"), "key bar: {s}");
        assert!(s.contains("step 3 of 5"), "{s}");
    }
}

#[test]
fn page_up_scrolls_back_and_end_follows_again() {
    let mut a = running(COLOR);
    a.update(key(KeyCode::PageUp));
    a.update(key(KeyCode::PageUp));
    let s = screen(&a, (80, 24));
    assert!(!s.contains("package-99 "), "{s}");
    assert!(s.contains("package-79 "), "{s}");
    assert!(s.contains("lines back"), "{s}");
    a.update(key(KeyCode::End));
    let s = screen(&a, (80, 24));
    assert!(s.contains("package-99 "), "{s}");
}

#[test]
fn output_is_a_bounded_ring() {
    let mut a = app(COLOR);
    for i in 0..OUTPUT_CAP + 50 {
        a.update(Msg::Event(Event::Output(format!("line {i}").into())));
    }
    assert_eq!(a.output.len(), OUTPUT_CAP);
    assert_eq!(a.output.get(0).unwrap().1, "line 50");
}

#[test]
fn child_escapes_and_carriage_returns_are_cleaned() {
    assert_eq!(super::output::clean("\x1b[32mok\x1b[0m done"), "ok done");
    assert_eq!(super::output::clean("10%\r50%\r100%"), "100%");
}

pub(super) fn failure_app(theme: Theme) -> (App, Receiver<FailureChoice>) {
    let mut a = running(theme);
    a.update(Msg::Event(Event::Output(
        "Because no versions of arcaflow-plugin-sdk match".into(),
    )));
    a.update(Msg::Event(Event::ActionEnd {
        ok: false,
        summary: "exited with code 1".into(),
        elapsed: Duration::from_millis(2300),
    }));
    let (reply, rx) = mpsc::channel();
    a.update(Msg::Failure {
        title: "Poetry".into(),
        failure: Failure::new("Two Poetry installs are on PATH.")
            .hint("Remove the one installed with pip: pip uninstall poetry")
            .fix(Plan::new().run(Cmd::new("pip").arg("uninstall").arg("poetry"))),
        reply,
    });
    (a, rx)
}

#[test]
fn help_overlay_shows_the_why_text() {
    for size in SIZES {
        let mut a = running(COLOR);
        a.update(key(KeyCode::Char('?')));
        let s = screen(&a, size);
        assert!(s.contains("Help: Poetry"), "{s}");
        assert!(s.contains("Exactly one Poetry should be installed"), "{s}");
        assert!(s.contains("Ctrl-C"), "{s}");
        a.update(key(KeyCode::Esc));
        assert!(!a.help);
    }
}

#[test]
fn no_color_draws_no_colour_and_keeps_the_marks() {
    for size in SIZES {
        let a = running(NO_COLOR);
        let buf = render(&a, size);
        assert!(colourless(&buf));
        let s = text(&buf);
        assert!(
            s.contains("✓ About your plugin") && s.contains("▶ Poetry"),
            "{s}"
        );

        let (a, _rx) = failure_app(NO_COLOR);
        let buf = render(&a, size);
        assert!(colourless(&buf));
        assert!(text(&buf).contains("› [f] Run the suggested fix"));

        let mut a = running(NO_COLOR);
        let _rx = ask(&mut a, name_question(), None);
        typed(&mut a, "Bad");
        assert!(colourless(&render(&a, size)));

        let mut m = Menu::new(NO_COLOR);
        m.selected = 1;
        let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|f| m.draw(f)).unwrap();
        assert!(colourless(t.backend().buffer()));
    }
    // And with colour, colour is used.
    assert!(!colourless(&render(&running(COLOR), (80, 24))));
}

#[test]
fn menu_lists_the_journeys_and_who_they_are_for() {
    for size in SIZES {
        let m = Menu::new(COLOR);
        let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|f| m.draw(f)).unwrap();
        let s = text(t.backend().buffer());
        assert!(s.contains("› 1. New plugin"), "{s}");
        assert!(s.contains("2. Release"), "{s}");
        assert!(s.contains("3. Doctor"), "{s}");
        assert!(s.contains("first-time contributor"), "{s}");
        assert!(s.contains("For a maintainer"), "{s}");
        assert!(s.contains("setup is broken"), "{s}");
    }
    let mut m = Menu::new(COLOR);
    m.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    m.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(m.done, Some(Some(super::Choice::Release)));
}

/// A stopped release: the menu says Release resumes it, and `n` starts over.
#[test]
fn the_menu_says_when_release_resumes_and_n_starts_over() {
    for size in SIZES {
        let mut m = Menu::new(COLOR);
        m.release_note = Some("resuming 0.2.1 to testpypi".into());
        let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|f| m.draw(f)).unwrap();
        let s = text(t.backend().buffer());
        assert!(
            s.contains("resuming 0.2.1 to testpypi; n to start over"),
            "{s}"
        );
    }
    let mut m = Menu::new(COLOR);
    m.key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    assert_eq!(m.done, None, "n without a stopped release");
    m.release_note = Some("resuming 0.2.1 to testpypi".into());
    m.key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    m.key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
    assert_eq!(m.done, Some(Some(super::Choice::ReleaseAfresh)));
}

#[test]
fn ctrl_c_cancels_the_command_then_quits() {
    let mut a = running(COLOR);
    a.update(ctrl_c());
    assert!(a.cancel.is_cancelled());
    assert!(!a.quitting);
    assert!(screen(&a, (80, 24)).contains("press Ctrl-C again to quit"));
    a.update(ctrl_c());
    assert!(a.quitting);
    // Everything asked from now on is answered "quit".
    let rx = ask(&mut a, name_question(), None);
    assert_eq!(rx.try_recv().unwrap(), Answer::Quit);
    a.update(Msg::Finished(Outcome::Quit));
    assert!(a.exit);
}

#[test]
fn a_cancelled_command_leads_to_the_failure_choices_with_the_token_reset() {
    let mut a = running(COLOR);
    a.update(ctrl_c());
    a.update(Msg::Event(Event::ActionEnd {
        ok: false,
        summary: "cancelled".into(),
        elapsed: Duration::from_secs(1),
    }));
    assert!(!a.cancel.is_cancelled(), "the next command may run");
    assert!(!a.quitting);
}

#[test]
fn q_asks_before_quitting_and_the_question_gets_quit() {
    let mut a = running(COLOR);
    let rx = ask(&mut a, Question::yes_no("git", "Init?", true), None);
    a.update(key(KeyCode::Char('q')));
    assert!(a.confirm_quit);
    let s = screen(&a, (80, 24));
    assert!(s.contains("Quit now?"), "{s}");
    a.update(key(KeyCode::Char('n')));
    assert!(!a.confirm_quit);
    assert!(rx.try_recv().is_err());
    a.update(key(KeyCode::Esc));
    a.update(key(KeyCode::Char('y')));
    assert_eq!(rx.try_recv().unwrap(), Answer::Quit);
}

#[test]
fn the_end_is_shown_until_enter() {
    for size in SIZES {
        let mut a = running(COLOR);
        a.update(Msg::Finished(Outcome::Failed(Failure::new(
            "flake8 found problems.",
        ))));
        let s = screen(&a, size);
        assert!(s.contains("✗ Stopped: flake8 found problems"), "{s}");
        assert!(!a.exit);
        a.update(key(KeyCode::Enter));
        assert!(a.exit);
    }
}

#[test]
fn up_down_scroll_the_output_by_a_line_where_no_list_uses_them() {
    let mut a = running(COLOR);
    a.update(key(KeyCode::Up));
    a.update(key(KeyCode::Up));
    assert_eq!(a.scroll, 2);
    a.update(key(KeyCode::Down));
    assert_eq!(a.scroll, 1);
    // A list keeps them for choosing.
    let _rx = ask(
        &mut a,
        Question::choice(
            "python",
            "Which?",
            vec![("a".into(), "A".into()), ("b".into(), "B".into())],
        ),
        None,
    );
    a.update(key(KeyCode::Down));
    assert_eq!(a.scroll, 1);
    let super::app::Modal::Ask(f) = &a.modal else {
        panic!("no form")
    };
    assert_eq!(f.selected, 1);
}

#[test]
fn slash_searches_the_output_n_and_shift_n_move_esc_ends() {
    let mut a = running(NO_COLOR);
    a.update(key(KeyCode::Char('/')));
    typed(&mut a, "package-4");
    let s = screen(&a, (80, 24));
    assert!(s.contains("/package-4"), "{s}");
    a.update(key(KeyCode::Enter));
    // The newest match first: package-49.
    let cur = a.search.as_ref().unwrap().current.unwrap();
    assert_eq!(
        a.output.get(cur).unwrap().1,
        "Installing package-49 (1.0.49)"
    );
    let s = screen(&a, (80, 24));
    assert!(s.contains("» "), "the current match is marked:\n{s}");
    assert!(s.contains("11 lines match"), "{s}");
    a.update(key(KeyCode::Char('n')));
    let cur = a.search.as_ref().unwrap().current.unwrap();
    assert_eq!(
        a.output.get(cur).unwrap().1,
        "Installing package-48 (1.0.48)"
    );
    let s = screen(&a, (80, 24));
    assert!(s.contains("package-48"), "the match is in view:\n{s}");
    a.update(key(KeyCode::Char('N')));
    a.update(key(KeyCode::Char('N')));
    let cur = a.search.as_ref().unwrap().current.unwrap();
    assert_eq!(
        a.output.get(cur).unwrap().1,
        "Installing package-4 (1.0.4)",
        "wraps"
    );
    a.update(key(KeyCode::Esc));
    assert!(a.search.is_none() && !a.confirm_quit);
    // Esc without a search still asks to quit.
    a.update(key(KeyCode::Esc));
    assert!(a.confirm_quit);
}

#[test]
fn e_at_the_end_saves_what_ran_as_a_script_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pkg/mod.py");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "print('hi')\n").unwrap();
    let mut a = app(COLOR);
    state(&mut a, 0, StepState::Running, "");
    let cmd = Cmd::new("poetry")
        .args(["publish", "-r", "test"])
        .cwd(dir.path())
        .secret_env("POETRY_PYPI_TOKEN_TEST", "pypi-SECRET");
    a.update(Msg::Event(Event::ActionStart(Shown::of(&cmd))));
    a.update(Msg::Event(Event::ActionEnd {
        ok: true,
        summary: "exited with code 0".into(),
        elapsed: Duration::from_millis(5),
    }));
    a.update(Msg::Event(Event::File {
        path: file.clone(),
        written: true,
    }));
    a.update(Msg::ProjectDir(dir.path().to_path_buf()));
    let states = tempfile::tempdir().unwrap();
    a.export_dir = states.path().join("sessions");
    a.update(Msg::Finished(Outcome::Done));
    let s = screen(&a, (80, 24));
    assert!(s.contains("e: save what ran"), "{s}");
    a.update(key(KeyCode::Char('e')));
    let s = screen(&a, (80, 24));
    assert!(
        s.contains("Save the session script") && s.contains(".sh"),
        "{s}"
    );
    let out = a.default_export_path();
    assert!(out.starts_with(states.path()), "{}", out.display());
    a.update(key(KeyCode::Enter));
    // Saved under the state folder: nothing new in the project tree.
    let in_tree: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().ends_with(".sh"))
        .collect();
    assert!(in_tree.is_empty(), "{in_tree:?}");
    let out = std::fs::read_dir(states.path().join("sessions"))
        .unwrap()
        .flatten()
        .next()
        .expect("the saved script")
        .path();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("SECRET"), "{text}");
    assert!(text.contains("POETRY_PYPI_TOKEN_TEST"), "{text}");
    let cd = text
        .find(&format!("cd {}\n", dir.path().display()))
        .expect("cd");
    let run = text
        .find("\npoetry publish -r test\n")
        .expect("the command");
    assert!(cd < run, "{text}");
    assert!(text.contains("<<'EOF'\nprint('hi')\nEOF"), "{text}");
    let s = screen(&a, (80, 24));
    assert!(s.contains("✓ Saved what ran"), "{s}");
    // bash reads it.
    let ok = std::process::Command::new("bash")
        .arg("-n")
        .arg(&out)
        .status()
        .unwrap();
    assert!(ok.success());
    // A second export to the same path asks before replacing the file: the
    // first Enter changes nothing, Esc keeps it, a second Enter replaces it.
    std::fs::write(&out, "the user's own\n").unwrap();
    a.update(key(KeyCode::Char('e')));
    a.update(key(KeyCode::Enter));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the user's own\n");
    let s = screen(&a, (120, 40));
    assert!(s.contains("exists. Enter: replace it"), "{s}");
    a.update(key(KeyCode::Esc));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the user's own\n");
    a.update(key(KeyCode::Char('e')));
    a.update(key(KeyCode::Enter));
    a.update(key(KeyCode::Enter));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("poetry publish -r test"));
}

#[test]
fn doctor_checklist_marks_each_finding_and_shows_the_selected_ones_fix() {
    use crate::journey::doctor::{Finding, Fix, Group};
    let findings = vec![
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
    let mut list = super::doctor::Checklist::new(findings, NO_COLOR);
    for size in SIZES {
        let mut t = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        t.draw(|f| list.draw(f)).unwrap();
        let s = text(t.backend().buffer());
        assert!(s.contains("! python3 on PATH is 3.8"), "{s}");
        assert!(s.contains("[Enter: fix]"), "{s}");
        assert!(s.contains("doctor"), "{s}");
    }
    list.selected = list
        .findings
        .iter()
        .position(|f| f.id == "lock-stale")
        .unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| list.draw(f)).unwrap();
    let s = text(t.backend().buffer());
    assert!(s.contains("fix: $ poetry lock"), "{s}");
    assert!(s.contains("pyproject.toml changed since"), "{s}");
}

#[test]
fn a_question_that_opens_during_a_search_gets_the_keys() {
    let mut a = running(NO_COLOR);
    a.update(key(KeyCode::Char('/')));
    typed(&mut a, "pack");
    let rx = ask(&mut a, name_question(), None);
    typed(&mut a, "example");
    a.update(key(KeyCode::Enter));
    assert_eq!(rx.try_recv().unwrap(), Answer::Value("example".into()));
    assert_eq!(
        a.search.as_ref().unwrap().term,
        "pack",
        "the search kept its term"
    );
}

/// The driver runs ahead of the UI thread: a command's output, its end, the
/// next command and its output are all queued before the UI reads anything.
/// The second command's output must not appear under the first.
#[test]
fn output_queued_after_a_message_is_shown_after_it() {
    use super::{Intake, TuiInteract};
    use crate::handoff::Handoff;
    use crate::journey::driver::Interact;
    use std::sync::Arc;

    let (tx, rx) = mpsc::channel();
    let output = Arc::new(Handoff::new(64));
    let mut driver = TuiInteract {
        tx,
        output: output.clone(),
    };
    driver.event(&Event::ActionStart("$ first".into()));
    driver.event(&Event::Output("one".into()));
    driver.event(&Event::ActionEnd {
        ok: true,
        summary: "exited with code 0".into(),
        elapsed: Duration::ZERO,
    });
    driver.event(&Event::ActionStart("$ second".into()));
    driver.event(&Event::Output("two".into()));

    let mut a = app(NO_COLOR);
    let mut intake = Intake::new(&output);
    let mut urgent = false;
    while let Ok(m) = rx.try_recv() {
        intake.message(&mut a, m, &mut urgent);
    }
    let lines = |a: &App| -> Vec<String> { a.output.iter().map(|(_, l)| l.to_string()).collect() };
    let shown = lines(&a);
    let at = |s: &str| shown.iter().position(|l| l.contains(s));
    assert_eq!(
        at("two"),
        None,
        "\"two\" waits for the next frame: {shown:?}"
    );
    let at = |s: &str| at(s).unwrap_or_else(|| panic!("{s:?} not shown: {shown:?}"));
    assert!(
        at("$ first") < at("one") && at("one") < at("✓"),
        "{shown:?}"
    );
    assert!(at("✓") < at("$ second"), "{shown:?}");
    assert!(intake.frame(&mut a));
    let shown = lines(&a);
    let at = |s: &str| shown.iter().position(|l| l.contains(s)).unwrap();
    assert!(at("$ second") < at("two"), "{shown:?}");
}

/// A frame drawn while messages are still on their way (the channel looked
/// empty a moment before) takes output only up to the next fence: what the
/// driver queued after a message never shows before that message.
#[test]
fn a_frame_never_takes_output_past_an_unread_message() {
    use super::{Intake, TuiInteract};
    use crate::handoff::Handoff;
    use crate::journey::driver::Interact;
    use std::sync::Arc;

    let (tx, rx) = mpsc::channel();
    let output = Arc::new(Handoff::new(64));
    let mut driver = TuiInteract {
        tx,
        output: output.clone(),
    };
    driver.event(&Event::ActionStart("$ first".into()));
    let mut a = app(NO_COLOR);
    let mut intake = Intake::new(&output);
    let mut urgent = false;
    while let Ok(m) = rx.try_recv() {
        intake.message(&mut a, m, &mut urgent);
    }
    driver.event(&Event::Output("one".into()));
    // The UI reads "output waits", and the channel is empty...
    intake.message(&mut a, rx.try_recv().unwrap(), &mut urgent);
    assert!(rx.try_recv().is_err());
    // ...then the driver ends the command and queues the next one's output,
    // before the UI draws its frame.
    driver.event(&Event::ActionEnd {
        ok: true,
        summary: "exited with code 0".into(),
        elapsed: Duration::ZERO,
    });
    driver.event(&Event::Output("two".into()));
    assert!(intake.frame(&mut a));
    let lines = |a: &App| -> Vec<String> { a.output.iter().map(|(_, l)| l.to_string()).collect() };
    let shown = lines(&a);
    assert!(shown.iter().any(|l| l == "one"), "{shown:?}");
    assert!(
        !shown.iter().any(|l| l == "two" || l.contains('✓')),
        "{shown:?}"
    );
    while let Ok(m) = rx.try_recv() {
        intake.message(&mut a, m, &mut urgent);
    }
    intake.frame(&mut a);
    let shown = lines(&a);
    let at = |s: &str| shown.iter().position(|l| l.contains(s)).unwrap();
    assert!(at("one") < at("✓") && at("✓") < at("two"), "{shown:?}");
}

#[test]
fn the_finished_screen_shows_the_done_note_only_when_done() {
    let note = crate::templates::workflow::secrets_note();
    let mut a = app(COLOR);
    a.update(Msg::DoneNote(note.clone()));
    a.update(Msg::Finished(Outcome::Done));
    for size in [(80, 24), (120, 40)] {
        let s = screen(&a, size);
        assert!(s.contains("✓ Done"), "{s}");
        let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
        for secret in crate::templates::workflow::SECRETS {
            assert!(flat.contains(secret), "{secret} at {size:?}: {s}");
        }
        assert!(flat.contains("Arcalot chairs"), "{s}");
    }
    let mut failed = app(COLOR);
    failed.update(Msg::DoneNote(note));
    failed.update(Msg::Finished(Outcome::Failed(Failure::new("boom"))));
    let s = screen(&failed, (120, 40));
    assert!(!s.contains("QUAY_USERNAME"), "{s}");
}
