//! nymvisor killed at each step of an upgrade, then restarted: it converges on the upgraded
//! release, recorded exactly once in Nymvisor's files and in the visor's own history.

use nix::sys::signal::Signal;

use crate::harness::{Exit, code};
use crate::harness::{World, alive, wait_until};

use visor_core::fault::SWITCH_STEPS as STEPS;

#[test]
fn killed_at_any_step_of_an_upgrade_it_converges_on_restart() {
    for step in STEPS {
        let w = World::new();
        w.init();
        let mut nymvisor = w.start_with(&[], &[("VISOR_TEST_FAULT", step)]);
        nymvisor.wait_running(&w.status_file());
        let out =
            w.nymvisor(&["add-upgrade", w.daemon("1.1.0", "").to_str().unwrap(), "--upgrade-name", "v1.1.0", "--now"]);
        assert!(out.status.success(), "{step}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(nymvisor.wait_status().code(), None, "{step}: killed by the fault hook");
        let current = w.current().unwrap_or_else(|| panic!("{step}: `current` is missing"));
        assert!(current == "genesis" || current == "upgrades/v1.1.0", "{step}: {current}");
        assert!(w.data.join("current/bin/nym-node").is_file(), "{step}: `current` names a complete release");
        wait_until("the killed visor's daemon is gone", || {
            w.starts().iter().all(|s| !alive(s["pid"].as_i64().unwrap() as i32))
        });

        let mut again = w.start();
        wait_until(&format!("{step}: 1.1.0 runs"), || {
            w.starts().last().is_some_and(|s| s["version"] == "1.1.0" && alive(s["pid"].as_i64().unwrap() as i32))
        });
        assert_eq!(w.current().as_deref(), Some("upgrades/v1.1.0"), "{step}");
        let history = w.history();
        assert_eq!(history["history"].as_array().map(Vec::len), Some(1), "{step}: recorded once: {history}");
        assert_eq!(w.plan()["current"]["name"], "v1.1.0", "{step}");
        assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty(), "{step}");
        assert_eq!(w.json(&w.daemon_home.join("nymvisor/current-version-info.json"))["version"], "1.1.0", "{step}");
        again.signal(Signal::SIGTERM);
        assert_eq!(again.wait_exit(), code(Exit::Clean), "{step}");
    }
}
