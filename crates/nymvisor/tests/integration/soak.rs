//! The kill soak of the Nym face: nymvisor SIGKILLed at random instants while a queue of planned
//! upgrades falls due (each with a backup), restarted each time, and every promise checked at
//! each restart: `current` names a complete release, the plan file is intact, no upgrade is
//! performed twice or undone, one daemon runs, no temporary file survives a start.
//!
//! `VISOR_SOAK_KILLS` sets the number of kills (30 by default, as in CI; the long mode is 200 or
//! more); `VISOR_SOAK_SEED` replays a run (every run prints its seed).

use testnode::support::{SoakChain, kill_soak, live_pids_in};

use crate::harness::{Exit, code};
use crate::harness::{Process, World, alive, wait_until};

const UPGRADES: u64 = 6;

fn version(i: u64) -> String {
    format!("1.{i}.0")
}

/// A world whose plan holds `UPGRADES` upgrades falling due a little apart from now.
fn queued() -> World {
    let w = World::new();
    w.init();
    let start = jiff::Timestamp::now();
    for i in 1..=UPGRADES {
        let at = start + jiff::SignedDuration::from_millis(400 * i as i64);
        let out = w.nymvisor(&[
            "add-upgrade",
            w.daemon(&version(i), "--fork-grandchild").to_str().unwrap(),
            "--upgrade-name",
            &format!("u{i}"),
            "--upgrade-time",
            &at.to_string(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    w
}

fn reached(w: &World) -> u64 {
    let current = w.current().expect("`current` is missing");
    upgrade_number(current.trim_start_matches("upgrades/"))
}

/// How many upgrades a release name stands for: `genesis` none, `u3` three.
fn upgrade_number(name: &str) -> u64 {
    if name == "genesis" { 0 } else { name.trim_start_matches('u').parse().unwrap() }
}

fn check_invariants(w: &World, last: &mut u64, kill: usize, running: Option<i32>) {
    let release = w.data.join("current/bin/nym-node");
    assert!(release.is_file(), "kill {kill}: `current` dangles");
    let plan = w.plan();
    let Some(name) = plan["current"]["name"].as_str() else { panic!("kill {kill}: the plan is not intact: {plan}") };
    // Where the plan says it is, not `current`: a restarted nymvisor may be switching an overdue
    // upgrade right now, and the plan's current and queue are written together.
    let at = upgrade_number(name);
    assert!(at >= *last, "kill {kill}: an upgrade was undone (at u{at} after u{last})");
    *last = at;
    let queued: Vec<&str> = plan["queuedUp"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(queued.len() as u64, UPGRADES - at, "kill {kill}: queue {queued:?} at u{at}");
    let mut seen = std::collections::BTreeSet::new();
    for entry in w.history()["history"].as_array().into_iter().flatten() {
        if entry.get("rolledBackFrom").is_some() {
            continue;
        }
        let name = entry["info"]["name"].as_str().unwrap().to_owned();
        assert!(seen.insert(name.clone()), "kill {kill}: {name} performed twice");
    }
    let mut dirs =
        vec![w.data.clone(), w.daemon_home.join("nymvisor"), w.data.join("genesis"), w.data.join("genesis/bin")];
    for i in 1..=UPGRADES {
        dirs.push(w.data.join(format!("upgrades/u{i}")));
        dirs.push(w.data.join(format!("upgrades/u{i}/bin")));
        dirs.push(w.daemon_home.join(format!("nymvisor/backups/u{i}")));
    }
    // The running nymvisor's own writes in progress are not leftovers.
    let mine = running.map(|pid| format!("-{pid}-"));
    let leftovers: Vec<String> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.contains(".tmp") || p.contains(".staging-") || p.ends_with(".partial"))
        .filter(|p| mine.as_ref().is_none_or(|m| !p.contains(m)))
        .collect();
    assert!(leftovers.is_empty(), "kill {kill}: temporary files survive a start: {leftovers:?}");
    let daemons: Vec<i32> =
        w.starts().iter().map(|s| s["pid"].as_i64().unwrap() as i32).filter(|&pid| alive(pid)).collect();
    assert!(daemons.len() <= 1, "kill {kill}: two daemons run: {daemons:?}");
    let live = live_pids_in(&w.records.join("grandchild.pids"));
    assert!(live.len() <= 1, "kill {kill}: a previous daemon's processes are left: {live:?}");
}

/// A queue under a nymvisor that is killed again and again.
struct Queue {
    w: World,
    last: u64,
}

impl SoakChain for Queue {
    fn start(&self, envs: &[(&str, &str)]) -> Process {
        self.w.start_with(&[], envs)
    }
    fn check(&mut self, kill: usize, running: Option<i32>) -> bool {
        check_invariants(&self.w, &mut self.last, kill, running);
        self.last == UPGRADES
    }
    fn wait_complete(&self) {
        wait_until("the last upgrade is performed", || reached(&self.w) == UPGRADES);
    }
    fn status_file(&self) -> std::path::PathBuf {
        self.w.status_file()
    }
}

#[test]
fn kill_soak_of_nymvisor_during_planned_upgrades() {
    kill_soak(300, code(Exit::Clean), || Queue { w: queued(), last: 0 });
}
