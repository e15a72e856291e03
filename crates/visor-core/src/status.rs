//! The status document: what the running visor says about itself, for `status` commands.
//!
//! The run loop publishes a new document on every state change; the store writes the
//! latest one. Readers check that the visor which wrote it is still alive by PID and start time.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::history::SwitchRecord;

/// A running process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessStatus {
    /// The role.
    pub role: String,
    /// The PID.
    pub pid: u32,
    /// When it was started (RFC 3339 in the file).
    pub since: jiff::Timestamp,
}

/// An upgrade the node announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingStatus {
    /// The version (Vega: release tag).
    pub version: String,
    /// The upgrade height, if the trigger is a height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// When it is due, if the trigger is a time (RFC 3339 in the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<jiff::Timestamp>,
    /// The upgrade's name, when it has one besides its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The release folder it will run from, if the name is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    /// Whether that folder exists.
    pub folder_present: bool,
}

/// Staging of an announced release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagingStatus {
    /// The version being staged.
    pub version: String,
    /// The release folder it goes to.
    pub folder: String,
    /// resolving, downloading, unpacking, verifying, staged, failed.
    pub phase: String,
    /// Bytes downloaded.
    pub bytes: u64,
    /// Bytes to download, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Attempts so far.
    pub attempt: u32,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The artifact's checksum once downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// Whether that checksum matched a published one.
    #[serde(default)]
    pub verified: bool,
}

/// The node's admin endpoint (Vega), as the visor's polls find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminStatus {
    /// answering, unreachable, not asked yet.
    pub state: String,
    /// Since when it does not answer (RFC 3339 in the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable_since: Option<jiff::Timestamp>,
    /// Polls failed in a row.
    #[serde(default)]
    pub failures: u64,
    /// Why the last poll failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The status document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Format version.
    pub version: u32,
    /// The visor's PID.
    pub visor_pid: u32,
    /// The visor's start time in clock ticks since boot (with the PID, identifies it).
    pub visor_start_time: u64,
    /// The run loop's state.
    pub state: String,
    /// Why, for states that wait on something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The release `current` names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The running processes.
    pub processes: Vec<ProcessStatus>,
    /// The announced upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingStatus>,
    /// Staging of the announced release, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staging: Option<StagingStatus>,
    /// Restarts counted against the budget.
    pub restarts: u64,
    /// The last switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_switch: Option<SwitchRecord>,
    /// The chain's height, as last read from the node (kept across restarts: a plan the node
    /// wrote for a height above it is not due yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_height: Option<u64>,
    /// Where the visor serves its metrics (`host:port`), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<String>,
    /// The node's admin endpoint, for nodes that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<AdminStatus>,
    /// When this document was written (RFC 3339 in the file).
    pub updated_at: jiff::Timestamp,
}

impl Status {
    /// Whether the visor that wrote this document is still running.
    pub fn writer_alive(&self) -> bool {
        self.visor_pid != 0 && crate::supervise::proc_start_time(self.visor_pid as i32) == Some(self.visor_start_time)
    }
}

/// Reads the status document at `path`, if any.
pub fn read_status(path: &Path) -> Option<Status> {
    serde_json::from_slice(&crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT).ok()?).ok()
}
