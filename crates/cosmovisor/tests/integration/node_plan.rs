//! A plan in `data/upgrade-info.json` the visor did not write: the node's (written as it halts
//! at the height) or another tool's, written ahead (upstream's `add-upgrade --upgrade-height`).
//! Due once the chain is at its height — never before (#19227, #22528) — applied before the
//! first launch when due, and when the app ends by itself at the height.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, wait_until};

/// The plan upstream's `add-upgrade --upgrade-height` writes.
fn write_foreign_plan(w: &World, height: u64) {
    std::fs::write(w.home.join("data/upgrade-info.json"), format!(r#"{{"name":"v2","height":{height}}}"#)).unwrap();
}

/// Waits for the switch to `upgrades/v2`, checking all along that `current` stays genesis
/// while the chain is below `height`.
fn switches_only_at(w: &World, height: u64) {
    wait_until("the switch to v2", || {
        // In this order: the height only grows, so a switch seen first is checked against a
        // height no lower than the one it happened at.
        let current = w.current();
        let below = w.height() < height;
        if below {
            assert_eq!(current.as_deref(), Some("genesis"), "switched below the height {height} (at {})", w.height());
        }
        current.as_deref() == Some("upgrades/v2")
    });
    let stopped = w.exits().iter().rev().find(|e| e["signal"] == "SIGTERM").cloned().unwrap();
    assert!(stopped["height"].as_u64().unwrap() >= height, "the old app ran up to the height: {stopped}");
}

/// A batch entry far ahead: the visor polls the chain's height (and keeps the last one seen).
fn far_batch_entry(w: &World) {
    let far = w.app("v9", "");
    let out = w.cosmovisor(&["add-batch-upgrade", &format!("--upgrade-list=far:{}:100000", far.display())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_plan_written_ahead_while_the_visor_runs_waits_for_its_height() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    far_batch_entry(&w);
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    wait_until("a few blocks", || w.height() >= 3);
    let height = w.height() + 15;
    write_foreign_plan(&w, height);
    switches_only_at(&w, height);
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(status["lastSwitch"]["height"], height);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

/// The same, on a home where the visor never saw a height: the plan appears while it runs, so
/// it cannot be a restored snapshot's.
#[test]
fn a_plan_written_ahead_on_a_fresh_home_waits_for_its_height() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    wait_until("a few blocks", || w.height() >= 3);
    let height = w.height() + 15;
    write_foreign_plan(&w, height);
    switches_only_at(&w, height);
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_plan_written_ahead_does_not_fire_at_a_restart() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    far_batch_entry(&w);
    // A first run sees the chain's height.
    let mut first = w.start();
    first.wait_running(&w.status_file());
    wait_until("a few blocks", || w.height() >= 3);
    first.signal(Signal::SIGTERM);
    assert_eq!(first.wait_exit(), code(Exit::Clean));
    let seen = w.json(&w.status_file())["chainHeight"].as_u64().unwrap();
    // The batch entry goes; the plan another tool wrote meanwhile stays, for a height above.
    std::fs::write(w.home.join("data/upgrade-info.json.batch"), "[]").unwrap();
    let height = w.height().max(seen) + 15;
    write_foreign_plan(&w, height);
    let before = w.starts().len();
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    wait_until("the app records its start", || w.starts().len() > before);
    assert_eq!(w.starts()[before]["version"], "v1", "the old app runs on: the plan is not due at the restart");
    switches_only_at(&w, height);
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(status["lastSwitch"]["height"], height);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_due_plan_with_its_binary_staged_is_applied_before_the_first_launch() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    // The node halted at 7 and wrote its plan; the visor was down.
    std::fs::write(w.home.join("data/upgrade-info.json"), br#"{"name":"v2","height":7,"info":""}"#).unwrap();
    std::fs::write(w.home.join("data/testnode-height"), b"7").unwrap();
    let mut visor = w.start();
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(status["lastSwitch"]["from"], "genesis");
    wait_until("v2 records its start", || !w.starts().is_empty());
    let versions: Vec<_> = w.starts().iter().map(|s| s["version"].clone()).collect();
    assert_eq!(versions, [serde_json::json!("v2")], "the old app never started");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

/// The app ends at its height with its own status (an SDK app panics there): upgraded, the run
/// goes on.
fn exits_at_its_height(extra: &str) {
    let w = World::new();
    w.init(&format!("--plan-name v2 --plan-height 6 --exit-at-plan 2 {extra}"));
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    let mut visor = w.start();
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(status["lastSwitch"]["from"], "genesis");
    assert_eq!(w.exits()[0]["code"], 2, "the old app ended by itself, with its own status");
    wait_until("v2 runs", || w.starts().last().is_some_and(|s| s["version"] == "v2"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean), "the run goes on after the app's exit");
}

#[test]
fn an_app_that_exits_at_its_upgrade_height_is_upgraded_not_ended() {
    // The plan is read before the app ends.
    exits_at_its_height("--exit-delay 300ms");
}

#[test]
fn an_app_that_exits_right_after_writing_its_plan_is_upgraded_not_ended() {
    exits_at_its_height("");
}
