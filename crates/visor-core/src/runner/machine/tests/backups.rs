//! The transitions backups add: no room (nothing stopped), the backup's report into the switch
//! and its sealing once the new node runs, a rollback that restores the data, and the replaced
//! data released after an unbroken run.

use super::*;
use crate::backup::{BackupReport, Naming, RestoreReport, Strategy};

fn with_backup(restore_on_rollback: bool) -> Settings {
    let mut s = settings();
    let mut b = BackupSettings::new("/data".into(), vec![], "/backups".into(), Naming::PerUpgrade);
    b.restore_on_rollback = restore_on_rollback;
    s.backup = Some(b);
    s.probation = Some(Duration::from_secs(120));
    s.restart.max_restarts = 0;
    s
}

fn report() -> BackupReport {
    BackupReport {
        path: "/backups/v2/backup-x-preupgrade".into(),
        strategy: Strategy::Copy,
        files: 3,
        bytes: 1000,
        stored: 1000,
        took: Duration::from_millis(5),
        bytes_per_second: 200_000,
    }
}

#[test]
fn no_room_for_the_backup_keeps_the_node_running_and_retries_later() {
    let mut w = World::new(with_backup(false), vega_spec());
    let generation = w.start();
    w.send(Event::Poll { ticket: generation, result: Ok(ready("v2")) });
    let (ticket, target, room) = w
        .find(|e| match e {
            Effect::Verify { ticket, target, room, .. } => Some((*ticket, target.clone(), room.clone())),
            _ => None,
        })
        .expect("verify");
    assert!(room.is_some(), "the room is checked with the release, before the stop");
    w.send(Event::Verified { ticket, target, result: Err(crate::PreflightError::NoRoom("not enough room".into())) });
    assert_eq!(w.state(), &State::Running);
    assert!(!w.has(|e| matches!(e, Effect::Stop { .. })), "nothing stopped");
    // The core stays ready, polled every 500 ms: no new attempt before the retry's time.
    w.advance(Duration::from_secs(1));
    w.send(Event::Poll { ticket: generation, result: Ok(ready("v2")) });
    assert!(!w.has(|e| matches!(e, Effect::Verify { .. })), "backed off");
    w.advance(Duration::from_secs(60));
    w.send(Event::Poll { ticket: generation, result: Ok(ready("v2")) });
    assert!(w.has(|e| matches!(e, Effect::Verify { .. })), "tried again after a minute");
}

#[test]
fn the_backup_goes_into_the_switch_and_is_sealed_once_the_new_node_runs() {
    let mut w = World::new(with_backup(false), vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let backup = w.find(|e| if let Effect::Backup { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::BackupProgress { ticket: backup, done: 10 << 20, total: 40 << 20 });
    assert!(w.has(|e| matches!(e, Effect::ShowWork(p) if p.done == 10 << 20 && !p.finished)));
    w.send(Event::BackedUp { ticket: backup, result: Ok(report()) });
    let plan = w.find(|e| if let Effect::Switch { plan, .. } = e { Some(plan.clone()) } else { None }).unwrap();
    assert_eq!(plan.backup, Some(report()), "recorded with the switch");
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    let mut record = record("s1", "genesis", "v2", false);
    record.backup = Some(report());
    w.send(Event::Switched { ticket: switch, result: Ok(record), took: Duration::ZERO });
    assert!(!w.has(|e| matches!(e, Effect::SealBackup { .. })), "not during the downtime");
    w.run_start();
    assert!(w.has(|e| matches!(e, Effect::SealBackup { path, .. } if *path == report().path)));
}

fn roll_back(w: &mut World) {
    let generation = w.start();
    upgrade_to_v2(w, generation);
    let backup = w.find(|e| if let Effect::Backup { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::BackedUp { ticket: backup, result: Ok(report()) });
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    let mut record = record("s1", "genesis", "v2", false);
    record.backup = Some(report());
    w.send(Event::Switched { ticket: switch, result: Ok(record), took: Duration::ZERO });
    let generation = w.run_start();
    w.crash(generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Switched { ticket: switch, result: Ok(record_rollback()), took: Duration::ZERO });
}

fn record_rollback() -> SwitchRecord {
    record("s1-rollback", "v2", "genesis", true)
}

#[test]
fn a_rollback_restores_the_backup_when_asked_then_starts_the_old_release() {
    let mut w = World::new(with_backup(true), vega_spec());
    roll_back(&mut w);
    let ticket = w
        .find(|e| {
            if let Effect::Restore { ticket, backup, .. } = e {
                (*backup == report().path).then_some(*ticket)
            } else {
                None
            }
        })
        .expect("the backup taken before the failed upgrade is restored");
    assert_eq!(w.state().name(), "restoring");
    assert!(!w.has(|e| matches!(e, Effect::Resolve { .. })), "nothing starts on the migrated data");
    // A signal now lets the restore finish first.
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    assert!(w.exited().is_none());
    let done = RestoreReport {
        backup: report().path,
        restored: vec![("/data".into(), Some("/data.pre-restore-x".into()))],
        entries: 3,
        bytes: 1000,
        took: Duration::from_millis(3),
    };
    w.send(Event::Restored { ticket, result: Ok(done) });
    assert_eq!(w.exited(), Some(Exit::Clean));
}

#[test]
fn the_data_a_restore_replaced_goes_after_an_unbroken_run() {
    let mut w = World::new(with_backup(true), vega_spec());
    roll_back(&mut w);
    let ticket = w.find(|e| if let Effect::Restore { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    // Restarts allowed from here on (the rollback needed a budget of none).
    let mut relaxed = with_backup(true);
    relaxed.restart.max_restarts = 2;
    w.send(Event::SettingsLoaded { result: Ok(relaxed), origin: "SIGHUP" });
    let done = RestoreReport { backup: report().path, restored: vec![], entries: 3, bytes: 1000, took: Duration::ZERO };
    w.send(Event::Restored { ticket, result: Ok(done) });
    let generation = w.run_start();
    let kept = w.armed();
    // A crash before the period: kept, and armed again with the next start.
    w.advance(Duration::from_secs(30));
    w.crash(generation);
    let restart = w.armed();
    w.fire(|t| *t == Timer::ReleaseKept, &kept);
    assert!(!w.has(|e| matches!(e, Effect::ReleaseKept)), "not after a broken run");
    w.fire(|t| *t == Timer::Restart, &restart);
    w.run_start();
    let kept = w.armed();
    w.fire(|t| *t == Timer::ReleaseKept, &kept);
    assert!(w.has(|e| matches!(e, Effect::ReleaseKept)), "after an unbroken run of the probation's length");
}

#[test]
fn a_failed_restore_ends_the_run_rather_than_start_the_old_release_on_migrated_data() {
    let mut w = World::new(with_backup(true), vega_spec());
    roll_back(&mut w);
    let ticket = w.find(|e| if let Effect::Restore { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Restored { ticket, result: Err("the backup is damaged".into()) });
    assert_eq!(w.exited(), Some(Exit::UpgradeFailed));
}

#[test]
fn without_restore_on_rollback_the_old_release_starts_at_once() {
    let mut w = World::new(with_backup(false), vega_spec());
    roll_back(&mut w);
    assert!(!w.has(|e| matches!(e, Effect::Restore { .. })));
    assert!(w.has(|e| matches!(e, Effect::Resolve { .. })));
}
