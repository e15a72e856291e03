//! `visor plan`: what the core announced, its trigger and release; `plan cancel` refuses, as
//! Vega upgrades are the network's.

use nix::sys::signal::Signal;

use crate::harness::{Env, Exit, code};

fn plan(env: &Env, args: &[&str]) -> std::process::Output {
    let home = env.home.to_str().unwrap();
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--home", home]);
    env.visor(&all)
}

fn plan_json(env: &Env) -> serde_json::Value {
    let out = plan(env, &["--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("plan --output json prints one JSON document")
}

#[test]
fn plan_shows_the_announced_upgrade_its_height_and_release_and_cancel_refuses_by_name() {
    let env = Env::with_upgrade(100_000, "");

    // No visor: nothing can be known, and the text says why.
    let out = plan(&env, &[]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not running") && text.contains("release:   genesis (version v0.1.0)"), "{text}");
    assert!(text.contains("none planned") && text.contains("admin RPC while `visor run` runs it"), "{text}");
    let doc = plan_json(&env);
    assert_eq!(doc["running"], false);
    assert_eq!(doc["upgrades"], serde_json::json!([]));

    let mut visor = env.start_visor();
    env.wait_status("the core's announcement", |s| s["pending"]["version"] == "v0.2.0");
    let doc = plan_json(&env);
    assert_eq!(doc["schemaVersion"], 1);
    assert_eq!(doc["running"], true);
    assert_eq!(doc["visorPid"], visor.pid());
    assert_eq!(doc["current"]["release"], "genesis");
    let upgrade = &doc["upgrades"][0];
    assert_eq!(upgrade["name"], "v0.2.0");
    assert_eq!(upgrade["version"], "v0.2.0");
    assert_eq!(upgrade["release"], "v0.2.0");
    assert_eq!(upgrade["trigger"]["kind"], "node-ready");
    assert_eq!(upgrade["trigger"]["height"], 100_000);
    assert_eq!(upgrade["releaseState"], "missing");
    assert!(upgrade["releaseDetail"].as_str().unwrap().contains("autoInstall is off"), "{upgrade}");
    assert_eq!(upgrade["cancellable"], false);
    let text = String::from_utf8_lossy(&plan(&env, &["list"]).stdout).into_owned();
    assert!(text.contains("running (pid"), "{text}");
    assert!(text.contains("when the node halts at height 100000"), "{text}");
    assert!(text.contains("v0.2.0: MISSING") && text.contains("the core's admin RPC"), "{text}");

    // The release put in place is seen as present.
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    assert_eq!(plan_json(&env)["upgrades"][0]["releaseState"], "present");

    // Cancel: refused with why and what to do instead; an unknown name lists the known ones.
    let out = plan(&env, &["cancel", "v0.2.0"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("visor cannot cancel Vega upgrades") && stderr.contains("validators"), "{stderr}");
    assert!(stderr.contains("upgradeFolders"), "what to do instead: {stderr}");
    let out = plan(&env, &["cancel", "v9.9.9"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no upgrade named \"v9.9.9\"") && stderr.contains("the planned ones are: v0.2.0"),
        "{stderr}"
    );
    // Nothing changed: the upgrade is still announced and the visor still runs.
    assert_eq!(env.status_json()["pending"]["version"], "v0.2.0");

    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn plan_without_a_home_says_how_to_give_it() {
    let env = Env::empty();
    let out = env.visor(&["plan"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--home"), "{out:?}");
}
