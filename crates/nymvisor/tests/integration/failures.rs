//! The daemon failing: restarts within the startup budget, giving up with a non-zero code, and
//! rolling back to the previous binary when a new one keeps crashing.

use nix::sys::signal::Signal;

use crate::harness::{Exit, code};
use crate::harness::{World, wait_until};

#[test]
fn a_failing_daemon_is_restarted_then_given_up_on_with_a_non_zero_code() {
    let w = World::new();
    w.init();
    let mut nymvisor =
        w.start_with(&["--exit-after", "100ms", "--exit-code", "1"], &[("DAEMON_MAX_STARTUP_FAILURES", "3")]);
    assert_eq!(nymvisor.wait_exit(), code(Exit::RestartBudget), "the real tool exits 0 here; we do not");
    assert_eq!(w.starts().len(), 3, "three failures within the startup period");
    assert!(nymvisor.logs().join("\n").contains("restart budget is spent"));
}

#[test]
fn without_restart_on_failure_the_first_exit_ends_the_run() {
    let w = World::new();
    w.init();
    let mut nymvisor =
        w.start_with(&["--exit-after", "100ms", "--exit-code", "0"], &[("DAEMON_RESTART_ON_FAILURE", "0")]);
    assert_eq!(nymvisor.wait_exit(), code(Exit::RestartBudget));
    assert_eq!(w.starts().len(), 1);
}

#[test]
fn a_new_binary_that_keeps_crashing_is_rolled_back_and_not_retried() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_MAX_STARTUP_FAILURES", "3"), ("DAEMON_UNSAFE_SKIP_BACKUP", "1")]);
    nymvisor.wait_running(&w.status_file());
    let bad = w.daemon("1.1.0", "--crash-at-start");
    let out = w.nymvisor(&["add-upgrade", bad.to_str().unwrap(), "--upgrade-name", "broken", "--now"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_log("rolling back");
    nymvisor.wait_logs("started process", 5);
    wait_until("genesis runs again", || w.starts().last().is_some_and(|s| s["version"] == "1.0.0"));
    assert_eq!(w.current().as_deref(), Some("genesis"));
    let history = w.history();
    let entries = history["history"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{history}");
    assert_eq!(entries[1]["info"]["name"], "genesis");
    assert_eq!(entries[1]["rolledBackFrom"], "broken");
    assert_eq!(w.plan()["current"]["name"], "genesis");
    assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty(), "the failed upgrade is not queued again");
    let status = String::from_utf8_lossy(&w.nymvisor(&["daemon-build-info", "--output", "json"]).stdout).into_owned();
    assert!(status.contains("\"build_version\":\"1.0.0\""), "{status}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}
