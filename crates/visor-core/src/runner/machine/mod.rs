//! The run loop's decisions: a synchronous machine that owns all of the run's state, takes one
//! [`Event`] at a time with the time it happened, and answers with the [`Effect`]s the shell
//! must carry out. It does no I/O, reads no clock and spawns nothing, so every transition is a
//! unit test with a fake clock (`tests.rs`).
//!
//! The pieces, one module each: starting, stopping, restarts and signals (`node`); the upgrade
//! from trigger to switch (`upgrade`); the plan, one for every source: the face's queue, the node's announcement, the refused versions (`plan`); staging ahead of time
//! (`staging`); probation and rollback (`probation`).

mod admin;
mod backup;
mod node;
mod plan;
mod probation;
mod staging;
#[cfg(test)]
mod tests;
mod upgrade;

use std::time::{Duration, Instant};

use super::event::{Effect, Event, Now, ProcessInfo, Ticket, Timer};
use super::state::State;
use crate::exit::Exit;
use crate::history::SwitchRecord;
use crate::node::Settings;
use crate::release::ReleaseName;
use crate::status::{PendingStatus, ProcessStatus, Status};
use crate::supervise::RestartBudget;

pub(crate) use plan::Plan;
pub(crate) use probation::Probation;
pub(crate) use staging::Staging;

/// The node that runs (or ran last), as the machine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeInfo {
    /// The generation: the ticket of its start; exits and polls carry it.
    pub(crate) ticket: Ticket,
    /// The node stops making progress at an upgrade (a Vega core halted at the height), so a
    /// release not ready then is waited for with the node stopped; otherwise the node keeps
    /// running and the upgrade is retried.
    pub(crate) halts_at_upgrade: bool,
    /// The height it was told to stop after (a manual upgrade's).
    pub(crate) halt: Option<u64>,
    /// Whether it can be told one (a Cosmos app started with `start`).
    pub(crate) takes_halt: bool,
    pub(crate) processes: Vec<ProcessInfo>,
}

/// The upgrade a freshly switched release came from, until the new node proves healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) record_id: String,
    pub(crate) height: Option<u64>,
}

/// A planned upgrade's timer: which arming is current, and how often it found the release not
/// ready (for the backoff and for saying things once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Due {
    pub(crate) ticket: Ticket,
    pub(crate) attempts: u32,
    pub(crate) reported: Option<String>,
    pub(crate) logged: Option<Instant>,
}

/// What is left to do once the node being started runs (its start is asynchronous).
#[derive(Debug, Default)]
pub(crate) struct AfterStart {
    /// A status detail to show (a failed backup's retry).
    pub(crate) detail: Option<String>,
    /// Check the due upgrade again after this long (a backoff), rather than at its time.
    pub(crate) due_in: Option<Duration>,
    /// The due upgrade whose release was not ready, and why.
    pub(crate) not_ready: Option<(super::state::Target, String)>,
    /// The switch that started it, and the downtime to report.
    pub(crate) switch: Option<(SwitchRecord, Option<super::state::Downtime>)>,
}

/// What the machine is started with: facts the shell found before the loop.
#[derive(Debug, Clone)]
pub(crate) struct Start {
    pub(crate) settings: Settings,
    /// The release `current` names.
    pub(crate) current: Option<ReleaseName>,
    pub(crate) last_switch: Option<SwitchRecord>,
    pub(crate) resume: Option<Resume>,
    pub(crate) visor_pid: u32,
    pub(crate) visor_start_time: u64,
    pub(crate) hints: crate::node::Hints,
    /// A restore's replaced data is kept until the node has come up on the restored data.
    pub(crate) kept_data: bool,
    /// The chain's height the previous run saw last.
    pub(crate) chain_height: Option<u64>,
    /// Where the metrics are served, for the status.
    pub(crate) metrics_address: Option<String>,
}

/// The run's state and its decisions.
#[derive(Debug)]
pub(crate) struct Machine {
    settings: Settings,
    /// The settings taken at the last (re)start, for the keys that apply then.
    active: Settings,
    state: State,
    detail: Option<String>,
    next_ticket: u64,
    node: Option<NodeInfo>,
    /// What `current` names, as far as this visor moved it.
    current: Option<ReleaseName>,
    /// The release the node was last started from (what really ran, even if an operator moved
    /// `current` by hand meanwhile).
    ran: Option<ReleaseName>,
    /// When the running node was spawned.
    launched_at: Option<Instant>,
    restarts: RestartBudget,
    poll_failures: u64,
    /// The admin endpoint stopped answering (or never answered yet).
    unreachable: Option<admin::Unreachable>,
    /// The running node's admin endpoint has answered once.
    admin_answered: bool,
    announce_reported: Option<Instant>,
    resume: Option<Resume>,
    exit_requested: Option<Exit>,
    shutdown_signals: u32,
    staging: Option<Staging>,
    plan: Plan,
    due: Due,
    upstream_running: bool,
    /// Whether the plan has been read once (the first launch waits for it).
    plan_read: bool,
    /// A reading of the plan was asked for and has not come back.
    plan_pending: bool,
    /// The node ended by itself and the decision waits for the plan it may have just written.
    failure_after_plan: bool,
    /// A node has run in this run: from then on, a height never seen is read before a plan the
    /// node wrote counts as due.
    node_ran: bool,
    /// The chain's height, as last polled.
    chain_height: Option<u64>,
    metrics_address: Option<String>,
    height_polling: bool,
    /// Said once per distinct failure while an upgrade waits for a height.
    height_error: Option<String>,
    /// Said once per distinct failure of the face's announcement source.
    announce_error: Option<String>,
    /// The exit code of the node's last process to end, if it exited.
    node_exit: Option<i32>,
    probation: Option<Probation>,
    /// Backups failed (or found no room) in a row: the retries back off.
    backup_failures: u32,
    /// No upgrade is tried before this: its backup had no room.
    no_room_until: Option<Instant>,
    /// A restore's replaced data waits to be removed.
    kept_data: bool,
    kept_timer: Option<Ticket>,
    last_switch: Option<SwitchRecord>,
    reload_pending: bool,
    /// Tickets of timers that must still fire, by kind.
    restart_timer: Option<Ticket>,
    probation_timer: Option<Ticket>,
    /// What to do once the node being started runs.
    after_start: AfterStart,
    visor_pid: u32,
    visor_start_time: u64,
    hints: crate::node::Hints,
    // Per call of `handle`.
    now: Now,
    out: Vec<Effect>,
}

/// How often a missing or invalid release is checked again while waiting for it.
const RECHECK: Duration = Duration::from_secs(1);
/// How often the wait for a release is reported in the log.
const WAIT_LOG: Duration = Duration::from_secs(5);
/// Editors write in several steps: reload once things settle.
const RELOAD_DEBOUNCE: Duration = Duration::from_millis(10);

impl Machine {
    pub(crate) fn new(start: Start, now: Now) -> Self {
        Self {
            active: start.settings.clone(),
            settings: start.settings,
            state: State::Starting { ticket: Ticket(0), step: super::state::Starting::Launching },
            detail: None,
            next_ticket: 0,
            node: None,
            current: start.current,
            ran: None,
            launched_at: None,
            restarts: RestartBudget::default(),
            poll_failures: 0,
            unreachable: None,
            admin_answered: false,
            announce_reported: None,
            resume: start.resume,
            exit_requested: None,
            shutdown_signals: 0,
            staging: None,
            plan: Plan::default(),
            due: Due::default(),
            upstream_running: false,
            plan_read: false,
            plan_pending: false,
            failure_after_plan: false,
            node_ran: false,
            chain_height: start.chain_height,
            metrics_address: start.metrics_address,
            height_polling: false,
            height_error: None,
            announce_error: None,
            node_exit: None,
            probation: None,
            backup_failures: 0,
            no_room_until: None,
            kept_data: start.kept_data,
            kept_timer: None,
            last_switch: start.last_switch,
            reload_pending: false,
            restart_timer: None,
            probation_timer: None,
            after_start: AfterStart::default(),
            visor_pid: start.visor_pid,
            visor_start_time: start.visor_start_time,
            hints: start.hints,
            now,
            out: Vec::new(),
        }
    }

    /// The state (for the tests).
    #[cfg(test)]
    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// Decides on `event`, which happened at `now`; returns what to do.
    pub(crate) fn handle(&mut self, event: Event, now: Now) -> Vec<Effect> {
        self.now = now;
        if matches!(self.state, State::Done(_)) {
            return Vec::new();
        }
        match event {
            Event::Begin => self.begin(),
            Event::Signal(kind) => self.on_signal(kind),
            Event::Resolved { ticket, result } => self.on_resolved(ticket, result),
            Event::Segment { ticket, result } => self.on_segment(ticket, result),
            Event::Launched { ticket, processes, error } => self.on_launched(ticket, processes, error),
            Event::Exited { ticket, role, status, code } => self.on_exited(ticket, &role, &status, code),
            Event::ChainHeight { result } => self.on_chain_height(result),
            Event::Announced { result } => self.on_announced(result),
            Event::Poll { ticket, result } => self.on_poll(ticket, result),
            Event::Stopped { ticket, report } => self.on_stopped(ticket, report),
            Event::Verified { ticket, target, result } => self.on_verified(ticket, target, result),
            Event::UpgradeLocked { ticket, result } => self.on_upgrade_locked(ticket, result),
            Event::BackedUp { ticket, result } => self.on_backed_up(ticket, result),
            Event::BackupProgress { ticket, done, total } => self.on_backup_progress(ticket, done, total),
            Event::Sealed { path, result } => self.on_sealed(path, result),
            Event::Restored { ticket, result } => self.on_restored(ticket, result),
            Event::Switched { ticket, result, took } => self.on_switched(ticket, result, took),
            Event::SwitchRefused { ticket, reason } => self.on_switch_refused(ticket, &reason),
            Event::StageStarted { ticket } => self.on_stage_started(ticket),
            Event::StageNotNeeded { ticket } => self.on_stage_not_needed(ticket),
            Event::StageProgress { ticket, progress } => self.on_stage_progress(ticket, progress),
            Event::Staged { ticket, result } => self.on_staged(ticket, result),
            Event::Timer { ticket, timer } => self.on_timer(ticket, timer),
            Event::SettingsLoaded { result, origin } => self.on_settings(result, origin),
            Event::PlanRead { result } => self.on_plan(result),
            Event::Upstream { url, result } => self.on_upstream(url, result),
            Event::UpstreamHandled { result } => self.on_upstream_handled(result),
            Event::ConfigChanged => self.on_config_changed(),
            Event::WorkerPanicked { worker, message } => {
                tracing::error!(worker, message, "internal error: a worker failed; stopping the visor");
                self.finish(Exit::Internal);
            }
        }
        std::mem::take(&mut self.out)
    }

    fn begin(&mut self) {
        self.read_plan();
        self.start_upstream();
        if let Some(interval) = self.settings.announcements {
            self.emit(Effect::StartAnnouncements(interval));
        }
        self.start_node(super::event::StartKind::First);
        // A visor restarted during a probation keeps watching the new release.
        if let Some(record) = self.last_switch.clone().filter(|r| {
            r.confirmed_at.is_none() && !r.rollback && r.from.is_some() && Some(&r.to) == self.current.as_ref()
        }) {
            self.begin_probation(&record);
        }
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        Ticket(self.next_ticket)
    }

    fn emit(&mut self, effect: Effect) {
        self.out.push(effect);
    }

    /// Arms `timer` to fire after `after`; returns its ticket.
    fn arm(&mut self, timer: Timer, after: Duration) -> Ticket {
        let ticket = self.ticket();
        let at = self.now.instant.checked_add(after).unwrap_or(self.now.instant + Duration::from_secs(1 << 30));
        self.emit(Effect::Arm { ticket, timer, at });
        ticket
    }

    fn on_timer(&mut self, ticket: Ticket, timer: Timer) {
        match timer {
            Timer::Restart => {
                if self.restart_timer == Some(ticket) && matches!(self.state, State::RestartDelay { .. }) {
                    self.restart_timer = None;
                    self.start_node(super::event::StartKind::CrashRestart);
                }
            }
            Timer::Recheck => self.on_recheck(ticket),
            Timer::Due => self.on_due(ticket),
            Timer::StageRetry(version) => self.on_stage_retry(ticket, &version),
            Timer::Probation => self.on_probation_timer(ticket),
            Timer::ReleaseKept => self.on_kept_timer(ticket),
            Timer::Reload => {
                if self.reload_pending {
                    self.reload_pending = false;
                    self.emit(Effect::LoadSettings { origin: "file change" });
                }
            }
        }
    }

    fn on_config_changed(&mut self) {
        if !self.reload_pending {
            self.reload_pending = true;
            self.arm(Timer::Reload, RELOAD_DEBOUNCE);
        }
    }

    fn on_settings(&mut self, result: Result<Settings, String>, origin: &'static str) {
        match result {
            Ok(settings) => {
                if settings != self.settings {
                    tracing::info!(origin, "configuration reloaded");
                } else {
                    tracing::debug!(origin, "configuration re-read, nothing changed");
                }
                if let Some(admin) = &settings.admin {
                    let (interval, retry, timeout) = admin.timing(self.plan.announced.is_some());
                    self.emit(Effect::PollTiming(interval, retry, timeout));
                }
                let upstream_changed = settings.upstream != self.settings.upstream;
                let height_changed = settings.chain_height != self.settings.chain_height;
                if settings.announcements != self.settings.announcements {
                    self.emit(match settings.announcements {
                        Some(interval) => Effect::StartAnnouncements(interval),
                        None => Effect::StopAnnouncements,
                    });
                }
                self.settings = settings;
                if upstream_changed {
                    self.start_upstream();
                }
                if height_changed && self.height_polling {
                    self.emit(Effect::StopHeightPoll);
                    self.height_polling = false;
                }
                self.sync_height_poll();
            }
            Err(e) => tracing::error!(origin, "configuration not reloaded, keeping the previous settings: {e}"),
        }
        self.read_plan();
    }

    fn finish(&mut self, exit: Exit) {
        self.set_state(State::Done(exit), None);
        self.emit(Effect::Exit(exit));
    }

    fn set_state(&mut self, state: State, detail: Option<String>) {
        self.state = state;
        self.detail = detail;
        self.publish();
    }

    fn publish(&mut self) {
        let status = self.status_document();
        self.emit(Effect::Publish(Box::new(status)));
    }

    /// The status document. Whether folders are present is left to the store, which looks on
    /// disk when it writes the file.
    fn status_document(&self) -> Status {
        let release = match (&self.node, &self.ran) {
            (Some(_), Some(ran)) => Some(ran.to_string()),
            _ => self.current.as_ref().map(ToString::to_string),
        };
        let processes = self
            .node
            .iter()
            .flat_map(|n| &n.processes)
            .map(|p| ProcessStatus { role: p.role.clone(), pid: p.pid, since: p.since })
            .collect();
        // The node's own announcement goes first: it is what the node halts for.
        let pending =
            self.plan.announced.as_ref().map(|p| (p, false)).or_else(|| self.next_planned().map(|p| (p, true))).map(
                |(p, planned)| PendingStatus {
                    version: p.version.clone(),
                    height: p.trigger.height(),
                    at: p.trigger.at(),
                    name: planned.then(|| p.name.clone()),
                    folder_present: false,
                    folder: self.release_of(p).ok().map(|f| f.to_string()),
                },
            );
        Status {
            version: 1,
            visor_pid: if matches!(self.state, State::Done(_)) { 0 } else { self.visor_pid },
            visor_start_time: self.visor_start_time,
            state: self.state.name().to_owned(),
            detail: self.detail.clone(),
            release,
            processes,
            pending,
            staging: self.staging.as_ref().map(|s| s.status.clone()),
            restarts: self.restarts.clone().used(&self.active.restart, self.now.instant),
            last_switch: self.last_switch.clone(),
            chain_height: self.chain_height,
            metrics: self.metrics_address.clone(),
            admin: self.admin_status(),
            updated_at: self.now.wall,
        }
    }
}
