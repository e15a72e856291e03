//! Manual upgrades (`add-upgrade --upgrade-height`, batches): never early, and the node is
//! restarted with `--halt-height` at the lowest so no block past it runs on the old binary.

use nix::sys::signal::Signal;

use std::path::PathBuf;
use std::process::Stdio;

use crate::harness::{Exit, Process, USAGE, World, code, wait_until};

#[test]
fn add_upgrade_with_a_height_halts_the_node_there_and_switches_never_early() {
    let w = World::new();
    w.init("");
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    // 50 blocks (2 s) past where the chain is: room on a loaded machine to read the plan and
    // restart the node with its halt height before the chain passes it.
    wait_until("the chain's height known", || w.height() > 0);
    let height = w.height() + 50;
    let out = w.add_upgrade("Manual1", "v2", &["--upgrade-height", &height.to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // The running node is restarted to stop after that height.
    wait_until("the node runs with its halt height", || w.starts().iter().any(|s| s["haltHeight"] == height));
    assert_eq!(w.current().as_deref(), Some("genesis"), "not before the height");
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/manual1");
    assert_eq!(status["lastSwitch"]["height"], height);
    let exits = w.exits();
    let old = exits.iter().rev().find(|e| e["height"].is_u64()).unwrap();
    assert_eq!(old["height"], height, "the old binary stopped at the height, no block past it");
    wait_until("the new app runs", || w.starts().last().is_some_and(|s| s["version"] == "v2"));
    let last = w.starts().last().cloned().unwrap();
    assert!(last["haltHeight"].is_null(), "no halt height once no manual upgrade is pending: {last}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_batch_is_applied_in_height_order() {
    let w = World::new();
    w.init("");
    let (a, b) = (w.app("v2", ""), w.app("v3", ""));
    let list = format!("second:{}:30,first:{}:15", b.display(), a.display());
    let out = w.cosmovisor(&["add-batch-upgrade", "--upgrade-list", &list]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/first");
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/second");
    assert_eq!(status["lastSwitch"]["height"], 30);
    // The status says the switch is done as the new app is spawned; it records its start a moment later.
    wait_until("the third app runs", || w.starts().len() >= 3);
    let halts: Vec<_> = w.starts().iter().map(|s| s["haltHeight"].clone()).collect();
    assert_eq!(halts, [serde_json::json!(15), serde_json::json!(30), serde_json::Value::Null], "{halts:?}");
    let batch = w.json(&w.home.join("data/upgrade-info.json.batch"));
    assert_eq!(batch, serde_json::json!([]), "applied entries leave the batch");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn batch_upgrades_one_block_apart_are_both_applied() {
    let w = World::new();
    w.init("");
    let (a, b) = (w.app("v2", ""), w.app("v3", ""));
    let list = format!("near:{}:12,nearer:{}:13", a.display(), b.display());
    assert!(w.cosmovisor(&["add-batch-upgrade", "--upgrade-list", &list]).status.success());
    let mut visor = w.start();
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/nearer");
    assert_eq!(status["lastSwitch"]["height"], 13);
    let versions: Vec<_> = w.starts().iter().map(|s| s["version"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(versions.iter().filter(|v| *v == "v2").count(), 1, "v2 ran for its one block: {versions:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn with_the_rpc_off_the_height_comes_from_the_apps_own_status() {
    let mut w = World::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    w.set("COSMOVISOR_RPC_ADDRESS", &format!("http://127.0.0.1:{closed}"));
    w.init("");
    assert!(w.add_upgrade("m", "v2", &["--upgrade-height", "12"]).status.success());
    let mut visor = w.start();
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/m");
    assert_eq!(status["lastSwitch"]["height"], 12);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn add_batch_upgrade_takes_its_flags_with_an_equals_sign() {
    let w = World::new();
    w.init("");
    let a = w.app("v2", "");
    let out = w.cosmovisor(&["add-batch-upgrade", &format!("--upgrade-list=first:{}:15", a.display())]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = w.root.join("batch.csv");
    std::fs::write(&csv, format!("second,{},30\n", w.app("v3", "").display())).unwrap();
    let out = w.cosmovisor(&["add-batch-upgrade", &format!("--upgrade-file={}", csv.display())]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let batch = w.json(&w.home.join("data/upgrade-info.json.batch"));
    assert_eq!(batch, serde_json::json!([{ "name": "first", "height": 15 }, { "name": "second", "height": 30 }]));
    let both = [format!("--upgrade-list=x:{}:40", a.display()), format!("--upgrade-file={}", csv.display())];
    let out = w.cosmovisor(&["add-batch-upgrade", &both[0], &both[1]]);
    assert_eq!(out.status.code(), Some(USAGE));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used together"));
}

/// An app of `version` behind a wrapper: the script drops its first argument (`wrap`).
fn wrapped(w: &World, version: &str) -> PathBuf {
    let script = w.app_script(version, "").replacen("#!/bin/sh\n", "#!/bin/sh\nshift\n", 1);
    let path = w.root.join(format!("wrapped-{version}"));
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    path
}

/// `cosmovisor run wrap start --home $DAEMON_HOME`: the app's first argument is not `start`.
fn start_wrapped(w: &World) -> Process {
    let mut command = w.command();
    command.args(["run", "wrap", "start", "--home"]).arg(&w.home);
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    Process::spawn(command)
}

#[test]
fn an_app_whose_first_argument_is_not_start_is_warned_about_once_per_manual_upgrade() {
    const WARNING: &str = "not `start`, so the halt height of manual upgrade";
    let w = World::new();
    let out = w.cosmovisor(&["init", wrapped(&w, "v1").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut visor = start_wrapped(&w);
    visor.wait_running(&w.status_file());
    assert_eq!(visor.count(WARNING), 0, "no manual upgrade, nothing to warn about");

    // Planned while it runs: said when it is planned, once, though the plan is read again.
    wait_until("the chain's height known", || w.height() > 0);
    let height = w.height() + 25;
    let v2 = wrapped(&w, "v2");
    let out = w.cosmovisor(&["add-upgrade", "m", v2.to_str().unwrap(), "--upgrade-height", &height.to_string()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let warning = visor.wait_log(WARNING);
    for needle in [
        "WARN the app's first argument is `wrap`, not `start`".to_owned(),
        "manual upgrade m cannot be passed to it".to_owned(),
        "may produce blocks past it on the old binary".to_owned(),
        "run `cosmovisor run start <flags>`".to_owned(),
    ] {
        assert!(warning.contains(&needle), "{needle:?} missing from {warning}");
    }
    visor.wait_upgraded(&w.status_file(), "upgrades/m");
    assert_eq!(visor.count(WARNING), 1, "{:?}", visor.logs());
    // Nothing claims a halt height that was not passed, and the app is not restarted for one.
    assert_eq!(visor.count("restarting the node with its new halt height"), 0, "{:?}", visor.logs());
    assert_eq!(visor.count("the node stops after this height"), 0, "{:?}", visor.logs());
    let halts: Vec<_> = w.starts().iter().map(|s| s["haltHeight"].clone()).collect();
    assert!(halts.iter().all(serde_json::Value::is_null), "no --halt-height could be passed: {halts:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // Planned before the start: said at the start, once.
    let v3 = wrapped(&w, "v3");
    let out = w.cosmovisor(&["add-upgrade", "n", v3.to_str().unwrap(), "--upgrade-height", "100000"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let mut again = start_wrapped(&w);
    let warning = again.wait_log(WARNING);
    assert!(warning.contains("manual upgrade n") && warning.contains("height 100000"), "{warning}");
    again.wait_running(&w.status_file());
    assert_eq!(again.count(WARNING), 1, "{:?}", again.logs());
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}
