use super::*;
use crate::journey::context::Options;
use crate::probe::{Facts, ProbeEnv};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A front end that records events and answers from a script.
#[derive(Default)]
struct Script {
    events: Vec<Event>,
    answers: Vec<Answer>,
    confirm: bool,
    asked_diffs: Vec<FileChange>,
    choices: Vec<FailureChoice>,
}

impl Interact for Script {
    fn event(&mut self, ev: &Event) {
        self.events.push(ev.clone());
    }
    fn ask(&mut self, _q: &Question, _error: Option<&str>) -> Answer {
        if self.answers.is_empty() {
            Answer::Unanswerable("no more answers".into())
        } else {
            self.answers.remove(0)
        }
    }
    fn confirm_write(&mut self, _path: &Path, change: &FileChange) -> bool {
        self.asked_diffs.push(change.clone());
        change.new || self.confirm
    }
    fn on_failure(&mut self, _t: &str, _f: &Failure) -> FailureChoice {
        if self.choices.is_empty() {
            FailureChoice::Quit
        } else {
            self.choices.remove(0)
        }
    }
}

struct WriteStep(PathBuf, &'static str);
impl Step for WriteStep {
    fn id(&self) -> &'static str {
        "write"
    }
    fn title(&self) -> &'static str {
        "Write"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        vec![Question::text("name", "Name?").validate(|s| {
            if s.contains(' ') {
                Err("no spaces".into())
            } else {
                Ok(s.to_string())
            }
        })]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new().write(&self.0, self.1))
    }
}

/// Fails the first `n` times its command runs.
struct Flaky(usize, AtomicUsize);
impl Step for Flaky {
    fn id(&self) -> &'static str {
        "flaky"
    }
    fn title(&self) -> &'static str {
        "Flaky"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        let fail = self.1.fetch_add(1, Ordering::SeqCst) < self.0;
        Ok(Plan::new().run(Cmd::new("sh").args([
            "-c",
            if fail {
                "echo boom; exit 4"
            } else {
                "echo fine"
            },
        ])))
    }
}

/// Prints one folded line and writes its whole log to a file.
struct Logging(PathBuf);
impl Step for Logging {
    fn id(&self) -> &'static str {
        "logging"
    }
    fn title(&self) -> &'static str {
        "Logging"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        let script = format!(
            "i=0; while [ $i -lt 3000 ]; do echo \"engine line $i\"; i=$((i+1)); done > '{}'; echo folded",
            self.0.display()
        );
        Ok(Plan::new().run(Cmd::new("sh").args(["-c", &script]).log_file(&self.0)))
    }
}

#[test]
fn a_commands_log_file_reaches_the_session_log_whole_and_not_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("engine.log");
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Logging(file.clone()))];
    let log = SessionLog::create(&dir.path().join("state"), "test").unwrap();
    let mut ui = Script::default();
    assert_eq!(
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
        Outcome::Done
    );
    log.flush();
    let text = std::fs::read_to_string(log.path().unwrap()).unwrap();
    let whole = std::fs::read_to_string(&file).unwrap();
    assert_eq!(whole.lines().count(), 3000);
    assert!(text.contains(whole.trim_end()), "{text}");
    let header = format!(
        "--- {} (3000 lines, in the session log only)",
        file.display()
    );
    let start = text.find(&header).expect("the header");
    let end = text.find("  -> ok").expect("the result");
    assert!(
        text.find("\nfolded\n").unwrap() < start && start < end,
        "{text}"
    );
    let shown: String = ui
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Output(o) => Some(o.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(shown.trim(), "folded");
    assert!(ui.events.iter().any(|e| matches!(e, Event::LogOnly(_))));
}

fn ctx() -> Context {
    Context::new(
        std::env::temp_dir(),
        Options::default(),
        Facts::default(),
        ProbeEnv::from_env(),
    )
}

/// Two writes the user asked for (the version bump's pyproject.toml and
/// Dockerfile): one question showing both diffs; no writes both, yes both.
struct BumpStep(PathBuf, PathBuf);
impl Step for BumpStep {
    fn id(&self) -> &'static str {
        "bump"
    }
    fn title(&self) -> &'static str {
        "Bump"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        let mut p = Plan::new();
        for (path, text) in [(&self.0, "version = 2\n"), (&self.1, "LABEL v=2\n")] {
            p.push(Action::WriteFile {
                path: path.clone(),
                contents: text.into(),
                overwrite: Overwrite::AskedFor,
                executable: false,
            });
        }
        Ok(p)
    }
}

/// An upload that only works with the right token: refused (ask_again),
/// then, after the token is given again, done. The token is no answer.
struct Upload;
impl Step for Upload {
    fn id(&self) -> &'static str {
        "upload"
    }
    fn title(&self) -> &'static str {
        "Upload"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        if ctx.secrets.get("token").map(String::as_str) == Some("right") {
            return Ok(());
        }
        let mut f = Failure::new("403: the token was refused");
        f.ask_again = Some("token");
        Err(f)
    }
    fn ask_again(&self, _ctx: &Context, key: &str) -> Option<Question> {
        (key == "token").then(|| Question::secret("token", "Token"))
    }
}

#[test]
fn a_refused_token_is_asked_again_and_the_step_retried() {
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Upload)];
    let log = SessionLog::disabled();
    let mut ui = Script {
        answers: vec![Answer::Value("right".into())],
        choices: vec![FailureChoice::AskAgain],
        ..Default::default()
    };
    let mut c = ctx();
    c.secrets.insert("token".into(), "wrong".into());
    assert_eq!(
        Driver::new(&steps, &log).run(&mut c, &mut ui),
        Outcome::Done
    );
    assert_eq!(c.secrets.get("token").map(String::as_str), Some("right"));
    assert!(!c.answers.contains_key("token"));
    // Quit at the question: the failure stands.
    let mut ui = Script {
        answers: vec![Answer::Quit],
        choices: vec![FailureChoice::AskAgain],
        ..Default::default()
    };
    let mut c = ctx();
    assert!(matches!(
        Driver::new(&steps, &log).run(&mut c, &mut ui),
        Outcome::Failed(f) if f.message.contains("403")
    ));
}

/// A version step and, two steps later, an upload that finds the version
/// taken: choosing another version goes back to the version step, and every
/// step from there runs again with it.
struct Pick;
impl Step for Pick {
    fn id(&self) -> &'static str {
        "pick"
    }
    fn title(&self) -> &'static str {
        "Pick"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        vec![Question::text("v", "Version")]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let n = ctx.learned.entry("picked".into()).or_default();
        n.push_str(&format!("{};", ctx.answers["v"]));
        Ok(())
    }
    fn ask_again(&self, _ctx: &Context, key: &str) -> Option<Question> {
        (key == "v").then(|| Question::text("v", "Version"))
    }
}
struct Between;
impl Step for Between {
    fn id(&self) -> &'static str {
        "between"
    }
    fn title(&self) -> &'static str {
        "Between"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn questions(&self, _ctx: &Context) -> Vec<Question> {
        vec![Question::text("sure", "Go on with this version?")]
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        let built = format!("built {} ({});", ctx.answers["v"], ctx.answers["sure"]);
        ctx.learned
            .entry("built".into())
            .or_default()
            .push_str(&built);
        Ok(())
    }
}
struct Taken;
impl Step for Taken {
    fn id(&self) -> &'static str {
        "taken"
    }
    fn title(&self) -> &'static str {
        "Upload"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new())
    }
    fn verify(&self, ctx: &mut Context) -> Result<(), Failure> {
        if ctx.answers["v"] == "2" {
            return Ok(());
        }
        let mut f = Failure::new("409: the version is taken");
        f.ask_again = Some("v");
        Err(f)
    }
}

#[test]
fn an_answer_of_an_earlier_step_given_again_runs_from_that_step() {
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Pick), Box::new(Between), Box::new(Taken)];
    let log = SessionLog::disabled();
    let mut ui = Script {
        answers: vec![
            Answer::Value("1".into()),
            Answer::Value("yes for 1".into()),
            Answer::Value("2".into()),
            Answer::Value("yes for 2".into()),
        ],
        choices: vec![FailureChoice::AskAgain],
        ..Default::default()
    };
    let mut c = ctx();
    assert_eq!(
        Driver::new(&steps, &log).run(&mut c, &mut ui),
        Outcome::Done
    );
    assert_eq!(c.learned["picked"], "1;2;");
    // The later step's question was asked again: its yes was for version 1.
    assert_eq!(
        c.learned["built"],
        "built 1 (yes for 1);built 2 (yes for 2);"
    );
    assert!(ui.answers.is_empty(), "answers left: {:?}", ui.answers);
    assert_eq!(c.learned[ASKED_AGAIN], "v");
    // The step list is told: the steps after the version wait again, the
    // version step runs again, and a note says why.
    let states: Vec<(usize, StepState)> = ui
        .events
        .iter()
        .filter_map(|e| match e {
            Event::StepState { index, state, .. } => Some((*index, *state)),
            _ => None,
        })
        .collect();
    let back = states
        .iter()
        .position(|s| *s == (2, StepState::Waiting))
        .expect("the upload step waits again");
    assert_eq!(
        &states[back..back + 3],
        &[
            (2, StepState::Waiting),
            (1, StepState::Waiting),
            (0, StepState::Running)
        ]
    );
    assert_eq!(states.last(), Some(&(2, StepState::Done)));
    assert!(ui
        .events
        .iter()
        .any(|e| matches!(e, Event::Note(n) if n.starts_with("Back to \"Pick\""))));
}

#[test]
fn a_change_asked_for_is_asked_once_and_written_all_or_none() {
    for confirm in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (
            dir.path().join("pyproject.toml"),
            dir.path().join("Dockerfile"),
        );
        std::fs::write(&a, "version = 1\n").unwrap();
        std::fs::write(&b, "LABEL v=1\n").unwrap();
        let steps: Vec<Box<dyn Step>> = vec![Box::new(BumpStep(a.clone(), b.clone()))];
        let log = SessionLog::disabled();
        let mut ui = Script {
            confirm,
            ..Default::default()
        };
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        assert_eq!(ui.asked_diffs.len(), 1, "asked more than once");
        let change = &ui.asked_diffs[0];
        assert!(change.asked_for && !change.replaces_users_file);
        assert_eq!(change.also, vec![b.clone()]);
        assert!(
            change.diff.contains("+version = 2") && change.diff.contains("+LABEL v=2"),
            "{}",
            change.diff
        );
        let want = if confirm {
            ("version = 2\n", "LABEL v=2\n")
        } else {
            ("version = 1\n", "LABEL v=1\n")
        };
        assert_eq!(std::fs::read_to_string(&a).unwrap(), want.0);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), want.1);
    }
}

#[test]
fn a_users_file_is_kept_when_they_say_no_and_replaced_when_yes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.txt");
    std::fs::write(&f, "my words\n").unwrap();
    let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(f.clone(), "wizard words\n"))];
    let log = SessionLog::disabled();
    let mut ui = Script {
        answers: vec![Answer::Value("x".into())],
        ..Default::default()
    };
    assert_eq!(
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
        Outcome::Done
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "my words\n");
    let change = &ui.asked_diffs[0];
    assert!(change.replaces_users_file && !change.new);
    assert!(
        change.diff.contains("-my words") && change.diff.contains("+wizard words"),
        "{}",
        change.diff
    );
    assert!(ui.events.contains(&Event::File {
        path: f.clone(),
        written: false
    }));

    let mut ui = Script {
        answers: vec![Answer::Value("x".into())],
        confirm: true,
        ..Default::default()
    };
    Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "wizard words\n");
}

/// A symlinked pyproject.toml (a monorepo's shared one): the diff names the
/// link and its target, the target gets the content, the link stays.
#[test]
fn a_symlinked_file_is_written_at_its_target_and_the_diff_names_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    let real = dir.path().join("shared/pyproject.toml");
    std::fs::write(&real, "version = 1\n").unwrap();
    let link = dir.path().join("pyproject.toml");
    std::os::unix::fs::symlink("shared/pyproject.toml", &link).unwrap();
    let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(link.clone(), "version = 2\n"))];
    let log = SessionLog::disabled();
    let mut ui = Script {
        answers: vec![Answer::Value("x".into())],
        confirm: true,
        ..Default::default()
    };
    assert_eq!(
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
        Outcome::Done
    );
    let diff = &ui.asked_diffs[0].diff;
    assert!(
        diff.contains(&format!("{} -> {}", link.display(), real.display())),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "version = 2\n");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn an_invalid_answer_is_asked_again_and_unanswerable_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let steps: Vec<Box<dyn Step>> = vec![Box::new(WriteStep(dir.path().join("a"), "a"))];
    let log = SessionLog::disabled();
    let mut ui = Script {
        answers: vec![
            Answer::Value("has space".into()),
            Answer::Value("ok".into()),
        ],
        ..Default::default()
    };
    let mut c = ctx();
    assert_eq!(
        Driver::new(&steps, &log).run(&mut c, &mut ui),
        Outcome::Done
    );
    assert_eq!(c.answer("name"), Some("ok"));

    let mut ui = Script::default();
    let out = Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
    assert_eq!(out.exit_code(), 2, "{out:?}");
}

#[test]
fn retry_after_a_failure_runs_the_step_again() {
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Flaky(1, AtomicUsize::new(0)))];
    let log = SessionLog::disabled();
    let mut ui = Script {
        choices: vec![FailureChoice::Retry],
        ..Default::default()
    };
    assert_eq!(
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
        Outcome::Done
    );
    let outputs: Vec<_> = ui
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Output(o) => Some(&**o),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, ["boom", "fine"]);

    let steps: Vec<Box<dyn Step>> = vec![Box::new(Flaky(5, AtomicUsize::new(0)))];
    let mut ui = Script::default();
    let outcome = Driver::new(&steps, &log).run(&mut ctx(), &mut ui);
    match outcome {
        Outcome::Failed(f) => assert!(f.message.contains("exited with code 4"), "{f}"),
        o => panic!("{o:?}"),
    }
}

/// Declines the step (as PyPI is, when not asked for).
struct Declines;
impl Step for Declines {
    fn id(&self) -> &'static str {
        "declines"
    }
    fn title(&self) -> &'static str {
        "Declines"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Declined("not wanted".into()))
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        panic!("a declined step is not planned")
    }
}

#[test]
fn a_declined_step_is_skipped_by_choice_not_already_done() {
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Declines)];
    let log = SessionLog::disabled();
    let mut ui = Script::default();
    assert_eq!(
        Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
        Outcome::Done
    );
    assert!(ui.events.contains(&Event::StepState {
        index: 0,
        state: StepState::Declined,
        detail: "not wanted".into()
    }));
}

/// The wizard's own file (`Overwrite::Own`) in its state folder is written
/// with no question; one outside its folders is asked about like any other.
#[test]
fn the_wizards_own_files_are_written_unasked_only_in_its_own_folders() {
    struct Own(PathBuf);
    impl Step for Own {
        fn id(&self) -> &'static str {
            "own"
        }
        fn title(&self) -> &'static str {
            "Own"
        }
        fn why(&self) -> &'static str {
            "because"
        }
        fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
            Ok(Check::Todo)
        }
        fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
            Ok(Plan::new().own(&self.0, "new text\n"))
        }
    }
    // A name of this run's own, in the state folder made as the wizard makes it (0700).
    let checks = crate::session::private_dir(&crate::session::state_dir(), "checks").unwrap();
    let mine = checks.join(format!("driver-own-test-{}.txt", std::process::id()));
    std::fs::write(&mine, "old text\n").unwrap();
    // A link in the wizard's folder that leads into a project is the project's.
    let project = tempfile::tempdir().unwrap();
    let linked_to = project.path().join("linked.txt");
    std::fs::write(&linked_to, "the user's too\n").unwrap();
    let link = checks.join(format!("driver-own-link-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&linked_to, &link).unwrap();
    let theirs = project.path().join("notes.txt");
    std::fs::write(&theirs, "the user's\n").unwrap();
    let log = SessionLog::disabled();
    for (path, asked, text) in [
        (&mine, 0, "new text\n"),
        (&theirs, 1, "the user's\n"),
        (&link, 1, "the user's too\n"),
    ] {
        let steps: Vec<Box<dyn Step>> = vec![Box::new(Own(path.clone()))];
        let mut ui = Script::default();
        assert_eq!(
            Driver::new(&steps, &log).run(&mut ctx(), &mut ui),
            Outcome::Done
        );
        assert_eq!(ui.asked_diffs.len(), asked, "{}", path.display());
        // Asked as the user's file: the default is no, in every front end.
        assert!(ui.asked_diffs.iter().all(|c| c.replaces_users_file));
        assert_eq!(std::fs::read_to_string(path).unwrap(), text);
        assert!(ui.events.iter().any(|e| matches!(
            e,
            Event::File { path: p, written } if p == path && *written == (asked == 0)
        )));
    }
    let _ = std::fs::remove_file(&mine);
    let _ = std::fs::remove_file(&link);
}
