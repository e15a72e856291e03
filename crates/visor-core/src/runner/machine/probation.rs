//! Probation: after a switch, the new release must survive its startup period. If it spends
//! its restart budget before, the visor switches back to the release it came from, records the
//! rollback, keeps the old release running, and does not try that upgrade again in this run
//! (the face keeps it out of the plan until the operator acts).

use std::time::{Duration, Instant};

use super::Machine;
use crate::history::SwitchRecord;
use crate::release::ReleaseName;
use crate::runner::event::{Effect, StoreCmd, Ticket, Timer};
use crate::runner::state::{State, Target};

/// A release on probation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probation {
    pub(crate) record: SwitchRecord,
    pub(crate) previous: ReleaseName,
    pub(crate) started: Instant,
}

impl Machine {
    /// Puts the release just switched to on probation, if the settings ask for it.
    pub(super) fn begin_probation(&mut self, record: &SwitchRecord) {
        let (Some(period), Some(previous)) = (self.settings.probation, record.from.clone()) else { return };
        if record.rollback {
            return;
        }
        tracing::info!(release = %record.to, period_s = period.as_secs(), "the new release is on probation");
        self.probation = Some(Probation { record: record.clone(), previous, started: self.now.instant });
        self.probation_timer = Some(self.arm(Timer::Probation, period));
    }

    pub(super) fn on_probation_timer(&mut self, ticket: Ticket) {
        if self.probation_timer != Some(ticket) {
            return;
        }
        self.probation_timer = None;
        let Some(period) = self.settings.probation else { return };
        if self.probation.is_none() {
            return;
        }
        // Passed only by running without a break for the whole period.
        let ran = self
            .launched_at
            .filter(|_| self.state == State::Running)
            .map(|t| self.now.instant.saturating_duration_since(t));
        if ran.is_none_or(|ran| ran < period) {
            let left = period.saturating_sub(ran.unwrap_or_default());
            self.probation_timer = Some(self.arm(Timer::Probation, left.max(Duration::from_millis(100))));
            return;
        }
        let Some(probation) = self.probation.take() else { return };
        tracing::info!(
            release = %probation.record.to,
            after_s = self.now.instant.saturating_duration_since(probation.started).as_secs(),
            "the new release passed its probation"
        );
        let at = self.now.wall;
        if let Some(last) = self.last_switch.as_mut().filter(|r| r.id == probation.record.id) {
            last.confirmed_at = Some(at);
        }
        self.emit(Effect::Persist(StoreCmd::Confirm { id: probation.record.id, at }));
        self.publish();
    }

    /// Called when the restart budget is spent: during probation, roll back instead of exiting.
    /// The switch checks on disk that the previous release is still complete.
    pub(super) fn try_rollback(&mut self) -> bool {
        let Some(probation) = self.probation.take() else { return false };
        tracing::error!(
            failed = %probation.record.to,
            back_to = %probation.previous,
            version = probation.record.version,
            "the new release keeps failing during its probation: rolling back"
        );
        self.plan.refused.push(probation.record.version.clone());
        self.restarts.reset();
        self.probation_timer = None;
        // The new release may have migrated the data already: the backup taken before it goes
        // back with the release, when the operator asked for that.
        let restore = probation
            .record
            .backup
            .as_ref()
            .filter(|_| self.settings.backup.as_ref().is_some_and(|b| b.restore_on_rollback))
            .map(|b| b.path.clone());
        let target = Target {
            version: probation.record.version.clone(),
            release: Some(probation.previous.clone()),
            rollback: true,
            restore,
            ..Target::default()
        };
        self.begin_switch(target, probation.previous, None, None);
        true
    }
}
