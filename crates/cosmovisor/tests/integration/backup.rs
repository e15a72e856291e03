//! Backups of `data/` before a switch: Cosmovisor's name (`data-backup-<Y>-<M>-<D>`, `-2` for a
//! second one the same day), the strategies, retention, the manifest sealed once the new app
//! runs, `backup list | verify | restore`, and the restore that goes with a rollback.

use nix::sys::signal::Signal;

use crate::harness::{Exit, USAGE, World, code, wait_until};

/// A world that backs up, with the chain's state in `data/state.db`.
fn backing_up() -> World {
    let mut w = World::new();
    w.set("UNSAFE_SKIP_BACKUP", "false");
    std::fs::write(w.home.join("data/state.db"), b"the state before v2").unwrap();
    w
}

/// Today's backup name (UTC, month and day not padded, as v1.7 writes it), and tomorrow's, in
/// case the test runs across midnight.
fn dated_names() -> [String; 2] {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let name = |d: jiff::civil::Date| format!("data-backup-{}-{}-{}", d.year(), d.month(), d.day());
    [name(today), name(today.tomorrow().unwrap())]
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_default_backup_is_sealed_listed_verified_and_restored_with_the_visor_stopped() {
    let w = backing_up();
    w.init("--plan-name v2 --plan-height 5");
    // The new release changes the state as soon as it starts.
    let v2 = w.app("v2", "--mark-data state.db");
    assert!(w.cosmovisor(&["add-upgrade", "v2", v2.to_str().unwrap()]).status.success());
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    let mut listed = Vec::new();
    wait_until("the backup sealed", || {
        listed = w.backup_list();
        listed.first().is_some_and(|b| b["verified"] == "sealed")
    });
    assert_eq!(listed.len(), 1, "{listed:?}");
    let backup = &listed[0];
    assert!(dated_names().contains(&backup["id"].as_str().unwrap().to_owned()), "{backup}");
    // `snapshot` clones where the filesystem can, and copies (as v1.7 does) where it cannot.
    assert!(["snapshot", "copy"].contains(&backup["strategy"].as_str().unwrap()), "{backup}");
    assert_eq!(backup["upgrade"], "v2");
    let out = w.cosmovisor(&["backup", "verify", "latest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The visor runs: its data is not swapped under it.
    let out = w.cosmovisor(&["backup", "restore", "latest"]);
    assert_eq!(out.status.code(), Some(code(Exit::Locked)), "{}", stderr(&out));
    assert!(stderr(&out).contains("stop it first"), "{}", stderr(&out));
    wait_until("v2 changed the state", || {
        std::fs::read(w.home.join("data/state.db")).is_ok_and(|b| b.starts_with(b"v2"))
    });
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    let out = w.cosmovisor(&["backup", "restore", "latest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read(w.home.join("data/state.db")).unwrap(), b"the state before v2");
    let kept: Vec<_> = std::fs::read_dir(&w.home)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("data.pre-restore-"))
        .map(|e| e.path())
        .collect();
    assert_eq!(kept.len(), 1, "the replaced data is kept beside: {kept:?}");
    assert!(std::fs::read(kept[0].join("state.db")).unwrap().starts_with(b"v2"));

    // A damaged backup is named and refused.
    let id = backup["id"].as_str().unwrap();
    std::fs::write(w.home.join(id).join("state.db"), b"the state before v3").unwrap();
    let out = w.cosmovisor(&["backup", "verify", id]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("state.db"), "names the file: {}", stderr(&out));
}

#[test]
fn tar_zst_writes_a_dated_archive() {
    let mut w = backing_up();
    w.set("COSMOVISOR_BACKUP_STRATEGY", "tar.zst");
    w.init("--plan-name v2 --plan-height 5");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    let names = dated_names().map(|n| format!("{n}.tar.zst"));
    let backups = w.backups();
    assert!(backups.len() == 1 && names.contains(&backups[0]), "{backups:?}");
    wait_until("the archive sealed", || w.backup_list().first().is_some_and(|b| b["verified"] == "sealed"));
    assert_eq!(w.backup_list()[0]["strategy"], "tar.zst");
    let out = w.cosmovisor(&["backup", "verify", "latest"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn keep_one_leaves_the_newest_backup_of_two_upgrades() {
    let mut w = backing_up();
    w.set("COSMOVISOR_BACKUP_KEEP", "1");
    w.init("--plan-name v2 --plan-height 5");
    assert!(
        w.cosmovisor(&["add-upgrade", "v2", w.app("v2", "--plan-name v3 --plan-height 9").to_str().unwrap()])
            .status
            .success()
    );
    assert!(w.add_upgrade("v3", "v3", &[]).status.success());
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v3");
    // The second backup of the day is `-2`, never merged into the first; the first goes once
    // the second is sealed.
    let second = dated_names().map(|n| format!("{n}-2"));
    wait_until("one backup left", || w.backups().len() == 1 && second.contains(&w.backups()[0]));
    let listed = w.backup_list();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["upgrade"], "v3");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

/// A v2 that writes into `data/` and fails at once, rolled back; with `restore`, the backup
/// taken before it is put back.
fn rolled_back(restore: bool) -> World {
    let mut w = backing_up();
    w.set("COSMOVISOR_ROLLBACK_ON_FAILURE", "true");
    w.set("COSMOVISOR_ROLLBACK_RESTORE_DATA", &restore.to_string());
    w.init("--plan-name v2 --plan-height 5");
    let broken = w.app("v2", "--mark-data marker --crash-at-start");
    assert!(w.cosmovisor(&["add-upgrade", "v2", broken.to_str().unwrap()]).status.success());
    let mut visor = w.start();
    let status = visor.wait_own_status(&w.status_file(), "rolled back", |s| {
        s["lastSwitch"]["rollback"] == true && s["release"] == "genesis" && s["state"] == "running"
    });
    assert_eq!(status["lastSwitch"]["to"], "genesis");
    assert_eq!(w.current().as_deref(), Some("genesis"));
    wait_until("genesis runs again", || {
        w.starts().last().is_some_and(|s| s["version"] == "v1") && w.starts().len() >= 3
    });
    assert!(w.starts().iter().any(|s| s["version"] == "v2"), "v2 ran and failed");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    w
}

#[test]
fn a_rollback_restores_the_data_when_asked() {
    let w = rolled_back(true);
    assert!(!w.home.join("data/marker").exists(), "what v2 wrote is gone");
    assert_eq!(std::fs::read(w.home.join("data/state.db")).unwrap(), b"the state before v2");
}

#[test]
fn a_rollback_keeps_the_data_by_default() {
    let w = rolled_back(false);
    assert_eq!(std::fs::read(w.home.join("data/marker")).unwrap(), b"v2", "v1.7's behaviour: the data stays");
}

#[test]
fn with_backups_off_the_folder_is_still_listed() {
    let w = World::new();
    w.init("");
    assert!(w.backup_list().is_empty());
    // A backup v1.7 took: listed, not verifiable, never restored blindly.
    std::fs::create_dir(w.home.join("data-backup-2024-3-9")).unwrap();
    let listed = w.backup_list();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0]["id"].as_str(), listed[0]["verified"].as_str()),
        (Some("data-backup-2024-3-9"), Some("no manifest"))
    );
    let out = w.cosmovisor(&["backup", "restore", "data-backup-2024-3-9"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(stderr(&out).contains("no manifest"), "{}", stderr(&out));
    let out = w.cosmovisor(&["backup", "verify"]);
    assert_eq!(out.status.code(), Some(USAGE), "usage: {}", stderr(&out));
}
