//! The operator's tooling through `cosmovisor`: `status` (schema, probes, watch), the metrics
//! endpoint during a governance upgrade, and systemd's notify socket.

use nix::sys::signal::Signal;
use testnode::tooling::{NotifySocket, assert_status_schema, metrics_address, promtool_check, wait_metrics};

use crate::harness::{Exit, World, code};

#[test]
fn status_metrics_and_notify_follow_a_governance_upgrade() {
    let mut w = World::new();
    // 3 s of 40 ms blocks: room to look at the running app before the upgrade.
    w.init("--plan-name V2 --plan-height 75");
    assert_eq!(w.add_upgrade("v2", "v2", &[]).status.code(), Some(0));
    w.set("COSMOVISOR_METRICS_LISTEN", "0");
    let socket_dir = w.root.clone();
    let mut socket = NotifySocket::bind(&socket_dir);
    let (key, value) = socket.env();
    w.set(key, &value);
    assert_eq!(w.cosmovisor(&["status", "--probe", "live"]).status.code(), Some(code(Exit::NotReady)));

    let mut visor = w.start();
    socket.wait_for("READY=1");
    let addr = metrics_address(&w.status_file());
    let out = w.cosmovisor(&["status", "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_status_schema(&doc);
    assert_eq!(doc["running"], true);
    assert_eq!(w.cosmovisor(&["status", "--probe=ready"]).status.code(), Some(code(Exit::Clean)));
    let m = wait_metrics(addr, "the app up", |m| m.get("visor_node_up") == Some(1.0));
    let build = m.set_member("visor_build_info").unwrap();
    assert!(build.contains("face=\"cosmovisor\""), "{build}");

    let status = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_status_schema(&serde_json::from_slice(&w.cosmovisor(&["status", "-o", "json"]).stdout).unwrap());
    assert_eq!(status["lastSwitch"]["height"], 75);
    let after = wait_metrics(addr, "the switch counted", |m| {
        m.get("visor_switches_total") == Some(1.0)
            && m.get("visor_release_info{release=\"upgrades/v2\"}") == Some(1.0)
            && m.get("visor_last_switch_phase_seconds{phase=\"stop\"}").is_some()
    });
    promtool_check(&after.text);
    visor.signal(Signal::SIGTERM);
    socket.wait_for("STOPPING=1");
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_bad_metrics_address_is_a_configuration_error() {
    let mut w = World::new();
    w.init("");
    w.set("COSMOVISOR_METRICS_LISTEN", "here");
    let out = w.cosmovisor(&["config"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("COSMOVISOR_METRICS_LISTEN") && err.contains("is not a listen address"), "{err}");
}
