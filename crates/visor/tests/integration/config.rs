//! Bad configuration: every error names the file, the key and the fix, and nothing starts.

use crate::harness::Env;
use crate::harness::{Exit, code};

fn run_expecting_config_error(env: &Env) -> String {
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::Config), "configuration error exit code");
    assert!(env.starts().is_empty(), "nothing may start on a configuration error");
    visor.logs().join("\n")
}

#[test]
fn malformed_config_toml_is_refused_with_the_line() {
    let env = Env::with_upgrade(1000, "");
    std::fs::write(env.home.join("config.toml"), "maxNumberOfRestarts = 3\nstopDelaySeconds = [\n").unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("config.toml: invalid TOML at line 2"), "{logs}");
}

#[test]
fn wrong_types_in_config_toml_name_the_key_and_value() {
    let env = Env::with_upgrade(1000, "maxNumberOfRestarts = \"three\"\n");
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("key `maxNumberOfRestarts`") && logs.contains("three"), "{logs}");

    env.write_config("stopSignalTimeoutSeconds = -1\n");
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("stopSignalTimeoutSeconds") && logs.contains("-1") && logs.contains("≥ 0"), "{logs}");
}

#[test]
fn legacy_auto_install_table_says_how_to_rewrite_it() {
    let env = Env::with_upgrade(
        1000,
        "[autoInstall]\nenabled = true\n[autoInstall.assets]\n  [autoInstall.assets.vega]\n    asset_name = \"vega-linux-amd64.zip\"\n    binary_name = \"vega\"\n",
    );
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("autoInstall.assets") && logs.contains("[autoInstall.asset]"), "{logs}");
    assert!(logs.contains("binaryName = \"vega\""), "{logs}");
}

#[test]
fn unknown_keys_are_warned_about_with_the_key_meant_and_the_node_runs() {
    let env = Env::with_upgrade(100_000, "maxNumberOfRestart = 3\n[autoInstall]\nenabeld = false\nzzz = 1\n");
    let run_config = env.home.join("genesis/run-config.toml");
    let text = std::fs::read_to_string(&run_config)
        .unwrap()
        .replace("httpPath = \"/rpc\"", "httpPath = \"/rpc\"\n    socketPth = \"x\"");
    std::fs::write(&run_config, text).unwrap();
    let config = env.home.join("config.toml").display().to_string();
    let mut visor = env.start_visor();
    let line = visor.wait_log("maxNumberOfRestart`");
    assert!(
        line.contains(&format!(
            "unknown key `maxNumberOfRestart` in {config}, ignored; did you mean `maxNumberOfRestarts`?"
        )),
        "{line}"
    );
    let line = visor.wait_log("autoInstall.enabeld");
    assert!(line.contains("did you mean `autoInstall.enabled`?"), "{line}");
    let line = visor.wait_log("unknown key `autoInstall.zzz`");
    assert!(line.contains("ignored; check its spelling"), "nothing close: no guess: {line}");
    let line = visor.wait_log("vega.rpc.socketPth");
    assert!(
        line.contains(&format!("in {}, ignored; did you mean `vega.rpc.socketPath`?", run_config.display())),
        "{line}"
    );
    visor.wait_running(&env.status_file());
    visor.signal(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn malformed_run_config_and_wrong_types_are_refused() {
    let env = Env::with_upgrade(1000, "");
    let file = env.home.join("genesis/run-config.toml");
    std::fs::write(&file, "[vega\n").unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("genesis/run-config.toml: invalid TOML at line 1"), "{logs}");

    std::fs::write(
        &file,
        "[vega.binary]\npath = \"testnode\"\nargs = \"start\"\n[vega.rpc]\nsocketPath = \"/x\"\nhttpPath = \"/rpc\"\n",
    )
    .unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("key `vega.binary.args`"), "{logs}");
    assert!(env.current().is_none(), "`current` is not created for an invalid genesis");
}

#[test]
fn empty_socket_path_is_refused() {
    let env = Env::with_upgrade(1000, "");
    let file = env.home.join("genesis/run-config.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let socket = format!("socketPath = {:?}", env.socket.display().to_string());
    std::fs::write(&file, text.replace(&socket, "socketPath = \"\"")).unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("vega.rpc.socketPath` is empty"), "{logs}");
}

#[test]
fn missing_and_non_executable_binaries_are_refused() {
    let env = Env::with_upgrade(1000, "");
    let bin = env.home.join("genesis/testnode");
    std::fs::remove_file(&bin).unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("genesis/testnode does not exist"), "{logs}");

    std::fs::write(&bin, b"#!/bin/sh\n").unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("is not an executable file") && logs.contains("chmod +x"), "{logs}");
}

#[test]
fn a_dangling_current_is_refused_not_replaced_by_genesis() {
    let env = Env::with_upgrade(1000, "");
    std::os::unix::fs::symlink("v9.9.9", env.home.join("current")).unwrap();
    let logs = run_expecting_config_error(&env);
    assert!(logs.contains("`current` points to a folder that does not exist") && logs.contains("v9.9.9"), "{logs}");
    assert_eq!(env.current().as_deref(), Some("v9.9.9"), "left as the operator made it");
}

#[test]
fn a_missing_home_is_a_configuration_error() {
    let env = Env::empty();
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::Config));
    assert!(visor.logs().join("\n").contains("visor init"));
}
