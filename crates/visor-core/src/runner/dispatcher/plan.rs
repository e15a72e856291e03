//! Upgrades from a plan: the face's queue of upgrades with due times, re-read whenever its files
//! change, and an upstream address polled for new announcements that the face adds to it.

use std::sync::Arc;
use std::time::Duration;

use super::{Event, Runner};
use crate::node::PlannedUpgrade;
use crate::release::ReleaseName;
use crate::runner::state::{State, Target};
use crate::stage::{client, get_bytes};

/// Largest upstream answer accepted (an upgrade-info file is about 1 KiB).
const MAX_UPSTREAM: usize = 1 << 20;
/// How soon a due upgrade whose release is not ready is tried again; doubles up to the max.
const DUE_RETRY: Duration = Duration::from_secs(2);
const DUE_RETRY_MAX: Duration = Duration::from_secs(60);

impl Runner {
    /// Re-reads the plan; an unreadable plan is reported and the previous one kept.
    pub(super) fn reload_plan(&mut self) {
        match self.face.read_plan() {
            Ok(mut plan) => {
                plan.sort_by_key(|p| p.at);
                if plan != self.plan {
                    for p in plan.iter().filter(|p| !self.plan.iter().any(|q| q.name == p.name && q.at == p.at)) {
                        tracing::info!(name = p.name, version = p.version, at = %p.at, manual = p.manual, "upgrade planned");
                    }
                    self.plan = plan;
                    self.publish();
                }
                self.stage_planned();
                self.arm_due();
            }
            Err(e) => tracing::error!("the upgrade plan was not read, keeping the previous one: {e}"),
        }
    }

    /// The next planned upgrade that can still happen: not refused after a rollback, and not
    /// the release already running.
    pub(super) fn next_planned(&self) -> Option<&PlannedUpgrade> {
        let current = self.current_release();
        self.plan.iter().find(|p| !self.refused.contains(&p.version) && Some(&p.release) != current.as_ref())
    }

    /// The earliest planned upgrade that can still happen and whose release still needs
    /// staging: the one staging works on (one at a time, earliest due first).
    pub(super) fn earliest_to_stage(&self) -> Option<&PlannedUpgrade> {
        let current = self.current_release();
        self.plan.iter().find(|p| {
            !self.refused.contains(&p.version)
                && Some(&p.release) != current.as_ref()
                && self.face.needs_staging(&p.release.dir(self.home.root()))
        })
    }

    /// Stages the earliest planned release that needs it.
    pub(super) fn stage_planned(&mut self) {
        if let Some(version) = self.earliest_to_stage().map(|p| p.version.clone()) {
            self.maybe_stage(&version);
        }
    }

    /// Arms the timer of the next planned upgrade (re-armed on every plan change).
    pub(super) fn arm_due(&mut self) {
        self.due_seq += 1;
        self.due_attempts = 0;
        let Some(next) = self.next_planned() else { return };
        let delta = next.at.duration_since(jiff::Timestamp::now());
        let wait = if delta.is_negative() { Duration::ZERO } else { delta.unsigned_abs() };
        tracing::debug!(name = next.name, in_ms = wait.as_millis() as u64, "upgrade timer armed");
        self.schedule(wait, Event::Due { seq: self.due_seq });
    }

    pub(super) fn on_due(&mut self, seq: u64) {
        if seq != self.due_seq || self.state != State::Running {
            return;
        }
        let Some(next) = self.next_planned().cloned() else { return };
        tracing::info!(name = next.name, version = next.version, "the planned upgrade is due");
        let target = Target {
            version: next.version,
            release: Some(next.release),
            manual: next.manual,
            identity: next.identity,
            checksum: next.checksum,
            ..Target::default()
        };
        self.set_state(State::Verifying, Some(format!("verifying the release {}", target.version)));
        self.spawn_verify(target);
    }

    /// A due upgrade whose release is not ready: the daemon keeps running; try again soon.
    pub(super) fn due_not_ready(&mut self, target: &Target, reason: &str) {
        if self.due_reported.as_deref() != Some(reason)
            || self.due_logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(30))
        {
            tracing::error!(
                version = target.version,
                "the upgrade is due but its release is not ready, the node keeps running: {reason}"
            );
            self.due_reported = Some(reason.to_owned());
            self.due_logged = Some(std::time::Instant::now());
        }
        self.set_state(State::Running, Some(format!("upgrade {} due, release not ready: {reason}", target.version)));
        self.due_seq += 1;
        let delay = DUE_RETRY.saturating_mul(1 << self.due_attempts.min(5)).min(DUE_RETRY_MAX);
        self.due_attempts += 1;
        self.schedule(delay, Event::Due { seq: self.due_seq });
    }

    /// Whether the planned `target` is still the next upgrade and due (the plan may have changed
    /// while it was verified).
    pub(super) fn still_due(&self, target: &Target) -> bool {
        self.next_planned().is_some_and(|p| {
            Some(&p.release) == target.release.as_ref() && p.version == target.version && p.at <= jiff::Timestamp::now()
        })
    }

    /// The release folder of a planned upgrade of `version`, if one is planned.
    pub(super) fn planned(&self, version: &str) -> Option<&PlannedUpgrade> {
        self.plan.iter().find(|p| p.version == version)
    }

    /// Polls the upstream, if any, for as long as the visor runs (restarted when its settings
    /// change).
    pub(super) fn start_upstream(&mut self) {
        if let Some(task) = self.upstream.take() {
            task.abort();
        }
        let Some(settings) = self.settings.upstream.clone() else { return };
        let tx = self.events_tx.clone();
        self.upstream = Some(tokio::spawn(async move {
            let http = client(&settings.fetch);
            loop {
                let result = get_bytes(&http, &settings.url, &[], &settings.fetch, MAX_UPSTREAM).await;
                if tx.send(Event::Upstream { url: settings.url.to_string(), result }).is_err() {
                    return;
                }
                tokio::time::sleep(settings.interval).await;
            }
        }));
    }

    pub(super) fn on_upstream(&mut self, url: String, result: Result<Vec<u8>, crate::stage::FetchError>) {
        let body = match result {
            Ok(body) => body,
            Err(e) => {
                tracing::warn!(url, "the upstream did not answer usefully, trying again at the next poll: {e}");
                return;
            }
        };
        let face = Arc::clone(&self.face);
        self.spawn_worker("upstream", async move {
            let handled = tokio::task::spawn_blocking(move || {
                face.upstream_answered(&body, &url).map_err(|e| format!("{url}: {e}"))
            });
            let result = handled.await.unwrap_or_else(|e| Err(format!("internal error: {e}")));
            Event::UpstreamHandled(result)
        });
    }

    pub(super) fn on_upstream_handled(&mut self, result: Result<String, String>) {
        match result {
            Ok(what) if what.is_empty() => {}
            Ok(what) => {
                tracing::info!("{what}");
                self.reload_plan();
            }
            Err(e) => tracing::warn!("the upstream's announcement was not used: {e}"),
        }
    }

    /// The release `current` names.
    pub(super) fn current_release(&self) -> Option<ReleaseName> {
        match self.home.read_current() {
            Ok(crate::home::CurrentLink::Release(name)) => Some(name),
            _ => None,
        }
    }
}
