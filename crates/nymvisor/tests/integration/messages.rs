//! What nymvisor says while an upgrade waits: a due upgrade whose release is still downloading
//! is a wait with its progress, not an error; the downtime names the wait apart from the switch.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::signal::Signal;

use crate::harness::{Exit, code};
use crate::harness::{World, in_seconds};

#[test]
fn a_due_upgrade_whose_download_is_under_way_waits_for_it_and_says_how_far_it_is() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    nymvisor.wait_running(&w.status_file());
    // Due already when it is announced; its download stops half way until the test lets it on
    // (set up before the announcement, which keeps it: no poll can fetch it whole first).
    let gate = Arc::new(AtomicBool::new(false));
    let daemon = w.daemon("1.1.0", "");
    w.serve_file("v1.1.0-nym-node", std::fs::read(&daemon).unwrap());
    let total = {
        let mut state = w.server.state.lock().unwrap();
        let asset = state.files.iter_mut().find(|f| f.name == "v1.1.0-nym-node").unwrap();
        asset.stall_after = Some((asset.data.len() / 2, Arc::clone(&gate)));
        asset.data.len()
    };
    w.announce("v1.1.0", "1.1.0", in_seconds(-5), &daemon, |_| {});

    let status = nymvisor.wait_own_status(&w.status_file(), "the due upgrade waiting for its download", |s| {
        s["detail"]
            .as_str()
            .is_some_and(|d| d.contains("waiting for the download (") && d.contains(&format!("of {total} bytes")))
    });
    let detail = status["detail"].as_str().unwrap();
    assert!(!detail.starts_with("upgrade 1.1.0 due, waiting for the download (0 of"), "half of it came: {detail}");
    assert_eq!(status["state"], "running", "the daemon keeps running meanwhile");
    nymvisor.wait_log("waiting for the download of its release");
    assert_eq!(nymvisor.count("is due but its release is not ready"), 0, "{}", nymvisor.logs().join("\n"));

    gate.store(true, Ordering::SeqCst);
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/v1.1.0");
    let done = nymvisor.wait_log("upgrade done");
    for phase in ["stop_us=", "waited_us=", "switch_us=", "spawn_us="] {
        assert!(done.contains(phase), "{phase} in {done}");
    }
    let status = nymvisor.own_status(&w.status_file()).unwrap();
    assert!(status["staging"].is_null(), "staging is over once the upgrade is done: {status}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}
