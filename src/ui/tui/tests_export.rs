//! The exported script from what the driver told the front end, and nothing
//! else: a real journey through the real driver, its events fed to the App.

use std::path::{Path, PathBuf};

use super::app::{App, Msg};
use super::export;
use super::theme::Theme;
use crate::exec::CancelToken;
use crate::journey::context::Options;
use crate::journey::driver::{Driver, Event, FailureChoice, FileChange, Interact, Outcome};
use crate::journey::{Answer, Check, Context, Failure, Question, Step};
use crate::plan::{Action, Cmd, Plan};
use crate::probe::{Facts, ProbeEnv};
use crate::session::SessionLog;

/// Runs in two folders, with a secret, a label, a group and a file.
struct Mixed(PathBuf);
impl Step for Mixed {
    fn id(&self) -> &'static str {
        "mixed"
    }
    fn title(&self) -> &'static str {
        "Mixed"
    }
    fn why(&self) -> &'static str {
        "because"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        let (a, b) = (self.0.join("a"), self.0.join("b"));
        let mut p = Plan::new()
            .run(
                Cmd::new("sh")
                    .args(["-c", "test -n \"$TOKEN\""])
                    .cwd(&a)
                    .secret_env("TOKEN", "s3cr3t-value"),
            )
            .run(Cmd::new("true").cwd(&b).label("a labelled one"))
            .run(Cmd::new("echo").arg("no folder"))
            .write(a.join("f.txt"), "hello\n");
        p.actions.push(Action::Parallel(vec![
            vec![Cmd::new("echo").arg("left").cwd(&a)],
            vec![Cmd::new("sh").args(["-c", "exit 3"]).cwd(&b)],
        ]));
        Ok(p)
    }
}

/// The full-screen front end's App, fed the driver's events as the UI
/// thread would be, with no plan, no step and no global beside them.
struct Feed(App);
impl Interact for Feed {
    fn event(&mut self, ev: &Event) {
        self.0.update(Msg::Event(ev.clone()));
    }
    fn ask(&mut self, _q: &Question, _error: Option<&str>) -> Answer {
        Answer::Unanswerable("no questions here".into())
    }
    fn confirm_write(&mut self, _path: &Path, _change: &FileChange) -> bool {
        true
    }
    fn on_failure(&mut self, _t: &str, _f: &Failure) -> FailureChoice {
        FailureChoice::Skip
    }
}

#[test]
fn the_script_knows_each_commands_folder_and_secret_names_from_events_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for d in ["a", "b"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Mixed(root.clone()))];
    let log = SessionLog::disabled();
    let mut ctx = Context::new(
        root.clone(),
        Options::default(),
        Facts::default(),
        ProbeEnv::from_env(),
    );
    let app = App::new(
        "new",
        vec![("Mixed".into(), "because".into())],
        CancelToken::new(),
        Theme { color: false },
    );
    let mut feed = Feed(app);
    let outcome = Driver::new(&steps, &log).run(&mut ctx, &mut feed);
    assert_eq!(outcome, Outcome::Done, "skipped after the group failed");
    let text = export::script("new", &feed.0.record);
    let text = text.replace(&root.display().to_string(), "ROOT");
    // Before the events carried the folder, a labelled command was matched
    // to no plan and lost its `cd`: here `true` runs in b, and the next
    // command back in a.
    let want = "#!/usr/bin/env bash
# What `arcaflow-wizard` (new) ran in this session, in order, saved by its `e` key.
# Commands run in the folder they ran in; files are written with the content they have now.
# Secrets are not in it: a command that was given one names the variable to set first.
set -euo pipefail

# ── Mixed
cd ROOT/a
# needs TOKEN in the environment (the wizard passed it to this command only)
sh -c 'test -n \"$TOKEN\"'
cd ROOT/b
true  # a labelled one
echo 'no folder'
FILE
cd ROOT/a
echo left
cd ROOT/b
# this command failed in the session
sh -c 'exit 3' || true
";
    let mut file = String::new();
    crate::plan::render_action(
        &mut file,
        &Plan::new().write("ROOT/a/f.txt", "hello\n").actions[0],
    );
    assert_eq!(text, want.replace("FILE\n", &file));
    assert!(!text.contains("s3cr3t"));
}
