//! An upgrade from its trigger to the new node: the admin endpoint's announcements and
//! readiness (Vega), verification while the old node runs, the upgrade lock, the stop, the
//! backup, the journaled switch, the wait for a release that is not ready, and the report of
//! the downtime once the new node runs.

use std::time::Duration;

use super::{Machine, Resume};
use crate::backup::BackupReport;
use crate::exit::Exit;
use crate::history::SwitchRecord;
use crate::node::NodeSpec;
use crate::release::ReleaseName;
use crate::runner::event::{AnnouncedCheck, Effect, LockRefused, StartKind, StoreCmd, Ticket, Timer};
use crate::runner::state::{Downtime, State, StopWhy, Switching, Target, Waiting};
use crate::source::{AdminError, UpgradeStatus};
use crate::switch::{SwitchError, SwitchPlan};
use crate::telemetry::{Observation, Phases};
use crate::upgrade::Upgrade;
use crate::verify::PreflightError;

/// How often a missing release folder of an announced upgrade is reported again.
const ANNOUNCE_REMINDER: Duration = Duration::from_secs(60);

impl Machine {
    // ----- the admin endpoint (Vega) ------------------------------------------------------

    pub(super) fn on_poll(&mut self, ticket: Ticket, result: Result<UpgradeStatus, AdminError>) {
        if self.node.as_ref().is_none_or(|n| n.ticket != ticket)
            || !matches!(self.state, State::Running | State::Verifying { .. })
        {
            return;
        }
        match result {
            Err(e) => self.on_poll_failed(&e),
            Ok(status) => {
                self.on_poll_answered();
                self.confirm_upgrade();
                let announced = status.accepted.map(|a| Upgrade::announced(&a.tag, a.height));
                self.set_announced(announced.clone());
                if let (true, State::Running, Some(upgrade), true) =
                    (status.ready, &self.state, announced, self.room_retry_due())
                {
                    self.on_ready(upgrade);
                }
            }
        }
    }

    /// The upgrade the node (or its chain) announces now, if any: staged ahead of its trigger.
    fn set_announced(&mut self, announced: Option<Upgrade>) {
        if announced != self.plan.announced {
            if announced.is_none() {
                tracing::info!("no upgrade is announced any more");
            }
            self.plan.announced = announced;
            self.announce_reported = None;
            if let Some(admin) = &self.settings.admin {
                let (interval, retry, timeout) = admin.timing(self.plan.announced.is_some());
                self.emit(Effect::PollTiming(interval, retry, timeout));
            }
            self.publish();
        }
        self.report_announced();
    }

    /// What the face's announcement source answered (a Cosmos chain's governance plan).
    pub(super) fn on_announced(&mut self, result: Result<Option<Upgrade>, String>) {
        match result {
            Ok(announced) => {
                self.announce_error = None;
                // A plan the running release came from is done, whatever the chain still says.
                let announced = announced.filter(|u| self.release_of(u).ok().as_ref() != self.current.as_ref());
                self.set_announced(announced);
            }
            Err(e) => {
                if self.announce_error.as_deref() != Some(e.as_str()) {
                    tracing::warn!("cannot ask for the chain's upgrade plan, trying again at the next poll: {e}");
                    self.announce_error = Some(e);
                }
            }
        }
    }

    /// The first answer of an upgraded node ends its resume-from-upgrade period.
    fn confirm_upgrade(&mut self) {
        let Some(resume) = self.resume.take() else { return };
        let at = self.now.wall;
        if let Some(last) = self.last_switch.as_mut().filter(|r| r.id == resume.record_id) {
            last.confirmed_at = Some(at);
        }
        tracing::info!("the upgraded node answers: upgrade confirmed");
        self.emit(Effect::Persist(StoreCmd::Confirm { id: resume.record_id, at }));
        self.publish();
    }

    /// Says what an announced upgrade needs: once when it is announced, and again every minute
    /// while its release folder is missing (the shell looks at the folder).
    fn report_announced(&mut self) {
        let Some(upgrade) = self.plan.announced.clone() else { return };
        if self.announce_reported.is_some_and(|t| self.now.instant.saturating_duration_since(t) < ANNOUNCE_REMINDER) {
            return;
        }
        let first = self.announce_reported.is_none();
        self.announce_reported = Some(self.now.instant);
        self.maybe_stage(&upgrade.version);
        let folder = self.release_of(&upgrade);
        let staging = self.staging.as_ref().filter(|s| s.status.version == upgrade.version).map(|s| {
            let attempt = s.status.attempt;
            match (&s.status.error, s.status.phase.as_str()) {
                (Some(e), "failed") => format!("attempt {attempt} failed ({e}); it is tried again"),
                _ => format!("{} (attempt {attempt})", s.status.phase),
            }
        });
        self.emit(Effect::ReportAnnounced(AnnouncedCheck {
            height: upgrade.trigger.height().unwrap_or_default(),
            version: upgrade.version,
            folder,
            first,
            staging,
        }));
    }

    fn on_ready(&mut self, upgrade: Upgrade) {
        let height = upgrade.trigger.height();
        if self.plan.refuses(&upgrade.version) {
            // Rolled back in this run: the node waits at the height for the operator.
            if self.detail.is_none() {
                tracing::error!(
                    version = upgrade.version,
                    height,
                    "the core waits at the upgrade height, but this release failed its probation and was rolled back; fix the release, then restart the visor"
                );
                self.detail = Some(format!("upgrade {} refused after its rollback", upgrade.version));
                self.publish();
            }
            return;
        }
        tracing::info!(version = upgrade.version, height, "the core is ready to upgrade");
        let target = Target { version: upgrade.version, height, ..Target::default() };
        self.verify(target);
    }

    // ----- verification -------------------------------------------------------------------

    /// Verifies `target`'s release while the node runs.
    pub(super) fn verify(&mut self, target: Target) {
        let ticket = self.ticket();
        let detail = format!("verifying the release {}", target.version);
        self.set_state(State::Verifying { ticket, target: target.clone() }, Some(detail));
        self.request_verify(ticket, target);
    }

    /// Asks for the verification `ticket` (the state waiting for it is already set).
    fn request_verify(&mut self, ticket: Ticket, target: Target) {
        match target.release.clone().map_or_else(|| self.settings.release_for(&target.version), Ok) {
            Ok(release) => {
                // Room for the backup is checked before anything stops, except when the node is
                // stopped already (waiting for its release) or for a rollback.
                let room = self.settings.backup.clone().filter(|_| !target.rollback && self.state.node_runs());
                self.emit(Effect::Verify { ticket, target, release, room });
            }
            Err(e) => {
                // Answered at once, as the verification would have.
                let result = Err(PreflightError::Unreadable(format!("{e}; {}", self.hints.map_release)));
                self.on_verified(ticket, target, result);
            }
        }
    }

    pub(super) fn on_verified(
        &mut self,
        ticket: Ticket,
        target: Target,
        result: Result<(ReleaseName, NodeSpec), PreflightError>,
    ) {
        let expected = match &self.state {
            State::Verifying { ticket, .. } => Some(*ticket),
            State::Waiting(wait) => wait.checking,
            _ => None,
        };
        if expected != Some(ticket) {
            return;
        }
        match (&self.state, result) {
            (State::Verifying { .. }, Ok(_)) if target.planned() && !self.still_due(&target) => {
                tracing::info!(
                    version = target.version,
                    "the upgrade was moved or removed meanwhile; not doing it now"
                );
                self.set_state(State::Running, None);
                self.arm_due();
            }
            (State::Verifying { .. }, Err(PreflightError::NoRoom(reason))) => self.no_room(&target, &reason),
            (State::Verifying { .. }, Ok((release, _))) => match self.settings.upgrade_lock.clone() {
                Some(path) => {
                    let ticket = self.ticket();
                    let planned = target.planned().then(|| (target.name.clone(), target.version.clone()));
                    self.state = State::Locking { ticket, target, release };
                    self.emit(Effect::LockUpgrade { ticket, path, planned });
                }
                None => self.verified_and_locked(target, release),
            },
            (State::Verifying { .. }, Err(e)) if self.node.as_ref().is_some_and(|n| !n.halts_at_upgrade) => {
                self.due_not_ready(&target, &e.to_string());
            }
            (State::Verifying { .. }, Err(e)) => {
                tracing::error!(
                    version = target.version,
                    "the upgrade's release is not ready: {e}{}",
                    self.provide_hint(&target, &e)
                );
                tracing::warn!("stopping the node (it is halted at the upgrade point) until the release is ready");
                self.begin_stop(StopWhy::AwaitRelease { target });
            }
            (State::Waiting(waiting), Ok((release, _))) => {
                tracing::info!(version = target.version, folder = %release, "the release is ready now");
                let downtime = waiting.downtime;
                // As after any stop for an upgrade: backed up first.
                self.stopped_for_upgrade(target, release, downtime);
            }
            (State::Waiting(_), Err(e)) => {
                let reason = e.to_string();
                let hint = self.provide_hint(&target, &e);
                let now = self.now.instant;
                let State::Waiting(wait) = &mut self.state else { return };
                wait.checking = None;
                let changed = wait.reason != reason;
                if changed || wait.logged.is_none_or(|t| now.saturating_duration_since(t) >= super::WAIT_LOG) {
                    tracing::warn!(
                        version = wait.target.version,
                        height = wait.target.height,
                        "node stopped, waiting for the release: {reason}{hint}"
                    );
                    wait.logged = Some(now);
                }
                wait.reason.clone_from(&reason);
                self.detail = Some(reason);
                self.publish();
                self.arm(Timer::Recheck, super::RECHECK);
            }
            _ => {}
        }
    }

    pub(super) fn on_upgrade_locked(&mut self, ticket: Ticket, result: Result<(), LockRefused>) {
        let State::Locking { ticket: expected, target, release } = self.state.clone() else { return };
        if ticket != expected {
            return;
        }
        match result {
            Ok(()) => self.verified_and_locked(target, release),
            Err(LockRefused::Held(e)) => {
                self.state = State::Verifying { ticket, target: target.clone() };
                self.due_not_ready(&target, &e);
            }
            Err(LockRefused::Withdrawn) => {
                tracing::info!(
                    name = target.name,
                    version = target.version,
                    "the upgrade left the plan just before it was done (cancelled or rescheduled); not doing it now"
                );
                self.set_state(State::Running, None);
                self.read_plan();
            }
        }
    }

    /// What to do about a release that is not ready: provide it when it is missing (in the
    /// face's words, with the upgrade's name); the error itself says the fix otherwise.
    fn provide_hint(&self, target: &Target, error: &PreflightError) -> String {
        match error {
            PreflightError::MissingFolder(_) => {
                let name = if target.name.is_empty() { &target.version } else { &target.name };
                format!("; {}", self.provide_for(name))
            }
            _ => String::new(),
        }
    }

    /// How to provide the release of the upgrade `name`, in the face's words.
    pub(super) fn provide_for(&self, name: &str) -> String {
        self.hints.provide_release.replace("{name}", name)
    }

    fn verified_and_locked(&mut self, target: Target, release: ReleaseName) {
        tracing::info!(version = target.version, folder = %release, "release verified; stopping the node to upgrade");
        self.due.reported = None;
        self.no_room_until = None;
        self.begin_stop(StopWhy::Upgrade { target, release });
    }

    /// While waiting, the release is checked again once the previous check is answered.
    pub(super) fn recheck_release(&mut self) {
        let State::Waiting(wait) = &self.state else { return };
        if wait.checking.is_some() {
            return;
        }
        let target = wait.target.clone();
        let ticket = self.ticket();
        if let State::Waiting(wait) = &mut self.state {
            wait.checking = Some(ticket);
        }
        self.request_verify(ticket, target);
    }

    pub(super) fn on_recheck(&mut self, _ticket: Ticket) {
        self.recheck_release();
    }

    // ----- the switch ---------------------------------------------------------------------

    pub(super) fn begin_switch(
        &mut self,
        target: Target,
        release: ReleaseName,
        downtime: Option<Downtime>,
        backup: Option<BackupReport>,
    ) {
        let from = match (&self.ran, &self.current) {
            (Some(ran), Some(now)) if ran != now => {
                tracing::warn!(ran = %ran, current = %now, "`current` was moved by hand while the node ran; the switch is recorded from the release that ran");
                Some(ran.clone())
            }
            (Some(ran), None) => Some(ran.clone()),
            _ => self.current.clone(),
        };
        let plan = SwitchPlan {
            from,
            to: release.clone(),
            version: target.version.clone(),
            height: target.height,
            upgrade: if target.name.is_empty() { target.version.clone() } else { target.name.clone() },
            rollback: target.rollback,
            backup: backup.clone(),
        };
        let ticket = self.ticket();
        let verified = target.fingerprint.clone();
        self.emit(Effect::Switch { ticket, plan, verified });
        self.set_state(State::Switching(Switching { ticket, target, release, downtime, backup }), None);
    }

    /// The target changed after it was verified: do what the face does when a release is not
    /// ready. A planned daemon upgrade restarts the old release and retries; a Vega core,
    /// halted at the upgrade point, waits for the release with the node stopped.
    pub(super) fn on_switch_refused(&mut self, ticket: Ticket, reason: &str) {
        let State::Switching(switching) = self.state.clone() else { return };
        if switching.ticket != ticket {
            return;
        }
        let Switching { mut target, release, downtime, .. } = switching;
        tracing::error!(version = target.version, folder = %release, "not switching: {reason}");
        self.emit(Effect::UnlockUpgrade { remove: false });
        target.fingerprint = None;
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        if target.rollback {
            tracing::error!(previous = %release, "the new release keeps failing, and the previous one is no longer complete: cannot roll back");
            self.finish(Exit::RestartBudget);
            return;
        }
        match (target.planned(), downtime) {
            (false, Some(downtime)) => {
                self.set_state(
                    State::Waiting(Waiting {
                        target,
                        reason: reason.to_owned(),
                        logged: None,
                        checking: None,
                        downtime,
                    }),
                    None,
                );
                self.recheck_release();
            }
            _ => {
                self.start_node(StartKind::CrashRestart);
                self.after_start.not_ready = Some((target, reason.to_owned()));
            }
        }
    }

    pub(super) fn on_switched(&mut self, ticket: Ticket, result: Result<SwitchRecord, SwitchError>, took: Duration) {
        let State::Switching(switching) = self.state.clone() else { return };
        if switching.ticket != ticket {
            return;
        }
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                tracing::error!("{e}");
                self.finish(Exit::UpgradeFailed);
                return;
            }
        };
        tracing::info!(
            from = record.from.as_ref().map_or_else(|| "(none)".to_owned(), ToString::to_string),
            to = %record.to,
            version = record.version,
            took_ms = took.as_millis() as u64,
            "switched `current`"
        );
        self.emit(Effect::UnlockUpgrade { remove: true });
        self.current = Some(record.to.clone());
        // What staging said about this release is over (a failed attempt before a folder was
        // made by hand, say): the status must not show it after the upgrade.
        if self.staging.as_ref().is_some_and(|s| s.release == record.to || s.status.version == record.version) {
            self.staging = None;
        }
        self.restarts.reset();
        self.plan.announced = None;
        if !record.rollback && record.height.is_some() {
            self.resume = Some(Resume { record_id: record.id.clone(), height: record.height });
        }
        self.last_switch = Some(record.clone());
        self.read_plan();
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        let target = switching.target;
        if !record.rollback && (target.manual || !self.settings.restart_after_upgrade) {
            let why = if target.manual { "the upgrade is manual" } else { "restart after upgrade is off" };
            tracing::warn!(release = %record.to, "switched; the new release is not started because {why}: finish the upgrade and start the visor again");
            self.finish(Exit::Clean);
            return;
        }
        if let Some(backup) = target.restore.filter(|_| record.rollback) {
            self.last_switch = Some(record);
            self.begin_restore(backup);
            return;
        }
        self.start_node(StartKind::AfterUpgrade);
        self.begin_probation(&record);
        let downtime =
            switching.downtime.map(|d| Downtime { switch_took: took, switched_at: Some(self.now.instant), ..d });
        self.after_start.switch = Some((record, downtime));
    }

    /// Once a node started by a switch runs: the downtime, measured from the old node's stop
    /// signal to the new node's spawn.
    pub(super) fn after_launch(&mut self) {
        let after = std::mem::take(&mut self.after_start);
        if let Some(delay) = after.due_in {
            self.due.ticket = self.arm(Timer::Due, delay);
        }
        if let Some(detail) = after.detail {
            self.detail = Some(detail);
            self.publish();
        }
        if let Some((target, reason)) = after.not_ready {
            self.due_not_ready(&target, &reason);
        }
        self.arm_kept_release();
        let Some((record, downtime)) = after.switch else { return };
        self.emit(Effect::Fault("switch-node-started"));
        self.seal_backup(&record);
        let Some(downtime) = downtime else {
            self.publish();
            return;
        };
        let total = self.now.instant.saturating_duration_since(downtime.stop_signal_at);
        let downtime_ms = total.as_millis() as u64;
        let backup = record.backup.as_ref().map_or(Duration::ZERO, |b| b.took);
        let spawn = downtime.switched_at.map_or(Duration::ZERO, |at| self.now.instant.saturating_duration_since(at));
        let phases = Phases { total, stop: downtime.stop_took, backup, switch: downtime.switch_took, spawn };
        // Each phase apart: a wait for a release made by hand is not the switch's doing.
        let [stop, wait, backup, switch, spawn] = phases.named().map(|(_, d)| d.as_micros() as u64);
        tracing::info!(
            downtime_ms,
            downtime_us = total.as_micros() as u64,
            stop_ms = downtime.stop_took.as_millis() as u64,
            stop_us = stop,
            waited_us = wait,
            backup_us = backup,
            switch_us = switch,
            spawn_us = spawn,
            "upgrade done"
        );
        if wait >= 100_000 {
            tracing::info!(
                waited_ms = wait / 1000,
                "of the downtime, the wait for the release (or for room, or a lock) was {} ms; the switch and the \
                 new node's spawn took {} ms",
                wait / 1000,
                (switch + spawn) / 1000
            );
        }
        self.emit(Effect::Observe(Observation::UpgradeDone(phases)));
        if let Some(last) = self.last_switch.as_mut().filter(|l| l.id == record.id) {
            last.downtime_ms = Some(downtime_ms);
        }
        self.emit(Effect::Persist(StoreCmd::Downtime { id: record.id, ms: downtime_ms }));
        self.publish();
    }
}
