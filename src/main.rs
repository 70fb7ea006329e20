use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use arcaflow_wizard::cli::{Cli, Command};
use arcaflow_wizard::commands;

fn main() -> ExitCode {
    die_quietly_on_closed_pipe();
    let cli = Cli::parse();
    // Before the release takes its tokens out of the environment: every token
    // and password the user has (also in Poetry's auth.toml) is redacted.
    arcaflow_wizard::exec::redact::learn_from_environment();
    let code = match cli.command {
        Some(Command::New(args)) => commands::new::run(args),
        Some(Command::Setup(args)) => commands::setup::run(args),
        Some(Command::Release(args)) => commands::release::run(args),
        Some(Command::Doctor(args)) => commands::doctor::run(args),
        Some(Command::Try(args)) => commands::try_cmd::run(args),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "arcaflow-wizard",
                &mut std::io::stdout(),
            );
            0
        }
        None => commands::menu(),
    };
    ExitCode::from(code as u8)
}

/// `arcaflow-wizard completions zsh | head -3`, `new --dry-run | less` quit
/// early: the next write hits a closed pipe. Rust ignores SIGPIPE, so each
/// `print!` would panic with a backtrace; the default action ends the process
/// quietly, as `cat` and `seq` do. Safe here: the wizard writes to no child's
/// stdin (the runner closes it) and to no socket, and std restores the default
/// in every child it starts, so only stdout and stderr can raise it.
fn die_quietly_on_closed_pipe() {
    arcaflow_wizard::sys::ffi::default_sigpipe();
}
