//! Crash handling: restarts within the budget, siblings stopped together, nothing left behind.

use nix::sys::signal::Signal;

use crate::harness::{Env, alive, wait_until};
use crate::harness::{Exit, code};

#[test]
fn a_crashing_node_is_restarted_until_the_budget_is_spent() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 2\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--exit-after", "150ms", "--exit-code", "3"]), None);
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::RestartBudget), "restart budget exhausted");
    assert_eq!(env.starts_of("core").len(), 3, "first start + 2 restarts");
    let logs = visor.logs().join("\n");
    assert_eq!(visor.count("restarting the node"), 2, "{logs}");
    assert!(logs.contains("status=\"exit status 3\""), "{logs}");
    assert!(logs.contains("its restart budget is spent"), "{logs}");
}

#[test]
fn an_exit_with_status_zero_is_an_unexpected_stop() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 1\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--exit-after", "150ms", "--exit-code", "0"]), None);
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::RestartBudget));
    let line = visor.wait_log("process stopped unexpectedly");
    assert!(line.contains("exit status 0"), "{line}");
    assert_eq!(env.starts_of("core").len(), 2);
}

#[test]
fn a_node_that_fails_at_start_recovers_within_the_budget() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 3\n");
    env.release(
        "genesis",
        "v0.1.0",
        &env.core_args(&["--crash-first", "2", "--upgrade-at", "100000", "--release-tag", "v0.2.0"]),
        None,
    );
    let mut visor = env.start_visor();
    wait_until("the third start runs", || env.starts_of("core").len() == 3);
    visor.wait_log("upgrade announced");
    let status = env.wait_status("the third start running", |s| s["state"] == "running" && s["restarts"] == 2);
    assert_eq!(status["processes"].as_array().map(Vec::len), Some(1));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn when_the_data_node_dies_the_core_is_stopped_gracefully_and_both_restart() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 1\n");
    let dn = env.data_node_args(&["--exit-after", "300ms", "--exit-code", "1"]);
    env.release("genesis", "v0.1.0", &env.core_args(&[]), Some(&dn));
    std::fs::create_dir_all(&env.data).unwrap();
    std::fs::write(env.data.join("latest-segment-height"), "1234").unwrap();
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::RestartBudget));
    assert_eq!(env.starts_of("core").len(), 2);
    assert_eq!(env.starts_of("data-node").len(), 2);
    let core_exits: Vec<_> = env.exits().into_iter().filter(|e| e["role"] == "core").collect();
    assert_eq!(core_exits.len(), 2, "the core was stopped each time, not left running");
    assert!(core_exits.iter().all(|e| e["reason"] == "signal"), "stopped by its stop signal: {core_exits:?}");
    // On a crash restart with a data node, the core resumes from the data node's latest segment.
    let args: Vec<String> = serde_json::from_value(env.starts_of("core")[1]["args"].clone()).unwrap();
    assert_eq!(&args[args.len() - 2..], ["--snapshot.load-from-block-height", "1234"]);
    visor.wait_log("data node's latest history segment found");
}

#[test]
fn without_a_history_segment_the_core_restarts_without_a_snapshot_height() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 1\n");
    let dn = env.data_node_args(&["--exit-after", "300ms", "--exit-code", "1"]);
    env.release("genesis", "v0.1.0", &env.core_args(&[]), Some(&dn));
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::RestartBudget));
    visor.wait_log("data node has no history segment yet");
    let args: Vec<String> = serde_json::from_value(env.starts_of("core")[1]["args"].clone()).unwrap();
    assert!(!args.iter().any(|a| a.contains("snapshot")), "{args:?}");
}

#[test]
fn a_child_ignoring_sigterm_is_killed_after_the_grace_period() {
    let env = Env::empty();
    env.write_config("stopSignalTimeoutSeconds = 1\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--ignore-sigterm"]), None);
    let mut visor = env.start_visor();
    visor.wait_log("testnode core");
    visor.signal(Signal::SIGTERM);
    visor.wait_log("did not stop within the grace period, sending SIGKILL");
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let pid = env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32;
    assert!(!alive(pid));
}

#[test]
fn a_grandchild_is_stopped_with_the_node() {
    for extra in [&["--fork-grandchild"][..], &["--fork-grandchild", "--ignore-sigterm"][..]] {
        let env = Env::empty();
        env.write_config("stopSignalTimeoutSeconds = 1\n");
        env.release("genesis", "v0.1.0", &env.core_args(extra), None);
        let mut visor = env.start_visor();
        let pid_file = env.data.join("grandchild.pid");
        wait_until("the grandchild runs", || std::fs::read_to_string(&pid_file).is_ok_and(|s| !s.is_empty()));
        let grandchild: i32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
        assert!(alive(grandchild));
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
        assert!(!alive(grandchild), "nothing of the node is left after the stop ({extra:?})");
    }
}

#[test]
fn kill_9_of_the_visor_takes_the_children_and_the_next_visor_sweeps_the_rest() {
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(&["--fork-grandchild"]), None);
    let mut visor = env.start_visor();
    let pid_file = env.data.join("grandchild.pid");
    wait_until("the grandchild runs", || std::fs::read_to_string(&pid_file).is_ok_and(|s| !s.is_empty()));
    let grandchild: i32 = std::fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    let core = env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32;
    visor.signal(Signal::SIGKILL);
    assert!(visor.wait_status().code().is_none());
    wait_until("the core dies with the visor", || !alive(core));

    // The grandchild escaped the parent-death signal; the next visor kills it before starting.
    let mut next = env.start_visor();
    next.wait_running(&env.status_file());
    assert!(!alive(grandchild), "the previous node's leftovers are gone before the new node starts");
    // The status file may be written before the visor's line is read from its stderr.
    next.wait_log("started process");
    let logs = next.logs();
    let swept = logs.iter().position(|l| l.contains("killing") && l.contains("previous visor"));
    let started = logs.iter().position(|l| l.contains("started process"));
    assert!(swept.is_some() && swept < started, "{logs:?}");
    next.signal(Signal::SIGTERM);
    assert_eq!(next.wait_exit(), code(Exit::Clean));
    let _ = std::fs::remove_file(&pid_file);
}

#[test]
fn a_second_visor_on_the_same_home_is_refused() {
    let env = Env::with_upgrade(100_000, "");
    let mut first = env.start_visor();
    first.wait_running(&env.status_file());
    wait_until("the core records its start", || env.starts_of("core").len() == 1);
    let mut second = env.start_visor();
    assert_eq!(second.wait_exit(), code(Exit::Locked));
    let logs = second.logs().join("\n");
    assert!(
        logs.contains("another visor is already running on this home")
            && logs.contains(&format!("pid {}", first.pid())),
        "{logs}"
    );
    assert_eq!(env.starts_of("core").len(), 1, "the second visor started nothing");
    first.signal(Signal::SIGTERM);
    assert_eq!(first.wait_exit(), code(Exit::Clean));
}

/// Both ways the visor follows a node's processes: a cgroup of the node's own (when this
/// machine lets the visor make one) and parentage as a subreaper (`VISOR_CGROUP=off`).
const TRACKING: [&[(&str, &str)]; 2] = [&[], &[("VISOR_CGROUP", "off")]];

fn grandchild_pids(env: &Env) -> Vec<i32> {
    std::fs::read_to_string(env.data.join("grandchild.pids"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

#[test]
fn a_grandchild_that_calls_setsid_is_stopped_with_the_node_and_never_doubles() {
    for tracking in TRACKING {
        let env = Env::empty();
        env.write_config("stopSignalTimeoutSeconds = 1\nmaxNumberOfRestarts = 5\nrestartsDelaySeconds = 0\n");
        // The core exits after a moment and is restarted: each start forks a grandchild that
        // leaves the group; without tracking, each restart would add a live copy.
        env.release("genesis", "v0.1.0", &env.core_args(&["--setsid-grandchild", "--exit-after", "300ms"]), None);
        let mut visor = env.start_visor_with(tracking);
        wait_until("three starts", || env.starts_of("core").len() >= 3);
        let pids = grandchild_pids(&env);
        wait_until("at most one grandchild alive at a time", || {
            grandchild_pids(&env).iter().filter(|&&p| alive(p)).count() <= 1
        });
        assert!(pids.len() >= 2, "{pids:?}");
        visor.signal(Signal::SIGTERM);
        visor.wait_exit();
        for pid in grandchild_pids(&env) {
            assert!(!alive(pid), "grandchild {pid} outlived the stop ({tracking:?})");
        }
    }
}

#[test]
fn kill_9_of_the_visor_then_the_next_visor_stops_what_left_the_group() {
    for tracking in TRACKING {
        let env = Env::empty();
        env.write_config("");
        env.release("genesis", "v0.1.0", &env.core_args(&["--setsid-grandchild", "--ignore-sigterm"]), None);
        let mut visor = env.start_visor_with(tracking);
        wait_until("the grandchild runs", || !grandchild_pids(&env).is_empty());
        let grandchild = grandchild_pids(&env)[0];
        // Without a cgroup the escape is found by the periodic scan: wait until it is recorded.
        wait_until("the escaped grandchild is recorded", || {
            let record = std::fs::read_to_string(env.home.join(".visor/groups.json")).unwrap_or_default();
            record.contains("\"cgroup\"") || record.contains(&format!("\"pid\": {grandchild}"))
        });
        visor.signal(Signal::SIGKILL);
        assert!(visor.wait_status().code().is_none());
        assert!(alive(grandchild), "setsid took it out of reach of the parent-death signal");
        let mut next = env.start_visor_with(tracking);
        next.wait_running(&env.status_file());
        assert!(!alive(grandchild), "the previous node's leftovers are gone before the new node starts ({tracking:?})");
        next.signal(Signal::SIGTERM);
        next.wait_exit();
        for pid in grandchild_pids(&env) {
            assert!(!alive(pid), "grandchild {pid} outlived the stop ({tracking:?})");
        }
    }
}

#[test]
fn a_leftover_that_no_record_names_is_found_by_the_node_tag() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let env = Env::with_upgrade(100_000, "");
    std::fs::create_dir_all(env.home.join(".visor")).unwrap();
    let state = std::fs::metadata(env.home.join(".visor")).unwrap();
    // A process of a previous node that no record names (forked in the instant before the
    // record was written, then its visor SIGKILLed): only its environment ties it to the home.
    let mut leftover = std::process::Command::new("sleep")
        .arg("600")
        .env("VISOR_NODE_OF", format!("{}:{}", state.dev(), state.ino()))
        .process_group(0)
        .spawn()
        .unwrap();
    let mut other_home =
        std::process::Command::new("sleep").arg("600").env("VISOR_NODE_OF", "1:1").process_group(0).spawn().unwrap();
    let mut visor = env.start_visor_with(&[("VISOR_CGROUP", "off")]);
    visor.wait_running(&env.status_file());
    assert!(leftover.try_wait().unwrap().is_some(), "the leftover was killed before the node started");
    assert!(other_home.try_wait().unwrap().is_none(), "a process of another home is left alone");
    let _ = other_home.kill();
    let _ = other_home.wait();
    visor.wait_log("started process");
    let logs = visor.logs();
    let killed = logs.iter().position(|l| l.contains("a previous visor left"));
    let started = logs.iter().position(|l| l.contains("started process"));
    assert!(killed.is_some() && killed < started, "{logs:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

/// A port the node needs is taken: the node says so on its own output (which the visor passes
/// through untouched), and the visor's last word points there with the last exit's facts.
#[test]
fn a_node_that_cannot_bind_its_port_ends_with_a_final_error_pointing_at_its_own_lines() {
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 1\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--hold-port", &port]), None);
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::RestartBudget));
    let logs = visor.logs();
    let cause =
        logs.iter().position(|l| l.contains(&format!("cannot bind 127.0.0.1:{port}"))).expect("the node's cause");
    let last = logs.iter().position(|l| l.contains("restart budget is spent")).unwrap();
    assert!(cause < last, "the node's own line comes before the final error:\n{}", logs.join("\n"));
    let final_error = &logs[last];
    assert!(final_error.contains("last_exit=\"exit code 1\""), "{final_error}");
    assert!(final_error.contains("the node's own last lines, just above, say why (a port in use"), "{final_error}");
    drop(taken);
}
