//! What a face tells the engine: the settings of a run and what a release folder runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backup::BackupSettings;
use crate::history::SwitchRecord;
use crate::release::{ReleaseName, ReleaseNameError};
use crate::source::AdminEndpoint;
use crate::stage::{FetchPolicy, StageProgress, StagingSettings};
use crate::supervise::{ProcessSpec, RestartPolicy, StopPolicy};
use crate::upgrade::Upgrade;

/// The processes one release runs, and how the engine talks to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    /// In start order.
    pub processes: Vec<ProcessSpec>,
    /// The protocol the node speaks.
    pub protocol: Protocol,
}

/// The protocol of a node, which decides how upgrades are learned and how restarts resume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// A Vega node: `processes[0]` is the core; `processes[1]`, if present, the data node.
    Vega {
        /// The core's admin endpoint.
        admin: AdminEndpoint,
    },
    /// One daemon that answers `--no-banner build-info --output=json` (Nym); upgrades come from
    /// a plan.
    Daemon,
    /// A Cosmos SDK app: it writes its upgrade plan down and halts at the plan's height, and
    /// stops after committing `--halt-height` when given one. Upgrades come from a plan.
    Cosmos,
}

impl NodeSpec {
    /// The Vega core, if this is a Vega node.
    pub fn vega_core(&self) -> Option<&ProcessSpec> {
        matches!(self.protocol, Protocol::Vega { .. }).then(|| self.processes.first()).flatten()
    }

    /// The Vega data node, if configured.
    pub fn vega_data_node(&self) -> Option<&ProcessSpec> {
        matches!(self.protocol, Protocol::Vega { .. }).then(|| self.processes.get(1)).flatten()
    }

    /// Whether the node halts at its upgrade point (a Vega core, ready to upgrade, produces no
    /// more blocks): a release not ready then means stopping and waiting for it. A daemon of a
    /// plan keeps running instead.
    pub fn halts_at_upgrade(&self) -> bool {
        matches!(self.protocol, Protocol::Vega { .. } | Protocol::Cosmos)
    }

    /// Whether a halt height can be passed to it: a Cosmos app started with `start`.
    pub(crate) fn takes_halt_height(&self) -> bool {
        matches!(
            (&self.protocol, self.processes.first()),
            (Protocol::Cosmos, Some(app)) if app.args.first().and_then(|a| a.to_str()) == Some("start")
        )
    }

    /// Makes the node stop after committing `height` (a manual upgrade's height), so no block
    /// past it runs on the old release. Only `start` takes the flag (`run version`, `run
    /// export` do not); an operator's own lower halt height stands. Returns whether the
    /// arguments changed.
    pub(crate) fn halt_at(&mut self, height: u64) -> bool {
        if !self.takes_halt_height() {
            return false;
        }
        let (Protocol::Cosmos, Some(app)) = (&self.protocol, self.processes.first_mut()) else { return false };
        let before = app.args.clone();
        let mut args = Vec::with_capacity(app.args.len() + 1);
        let mut own = None;
        let mut value_next = false;
        for arg in app.args.drain(..) {
            let text = arg.to_str().map(str::to_owned);
            if std::mem::take(&mut value_next) {
                own = text.and_then(|t| t.parse::<u64>().ok()).or(own);
                continue;
            }
            match text.as_deref() {
                Some("--halt-height") => value_next = true,
                Some(a) if a.starts_with("--halt-height=") => {
                    own = a["--halt-height=".len()..].parse::<u64>().ok().or(own);
                }
                _ => args.push(arg),
            }
        }
        let halt = own.filter(|h| *h > 0).map_or(height, |own| own.min(height));
        args.push(std::ffi::OsString::from(format!("--halt-height={halt}")));
        app.args = args;
        app.args != before
    }

    /// What to ask before a crash restart, to know where the node resumes (a Vega data node's
    /// latest history segment), if anything.
    pub(crate) fn resume_query(&self) -> Option<&ProcessSpec> {
        self.vega_data_node()
    }

    /// Makes the node resume from `height` (a Vega core loads the snapshot taken there).
    /// Returns whether the arguments changed.
    pub(crate) fn resume_from(&mut self, height: u64) -> bool {
        match (&self.protocol, self.processes.first_mut()) {
            (Protocol::Vega { .. }, Some(core)) => {
                crate::source::vega_resume::add_snapshot_flag(&mut core.args, height)
            }
            _ => false,
        }
    }

    /// The admin endpoint, if the node has one.
    pub fn admin(&self) -> Option<&AdminEndpoint> {
        match &self.protocol {
            Protocol::Vega { admin } => Some(admin),
            Protocol::Daemon | Protocol::Cosmos => None,
        }
    }
}

/// Polling an upstream address that announces upgrades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamSettings {
    /// The address.
    pub url: url::Url,
    /// Time between two polls (the first poll is at start).
    pub interval: Duration,
    /// Timeouts and retries of each poll.
    pub fetch: FetchPolicy,
}

/// Polling the chain's height from the node's RPC (CometBFT `/status`), for upgrades due at a
/// height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHeightSettings {
    /// The RPC's base address (`http://127.0.0.1:26657`).
    pub rpc: url::Url,
    /// Time between two polls.
    pub interval: Duration,
    /// A command that prints the node's status (the app's own `status`), run when the RPC
    /// does not answer: program and arguments.
    pub fallback: Option<(PathBuf, Vec<std::ffi::OsString>)>,
}

/// How many consecutive failed polls of the admin endpoint are tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionBudget {
    /// While the release has not been restarted after a failure (first start, after an upgrade).
    pub first: u64,
    /// After at least one restart.
    pub after_restart: u64,
}

/// Polling a node's admin endpoint (the source of a Vega node's upgrades).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminSettings {
    /// Failed polls tolerated; taken when the node is (re)started.
    pub connection: ConnectionBudget,
    /// Interval between polls while the endpoint answers; applies from the next poll.
    pub poll_interval: Duration,
    /// Interval between polls while an upgrade is announced: the core halts at its height and
    /// every moment until it is noticed ready is the chain's downtime (a local socket is cheap
    /// to ask).
    pub announced_interval: Duration,
    /// Interval between polls after a failed one (keeps the connection budget's meaning in
    /// wall-clock time).
    pub retry_interval: Duration,
    /// Deadline of one request.
    pub request_timeout: Duration,
}

impl AdminSettings {
    /// Interval, interval after a failure, request deadline — while an upgrade is `announced`
    /// or not.
    pub(crate) fn timing(&self, announced: bool) -> (Duration, Duration, Duration) {
        let interval = if announced { self.announced_interval.min(self.poll_interval) } else { self.poll_interval };
        (interval, self.retry_interval, self.request_timeout)
    }
}

/// Settings of a run. Reloaded while running; see each field for when a change takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Taken when the node is (re)started.
    pub restart: RestartPolicy,
    /// Taken when the node is (re)started.
    pub stop: StopPolicy,
    /// Polling a node's admin endpoint, for nodes that have one (Vega).
    pub admin: Option<AdminSettings>,
    /// Release tag → folder; read when an upgrade is announced and when it is due.
    pub release_folders: BTreeMap<String, ReleaseName>,
    /// How to stage a release whose folder is missing, if the face can; read when an upgrade
    /// is announced.
    pub staging: Option<StagingSettings>,
    /// An upstream that announces upgrades, polled while the visor runs.
    pub upstream: Option<UpstreamSettings>,
    /// A backup taken after the old node stopped and before the switch.
    pub backup: Option<BackupSettings>,
    /// A lock file held (flock) from the stop to the end of the switch, for tools sharing the
    /// release folders.
    pub upgrade_lock: Option<PathBuf>,
    /// After a switch, how long the new release is on probation: if it spends its restart
    /// budget within it, the visor switches back and keeps the old release running.
    pub probation: Option<Duration>,
    /// Start the new release after a switch (else the visor exits once `current` moved).
    pub restart_after_upgrade: bool,
    /// The chain's height, for upgrades due at a height.
    pub chain_height: Option<ChainHeightSettings>,
    /// The node ending by itself ends the run with its own exit code: at once when it exits
    /// cleanly, once the restart budget is spent when it fails (Cosmovisor's way). Otherwise
    /// any end of the node is a failure, restarted within the budget.
    pub ends_with_node: bool,
    /// How often to ask the face what its chain announces ([`Face::announced_upgrade`]),
    /// so the release is staged before its trigger.
    pub announcements: Option<Duration>,
}

impl Settings {
    /// The folder of the release tagged `tag`: the mapping if any, else the tag itself.
    pub fn release_for(&self, tag: &str) -> Result<ReleaseName, ReleaseNameError> {
        match self.release_folders.get(tag) {
            Some(name) => Ok(name.clone()),
            None => ReleaseName::new(tag),
        }
    }
}

/// What to do, in a face's own words (its keys, its commands): the engine says what failed and
/// appends these. The defaults say it without naming any face's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hints {
    /// An upgrade's version names no valid release folder.
    pub map_release: String,
    /// The connection budget was spent: the key of the budget before and after a restart.
    pub connection_budget: [String; 2],
    /// A release cannot be downloaded: how to provide it by hand (`{name}` is replaced by the
    /// upgrade's name).
    pub provide_release: String,
    /// The home has no first release: how to create one (`{home}` is replaced by the folder).
    pub create_home: String,
    /// The node ends within seconds of each start: what that usually means and what to do
    /// (data newer than the release, e.g. a restored snapshot). Empty: nothing to add.
    pub early_exit: String,
    /// Where a release's binary paths come from, as a fix to offer ("fix `path` in …"); empty
    /// where the layout fixes them.
    pub binary_path: String,
    /// The node's admin endpoint does not answer: what to check (`{release}` is replaced by
    /// the release folder).
    pub admin_endpoint: String,
}

impl Default for Hints {
    fn default() -> Self {
        Self {
            map_release: "map the version to a release folder in the configuration".to_owned(),
            connection_budget: ["the first-connection budget".to_owned(), "the restart-connection budget".to_owned()],
            provide_release: "put the release's binary in place by hand".to_owned(),
            create_home: "create a `genesis` release folder in {home}".to_owned(),
            early_exit: String::new(),
            binary_path: String::new(),
            admin_endpoint: "check the admin endpoint's address in the release's configuration".to_owned(),
        }
    }
}

/// An error a face reports; its message names the file, the key and the fix.
pub type FaceError = Box<dyn std::error::Error + Send + Sync>;

/// A face: the part of a binary that reads its peer's files into engine types.
pub trait Face: Send + Sync + 'static {
    /// Reads the configuration (at start, on change, on SIGHUP).
    fn load_settings(&self) -> Result<Settings, FaceError>;
    /// What to do, in this face's words.
    fn hints(&self) -> Hints {
        Hints::default()
    }
    /// Reads what the release folder `dir` runs. Relative binaries resolve inside `dir`.
    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError>;
    /// Files whose change means "reload the settings".
    fn watched_files(&self) -> Vec<PathBuf>;
    /// How often watched files are looked at where the filesystem gives no change events (the
    /// peer's polling interval, e.g. Cosmovisor's `DAEMON_POLL_INTERVAL`).
    fn watch_poll_interval(&self) -> Duration {
        crate::watch::POLL
    }
    /// Writes what a staged release needs besides its binary (Vega: `run-config.toml`) into
    /// the staging folder `dir`; `binary` is the binary's path relative to `dir`.
    fn write_release(&self, dir: &Path, version: &str, binary: &Path) -> Result<(), FaceError>;
    /// Hears how staging progresses (to draw a progress bar, or log); runs on the run loop,
    /// so it must be quick.
    fn staging_progress(&self, _progress: &StageProgress) {}
    /// Hears how a backup or a restore progresses; runs on the run loop, so it must be quick.
    fn work_progress(&self, _progress: &crate::backup::WorkProgress) {}
    /// Whether the release folder `dir` still needs staging (by default: it does not exist; a
    /// folder made by hand is used as is).
    fn needs_staging(&self, dir: &Path) -> bool {
        !dir.exists()
    }
    /// The upgrades planned, earliest first (faces whose upgrades come from a plan).
    fn read_plan(&self) -> Result<Vec<Upgrade>, FaceError> {
        Ok(Vec::new())
    }
    /// Takes what the upstream answered (adding to the plan as the face's rules say) and
    /// describes what it did. Runs on a worker thread.
    fn upstream_answered(&self, _body: &[u8], _url: &str) -> Result<String, FaceError> {
        Ok(String::new())
    }
    /// Removes what a killed visor left among the face's own files (temporary files of its
    /// atomic writes, half-copied binaries). Runs at start, with the home's lock held, before
    /// recovery; it must remove only names of the exact shapes the face itself makes.
    fn remove_leftovers(&self) {}
    /// The upgrade the node's chain has scheduled, if any (a Cosmos chain's governance plan):
    /// asked at `Settings::announcements`, on a worker thread, while the visor runs. Its
    /// release is staged at once; its trigger stays the face's plan.
    fn announced_upgrade(&self) -> Result<Option<Upgrade>, FaceError> {
        Ok(None)
    }
    /// Runs the face's hooks before `current` moves to the release in `dir` for `upgrade` (an
    /// upgrade's name) at `height`: an error stops the upgrade, with `current` unchanged.
    /// Runs on a worker thread, with the old node stopped; it is part of the downtime.
    fn before_switch(&self, _dir: &Path, _upgrade: &str, _height: Option<u64>) -> Result<(), FaceError> {
        Ok(())
    }
    /// Records a switch (or a rollback) in the face's own files. Runs inside the switch
    /// transaction and again when recovery finishes an interrupted switch: it must be
    /// idempotent.
    fn record_switch(&self, _record: &SwitchRecord) -> Result<(), FaceError> {
        Ok(())
    }
}
