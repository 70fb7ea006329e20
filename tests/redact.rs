//! A tool that prints the token in every form leaves no piece of it on screen
//! or in the session log (issue 13, item 4). The stand-in `poetry` is the only
//! fake: the release, the runner, the plain front end and the log are real.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use common::{run, Sandbox};

/// The token of the environment (as Poetry reads it).
const ENV_TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJHJlZGFjdC10ZXN0LWVudi10b2tlbi12YWx1ZQ";
/// A token Poetry keeps in auth.toml, and a password with characters that
/// URL-encoding changes.
const AUTH_TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJGF1dGgtdG9tbC10b2tlbi1mb3ItcmVkYWN0aW9u";
const AUTH_PASSWORD: &str = "s3cr3t+pass/word=with:odd@chars&more";
const FRAGMENT: usize = 16;

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = u32::from(c[0]) << 16
            | u32::from(*c.get(1).unwrap_or(&0)) << 8
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            out.push(if k <= c.len() {
                A[(n >> (18 - 6 * k) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every form the issue lists, as lines a tool could print.
fn forms(secret: &str) -> Vec<String> {
    let pair = base64(format!("__token__:{secret}").as_bytes());
    let mid = secret.len() / 2;
    vec![
        format!("plain: {secret}"),
        format!(
            "url: https://__token__:{}@upload.example/",
            url_encode(secret)
        ),
        format!("Authorization: Basic {pair}"),
        format!("a run: {}", &secret[3..3 + FRAGMENT + 2]),
        // A tool wrapping it.
        format!("wrapped: {}\n{}", &secret[..mid], &secret[mid..]),
        // Across the 16 KiB cut of a long line (src/exec/lines.rs).
        format!("{}{secret}", "x".repeat(16 * 1024 - 20)),
    ]
}

/// The first FRAGMENT-long piece of `secret`, or of its encoded forms, found in `text`.
fn leak(text: &str, secret: &str) -> Option<String> {
    let encoded = [
        secret.to_string(),
        url_encode(secret),
        base64(format!("__token__:{secret}").as_bytes()),
    ];
    for form in &encoded {
        for i in 0..=form.len() - FRAGMENT {
            let w = &form[i..i + FRAGMENT];
            if text.contains(w) {
                return Some(w.to_string());
            }
        }
    }
    None
}

#[test]
fn no_form_of_a_token_reaches_the_screen_or_the_log() {
    let mut sb = Sandbox::new();
    let bin = sb.root().join("standin-bin");
    let mut printed = String::new();
    for s in [ENV_TOKEN, AUTH_TOKEN, AUTH_PASSWORD] {
        for f in forms(s) {
            printed.push_str(&f);
            printed.push('\n');
        }
    }
    let said = sb.root().join("printed.txt");
    fs::write(&said, &printed).unwrap();
    fs::create_dir_all(&bin).unwrap();
    let poetry = bin.join("poetry");
    fs::write(
        &poetry,
        format!(
            "#!/bin/sh\ncase \"$1\" in --version) echo 'Poetry (version 1.8.3)'; exit 0;; esac\ncat '{}'\nexit 1\n",
            said.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&poetry, fs::Permissions::from_mode(0o755)).unwrap();
    sb.set_path(&[bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")]);
    sb.set_env("POETRY_PYPI_TOKEN_LOCAL", ENV_TOKEN);
    fs::create_dir_all(sb.poetry_config_dir()).unwrap();
    fs::write(
        sb.poetry_config_dir().join("auth.toml"),
        format!(
            "[pypi-token]\nmirror = \"{AUTH_TOKEN}\"\n\n[http-basic.corp]\nusername = \"jane\"\npassword = \"{AUTH_PASSWORD}\"\n"
        ),
    )
    .unwrap();

    let dir = sb.work().join("plugin");
    fs::create_dir_all(dir.join("arcaflow_plugin_example")).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        "[tool.poetry]\nname = \"arcaflow-plugin-example\"\nversion = \"0.1.0\"\ndescription = \"x\"\n\
         authors = [\"Jane Doe <jane@example.com>\"]\n\n[tool.poetry.dependencies]\npython = \"^3.9\"\n",
    )
    .unwrap();
    fs::write(dir.join("arcaflow_plugin_example/__init__.py"), "").unwrap();

    let mut cmd = sb.wizard();
    cmd.arg("release").arg(&dir).args([
        "--repository",
        "local",
        "--repository-url",
        "http://127.0.0.1:9/",
        "--yes",
        "--plain",
    ]);
    let ran = run(&mut cmd, Duration::from_secs(120));
    // The stand-in ran through the runner, and its output was shown.
    assert!(
        ran.output.contains("Authorization: Basic"),
        "{}",
        ran.output
    );
    assert!(ran.output.contains("wrapped: "), "{}", ran.output);
    assert!(ran.output.contains("********"), "{}", ran.output);

    let logs = sb.state_dir().join("arcaflow-wizard/logs");
    let log: String = fs::read_dir(&logs)
        .unwrap_or_else(|e| panic!("no log folder {}: {e}\n{}", logs.display(), ran.output))
        .flatten()
        .map(|e| fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(log.contains("Authorization: Basic"), "{log}");
    for s in [ENV_TOKEN, AUTH_TOKEN, AUTH_PASSWORD] {
        if let Some(w) = leak(&ran.output, s) {
            panic!("the screen shows {w:?}:\n{}", ran.output);
        }
        if let Some(w) = leak(&log, s) {
            panic!("the log holds {w:?}:\n{log}");
        }
    }
}
