//! The visor killed at each step of a switch, then restarted: `current` always names a
//! complete release, the switch is finished or undone, and it is recorded exactly once.

use nix::sys::signal::Signal;

use crate::harness::{Env, wait_until};
use crate::harness::{Exit, code};

/// Every step of a switch (a Vega upgrade takes no backup).
fn steps() -> impl Iterator<Item = &'static str> {
    visor_core::fault::SWITCH_STEPS.into_iter().filter(|s| *s != "switch-backed-up")
}

fn check_current_is_complete(env: &Env, step: &str) {
    let target = env.current().unwrap_or_else(|| panic!("{step}: `current` is missing"));
    assert!(target == "genesis" || target == "v0.2.0", "{step}: current -> {target}");
    assert!(env.home.join("current/run-config.toml").is_file(), "{step}: `current` dangles");
    let stray: Vec<_> = std::fs::read_dir(&env.home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".current."))
        .collect();
    // A temporary link may be left by the kill; the next start removes it.
    assert!(stray.len() <= 1, "{step}: {stray:?}");
}

#[test]
fn a_visor_killed_at_any_step_of_a_switch_converges_on_restart() {
    for step in steps() {
        let env = Env::with_upgrade(8, "");
        env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
        let mut visor = env.start_visor_with(&[("VISOR_TEST_FAULT", step)]);
        let status = visor.wait_status();
        assert_eq!(status.code(), None, "{step}: the fault hook kills the visor");
        check_current_is_complete(&env, step);
        wait_until("the killed visor's node is gone", || {
            env.starts().iter().all(|s| !crate::harness::alive(s["pid"].as_i64().unwrap() as i32))
        });

        let mut next = env.start_visor();
        wait_until(&format!("{step}: the upgraded release runs"), || {
            env.status_json()["release"] == "v0.2.0" && env.status_json()["state"] == "running"
        });
        // The new core records its start itself, a moment after the visor reports it running.
        wait_until(&format!("{step}: the new core records its start"), || {
            env.starts_of("core").last().is_some_and(|s| s["version"] == "v0.2.0")
        });
        let last = env.starts_of("core").pop().unwrap();
        let args: Vec<String> = serde_json::from_value(last["args"].clone()).unwrap();
        assert!(args.ends_with(&["--snapshot.load-from-block-height".to_owned(), "8".to_owned()]), "{step}: {args:?}");
        let history = env.history();
        assert_eq!(history["switches"].as_array().unwrap().len(), 1, "{step}: recorded exactly once: {history}");
        assert!(!env.home.join(".visor/switch.json").exists(), "{step}: journal cleared");
        assert!(
            !std::fs::read_dir(&env.home).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".current."))
        );
        next.signal(Signal::SIGTERM);
        assert_eq!(next.wait_exit(), code(Exit::Clean), "{step}");
    }
}
