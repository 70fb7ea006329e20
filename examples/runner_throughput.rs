//! Runner throughput for scripts/bench: a one-step journey whose plan runs
//! `seq 1 N`, driven by the real `Driver` with the plain front end (each line
//! printed to stdout) and a real session log (each line logged), as `new --plain`
//! does. Prints the wall time and the peak RSS (VmHWM) to stderr:
//!
//!   cargo run --release --example runner_throughput -- 1000000 > /dev/null
//!   -> runner_throughput lines=1000000 seconds=0.035 vmhwm_kb=2900 cpu_ms=30 switches=150
//!
//! (`switches`: the context switches of all its threads.) After N, any of
//! `--bare`: the runner alone (`exec::run` and a counting sink);
//! `--no-log`: without the session log;
//! `--keep-log`: leave the log in `$TMPDIR/aw-throughput-PID` (scripts/bench
//! deletes it after timing the run);
//! `--tui`: the full-screen front end instead of the plain one (run it in a
//! terminal: scripts/bench-tui-output does, in a pty, and presses Enter at the end).

use std::time::Instant;

use arcaflow_wizard::exec::{self, CancelToken};
use arcaflow_wizard::journey::context::Options;
use arcaflow_wizard::journey::driver::{Driver, Outcome};
use arcaflow_wizard::journey::{Check, Context, Failure, Step};
use arcaflow_wizard::plan::{Cmd, Plan};
use arcaflow_wizard::probe::{Facts, ProbeEnv};
use arcaflow_wizard::session::SessionLog;
use arcaflow_wizard::ui::plain::Plain;

struct Seq(u64);

impl Step for Seq {
    fn id(&self) -> &'static str {
        "seq"
    }
    fn title(&self) -> &'static str {
        "Many lines"
    }
    fn why(&self) -> &'static str {
        "measures the runner"
    }
    fn check(&self, _ctx: &Context) -> Result<Check, Failure> {
        Ok(Check::Todo)
    }
    fn plan(&self, _ctx: &Context) -> Result<Plan, Failure> {
        Ok(Plan::new().run(Cmd::new("seq").args(["1".to_string(), self.0.to_string()])))
    }
}

fn vmhwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of this process alone, not its children: what the
/// wizard itself spends, whatever else the machine is doing.
/// Also the context switches of all its threads: each is a wake-up that costs
/// more than the work of a small read.
fn self_cpu_ms() -> (u64, i64) {
    let ru = arcaflow_wizard::sys::ffi::rusage_self();
    let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
    (
        ms(ru.ru_utime) + ms(ru.ru_stime),
        ru.ru_nvcsw + ru.ru_nivcsw,
    )
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let state = std::env::temp_dir().join(format!("aw-throughput-{}", std::process::id()));
    let flags: Vec<String> = std::env::args().skip(2).collect();
    let flag = |f: &str| flags.iter().any(|a| a == f);
    let log = if flag("--no-log") {
        SessionLog::disabled()
    } else {
        SessionLog::create(&state, "throughput").expect("session log")
    };
    let steps: Vec<Box<dyn Step>> = vec![Box::new(Seq(n))];
    let mut ctx = Context::new(
        std::env::temp_dir(),
        Options::default(),
        Facts::default(),
        ProbeEnv::from_env(),
    );
    let started = Instant::now();
    let outcome = if flag("--bare") {
        // The runner alone: `exec::run` with a sink that only counts.
        let mut count = 0u64;
        let cmd = Cmd::new("seq").args(["1".to_string(), n.to_string()]);
        let res = exec::run(&cmd, &[], &CancelToken::new(), &mut |_| count += 1).expect("run");
        assert_eq!(count, n);
        if res.success() {
            Outcome::Done
        } else {
            Outcome::Quit
        }
    } else if flag("--tui") {
        arcaflow_wizard::ui::tui::run_journey(
            "throughput",
            &mut Driver::new(&steps, &log),
            &mut ctx,
        )
    } else {
        let mut ui = Plain::new(true);
        Driver::new(&steps, &log).run(&mut ctx, &mut ui)
    };
    log.flush();
    let secs = started.elapsed().as_secs_f64();
    drop(log);
    // A wizard leaves its log; deleting megabytes of it is the caller's
    // business, outside the time it measures (scripts/bench does).
    if !flag("--keep-log") {
        let _ = std::fs::remove_dir_all(&state);
    }
    assert_eq!(outcome, Outcome::Done, "the step failed");
    let (cpu_ms, switches) = self_cpu_ms();
    eprintln!(
        "runner_throughput lines={n} seconds={secs:.3} vmhwm_kb={} cpu_ms={cpu_ms} switches={switches}",
        vmhwm_kb(),
    );
}
