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

/// A history file that cannot be read or written: which, why, and what to do.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} the switch history {path}: {message}; {fix}")]
pub struct HistoryError {
    /// `read` or `write`.
    pub action: &'static str,
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do. Moving the file aside is said only for a file that reads but is not a
    /// history: a refused or failing read says nothing about the file, which is the record of
    /// every switch.
    pub fix: String,
}

impl HistoryError {
    /// The history at `path` could not be read or written (`action`) for `error`.
    fn io(action: &'static str, path: &Path, error: &io::Error) -> Self {
        let fix = crate::access::explain_denied(path, error).unwrap_or_else(|| match error.kind() {
            io::ErrorKind::InvalidInput | io::ErrorKind::FileTooLarge | io::ErrorKind::InvalidData => {
                format!("the file is not a switch history; move it aside ({}.bad) to start a new one", path.display())
            }
            _ => "the file is kept as it is; fix what the error names (disk, file system) and try again".to_owned(),
        });
        Self { action, path: path.display().to_string(), message: error.to_string(), fix }
    }
}

impl History {
    /// Reads `path`; a missing file is an empty history.
    pub fn load(path: &Path) -> Result<Self, HistoryError> {
        match crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| HistoryError {
                action: "read",
                path: path.display().to_string(),
                message: e.to_string(),
                fix: format!(
                    "the file is not a switch history; move it aside ({}.bad) to start a new one",
                    path.display()
                ),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Self { version: 1, switches: Vec::new() }),
            Err(e) => Err(HistoryError::io("read", path, &e)),
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
        history.save(path).map_err(|e| HistoryError::io("write", path, &e))?;
        Ok(history)
    }

    /// The record with `id`.
    pub fn find_mut(&mut self, id: &str) -> Option<&mut SwitchRecord> {
        self.switches.iter_mut().rev().find(|r| r.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_file_that_is_not_a_history_is_to_be_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.json");
        std::fs::write(&path, b"{ not json").unwrap();
        let e = History::load(&path).unwrap_err().to_string();
        assert!(e.starts_with(&format!("cannot read the switch history {}:", path.display())), "{e}");
        assert!(e.contains("move it aside"), "{e}");
        let denied = HistoryError::io("read", &path, &io::Error::from_raw_os_error(nix::libc::EACCES)).to_string();
        assert!(denied.contains(") belong to user ") && denied.contains("chown -R"), "{denied}");
        assert!(!denied.contains("aside"), "a refused read says nothing about the file: {denied}");
        let failing = HistoryError::io("write", &path, &io::Error::from_raw_os_error(nix::libc::EIO)).to_string();
        assert!(failing.starts_with("cannot write the switch history") && !failing.contains("aside"), "{failing}");
    }
}
