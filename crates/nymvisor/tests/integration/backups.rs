//! Backups of the daemon's home before an upgrade: listed, verified and restored with
//! `nymvisor backup`, kept to the newest few, and restored with a rollback when asked.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code, wait_until};

fn listed(w: &World) -> Vec<serde_json::Value> {
    let out = w.nymvisor(&["backup", "list", "--output", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

fn upgrade_now(w: &World, name: &str, version: &str, extra: &str) {
    let out = w.nymvisor(&["add-upgrade", w.daemon(version, extra).to_str().unwrap(), "--upgrade-name", name, "--now"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn backups_are_listed_verified_and_restored_by_the_operator() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    upgrade_now(&w, "patch", "1.1.0", "");
    let status = nymvisor.wait_upgraded(&w.status_file(), "upgrades/patch");
    assert_eq!(status["lastSwitch"]["backup"]["strategy"], "tar.gz", "Nymvisor's format by default: {status}");
    wait_until("the backup is sealed", || listed(&w).first().is_some_and(|b| b["verified"] == "sealed"));
    let backups = listed(&w);
    assert_eq!(backups.len(), 1);
    assert!(backups[0]["id"].as_str().unwrap().starts_with("patch/backup-"), "{backups:?}");
    assert!(w.nymvisor(&["backup", "verify", "latest"]).status.success());
    std::fs::write(w.daemon_home.join("data/db"), b"migrated by 1.1.0").unwrap();
    let refused = w.nymvisor(&["backup", "restore", "latest"]);
    assert_eq!(refused.status.code(), Some(code(Exit::Locked)), "not while nymvisor runs");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    let restored = w.nymvisor(&["backup", "restore", "latest"]);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    assert_eq!(std::fs::read(w.daemon_home.join("data/db")).unwrap(), b"the node's data");
    assert!(w.daemon_home.join("nymvisor/current-version-info.json").exists(), "the visor's own folder is left alone");
}

#[test]
fn tar_zst_backups_are_kept_to_the_newest() {
    let w = World::new();
    w.init();
    let envs = [("DAEMON_BACKUP_STRATEGY", "tar.zst"), ("DAEMON_BACKUP_KEEP", "1")];
    let mut nymvisor = w.start_with(&[], &envs);
    nymvisor.wait_running(&w.status_file());
    upgrade_now(&w, "first", "1.1.0", "");
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/first");
    upgrade_now(&w, "second", "1.2.0", "");
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/second");
    wait_until("one backup kept, sealed", || {
        let all = listed(&w);
        all.len() == 1 && all[0]["verified"] == "sealed"
    });
    let last = &listed(&w)[0];
    assert!(
        last["id"].as_str().unwrap().starts_with("second/") && last["id"].as_str().unwrap().ends_with(".tar.zst"),
        "{last}"
    );
    assert!(w.backups("first").is_empty(), "the older backup is removed");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_rollback_restores_the_data_when_asked() {
    for restore in [true, false] {
        let w = World::new();
        w.init();
        let envs = [
            ("DAEMON_MAX_STARTUP_FAILURES", "2"),
            ("DAEMON_RESTORE_ON_ROLLBACK", if restore { "true" } else { "false" }),
        ];
        let mut nymvisor = w.start_with(&[], &envs);
        nymvisor.wait_running(&w.status_file());
        let mark = w.daemon_home.join("data/migrated");
        upgrade_now(&w, "broken", "1.1.0", &format!("--mark {} --crash-at-start", mark.display()));
        nymvisor.wait_own_status(&w.status_file(), "rolled back", |s| {
            s["lastSwitch"]["rollback"] == true && s["state"] == "running"
        });
        assert_eq!(w.current().as_deref(), Some("genesis"));
        assert_eq!(mark.exists(), !restore, "restore on rollback: {restore}");
        assert_eq!(std::fs::read(w.daemon_home.join("data/db")).unwrap(), b"the node's data");
        nymvisor.signal(Signal::SIGTERM);
        assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    }
}

#[test]
fn a_full_disk_stops_nothing() {
    let w = World::new();
    // A filesystem too small for the backup, where the machine lets the test make one.
    let small = w.root.join("small");
    std::fs::create_dir_all(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=256k", "tmpfs"])
        .arg(&small)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights)");
        return;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
    let _guard = Unmount(small.clone());
    w.init();
    let noise: Vec<u8> = (0..4_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
    std::fs::write(w.daemon_home.join("data/blob"), noise).unwrap();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_BACKUP_DATA_DIRECTORY", small.to_str().unwrap())]);
    nymvisor.wait_running(&w.status_file());
    // The daemon records its start itself, a moment after the visor says it runs.
    wait_until("the daemon records its start", || !w.starts().is_empty());
    let first = w.starts().len();
    upgrade_now(&w, "patch", "1.1.0", "");
    let status = nymvisor.wait_own_status(&w.status_file(), "the upgrade waits for room", |s| {
        s["detail"].as_str().is_some_and(|d| d.contains("room for its backup"))
    });
    assert_eq!(status["state"], "running", "{status}");
    assert_eq!(w.current().as_deref(), Some("genesis"));
    assert_eq!(w.starts().len(), first, "the daemon was never stopped");
    assert!(testnode::support::alive(w.starts()[first - 1]["pid"].as_i64().unwrap() as i32));
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}
