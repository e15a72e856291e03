//! What goes into the run loop's decisions (events) and what comes out (effects).
//!
//! Every piece of work the machine asks for carries a [`Ticket`]; its result comes back with the
//! same ticket, and the machine acts on it only if that ticket is the one it waits for. That is
//! the one way stale results (of a node that is gone, a verification that was superseded, a timer
//! that was re-armed) are dropped.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::state::Target;
use crate::backup::{BackupError, BackupFor, BackupReport, BackupSettings, RestoreReport, WorkProgress};
use crate::exit::Exit;
use crate::history::SwitchRecord;
use crate::node::{NodeSpec, Settings, UpstreamSettings};
use crate::release::ReleaseName;
use crate::source::vega_resume::SegmentError;
use crate::source::{AdminEndpoint, AdminError, UpgradeStatus};
use crate::stage::{ArtifactSource, FetchError, StageError, StageProgress, Staged, StagingSettings};
use crate::status::Status;
use crate::supervise::{ProcessSpec, StopPolicy, StopReport, Urgency};
use crate::switch::{SwitchError, SwitchPlan};
use crate::upgrade::Upgrade;

/// Names one piece of work; its result is acted on only while the machine still waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Ticket(pub(crate) u64);

/// The machine's view of the clock: monotonic for durations, wall time for records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Now {
    pub(crate) instant: Instant,
    pub(crate) wall: jiff::Timestamp,
}

impl Now {
    /// The real clock.
    pub(crate) fn real() -> Self {
        Self { instant: Instant::now(), wall: jiff::Timestamp::now() }
    }
}

/// How a node start came about (a crash restart of a Vega node first asks its data node where
/// its history ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartKind {
    First,
    CrashRestart,
    AfterUpgrade,
}

/// Timers the machine arms; each fires as [`Event::Timer`] with its ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Timer {
    /// The delay before a restart is over.
    Restart,
    /// Check a missing release again while waiting for it.
    Recheck,
    /// The next planned upgrade is due (or is checked again).
    Due,
    /// Try staging `version` again.
    StageRetry(String),
    /// The probation of a switch may be over.
    Probation,
    /// Editors write in several steps: reload once the files settle.
    Reload,
    /// The node may have run long enough on restored data to drop the data it replaced.
    ReleaseKept,
}

/// A process of the node as the machine knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProcessInfo {
    pub(crate) role: String,
    pub(crate) pid: u32,
    pub(crate) since: jiff::Timestamp,
}

/// A shutdown signal or a reload request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignalKind {
    Shutdown(&'static str),
    Reload,
}

/// Something that happened, for the machine to decide on.
#[derive(Debug)]
#[expect(clippy::large_enum_variant, reason = "each event moves once through a channel; boxing buys nothing")]
pub(crate) enum Event {
    /// The loop starts: plan, sources and the first start of the node.
    Begin,
    Signal(SignalKind),
    /// The release `current` names was read (for a start).
    Resolved {
        ticket: Ticket,
        result: Result<(Option<ReleaseName>, NodeSpec), String>,
    },
    /// The data node said where its history ends.
    Segment {
        ticket: Ticket,
        result: Result<Option<u64>, SegmentError>,
    },
    /// The node's processes were spawned (all, or up to an error).
    Launched {
        ticket: Ticket,
        processes: Vec<ProcessInfo>,
        error: Option<String>,
    },
    /// A process of the node generation `ticket` exited.
    Exited {
        ticket: Ticket,
        role: String,
        status: String,
        /// The exit code, if it exited (rather than being killed by a signal).
        code: Option<i32>,
    },
    /// What the face's announcement source says is coming.
    Announced {
        result: Result<Option<Upgrade>, String>,
    },
    /// The chain's height, as the node's RPC reports it.
    ChainHeight {
        result: Result<u64, String>,
    },
    Poll {
        ticket: Ticket,
        result: Result<UpgradeStatus, AdminError>,
    },
    Stopped {
        ticket: Ticket,
        report: StopReport,
    },
    Verified {
        ticket: Ticket,
        target: Target,
        result: Result<(ReleaseName, NodeSpec), crate::PreflightError>,
    },
    UpgradeLocked {
        ticket: Ticket,
        result: Result<(), LockRefused>,
    },
    BackedUp {
        ticket: Ticket,
        result: Result<BackupReport, BackupError>,
    },
    /// How far the backup `ticket` is.
    BackupProgress {
        ticket: Ticket,
        done: u64,
        total: u64,
    },
    /// The backup at `path` was read back and sealed (and old backups pruned).
    Sealed {
        path: PathBuf,
        result: Result<(), String>,
    },
    Restored {
        ticket: Ticket,
        result: Result<RestoreReport, String>,
    },
    Switched {
        ticket: Ticket,
        result: Result<SwitchRecord, SwitchError>,
        took: Duration,
    },
    /// The target changed between its verification and the switch: nothing was switched.
    SwitchRefused {
        ticket: Ticket,
        reason: String,
    },
    /// The release folder is missing: staging begins.
    StageStarted {
        ticket: Ticket,
    },
    /// The release folder is there already (made by hand): nothing is staged.
    StageNotNeeded {
        ticket: Ticket,
    },
    StageProgress {
        ticket: Ticket,
        progress: StageProgress,
    },
    Staged {
        ticket: Ticket,
        result: Result<Staged, StageError>,
    },
    Timer {
        ticket: Ticket,
        timer: Timer,
    },
    SettingsLoaded {
        result: Result<Settings, String>,
        origin: &'static str,
    },
    PlanRead {
        result: Result<Vec<Planned>, String>,
    },
    Upstream {
        url: String,
        result: Result<Vec<u8>, FetchError>,
    },
    UpstreamHandled {
        result: Result<String, String>,
    },
    /// A watched configuration file changed.
    ConfigChanged,
    /// A worker failed (a bug): the visor ends rather than wait forever for its answer.
    WorkerPanicked {
        worker: &'static str,
        message: String,
    },
}

/// A planned upgrade, and whether its release folder is complete already (the shell looks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    pub(crate) upgrade: Upgrade,
    pub(crate) present: bool,
}

/// Where an announced upgrade's release would come from, for the shell to check on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AnnouncedCheck {
    pub(crate) version: String,
    pub(crate) height: u64,
    pub(crate) folder: Result<ReleaseName, String>,
    /// The first report of this announcement (else a reminder).
    pub(crate) first: bool,
    /// How staging the missing folder goes, when the visor stages it: the report says that
    /// rather than asking for the folder by hand.
    pub(crate) staging: Option<String>,
}

/// A staging job, short of the home (the shell adds it).
#[derive(Debug, Clone)]
pub(crate) struct StageRequest {
    pub(crate) release: ReleaseName,
    pub(crate) version: String,
    pub(crate) source: ArtifactSource,
    pub(crate) identity: Option<serde_json::Map<String, serde_json::Value>>,
    pub(crate) settings: StagingSettings,
}

/// A change to persisted state; the store applies them in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StoreCmd {
    /// The switch `id` was confirmed (the upgraded node answered, or its probation passed).
    Confirm { id: String, at: jiff::Timestamp },
    /// The downtime of switch `id`.
    Downtime { id: String, ms: u64 },
}

/// Something the shell does for the machine.
#[derive(Debug)]
#[expect(clippy::large_enum_variant, reason = "each effect is carried out once; boxing buys nothing")]
pub(crate) enum Effect {
    /// Read the release `current` names (for a start of this kind).
    Resolve {
        ticket: Ticket,
    },
    /// Ask the data node for its latest history segment.
    QuerySegment {
        ticket: Ticket,
        data_node: ProcessSpec,
    },
    /// Spawn the node's processes (the node generation is the ticket).
    Launch {
        ticket: Ticket,
        spec: NodeSpec,
    },
    /// Poll the admin endpoint of node generation `ticket`.
    StartPoller {
        ticket: Ticket,
        endpoint: AdminEndpoint,
    },
    /// Timing of the admin polls (interval, after a failure, request deadline).
    PollTiming(Duration, Duration, Duration),
    /// Stop the node's processes.
    Stop {
        ticket: Ticket,
        policy: StopPolicy,
    },
    /// How urgently the stop in progress should go on.
    Urgency(Urgency),
    Verify {
        ticket: Ticket,
        target: Target,
        release: ReleaseName,
        /// Check there is room for this backup too (before the node is stopped).
        room: Option<BackupSettings>,
    },
    LockUpgrade {
        ticket: Ticket,
        path: PathBuf,
        /// A planned upgrade (name, version): once the lock is held, the face's plan must
        /// still hold it (a `plan cancel` takes the same lock to edit the plan).
        planned: Option<(String, String)>,
    },
    /// Let the upgrade lock go (and remove its file, as Nymvisor does after an upgrade).
    UnlockUpgrade {
        remove: bool,
    },
    Backup {
        ticket: Ticket,
        settings: BackupSettings,
        what: BackupFor,
    },
    CancelBackup,
    /// Read the backup back, seal its manifest, then keep the newest backups only.
    SealBackup {
        path: PathBuf,
        settings: BackupSettings,
    },
    /// Restore the backup (the node is stopped) to the folders the settings back up.
    Restore {
        ticket: Ticket,
        backup: PathBuf,
        sources: Vec<PathBuf>,
    },
    /// Remove the data a restore replaced: the node runs on the restored data.
    ReleaseKept,
    /// Tell the face how a backup or restore goes.
    ShowWork(WorkProgress),
    Switch {
        ticket: Ticket,
        plan: SwitchPlan,
        verified: Option<crate::verify::Fingerprint>,
    },
    Stage {
        ticket: Ticket,
        request: StageRequest,
    },
    /// Tell the operator's tooling (metrics) what happened.
    Observe(crate::telemetry::Observation),
    /// Tell the face how staging goes (progress bars).
    ShowProgress(StageProgress),
    /// Check on disk whether an announced upgrade's folder is there, and say so.
    ReportAnnounced(AnnouncedCheck),
    Arm {
        ticket: Ticket,
        timer: Timer,
        at: Instant,
    },
    LoadSettings {
        origin: &'static str,
    },
    ReadPlan,
    StartUpstream(UpstreamSettings),
    StopUpstream,
    /// Poll the chain's height (while an upgrade waits for one).
    StartHeightPoll(crate::node::ChainHeightSettings),
    StopHeightPoll,
    /// Ask the face for what its chain announces, at this interval.
    StartAnnouncements(Duration),
    StopAnnouncements,
    HandleUpstream {
        url: String,
        body: Vec<u8>,
    },
    Persist(StoreCmd),
    Publish(Box<Status>),
    /// A step the crash tests may stop the visor at (`VISOR_TEST_FAULT`).
    Fault(&'static str),
    /// The run is over.
    Exit(Exit),
}

/// Why the upgrade lock did not let the upgrade go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LockRefused {
    /// Another process holds it (an operator's tool): try again soon.
    Held(String),
    /// The face's plan no longer holds the upgrade (cancelled, rescheduled) once the lock was
    /// taken: not done now.
    Withdrawn,
}
