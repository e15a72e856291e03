//! Hot reload of `config.toml`: in-place and rename saves, invalid edits, SIGHUP.

use nix::sys::signal::Signal;

use crate::harness::Env;
use crate::harness::{Exit, code};

/// Saves `text` the way vim, ansible or `mv` do: a temporary file renamed over the original.
fn save_by_rename(env: &Env, text: &str) {
    let tmp = env.home.join(".config.toml.swp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, env.home.join("config.toml")).unwrap();
}

/// Saves `text` in place: truncate, then write, as many editors do.
fn save_in_place(env: &Env, text: &str) {
    std::fs::write(env.home.join("config.toml"), text).unwrap();
}

fn config(mapping: &str) -> String {
    format!("{}[upgradeFolders]\n\"v0.2.0\" = {mapping:?}\n", crate::harness::FAST_CONFIG)
}

#[test]
fn rename_saves_are_seen_and_invalid_edits_keep_the_previous_settings() {
    let env = Env::with_upgrade(10, "");
    save_in_place(&env, &config("missing"));
    env.release("real", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    // The mapping points to a missing folder: the node stops at the upgrade point and waits.
    visor.wait_logs("waiting for the release", 1);

    save_by_rename(&env, "maxNumberOfRestarts = [\n");
    let error = visor.wait_log("configuration not reloaded, keeping the previous settings");
    assert!(error.contains("config.toml: invalid TOML"), "{error}");
    visor.wait_logs("waiting for the release", 2);
    assert_eq!(env.current().as_deref(), Some("genesis"));

    // Several rename saves in a row: each is seen (the watch is on the folder, not the inode).
    save_by_rename(&env, &config("still-missing"));
    visor.wait_log("configuration reloaded");
    visor.wait_log("still-missing");
    save_by_rename(&env, &config("real"));
    visor.wait_upgraded(&env.status_file(), "real");
    assert_eq!(env.current().as_deref(), Some("real"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn in_place_saves_and_sighup_reload() {
    let env = Env::with_upgrade(100_000, "");
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    save_in_place(
        &env,
        &format!("{}maxNumberOfRestarts = 7\n", crate::harness::FAST_CONFIG.replace("maxNumberOfRestarts = 3\n", "")),
    );
    visor.wait_log("configuration reloaded");

    // An invalid file and SIGHUP: the reload it asks for fails and says so.
    save_in_place(&env, "maxNumberOfRestarts = -2\n");
    visor.wait_log("configuration not reloaded");
    visor.signal(Signal::SIGHUP);
    let line = visor.wait_log("origin=\"SIGHUP\"");
    assert!(line.contains("not reloaded") && line.contains("maxNumberOfRestarts"), "{line}");
    assert_eq!(env.starts_of("core").len(), 1, "a config change never restarts the node");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn restart_connection_retries_reload_and_apply_at_the_restart() {
    let env = Env::empty();
    env.write_config("maxNumberOfRestarts = 5\nmaxNumberOfRestartConnectionRetries = 1000\n");
    let crash = env.data.join("crash-now");
    let crash_arg = crash.display().to_string();
    env.release("genesis", "v0.1.0", &env.core_args(&["--exit-on-file", &crash_arg, "--exit-code", "1"]), None);
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    // Both edits land before the crash: the restarted core has no admin socket, and the budget
    // after a restart is now 0, so its first failed poll ends the run.
    env.write_config("maxNumberOfRestarts = 5\nmaxNumberOfRestartConnectionRetries = 0\n");
    visor.wait_log("configuration reloaded");
    let mut args = env.core_args(&[]);
    let i = args.iter().position(|a| a == "--socket").unwrap();
    args.drain(i..i + 2);
    std::fs::write(env.home.join("genesis/run-config.toml"), env.run_config("genesis", &args, None)).unwrap();
    std::fs::write(&crash, "").unwrap();
    assert_eq!(visor.wait_exit(), code(Exit::Unreachable));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("(maxNumberOfRestartConnectionRetries)"), "{logs}");
    // The visor's own count: the restarted core may be stopped before it records its start.
    assert_eq!(visor.count("started process"), 2, "{logs}");
}
