use super::*;
use std::time::Duration;

fn sh(script: &str) -> Cmd {
    Cmd::new("bash").arg("-c").arg(script)
}

fn collect(cmd: &Cmd, secrets: &[String]) -> (RunResult, Vec<String>) {
    let mut lines = Vec::new();
    let r = run(cmd, secrets, &CancelToken::new(), &mut |l| {
        lines.push(l.to_string());
    })
    .unwrap();
    (r, lines)
}

#[test]
fn streams_stdout_and_stderr_in_order_and_reports_exit_code() {
    let (r, lines) = collect(&sh("echo one; echo two >&2; echo three; exit 3"), &[]);
    assert_eq!(lines, ["one", "two", "three"]);
    assert_eq!(r.ending, Ending::Exited(3));
    assert!(!r.success());
    assert_eq!(r.tail_text(), "one\ntwo\nthree");
}

#[test]
fn stdin_is_closed_so_a_prompt_cannot_hang() {
    let (r, lines) = collect(&sh("read -r x || echo no-input"), &[]);
    assert!(r.success());
    assert_eq!(lines, ["no-input"]);
}

#[test]
fn secrets_are_redacted_and_passed_only_in_the_environment() {
    let cmd = sh("echo token is $TOK").secret_env("TOK", "pypi-abcdef");
    let (r, lines) = collect(&cmd, &["pypi-abcdef".to_string()]);
    assert!(r.success());
    assert_eq!(lines, ["token is ********"]);
    assert!(!cmd.display().contains("pypi-abcdef"));
}

#[test]
fn tail_is_bounded() {
    let (r, lines) = collect(&sh("seq 1 1000"), &[]);
    assert_eq!(lines.len(), 1000);
    assert_eq!(r.tail.len(), TAIL_LINES);
    assert_eq!(r.tail.back().map(String::as_str), Some("1000"));
}

/// Running or sleeping: a zombie waiting for a reaper no longer runs anything.
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with(['Z', 'X']),
        Err(_) => false,
    }
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    // The grandchild ignores SIGTERM, so the group has to be SIGKILLed after the grace period.
    let script = format!(
        "(trap '' TERM; sleep 60) & echo $! > {}; wait",
        pidfile.display()
    );
    let cmd = sh(&script).timeout(Duration::from_millis(300));
    let (r, _) = collect(&cmd, &[]);
    assert_eq!(r.ending, Ending::TimedOut);
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(pid), "grandchild {pid} survived");
}

#[test]
fn cancel_stops_a_running_command() {
    let token = CancelToken::new();
    let t2 = token.clone();
    let h = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        t2.cancel();
    });
    let r = run(&sh("echo started; sleep 30"), &[], &token, &mut |_| {}).unwrap();
    h.join().unwrap();
    assert_eq!(r.ending, Ending::Cancelled);
    assert!(r.elapsed < Duration::from_secs(5));
}

#[test]
fn a_signal_from_elsewhere_is_reported() {
    let (r, _) = collect(&sh("kill -9 $$"), &[]);
    assert_eq!(r.ending, Ending::Signalled(9));
}

#[test]
fn a_missing_program_is_an_error() {
    let r = run(
        &Cmd::new("/nonexistent/tool"),
        &[],
        &CancelToken::new(),
        &mut |_| {},
    );
    assert!(r.is_err());
}

#[test]
fn capture_returns_stdout_only_on_success() {
    assert_eq!(capture(&sh("echo hi")), Some("hi".into()));
    assert_eq!(capture(&sh("echo hi; exit 1")), None);
}

mod tail {
    use super::super::{Tail, TAIL_LINES};
    use proptest::prelude::*;

    proptest! {
        /// Whatever the blocks, the tail is the last TAIL_LINES of all their lines.
        #[test]
        fn the_tail_is_the_last_lines_of_all_blocks(
            blocks in prop::collection::vec(
                prop::collection::vec("[a-z ]{0,8}", 1..(2 * TAIL_LINES)).prop_map(|l| l.join("\n")),
                0..12,
            ),
        ) {
            let mut tail = Tail::default();
            for b in &blocks {
                tail.add(b);
            }
            let all: Vec<&str> = blocks.iter().flat_map(|b| b.split('\n')).collect();
            let want: Vec<String> =
                all[all.len().saturating_sub(TAIL_LINES)..].iter().map(|s| s.to_string()).collect();
            prop_assert_eq!(Vec::from(tail.into_lines()), want);
        }
    }
}

/// A command that exits leaving a background process on its output: the run
/// ends with the command (its own exit code), and the straggler is ended.
#[test]
fn a_background_process_holding_the_output_does_not_hold_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let script = format!(
        "sleep 60 & echo $! > {}; echo started; exit 3",
        pidfile.display()
    );
    let started = std::time::Instant::now();
    let (r, lines) = collect(&sh(&script), &[]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the run waited {:?} for the background sleep",
        started.elapsed()
    );
    assert_eq!(r.ending, Ending::Exited(3));
    assert_eq!(lines, ["started"]);
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(!alive(pid), "the background sleep {pid} survived");
}

#[test]
fn a_command_without_a_timeout_gets_the_default() {
    assert_eq!(timeout_of(&sh("true")), DEFAULT_TIMEOUT);
    assert!(DEFAULT_TIMEOUT <= Duration::from_secs(3600));
    let given = sh("true").timeout(Duration::from_secs(5));
    assert_eq!(timeout_of(&given), Duration::from_secs(5));
}
