//! What binaries said about themselves, remembered by the identity of the file that said it.
//!
//! Asking a binary for its version runs it (tens of milliseconds, more for a large node), and
//! hashing it reads all of it. Both are done once per file: the answer is kept in the home's
//! private state folder under the file's identity (device, inode, size, modification and change
//! times to the nanosecond) and the identities of the files beside it in its folder (what a
//! binary says may come from them), so a release verified ahead — by the visor when the upgrade
//! was announced, by staging, or by `nymvisor add-upgrade` in another process — is only looked
//! at again when it is due, not run again. Any write to a file changes its change time, which
//! the kernel sets and nobody can set back, so a replaced or rewritten binary (or a file beside
//! it) is asked again. What this cannot see: a binary that is a script running a program
//! outside its folder answers for that program, whose replacement is not noticed (documented).
//! The record is a cache: lost or unreadable, it costs one more run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The most binaries remembered; the oldest are forgotten first.
const MAX_ENTRIES: usize = 64;
/// The most files beside a binary that are looked at; a folder with more is not remembered.
const MAX_BESIDE: usize = 64;

/// The identity of a file's content as the kernel keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileId {
    /// The identity of the file at `path` (followed: a release's binary may be a link).
    pub(crate) fn of(path: &Path) -> std::io::Result<Self> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path)?;
        Ok(Self {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }
}

/// What one binary said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Facts {
    /// `version --output json`'s version (Vega).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    /// `build-info --output=json` (Nym).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) build_info: Option<serde_json::Map<String, serde_json::Value>>,
    /// Checksums by algorithm name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) hashes: BTreeMap<String, String>,
}

/// A binary and the files beside it, as they are now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Identity {
    file: FileId,
    beside: Vec<(String, FileId)>,
}

impl Identity {
    /// `None` when the binary cannot be looked at, or its folder is too full to look at whole.
    fn of(binary: &Path) -> Option<Self> {
        let file = FileId::of(binary).ok()?;
        let dir = binary.parent()?;
        let mut beside = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            if entry.path() == binary {
                continue;
            }
            // Links followed, as the binary would; folders and the unreadable left out.
            let Ok(id) = FileId::of(&entry.path()) else { continue };
            if !entry.path().is_file() {
                continue;
            }
            if beside.len() == MAX_BESIDE {
                return None;
            }
            beside.push((entry.file_name().to_string_lossy().into_owned(), id));
        }
        beside.sort_by(|a, b| a.0.cmp(&b.0));
        Some(Self { file, beside })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    identity: Identity,
    #[serde(flatten)]
    facts: Facts,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    version: u32,
    binaries: Vec<Entry>,
}

/// The remembered answers of a home's binaries (`<home>/.visor/identities.json`).
#[derive(Debug, Clone)]
pub struct Memory {
    path: PathBuf,
}

impl Memory {
    /// The memory of the home whose state folder is `state_dir`.
    pub fn in_state_dir(state_dir: &Path) -> Self {
        Self { path: state_dir.join("identities.json") }
    }

    fn load(&self) -> Record {
        crate::durable::read_bounded(&self.path, crate::durable::MAX_DOCUMENT)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// What `binary`, as it is now, said before.
    pub(crate) fn recall(&self, binary: &Path) -> Option<Facts> {
        let id = Identity::of(binary)?;
        self.load().binaries.into_iter().rev().find(|e| e.identity == id).map(|e| e.facts)
    }

    /// The build information `binary`, as it is now, gave before.
    pub fn recall_build_info(&self, binary: &Path) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.recall(binary)?.build_info
    }

    /// Records the build information `binary`, as it is now, gives: a face that asked it (or
    /// the binary it is a copy of) already tells the running visor, which then need not ask.
    pub fn remember_build_info(&self, binary: &Path, info: serde_json::Map<String, serde_json::Value>) {
        self.remember(binary, |f| f.build_info = Some(info));
    }

    /// Adds what `binary`, as it is now, said. Failing to write costs a run later, nothing more.
    pub(crate) fn remember(&self, binary: &Path, learn: impl FnOnce(&mut Facts)) {
        let Some(id) = Identity::of(binary) else { return };
        // Only into a state folder that exists: never made here, with whatever mode and owner.
        if !self.path.parent().is_some_and(Path::is_dir) {
            return;
        }
        let mut record = self.load();
        let mut facts = match record.binaries.iter().position(|e| e.identity == id) {
            Some(i) => record.binaries.remove(i).facts,
            None => Facts::default(),
        };
        learn(&mut facts);
        record.binaries.push(Entry { identity: id, facts });
        let excess = record.binaries.len().saturating_sub(MAX_ENTRIES);
        record.binaries.drain(..excess);
        record.version = 1;
        if let Err(e) = crate::durable::write_json_atomic(&self.path, &record) {
            tracing::debug!(path = %self.path.display(), error = e.to_string(), "cannot remember a binary's answer");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_recalled_until_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let memory = Memory::in_state_dir(dir.path());
        std::fs::create_dir(dir.path().join("release")).unwrap();
        let binary = dir.path().join("release/node");
        std::fs::write(&binary, b"one").unwrap();
        assert_eq!(memory.recall(&binary), None);
        memory.remember(&binary, |f| f.version = Some("v1".into()));
        memory.remember(&binary, |f| {
            f.hashes.insert("sha256".into(), "abc".into());
        });
        let facts = memory.recall(&binary).unwrap();
        assert_eq!(facts.version.as_deref(), Some("v1"));
        assert_eq!(facts.hashes["sha256"], "abc");
        // A file beside it changes (a version file a wrapper reads): asked again.
        std::fs::write(dir.path().join("release/node.version"), b"v2").unwrap();
        assert_eq!(memory.recall(&binary), None);
        memory.remember(&binary, |f| f.version = Some("v2".into()));
        assert_eq!(memory.recall(&binary).unwrap().version.as_deref(), Some("v2"));
        // Rewritten in place, same size: another change time, asked again.
        std::fs::write(&binary, b"two").unwrap();
        assert_eq!(memory.recall(&binary), None);
    }

    #[test]
    fn the_oldest_are_forgotten_and_nothing_is_written_without_a_state_folder() {
        let dir = tempfile::tempdir().unwrap();
        let memory = Memory::in_state_dir(dir.path());
        let mut first = None;
        for i in 0..=MAX_ENTRIES {
            std::fs::create_dir(dir.path().join(format!("r{i}"))).unwrap();
            let binary = dir.path().join(format!("r{i}/b"));
            std::fs::write(&binary, i.to_string()).unwrap();
            memory.remember(&binary, |f| f.version = Some(i.to_string()));
            first.get_or_insert(binary);
        }
        assert_eq!(memory.load().binaries.len(), MAX_ENTRIES);
        assert_eq!(memory.recall(&first.unwrap()), None);

        let nowhere = Memory::in_state_dir(&dir.path().join("missing"));
        let binary = dir.path().join("r1/b");
        nowhere.remember(&binary, |f| f.version = Some("x".into()));
        assert!(!dir.path().join("missing").exists());
    }
}
