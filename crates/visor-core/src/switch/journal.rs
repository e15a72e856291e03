//! The switch journal: written before `current` moves, removed after the history records the
//! switch. Its presence at start means a visor died mid-switch.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::durable::{sync_parent, write_json_atomic};
use crate::release::ReleaseName;

/// A switch in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    /// Unique id, copied into the history record.
    pub id: String,
    /// The release that ran before.
    pub from: Option<ReleaseName>,
    /// The release being switched to (complete and verified before the journal is written).
    pub to: ReleaseName,
    /// The version the upgrade named.
    pub version: String,
    /// The upgrade height, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// When the switch began (RFC 3339).
    pub started_at: jiff::Timestamp,
    /// A switch back after a failed probation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rollback: bool,
    /// The backup taken before the switch, for its record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<crate::backup::BackupReport>,
}

impl Journal {
    /// Reads the journal at `path`, if any.
    pub fn load(path: &Path) -> io::Result<Option<Self>> {
        match crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| io::Error::other(format!("switch journal {} is unreadable: {e}", path.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes it durably.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_json_atomic(path, self)
    }

    /// Removes it durably.
    pub fn clear(path: &Path) -> io::Result<()> {
        match std::fs::remove_file(path) {
            Ok(()) => sync_parent(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}
