//! `nymvisor plan`: the queued upgrades with their times and binaries; `plan cancel` takes one
//! out of the queue, a running instance drops it, and the upstream does not queue it again.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, in_seconds, wait_until};

fn add_upgrade(w: &World, name: &str, version: &str, delay: &str) {
    let binary = w.daemon(version, "");
    let out = w.nymvisor(&["add-upgrade", binary.to_str().unwrap(), "--upgrade-name", name, "--upgrade-delay", delay]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
}

fn plan_json(w: &World) -> serde_json::Value {
    let out = w.nymvisor(&["plan", "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("plan -o json prints one JSON document")
}

fn names(plan: &serde_json::Value) -> Vec<String> {
    plan["upgrades"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn plan_lists_queued_upgrades_by_time_with_their_binaries_and_cancel_takes_one_out() {
    let w = World::new();
    w.init();
    let out = w.nymvisor(&["plan"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("release:   genesis (version 1.0.0)") && text.contains("none planned"), "{text}");

    add_upgrade(&w, "later", "1.2.0", "3h");
    add_upgrade(&w, "sooner", "1.1.0", "2h 14m");
    let plan = plan_json(&w);
    assert_eq!(plan["schemaVersion"], 1);
    assert_eq!(plan["running"], false);
    assert_eq!(plan["current"], serde_json::json!({ "release": "genesis", "version": "1.0.0" }));
    assert_eq!(names(&plan), ["sooner", "later"], "earliest first");
    let sooner = &plan["upgrades"][0];
    assert_eq!(sooner["version"], "1.1.0");
    assert_eq!(sooner["release"], "upgrades/sooner");
    assert_eq!(sooner["trigger"]["kind"], "time");
    let left = sooner["trigger"]["secondsLeft"].as_i64().unwrap();
    assert!((7900..=8040).contains(&left), "due in about 2h 14m: {left}");
    assert_eq!(sooner["releaseState"], "present", "add-upgrade put its binary in place");
    assert_eq!(sooner["cancellable"], true);
    assert!(sooner["source"].as_str().unwrap().contains("add-upgrade"), "{sooner}");
    let text = String::from_utf8_lossy(&w.nymvisor(&["plan", "list"]).stdout).into_owned();
    // Whole seconds apart: the second it was queued in may have ended already, or not.
    assert!(text.contains("sooner (version 1.1.0)"), "{text}");
    assert!(text.contains("(in 2h 13m)") || text.contains("(in 2h 14m)"), "{text}");
    assert!(text.contains("upgrades/sooner: present") && text.contains("`plan cancel sooner` removes it"), "{text}");

    // A binary gone: missing, and why it cannot be downloaded.
    std::fs::remove_file(w.data.join("upgrades/later/bin/nym-node")).unwrap();
    let later = &plan_json(&w)["upgrades"][1];
    assert_eq!(later["releaseState"], "missing");
    assert!(later["releaseDetail"].as_str().unwrap().contains("--add-binary"), "{later}");

    let out = w.nymvisor(&["plan", "cancel", "soon"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no upgrade named \"soon\"") && stderr.contains("the planned ones are: sooner, later"),
        "{stderr}"
    );

    let out = w.nymvisor(&["plan", "cancel", "sooner", "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let cancelled: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cancelled["cancelled"]["name"], "sooner");
    assert_eq!(names(&plan_json(&w)), ["later"]);
    let queued: Vec<_> = w.plan()["queuedUp"].as_array().unwrap().iter().map(|q| q["name"].clone()).collect();
    assert_eq!(queued, ["later"], "upgrade-plan.json itself");
    assert!(w.data.join("upgrades/sooner/bin/nym-node").is_file(), "its folder is kept");
    let text = String::from_utf8_lossy(&w.nymvisor(&["plan"]).stdout).into_owned();
    assert!(
        text.contains("note: not performed: sooner (version 1.1.0), cancelled with `nymvisor plan cancel`"),
        "{text}"
    );
}

#[test]
fn a_running_instance_drops_a_cancelled_upgrade_and_applies_the_next() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    nymvisor.wait_running(&w.status_file());
    add_upgrade(&w, "skipped", "1.1.0", "6s");
    nymvisor.wait_own_status(&w.status_file(), "the running instance queued it", |s| s["pending"]["name"] == "skipped");
    let out = w.nymvisor(&["plan", "cancel", "skipped"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("cancelled upgrade skipped (version 1.1.0, at ") && text.contains("add-upgrade"),
        "{text}"
    );
    nymvisor.wait_own_status(&w.status_file(), "the running instance dropped it", |s| s["pending"].is_null());

    // Due after the cancelled one: had it stayed queued, it would have run first.
    add_upgrade(&w, "kept", "1.2.0", "9s");
    let plan = plan_json(&w);
    assert_eq!(names(&plan), ["kept"]);
    assert_eq!(plan["running"], true);
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/kept");
    wait_until("1.2.0 runs", || w.starts().last().is_some_and(|s| s["version"] == "1.2.0"));
    let versions: Vec<_> = w.starts().iter().map(|s| s["version"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(versions, ["1.0.0", "1.2.0"], "1.1.0 never ran");
    let history: Vec<_> =
        w.history()["history"].as_array().unwrap().iter().map(|h| h["info"]["name"].clone()).collect();
    assert!(!history.contains(&serde_json::json!("skipped")), "{history:?}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_upgrade_cancelled_is_not_queued_again_when_the_upstream_announces_it_again() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    w.announce("upstream1", "1.5.0", in_seconds(3600), &w.daemon("1.5.0", ""), |_| {});
    wait_until("the upstream's upgrade queued", || w.plan()["queuedUp"][0]["name"] == "upstream1");
    let plan = plan_json(&w);
    assert!(plan["upgrades"][0]["source"].as_str().unwrap().contains("upstream"), "{plan}");

    let out = w.nymvisor(&["plan", "cancel", "upstream1"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_own_status(&w.status_file(), "the running instance dropped it", |s| s["pending"].is_null());
    // The operator removes its folder too: nothing on disk is left to stop it being queued again.
    let _ = std::fs::remove_dir_all(w.data.join("upgrades/upstream1"));
    w.wait_polls();
    assert_eq!(w.plan()["queuedUp"], serde_json::json!([]), "announced again, not queued again");
    assert_eq!(names(&plan_json(&w)), Vec::<String>::new());
    assert!(nymvisor.own_status(&w.status_file()).is_some_and(|s| s["pending"].is_null()), "still nothing pending");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

/// The running nymvisor holds `upgrade.lock` while it carries out an upgrade: a cancel then is
/// refused (never "cancelled" for an upgrade that goes ahead); one after it finds `current`
/// already at the upgrade and says it is done.
#[test]
fn a_cancel_during_an_upgrade_is_refused_and_after_it_says_it_is_done() {
    let w = World::new();
    w.init();
    add_upgrade(&w, "next", "1.1.0", "3h");
    let lock = visor_core::lock::HomeLock::acquire(&w.data.join("upgrade.lock")).unwrap();
    let out = w.nymvisor(&["plan", "cancel", "next"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("cannot be cancelled now: the running nymvisor is carrying out an upgrade"), "{stderr}");
    assert_eq!(names(&plan_json(&w)), ["next"], "still queued");
    drop(lock);
    std::fs::remove_file(w.data.join("upgrade.lock")).unwrap();

    // `current` at the upgrade's folder: its switch is done, its bookkeeping may lag.
    std::fs::remove_file(w.data.join("current")).unwrap();
    std::os::unix::fs::symlink("upgrades/next", w.data.join("current")).unwrap();
    let out = w.nymvisor(&["plan", "cancel", "next"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("upgrade next is done already"), "{stderr}");
    assert!(!w.data.join("upgrade.lock").exists(), "the lock file a cancel made is gone with it");
}

/// `add-upgrade` says its time in whole seconds; `plan` says a downgrade queued, and a binary
/// that is there without execute bits, looked at and never run.
#[test]
fn plan_says_downgrades_and_binaries_without_execute_bits_and_times_are_whole_seconds() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    w.init();
    let binary = w.daemon("0.9.0", "");
    let out = w.nymvisor(&["add-upgrade", binary.to_str().unwrap(), "--upgrade-name", "old", "--upgrade-delay", "1h"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let time = said.trim().strip_prefix("upgrade old (0.9.0) planned for ").unwrap_or_else(|| panic!("{said}"));
    assert!(time.len() == "2026-12-07T03:42:38Z".len() && time.ends_with('Z') && !time.contains('.'), "{said}");

    let plan = plan_json(&w);
    let notes = plan["notes"].to_string();
    assert!(notes.contains("upgrade old (0.9.0) is a downgrade: 1.0.0 runs now"), "{notes}");
    assert!(notes.contains("`nymvisor plan cancel old`"), "{notes}");
    assert!(plan["upgrades"][0].get("releaseDetail").is_none(), "{plan}");

    let copy = w.data.join("upgrades/old/bin/nym-node");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
    let upgrade = plan_json(&w)["upgrades"][0].clone();
    assert_eq!(upgrade["releaseState"], "present");
    let detail = upgrade["releaseDetail"].as_str().unwrap();
    assert!(
        detail
            .starts_with(&format!("but its binary {} is not executable: nymvisor makes it executable", copy.display())),
        "{detail}"
    );
    let text = String::from_utf8_lossy(&w.nymvisor(&["plan"]).stdout).into_owned();
    assert!(text.contains("upgrades/old: present: but its binary"), "{text}");
}
