//! The plan: every upgrade the run knows of, whichever source it came from — the face's queue
//! of upgrades with due times (re-read whenever its files change; an upstream address polled
//! for new announcements that the face adds to it), the node's own announcement (Vega: due
//! when the core halts at its height), and the versions refused after a rollback.

use std::time::Duration;

use super::Machine;
use crate::release::ReleaseName;
use crate::runner::event::{Effect, Planned, Ticket, Timer};
use crate::runner::state::{State, Target};
use crate::upgrade::{Trigger, Upgrade};

/// How soon a due upgrade whose release is not ready is tried again; doubles up to the max.
const DUE_RETRY: Duration = Duration::from_secs(2);
const DUE_RETRY_MAX: Duration = Duration::from_secs(60);
/// A not-ready due upgrade is said again at most this often.
const DUE_LOG: Duration = Duration::from_secs(30);

/// Every upgrade of the run, from every source.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The face's queue, earliest due first.
    pub(super) queue: Vec<Planned>,
    /// The upgrade the node announces (Vega: triggered by the core's halt at the height).
    pub(super) announced: Option<Upgrade>,
    /// Versions rolled back in this run: not tried again.
    pub(super) refused: Vec<String>,
}

impl Plan {
    /// The queued upgrade of `version`, if one is queued.
    pub(super) fn queued(&self, version: &str) -> Option<&Upgrade> {
        self.queue.iter().map(|p| &p.upgrade).find(|p| p.version == version)
    }

    /// Whether `version` was rolled back in this run.
    pub(super) fn refuses(&self, version: &str) -> bool {
        self.refused.iter().any(|r| r == version)
    }

    /// Whether the node announces the upgrade to `version`.
    pub(super) fn announces(&self, version: &str) -> bool {
        self.announced.as_ref().is_some_and(|p| p.version == version)
    }
}

impl Machine {
    pub(super) fn read_plan(&mut self) {
        self.plan_pending = true;
        self.emit(Effect::ReadPlan);
    }

    /// The plan was read; an unreadable plan is reported and the previous one kept.
    pub(super) fn on_plan(&mut self, result: Result<Vec<Planned>, String>) {
        self.plan_pending = false;
        match result {
            Ok(mut plan) => {
                plan.sort_by_key(|p| {
                    (
                        p.upgrade.trigger.at().unwrap_or(jiff::Timestamp::MAX),
                        p.upgrade.trigger.height().unwrap_or(u64::MAX),
                    )
                });
                if plan != self.plan.queue {
                    for p in plan.iter().map(|p| &p.upgrade).filter(|p| {
                        !self.plan.queue.iter().any(|q| q.upgrade.name == p.name && q.upgrade.trigger == p.trigger)
                    }) {
                        tracing::info!(
                            name = p.name,
                            version = p.version,
                            trigger = p.trigger.to_string(),
                            manual = p.manual.then_some(true),
                            "upgrade planned"
                        );
                    }
                    self.plan.queue = plan;
                    self.publish();
                    if self.node_plan_waits() && self.height_polling {
                        // A fresh reading now: the node may just have halted at the plan's height.
                        self.emit(Effect::StopHeightPoll);
                        self.height_polling = false;
                    }
                }
                self.stage_planned();
                self.sync_height_poll();
                self.arm_due();
                self.respawn_for_halt();
            }
            Err(e) => tracing::error!("the upgrade plan was not read, keeping the previous one: {e}"),
        }
        if !std::mem::replace(&mut self.plan_read, true) {
            self.launch_after_plan();
        }
        if std::mem::take(&mut self.failure_after_plan) {
            self.on_failure();
        }
    }

    /// The release folder `upgrade` runs from: the one its source names, else the one the
    /// face's settings map its version to.
    pub(super) fn release_of(&self, upgrade: &Upgrade) -> Result<ReleaseName, String> {
        match &upgrade.release {
            Some(release) => Ok(release.clone()),
            None => self.settings.release_for(&upgrade.version).map_err(|e| format!("{e}; {}", self.hints.map_release)),
        }
    }

    /// Whether a planned upgrade can still happen: due at a time or a height, not refused
    /// after a rollback, and not the release already running.
    fn can_happen(&self, upgrade: &Upgrade) -> bool {
        !self.plan.refuses(&upgrade.version) && self.release_of(upgrade).ok().as_ref() != self.current.as_ref()
    }

    /// The next planned upgrade that can still happen.
    pub(super) fn next_planned(&self) -> Option<&Upgrade> {
        self.plan.queue.iter().map(|p| &p.upgrade).find(|p| self.can_happen(p))
    }

    /// The earliest planned upgrade that can still happen and whose release still needs
    /// staging: the one staging works on (one at a time, earliest due first).
    pub(super) fn earliest_to_stage(&self) -> Option<&Upgrade> {
        self.plan.queue.iter().filter(|p| !p.present).map(|p| &p.upgrade).find(|p| self.can_happen(p))
    }

    /// Stages the earliest planned release that needs it.
    pub(super) fn stage_planned(&mut self) {
        if let Some(version) = self.earliest_to_stage().map(|p| p.version.clone()) {
            self.maybe_stage(&version);
        }
    }

    /// The planned upgrade of `version`, if one is planned.
    pub(super) fn planned(&self, version: &str) -> Option<&Upgrade> {
        self.plan.queued(version)
    }

    /// Arms the timer of the next planned upgrade (re-armed on every plan change).
    pub(super) fn arm_due(&mut self) {
        self.due.attempts = 0;
        let Some(next) = self.next_planned().cloned() else {
            self.due.ticket = Ticket::default();
            return;
        };
        let Some(at) = next.trigger.at() else {
            // Due at a height: the chain's height says when.
            self.due.ticket = Ticket::default();
            if self.due_now(&next.trigger) && self.state == State::Running {
                self.start_due();
            }
            return;
        };
        let delta = at.duration_since(self.now.wall);
        let wait = if delta.is_negative() { Duration::ZERO } else { delta.unsigned_abs() };
        tracing::debug!(name = next.name, in_ms = wait.as_millis() as u64, "upgrade timer armed");
        self.due.ticket = self.arm(Timer::Due, wait);
    }

    pub(super) fn on_due(&mut self, ticket: Ticket) {
        if ticket != self.due.ticket || self.state != State::Running {
            return;
        }
        self.start_due();
    }

    /// Whether `trigger` has come: its time has passed, or the chain has reached its height.
    pub(super) fn due_now(&self, trigger: &Trigger) -> bool {
        match trigger {
            Trigger::At(at) => *at <= self.now.wall,
            Trigger::Now => true,
            Trigger::Height(h) => self.chain_height.is_some_and(|height| height >= *h),
            // In a plan, the node wrote it when it halted (a Cosmos app's own plan): due once
            // the chain is at its height. With no height ever seen before the first launch (a
            // first start, a restored snapshot) the plan is taken at its word, as the peer does;
            // once a node has run, the height is read first.
            Trigger::NodeReady { height } => match self.chain_height {
                Some(h) => h >= *height,
                None => !self.node_ran,
            },
        }
    }

    /// The lowest height a planned upgrade is due at: the node stops after it, so no block
    /// past it runs on the old release.
    pub(super) fn halt_height(&self) -> Option<u64> {
        self.plan
            .queue
            .iter()
            .map(|p| &p.upgrade)
            .filter(|p| self.can_happen(p))
            .filter_map(|p| match p.trigger {
                Trigger::Height(h) => Some(h),
                _ => None,
            })
            .min()
    }

    /// Restarts the running node when the halt height it was started with is no longer the
    /// plan's (a manual upgrade added, moved or removed).
    fn respawn_for_halt(&mut self) {
        let wanted = self.halt_height();
        let Some(node) = self.node.as_ref() else { return };
        if self.state != State::Running || node.halt == wanted || !node.takes_halt {
            return;
        }
        tracing::info!(
            before = node.halt,
            after = wanted,
            "the lowest manual upgrade height changed; restarting the node with its new halt height"
        );
        self.begin_stop(super::super::state::StopWhy::Respawn);
    }

    /// Whether the next planned upgrade is one the node wrote for a height the chain is not
    /// known to have reached (someone wrote it ahead, or the height last seen is old).
    fn node_plan_waits(&self) -> bool {
        self.next_planned().is_some_and(|p| matches!(p.trigger, Trigger::NodeReady { .. }) && !self.due_now(&p.trigger))
    }

    /// The node ended by itself while a plan it wrote is pending at a height within a block
    /// of the last one seen: it halted there (an SDK app exits at its upgrade height, and its
    /// RPC goes with it).
    pub(super) fn node_plan_due_after_exit(&self) -> Option<Upgrade> {
        self.next_planned()
            .filter(|p| match p.trigger {
                Trigger::NodeReady { height } => self.chain_height.is_none_or(|h| h.saturating_add(1) >= height),
                _ => false,
            })
            .cloned()
    }

    /// The next planned upgrade, if the node wrote it, it is due and its release is complete:
    /// done before the node is launched (a restart at the height, a restored snapshot).
    pub(super) fn node_plan_due_before_launch(&self) -> Option<Upgrade> {
        let next = self.next_planned()?;
        let present = self.plan.queue.iter().any(|p| &p.upgrade == next && p.present);
        (matches!(next.trigger, Trigger::NodeReady { .. }) && self.due_now(&next.trigger) && present)
            .then(|| next.clone())
    }

    /// Polls the chain's height while an upgrade waits for one.
    pub(super) fn sync_height_poll(&mut self) {
        let wanted = (self.halt_height().is_some() || self.node_plan_waits())
            .then(|| self.settings.chain_height.clone())
            .flatten();
        match (wanted, self.height_polling) {
            (Some(settings), false) => {
                self.emit(Effect::StartHeightPoll(settings));
                self.height_polling = true;
            }
            (None, true) => {
                self.emit(Effect::StopHeightPoll);
                self.height_polling = false;
            }
            _ => {}
        }
    }

    pub(super) fn on_chain_height(&mut self, result: Result<u64, String>) {
        match result {
            Ok(height) => {
                self.height_error = None;
                if self.chain_height == Some(height) {
                    return;
                }
                self.chain_height = Some(height);
                tracing::debug!(height, "chain height");
                let due = self.next_planned().is_some_and(|p| {
                    matches!(p.trigger, Trigger::Height(_) | Trigger::NodeReady { .. }) && self.due_now(&p.trigger)
                });
                self.sync_height_poll();
                if due && self.state == State::Running {
                    self.start_due();
                }
            }
            Err(e) => {
                if self.height_error.as_deref() != Some(e.as_str()) {
                    tracing::warn!("cannot read the chain's height, which a planned upgrade waits for: {e}");
                    self.height_error = Some(e);
                }
            }
        }
    }

    /// Starts the next planned upgrade, which is due.
    fn start_due(&mut self) {
        let Some(next) = self.next_planned().cloned() else { return };
        tracing::info!(name = next.name, version = next.version, "the planned upgrade is due");
        if let Some(target) = self.target_of(next) {
            self.verify(target);
        }
    }

    /// What upgrading to the planned `upgrade` means.
    pub(super) fn target_of(&self, upgrade: Upgrade) -> Option<Target> {
        let release = self.release_of(&upgrade).ok()?;
        Some(Target {
            name: upgrade.name,
            height: upgrade.trigger.height(),
            version: upgrade.version,
            release: Some(release),
            manual: upgrade.manual,
            identity: upgrade.identity,
            checksum: upgrade.checksum,
            ..Target::default()
        })
    }

    /// Upgrades to the planned `upgrade` with the node not running: its release is checked
    /// (and waited for), then backed up and switched as after a stop.
    pub(super) fn upgrade_while_stopped(&mut self, upgrade: Upgrade) {
        let Some(target) = self.target_of(upgrade) else { return };
        tracing::info!(
            name = target.name,
            version = target.version,
            "the planned upgrade is due while the node is not running"
        );
        self.node = None;
        let downtime = super::super::state::Downtime::after_stop(self.now.instant, Duration::ZERO);
        self.set_state(
            State::Waiting(super::super::state::Waiting {
                target,
                reason: String::new(),
                logged: None,
                checking: None,
                downtime,
            }),
            None,
        );
        self.recheck_release();
    }

    /// A due upgrade whose release is not ready: the daemon keeps running; try again soon.
    pub(super) fn due_not_ready(&mut self, target: &Target, reason: &str) {
        let now = self.now.instant;
        // A release still being downloaded is not a fault: say how far it is, and try the
        // upgrade as soon as it is staged (`on_staged`), not at the next backoff.
        let downloading = self.download_progress(&target.version);
        let said = downloading.as_ref().map_or(reason, |_| "downloading");
        if self.due.reported.as_deref() != Some(said)
            || self.due.logged.is_none_or(|t| now.saturating_duration_since(t) >= DUE_LOG)
        {
            match &downloading {
                Some(progress) => tracing::info!(
                    version = target.version,
                    "the upgrade is due; waiting for the download of its release ({progress}), the node keeps running"
                ),
                None => tracing::error!(
                    version = target.version,
                    "the upgrade is due but its release is not ready, the node keeps running: {reason}"
                ),
            }
            self.due.reported = Some(said.to_owned());
            self.due.logged = Some(now);
        }
        let detail = match &downloading {
            Some(progress) => format!("upgrade {} due, waiting for the download ({progress})", target.version),
            None => format!("upgrade {} due, release not ready: {reason}", target.version),
        };
        self.set_state(State::Running, Some(detail));
        let delay = DUE_RETRY.saturating_mul(1 << self.due.attempts.min(5)).min(DUE_RETRY_MAX);
        self.due.attempts += 1;
        self.due.ticket = self.arm(Timer::Due, delay);
    }

    /// How far the download of `version`'s release is, while it runs.
    fn download_progress(&self, version: &str) -> Option<String> {
        self.staging.as_ref().filter(|s| s.status.version == version && s.running.is_some()).map(|s| {
            match s.status.total {
                Some(total) => format!("{} of {total} bytes", s.status.bytes),
                None => format!("{} bytes so far", s.status.bytes),
            }
        })
    }

    /// The download of a due upgrade's release moved on: the status says how far it is.
    pub(super) fn due_download_moved(&mut self, version: &str) {
        if self.state != State::Running || self.due.reported.as_deref() != Some("downloading") {
            return;
        }
        if let Some(progress) = self.download_progress(version) {
            self.detail = Some(format!("upgrade {version} due, waiting for the download ({progress})"));
        }
    }

    /// A release was staged: if it is the due upgrade's, the upgrade goes ahead now.
    pub(super) fn staged_for_due(&mut self, version: &str) {
        if !matches!(self.state, State::Running) || self.due.attempts == 0 {
            return;
        }
        let due = self.next_planned().is_some_and(|p| p.version == version && self.due_now(&p.trigger));
        if due {
            self.due.ticket = self.ticket();
            self.start_due();
        }
    }

    /// Whether the planned `target` is still the next upgrade and due (the plan may have changed
    /// while it was verified).
    pub(super) fn still_due(&self, target: &Target) -> bool {
        self.next_planned().is_some_and(|p| {
            self.release_of(p).ok().as_ref() == target.release.as_ref()
                && p.version == target.version
                && self.due_now(&p.trigger)
        })
    }

    /// Polls the upstream, if any, for as long as the visor runs (restarted when its settings
    /// change).
    pub(super) fn start_upstream(&mut self) {
        if self.upstream_running {
            self.emit(Effect::StopUpstream);
            self.upstream_running = false;
        }
        if let Some(settings) = self.settings.upstream.clone() {
            self.emit(Effect::StartUpstream(settings));
            self.upstream_running = true;
        }
    }

    pub(super) fn on_upstream(&mut self, url: String, result: Result<Vec<u8>, crate::stage::FetchError>) {
        match result {
            Ok(body) => self.emit(Effect::HandleUpstream { url, body }),
            Err(e) => {
                tracing::warn!(url, "the upstream did not answer usefully, trying again at the next poll: {e}");
            }
        }
    }

    pub(super) fn on_upstream_handled(&mut self, result: Result<String, String>) {
        match result {
            Ok(what) if what.is_empty() => {}
            Ok(what) => {
                tracing::info!("{what}");
                self.read_plan();
            }
            Err(e) => tracing::warn!("the upstream's announcement was not used: {e}"),
        }
    }
}
