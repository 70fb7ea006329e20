//! The command-line contract (DESIGN.md): help with examples, version,
//! completions, and bad usage refused with exit code 2 before anything changes.

mod common;

use std::time::Duration;

use common::Sandbox;

fn wizard(sb: &Sandbox, args: &[&str]) -> common::Ran {
    sb.run_wizard(args, Duration::from_secs(60))
}

#[test]
fn help_explains_each_command_with_an_example() {
    let sb = Sandbox::new();
    let top = wizard(&sb, &["--help"]);
    assert!(top.ok());
    for s in [
        "new",
        "release",
        "doctor",
        "completions",
        "Exit codes",
        "Examples:",
    ] {
        assert!(top.output.contains(s), "{s}: {}", top.output);
    }
    for (cmd, example) in [
        ("new", "arcaflow-wizard new --name example"),
        ("release", "arcaflow-wizard release --version patch"),
        ("doctor", "arcaflow-wizard doctor"),
    ] {
        let r = wizard(&sb, &[cmd, "--help"]);
        assert!(r.ok(), "{cmd}: {}", r.output);
        assert!(r.output.contains(example), "{cmd}: {}", r.output);
    }
    let new = wizard(&sb, &["new", "--help"]);
    for flag in [
        "--name",
        "--python",
        "--poetry",
        "--index-url",
        "--yes",
        "--answers",
        "--dry-run",
        "--plain",
    ] {
        assert!(new.output.contains(flag), "{flag}: {}", new.output);
    }
    let release = wizard(&sb, &["release", "--help"]);
    assert!(
        release.output.contains("never a flag"),
        "{}",
        release.output
    );
}

#[test]
fn version_and_completions() {
    let sb = Sandbox::new();
    let v = wizard(&sb, &["--version"]);
    assert!(
        v.ok() && v.output.trim() == format!("arcaflow-wizard {}", env!("CARGO_PKG_VERSION")),
        "{}",
        v.output
    );
    let c = wizard(&sb, &["completions", "bash"]);
    assert!(
        c.ok() && c.output.contains("_arcaflow__wizard()") && c.output.contains("--index-url"),
        "{}",
        c.output
    );
    let z = wizard(&sb, &["completions", "zsh"]);
    assert!(z.ok() && z.output.contains("#compdef arcaflow-wizard"));
    let bad = wizard(&sb, &["completions", "tcsh"]);
    assert_eq!(bad.code, Some(2));
}

/// `arcaflow-wizard completions zsh | head -3`: the reader is gone before the
/// wizard is done writing. It ends quietly, as `cat` does (killed by SIGPIPE,
/// or exit 0), never with a panic and a backtrace. The pipe's read end is
/// closed before the wizard starts, so every write meets a closed pipe.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;

    let sb = Sandbox::new();
    for args in [
        &["completions", "zsh"][..],
        &["completions", "bash"],
        &["--help"],
        &["--version"],
    ] {
        let (read, write) = arcaflow_wizard::sys::ffi::pipe().expect("a pipe");
        drop(read);
        let out = sb
            .wizard()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(write))
            .stderr(Stdio::piped())
            .output()
            .expect("run the wizard");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.signal() == Some(libc::SIGPIPE) || out.status.success(),
            "{args:?}: {:?}\n{stderr}",
            out.status
        );
        assert!(stderr.is_empty(), "{args:?} said on stderr:\n{stderr}");
    }
}

#[test]
fn bad_usage_exits_2_and_changes_nothing() {
    let sb = Sandbox::new();
    let answers = sb.root().join("answers.toml");
    for (content, says) in [
        ("nmae = \"x\"\n", "unknown key 'nmae'"),
        ("name = \"example\"\nauthor = \n", "line 2"),
        ("name = \"Bad Name\"\n", "capitals"),
    ] {
        std::fs::write(&answers, content).unwrap();
        let r = wizard(
            &sb,
            &["new", "--yes", "--answers", answers.to_str().unwrap()],
        );
        assert_eq!(r.code, Some(2), "{content}: {}", r.output);
        assert!(r.output.contains(says), "{content}: {}", r.output);
    }
    let r = wizard(
        &sb,
        &["new", "--yes", "--answers", "/nonexistent/answers.toml"],
    );
    assert_eq!(r.code, Some(2), "{}", r.output);
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--index-url",
            "ftp://mirror/simple",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.output);
    assert!(r.output.contains("http:// or https://"), "{}", r.output);
    let r = wizard(
        &sb,
        &[
            "new",
            "--yes",
            "--name",
            "example",
            "--python",
            "/nonexistent/python3",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.output);
    assert!(
        r.output.contains("--python /nonexistent/python3"),
        "{}",
        r.output
    );
    let r = wizard(&sb, &["new", "--bogus"]);
    assert_eq!(r.code, Some(2));
    sb.assert_work_untouched();
}

#[test]
fn without_a_terminal_or_subcommand_it_prints_usage() {
    let sb = Sandbox::new();
    let r = wizard(&sb, &[]);
    assert_eq!(r.code, Some(2), "{}", r.output);
    assert!(r.output.contains("Usage"), "{}", r.output);
}
