//! The kill soak: the visor SIGKILLed at random instants while it runs a chain of upgrades,
//! restarted each time, and every promise checked at each restart: `current` names a complete
//! release, no upgrade is recorded twice or undone, no second node runs, nothing of a previous
//! node is left, no temporary file survives a start.
//!
//! `VISOR_SOAK_KILLS` sets the number of kills (30 by default, as in CI; the long mode is 200 or
//! more); `VISOR_SOAK_SEED` replays a run (every run prints its seed).

use testnode::support::{SoakChain, kill_soak, live_pids_in};

use crate::harness::{Env, Visor, alive, wait_until};
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

/// A chain of releases under a visor that is killed again and again.
struct Chain {
    env: Env,
    reached: u64,
}

impl SoakChain for Chain {
    fn start(&self, envs: &[(&str, &str)]) -> Visor {
        self.env.start_visor_with(envs)
    }
    fn check(&mut self, kill: usize, running: Option<i32>) -> bool {
        check_invariants(&self.env, &mut self.reached, kill, running);
        self.reached == RELEASES
    }
    fn wait_complete(&self) {
        // The chain still completes after all that.
        let last = version(RELEASES);
        wait_until("the last release runs", || self.env.current().as_deref() == Some(last.as_str()));
    }
    fn status_file(&self) -> std::path::PathBuf {
        self.env.status_file()
    }
}

#[test]
fn kill_soak_of_the_visor_during_repeated_upgrades() {
    kill_soak(400, code(Exit::Clean), || Chain { env: chain(), reached: 0 });
}
