//! Automatic upgrades at the protocol-upgrade point.

use nix::sys::signal::Signal;

use crate::harness::{Env, read_jsonl, wait_until};
use crate::harness::{Exit, code};

#[test]
fn upgrades_at_the_upgrade_point_and_resumes_from_its_snapshot() {
    let env = Env::with_upgrade(15, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    let announced = visor.wait_log("upgrade announced; its release folder is present");
    assert!(announced.contains("v0.2.0") && announced.contains("height=15"), "{announced}");
    let done = visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert_eq!(done["lastSwitch"]["height"], 15, "{done}");
    visor.wait_own_status(&env.status_file(), "the upgrade confirmed", |s| s["lastSwitch"]["confirmedAt"].is_string());

    let core = env.starts_of("core");
    assert_eq!(core.len(), 2);
    assert_eq!(core[0]["version"], "v0.1.0");
    assert_eq!(core[1]["version"], "v0.2.0");
    let args: Vec<String> = serde_json::from_value(core[1]["args"].clone()).unwrap();
    assert_eq!(&args[args.len() - 2..], ["--snapshot.load-from-block-height", "15"]);
    assert_eq!(env.current().as_deref(), Some("v0.2.0"), "relative link to the new release");

    let history = env.history();
    let switches = history["switches"].as_array().unwrap();
    assert_eq!(switches.len(), 1);
    assert_eq!(switches[0]["from"], "genesis");
    assert_eq!(switches[0]["to"], "v0.2.0");
    assert_eq!(switches[0]["height"], 15);
    wait_until("downtime recorded", || env.history()["switches"][0]["downtimeMs"].is_u64());

    let status =
        env.wait_status("the upgrade shown", |s| s["release"] == "v0.2.0" && s["lastSwitch"]["downtimeMs"].is_u64());
    assert_eq!(status["running"], true);
    assert_eq!(status["processes"][0]["role"], "core");
    assert_eq!(status["processes"][0]["pid"], core[1]["pid"]);
    assert!(status["lastSwitch"]["downtimeMs"].is_u64());

    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn the_old_node_is_gone_before_the_new_one_starts() {
    // The old core ignores SIGTERM and holds a port the new core needs: the new core can only
    // start if the old one was killed *and reaped* first (Vega Visor's "port already in use").
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let env = Env::empty();
    env.write_config("stopSignalTimeoutSeconds = 1\n");
    let old =
        env.core_args(&["--upgrade-at", "10", "--release-tag", "v0.2.0", "--ignore-sigterm", "--hold-port", &port]);
    env.release("genesis", "v0.1.0", &old, None);
    env.release("v0.2.0", "v0.2.0", &env.core_args(&["--hold-port", &port]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    visor.wait_own_status(&env.status_file(), "the upgrade confirmed", |s| s["lastSwitch"]["confirmedAt"].is_string());
    let logs = visor.logs().join("\n");
    assert!(logs.contains("sending SIGKILL"), "{logs}");
    assert!(!logs.contains("stopped unexpectedly"), "the new core started cleanly: {logs}");
    assert_eq!(env.starts_of("core").len(), 2);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn stop_delay_is_waited_before_the_upgrade_stop() {
    let env = Env::with_upgrade(10, "stopDelaySeconds = 1\n");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let logs = visor.logs();
    let waited =
        logs.iter().position(|l| l.contains("waiting before stopping the node") && l.contains("delay_ms=1000"));
    let stopped = logs.iter().position(|l| l.contains("node stopped"));
    assert!(waited.is_some() && waited < stopped, "{logs:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn upgrade_folders_mapping_decides_the_folder() {
    let env = Env::with_upgrade(10, "[upgradeFolders]\n\"v0.2.0\" = \"releases/second\"\n");
    env.release("releases/second", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "releases/second");
    assert_eq!(env.current().as_deref(), Some("releases/second"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_missing_release_folder_is_announced_and_waited_for() {
    let env = Env::with_upgrade(15, "");
    let mut visor = env.start_visor();
    let warning = visor.wait_log("but its release folder is missing");
    assert!(
        warning.contains(&env.home.join("v0.2.0").display().to_string()) && warning.contains("height=15"),
        "{warning}"
    );
    visor.wait_log("the upgrade's release is not ready");
    visor.wait_log("node stopped");
    // The visor keeps waiting, saying what is missing, with the node stopped.
    visor.wait_logs("waiting for the release", 2);
    let core = env.starts_of("core");
    assert_eq!(core.len(), 1);
    assert!(!crate::harness::alive(core[0]["pid"].as_i64().unwrap() as i32));
    let status = env.wait_status("waiting shown", |s| s["state"] == "waiting-for-release");
    assert!(status["detail"].as_str().unwrap().contains("does not exist"), "{status}");

    // The operator prepares the folder elsewhere and moves it in.
    let staging = env.home.join("incoming");
    env.release_at(&staging, "v0.2.0", &env.core_args(&[]), None);
    std::fs::rename(&staging, env.home.join("v0.2.0")).unwrap();
    visor.wait_log("the release is ready now");
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    wait_until("the new core runs", || env.starts_of("core").len() == 2);
    assert_eq!(env.current().as_deref(), Some("v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_binary_of_the_wrong_version_is_a_clear_error_not_a_restart_loop() {
    let env = Env::with_upgrade(10, "");
    env.release("v0.2.0", "v0.1.9", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    let error = visor.wait_log("reports version v0.1.9, but the release is v0.2.0");
    assert!(error.contains("v0.2.0/testnode"), "{error}");
    visor.wait_logs("waiting for the release", 1);
    assert_eq!(env.starts_of("core").len(), 1, "no restart loop");
    assert_eq!(env.current().as_deref(), Some("genesis"), "`current` only names verified releases");

    std::fs::write(env.home.join("v0.2.0/testnode.version"), "v0.2.0").unwrap();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert_eq!(env.current().as_deref(), Some("v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_escaping_tag_is_refused() {
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(&["--upgrade-at", "10", "--release-tag", "../../etc"]), None);
    let mut visor = env.start_visor();
    let error = visor.wait_log("upgrade announced, but the name \"../../etc\" is not allowed");
    assert!(error.contains("upgradeFolders"), "{error}");
    visor.wait_log("the upgrade's release is not ready");
    // Mapping the tag to a folder inside the home fixes it while the visor waits.
    env.release("v-safe", "../../etc", &env.core_args(&[]), None);
    env.write_config("[upgradeFolders]\n\"../../etc\" = \"v-safe\"\n");
    visor.wait_upgraded(&env.status_file(), "v-safe");
    assert_eq!(env.current().as_deref(), Some("v-safe"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn core_and_data_node_are_upgraded_together() {
    let env = Env::empty();
    env.write_config("");
    let core = env.core_args(&["--upgrade-at", "15", "--release-tag", "v0.2.0"]);
    let dn = env.data_node_args(&[]);
    env.release("genesis", "v0.1.0", &core, Some(&dn));
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), Some(&dn));
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    wait_until("both roles restarted", || env.starts_of("data-node").len() == 2 && env.starts_of("core").len() == 2);
    let dn_args: Vec<String> = serde_json::from_value(env.starts_of("data-node")[1]["args"].clone()).unwrap();
    assert!(!dn_args.iter().any(|a| a.contains("snapshot")), "only the core gets the snapshot flag");
    let core_args: Vec<String> = serde_json::from_value(env.starts_of("core")[1]["args"].clone()).unwrap();
    assert!(core_args.contains(&"--snapshot.load-from-block-height".to_owned()));
    env.wait_status("both processes shown", |s| s["processes"].as_array().is_some_and(|p| p.len() == 2));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_release_verified_ahead_is_not_run_again_when_the_core_is_ready() {
    // The release is there when the upgrade is announced: it is asked its version then, and at
    // the upgrade point only looked at (its files unchanged), so the chain waits for no run.
    // Far enough (5 s of 20 ms blocks) that the announcement comes well before the upgrade
    // point even when the first admin poll came before the core listened (retried 2 s later).
    let env = Env::with_upgrade(250, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let calls = env.data.join("calls.jsonl");
    let calls_arg = calls.to_str().unwrap().to_owned();
    let mut visor = env.start_visor_with(&[("TESTNODE_CALLS", &calls_arg)]);
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let asked: Vec<_> = read_jsonl(&calls).into_iter().filter(|c| c["version"] == "v0.2.0").collect();
    assert_eq!(asked.len(), 1, "asked once, ahead: {asked:?}");
    let logs = visor.logs();
    let at = |needle: &str| logs.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("upgrade announced; its release folder is present") < at("the core is ready to upgrade"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_release_changed_after_it_was_verified_ahead_is_asked_again() {
    let env = Env::with_upgrade(40, "");
    env.release("v0.2.0", "v0.1.9", &env.core_args(&[]), None);
    let calls = env.data.join("calls.jsonl");
    let calls_arg = calls.to_str().unwrap().to_owned();
    let mut visor = env.start_visor_with(&[("TESTNODE_CALLS", &calls_arg)]);
    // Verified ahead, it does not verify: said while there is time.
    visor.wait_log("the coming upgrade's release does not verify");
    // Fixed by hand before the height: a file of the release changed, it is asked again.
    std::fs::write(env.home.join("v0.2.0/testnode.version"), "v0.2.0").unwrap();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert!(read_jsonl(&calls).iter().any(|c| c["version"] == "v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
