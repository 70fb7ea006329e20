//! The test build runs ACT's flake8 command with `--jobs=1` (one process
//! instead of a pool per core, cheaper beside the other checks): the real
//! flake8 must print the same findings, in the same order, with the same exit
//! status, as ACT's command without it.

mod common;

use std::path::Path;
use std::process::Command;

use arcaflow_wizard::preflight;

/// flake8's stdout and exit code for `args` (after `-m flake8`) in `dir`.
fn flake8(bin: &Path, args: &[String], dir: &Path) -> (String, Option<i32>) {
    assert_eq!(&args[..2], ["-m", "flake8"], "{args:?}");
    let out = Command::new(bin)
        .args(&args[2..])
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("flake8 starts");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn one_process_finds_what_act_finds() {
    let tools = require_tools!();
    let bin = tools.tools_bin.join("flake8");
    if !bin.exists() {
        common::skip("no flake8 in AW_TEST_TOOLS_BIN");
        return;
    }
    let one = preflight::flake8_args_one_process();
    assert!(one.iter().any(|a| a == "--jobs=1"), "{one:?}");
    let dir = tempfile::tempdir().unwrap();
    // Several files, so that flake8 on its own would use its pool.
    for (i, sub) in ["pkg", "pkg", "tests", "tests", "."].iter().enumerate() {
        let d = dir.path().join(sub);
        std::fs::create_dir_all(&d).unwrap();
        let text =
            format!("import os\nimport sys\n\n\ndef f{i}( x ):\n    y = 1\n    return x  \n");
        std::fs::write(d.join(format!("m{i}.py")), text).unwrap();
    }
    let act = flake8(&bin, &preflight::flake8_args(), dir.path());
    let ours = flake8(&bin, &one, dir.path());
    assert_eq!(act.1, Some(1), "{}", act.0);
    // Every file's findings, shown with their source line.
    for i in 0..5 {
        assert!(act.0.contains(&format!("m{i}.py:1:1: F401")), "{}", act.0);
    }
    assert!(act.0.contains("E201"), "{}", act.0);
    assert_eq!(ours, act);
}
