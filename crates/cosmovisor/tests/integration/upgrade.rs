//! The governance upgrade: the node writes its plan at the height and halts; the visor stops it
//! with SIGTERM, switches and starts the new binary with the same arguments.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, wait_until};

#[test]
fn a_governance_upgrade_switches_at_the_height_and_restarts_with_the_same_args() {
    let w = World::new();
    w.init("--plan-name V2 --plan-height 8");
    assert_eq!(w.add_upgrade("v2", "v2", &[]).status.code(), Some(0));
    let mut visor = w.start_with(&["--x-crisis-skip-assert-invariants"]);
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(status["lastSwitch"]["from"], "genesis");
    assert_eq!(w.current().as_deref(), Some("upgrades/v2"), "a relative link, as v1.7 writes it");
    wait_until("the new app runs", || w.starts().len() == 2);
    let starts = w.starts();
    assert_eq!(starts[1]["version"], "v2");
    // What the visor passed (the scripts append their own flags after it).
    let passed = |s: &serde_json::Value| s["args"].as_array().unwrap()[..5].to_vec();
    assert_eq!(passed(&starts[0]), passed(&starts[1]), "the same arguments");
    assert_eq!(passed(&starts[1])[4], "--x-crisis-skip-assert-invariants");
    assert!(starts[1]["startHeight"].as_u64().unwrap() >= 8);
    let exits = w.exits();
    assert_eq!(exits[0]["signal"], "SIGTERM", "stopped with SIGTERM, not killed");
    // The plan is remembered in the upgrade's folder: a restart does not apply it again.
    let copy = w.json(&w.home.join("cosmovisor/upgrades/v2/upgrade-info.json"));
    assert_eq!(copy["name"], "v2");
    assert_eq!(copy["height"], 8);
    let plan = &w.plans()[0];
    let micros = starts[1]["atMicros"].as_u64().unwrap() - plan["atMicros"].as_u64().unwrap();
    eprintln!("plan written -> new app started: {:.1} ms", micros as f64 / 1000.0);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // Started again, the applied plan (still in data/) does not fire.
    let mut again = w.start();
    again.wait_running(&w.status_file());
    wait_until("the app records its start", || w.starts().len() == 3);
    assert_eq!(w.starts()[2]["version"], "v2");
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
    assert_eq!(w.current().as_deref(), Some("upgrades/v2"));
    assert_eq!(w.starts().len(), 3, "no upgrade, no restart");
}

#[test]
fn a_missing_binary_is_waited_for_with_the_node_stopped_and_used_once_placed() {
    let w = World::new();
    w.init("--plan-name v2 --plan-height 6");
    let mut visor = w.start();
    visor.wait_own_status(&w.status_file(), "waiting for the release", |s| s["state"] == "waiting-for-release");
    assert_eq!(w.current().as_deref(), Some("genesis"));
    assert_eq!(w.add_upgrade("v2", "v2", &[]).status.code(), Some(0));
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn restart_after_upgrade_off_exits_after_the_switch() {
    let mut w = World::new();
    w.set("DAEMON_RESTART_AFTER_UPGRADE", "false");
    w.init("--plan-name v2 --plan-height 5");
    w.add_upgrade("v2", "v2", &[]);
    let mut visor = w.start();
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.current().as_deref(), Some("upgrades/v2"));
    assert_eq!(w.starts().len(), 1, "the new app is left for the operator to start");
}

#[test]
fn an_upgrade_height_in_unsafe_skip_upgrades_is_left_to_the_node() {
    let w = World::new();
    w.init("--plan-name v2 --plan-height 5");
    w.add_upgrade("v2", "v2", &[]);
    let mut visor = w.start_with(&["--unsafe-skip-upgrades", "5", "9"]);
    visor.wait_running(&w.status_file());
    // The node passes the height; nothing is switched.
    wait_until("the chain passes the skipped height", || {
        std::fs::read_to_string(w.home.join("data/testnode-height"))
            .ok()
            .and_then(|h| h.trim().parse::<u64>().ok())
            .is_some_and(|h| h > 7)
    });
    assert_eq!(w.current().as_deref(), Some("genesis"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn the_apps_own_exit_ends_the_run_with_its_code() {
    let w = World::new();
    w.init("");
    // `cosmovisor run version` runs the app's command and ends with it.
    let out = w.cosmovisor(&["run", "version"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("v1"));
    let out = w.cosmovisor(&["run", "start", "--crash-at-start"]);
    assert_eq!(out.status.code(), Some(1), "the app's own status: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_stop_waits_for_a_node_that_flushes_and_the_backup_is_taken() {
    let mut w = World::new();
    w.set("UNSAFE_SKIP_BACKUP", "false");
    w.set("DAEMON_RESTART_DELAY", "300ms");
    std::fs::write(w.home.join("data/state.db"), b"the chain's state").unwrap();
    w.init("--plan-name v2 --plan-height 5 --stop-delay 700ms");
    w.add_upgrade("v2", "v2", &[]);
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    let exit = &w.exits()[0];
    assert_eq!(exit["signal"], "SIGTERM");
    assert!(exit["height"].is_u64(), "the old app flushed and exited by itself, not killed: {exit}");
    let plan = w.plans()[0]["atMicros"].as_u64().unwrap();
    wait_until("the new app records its start", || w.starts().len() == 2);
    let new = w.starts()[1]["atMicros"].as_u64().unwrap();
    assert!(new - plan >= 1_000_000, "restart delay and the flush were waited for: {} µs", new - plan);
    // Cosmovisor's name: `data-backup-<Y>-<M>-<D>` in DAEMON_DATA_BACKUP_DIR (the home), a copy of data/.
    let backups: Vec<_> = std::fs::read_dir(&w.home)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("data-backup-") && !n.ends_with(".manifest"))
        .collect();
    assert_eq!(backups.len(), 1, "one backup of data/ before the switch: {backups:?}");
    assert_eq!(
        std::fs::read(w.home.join(&backups[0]).join("state.db")).unwrap(),
        b"the chain's state",
        "the backup holds data/ as it was"
    );
    assert!(w.home.join(format!("{}.manifest", backups[0])).is_file(), "with its manifest");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.exits().last().unwrap()["signal"], "SIGTERM", "the visor's stop reached the app");
}

#[test]
fn an_empty_then_written_plan_is_read_once_complete_and_a_malformed_one_keeps_the_node() {
    let w = World::new();
    w.init("");
    w.add_upgrade("v2", "v2", &[]);
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    wait_until("the app records its start", || !w.starts().is_empty());
    let info = w.home.join("data/upgrade-info.json");
    std::fs::write(&info, b"{\"name\": \"v2\", \"heig").unwrap();
    std::fs::write(&info, b"").unwrap();
    std::fs::write(&info, b"{\"name\":\"\",\"height\":3}").unwrap();
    // Garbage is reported, naming the file; the node runs on.
    let error = visor.wait_log("the upgrade plan was not read");
    assert!(error.contains("upgrade-info.json"), "{error}");
    visor.wait_own_status(&w.status_file(), "still running", |s| s["state"] == "running");
    assert_eq!(w.starts().len(), 1);
    assert!(testnode::support::alive(w.starts()[0]["pid"].as_i64().unwrap() as i32));
    // The node's plan, written the way the SDK does: in place, in pieces.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().write(true).truncate(true).open(&info).unwrap();
        f.write_all(b"{\"name\":\"v2\",").unwrap();
        f.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        f.write_all(b"\"height\":\"1\",\"info\":\"\"}").unwrap();
    }
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_new_binary_that_fails_is_rolled_back_when_asked() {
    let mut w = World::new();
    w.set("COSMOVISOR_ROLLBACK_ON_FAILURE", "true");
    w.init("--plan-name v2 --plan-height 5");
    let broken = w.app("v2", "--crash-at-start");
    assert!(w.cosmovisor(&["add-upgrade", "v2", broken.to_str().unwrap()]).status.success());
    let mut visor = w.start();
    let status = visor.wait_own_status(&w.status_file(), "rolled back", |s| {
        s["lastSwitch"]["rollback"] == true && s["release"] == "genesis" && s["state"] == "running"
    });
    assert_eq!(status["lastSwitch"]["to"], "genesis");
    assert_eq!(w.current().as_deref(), Some("genesis"));
    // The old binary halts at the height again; the refused upgrade is not retried.
    wait_until("genesis runs again", || w.starts().len() == 3);
    assert_eq!(w.starts()[2]["version"], "v1");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.starts().len(), 3, "no loop of upgrades");
}

#[test]
fn a_plan_pending_at_start_is_applied_as_after_a_restored_snapshot() {
    let w = World::new();
    w.init("");
    w.add_upgrade("v2", "v2", &[]);
    // A snapshot taken after the upgrade, restored with genesis current: its data holds the
    // plan the node wrote at the height, and the chain is past it.
    std::fs::write(w.home.join("data/upgrade-info.json"), br#"{"name":"v2","height":5,"info":""}"#).unwrap();
    std::fs::write(w.home.join("data/testnode-height"), b"100").unwrap();
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    wait_until("v2 runs", || w.starts().last().is_some_and(|s| s["version"] == "v2"));
    assert_eq!(w.starts().last().unwrap()["startHeight"], 100);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn restarts_on_failure_when_asked_then_the_apps_status() {
    let mut w = World::new();
    w.set("COSMOVISOR_RESTART_ON_FAILURE", "true");
    w.set("COSMOVISOR_MAX_RESTARTS", "2");
    w.set("COSMOVISOR_RESTART_ON_FAILURE_DELAY", "100ms");
    w.init("--crash-at-start");
    let mut visor = w.start();
    assert_eq!(visor.wait_exit(), 1, "the app's own status once the budget is spent");
    assert_eq!(w.starts().len(), 3, "the first start and two restarts");
    let at: Vec<u64> = w.starts().iter().map(|s| s["atMicros"].as_u64().unwrap()).collect();
    assert!(at[2] - at[1] >= 2 * 100_000 - 10_000, "the second wait is longer: {at:?}");
    // Explained, not only looped on: what an app that never gets going usually means.
    let logs = visor.logs().join("\n");
    assert!(logs.contains("data newer than its binary") && logs.contains("add-upgrade"), "{logs}");
}

#[test]
fn without_recase_the_plans_case_names_the_folder() {
    let mut w = World::new();
    w.set("COSMOVISOR_DISABLE_RECASE", "true");
    w.init("--plan-name Chain2 --plan-height 5");
    assert!(w.add_upgrade("Chain2", "v2", &[]).status.success());
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/Chain2");
    assert_eq!(w.current().as_deref(), Some("upgrades/Chain2"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
