//! The history: the append-only record of switches, persisted atomically on every change.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::durable::write_json_atomic;
use crate::release::ReleaseName;

/// One switch from one release to the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchRecord {
    /// Unique id of the switch (also in the journal), so a switch is recorded once.
    pub id: String,
    /// The release that ran before.
    pub from: Option<ReleaseName>,
    /// The release switched to.
    pub to: ReleaseName,
    /// The version the upgrade named (Vega: the release tag).
    pub version: String,
    /// The block height of the upgrade, when the trigger was a height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// When `current` was switched (RFC 3339 in the file).
    pub switched_at: jiff::Timestamp,
    /// From the stop signal to the new node spawned, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_ms: Option<u64>,
    /// When the new node first proved healthy; until then a restart resumes from the upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<jiff::Timestamp>,
    /// Set when this record is a rollback.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rollback: bool,
    /// The backup taken before the switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<crate::backup::BackupReport>,
}

/// The history file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Format version.
    pub version: u32,
    /// Switches, oldest first.
    pub switches: Vec<SwitchRecord>,
}

/// A history file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the switch history {path}: {message}; move the file aside to start a new history")]
pub struct HistoryError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl History {
    /// Reads `path`; a missing file is an empty history.
    pub fn load(path: &Path) -> Result<Self, HistoryError> {
        let error = |message: String| HistoryError { path: path.display().to_string(), message };
        match crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| error(e.to_string())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self { version: 1, switches: Vec::new() }),
            Err(e) => Err(error(e.to_string())),
        }
    }

    /// Writes `path` atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        write_json_atomic(path, self)
    }

    /// The newest switch.
    pub fn last(&self) -> Option<&SwitchRecord> {
        self.switches.last()
    }

    /// Loads, changes and saves the history at `path`. The caller is its only writer: during a
    /// run, the store's history lane; before it, the recovery; otherwise a command holding the
    /// home's lock.
    pub fn update(path: &Path, change: impl FnOnce(&mut Self)) -> Result<Self, HistoryError> {
        let mut history = Self::load(path)?;
        history.version = 1;
        change(&mut history);
        history
            .save(path)
            .map_err(|e| HistoryError { path: path.display().to_string(), message: format!("cannot write: {e}") })?;
        Ok(history)
    }

    /// The record with `id`.
    pub fn find_mut(&mut self, id: &str) -> Option<&mut SwitchRecord> {
        self.switches.iter_mut().rev().find(|r| r.id == id)
    }
}
