//! `cosmovisor check`: the node's home validated without running the app, one line per check
//! with its fix, exit 0 unless something failed.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code};

fn check(w: &World) -> (i32, Vec<serde_json::Value>) {
    let out = w.cosmovisor(&["check", "--output", "json"]);
    let lines = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "check --output json: {e}: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), lines)
}

fn line<'a>(lines: &'a [serde_json::Value], check: &str) -> &'a serde_json::Value {
    lines.iter().find(|l| l["check"] == check).unwrap_or_else(|| panic!("no {check} line in {lines:#?}"))
}

fn detail(line: &serde_json::Value) -> &str {
    line["detail"].as_str().unwrap()
}

#[test]
fn a_good_home_with_its_app_running_checks_all_ok() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v2", "v2", &["--upgrade-height", "100000"]).status.success());
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    // The app says it started once its RPC and gRPC ports listen.
    visor.wait_log("testnode app v1 started");
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert!(lines.iter().all(|l| l["outcome"] == "ok"), "{lines:#?}");
    assert_eq!(
        detail(line(&lines, "release genesis")),
        format!("app binary {} reports version v1", w.home.join("cosmovisor/genesis/bin/simd").display())
    );
    assert!(detail(line(&lines, "upgrade v2")).ends_with("reports version v2"));
    assert!(detail(line(&lines, "node RPC")).contains("answers: the chain is at height"));
    assert!(detail(line(&lines, "node gRPC")).contains("answers"));
    assert!(detail(line(&lines, "lock")).starts_with("a visor runs on this home"));
    let out = w.cosmovisor(&["check"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("0 warnings, 0 failed\n"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn without_the_app_running_its_endpoints_are_warnings_naming_the_variables() {
    let w = World::new();
    w.init("");
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "warnings only: {lines:#?}");
    let rpc = line(&lines, "node RPC");
    assert_eq!(rpc["outcome"], "warn");
    assert!(detail(rpc).contains("not reachable (the app is not running?)"), "{rpc}");
    assert!(rpc["fix"].as_str().unwrap().contains("COSMOVISOR_RPC_ADDRESS"), "{rpc}");
    let grpc = line(&lines, "node gRPC");
    assert_eq!(grpc["outcome"], "warn");
    assert!(grpc["fix"].as_str().unwrap().contains("DAEMON_GRPC_ADDRESS"), "{grpc}");
}

#[test]
fn a_missing_upgrade_binary_and_a_missing_script_fail_with_their_fixes() {
    let mut w = World::new();
    w.init("");
    let list = format!("later:{}:500", w.app("v3", "").display());
    assert!(w.cosmovisor(&["add-batch-upgrade", "--upgrade-list", &list]).status.success());
    std::fs::remove_file(w.home.join("cosmovisor/upgrades/later/bin/simd")).unwrap();
    w.set("COSMOVISOR_CUSTOM_PREUPGRADE", "preupgrade.sh");
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let later = line(&lines, "upgrade later");
    assert_eq!(later["outcome"], "fail");
    assert!(detail(later).contains("upgrades/later/bin/simd is missing (height 500)"), "{later}");
    assert!(later["fix"].as_str().unwrap().contains("cosmovisor add-upgrade later <binary>"), "{later}");
    let script = line(&lines, "pre-upgrade script");
    assert!(detail(script).contains("COSMOVISOR_CUSTOM_PREUPGRADE"), "{script}");

    // A typo'd binary in `current`'s folder: named, with where it must be.
    std::fs::rename(w.home.join("cosmovisor/genesis/bin/simd"), w.home.join("cosmovisor/genesis/bin/simd.old"))
        .unwrap();
    let out = w.cosmovisor(&["check"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL  release genesis") && text.contains("genesis/bin/simd does not exist"), "{text}");
    assert!(text.contains("fix: place the app's binary at"), "{text}");
}

#[test]
fn a_configuration_error_fails_naming_the_variable() {
    let mut w = World::new();
    w.init("");
    w.set("DAEMON_SHUTDOWN_GRACE", "soon");
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let config = line(&lines, "config");
    assert_eq!(config["outcome"], "fail");
    assert!(detail(config).contains("DAEMON_SHUTDOWN_GRACE"), "{config}");
}

#[test]
fn an_unknown_key_is_a_warning_line_with_the_key_meant_and_said_once() {
    let w = World::new();
    w.init("");
    let file = w.home.join("cosmovisor/config.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("daemon_poll_interval =", "daemon_pol_interval =");
    std::fs::write(&file, text).unwrap();
    let out = w.cosmovisor(&["check", "--output", "json", "-c", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "a warning: {}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.stderr.is_empty(),
        "a line of check, not a warning on stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let config: Vec<_> = lines.iter().filter(|l| l["check"] == "config").collect();
    assert_eq!(config.len(), 2, "{config:?}");
    assert_eq!(config[0]["outcome"], "ok", "as the other faces: the rest is valid");
    assert!(detail(config[0]).ends_with("is valid, but for the unknown key below"), "{config:?}");
    assert_eq!(config[1]["outcome"], "warn");
    assert_eq!(detail(config[1]), format!("unknown key `daemon_pol_interval` in {}, ignored", file.display()));
    assert_eq!(config[1]["fix"], "rename it to `daemon_poll_interval`");

    // The other commands say it on stderr, once.
    let out = w.cosmovisor(&["plan", "-c", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("unknown key `daemon_pol_interval`").count(), 1, "{stderr}");
}

#[test]
fn a_failure_of_several_lines_is_one_line_of_check() {
    let mut w = World::new();
    w.init("");
    w.set("DAEMON_SHUTDOWN_GRACE", "soon");
    w.set("UNSAFE_SKIP_BACKUP", "maybe");
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let config = detail(line(&lines, "config"));
    assert!(config.starts_with("the configuration is invalid: "), "{config}");
    assert!(config.contains("1) ") && config.contains("; 2) "), "{config}");
    assert!(
        config.contains("DAEMON_SHUTDOWN_GRACE: \"soon\"") && config.contains("UNSAFE_SKIP_BACKUP: \"maybe\""),
        "{config}"
    );
    assert!(!config.contains('\n'), "{config:?}");
    let out = w.cosmovisor(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().filter(|l| l.contains("UNSAFE_SKIP_BACKUP")).count(), 1, "{text}");
    assert!(
        text.lines().all(|l| l.starts_with("FAIL ") || l.starts_with("      ") || l.starts_with("check failed")),
        "{text}"
    );
}
