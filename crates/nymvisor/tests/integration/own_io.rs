//! The daemon never dies of nymvisor's own I/O: a log that cannot be written, helper answers
//! that never end or never close, a release moved away during the stop, a long backup cut by a
//! signal, a backup that keeps failing, a missing HOME, a binary others could replace.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use nix::sys::signal::Signal;

use crate::harness::{Exit, PANIC, code};
use crate::harness::{World, alive, wait_until};

fn add_upgrade_now(w: &World, binary: &std::path::Path, name: &str) -> std::process::Output {
    w.nymvisor(&["add-upgrade", binary.to_str().unwrap(), "--upgrade-name", name, "--now"])
}

fn wait_version(w: &World, version: &str) {
    wait_until(&format!("{version} runs"), || w.starts().last().is_some_and(|s| s["version"] == version));
}

#[test]
fn a_log_that_cannot_be_written_never_takes_the_daemon_down() {
    let w = World::new();
    w.init();
    // Every log line fails with ENOSPC, and the upgrade still happens.
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let mut child = w.start_raw(Stdio::from(full()), Stdio::from(full()), &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    wait_version(&w, "1.0.0");
    let out = add_upgrade_now(&w, &w.daemon("1.2.0", ""), "patch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    wait_version(&w, "1.2.0");
    assert!(child.try_wait().unwrap().is_none(), "nymvisor survives its log");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(code(Exit::Clean)));

    // A log whose reader is gone (EPIPE) likewise.
    let (read, write) = nix::unistd::pipe().unwrap();
    drop(read);
    let mut child = w.start_raw(Stdio::null(), Stdio::from(write), &[]);
    let before = w.starts().len();
    wait_until("the daemon starts again", || w.starts().len() > before);
    let pid = w.starts().last().unwrap()["pid"].as_i64().unwrap() as i32;
    assert!(child.try_wait().unwrap().is_none());
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(code(Exit::Clean)));
    assert!(!alive(pid));
}

#[test]
fn output_to_a_closed_pipe_ends_the_output_not_in_a_panic() {
    let w = World::new();
    w.init();
    for args in [&["config"][..], &["config", "--output", "json"], &["build-info"], &["daemon-build-info"]] {
        let (read, write) = nix::unistd::pipe().unwrap();
        drop(read);
        let out = w.nymvisor_with(args, &[], Stdio::from(write));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(PANIC), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn helper_answers_that_never_end_or_never_close_are_bounded() {
    let w = World::new();
    w.init();
    // An endless build-info answer: refused, with the cap, without reading it all.
    let endless = w.script("nym-node-endless", "exec yes");
    let out = add_upgrade_now(&w, &endless, "endless");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("more than 1048576 bytes"), "{stderr}");

    // A background process holding stdout after the answer: not waited for.
    let testnode = crate::harness::testnode_bin();
    let holding = w.script(
        "nym-node-holding",
        &format!(
            "sleep 600 &\nTESTNODE_VERSION=1.2.0 TESTNODE_BINARY_NAME=nym-node exec {} \"$@\"",
            testnode.display()
        ),
    );
    let out = add_upgrade_now(&w, &holding, "holding");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // An answer larger than a pipe buffer is read whole.
    let large = w.script(
        "nym-node-large",
        &format!(
            "TESTNODE_BUILD_INFO_PADDING=300000 TESTNODE_VERSION=1.3.0 TESTNODE_BINARY_NAME=nym-node exec {} \"$@\"",
            testnode.display()
        ),
    );
    let out = w.nymvisor(&["add-upgrade", large.to_str().unwrap(), "--upgrade-name", "large", "--upgrade-delay", "1h"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_release_moved_away_during_the_stop_is_not_switched_to() {
    let w = World::new();
    w.init();
    // The daemon ignores SIGINT, so the stop waits its whole grace period (5 s).
    let mut nymvisor = w.start_with(&["--ignore-sigterm"], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start (it ignores the stop signal from then on)", || !w.starts().is_empty());
    let out = add_upgrade_now(&w, &w.daemon("1.2.0", ""), "patch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_log("stopping the node");
    let release = w.data.join("upgrades/patch");
    let aside = w.data.join("patch-aside");
    std::fs::rename(&release, &aside).unwrap();
    let refused = nymvisor.wait_log("not switching");
    assert!(refused.contains("is gone"), "{refused}");
    assert_eq!(w.current().as_deref(), Some("genesis"), "`current` never named the missing folder");
    wait_until("the old daemon runs again", || w.starts().iter().filter(|s| s["version"] == "1.0.0").count() == 2);
    // Put back, the upgrade completes by itself.
    std::fs::rename(&aside, &release).unwrap();
    wait_version(&w, "1.2.0");
    assert_eq!(w.current().as_deref(), Some("upgrades/patch"));
    nymvisor.signal(Signal::SIGTERM);
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_signal_during_the_backup_of_one_large_file_cuts_it_short() {
    let w = World::new();
    w.init();
    // 8 GiB, sparse: a single file the backup needs seconds to read.
    let big = std::fs::File::create(w.daemon_home.join("data/big.db")).unwrap();
    big.set_len(8 << 30).unwrap();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    let out = add_upgrade_now(&w, &w.daemon("1.2.0", ""), "patch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_log("backing up");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    let line = nymvisor.logs().into_iter().find(|l| l.contains("backup cancelled")).expect("the backup was cancelled");
    let read: u64 = line.split("read_bytes=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(read < 8 << 30, "cancelled inside the file, after {read} bytes: {line}");
    assert!(w.backups("patch").iter().all(|b| !b.to_string_lossy().ends_with(".partial")));
    assert_eq!(w.current().as_deref(), Some("genesis"), "nothing switched");
}

#[test]
fn a_backup_that_keeps_failing_backs_off_and_says_so() {
    let w = World::new();
    w.init();
    let file = w.root.join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let backups = file.join("backups");
    let mut nymvisor = w.start_with(&[], &[("DAEMON_BACKUP_DATA_DIRECTORY", backups.to_str().unwrap())]);
    nymvisor.wait_running(&w.status_file());
    let out = add_upgrade_now(&w, &w.daemon("1.2.0", ""), "patch");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = nymvisor.wait_log("the upgrade is not done");
    assert!(
        line.contains("cannot write the backup") && line.contains("retry_in_s=60") && line.contains("attempt=1"),
        "{line}"
    );
    wait_until("the old daemon runs again", || w.starts().iter().filter(|s| s["version"] == "1.0.0").count() == 2);
    // The status file is written in the background: wait for it to say so.
    wait_until("status shows the failed backup and its retry", || {
        let status = w.json(&w.data.join(".visor/status.json"));
        status["detail"].as_str().unwrap_or_default().contains("backup failed (attempt 1), retrying in 60 s")
    });
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn the_active_release_removed_while_running_is_named_not_retried() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon runs", || !w.starts().is_empty());
    std::fs::rename(w.data.join("genesis"), w.data.join("genesis-moved")).unwrap();
    let pid = w.starts()[0]["pid"].as_i64().unwrap() as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL).unwrap();
    assert_eq!(nymvisor.wait_status().code(), Some(code(Exit::Config)));
    let logs = nymvisor.logs().join("\n");
    assert!(logs.contains("the active release cannot be started") && logs.contains("genesis"), "{logs}");
    assert_eq!(w.starts().len(), 1, "no restart was attempted with a missing release");
}

#[test]
fn without_home_nymvisor_refuses_and_names_it() {
    let w = World::new();
    w.init();
    let mut command = std::process::Command::new(crate::harness::nymvisor_bin());
    command.arg("config").env_remove("HOME").env_remove("NYM_HOME_DIR").env_remove("NYMVISOR_CONFIG_PATH");
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("HOME") && stderr.contains("NYM_HOME_DIR"), "{stderr}");
}

#[test]
fn a_root_nymvisor_warns_about_a_binary_others_could_replace() {
    if !nix::unistd::geteuid().is_root() {
        return;
    }
    let w = World::new();
    w.init();
    let bin = w.data.join("genesis/bin");
    std::fs::set_permissions(bin.join("nym-node"), std::fs::Permissions::from_mode(0o777)).unwrap();
    nix::unistd::chown(&bin, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
    let mut nymvisor = w.start();
    let line = nymvisor.wait_log("another user could have replaced this binary");
    assert!(line.contains("writable by every user") && line.contains("belongs to user 65534"), "{line}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}
