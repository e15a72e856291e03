//! A home on a mounted volume: `current` is a relative link, so a home moved to another path
//! (a volume mounted elsewhere, a container's `/data` seen from the host) still names its release.

use std::path::Path;
use std::process::{Command, Stdio};

use nix::sys::signal::Signal;

use crate::harness::{Env, Exit, Visor, code, visor_bin, wait_until};

/// `visor status --home <home> --output json`.
fn status(home: &Path) -> serde_json::Value {
    let out = Command::new(visor_bin()).args(["status", "--output", "json", "--home"]).arg(home).output().unwrap();
    assert!(out.status.success(), "visor status failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("status json")
}

/// The first argument `pid` was started with.
fn started_as(pid: u64) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(cmdline.split(|&b| b == 0).next().unwrap_or_default()).into_owned()
}

#[test]
fn a_home_moved_after_an_upgrade_runs_its_release_from_the_new_place() {
    let env = Env::with_upgrade(10, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(env.current().as_deref(), Some("v0.2.0"), "`current` names its release relative to the home");

    // The volume mounted at another path: the old path no longer exists.
    let moved = env.home.with_file_name("mounted-elsewhere");
    std::fs::rename(&env.home, &moved).unwrap();
    let report = status(&moved);
    assert_eq!(report["running"], false);
    assert_eq!(report["release"], "v0.2.0", "{report}");
    assert_eq!(report["lastSwitch"]["to"], "v0.2.0", "the history moved with the home: {report}");

    let before = env.starts_of("core").len();
    let mut command = Command::new(visor_bin());
    command
        .args(["run", "--home"])
        .arg(&moved)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    let mut visor = Visor::spawn(command);
    let running = visor.wait_running(&visor_core::Home::new(&moved).status_file());
    assert_eq!(running["release"], "v0.2.0", "{running}");
    // The core records its start itself, a moment after the visor says it runs.
    wait_until("the core started from the moved home", || env.starts_of("core").len() > before);
    let core = env.starts_of("core").last().cloned().unwrap_or_default();
    assert_eq!(core["version"], "v0.2.0", "the node runs the upgraded release: {core}");
    let binary = started_as(core["pid"].as_u64().unwrap_or_default());
    assert!(binary.starts_with(moved.to_str().unwrap()), "the node was started from the moved home: {binary}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(status(&moved)["release"], "v0.2.0");
}
