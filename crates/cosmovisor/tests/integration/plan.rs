//! `cosmovisor plan`: manual upgrades with their heights and binaries, blocks away while the
//! visor runs; `plan cancel` removes a manual one (the running visor re-reads its plan) and
//! refuses the chain's own.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, wait_until};

fn plan_json(w: &World) -> serde_json::Value {
    let out = w.cosmovisor(&["plan", "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("plan --output json prints one JSON document")
}

fn names(plan: &serde_json::Value) -> Vec<String> {
    plan["upgrades"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect()
}

fn batch(w: &World, list: &[(&str, &str, u64)]) {
    let entries: Vec<String> =
        list.iter().map(|(name, version, h)| format!("{name}:{}:{h}", w.app(version, "").display())).collect();
    let out = w.cosmovisor(&["add-batch-upgrade", "--upgrade-list", &entries.join(",")]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn plan_lists_manual_upgrades_by_height_and_cancel_removes_ours() {
    let w = World::new();
    w.init("");
    batch(&w, &[("second", "v3", 900), ("first", "v2", 800)]);
    let out = w.add_upgrade("Single", "v4", &["--upgrade-height", "700"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));

    let plan = plan_json(&w);
    assert_eq!(plan["schemaVersion"], 1);
    assert_eq!(plan["running"], false);
    assert_eq!(plan["current"]["release"], "genesis");
    assert_eq!(names(&plan), ["single", "first", "second"], "by height");
    let single = &plan["upgrades"][0];
    assert_eq!(single["trigger"], serde_json::json!({ "kind": "height", "height": 700 }));
    assert_eq!(single["release"], "upgrades/single");
    assert_eq!(single["releaseState"], "present");
    assert_eq!(single["cancellable"], true);
    assert!(single["source"].as_str().unwrap().contains("add-upgrade --upgrade-height"), "{single}");
    assert!(plan["upgrades"][1]["source"].as_str().unwrap().contains("upgrade-info.json.batch"));
    let text = String::from_utf8_lossy(&w.cosmovisor(&["plan"]).stdout).into_owned();
    assert!(text.contains("first\n    when:    at height 800\n"), "{text}");
    assert!(text.contains("upgrades/first: present") && text.contains("`plan cancel first` removes it"), "{text}");

    // A binary gone, downloads off: missing, and how to place it.
    std::fs::remove_file(w.home.join("cosmovisor/upgrades/second/bin/simd")).unwrap();
    let second = plan_json(&w)["upgrades"][2].clone();
    assert_eq!(second["releaseState"], "missing");
    assert!(second["releaseDetail"].as_str().unwrap().contains("cosmovisor add-upgrade second <binary>"), "{second}");

    let out = w.cosmovisor(&["plan", "cancel", "third"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the planned ones are: single, first, second"), "{stderr}");

    let out = w.cosmovisor(&["plan", "cancel", "single"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("cancelled upgrade single (at height 700); a running visor")
    );
    assert!(!w.home.join("data/upgrade-info.json").exists(), "the plan add-upgrade wrote is gone");
    let out = w.cosmovisor(&["plan", "cancel", "first", "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let cancelled: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cancelled["cancelled"]["name"], "first");
    assert_eq!(
        w.json(&w.home.join("data/upgrade-info.json.batch")),
        serde_json::json!([{ "name": "second", "height": 900 }])
    );
    assert_eq!(names(&plan_json(&w)), ["second"]);
}

#[test]
fn the_nodes_own_plan_is_shown_and_cannot_be_cancelled() {
    let w = World::new();
    w.init("");
    std::fs::write(w.home.join("data/upgrade-info.json"), r#"{"name":"gov1","height":500}"#).unwrap();
    let plan = plan_json(&w);
    let gov = &plan["upgrades"][0];
    assert_eq!(gov["trigger"], serde_json::json!({ "kind": "node-ready", "height": 500 }));
    assert_eq!(gov["cancellable"], false);
    assert!(gov["source"].as_str().unwrap().contains("written by the node"), "{gov}");
    let out = w.cosmovisor(&["plan", "cancel", "gov1"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be cancelled") && stderr.contains("--unsafe-skip-upgrades 500"), "{stderr}");
    assert!(w.home.join("data/upgrade-info.json").exists(), "untouched");
}

#[test]
fn a_running_visor_rereads_the_batch_after_a_cancel_and_never_halts_at_its_height() {
    let w = World::new();
    w.init("");
    batch(&w, &[("dropped", "v2", 150), ("kept", "v3", 200)]);
    let mut visor = w.start();
    visor.wait_running(&w.status_file());
    // The app records its start itself, a moment after the visor says it runs.
    wait_until("the app records its start", || !w.starts().is_empty());
    assert_eq!(w.starts()[0]["haltHeight"], 150, "the node was told to stop at the first height");
    // Blocks away, once the node's RPC answers.
    let mut plan = serde_json::Value::Null;
    wait_until("the chain's height known", || {
        plan = plan_json(&w);
        plan["chainHeight"].is_u64()
    });
    let (chain, left) = (plan["chainHeight"].as_i64().unwrap(), plan["upgrades"][0]["trigger"]["blocksLeft"].as_i64());
    assert_eq!(plan["upgrades"][0]["name"], "dropped", "{plan}");
    assert_eq!(left, Some(150 - chain), "{plan}");
    let text = String::from_utf8_lossy(&w.cosmovisor(&["plan"]).stdout).into_owned();
    assert!(text.contains("at height 150 (in ") && text.contains(" blocks)"), "{text}");

    let out = w.cosmovisor(&["plan", "cancel", "dropped"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    wait_until("the node restarted to stop at the next height", || w.starts().iter().any(|s| s["haltHeight"] == 200));
    let status = visor.wait_upgraded(&w.status_file(), "upgrades/kept");
    assert_eq!(status["lastSwitch"]["height"], 200);
    wait_until("the new app runs", || w.starts().last().is_some_and(|s| s["version"] == "v3"));
    let versions: Vec<_> = w.starts().iter().map(|s| s["version"].as_str().unwrap_or_default().to_owned()).collect();
    assert!(!versions.contains(&"v2".to_owned()), "the cancelled upgrade never ran: {versions:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_error_with_json_output_is_said_as_the_other_faces_say_it() {
    // As `visor plan cancel nosuch -o json`: the reason on stderr, the exit code by its name,
    // nothing on stdout for a script to mistake for an answer.
    let w = World::new();
    w.init("");
    for args in [&["plan", "cancel", "nosuch", "-o", "json"][..], &["plan", "cancel", "nosuch", "--output=json"]] {
        let out = w.cosmovisor(args);
        assert_eq!(out.status.code(), Some(code(Exit::Config)), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr, "Error: no upgrade named \"nosuch\" is planned: no upgrade is planned at all\n");
    }
}
