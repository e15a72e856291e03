//! The visor killed at each step of an upgrade, then restarted: `current` names a complete
//! release, the upgrade is finished exactly once (with its plan copied into its folder), and the
//! new binary runs; the old one never runs past its height.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, wait_until};

use visor_core::fault::SWITCH_STEPS as STEPS;

#[test]
fn a_visor_killed_at_any_step_of_an_upgrade_finishes_it_on_restart() {
    for step in STEPS {
        let mut w = World::new();
        w.set("UNSAFE_SKIP_BACKUP", "false");
        w.init("--plan-name v2 --plan-height 5");
        w.add_upgrade("v2", "v2", &[]);
        let mut command = w.command();
        command.args(["run", "start", "--home"]).arg(&w.home).env("VISOR_TEST_FAULT", step);
        command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut visor = testnode::support::Process::spawn(command);
        assert_eq!(visor.wait_status().code(), None, "{step}: the fault hook kills the visor");
        let current = w.current().unwrap_or_else(|| panic!("{step}: `current` is missing"));
        assert!(current == "genesis" || current == "upgrades/v2", "{step}: current -> {current}");
        wait_until("the killed visor's app is gone", || {
            w.starts().iter().all(|s| !testnode::support::alive(s["pid"].as_i64().unwrap() as i32))
        });

        let mut next = w.start();
        next.wait_own_status(&w.status_file(), &format!("{step}: v2 runs"), |s| {
            s["release"] == "upgrades/v2" && s["state"] == "running"
        });
        wait_until(&format!("{step}: v2 records its start"), || {
            w.starts().last().is_some_and(|s| s["version"] == "v2")
        });
        let history = w.json(&w.home.join("cosmovisor/.visor/history.json"));
        assert_eq!(history["switches"].as_array().map(Vec::len), Some(1), "{step}: recorded once: {history}");
        let copy = w.json(&w.home.join("cosmovisor/upgrades/v2/upgrade-info.json"));
        assert_eq!((copy["name"].as_str(), copy["height"].as_u64()), (Some("v2"), Some(5)), "{step}: {copy}");
        let heights: Vec<u64> =
            w.exits().iter().filter(|e| e["height"].is_u64()).map(|e| e["height"].as_u64().unwrap()).collect();
        assert!(heights.iter().all(|h| *h <= 5), "{step}: no block past the height: {heights:?}");
        next.signal(Signal::SIGTERM);
        assert_eq!(next.wait_exit(), code(Exit::Clean), "{step}");
    }
}
