//! Is there room for the next backup? Checked while the old node still runs, so a backup that
//! cannot fit never costs a stop.
//!
//! The estimate is the data's allocated size (holes of sparse files cost nothing in a copy),
//! times what the strategy keeps of it: nothing but metadata for a clone the filesystem can
//! make, everything for a copy, and for an archive the ratio the last archive of that strategy
//! achieved (the whole size before the first: a chain's data is often compressed already).
//! Plus a margin for metadata and the manifest.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::catalog::list;
use super::copy::can_clone;
use super::take::list_sources;
use super::tree::Kind;
use super::{BackupError, BackupSettings, Strategy};

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    /// Bytes the data takes on disk.
    pub data: u64,
    /// Bytes the backup is estimated to need.
    pub need: u64,
    /// Bytes free for the visor's user in the backup folder's filesystem.
    pub free: u64,
}

/// Slack for metadata, the manifest and estimates that are off.
const MARGIN: u64 = 64 << 20;

/// Checks that a backup as `settings` say fits; `Err(NoRoom)` when it does not.
pub fn check_room(settings: &BackupSettings, cancel: &AtomicBool) -> Result<Room, BackupError> {
    let trees = list_sources(settings, cancel)?;
    let entries: u64 = trees.iter().fold(0u64, |sum, t| sum.saturating_add(t.entries.len() as u64));
    let files =
        || trees.iter().flat_map(|t| t.entries.iter().map(move |e| (t, e))).filter(|(_, e)| e.kind == Kind::File);
    let allocated: u64 = files().fold(0u64, |sum, (_, e)| sum.saturating_add(e.meta.blocks().saturating_mul(512)));
    let apparent: u64 = files().fold(0u64, |sum, (_, e)| sum.saturating_add(e.meta.len()));
    let existing = nearest_existing(&settings.dir);
    let clones =
        || files().find(|(_, e)| e.meta.len() > 0).is_none_or(|(t, e)| can_clone(&t.root.join(&e.rel), &existing));
    let content = match settings.strategy {
        Strategy::None => 0,
        Strategy::Snapshot if clones() => 0,
        Strategy::Snapshot | Strategy::Copy => allocated,
        Strategy::TarZst | Strategy::TarGz => {
            let ratio = last_ratio(settings).unwrap_or(1.0);
            (apparent as f64 * ratio) as u64
        }
    };
    let need = content.saturating_add(entries.saturating_mul(512)).saturating_add(MARGIN);
    let free =
        free_bytes(&existing).map_err(|e| BackupError::Write { path: existing.display().to_string(), error: e })?;
    let room = Room { data: allocated, need, free };
    if need > free {
        return Err(BackupError::NoRoom {
            dir: settings.dir.display().to_string(),
            strategy: settings.strategy,
            need_mib: need >> 20,
            free_mib: free >> 20,
        });
    }
    Ok(room)
}

/// What the last archive of this strategy kept of its data, with a tenth more for safety.
fn last_ratio(settings: &BackupSettings) -> Option<f64> {
    list(&settings.dir, &settings.naming).ok()?.into_iter().find_map(|b| {
        let m = b.manifest.as_ref()?;
        (m.strategy == settings.strategy && m.bytes > 1 << 20).then(|| (b.size as f64 / m.bytes as f64 * 1.1).min(1.1))
    })
}

/// The folder itself or its nearest ancestor that exists (a first backup creates the folder).
fn nearest_existing(dir: &Path) -> PathBuf {
    let mut p = dir.to_owned();
    while !p.exists() {
        match p.parent() {
            Some(parent) => p = parent.to_owned(),
            None => break,
        }
    }
    p
}

/// Free bytes for an unprivileged user of the filesystem holding `dir`.
pub(crate) fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let s = nix::sys::statvfs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok(s.blocks_available().saturating_mul(s.fragment_size()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::{BackupSettings, Naming};

    #[test]
    fn a_copy_needs_the_data_and_a_clone_on_a_filesystem_without_reflinks_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/f"), vec![1u8; 1 << 20]).unwrap();
        let mut s = BackupSettings::new(dir.path().join("data"), vec![], dir.path().join("b"), Naming::PerUpgrade);
        let room = check_room(&s, &AtomicBool::new(false)).unwrap();
        assert!(room.need >= (1 << 20) + MARGIN && room.free > 0, "{room:?}");
        s.strategy = Strategy::None;
        assert_eq!(check_room(&s, &AtomicBool::new(false)).unwrap().need, MARGIN + 512);
    }
}
