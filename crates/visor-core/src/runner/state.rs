//! The states of the run loop. Each carries the data it needs, so an impossible combination (a
//! wait without its upgrade, a backup without its switch) cannot be written.

use std::time::{Duration, Instant};

use super::event::{StartKind, Ticket};
use crate::exit::Exit;
use crate::node::NodeSpec;
use crate::release::ReleaseName;

/// An upgrade that is due: where it goes and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Target {
    /// The upgrade's name (empty: its version names it).
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) height: Option<u64>,
    /// The release folder, when the source names it (a plan); else it comes from the settings.
    pub(crate) release: Option<ReleaseName>,
    /// After the switch, stop instead of starting the new release.
    pub(crate) manual: bool,
    /// Build information the binary must match.
    pub(crate) identity: Option<serde_json::Map<String, serde_json::Value>>,
    /// The checksum every binary of the release must have.
    pub(crate) checksum: Option<crate::stage::Checksum>,
    /// A switch back after a failed probation.
    pub(crate) rollback: bool,
    /// With a rollback: the backup to restore once switched back.
    pub(crate) restore: Option<std::path::PathBuf>,
    /// The release's binaries as verified; checked again just before the switch.
    pub(crate) fingerprint: Option<crate::verify::Fingerprint>,
}

impl Target {
    /// A planned upgrade (its release folder named by a plan) rather than an announced one.
    pub(crate) fn planned(&self) -> bool {
        self.release.is_some()
    }
}

/// Why the node is being stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StopWhy {
    /// A process stopped unexpectedly: stop its siblings, then restart per the budget.
    Crash,
    /// The target is verified: stop, switch, start it.
    Upgrade { target: Target, release: ReleaseName },
    /// The target is not ready: stop (the node is halted at the upgrade point) and wait for it.
    AwaitRelease { target: Target },
    /// The node must start again with other arguments (a manual upgrade's halt height
    /// changed): stop, start, no restart counted.
    Respawn,
    /// The visor is ending.
    Exit(Exit),
}

impl StopWhy {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Self::Crash => "a process stopped unexpectedly",
            Self::Upgrade { .. } => "upgrade",
            Self::AwaitRelease { .. } => "upgrade point reached, release not ready",
            Self::Respawn => "the halt height changed",
            Self::Exit(Exit::Clean) => "shutdown",
            Self::Exit(_) => "fatal condition",
        }
    }
}

/// Measures of the switch in progress, to report the downtime once the new node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Downtime {
    pub(crate) stop_signal_at: Instant,
    pub(crate) stop_took: Duration,
    /// How long the switch itself took, once done.
    pub(crate) switch_took: Duration,
    /// When the switch was done (the spawn follows).
    pub(crate) switched_at: Option<Instant>,
}

impl Downtime {
    /// The downtime of an upgrade whose node stopped at `stopped_at` after `stop_took`.
    pub(crate) fn after_stop(stopped_at: Instant, stop_took: Duration) -> Self {
        Self {
            stop_signal_at: stopped_at.checked_sub(stop_took).unwrap_or(stopped_at),
            stop_took,
            switch_took: Duration::ZERO,
            switched_at: None,
        }
    }
}

/// An upgrade between the stop of the old node and the start of the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Switching {
    pub(crate) ticket: Ticket,
    pub(crate) target: Target,
    pub(crate) release: ReleaseName,
    /// Absent for a rollback (the old node had already stopped for good).
    pub(crate) downtime: Option<Downtime>,
    /// The backup taken before it, once taken.
    pub(crate) backup: Option<crate::backup::BackupReport>,
}

/// An upgrade whose release is not ready while the node is stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Waiting {
    pub(crate) target: Target,
    pub(crate) reason: String,
    pub(crate) logged: Option<Instant>,
    /// The verification under way, if any.
    pub(crate) checking: Option<Ticket>,
    pub(crate) downtime: Downtime,
}

/// What a start is at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Starting {
    /// Reading the release `current` names.
    Resolving { kind: StartKind },
    /// Asking the data node where the core resumes.
    Preparing { spec: Box<NodeSpec> },
    /// Waiting for the first reading of the plan: it may change the node's arguments (a
    /// manual upgrade's halt height).
    AwaitingPlan { spec: Box<NodeSpec>, snapshot: Option<u64> },
    /// Spawning.
    Launching,
}

/// The state of the run loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum State {
    /// Preparing or spawning node generation `ticket`.
    Starting { ticket: Ticket, step: Starting },
    /// The node runs.
    Running,
    /// The node runs and a due upgrade's release is being verified.
    Verifying { ticket: Ticket, target: Target },
    /// The upgrade's release is verified; the upgrade lock is being taken.
    Locking { ticket: Ticket, target: Target, release: ReleaseName },
    /// The node is being stopped.
    Stopping { ticket: Ticket, why: StopWhy },
    /// Waiting out the delay before a restart.
    RestartDelay { ticket: Ticket },
    /// The node is stopped and the upgrade's release is not ready yet.
    Waiting(Waiting),
    /// The node is stopped and its data is being backed up before the switch.
    BackingUp(Switching),
    /// `current` is being moved.
    Switching(Switching),
    /// Switched back after a failed probation; the data is being restored from the backup
    /// taken before the failed upgrade.
    Restoring { ticket: Ticket, backup: std::path::PathBuf },
    /// Finished with this exit.
    Done(Exit),
}

impl State {
    /// The name shown by `status`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Starting { .. } => "starting",
            Self::Running => "running",
            Self::Verifying { .. } | Self::Locking { .. } => "verifying-release",
            Self::Stopping { why: StopWhy::Exit(_), .. } => "shutting-down",
            Self::Stopping { .. } => "stopping",
            Self::BackingUp(_) => "backing-up",
            Self::RestartDelay { .. } => "restart-delay",
            Self::Waiting(_) => "waiting-for-release",
            Self::Switching(s) if s.target.rollback => "rolling-back",
            Self::Switching(_) => "switching",
            Self::Restoring { .. } => "restoring",
            Self::Done(_) => "stopped",
        }
    }

    /// Whether the node's processes run (and may exit unexpectedly).
    pub(crate) fn node_runs(&self) -> bool {
        matches!(self, Self::Running | Self::Verifying { .. } | Self::Locking { .. })
    }
}
