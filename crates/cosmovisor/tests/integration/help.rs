//! What needs no configuration: `--version` (cosmovisor's own), `<command> --help`, and
//! `run --help` (the usage of `run`; after the app's command, `--help` is the app's). `version`
//! says cosmovisor's version first, as Cosmovisor does, even when it cannot ask the app.

use std::process::{Command, Output, Stdio};

use crate::harness::{Exit, KEYS, code, cosmovisor_bin};

/// `cosmovisor <args>` with none of its variables set.
fn unconfigured(args: &[&str]) -> Output {
    let mut command = Command::new(cosmovisor_bin());
    command.env_remove("RUST_LOG").env("NO_COLOR", "1");
    for key in KEYS {
        command.env_remove(key);
    }
    command.args(args).stdin(Stdio::null()).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn version_and_help_need_no_configuration() {
    let own = format!("cosmovisor version: {}\n", env!("CARGO_PKG_VERSION"));
    let out = unconfigured(&["--version"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), own);
    let out = unconfigured(&["--version", "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!({ "cosmovisor_version": env!("CARGO_PKG_VERSION") }));

    for flag in ["--help", "-h"] {
        let out = unconfigured(&["run", flag]);
        assert_eq!(out.status.code(), Some(code(Exit::Clean)), "run {flag}: {}", String::from_utf8_lossy(&out.stderr));
        let text = stdout(&out);
        assert!(text.contains("Usage: cosmovisor run"), "run {flag}: {text}");
        for command in ["plan", "check", "add-upgrade", "version"] {
            let out = unconfigured(&[command, flag]);
            assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{command} {flag}");
            assert!(stdout(&out).contains(&format!("Usage: cosmovisor {command}")), "{command} {flag}");
        }
    }
    assert!(stdout(&unconfigured(&["run", "--help"])).contains("halt the app at their height"));

    // `version` asks the app, which needs the configuration: ours is said first all the same.
    let out = unconfigured(&["version"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert_eq!(stdout(&out), own);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--cosmovisor-only") && err.contains("DAEMON_HOME is not set"), "{err}");
}
