//! The instance: init, configuration and environment, build information, two nymvisors on
//! the same data, a signal during the backup.

use nix::sys::signal::Signal;

use crate::harness::{Exit, code};
use crate::harness::{World, alive, in_seconds};

#[test]
fn init_creates_the_documented_layout() {
    let w = World::new();
    w.init();
    for path in ["genesis/bin/nym-node", "genesis/upgrade-info.json", "upgrade-plan.json", "upgrades"] {
        assert!(w.data.join(path).exists(), "{path}");
    }
    assert_eq!(w.current().as_deref(), Some("genesis"));
    let config = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    assert!(config.is_file());
    let genesis = w.json(&w.data.join("genesis/upgrade-info.json"));
    assert_eq!(genesis["manual"], true);
    assert_eq!(genesis["upgradeTime"], "1970-01-01T00:00:00Z");
    assert!(genesis["publishDate"].is_null());
    let current = w.json(&w.daemon_home.join("nymvisor/current-version-info.json"));
    assert_eq!((current["name"].as_str(), current["version"].as_str()), (Some("genesis"), Some("1.0.0")));

    let out = w.nymvisor(&["config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("daemon name:                       nym-node"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "--output", "json"]).stdout).unwrap();
    assert_eq!(json["daemon"]["restart_on_failure"], true, "the guide's default");
    let daemon: serde_json::Value =
        serde_json::from_slice(&w.nymvisor(&["daemon-build-info", "-o", "json"]).stdout).unwrap();
    assert_eq!(daemon["build_version"], "1.0.0");
    let own = String::from_utf8_lossy(&w.nymvisor(&["build-info"]).stdout).into_owned();
    assert!(own.contains("Binary Name:        nymvisor"), "{own}");
    let short = String::from_utf8_lossy(&w.nymvisor(&["-V"]).stdout).into_owned();
    assert!(short.starts_with("nymvisor "), "{short}");
    let again = w.nymvisor(&["init", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert!(!again.status.success(), "a second init refuses to overwrite");
}

#[test]
fn invalid_environment_values_name_the_variable_and_start_nothing() {
    let w = World::new();
    w.init();
    for (name, value, expected) in [
        ("DAEMON_RESTART_ON_FAILURE", "maybe", "true, false, 1 or 0"),
        ("DAEMON_SHUTDOWN_GRACE_PERIOD", "soon", "10s"),
        ("DAEMON_MAX_STARTUP_FAILURES", "many", "whole number"),
        ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "nope", "true, false"),
    ] {
        let mut nymvisor = w.start_with(&[], &[(name, value)]);
        assert_eq!(nymvisor.wait_exit(), code(Exit::Config), "{name}");
        let logs = nymvisor.logs().join("\n");
        assert!(logs.contains(name) && logs.contains(value) && logs.contains(expected), "{logs}");
    }
    assert!(w.starts().is_empty());
}

#[test]
fn an_env_file_given_with_c_overrides_the_environment() {
    let w = World::new();
    w.init();
    let file = w.root.join("nym.env");
    std::fs::write(&file, "DAEMON_SHUTDOWN_GRACE_PERIOD=42s\n").unwrap();
    let out = w.nymvisor(&["-c", file.to_str().unwrap(), "config", "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["daemon"]["shutdown_grace_period"], "42s");
}

#[test]
fn two_nymvisors_on_the_same_daemon_data_are_refused() {
    let w = World::new();
    w.init();
    let mut first = w.start();
    first.wait_running(&w.status_file());
    let mut second = w.start();
    assert_eq!(second.wait_exit(), code(Exit::Locked));
    assert!(second.logs().join("\n").contains("another visor is already running"));
    assert_eq!(w.starts().len(), 1);
    first.signal(Signal::SIGTERM);
    assert_eq!(first.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_signal_during_the_backup_cancels_it_and_the_upgrade_happens_at_the_next_start() {
    let w = World::new();
    // Enough incompressible data that the backup takes a while.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let blob: Vec<u8> = (0..(96 << 20))
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(w.daemon_home.join("data/blob"), blob).unwrap();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    w.announce("v1.1.0", "1.1.0", in_seconds(0), &w.daemon("1.1.0", ""), |_| {});
    nymvisor.wait_log("backing up the node's data");
    nymvisor.signal(Signal::SIGTERM);
    nymvisor.wait_log("cancelling the backup");
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.current().as_deref(), Some("genesis"), "no switch without a finished backup");
    assert!(w.backups("v1.1.0").is_empty(), "no partial archive left: {:?}", w.backups("v1.1.0"));
    assert!(!alive(w.starts()[0]["pid"].as_i64().unwrap() as i32));

    let mut again = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    again.wait_upgraded(&w.status_file(), "upgrades/v1.1.0");
    assert_eq!(w.current().as_deref(), Some("upgrades/v1.1.0"));
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}

#[test]
fn config_discovery_follows_the_guide() {
    let mut w = World::new();
    w.init();
    // A second instance of the same daemon, made with the guide's flags.
    w.extra_env.push(("DAEMON_HOME".to_owned(), String::new()));
    let other_home = w.root.join("other-home");
    let binary = w.daemon("1.0.0", "");
    let out = w.nymvisor(&[
        "init",
        "--id",
        "second",
        "--daemon-home",
        other_home.to_str().unwrap(),
        "--upgrade-data-directory",
        w.root.join("other-data").to_str().unwrap(),
        binary.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = w.nymvisor(&["config"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 instances found") && stderr.contains("NYMVISOR_ID"), "{stderr}");

    w.extra_env.push(("NYMVISOR_ID".to_owned(), "second".to_owned()));
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "-o", "json"]).stdout).unwrap();
    assert_eq!(json["nymvisor"]["id"], "second");
    assert_eq!(json["daemon"]["home"], other_home.to_str().unwrap());

    let path = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    w.extra_env.push(("NYMVISOR_CONFIG_PATH".to_owned(), path.display().to_string()));
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "-o", "json"]).stdout).unwrap();
    assert_eq!(json["daemon"]["home"], w.daemon_home.to_str().unwrap(), "NYMVISOR_CONFIG_PATH comes first");
    assert_eq!(json["nymvisor"]["id"], "second", "and NYMVISOR_ID still overrides the id key");
}
