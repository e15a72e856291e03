//! Backups in an upgrade: room checked before the stop, the backup between the stop and the
//! switch (with its progress), its sealing once the new node runs, the restore that goes with a
//! rollback, and dropping the data a restore replaced once the node has come up on the new.

use std::path::PathBuf;
use std::time::Duration;

use super::Machine;
use crate::backup::{BackupError, BackupFor, BackupReport, RestoreReport, WorkProgress};
use crate::exit::Exit;
use crate::history::SwitchRecord;
use crate::release::ReleaseName;
use crate::runner::event::{Effect, StartKind, Ticket, Timer};
use crate::runner::state::{Downtime, State, Switching, Target};

/// The first retry of an upgrade whose backup failed or had no room; doubles up to the max.
const BACKUP_RETRY: Duration = Duration::from_secs(60);
const BACKUP_RETRY_MAX: Duration = Duration::from_secs(3600);
/// How long a node runs without a break on restored data before the data it replaced goes
/// (longer when the release has a longer probation).
pub(super) const KEEP_REPLACED: Duration = Duration::from_secs(60);

/// The wait before retrying after `failures` failures in a row.
fn retry_after(failures: u32) -> Duration {
    BACKUP_RETRY.saturating_mul(1 << failures.saturating_sub(1).min(6)).min(BACKUP_RETRY_MAX)
}

fn mib(bytes: u64) -> u64 {
    bytes >> 20
}

impl Machine {
    /// The old node is stopped for `target`: back its data up, or switch at once.
    pub(super) fn stopped_for_upgrade(&mut self, target: Target, release: ReleaseName, downtime: Downtime) {
        match self.settings.backup.clone() {
            Some(settings) => {
                let upgrade = if target.name.is_empty() { target.version.clone() } else { target.name.clone() };
                let upgrade = upgrade.rsplit('/').next().unwrap_or(&upgrade).to_owned();
                let ticket = self.ticket();
                tracing::info!(
                    sources = settings.sources_display(),
                    strategy = %settings.strategy,
                    upgrade,
                    "backing up the node's data before the switch"
                );
                let detail = format!("backing up {} ({})", settings.sources_display(), settings.strategy);
                let what = BackupFor {
                    upgrade,
                    release: self.ran.as_ref().or(self.current.as_ref()).map(ToString::to_string),
                };
                self.emit(Effect::Backup { ticket, settings, what });
                self.set_state(
                    State::BackingUp(Switching { ticket, target, release, downtime: Some(downtime), backup: None }),
                    Some(detail),
                );
            }
            None => self.begin_switch(target, release, Some(downtime), None),
        }
    }

    /// How far the backup or the restore `ticket` is.
    pub(super) fn on_backup_progress(&mut self, ticket: Ticket, done: u64, total: u64) {
        let (what, label) = match &self.state {
            State::BackingUp(s) if s.ticket == ticket => {
                ("backing up", self.settings.backup.as_ref().map(|b| b.sources_display()).unwrap_or_default())
            }
            State::Restoring { ticket: t, backup } if *t == ticket => ("restoring", backup.display().to_string()),
            _ => return,
        };
        self.detail = Some(format!("{what} {label}: {} of {} MiB", mib(done), mib(total)));
        self.emit(Effect::ShowWork(WorkProgress { what, label, done, total, finished: false }));
        self.publish();
    }

    fn work_finished(&mut self, what: &'static str) {
        self.emit(Effect::ShowWork(WorkProgress { what, label: String::new(), done: 0, total: 0, finished: true }));
    }

    pub(super) fn on_backed_up(&mut self, ticket: Ticket, result: Result<BackupReport, BackupError>) {
        let State::BackingUp(switching) = self.state.clone() else { return };
        if switching.ticket != ticket {
            return;
        }
        self.work_finished("backing up");
        let Switching { target, release, downtime, .. } = switching;
        match result {
            Ok(report) => {
                self.backup_failures = 0;
                tracing::info!(
                    backup = %report.path.display(),
                    strategy = %report.strategy,
                    files = report.files,
                    bytes = report.bytes,
                    stored_bytes = report.stored,
                    took_ms = report.took.as_millis() as u64,
                    mib_per_second = report.bytes_per_second >> 20,
                    "backup done"
                );
                self.emit(Effect::Fault("switch-backed-up"));
                if let Some(exit) = self.exit_requested {
                    self.emit(Effect::UnlockUpgrade { remove: false });
                    self.finish(exit);
                    return;
                }
                self.begin_switch(target, release, downtime, Some(report));
            }
            Err(BackupError::Cancelled { read }) => {
                tracing::info!(read_bytes = read, "backup cancelled; the upgrade will happen at the next start");
                self.emit(Effect::UnlockUpgrade { remove: false });
                self.finish(self.exit_requested.unwrap_or(Exit::Clean));
            }
            Err(e) => {
                // Each retry stops the node again: back off, so a backup that cannot succeed
                // does not restart the node every minute forever.
                let delay = self.backup_failed();
                tracing::error!(
                    version = target.version,
                    attempt = self.backup_failures,
                    retry_in_s = delay.as_secs(),
                    "{e}; the upgrade is not done: the old release starts again and the backup is retried later"
                );
                self.emit(Effect::UnlockUpgrade { remove: false });
                self.start_node(StartKind::CrashRestart);
                self.after_start.detail = Some(format!(
                    "upgrade {}: backup failed (attempt {}), retrying in {} s: {e}",
                    target.version,
                    self.backup_failures,
                    delay.as_secs()
                ));
                self.after_start.due_in = Some(delay);
            }
        }
    }

    /// Counts a failed (or roomless) backup; the wait before the next try.
    fn backup_failed(&mut self) -> Duration {
        self.backup_failures = self.backup_failures.saturating_add(1);
        retry_after(self.backup_failures)
    }

    /// No room for the backup: nothing is stopped; the upgrade is tried again later.
    pub(super) fn no_room(&mut self, target: &Target, reason: &str) {
        let delay = self.backup_failed();
        tracing::error!(
            version = target.version,
            attempt = self.backup_failures,
            retry_in_s = delay.as_secs(),
            "{reason}; the node is not stopped and the upgrade is tried again later"
        );
        self.no_room_until = Some(self.now.instant + delay);
        self.set_state(
            State::Running,
            Some(format!(
                "upgrade {} waits for room for its backup (retry in {} s): {reason}",
                target.version,
                delay.as_secs()
            )),
        );
        self.due.ticket = self.arm(Timer::Due, delay);
    }

    /// Whether an upgrade may be tried now (not while waiting for room for its backup).
    pub(super) fn room_retry_due(&self) -> bool {
        self.no_room_until.is_none_or(|t| self.now.instant >= t)
    }

    /// Once the new node runs: seal the backup taken before the switch, then prune.
    pub(super) fn seal_backup(&mut self, record: &SwitchRecord) {
        let (Some(report), Some(settings)) = (&record.backup, &self.settings.backup) else { return };
        self.emit(Effect::SealBackup { path: report.path.clone(), settings: settings.clone() });
    }

    pub(super) fn on_sealed(&mut self, path: PathBuf, result: Result<(), String>) {
        match result {
            Ok(()) => {
                tracing::info!(backup = %path.display(), "backup read back and sealed: every file hashed in its manifest")
            }
            Err(e) => tracing::error!(backup = %path.display(), "the backup cannot be sealed: {e}; do not rely on it"),
        }
    }

    /// Switched back after a failed probation: restore the data the failed release may have
    /// migrated. The node is stopped.
    pub(super) fn begin_restore(&mut self, backup: PathBuf) {
        tracing::warn!(backup = %backup.display(), "restoring the data from the backup taken before the failed upgrade");
        let ticket = self.ticket();
        let sources = self.settings.backup.iter().flat_map(|b| &b.sources).map(|s| s.path.clone()).collect();
        self.emit(Effect::Restore { ticket, backup: backup.clone(), sources });
        let detail = format!("restoring {}", backup.display());
        self.set_state(State::Restoring { ticket, backup }, Some(detail));
    }

    pub(super) fn on_restored(&mut self, ticket: Ticket, result: Result<RestoreReport, String>) {
        let State::Restoring { ticket: expected, backup } = self.state.clone() else { return };
        if ticket != expected {
            return;
        }
        self.work_finished("restoring");
        match result {
            Ok(report) => {
                tracing::info!(
                    backup = %backup.display(),
                    entries = report.entries,
                    bytes = report.bytes,
                    took_ms = report.took.as_millis() as u64,
                    "data restored; the replaced data is kept until the node has come up"
                );
                self.kept_data = true;
                if let Some(exit) = self.exit_requested {
                    self.finish(exit);
                    return;
                }
                self.start_node(StartKind::AfterUpgrade);
            }
            Err(e) => {
                tracing::error!(
                    backup = %backup.display(),
                    "{e}; the previous release is back in `current` but its data could not be restored: restore it by hand before starting the visor again"
                );
                self.finish(Exit::UpgradeFailed);
            }
        }
    }

    /// Once the node runs on restored data, the replaced data goes after an unbroken run.
    pub(super) fn arm_kept_release(&mut self) {
        if self.kept_data {
            let after = self.settings.probation.unwrap_or_default().max(KEEP_REPLACED);
            self.kept_timer = Some(self.arm(Timer::ReleaseKept, after));
        }
    }

    pub(super) fn on_kept_timer(&mut self, ticket: Ticket) {
        if self.kept_timer != Some(ticket) || !self.kept_data {
            return;
        }
        self.kept_timer = None;
        let after = self.settings.probation.unwrap_or_default().max(KEEP_REPLACED);
        let ran =
            self.launched_at.filter(|_| self.state.node_runs()).map(|t| self.now.instant.saturating_duration_since(t));
        if ran.is_some_and(|ran| ran >= after) {
            self.kept_data = false;
            self.emit(Effect::ReleaseKept);
        }
        // Otherwise the next launch arms it again.
    }
}
