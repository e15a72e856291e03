//! Upgrades: announced upstream, staged at once, performed at their time with a backup and a
//! history entry; `add-upgrade --now` against a running instance; manual upgrades.

use nix::sys::signal::Signal;

use crate::harness::{Exit, USAGE, code};
use crate::harness::{World, in_seconds, read_jsonl, wait_until};

#[test]
fn an_announced_upgrade_is_staged_at_once_and_performed_at_its_time_with_backup_and_history() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&["--id", "default-nym-node"], &[]);
    nymvisor.wait_running(&w.status_file());
    // Due in 6 s: room on a loaded machine to poll, download and verify it first.
    w.announce("v1.1.0", "1.1.0", in_seconds(6), &w.daemon("1.1.0", ""), |_| {});

    let queued = nymvisor.wait_log("upgrade v1.1.0 (1.1.0) queued for");
    assert!(!queued.is_empty());
    let staged = nymvisor.wait_log("release staged ahead of the upgrade");
    assert!(staged.contains("verified=true"), "{staged}");
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/v1.1.0");
    nymvisor.wait_log("switched `current`");
    let logs = nymvisor.logs();
    let at = |needle: &str| logs.iter().position(|l| l.contains(needle)).unwrap();
    assert!(at("release staged ahead") < at("the planned upgrade is due"), "staged before it was due");
    assert!(at("backup done") < at("switched `current`"));

    wait_until("the new daemon runs", || w.starts().len() == 2);
    let starts = w.starts();
    assert_eq!(starts[1]["version"], "1.1.0");
    assert_eq!(starts[1]["args"], starts[0]["args"], "restarted with the same arguments");
    assert_eq!(w.current().as_deref(), Some("upgrades/v1.1.0"));
    assert!(w.data.join("upgrades/v1.1.0/bin/nym-node").is_file());

    let plan = w.plan();
    assert_eq!(plan["current"]["name"], "v1.1.0");
    assert_eq!(plan["queuedUp"].as_array().unwrap().len(), 0);
    let history = w.history();
    assert_eq!(history["history"].as_array().unwrap().len(), 1);
    assert_eq!(history["history"][0]["info"]["version"], "1.1.0");
    let current = w.json(&w.daemon_home.join("nymvisor/current-version-info.json"));
    assert_eq!(current["version"], "1.1.0");
    assert_eq!(current["binaryDetails"]["binary_name"], "nym-node");

    let backups = w.backups("v1.1.0");
    assert_eq!(backups.len(), 1, "{backups:?}");
    let manifest = read_jsonl(&backups[0].with_extension("gz.manifest"));
    assert_eq!(manifest[0]["strategy"], "tar.gz", "a manifest beside it: {manifest:?}");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&backups[0]).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "backups hold keys: private");
    assert!(!w.data.join("upgrade.lock").exists(), "the upgrade lock is removed afterwards");

    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn add_upgrade_now_is_picked_up_by_a_running_instance() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    nymvisor.wait_running(&w.status_file());
    let out = w.nymvisor(&[
        "add-upgrade",
        w.daemon("1.2.0", "").to_str().unwrap(),
        "--upgrade-name",
        "patch",
        "--now",
        "--output",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--output json is honoured");
    assert_eq!(info["name"], "patch");
    assert_eq!(info["version"], "1.2.0");
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/patch");
    assert!(nymvisor.count("backing up") == 0, "DAEMON_UNSAFE_SKIP_BACKUP skips the backup");
    wait_until("1.2.0 runs", || w.starts().last().is_some_and(|s| s["version"] == "1.2.0"));
    assert_eq!(w.current().as_deref(), Some("upgrades/patch"));
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_manual_upgrade_swaps_the_binary_and_stops() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    w.announce("v2.0.0", "2.0.0", in_seconds(0), &w.daemon("2.0.0", ""), |info| info["manual"] = true.into());
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    assert!(nymvisor.logs().join("\n").contains("the upgrade is manual"));
    assert_eq!(w.current().as_deref(), Some("upgrades/v2.0.0"));
    assert_eq!(w.starts().len(), 1, "the new binary is left for the operator to start");
}

#[test]
fn restart_after_upgrade_false_stops_after_the_switch() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_RESTART_AFTER_UPGRADE", "false")]);
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    w.announce("v1.1.0", "1.1.0", in_seconds(0), &w.daemon("1.1.0", ""), |_| {});
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.current().as_deref(), Some("upgrades/v1.1.0"));
    assert_eq!(w.starts().len(), 1);
}

#[test]
fn add_upgrade_flags_and_their_conflicts() {
    let w = World::new();
    w.init();
    let binary = w.daemon("1.3.0", "");
    let b = binary.to_str().unwrap();
    let run = |args: &[&str]| w.nymvisor(&[&["add-upgrade", b][..], args].concat());

    assert_eq!(run(&["--upgrade-name", "x", "--now", "--upgrade-delay", "1m"]).status.code(), Some(USAGE));
    assert_eq!(run(&["--upgrade-name", "x", "--add-binary", "--now"]).status.code(), Some(USAGE));
    assert_eq!(
        run(&["--upgrade-name", "x", "--add-binary", "--publish-date", "2026-01-01T00:00:00Z"]).status.code(),
        Some(USAGE)
    );

    let out = run(&[
        "--upgrade-name",
        "later",
        "--upgrade-time",
        "2031-05-01T12:00:00Z",
        "--publish-date",
        "2026-01-01T00:00:00Z",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let queued = &w.plan()["queuedUp"][0];
    assert_eq!(queued["upgradeTime"], "2031-05-01T12:00:00Z");
    assert_eq!(queued["publishDate"], "2026-01-01T00:00:00Z");

    let again = run(&["--upgrade-name", "later", "--upgrade-delay", "10m"]);
    assert_eq!(again.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(run(&["--upgrade-name", "later", "--upgrade-delay", "10m", "--force"]).status.success());
    assert_eq!(w.plan()["queuedUp"].as_array().unwrap().len(), 1, "replaced, not added");
    assert_ne!(w.plan()["queuedUp"][0]["upgradeTime"], "2031-05-01T12:00:00Z");

    // --add-binary attaches a binary to an upgrade described upstream, checking its checksum.
    w.announce("v1.4.0", "1.4.0", in_seconds(3600), &w.daemon("1.4.0", ""), |_| {});
    let mut nymvisor = w.start_with(&[], &[("DAEMON_ALLOW_BINARIES_DOWNLOAD", "false")]);
    nymvisor.wait_log("upgrade v1.4.0 (1.4.0) queued");
    nymvisor.wait_log("CANNOT DOWNLOAD THE RELEASE");
    let other = w.daemon("1.4.0", "--flood");
    let wrong = w.nymvisor(&["add-upgrade", other.to_str().unwrap(), "--upgrade-name", "v1.4.0", "--add-binary"]);
    assert_eq!(wrong.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("publishes"), "{}", String::from_utf8_lossy(&wrong.stderr));
    let right = w.daemon("1.4.0", "");
    let out = w.nymvisor(&["add-upgrade", right.to_str().unwrap(), "--upgrade-name", "v1.4.0", "--add-binary"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(w.data.join("upgrades/v1.4.0/bin/nym-node").is_file());
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_binary_add_upgrade_verified_is_not_run_again_by_the_running_instance() {
    let w = World::new();
    w.init();
    let calls = w.root.join("calls.jsonl");
    let calls_arg = calls.to_str().unwrap().to_owned();
    let envs = [("DAEMON_UNSAFE_SKIP_BACKUP", "true"), ("TESTNODE_CALLS", calls_arg.as_str())];
    let mut nymvisor = w.start_with(&[], &envs);
    nymvisor.wait_running(&w.status_file());
    let out = w.nymvisor_with(
        &["add-upgrade", w.daemon("1.2.0", "").to_str().unwrap(), "--upgrade-name", "patch", "--now"],
        &[("TESTNODE_CALLS", calls_arg.as_str())],
        std::process::Stdio::piped(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/patch");
    wait_until("1.2.0 runs", || w.starts().last().is_some_and(|s| s["version"] == "1.2.0"));
    let asked: Vec<_> = read_jsonl(&calls).into_iter().filter(|c| c["version"] == "1.2.0").collect();
    assert_eq!(asked.len(), 1, "only add-upgrade ran it: {asked:?}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

/// `add-upgrade` of `version` named `name` at `time`, with its stderr.
fn add_at(w: &World, name: &str, version: &str, time: jiff::Timestamp) -> String {
    let time = time.to_string();
    let out = w.nymvisor(&[
        "add-upgrade",
        w.daemon(version, "").to_str().unwrap(),
        "--upgrade-name",
        name,
        "--upgrade-time",
        &time,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{stderr}");
    stderr
}

#[test]
fn add_upgrade_says_when_an_upgrade_is_a_downgrade_or_will_be_dropped() {
    let w = World::new();
    w.init();
    let warnings = |stderr: &str| stderr.lines().filter(|l| l.contains("WARN")).map(str::to_owned).collect::<Vec<_>>();
    assert!(warnings(&add_at(&w, "v1.2.0", "1.2.0", in_seconds(3600))).is_empty(), "a plain upgrade");
    assert!(warnings(&add_at(&w, "v1.1.5", "1.1.5", in_seconds(1800))).is_empty(), "newer, and before 1.2.0");

    let after = add_at(&w, "v1.1.0", "1.1.0", in_seconds(7200));
    let line = warnings(&after).join("\n");
    assert!(
        line.contains("upgrade v1.1.0 (1.1.0) is queued after upgrade v1.1.5 (1.1.5")
            && line.contains("will be dropped then, not performed"),
        "{after}"
    );

    let down = add_at(&w, "v0.9.0", "0.9.0", in_seconds(600));
    let line = warnings(&down).join("\n");
    assert!(line.contains("upgrade v0.9.0 (0.9.0) is a downgrade: 1.0.0 runs now; it will be performed at"), "{down}");
    let queued: Vec<_> = w.plan()["queuedUp"].as_array().unwrap().iter().map(|q| q["name"].clone()).collect();
    assert_eq!(queued, ["v0.9.0", "v1.1.5", "v1.2.0", "v1.1.0"], "each queued as asked");

    // A newer one queued ahead of those says which it leaves behind.
    let ahead = add_at(&w, "v2.0.0", "2.0.0", in_seconds(300));
    let said = warnings(&ahead);
    for name in ["v0.9.0", "v1.1.5", "v1.2.0", "v1.1.0"] {
        assert!(
            said.iter()
                .any(|l| l.contains(&format!("upgrade {name} (")) && l.contains("will be dropped, not performed")),
            "{name}: {ahead}"
        );
    }
}

#[test]
fn queued_upgrades_a_newer_one_leaves_behind_are_dropped_with_a_warning_and_kept_in_the_plan() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    nymvisor.wait_running(&w.status_file());
    add_at(&w, "v1.1.1", "1.1.1", in_seconds(3600));
    add_at(&w, "again", "1.0.0", in_seconds(7200));
    let out =
        w.nymvisor(&["add-upgrade", w.daemon("1.2.0", "").to_str().unwrap(), "--upgrade-name", "v1.2.0", "--now"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/v1.2.0");

    for (name, version, why) in [
        ("v1.1.1", "1.1.1", "its version 1.1.1 is older than 1.2.0, which upgrade v1.2.0 switched to"),
        ("again", "1.0.0", "its version 1.0.0 is older than 1.2.0"),
    ] {
        let line = nymvisor.wait_log(&format!("name={name} "));
        assert!(
            line.contains("WARN")
                && line.contains("queued upgrade dropped, not performed")
                && line.contains(why)
                && line.contains(&format!("version={version}")),
            "{line}"
        );
    }
    let plan = w.plan();
    assert_eq!(plan["current"]["name"], "v1.2.0");
    assert!(plan["queuedUp"].as_array().unwrap().is_empty(), "{plan}");
    let dropped = plan["dropped"].as_array().expect("the dropped upgrades are kept in the plan");
    let names: Vec<_> = dropped.iter().map(|d| d["info"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["v1.1.1", "again"]);
    assert!(dropped[0]["reason"].as_str().unwrap().contains("older than 1.2.0"), "{plan}");
    assert!(dropped[0]["droppedAt"].is_string());
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_upgrade_time_that_is_not_a_time_is_a_usage_error_naming_the_flag_and_the_forms() {
    let w = World::new();
    w.init();
    let binary = w.daemon("1.1.0", "");
    let plan = std::fs::read(w.data.join("upgrade-plan.json")).unwrap();
    for (flag, value, more) in [
        ("--upgrade-time", "tomorrow", "--upgrade-delay"),
        ("--upgrade-time", "2026-12-08T12:00:00", "with its offset"),
        ("--publish-date", "yesterday", "2026-12-08T12:00:00Z"),
    ] {
        let out = w.nymvisor(&["add-upgrade", binary.to_str().unwrap(), "--upgrade-name", "x", flag, value]);
        assert_eq!(out.status.code(), Some(USAGE), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{flag} <TIME>'"))
                && stderr.contains("RFC 3339")
                && stderr.contains("2026-12-08T12:00:00Z")
                && stderr.contains(more),
            "{stderr}"
        );
        assert!(!stderr.contains("four digit"), "not the parser's words: {stderr}");
    }
    assert_eq!(std::fs::read(w.data.join("upgrade-plan.json")).unwrap(), plan, "nothing queued");
    let out = w.nymvisor(&[
        "add-upgrade",
        binary.to_str().unwrap(),
        "--upgrade-name",
        "x",
        "--upgrade-time",
        "2031-05-01T14:00:00+02:00",
    ]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(w.plan()["queuedUp"][0]["upgradeTime"], "2031-05-01T12:00:00Z", "an offset is honoured");
}
