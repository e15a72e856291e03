//! The node never dies of the visor's own I/O: a log that cannot be written, a release binary
//! whose `version` answer never ends, a release moved away during the stop's grace period, the
//! active release removed while it runs, output to a closed pipe.

use std::process::{Command, Stdio};

use nix::sys::signal::Signal;

use crate::harness::{Env, alive, visor_bin, wait_until};
use crate::harness::{Exit, PANIC, code};

fn core_version_runs(env: &Env, version: &str) -> bool {
    env.starts_of("core").last().is_some_and(|s| s["version"] == version)
}

#[test]
fn a_log_that_cannot_be_written_never_takes_the_node_down() {
    let env = Env::with_upgrade(60, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut visor = Command::new(visor_bin())
        .args(["run", "--home"])
        .arg(&env.home)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::from(full()))
        .stderr(Stdio::from(full()))
        .spawn()
        .unwrap();
    wait_until("the upgraded core runs", || core_version_runs(&env, "v0.2.0"));
    assert!(visor.try_wait().unwrap().is_none(), "the visor survives its log");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(visor.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(visor.wait().unwrap().code(), Some(code(Exit::Clean)));
}

#[test]
fn output_to_a_closed_pipe_ends_the_output_not_in_a_panic() {
    let env = Env::with_upgrade(100_000, "");
    for args in [
        vec!["version".to_owned()],
        vec!["version".into(), "--output".into(), "json".into()],
        vec!["status".into(), "--home".into(), env.home.display().to_string()],
    ] {
        let (read, write) = nix::unistd::pipe().unwrap();
        drop(read);
        let out = Command::new(visor_bin()).args(&args).stdout(Stdio::from(write)).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(PANIC), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_version_answer_that_never_ends_is_cut_and_the_release_refused() {
    let env = Env::with_upgrade(40, "");
    let release = env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    // The release's binary answers `version` with endless output.
    std::fs::remove_file(release.join("testnode")).unwrap();
    std::fs::write(release.join("testnode"), "#!/bin/sh\nexec yes\n").unwrap();
    std::fs::set_permissions(release.join("testnode"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut visor = env.start_visor();
    let line = visor.wait_log("more than 1048576 bytes");
    assert!(line.contains("v0.2.0"), "{line}");
    assert_eq!(env.current().as_deref(), Some("genesis"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_release_moved_away_during_the_grace_period_is_not_switched_to() {
    let env = Env::empty();
    env.write_config("stopSignalTimeoutSeconds = 2\n");
    let args = env.core_args(&["--upgrade-at", "40", "--release-tag", "v0.2.0", "--ignore-sigterm"]);
    env.release("genesis", "v0.1.0", &args, None);
    let release = env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_log("release verified; stopping the node");
    let aside = env.home.join("v0.2.0-aside");
    std::fs::rename(&release, &aside).unwrap();
    let refused = visor.wait_log("not switching");
    assert!(refused.contains("is gone"), "{refused}");
    assert_eq!(env.current().as_deref(), Some("genesis"), "`current` never named the missing folder");
    // The core is halted at the upgrade point: the visor waits for the release, then upgrades.
    env.wait_status("waiting for the release", |s| s["state"] == "waiting-for-release");
    std::fs::rename(&aside, &release).unwrap();
    wait_until("the upgraded core runs", || core_version_runs(&env, "v0.2.0"));
    assert_eq!(env.current().as_deref(), Some("v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn the_active_release_removed_while_running_is_named_not_retried() {
    let env = Env::with_upgrade(100_000, "maxNumberOfRestarts = 5\nrestartsDelaySeconds = 0\n");
    let mut visor = env.start_visor();
    visor.wait_log("testnode core");
    std::fs::rename(env.home.join("genesis"), env.home.join("genesis-moved")).unwrap();
    let core = env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(core), Signal::SIGKILL).unwrap();
    assert_eq!(visor.wait_status().code(), Some(code(Exit::Config)));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("the active release cannot be started"), "{logs}");
    assert_eq!(env.starts_of("core").len(), 1, "no restart was attempted with a missing release");
    assert!(!alive(core));
}

#[test]
fn a_current_moved_by_hand_is_not_recorded_as_what_ran() {
    // 3 s of blocks: room for the test to repoint `current` before the upgrade point.
    let env = Env::with_upgrade(150, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    env.release("other", "v0.1.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_log("testnode core");
    // The operator repoints `current` while genesis runs.
    let tmp = env.home.join(".current.by-hand");
    std::os::unix::fs::symlink("other", &tmp).unwrap();
    std::fs::rename(&tmp, env.home.join("current")).unwrap();
    assert_eq!(env.status_json()["release"], "genesis", "status says what runs");
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let switch = env.history()["switches"][0].clone();
    assert_eq!(switch["from"], "genesis", "{switch}");
    visor.wait_log("moved by hand");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
