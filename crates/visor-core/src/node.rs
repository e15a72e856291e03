//! What a face tells the engine: the settings of a run and what a release folder runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::release::{ReleaseName, ReleaseNameError};
use crate::source::AdminEndpoint;
use crate::stage::{StageProgress, StagingSettings};
use crate::supervise::{ProcessSpec, RestartPolicy, StopPolicy};

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

    /// The admin endpoint, if the node has one.
    pub fn admin(&self) -> Option<&AdminEndpoint> {
        match &self.protocol {
            Protocol::Vega { admin } => Some(admin),
        }
    }
}

/// How many consecutive failed polls of the admin endpoint are tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionBudget {
    /// While the release has not been restarted after a failure (first start, after an upgrade).
    pub first: u64,
    /// After at least one restart.
    pub after_restart: u64,
}

/// Settings of a run. Reloaded while running; see each field for when a change takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Taken when the node is (re)started.
    pub restart: RestartPolicy,
    /// Taken when the node is (re)started.
    pub stop: StopPolicy,
    /// Taken when the node is (re)started.
    pub connection: ConnectionBudget,
    /// Interval between admin polls while the endpoint answers; applies from the next poll.
    pub poll_interval: Duration,
    /// Interval between admin polls after a failed one (keeps the connection budget's meaning
    /// in wall-clock time).
    pub retry_interval: Duration,
    /// Deadline of one admin request.
    pub request_timeout: Duration,
    /// Release tag → folder; read when an upgrade is announced and when it is due.
    pub release_folders: BTreeMap<String, ReleaseName>,
    /// How to stage a release whose folder is missing, if the face can; read when an upgrade
    /// is announced.
    pub staging: Option<StagingSettings>,
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

/// An error a face reports; its message names the file, the key and the fix.
pub type FaceError = Box<dyn std::error::Error + Send + Sync>;

/// A face: the part of a binary that reads its peer's files into engine types.
pub trait Face: Send + Sync + 'static {
    /// Reads the configuration (at start, on change, on SIGHUP).
    fn load_settings(&self) -> Result<Settings, FaceError>;
    /// Reads what the release folder `dir` runs. Relative binaries resolve inside `dir`.
    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError>;
    /// Files whose change means "reload the settings".
    fn watched_files(&self) -> Vec<PathBuf>;
    /// Writes what a staged release needs besides its binary (Vega: `run-config.toml`) into
    /// the staging folder `dir`; `binary` is the binary's path relative to `dir`.
    fn write_release(&self, dir: &Path, version: &str, binary: &Path) -> Result<(), FaceError>;
    /// Hears how staging progresses (to draw a progress bar, or log); runs on the dispatcher,
    /// so it must be quick.
    fn staging_progress(&self, _progress: &StageProgress) {}
}
