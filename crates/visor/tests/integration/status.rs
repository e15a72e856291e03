//! `visor status`, while `run` runs and when it does not.

use nix::sys::signal::Signal;

use crate::harness::Env;
use crate::harness::{Exit, code};

#[test]
fn status_reports_processes_pending_upgrade_and_stops_reporting_when_the_visor_ends() {
    let env = Env::with_upgrade(100_000, "");
    let home = env.home.to_str().unwrap().to_owned();
    let out = env.visor(&["status", "--home", &home]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not running"));

    let mut visor = env.start_visor();
    visor.wait_log("but its release folder is missing");
    let status = env.wait_status("the pending upgrade shown", |s| s["pending"]["version"] == "v0.2.0");
    assert_eq!(status["running"], true);
    assert_eq!(status["visorPid"], visor.pid());
    assert_eq!(status["release"], "genesis");
    let core = &env.starts_of("core")[0];
    assert_eq!(status["processes"][0]["pid"], core["pid"]);
    assert_eq!(status["pending"]["version"], "v0.2.0");
    assert_eq!(status["pending"]["height"], 100_000);
    assert_eq!(status["pending"]["folderPresent"], false);
    let text = String::from_utf8_lossy(&env.visor(&["status", "--home", &home]).stdout).into_owned();
    assert!(
        text.contains("running (pid") && text.contains("v0.2.0 at height 100000") && text.contains("MISSING"),
        "{text}"
    );

    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let status = env.status_json();
    assert_eq!(status["running"], false);
    assert_eq!(status["release"], "genesis");
    assert!(status["processes"].as_array().unwrap().is_empty());
}

#[test]
fn json_logs_are_one_object_per_line() {
    let env = Env::with_upgrade(100_000, "");
    let mut command = std::process::Command::new(crate::harness::visor_bin());
    command.args(["--log-format", "json", "run", "--home"]).arg(&env.home);
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut visor = crate::harness::Visor::spawn(command);
    let line = visor.wait_log("started process");
    let json: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(json["role"], "core");
    assert!(json["pid"].is_u64());
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn probes_answer_by_their_exit_code() {
    let env = Env::with_upgrade(100_000, "restartsDelaySeconds = 60\n");
    // The first start fails: the visor waits a minute before the next, and is live but not ready.
    let args = env.core_args(&["--crash-first", "1"]);
    env.release("genesis", "v0.1.0", &args, None);
    let home = env.home.to_str().unwrap().to_owned();
    let probe = |which: &str| env.visor(&["status", "--home", &home, "--probe", which]);

    let out = probe("live");
    assert_eq!(out.status.code(), Some(code(Exit::NotReady)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no visor runs on"), "{out:?}");
    assert!(out.stdout.is_empty());

    let mut visor = env.start_visor();
    env.wait_status("the restart delay", |s| s["state"] == "restart-delay");
    assert_eq!(probe("live").status.code(), Some(code(Exit::Clean)));
    let out = probe("ready");
    assert_eq!(out.status.code(), Some(code(Exit::NotReady)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the node is not running: restart-delay"), "{out:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    env.release("genesis", "v0.1.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    assert_eq!(probe("ready").status.code(), Some(code(Exit::Clean)));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(probe("live").status.code(), Some(code(Exit::NotReady)));
}

#[test]
fn watch_prints_one_document_per_change() {
    use std::io::BufRead;
    let env = Env::with_upgrade(100_000, "");
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    let mut watch = std::process::Command::new(crate::harness::visor_bin())
        .args(["status", "--home", env.home.to_str().unwrap(), "--watch", "--interval", "100ms", "--output", "json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(watch.stdout.take().unwrap()).lines();
    let mut next = || -> serde_json::Value {
        let line = lines.next().expect("a document per change").unwrap();
        let doc = serde_json::from_str(&line).expect("one JSON document per line");
        testnode::tooling::assert_status_schema(&doc);
        doc
    };
    let mut doc = next();
    while doc["state"] != "running" {
        doc = next();
    }
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    while doc["running"] != false {
        doc = next();
    }
    assert_eq!(doc["state"], "not running");
    let _ = watch.kill();
    let _ = watch.wait();
}
