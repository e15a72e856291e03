//! The kill soak: the visor SIGKILLed at random instants while it runs a chain of upgrades,
//! restarted each time, and every promise checked at each restart: `current` names a complete
//! release, no upgrade is recorded twice or undone, no second node runs, nothing of a previous
//! node is left, no temporary file survives a start.
//!
//! `VISOR_SOAK_KILLS` sets the number of kills (30 by default, as in CI; the long mode is 200 or
//! more); `VISOR_SOAK_SEED` replays a run (every run prints its seed).

use nix::sys::signal::Signal;

use testnode::support::{SoakRng, live_pids_in, soak_kills};

use crate::harness::{Env, alive, wait_until};
use crate::harness::{Exit, code};

/// Releases in the chain: genesis, then v0.2.0 … v0.<N+1>.0. Release i upgrades at height i + 2,
/// so even a core restarted from height 0 reaches its upgrade within a few blocks (20 ms each)
/// and kills land before, during and after switches alike.
const RELEASES: u64 = 6;

fn version(i: u64) -> String {
    if i == 0 { "v0.1.0".to_owned() } else { format!("v0.{}.0", i + 1) }
}

fn chain() -> Env {
    let env = Env::empty();
    env.write_config("");
    for i in 0..=RELEASES {
        let next = version(i + 1);
        let at = (i + 2).to_string();
        let mut extra = vec!["--fork-grandchild"];
        if i < RELEASES {
            extra.extend(["--upgrade-at", &at, "--release-tag", &next]);
        }
        let name = if i == 0 { "genesis".to_owned() } else { version(i) };
        env.release(&name, &version(i), &env.core_args(&extra), None);
    }
    env
}

fn index_of(release: &str) -> u64 {
    if release == "genesis" {
        0
    } else {
        release.trim_start_matches("v0.").trim_end_matches(".0").parse::<u64>().unwrap() - 1
    }
}

/// Every promise that must hold once a restarted visor has started its node.
fn check_invariants(env: &Env, reached: &mut u64, kill: usize, running: Option<i32>) {
    let current = env.current().unwrap_or_else(|| panic!("kill {kill}: `current` is missing"));
    assert!(env.home.join("current/run-config.toml").is_file(), "kill {kill}: `current` -> {current} dangles");
    let at = index_of(&current);
    assert!(at >= *reached, "kill {kill}: an applied upgrade was undone ({current} after {})", version(*reached));
    *reached = at;
    let history = env.history();
    let mut seen = std::collections::BTreeSet::new();
    for switch in history["switches"].as_array().unwrap() {
        if switch["rollback"] == true {
            continue;
        }
        let to = switch["to"].as_str().unwrap().to_owned();
        assert!(seen.insert(to.clone()), "kill {kill}: the upgrade to {to} is recorded twice: {history}");
    }
    let leftovers: Vec<String> = [env.home.clone(), env.home.join(".visor")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".staging-") || n.starts_with(".current."))
        // The running visor's own writes in progress are not leftovers.
        .filter(|n| running.is_none_or(|pid| !n.contains(&format!("-{pid}-"))))
        .collect();
    assert!(leftovers.is_empty(), "kill {kill}: temporary files survive a start: {leftovers:?}");
    let cores: Vec<i32> =
        env.starts_of("core").iter().map(|s| s["pid"].as_i64().unwrap() as i32).filter(|&pid| alive(pid)).collect();
    assert!(cores.len() <= 1, "kill {kill}: two cores run: {cores:?}");
    let live = live_pids_in(&env.data.join("grandchild.pids"));
    assert!(live.len() <= 1, "kill {kill}: a previous node's processes are left: {live:?}");
}

#[test]
fn kill_soak_of_the_visor_during_repeated_upgrades() {
    let mut rng = SoakRng::from_env();
    let total = soak_kills();
    let mut kill = 0;
    let mut chains = 0;
    while kill < total {
        // Every other chain follows the node by parentage instead of a cgroup.
        let tracking: &[(&str, &str)] = if chains % 2 == 0 { &[] } else { &[("VISOR_CGROUP", "off")] };
        chains += 1;
        let env = chain();
        let mut reached = 0;
        let mut visor = env.start_visor_with(tracking);
        loop {
            // A random instant: while it waits, stops, switches, starts, or runs.
            std::thread::sleep(std::time::Duration::from_millis(rng.below(400)));
            visor.signal(Signal::SIGKILL);
            assert!(visor.wait_status_undrained().code().is_none());
            kill += 1;
            visor = env.start_visor_with(tracking);
            visor.wait_running(&env.status_file());
            check_invariants(&env, &mut reached, kill, Some(visor.pid()));
            if reached == RELEASES || kill >= total {
                break;
            }
        }
        // The chain still completes after all that.
        wait_until("the last release runs", || env.current().as_deref() == Some(version(RELEASES).as_str()));
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
        check_invariants(&env, &mut reached, kill, None);
    }
}
