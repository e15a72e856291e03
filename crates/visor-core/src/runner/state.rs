//! The explicit states of the run loop and why a node is being stopped.

use crate::exit::Exit;
use crate::release::ReleaseName;

/// An upgrade that is due: where it goes and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Target {
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
    /// The release's binaries as verified; checked again just before the switch.
    pub(crate) fingerprint: Option<crate::verify::Fingerprint>,
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
    /// The visor is ending.
    Exit(Exit),
}

/// The state of the run loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Preparing or spawning the node.
    Starting,
    /// The node runs.
    Running,
    /// The node runs and a due upgrade's release is being verified.
    Verifying,
    /// The node is being stopped.
    Stopping,
    /// The node is stopped and its data is being backed up before the switch.
    BackingUp,
    /// Waiting out the delay before a restart.
    RestartDelay,
    /// The node is stopped and the upgrade's release is not ready yet.
    Waiting,
    /// `current` is being moved.
    Switching,
    /// Finished with this exit.
    Done(Exit),
}

impl State {
    /// The name shown by `status`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Running => "running",
            Self::Verifying => "verifying-release",
            Self::Stopping => "stopping",
            Self::BackingUp => "backing-up",
            Self::RestartDelay => "restart-delay",
            Self::Waiting => "waiting-for-release",
            Self::Switching => "switching",
            Self::Done(_) => "stopped",
        }
    }
}
