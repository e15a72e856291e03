//! The Prometheus endpoint: off by default, on by flag, variable or `[metrics] listen`, and
//! showing an upgrade as it happens.

use nix::sys::signal::Signal;
use testnode::tooling::{get, metrics_address, promtool_check, scrape, wait_metrics};

use crate::harness::{Env, Exit, code};

#[test]
fn metrics_follow_an_upgrade_from_announcement_to_the_new_node() {
    // Far enough (4 s of 20 ms blocks) that the pending upgrade is seen for a while even when
    // the first admin poll came before the core listened (it is retried 2 s later).
    let env = Env::with_upgrade(200, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor_with(&[("VISOR_METRICS_LISTEN", "0")]);
    let addr = metrics_address(&env.status_file());
    assert!(addr.ip().is_loopback(), "a port alone listens on loopback: {addr}");

    let before = wait_metrics(addr, "the pending upgrade", |m| {
        m.get("visor_upgrade_pending{version=\"v0.2.0\",trigger=\"height\"}") == Some(1.0)
    });
    let build = before.set_member("visor_build_info").expect("build info");
    assert!(build.contains("face=\"visor\"") && build.contains("version=\"v0.1.0\""), "{build}");
    assert_eq!(before.get("visor_up"), Some(1.0));
    assert_eq!(before.get("visor_upgrade_pending_height"), Some(200.0));
    assert_eq!(before.get("visor_switches_total"), Some(0.0));
    promtool_check(&before.text);

    let after = wait_metrics(addr, "the upgrade done", |m| {
        m.get("visor_release_info{release=\"v0.2.0\"}") == Some(1.0)
            && m.get("visor_last_switch_downtime_seconds") > Some(0.0)
    });
    assert_eq!(after.get("visor_switches_total"), Some(1.0));
    assert_eq!(after.get("visor_node_up"), Some(1.0));
    assert_eq!(after.get("visor_node_processes"), Some(1.0));
    assert_eq!(after.set_member("visor_state"), Some("visor_state{state=\"running\"}"));
    assert_eq!(after.get("visor_release_info{release=\"genesis\"}"), None, "only the running release is shown");
    // The phases add up to the downtime, and the stop is one of them.
    let phases: f64 = after.family("visor_last_switch_phase_seconds").iter().map(|(_, v)| v).sum();
    let downtime = after.get("visor_last_switch_downtime_seconds").unwrap();
    assert!((phases - downtime).abs() < 1e-3, "phases {phases} vs downtime {downtime}");
    assert!(after.get("visor_last_switch_phase_seconds{phase=\"stop\"}").is_some());
    assert!(after.get("visor_last_switch_timestamp_seconds") > Some(1.7e9));
    promtool_check(&after.text);

    // Nothing but /metrics is served.
    assert_eq!(get(addr, "/").unwrap().code, 404);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert!(get(addr, "/metrics").is_err(), "the endpoint ends with the visor");
}

#[test]
fn metrics_are_off_unless_asked_for_and_the_config_key_turns_them_on() {
    let env = Env::with_upgrade(100_000, "[metrics]\nlisten = \"127.0.0.1:0\"\n");
    let mut visor = env.start_visor();
    let addr = metrics_address(&env.status_file());
    let metrics = scrape(addr);
    assert!(metrics.get("visor_up") == Some(1.0));
    let text =
        String::from_utf8_lossy(&env.visor(&["status", "--home", env.home.to_str().unwrap()]).stdout).into_owned();
    assert!(text.contains(&format!("metrics:   http://{addr}/metrics")), "{text}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // Without the key, nothing listens.
    env.write_config("");
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    assert!(env.status_json()["metrics"].is_null(), "metrics are off by default");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_metrics_address_in_use_or_invalid_stops_the_start_and_names_the_setting() {
    let env = Env::with_upgrade(100_000, "");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut visor = env.start_visor_with(&[("VISOR_METRICS_LISTEN", &port)]);
    assert_eq!(visor.wait_exit(), code(Exit::Config));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("cannot serve metrics on 127.0.0.1:") && logs.contains("VISOR_METRICS_LISTEN"), "{logs}");
    assert!(env.starts().is_empty(), "the node was not started");

    env.write_config("[metrics]\nlisten = \"localhost:x\"\n");
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::Config));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("[metrics] listen in") && logs.contains("is not a listen address"), "{logs}");
}
