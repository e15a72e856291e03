//! The operator's tooling through `nymvisor`: `status` (schema, probes), the metrics endpoint
//! during an upgrade, and systemd's notify socket.

use nix::sys::signal::Signal;
use testnode::tooling::{NotifySocket, assert_status_schema, get, metrics_address, promtool_check, wait_metrics};

use crate::harness::{Exit, World, code, wait_until};

fn status(w: &World, args: &[&str]) -> std::process::Output {
    let mut all = vec!["status"];
    all.extend_from_slice(args);
    w.nymvisor(&all)
}

#[test]
fn status_follows_the_schema_and_probes_answer_by_exit_code() {
    let w = World::new();
    w.init();
    let out = status(&w, &["--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_status_schema(&doc);
    assert_eq!(doc["running"], false);
    assert_eq!(doc["release"], "genesis");
    assert_eq!(status(&w, &["--probe", "live"]).status.code(), Some(code(Exit::NotReady)));

    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    let out = status(&w, &["--output", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_status_schema(&doc);
    assert_eq!(doc["state"], "running");
    assert_eq!(doc["processes"][0]["role"], "daemon");
    assert_eq!(status(&w, &["--probe", "ready"]).status.code(), Some(code(Exit::Clean)));
    let text = String::from_utf8_lossy(&status(&w, &[]).stdout).into_owned();
    assert!(text.contains("running (pid") && text.contains("release:   genesis"), "{text}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn metrics_and_notify_follow_an_added_upgrade() {
    let w = World::new();
    w.init();
    let mut socket = NotifySocket::bind(&w.root);
    let (key, value) = socket.env();
    let mut nymvisor =
        w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true"), ("NYMVISOR_METRICS_LISTEN", "0"), (key, &value)]);
    socket.wait_for("READY=1");
    let addr = metrics_address(&w.status_file());
    let before = wait_metrics(addr, "the daemon up", |m| m.get("visor_node_up") == Some(1.0));
    let build = before.set_member("visor_build_info").expect("build info");
    assert!(build.contains("face=\"nymvisor\""), "{build}");
    assert_eq!(before.get("visor_release_info{release=\"genesis\"}"), Some(1.0));

    let out = w.nymvisor(&["add-upgrade", w.daemon("1.2.0", "").to_str().unwrap(), "--upgrade-name", "patch", "--now"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = wait_metrics(addr, "the upgrade done", |m| {
        m.get("visor_release_info{release=\"upgrades/patch\"}") == Some(1.0)
            && m.get("visor_switches_total") == Some(1.0)
            // Known once the new daemon was spawned, a moment after the switch.
            && m.get("visor_last_switch_downtime_seconds") > Some(0.0)
    });
    promtool_check(&after.text);
    wait_until("1.2.0 runs", || w.starts().last().is_some_and(|s| s["version"] == "1.2.0"));
    socket.wait_for("STATUS=running upgrades/patch");
    let switching = socket.received.iter().position(|l| l.starts_with("STATUS=switching genesis; upgrade to 1.2.0"));
    assert!(switching < socket.position("STATUS=running upgrades/patch"), "{:#?}", socket.received);
    assert!(switching.is_some());
    nymvisor.signal(Signal::SIGTERM);
    socket.wait_for("STOPPING=1");
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    assert!(get(addr, "/metrics").is_err());
}
