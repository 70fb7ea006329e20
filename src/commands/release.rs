//! `arcaflow-wizard release`.

pub fn run(_args: crate::cli::ReleaseArgs) -> i32 {
    eprintln!("arcaflow-wizard release is not built yet");
    2
}
