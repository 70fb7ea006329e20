//! Fault tests (issue 7), with real processes and real file systems, no mocks:
//! a child that hangs (timeout and cancel end its whole process group), a child
//! killed by a signal, a tool that disappears between the probe and the step, a
//! read-only project folder, a full disk, and a pyproject.toml the user changes
//! while the wizard waits. Each checks the message the user gets, that the
//! session log records it, and that the project is left as it was.
//!
//! The journeys are run through the library's `Driver` with small steps whose
//! plans hold the faulty action, and a front end that records what it is shown.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arcaflow_wizard::exec::{self, CancelToken};
use arcaflow_wizard::journey::context::Options;
use arcaflow_wizard::journey::driver::{
    Driver, Event, FailureChoice, FileChange, Interact, Outcome,
};
use arcaflow_wizard::journey::{Answer, Check, Context, Failure, Question, Step};
use arcaflow_wizard::plan::{Cmd, Plan};
use arcaflow_wizard::probe::{Facts, ProbeEnv};
use arcaflow_wizard::session::SessionLog;

// ---------------------------------------------------------------- harness

/// A step that runs a fixed plan.
struct PlanStep(Plan);

impl Step for PlanStep {
    fn id(&self) -> &'static str {
        "fault"
    }
    fn title(&self) -> &'static str {
        "Fault"
    }
    fn why(&self) -> &'static str {
        "a step whose plan hits a fault"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(self.0.clone())
    }
}

type OnConfirm = Box<dyn FnMut(&Path, &FileChange) -> bool>;

/// A front end that records events, failures and diffs, and quits on a failure.
#[derive(Default)]
struct Recorder {
    events: Vec<Event>,
    failures: Vec<Failure>,
    diffs: Vec<(PathBuf, FileChange)>,
    on_confirm: Option<OnConfirm>,
}

impl Interact for Recorder {
    fn event(&mut self, ev: &Event) {
        self.events.push(ev.clone());
    }
    fn ask(&mut self, _q: &Question, _error: Option<&str>) -> Answer {
        Answer::Unanswerable("the fault tests ask nothing".into())
    }
    fn confirm_write(&mut self, path: &Path, change: &FileChange) -> bool {
        self.diffs.push((path.to_path_buf(), change.clone()));
        match &mut self.on_confirm {
            Some(f) => f(path, change),
            None => true,
        }
    }
    fn on_failure(&mut self, _title: &str, failure: &Failure) -> FailureChoice {
        self.failures.push(failure.clone());
        FailureChoice::Quit
    }
}

struct Run {
    outcome: Outcome,
    ui: Recorder,
    log: String,
    elapsed: Duration,
}

impl Run {
    fn failure(&self) -> &Failure {
        match &self.outcome {
            Outcome::Failed(f) => f,
            o => panic!(
                "expected a failure, got {o:?}; events: {:?}",
                self.ui.events
            ),
        }
    }
    /// The failure's message contains `needle`, and so does the session log.
    fn says(&self, needle: &str) {
        let f = self.failure();
        assert!(
            f.to_string().contains(needle),
            "the message should say {needle:?}: {f}"
        );
        assert_eq!(self.ui.failures.len(), 1, "the front end was told once");
        assert!(
            self.log.contains(needle),
            "the session log should record {needle:?}:\n{}",
            self.log
        );
    }
}

/// Runs `plan` as a one-step journey in `dir` with a real session log in a
/// temp state folder; `cancel_after` cancels it from another thread.
fn drive(dir: &Path, plan: Plan, mut ui: Recorder, cancel_after: Option<Duration>) -> Run {
    let state = tempfile::tempdir().unwrap();
    let log = SessionLog::create(state.path(), "faults").expect("session log");
    let steps: Vec<Box<dyn Step>> = vec![Box::new(PlanStep(plan))];
    let mut ctx = Context::new(
        dir.to_path_buf(),
        Options::default(),
        Facts::default(),
        ProbeEnv::from_env(),
    );
    let mut driver = Driver::new(&steps, &log);
    let token = driver.cancel.clone();
    let canceller = cancel_after.map(|d| {
        std::thread::spawn(move || {
            std::thread::sleep(d);
            token.cancel();
        })
    });
    let started = Instant::now();
    let outcome = driver.run(&mut ctx, &mut ui);
    let elapsed = started.elapsed();
    if let Some(t) = canceller {
        t.join().unwrap();
    }
    log.flush();
    let path = log.path().expect("a real log").to_path_buf();
    let text = std::fs::read_to_string(path).unwrap();
    Run {
        outcome,
        ui,
        log: text,
        elapsed,
    }
}

/// Every file under `dir` with its contents (None for folders), sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push((p.clone(), None));
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).ok()));
            }
        }
    }
    out.sort();
    out
}

/// The pid's state letter from /proc/PID/stat, or None when it is gone.
fn proc_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ...": comm may hold spaces and parentheses.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

/// Waits up to 3 s for a pid to be gone (a zombie counts as gone: it runs no code).
fn gone(pid: i32) -> bool {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        match proc_state(pid) {
            None | Some('Z' | 'X') => return true,
            Some(_) if Instant::now() > until => return false,
            Some(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// The pid the child printed on a line `grandchild PID`.
fn grandchild_pid(events: &[Event]) -> i32 {
    events
        .iter()
        .find_map(|e| match e {
            Event::Output(o) => o
                .lines()
                .find_map(|l| l.strip_prefix("grandchild ")?.trim().parse().ok()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the child did not print its grandchild's pid: {events:?}"))
}

/// A shell that starts a grandchild which ignores SIGTERM and sleeps, prints its
/// pid, and waits for it: only a group-wide SIGKILL ends both.
fn hanging_family() -> Cmd {
    Cmd::new("sh").args([
        "-c",
        "sh -c 'trap \"\" TERM; sleep 600' & echo grandchild $!; wait",
    ])
}

// ---------------------------------------------------------------- hangs

#[test]
fn a_hanging_child_is_ended_by_its_timeout_with_its_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let cmd = hanging_family().timeout(Duration::from_millis(700));
    let run = drive(dir.path(), Plan::new().run(cmd), Recorder::default(), None);
    run.says("took too long and was stopped");
    let gc = grandchild_pid(&run.ui.events);
    assert!(gone(gc), "grandchild {gc} outlived the timeout");
    // SIGTERM is ignored by the grandchild: SIGKILL follows after the grace period.
    assert!(
        run.elapsed < Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(snapshot(dir.path()), before, "the project changed");
}

#[test]
fn a_hanging_child_is_ended_by_cancel_with_its_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let run = drive(
        dir.path(),
        Plan::new().run(hanging_family()),
        Recorder::default(),
        Some(Duration::from_millis(700)),
    );
    run.says("was cancelled");
    let gc = grandchild_pid(&run.ui.events);
    assert!(gone(gc), "grandchild {gc} outlived the cancel");
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_grandchild_holding_the_output_open_does_not_hang_the_runner_after_a_timeout() {
    // The child exits at once but its grandchild keeps stdout open: the runner
    // reads until the pipe closes, so only the group kill ends the read.
    let cmd = Cmd::new("sh")
        .args(["-c", "sleep 600 & echo grandchild $!; exit 0"])
        .timeout(Duration::from_millis(700));
    let mut lines = Vec::new();
    let started = Instant::now();
    let res = exec::run(&cmd, &[], &CancelToken::new(), &mut |l| {
        lines.push(l.to_string());
    })
    .expect("runs");
    assert!(started.elapsed() < Duration::from_secs(10));
    let gc: i32 = lines[0]
        .strip_prefix("grandchild ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(gone(gc), "grandchild {gc} survived");
    assert_eq!(res.ending, exec::Ending::TimedOut, "{res:?}");
}

// ---------------------------------------------------------------- signals

#[test]
fn a_child_killed_by_a_signal_gives_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Cmd::new("sh").args(["-c", "echo about to crash; kill -SEGV $$"]);
    let run = drive(dir.path(), Plan::new().run(cmd), Recorder::default(), None);
    run.says("was killed by signal 11");
    assert!(
        run.log.contains("about to crash"),
        "the output is in the log:\n{}",
        run.log
    );
    assert!(
        run.ui
            .events
            .iter()
            .any(|e| matches!(e, Event::ActionEnd { ok: false, .. })),
        "the action ended as failed"
    );
}

// ---------------------------------------------------------------- missing tools

#[test]
fn a_tool_missing_at_step_time_says_could_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = Cmd::new("/nonexistent/bin/poetry").arg("--version");
    let run = drive(dir.path(), Plan::new().run(cmd), Recorder::default(), None);
    run.says("could not start /nonexistent/bin/poetry");
    assert!(run
        .failure()
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("doctor"));
}

#[test]
fn a_tool_that_disappears_between_probe_and_step_says_could_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let tool = bin.join("poetry");
    std::fs::write(&tool, "#!/bin/sh\necho 'Poetry (version 2.5.1)'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The probe sees it ...
    let probed = exec::capture(&Cmd::new(&tool).arg("--version"));
    assert_eq!(probed.as_deref(), Some("Poetry (version 2.5.1)"));
    // ... then it is uninstalled before the step runs.
    std::fs::remove_file(&tool).unwrap();
    let run = drive(
        dir.path(),
        Plan::new().run(Cmd::new(&tool).arg("--version")),
        Recorder::default(),
        None,
    );
    run.says(&format!("could not start {}", tool.display()));
}

// ---------------------------------------------------------------- file systems

/// A tmpfs mounted at a new folder (as root), unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Err: why it could not be mounted (the caller skips, or falls back).
    fn mount(options: &str) -> Result<Tmpfs, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Ok(Tmpfs { dir }),
            Ok(o) => Err(format!(
                "cannot mount a tmpfs ({}): {}",
                options,
                String::from_utf8_lossy(&o.stderr).trim()
            )),
            Err(e) => Err(format!("cannot run mount: {e}")),
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn remount(&self, options: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

const OLD_PYPROJECT: &str = "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\n# the user's comment\n";

/// A write plan: a new README and a changed pyproject.toml.
fn write_plan(dir: &Path, big: usize) -> Plan {
    let new_py = format!("{OLD_PYPROJECT}description = \"{}\"\n", "x".repeat(big));
    Plan::new()
        .write(dir.join("README.md"), "# arcaflow-plugin-example\n")
        .replace(dir.join("pyproject.toml"), new_py)
}

#[test]
fn a_read_only_project_folder_gives_a_clear_message_and_writes_nothing() {
    // Root ignores chmod: a read-only mount is the real thing; without mount
    // rights, a folder under a file is the same "cannot write here" for us.
    if let Ok(fs) = Tmpfs::mount("size=1m") {
        let dir = fs.path().join("plugin");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("pyproject.toml"), OLD_PYPROJECT).unwrap();
        assert!(fs.remount("ro"), "remount read-only");
        let before = snapshot(&dir);
        let run = drive(&dir, write_plan(&dir, 10), Recorder::default(), None);
        run.says(&format!(
            "could not write {}",
            dir.join("README.md").display()
        ));
        assert!(
            run.failure().to_string().contains("Read-only file system"),
            "{}",
            run.failure()
        );
        assert_eq!(snapshot(&dir), before, "nothing half-written");
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let dir = file.join("plugin");
    let run = drive(&dir, write_plan(&dir, 10), Recorder::default(), None);
    run.says(&format!(
        "could not write {}",
        dir.join("README.md").display()
    ));
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
}

#[test]
fn a_full_disk_gives_could_not_write_and_keeps_the_old_file() {
    let fs = match Tmpfs::mount("size=64k") {
        Ok(fs) => fs,
        Err(why) => return common::skip(&why),
    };
    let dir = fs.path().join("plugin");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("pyproject.toml"), OLD_PYPROJECT).unwrap();
    // Fill what is left, so the README fits in no block... leave a little, so the
    // small README is written and the big pyproject is the write that fails.
    let filler = dir.join("../filler");
    let chunk = vec![b'.'; 4096];
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        while f.write_all(&chunk).is_ok() {}
    }
    // Give back two blocks: room for the README only.
    let len = std::fs::metadata(&filler).unwrap().len();
    std::fs::File::options()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(len.saturating_sub(8192))
        .unwrap();
    let run = drive(&dir, write_plan(&dir, 200_000), Recorder::default(), None);
    let target = dir.join("pyproject.toml");
    run.says(&format!("could not write {}", target.display()));
    assert!(
        run.failure()
            .to_string()
            .contains("No space left on device"),
        "{}",
        run.failure()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        OLD_PYPROJECT,
        "the old file is intact"
    );
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains(".tmp")),
        "no temporary file left behind: {names:?}"
    );
}

// ---------------------------------------------------------------- the user edits

#[test]
fn a_pyproject_changed_while_the_wizard_waits_is_re_read_and_the_diff_shown() {
    let dir = tempfile::tempdir().unwrap();
    let py = dir.path().join("pyproject.toml");
    std::fs::write(&py, OLD_PYPROJECT).unwrap();
    // The plan is made from the file as it was; the user edits it while the
    // wizard waits on the first write's yes/no.
    let plan = Plan::new()
        .write(dir.path().join("README.md"), "# readme\n")
        .write(
            &py,
            format!("{OLD_PYPROJECT}description = \"from the wizard\"\n"),
        );
    let users = format!("{OLD_PYPROJECT}authors = [\"Me <me@example.com>\"]\n");
    let edit = Arc::new(Mutex::new(Some((py.clone(), users.clone()))));
    let e = edit.clone();
    let ui = Recorder {
        on_confirm: Some(Box::new(move |path, change| {
            if let Some((p, text)) = e.lock().unwrap().take() {
                std::fs::write(p, text).unwrap();
            }
            // Yes to the new README, no to replacing the user's file.
            path.ends_with("README.md") || !change.replaces_users_file
        })),
        ..Default::default()
    };
    let run = drive(dir.path(), plan, ui, None);
    assert_eq!(run.outcome, Outcome::Done);
    let (path, change) = run
        .ui
        .diffs
        .iter()
        .find(|(p, _)| p == &py)
        .expect("asked about pyproject.toml");
    assert_eq!(path, &py);
    assert!(change.replaces_users_file, "{change:?}");
    assert!(
        change.diff.contains("-authors = [\"Me <me@example.com>\"]"),
        "the diff is against the file as it is now:\n{}",
        change.diff
    );
    assert!(change.diff.contains("+description = \"from the wizard\""));
    assert_eq!(
        std::fs::read_to_string(&py).unwrap(),
        users,
        "never overwritten"
    );
    assert!(
        run.log
            .contains(&format!("kept (user's version) {}", py.display())),
        "{}",
        run.log
    );
}
