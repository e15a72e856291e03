//! `visor plan`: what the core announced, its trigger and release; `plan cancel` refuses, as
//! Vega upgrades are the network's.

use nix::sys::signal::Signal;

use crate::harness::{Env, Exit, code, wait_until};

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

/// A release folder that is there is said present only when its files can run: a binary the
/// run configuration names that is missing or not executable is said with its fix, from the
/// files alone (nothing is run).
#[test]
fn a_present_release_whose_binary_cannot_run_is_said_so_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::with_upgrade(100_000, "");
    let mut visor = env.start_visor();
    env.wait_status("the core's announcement", |s| s["pending"]["version"] == "v0.2.0");
    let dir = env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let run_config = dir.join("run-config.toml");
    let good = std::fs::read_to_string(&run_config).unwrap();
    std::fs::write(&run_config, good.replace("path = \"testnode\"", "path = \"vgea\"")).unwrap();
    let upgrade = plan_json(&env)["upgrades"][0].clone();
    assert_eq!(upgrade["releaseState"], "present");
    let detail = upgrade["releaseDetail"].as_str().unwrap();
    assert!(
        detail.starts_with(&format!("but its core binary {} does not exist: ", dir.join("vgea").display())),
        "{detail}"
    );
    assert!(detail.contains("[vega.binary]") && detail.contains(&run_config.display().to_string()), "{detail}");
    let text = String::from_utf8_lossy(&plan(&env, &[]).stdout).into_owned();
    assert!(text.contains("v0.2.0: present: but its core binary"), "{text}");

    // A file without execute bits.
    std::fs::write(dir.join("vgea"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(dir.join("vgea"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let detail = plan_json(&env)["upgrades"][0]["releaseDetail"].as_str().unwrap().to_owned();
    assert!(detail.ends_with(&format!("is not executable: `chmod +x {}`", dir.join("vgea").display())), "{detail}");

    std::fs::write(&run_config, good).unwrap();
    let upgrade = plan_json(&env)["upgrades"][0].clone();
    assert_eq!(upgrade["releaseState"], "present");
    assert!(upgrade.get("releaseDetail").is_none(), "{upgrade}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

/// The current release's version is what is known of it without running it: nothing for a home
/// `visor init` made (its genesis is named "genesis", its folder), the version the switch to it
/// brought once it ran.
#[test]
fn the_current_version_is_the_releases_never_its_folders_name() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    assert_eq!(env.visor(&["init", "--home", home]).status.code(), Some(code(Exit::Clean)));
    assert_eq!(plan_json(&env)["current"], serde_json::json!({ "release": "genesis" }));
    let text = String::from_utf8_lossy(&plan(&env, &[]).stdout).into_owned();
    assert!(text.contains("release:   genesis\n"), "{text}");

    // After a switch, the version the switch brought, whatever the run configuration's free-text
    // `name` says.
    let env = Env::with_upgrade(10, "");
    let dir = env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let run_config = dir.join("run-config.toml");
    let text = std::fs::read_to_string(&run_config).unwrap().replace("name = \"v0.2.0\"", "name = \"genesis\"");
    std::fs::write(&run_config, text).unwrap();
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    wait_until("the switch recorded", || env.history()["switches"][0]["version"] == "v0.2.0");
    assert_eq!(plan_json(&env)["current"], serde_json::json!({ "release": "v0.2.0", "version": "v0.2.0" }));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
