//! Backups of a node's data before an upgrade, and their restore.
//!
//! # Theory of operation
//!
//! A backup is taken after the old node stopped and before the switch, so it holds the data
//! exactly as the old release left it. Its cost is downtime, so it is as cheap as the
//! filesystem allows and everything else happens around it:
//!
//! - *before the stop*, [`space::check_room`] estimates what the chosen [`Strategy`] needs and
//!   refuses to stop a node whose backup would not fit;
//! - *during the downtime*, [`take`] lists the source folders once ([`tree`]) and writes the
//!   backup under a partial name — a clone of every file where the filesystem shares blocks
//!   (`snapshot`), a parallel `copy_file_range` copy (`copy`), or a multi-threaded archive
//!   (`tar.zst`, `tar.gz`) — then fsyncs it and gives it its final name, beside a *manifest*
//!   that lists every entry with its size and mode;
//! - *after the new node runs*, [`seal::seal`] reads the backup back, hashes every file and
//!   records the hashes and a digest of the whole tree in the manifest, and [`catalog::prune`]
//!   keeps the newest few backups.
//!
//! A backup is trusted only as far as its manifest: a restore ([`restore`]) rebuilds the tree
//! beside the data folder, compares it with the sealed manifest entry by entry, and only then
//! swaps it with the data folder in one `rename` (`RENAME_EXCHANGE`), keeping the old data until
//! the node has come up on the restored one. Everything is written private (0700/0600), and a
//! visor killed at any instant leaves either no backup or a complete one (partials are removed
//! at the next start), and either the old data or the restored data in place.

mod archive;
pub mod catalog;
mod copy;
#[cfg(test)]
mod loopfs;
pub mod manifest;
pub mod restore;
pub mod seal;
pub mod space;
mod subvolume;
mod take;
#[cfg(test)]
mod tests;
mod tree;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use catalog::{BackupEntry, list, prune};
pub use manifest::Manifest;
pub use restore::{RestoreError, RestoreItem, RestoreJournal, RestoreReport, recover_restore, restore};
pub use seal::{Verification, seal, verify};
pub use space::{Room, check_room};
pub use take::{BackupFor, remove_partials, take};

/// What long backup work is at, for the operator (a bar on a terminal, log lines otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkProgress {
    /// What is done: `backing up`, `restoring`.
    pub what: &'static str,
    /// Of what (the folder or the backup).
    pub label: String,
    /// Bytes done.
    pub done: u64,
    /// Bytes in all (0: not known).
    pub total: u64,
    /// The work is over (the bar goes).
    pub finished: bool,
}

/// How a backup is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// Every file cloned (reflink: btrfs, XFS, bcachefs, ZFS block cloning): only metadata is
    /// written. Where the filesystem cannot clone, a [`Strategy::Copy`], said in the log.
    #[serde(rename = "snapshot")]
    Snapshot,
    /// A parallel tree copy with `copy_file_range`, keeping modes, times, owners, links,
    /// sparse files and hard links.
    #[serde(rename = "copy")]
    Copy,
    /// A tar archive compressed with zstd on every core.
    #[serde(rename = "tar.zst")]
    TarZst,
    /// A tar archive compressed with gzip (what Nymvisor writes).
    #[serde(rename = "tar.gz")]
    TarGz,
    /// No backup.
    #[serde(rename = "none")]
    None,
}

impl Strategy {
    /// Every strategy, as operators name them.
    pub const ALL: [Self; 5] = [Self::Snapshot, Self::Copy, Self::TarZst, Self::TarGz, Self::None];

    /// The operator's name of the strategy.
    pub fn name(self) -> &'static str {
        match self {
            Self::Snapshot => "snapshot",
            Self::Copy => "copy",
            Self::TarZst => "tar.zst",
            Self::TarGz => "tar.gz",
            Self::None => "none",
        }
    }

    /// The ending of a backup's name: archives are files, the others folders.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Self::TarZst => ".tar.zst",
            Self::TarGz => ".tar.gz",
            Self::Snapshot | Self::Copy | Self::None => "",
        }
    }

    /// Whether the backup is a folder holding the tree (as opposed to an archive).
    pub(crate) fn is_tree(self) -> bool {
        matches!(self, Self::Snapshot | Self::Copy)
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A strategy name no strategy has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backup strategy `{0}`: use one of snapshot, copy, tar.zst, tar.gz, none")]
pub struct UnknownStrategy(pub String);

impl std::str::FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|x| x.name() == s.trim()).ok_or_else(|| UnknownStrategy(s.to_owned()))
    }
}

/// How backups are named in their folder (each face keeps its peer's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// `<dir>/<upgrade>/backup-<UTC time, ms>-preupgrade<ext>`.
    PerUpgrade,
    /// `<dir>/<prefix>-<Y>-<M>-<D><ext>` (month and day not padded), then `-2`, `-3` … for more
    /// backups the same day.
    Dated {
        /// The name's start, e.g. `data-backup`.
        prefix: String,
    },
}

/// One folder a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSource {
    /// The folder.
    pub path: PathBuf,
    /// Its top-level entries left out.
    pub exclude: Vec<String>,
}

/// What to back up, where, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSettings {
    /// The folders backed up: one (its contents at the backup's root) or several (each under its
    /// folder's name).
    pub sources: Vec<BackupSource>,
    /// The folder backups go to.
    pub dir: PathBuf,
    /// How.
    pub strategy: Strategy,
    /// How backups are named.
    pub naming: Naming,
    /// The newest backups kept; older ones the visor made are removed after a new one.
    pub keep: usize,
    /// When a new release fails its probation and is rolled back, restore the backup taken
    /// before it (a new release may already have migrated the data).
    pub restore_on_rollback: bool,
}

impl BackupSettings {
    /// One source folder with the defaults: copy, 2 kept, no restore on rollback.
    pub fn new(source: PathBuf, exclude: Vec<String>, dir: PathBuf, naming: Naming) -> Self {
        Self {
            sources: vec![BackupSource { path: source, exclude }],
            dir,
            strategy: Strategy::Copy,
            naming,
            keep: DEFAULT_KEEP,
            restore_on_rollback: false,
        }
    }

    /// The folders backed up, for messages.
    pub fn sources_display(&self) -> String {
        self.sources.iter().map(|s| s.path.display().to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// Backups kept unless the operator says otherwise.
pub const DEFAULT_KEEP: usize = 2;

/// What a running backup or restore has done, shared with whoever shows it.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// Counts `n` more bytes done.
    pub(crate) fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Bytes done, and the total when known.
    pub fn read(&self) -> (u64, u64) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
}

/// What a piece of backup work shares with the strategies: whether to stop, where to count.
pub(crate) struct Work<'a> {
    pub(crate) cancel: &'a std::sync::atomic::AtomicBool,
    pub(crate) progress: &'a Progress,
    /// Threads that may copy or compress at once.
    pub(crate) threads: usize,
}

impl Work<'_> {
    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The threads a backup uses: every core, at most 8 (a disk does not go faster with more).
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from).clamp(1, 8)
}

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    /// The backup (a folder or an archive).
    pub path: PathBuf,
    /// How it was written (a snapshot that fell back to a copy says `copy`).
    pub strategy: Strategy,
    /// Entries backed up (files, folders, links).
    pub files: u64,
    /// Bytes of file data backed up.
    pub bytes: u64,
    /// Bytes the backup takes on disk (of an archive, its size; of a clone, next to nothing).
    pub stored: u64,
    /// Time taken.
    #[serde(rename = "tookMs", with = "millis")]
    pub took: Duration,
    /// Data backed up per second.
    pub bytes_per_second: u64,
}

mod millis {
    use std::time::Duration;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        <u64 as serde::Deserialize>::deserialize(d).map(Duration::from_millis)
    }
}

/// Why a backup failed; a partial backup is removed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Interrupted on request.
    #[error("the backup was cancelled after reading {read} bytes")]
    Cancelled {
        /// Bytes of data read before it stopped.
        read: u64,
    },
    /// The data could not be read.
    #[error("cannot read {path} to back it up: {error}; the visor's user must be able to read all of {source_dir}")]
    Read {
        /// The folder backed up.
        source_dir: String,
        /// Where.
        path: String,
        /// The cause.
        error: io::Error,
    },
    /// The backup could not be written.
    #[error("cannot write the backup at {path}: {error}; check free space and permissions in the backup folder")]
    Write {
        /// The backup (or its folder).
        path: String,
        /// The cause.
        error: io::Error,
    },
    /// Not enough room for it (checked before the node is stopped).
    #[error(
        "not enough room for a {strategy} backup in {dir}: about {need_mib} MiB needed, {free_mib} MiB free; \
         free space there, keep fewer backups, or choose a smaller strategy (tar.zst)"
    )]
    NoRoom {
        /// The backup folder.
        dir: String,
        /// The strategy.
        strategy: Strategy,
        /// The estimate.
        need_mib: u64,
        /// Free space.
        free_mib: u64,
    },
}

impl BackupError {
    pub(crate) fn write(path: &Path) -> impl FnOnce(io::Error) -> Self + '_ {
        move |error| Self::Write { path: path.display().to_string(), error }
    }
}
