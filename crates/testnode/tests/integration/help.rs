//! `testnode --help` tells an operator everything testnode reads: every environment variable
//! its code reads, the files, and how to set the version it reports — and what it says works.

use std::path::Path;
use std::process::{Command, Output};

fn testnode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_testnode")).args(args).output().expect("testnode runs")
}

/// The binary's source files: `main.rs` and the modules it declares (`mod x;`).
fn binary_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let main = std::fs::read_to_string(src.join("main.rs")).expect("main.rs");
    let modules =
        main.lines().filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)).map(|m| {
            let text = std::fs::read_to_string(src.join(format!("{m}.rs"))).expect("a module of main.rs");
            (format!("{m}.rs"), text)
        });
    std::iter::once(("main.rs".to_owned(), main.clone())).chain(modules).collect()
}

/// The names in `env::var("NAME")` and `env::var_os("NAME")` calls of the binary's code.
fn variables_read() -> Vec<String> {
    let mut names = Vec::new();
    for (_, text) in binary_sources() {
        for call in ["env::var(\"", "env::var_os(\""] {
            for (at, _) in text.match_indices(call) {
                let rest = &text[at + call.len()..];
                names.extend(rest.split('"').next().map(str::to_owned));
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn help_documents_every_variable_and_file_it_reads() {
    let read = variables_read();
    assert!(read.contains(&"TESTNODE_VERSION".to_owned()), "the scan finds the calls: {read:?}");
    for args in [&["--help"][..], &["-h"], &["help"], &["cosmos", "--help"]] {
        let out = testnode(args);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", out.status);
        // Read through an array (the service manager's variables): not in the scan.
        let listed = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "testnode.version", "starts.jsonl"];
        for said in read.iter().map(String::as_str).chain(listed) {
            assert!(help.contains(said), "{args:?}: the help names {said}:\n{help}");
        }
        assert!(help.contains("--exit-on-file") && help.contains("latest-segment-height"), "{help}");
    }
}

#[test]
fn the_version_is_set_as_the_help_says() {
    let help = String::from_utf8_lossy(&testnode(&["--help"]).stdout).into_owned();
    assert!(help.contains("TESTNODE_VERSION=v0.2.0 testnode version --output json"), "{help}");

    let out = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(["version", "--output", "json"])
        .env("TESTNODE_VERSION", "v0.2.0")
        .output()
        .expect("testnode runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["version"], "v0.2.0");

    // A symlink in a release folder, with testnode.version beside it.
    let release = tempfile::tempdir().expect("tempdir");
    let link = release.path().join("testnode");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_testnode"), &link).expect("symlink");
    std::fs::write(release.path().join("testnode.version"), "v0.3.0\n").expect("testnode.version");
    let out = Command::new(&link).args(["version"]).env_remove("TESTNODE_VERSION").output().expect("testnode runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "testnode v0.3.0");
}

#[test]
fn an_unknown_command_is_a_usage_error_with_the_help() {
    let out = testnode(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("frobnicate") && stderr.contains("TESTNODE_VERSION"), "{stderr}");
}
