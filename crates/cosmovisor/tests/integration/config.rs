//! The environment and the configuration file, as v1.7 reads them.

use crate::harness::{Exit, World, code};

#[test]
fn every_configuration_error_is_reported_at_once() {
    let mut w = World::new();
    w.init("");
    w.set("DAEMON_NAME", "");
    w.set("UNSAFE_SKIP_BACKUP", "truee");
    w.set("DAEMON_POLL_INTERVAL", "300");
    let out = w.cosmovisor(&["run", "start"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in ["DAEMON_NAME", "UNSAFE_SKIP_BACKUP", "DAEMON_POLL_INTERVAL"] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let mut w = World::new();
    w.set("DAEMON_NAME", "simd");
    let out = w.cosmovisor(&["run", "start"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cosmovisor init"), "a home without cosmovisor/");
}

#[test]
fn the_config_file_is_read_with_the_flag_and_the_environment_wins() {
    let mut w = World::new();
    w.init("");
    let file = w.home.join("cosmovisor/config.toml");
    assert!(file.is_file(), "init writes the configuration");
    let text = std::fs::read_to_string(&file).unwrap().replace("daemon_name = \"simd\"", "daemon_name = \"fromfile\"");
    std::fs::write(&file, text).unwrap();
    w.env.retain(|(k, _)| k != "DAEMON_NAME");
    let out = w.cosmovisor(&["config", "--cosmovisor-config", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("DAEMON_NAME: fromfile"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    w.set("DAEMON_NAME", "simd");
    let out = w.cosmovisor(&["-c", file.to_str().unwrap(), "config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DAEMON_NAME: simd") && text.contains("Derived Values:"), "{text}");
}
