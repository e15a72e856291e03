//! Staging a release ahead of its upgrade, one at a time: the announced one (Vega), the one
//! being waited for, or the earliest planned one. Failures are retried with backoff; the
//! running node is never touched.

use std::time::Duration;

use super::Machine;
use crate::release::ReleaseName;
use crate::runner::event::{Effect, Planned, StageRequest, Ticket, Timer};
use crate::runner::state::State;
use crate::stage::{StageError, StagePhase, StageProgress, Staged};
use crate::status::StagingStatus;
use crate::upgrade::Upgrade;

/// The first wait before staging is tried again; doubles up to `STAGE_RETRY_MAX`.
const STAGE_RETRY: Duration = Duration::from_secs(2);
const STAGE_RETRY_MAX: Duration = Duration::from_secs(300);

/// Staging of one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Staging {
    /// The attempt under way, if one is.
    pub(crate) running: Option<Ticket>,
    /// The retry armed, if one is.
    pub(crate) retry: Option<Ticket>,
    pub(crate) release: ReleaseName,
    pub(crate) status: StagingStatus,
}

fn phase_name(phase: StagePhase) -> &'static str {
    match phase {
        StagePhase::Resolving => "resolving",
        StagePhase::Downloading => "downloading",
        StagePhase::Unpacking => "unpacking",
        StagePhase::Verifying => "verifying",
        StagePhase::Staged => "staged",
        StagePhase::Failed => "failed",
    }
}

impl Machine {
    /// Whether the upgrade to `version` is still wanted (announced, awaited or planned).
    fn wants(&self, version: &str) -> bool {
        self.plan.announces(version)
            || matches!(&self.state, State::Waiting(w) if w.target.version == version)
            || (self.planned(version).is_some() && !self.plan.refuses(version))
    }

    /// Starts staging `version` if the face can, its folder is missing and nothing is under
    /// way for it already.
    pub(super) fn maybe_stage(&mut self, version: &str) {
        if !self.wants(version) {
            return;
        }
        // An announcement that names its own release and artifact (a Cosmos chain's plan) is
        // staged from them, as a planned upgrade is.
        let own = |u: &Upgrade| u.version == version && (u.release.is_some() || u.artifact.is_some());
        let planned = self
            .plan
            .queue
            .iter()
            .find(|p| p.upgrade.version == version)
            .cloned()
            .or_else(|| self.plan.announced.clone().filter(own).map(|upgrade| Planned { upgrade, present: false }));
        let waited = matches!(&self.state, State::Waiting(w) if w.target.version == version);
        let announced = self.plan.announces(version);
        // One staging at a time, for the earliest planned upgrade: a later one (or a retry of
        // one that is no longer the earliest) waits its turn instead of taking the slot.
        if planned.is_some() && !announced && !waited && self.earliest_to_stage().is_none_or(|p| p.version != version) {
            return;
        }
        if planned.as_ref().is_some_and(|p| p.present) {
            return;
        }
        // Without staging settings only a plan's reason not to download is worth reporting.
        let settings = match self.settings.staging.clone() {
            Some(settings) => Some(settings),
            None if planned.as_ref().is_some_and(|p| matches!(p.upgrade.artifact, Some(Err(_)))) => None,
            None => return,
        };
        let release = match &planned {
            Some(p) => self.release_of(&p.upgrade),
            None => self.settings.release_for(version).map_err(|e| e.to_string()),
        };
        let Ok(release) = release else { return };
        let from_settings = || settings.as_ref().and_then(|s| s.source.clone());
        let (source, identity) = match planned.map(|p| (p.upgrade.artifact, p.upgrade.identity)) {
            Some((Some(Ok(source)), identity)) => (source, identity),
            Some((None, identity)) => match from_settings() {
                Some(source) => (source, identity),
                None => return,
            },
            Some((Some(Err(why)), _)) => {
                if self.staging.as_ref().is_none_or(|s| s.status.version != version) {
                    tracing::error!(version, folder = %release, "CANNOT DOWNLOAD THE RELEASE: {why}; {}, or fix the upgrade information", self.provide_for(release.to_string().rsplit('/').next().unwrap_or(version)));
                    self.staging = Some(Staging {
                        running: None,
                        retry: None,
                        release: release.clone(),
                        status: StagingStatus {
                            version: version.to_owned(),
                            folder: release.to_string(),
                            phase: "failed".to_owned(),
                            bytes: 0,
                            total: None,
                            attempt: 0,
                            error: Some(why),
                            checksum: None,
                            verified: false,
                        },
                    });
                    self.publish();
                }
                return;
            }
            None => match from_settings() {
                Some(source) => (source, None),
                None => return,
            },
        };
        let Some(settings) = settings else { return };
        let attempt = match &self.staging {
            Some(s) if s.status.version == version && (s.running.is_some() || s.retry.is_some()) => return,
            Some(s) if s.status.version == version => s.status.attempt + 1,
            _ => 1,
        };
        let ticket = self.ticket();
        // Logged and shown once the shell has found the folder missing (`StageStarted`).
        self.staging = Some(Staging {
            running: Some(ticket),
            retry: None,
            release: release.clone(),
            status: StagingStatus {
                version: version.to_owned(),
                folder: release.to_string(),
                phase: "resolving".to_owned(),
                bytes: 0,
                total: None,
                attempt,
                error: None,
                checksum: None,
                verified: false,
            },
        });
        let request = StageRequest { release, version: version.to_owned(), source, identity, settings };
        self.emit(Effect::Stage { ticket, request });
    }

    fn staging_for(&mut self, ticket: Ticket) -> Option<&mut Staging> {
        self.staging.as_mut().filter(|s| s.running == Some(ticket))
    }

    /// The folder is missing and staging has begun.
    pub(super) fn on_stage_started(&mut self, ticket: Ticket) {
        let Some(staging) = self.staging_for(ticket) else { return };
        tracing::info!(
            version = staging.status.version,
            folder = %staging.release,
            attempt = staging.status.attempt,
            "staging the release ahead of the upgrade"
        );
        self.publish();
    }

    /// The folder was there already (made by hand): nothing to stage.
    pub(super) fn on_stage_not_needed(&mut self, ticket: Ticket) {
        let Some(staging) = self.staging_for(ticket) else { return };
        let version = staging.status.version.clone();
        self.staging = None;
        self.mark_present(&version);
    }

    fn mark_present(&mut self, version: &str) {
        for p in self.plan.queue.iter_mut().filter(|p| p.upgrade.version == version) {
            p.present = true;
        }
    }

    pub(super) fn on_stage_progress(&mut self, ticket: Ticket, progress: StageProgress) {
        self.emit(Effect::ShowProgress(progress.clone()));
        let Some(staging) = self.staging_for(ticket) else { return };
        staging.status.phase = phase_name(progress.phase).to_owned();
        if progress.phase == StagePhase::Downloading {
            staging.status.bytes = progress.bytes;
            staging.status.total = progress.total;
        }
        self.due_download_moved(&progress.version);
        self.publish();
    }

    pub(super) fn on_staged(&mut self, ticket: Ticket, result: Result<Staged, StageError>) {
        let Some(staging) = self.staging_for(ticket) else { return };
        staging.running = None;
        let version = staging.status.version.clone();
        match result {
            Ok(staged) => {
                staging.status.phase = "staged".to_owned();
                staging.status.error = None;
                staging.status.bytes = staged.bytes;
                staging.status.checksum = Some(staged.checksum.to_string());
                staging.status.verified = staged.verified;
                tracing::info!(
                    version,
                    folder = %staging.release,
                    bytes = staged.bytes,
                    checksum = %staged.checksum,
                    verified = staged.verified,
                    download_ms = staged.download.as_millis() as u64,
                    took_ms = staged.took.as_millis() as u64,
                    "release staged ahead of the upgrade"
                );
                self.emit(Effect::ShowProgress(StageProgress {
                    version: version.clone(),
                    phase: StagePhase::Staged,
                    bytes: staged.bytes,
                    total: Some(staged.bytes),
                    bytes_per_second: 0,
                }));
                self.mark_present(&version);
                if matches!(self.state, State::Waiting(_)) {
                    self.recheck_release();
                }
                self.staged_for_due(&version);
                // The next planned release, if any, is staged in its turn.
                self.stage_planned();
            }
            Err(e) => {
                let attempt = staging.status.attempt;
                let delay = STAGE_RETRY.saturating_mul(1 << (attempt.saturating_sub(1)).min(8)).min(STAGE_RETRY_MAX);
                staging.status.phase = "failed".to_owned();
                staging.status.error = Some(e.to_string());
                tracing::error!(
                    version,
                    attempt,
                    retry_in_s = delay.as_secs(),
                    "CANNOT STAGE THE RELEASE: {e}; it is tried again, or {} (a complete folder made by hand is used as \
                     it is)",
                    self.provide_for(&version)
                );
                self.emit(Effect::ShowProgress(StageProgress {
                    version: version.clone(),
                    phase: StagePhase::Failed,
                    bytes: 0,
                    total: None,
                    bytes_per_second: 0,
                }));
                let retry = self.arm(Timer::StageRetry(version), delay);
                if let Some(staging) = self.staging.as_mut() {
                    staging.retry = Some(retry);
                }
            }
        }
        self.publish();
    }

    pub(super) fn on_stage_retry(&mut self, ticket: Ticket, version: &str) {
        if let Some(staging) = self.staging.as_mut().filter(|s| s.retry == Some(ticket)) {
            staging.retry = None;
        } else if self.staging.as_ref().is_some_and(|s| s.status.version == version) {
            return;
        }
        self.maybe_stage(version);
    }
}
