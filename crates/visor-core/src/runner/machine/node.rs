//! Starting, stopping and restarting the node, and what signals and process exits do.

use std::time::Duration;

use super::{Machine, NodeInfo};
use crate::exit::Exit;
use crate::node::NodeSpec;
use crate::release::ReleaseName;
use crate::runner::event::{Effect, ProcessInfo, SignalKind, StartKind, Ticket, Timer};
use crate::runner::state::{Downtime, Starting, State, StopWhy, Waiting};
use crate::source::vega_resume::SegmentError;
use crate::supervise::{RestartDecision, StopPolicy, StopReport, Urgency};

/// A node that ends sooner than this after its start never got going.
const EARLY_EXIT: Duration = Duration::from_secs(10);

impl Machine {
    /// Starts a new node generation: first the release `current` names is read.
    pub(super) fn start_node(&mut self, kind: StartKind) {
        let ticket = self.ticket();
        self.active = self.settings.clone();
        self.forget_admin();
        self.set_state(State::Starting { ticket, step: Starting::Resolving { kind } }, None);
        self.emit(Effect::Resolve { ticket });
    }

    pub(super) fn on_resolved(&mut self, ticket: Ticket, result: Result<(Option<ReleaseName>, NodeSpec), String>) {
        let State::Starting { ticket: expected, step: Starting::Resolving { kind } } = self.state.clone() else {
            return;
        };
        if ticket != expected {
            return;
        }
        let (release, spec) = match result {
            Ok(found) => found,
            Err(message) => {
                // Not the node failing: its release is gone or broken (moved, deleted, a bad
                // edit). Restarting would only spend the budget; say so and stop, as at start.
                tracing::error!(
                    "{message}; the active release cannot be started: restore the folder `current` names, or point \
                     `current` at a complete release, then start the visor again"
                );
                self.finish(Exit::Config);
                return;
            }
        };
        if release.is_some() {
            self.current.clone_from(&release);
        }
        self.ran = release;
        if let (StartKind::CrashRestart, Some(data_node)) = (kind, spec.resume_query().cloned()) {
            // The core must resume where the data node's history ends; ask before starting
            // anything (the data node's store is locked while it runs).
            self.state = State::Starting { ticket, step: Starting::Preparing { spec: Box::new(spec) } };
            self.emit(Effect::QuerySegment { ticket, data_node });
            return;
        }
        let snapshot = self.resume.as_ref().and_then(|r| r.height);
        if !self.plan_read {
            self.state = State::Starting { ticket, step: Starting::AwaitingPlan { spec: Box::new(spec), snapshot } };
            return;
        }
        self.launch(ticket, spec, snapshot);
    }

    /// The first reading of the plan is in: a start that waited for it goes on.
    pub(super) fn launch_after_plan(&mut self) {
        if let State::Starting { ticket, step: Starting::AwaitingPlan { spec, snapshot } } = self.state.clone() {
            self.launch(ticket, *spec, snapshot);
        }
    }

    pub(super) fn on_segment(&mut self, ticket: Ticket, result: Result<Option<u64>, SegmentError>) {
        let State::Starting { ticket: expected, step: Starting::Preparing { spec } } = self.state.clone() else {
            return;
        };
        if ticket != expected {
            return;
        }
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        match result {
            Ok(Some(height)) => {
                tracing::info!(height, "data node's latest history segment found; the core resumes from it");
                self.launch(ticket, *spec, Some(height));
            }
            Ok(None) => {
                tracing::info!("data node has no history segment yet; the core starts without a snapshot height");
                self.launch(ticket, *spec, None);
            }
            Err(e) => {
                tracing::error!("{e}");
                self.on_failure();
            }
        }
    }

    pub(super) fn launch(&mut self, ticket: Ticket, mut spec: NodeSpec, snapshot: Option<u64>) {
        if let Some(upgrade) = self.node_plan_due_before_launch() {
            // The old release would only halt at the height again, on data that may be newer.
            self.upgrade_while_stopped(upgrade);
            return;
        }
        if let Some(height) = snapshot
            && spec.resume_from(height)
        {
            tracing::info!(height, "the node resumes from the snapshot at the upgrade height");
        }
        // A node that cannot be told (not started with `start`) runs without one: the face
        // warns; recording one would restart it for nothing each time the height changes.
        let halt = self.halt_height().filter(|_| spec.takes_halt_height());
        if let Some(height) = halt
            && spec.halt_at(height)
        {
            tracing::info!(height, "the node stops after this height, where a manual upgrade is due");
        }
        let halts_at_upgrade = spec.halts_at_upgrade();
        let admin = spec.admin().cloned();
        let takes_halt = spec.takes_halt_height();
        self.node = Some(NodeInfo { ticket, halts_at_upgrade, halt, takes_halt, processes: Vec::new() });
        self.state = State::Starting { ticket, step: Starting::Launching };
        self.emit(Effect::Launch { ticket, spec });
        if let Some(endpoint) = admin {
            self.emit(Effect::StartPoller { ticket, endpoint });
        }
    }

    pub(super) fn on_launched(&mut self, ticket: Ticket, processes: Vec<ProcessInfo>, error: Option<String>) {
        let State::Starting { ticket: expected, step: Starting::Launching } = self.state else { return };
        if ticket != expected {
            return;
        }
        if let Some(node) = self.node.as_mut() {
            node.processes = processes;
        }
        self.launched_at = Some(self.now.instant);
        if let Some(e) = error {
            tracing::error!("{e}");
            self.begin_stop(StopWhy::Crash);
            return;
        }
        self.set_state(State::Running, None);
        self.node_ran = true;
        if let Some(exit) = self.exit_requested {
            // A signal came while the node was being spawned: it is stopped at once.
            self.begin_stop(StopWhy::Exit(exit));
            return;
        }
        self.arm_due();
        self.after_launch();
    }

    pub(super) fn on_exited(&mut self, ticket: Ticket, role: &str, status: &str, code: Option<i32>) {
        let Some(node) = self.node.as_mut().filter(|n| n.ticket == ticket) else { return };
        node.processes.retain(|p| p.role != role);
        self.node_exit = code;
        if self.settings.ends_with_node && code == Some(0) && self.state.node_runs() {
            tracing::info!(role, "the node exited by itself with status 0; the run ends");
            self.begin_stop(StopWhy::Exit(Exit::Clean));
        } else if self.state.node_runs() {
            tracing::error!(role, status, "process stopped unexpectedly; stopping the rest of the node");
            // It may have written its plan just before it ended: read it before deciding.
            self.read_plan();
            self.begin_stop(StopWhy::Crash);
        } else {
            tracing::debug!(role, status, "process exited");
            self.publish();
        }
    }

    pub(super) fn begin_stop(&mut self, why: StopWhy) {
        let policy = match why {
            StopWhy::Upgrade { .. } | StopWhy::AwaitRelease { .. } | StopWhy::Respawn => self.active.stop,
            StopWhy::Crash | StopWhy::Exit(_) => StopPolicy { delay: Duration::ZERO, ..self.active.stop },
        };
        tracing::info!(reason = why.describe(), grace_ms = policy.grace.as_millis() as u64, "stopping the node");
        self.emit(Effect::Urgency(match self.shutdown_signals {
            0 => Urgency::Normal,
            1 => Urgency::SkipDelay,
            _ => Urgency::KillNow,
        }));
        let ticket = match self.node.as_ref() {
            Some(node) => node.ticket,
            None => self.ticket(),
        };
        self.emit(Effect::Stop { ticket, policy });
        self.set_state(State::Stopping { ticket, why }, None);
    }

    pub(super) fn on_stopped(&mut self, ticket: Ticket, report: StopReport) {
        let State::Stopping { ticket: expected, why } = self.state.clone() else { return };
        if ticket != expected {
            return;
        }
        self.node = None;
        tracing::info!(took_ms = report.took.as_millis() as u64, killed = report.killed, "node stopped");
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        let downtime = Downtime::after_stop(self.now.instant, report.took);
        match why {
            // The node may have written its plan as it ended: decide once that reading is in.
            StopWhy::Crash if self.plan_pending => self.failure_after_plan = true,
            StopWhy::Crash => self.on_failure(),
            StopWhy::Exit(exit) => self.finish(exit),
            StopWhy::Respawn => self.start_node(StartKind::First),
            StopWhy::Upgrade { target, release } => {
                self.emit(Effect::Fault("switch-node-stopped"));
                self.stopped_for_upgrade(target, release, downtime);
            }
            StopWhy::AwaitRelease { target } => {
                // The node is down from now on: the wait for the release is downtime too.
                self.maybe_stage(&target.version);
                self.set_state(
                    State::Waiting(Waiting { target, reason: String::new(), logged: None, checking: None, downtime }),
                    None,
                );
                self.recheck_release();
            }
        }
    }

    pub(super) fn on_failure(&mut self) {
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        self.node = None;
        if let Some(upgrade) = self.node_plan_due_after_exit() {
            self.launched_at = None;
            self.upgrade_while_stopped(upgrade);
            return;
        }
        let ran_for = self.launched_at.take().map(|t| self.now.instant.saturating_duration_since(t));
        match self.restarts.on_failure(&self.active.restart, self.now.instant, ran_for) {
            RestartDecision::Restart { delay, remaining } => {
                tracing::warn!(
                    delay_ms = delay.as_millis() as u64,
                    remaining_restarts = remaining,
                    "restarting the node"
                );
                if delay.is_zero() {
                    // No timer's turn (a millisecond of the timer wheel) for no delay at all.
                    self.start_node(StartKind::CrashRestart);
                    return;
                }
                let ticket = self.arm(Timer::Restart, delay);
                self.restart_timer = Some(ticket);
                self.set_state(State::RestartDelay { ticket }, Some(format!("restart in {} ms", delay.as_millis())));
            }
            RestartDecision::GiveUp { restarts } => {
                if self.try_rollback() {
                    return;
                }
                // Explained rather than looped on: a node that never got going.
                if ran_for.is_some_and(|r| r < EARLY_EXIT) && !self.hints.early_exit.is_empty() {
                    tracing::error!(ran_ms = ran_for.map_or(0, |r| r.as_millis() as u64), "{}", self.hints.early_exit);
                }
                if self.settings.ends_with_node {
                    let code = self.node_exit.and_then(|c| u8::try_from(c).ok()).filter(|c| *c != 0).unwrap_or(1);
                    tracing::error!(restarts, status = code, "the node failed; the run ends with its exit status");
                    self.finish(Exit::Node(code));
                    return;
                }
                // The node's output reaches the operator untouched (the visor never reads it),
                // so the cause is in its own last lines: point there.
                let ended = match self.node_exit {
                    Some(code) => format!("exit code {code}"),
                    None => "killed by a signal".to_owned(),
                };
                tracing::error!(
                    restarts,
                    last_exit = ended,
                    last_ran_ms = ran_for.map_or(0, |r| r.as_millis() as u64),
                    "the node keeps failing and its restart budget is spent; the node's own last lines, just above, \
                     say why (a port in use, a bad flag, missing data?): fix that, then start the visor again"
                );
                self.finish(Exit::RestartBudget);
            }
        }
    }

    pub(super) fn on_signal(&mut self, kind: SignalKind) {
        let name = match kind {
            SignalKind::Reload => {
                self.emit(Effect::LoadSettings { origin: "SIGHUP" });
                return;
            }
            SignalKind::Shutdown(name) => name,
        };
        self.shutdown_signals += 1;
        self.exit_requested.get_or_insert(Exit::Clean);
        match &self.state {
            State::Running | State::Verifying { .. } | State::Locking { .. } => {
                tracing::info!(signal = name, "shutdown requested: stopping the node");
                self.emit(Effect::UnlockUpgrade { remove: false });
                self.begin_stop(StopWhy::Exit(Exit::Clean));
            }
            State::Stopping { .. } if self.shutdown_signals >= 2 => {
                tracing::warn!(signal = name, "second shutdown signal: killing the node now");
                self.emit(Effect::Urgency(Urgency::KillNow));
            }
            State::Stopping { .. } => {
                tracing::info!(signal = name, "shutdown requested: the node is already stopping");
                self.emit(Effect::Urgency(Urgency::SkipDelay));
            }
            State::Starting { step: Starting::Preparing { .. } | Starting::AwaitingPlan { .. }, .. } => {
                // Nothing runs yet: only the data node's query or the plan's reading, which
                // end with the visor.
                tracing::info!(signal = name, "shutdown requested before the node started");
                self.node = None;
                self.finish(Exit::Clean);
            }
            State::RestartDelay { .. } | State::Waiting(_) => {
                tracing::info!(signal = name, "shutdown requested");
                self.finish(Exit::Clean);
            }
            State::BackingUp(_) => {
                tracing::info!(signal = name, "shutdown requested: cancelling the backup");
                self.emit(Effect::CancelBackup);
            }
            State::Starting { .. } | State::Switching(_) | State::Restoring { .. } => {
                tracing::info!(signal = name, "shutdown requested: finishing the current step first");
            }
            State::Done(_) => {}
        }
    }

    /// Ends the run with `exit`, stopping the node first if one runs.
    pub(super) fn request_exit(&mut self, exit: Exit) {
        self.exit_requested = Some(exit);
        if self.node.is_some() && !matches!(self.state, State::Stopping { .. }) {
            self.begin_stop(StopWhy::Exit(exit));
        } else if self.node.is_none() {
            self.finish(exit);
        }
    }
}
