use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use arcaflow_wizard::cli::{Cli, Command};
use arcaflow_wizard::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::New(args)) => commands::new::run(args),
        Some(Command::Setup(args)) => commands::setup::run(args),
        Some(Command::Release(args)) => commands::release::run(args),
        Some(Command::Doctor(args)) => commands::doctor::run(args),
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
