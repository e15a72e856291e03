//! Probation: after a switch, the new release must survive its startup period. If it spends
//! its restart budget before, the visor switches back to the release it came from, records the
//! rollback, keeps the old release running, and does not try that upgrade again in this run
//! (the face keeps it out of the plan until the operator acts).

use std::time::Instant;

use super::{Event, Runner};
use crate::history::{History, SwitchRecord};
use crate::release::ReleaseName;
use crate::runner::state::Target;

/// A release on probation.
pub(super) struct Probation {
    pub(super) record: SwitchRecord,
    pub(super) previous: ReleaseName,
    pub(super) started: Instant,
}

impl Runner {
    /// Puts the release just switched to on probation, if the settings ask for it.
    pub(super) fn begin_probation(&mut self, record: &SwitchRecord) {
        let (Some(period), Some(previous)) = (self.settings.probation, record.from.clone()) else { return };
        if record.rollback {
            return;
        }
        tracing::info!(release = %record.to, period_s = period.as_secs(), "the new release is on probation");
        self.probation = Some(Probation { record: record.clone(), previous, started: Instant::now() });
        self.schedule(period, Event::ProbationOver { record_id: record.id.clone() });
    }

    pub(super) fn on_probation_over(&mut self, record_id: &str) {
        let Some(period) = self.settings.probation else { return };
        if self.probation.as_ref().is_none_or(|p| p.record.id != record_id) {
            return;
        }
        // Passed only by running without a break for the whole period.
        let ran = self.launched_at.filter(|_| self.state == crate::runner::state::State::Running).map(|t| t.elapsed());
        if ran.is_none_or(|ran| ran < period) {
            let left = period.saturating_sub(ran.unwrap_or_default());
            self.schedule(
                left.max(std::time::Duration::from_millis(100)),
                Event::ProbationOver { record_id: record_id.to_owned() },
            );
            return;
        }
        let Some(probation) = self.probation.take() else { return };
        tracing::info!(
            release = %probation.record.to,
            after_s = probation.started.elapsed().as_secs(),
            "the new release passed its probation"
        );
        let path = self.home.history_file();
        let now = jiff::Timestamp::now().to_string();
        let id = record_id.to_owned();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = History::update(&path, |h| {
                if let Some(r) = h.find_mut(&id) {
                    r.confirmed_at = Some(now);
                }
            }) {
                tracing::warn!(error = %e, "cannot record the end of the probation in the history");
            }
        });
    }

    /// Called when the restart budget is spent: during probation, roll back instead of exiting.
    pub(super) fn try_rollback(&mut self) -> bool {
        let Some(probation) = self.probation.take() else { return false };
        if !super::release_complete(self.face.as_ref(), &self.home, &probation.previous) {
            tracing::error!(previous = %probation.previous, "the new release keeps failing, and the previous one is no longer complete: cannot roll back");
            return false;
        }
        tracing::error!(
            failed = %probation.record.to,
            back_to = %probation.previous,
            version = probation.record.version,
            "the new release keeps failing during its probation: rolling back"
        );
        self.refused.push(probation.record.version.clone());
        self.restarts.reset();
        let target = Target {
            version: probation.record.version.clone(),
            release: Some(probation.previous.clone()),
            rollback: true,
            ..Target::default()
        };
        self.begin_switch(target, probation.previous);
        true
    }
}
