//! The core's admin endpoint misbehaving: every failed poll counts against the connection
//! budget, and when it is spent the visor stops the node and exits with code 5.

use crate::harness::{Env, alive};
use crate::harness::{Exit, code};

/// Runs a core whose admin endpoint misbehaves as `core_extra` says; returns the visor's logs.
fn unreachable_core(core_extra: &[&str], retries: u64) -> String {
    let env = Env::empty();
    env.write_config(&format!("maxNumberOfFirstConnectionRetries = {retries}\n"));
    let mut args = env.core_args(core_extra);
    if core_extra.contains(&"--no-socket") {
        // Nothing listens on the configured socket.
        let i = args.iter().position(|a| a == "--socket").unwrap();
        args.drain(i..i + 2);
        args.retain(|a| a != "--no-socket");
    }
    env.release("genesis", "v0.1.0", &args, None);
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_exit(), code(Exit::Unreachable), "connection budget exhausted");
    let logs = visor.logs().join("\n");
    assert_eq!(visor.count("waiting for the core's admin endpoint"), retries as usize, "{logs}");
    assert!(
        logs.contains("stayed unreachable beyond the connection budget (maxNumberOfFirstConnectionRetries)"),
        "{logs}"
    );
    let core = env.starts_of("core");
    assert_eq!(core.len(), 1);
    assert!(!alive(core[0]["pid"].as_i64().unwrap() as i32), "the node is stopped before the visor exits");
    logs
}

#[test]
fn missing_admin_socket() {
    let logs = unreachable_core(&["--no-socket"], 1);
    assert!(logs.contains("cannot connect to the admin socket"), "{logs}");
}

#[test]
fn admin_answers_garbage() {
    let logs = unreachable_core(&["--admin-mode", "garbage"], 1);
    assert!(logs.contains("not a JSON-RPC answer"), "{logs}");
}

#[test]
fn admin_answers_http_500() {
    let logs = unreachable_core(&["--admin-mode", "http500"], 1);
    assert!(logs.contains("HTTP 500"), "{logs}");
}

#[test]
fn admin_answers_a_json_rpc_error() {
    let logs = unreachable_core(&["--admin-mode", "error"], 1);
    assert!(logs.contains("answered an error"), "{logs}");
}

#[test]
fn admin_hangs_and_the_request_times_out() {
    let logs = unreachable_core(&["--admin-mode", "hang"], 1);
    assert!(logs.contains("did not answer within 5000 ms"), "{logs}");
}

/// A socket path that names nothing (a typo in `vega.rpc.socketPath`): the visor says it once
/// while the core may still be opening its socket, then warns naming both settings to compare,
/// and repeats the warning ever more rarely — never once per poll. `status` shows it.
#[test]
fn a_wrong_socket_path_is_warned_about_naming_the_settings() {
    let env = Env::empty();
    env.write_config("");
    let args = env.core_args(&[]);
    env.release("genesis", "v0.1.0", &args, None);
    // The release's run configuration names another socket than the one the core opens.
    let config = env.home.join("genesis/run-config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let wrong = env.socket.with_extension("typo");
    let line = format!("socketPath = {:?}", env.socket.to_str().unwrap());
    assert!(text.contains(&line), "{text}");
    std::fs::write(&config, text.replace(&line, &format!("socketPath = {:?}", wrong.to_str().unwrap()))).unwrap();
    let visor = env.start_visor();

    let status = env.wait_status("the admin endpoint unreachable", |s| s["admin"]["state"] == "unreachable");
    assert_eq!(status["state"], "running", "the node itself runs");
    assert!(status["admin"]["unreachableSince"].is_string(), "{status}");
    assert!(status["admin"]["error"].as_str().unwrap().contains(wrong.to_str().unwrap()), "{status}");
    let out = env.visor(&["status", "--home", env.home.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("admin endpoint: unreachable since"), "{text}");

    let warning = visor.wait_log("the core's admin endpoint does not answer");
    assert!(warning.contains("WARN"), "{warning}");
    assert!(warning.contains("`vega.rpc.socketPath` in genesis/run-config.toml"), "{warning}");
    assert!(warning.contains("`[Admin.Server] SocketPath`"), "{warning}");
    // Every poll failed (one each 2 s), but the log said so twice: once at the first failure,
    // once as the warning after the grace period.
    assert_eq!(visor.count("waiting for the core's admin endpoint"), 1, "{}", visor.logs().join("\n"));
    assert_eq!(visor.count("does not answer"), 1, "{}", visor.logs().join("\n"));
    let status = env.status_json();
    assert!(status["admin"]["failures"].as_u64().unwrap() >= 5, "{status}");
}
