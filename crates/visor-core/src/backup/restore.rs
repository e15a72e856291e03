//! Restoring a backup: the node is stopped (the caller's duty), the backup's tree is rebuilt
//! beside each data folder, compared with the sealed manifest, and only then swapped with the
//! data folder in one `renameat2(RENAME_EXCHANGE)`. The old data is kept beside it until the
//! node has come up on the restored data ([`release_kept`]).
//!
//! A journal in the state folder makes it converge: killed before any swap, the restore did
//! not happen (the rebuilt trees are removed); killed after one, the swaps are finished, since
//! every rebuilt tree was verified before the first.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::archive::{Codec, extract_archive};
use super::copy::{CopyMode, can_clone, copy_trees};
use super::manifest::{self, ManifestError, Record, decode_path, encode_path, manifest_path};
use super::seal::{SealError, Verification, compare, read_back};
use super::take::{make_removable, remove_any};
use super::tree::{Tree, WalkError, walk};
use super::{BackupError, Progress, Strategy, Work, default_threads};
use crate::durable::{sync_parent, temp_sibling, write_json_atomic};

/// A restore that is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// The backup restored.
    pub backup: PathBuf,
    /// Each data folder, and where its previous content is kept.
    pub restored: Vec<(PathBuf, Option<PathBuf>)>,
    /// Entries compared with the manifest.
    pub entries: u64,
    /// Bytes of file data restored.
    pub bytes: u64,
    /// Time taken.
    pub took: Duration,
}

/// Why a restore did not happen; the data folders are as they were.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Its manifest cannot be read.
    #[error("{0}; a backup without a readable manifest cannot be verified, so it is not restored")]
    Manifest(#[from] ManifestError),
    /// Reading it back or sealing it failed.
    #[error("{0}")]
    Seal(#[from] SealError),
    /// The manifest was edited since it was sealed.
    #[error(
        "the manifest {path} does not match its own digest: it was changed after the backup was sealed; the backup is not restored"
    )]
    Tampered {
        /// The manifest.
        path: String,
    },
    /// Rebuilding the tree failed.
    #[error("cannot rebuild the backup beside {data}: {error}")]
    Build {
        /// The data folder.
        data: String,
        /// Why.
        error: BackupError,
    },
    /// What was rebuilt is not what the manifest says.
    #[error(
        "the backup {backup} is damaged: {entry}: {what}; nothing was restored (choose another backup with `backup list`)"
    )]
    Differs {
        /// The backup.
        backup: String,
        /// The entry.
        entry: String,
        /// How.
        what: String,
    },
    /// A data folder is a mount point: it cannot be swapped by a rename.
    #[error(
        "{data} is a mount point, so it cannot be swapped atomically; restore by hand from {backup}, or mount the volume one folder higher"
    )]
    MountPoint {
        /// The data folder.
        data: String,
        /// The backup.
        backup: String,
    },
    /// The backup is not one this home may restore.
    #[error("the backup {backup} is not restored: {why}")]
    NotOurs {
        /// The backup.
        backup: String,
        /// Why.
        why: String,
    },
    /// The swap failed.
    #[error("cannot swap the restored data into {data}: {error}")]
    Swap {
        /// The data folder.
        data: String,
        /// Why.
        error: io::Error,
    },
    /// Interrupted on request.
    #[error("the restore was cancelled; the data is as it was")]
    Cancelled,
}

/// The journal of a restore in progress or whose old data is still kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreJournal {
    /// The backup.
    pub backup: PathBuf,
    /// One per data folder.
    pub items: Vec<RestoreItem>,
    /// Whether every swap is done.
    pub swapped: bool,
    /// Data replaced by earlier restores, still kept (removed with this one's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_earlier: Vec<PathBuf>,
}

/// One data folder being restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreItem {
    /// The data folder.
    pub data: PathBuf,
    /// The rebuilt tree, beside it.
    pub staging: PathBuf,
    /// Where the old data goes.
    pub kept: PathBuf,
    /// The rebuilt tree's inode: after the swap, the data folder's.
    pub staged_inode: u64,
    /// Top-level entries the backup left out, moved from the data into the rebuilt tree just
    /// before the swap (the visor's own folder, the backups themselves).
    #[serde(default)]
    pub carried: Vec<String>,
}

/// Restores the backup at `backup`, journaled in `journal`. The node must be stopped.
pub fn restore(
    backup: &Path,
    allowed: &[PathBuf],
    journal: &Path,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<RestoreReport, RestoreError> {
    let started = Instant::now();
    let threads = default_threads();
    let earlier = recover_restore(journal);
    let mpath = manifest_path(backup);
    for path in [backup, mpath.as_path()] {
        check_owned(path)?;
    }
    let (header, _) = manifest::read(&mpath)?;
    // A backup goes back only where this home's settings back data up from.
    let same = |a: &Path, b: &Path| a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b);
    if let Some(source) = header.sources.iter().find(|s| !allowed.iter().any(|a| same(a, &s.path))) {
        return Err(RestoreError::NotOurs {
            backup: backup.display().to_string(),
            why: format!("it restores to {}, which this home's backup settings do not name", source.path.display()),
        });
    }
    for source in &header.sources {
        remove_stale_restores(&source.path, earlier.as_ref());
    }
    if header.digest.is_none() {
        tracing::info!(backup = %backup.display(), "the backup was never sealed; hashing it first");
    }
    let header = super::seal::seal(backup, threads, cancel)?;
    let (_, records) = manifest::read(&mpath)?;
    if header.digest.as_deref() != Some(manifest::digest(&header, &records).as_str()) {
        return Err(RestoreError::Tampered { path: mpath.display().to_string() });
    }
    progress.set_total(header.bytes.saturating_mul(2));
    let work = Work { cancel, progress, threads };
    let mut items = Vec::new();
    let result = build_all(backup, &header, &records, &work, &mut items);
    if let Err(e) = result {
        for item in &items {
            make_removable(&item.staging);
            remove_any(&item.staging);
        }
        return Err(e);
    }
    // What earlier restores kept is still the operator's: it stays recorded until released.
    let kept_earlier = earlier
        .map(|e| e.kept_earlier.into_iter().chain(e.items.into_iter().map(|i| i.kept)).collect())
        .unwrap_or_default();
    let mut j = RestoreJournal { backup: backup.to_owned(), items, swapped: false, kept_earlier };
    write_json_atomic(journal, &j)
        .map_err(|error| RestoreError::Swap { data: journal.display().to_string(), error })?;
    crate::fault::point("restore-journal-written");
    for item in &j.items {
        swap(item).map_err(|error| RestoreError::Swap { data: item.data.display().to_string(), error })?;
        crate::fault::point("restore-swapped");
    }
    j.swapped = true;
    write_json_atomic(journal, &j)
        .map_err(|error| RestoreError::Swap { data: journal.display().to_string(), error })?;
    let restored =
        j.items.iter().map(|i| (i.data.clone(), i.kept.symlink_metadata().is_ok().then(|| i.kept.clone()))).collect();
    Ok(RestoreReport {
        backup: backup.to_owned(),
        restored,
        entries: header.entries,
        bytes: header.bytes,
        took: started.elapsed(),
    })
}

/// Rebuilds and verifies every source of the backup beside its data folder.
fn build_all(
    backup: &Path,
    header: &manifest::Manifest,
    records: &[Record],
    work: &Work<'_>,
    items: &mut Vec<RestoreItem>,
) -> Result<(), RestoreError> {
    let stamp = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y%m%d-%H%M%S").to_string();
    // An archive is unpacked once, beside the first data folder; each source is moved from it.
    let unpacked = match header.strategy {
        Strategy::TarZst | Strategy::TarGz => {
            let first = header.sources.first().map(|s| s.path.clone()).unwrap_or_default();
            let tmp = temp_sibling(&first, "restore");
            let codec = if header.strategy == Strategy::TarZst { Codec::Zstd } else { Codec::Gzip };
            if let Err(error) = extract_archive(backup, codec, &tmp, work) {
                make_removable(&tmp);
                remove_any(&tmp);
                return Err(build_error(&first, error, work));
            }
            Some(tmp)
        }
        _ => None,
    };
    let result = (|| {
        for source in &header.sources {
            let data = &source.path;
            // Not by device numbers: every btrfs subvolume has its own, and one can be swapped.
            if is_mount_point(data) {
                return Err(RestoreError::MountPoint {
                    data: data.display().to_string(),
                    backup: backup.display().to_string(),
                });
            }
            let staging = temp_sibling(data, "restore");
            // Unique: two restores in one second never aim at the same name.
            let mut kept_name = data.file_name().unwrap_or_default().to_owned();
            kept_name.push(format!(".pre-restore-{stamp}-{}", std::process::id()));
            let kept = (1..)
                .map(|n| {
                    let mut name = kept_name.clone();
                    if n > 1 {
                        name.push(format!("-{n}"));
                    }
                    data.with_file_name(name)
                })
                .find(|p| fs::symlink_metadata(p).is_err())
                .unwrap_or_else(|| data.with_file_name(kept_name.clone()));
            let from = match &unpacked {
                Some(tmp) if source.prefix.as_os_str().is_empty() => {
                    fs::rename(tmp, &staging).map_err(|e| build_error(data, BackupError::write(&staging)(e), work))?;
                    None
                }
                Some(tmp) => Some(tmp.join(&source.prefix)),
                None => Some(backup.join(&source.prefix)),
            };
            if let Some(from) = from {
                // Moved when it can be (an unpacked archive on the same filesystem), else copied.
                let moved = unpacked.is_some() && fs::rename(&from, &staging).is_ok();
                if !moved {
                    copy_from(&from, &staging, work).map_err(|e| build_error(data, e, work))?;
                }
            }
            // What the backup left out is the data's own, present and future: it stays.
            let carried =
                source.exclude.iter().filter(|name| fs::symlink_metadata(data.join(name)).is_ok()).cloned().collect();
            items.push(RestoreItem { data: data.clone(), staging: staging.clone(), kept, staged_inode: 0, carried });
            let expected = records_under(records, &source.prefix);
            let found =
                read_back(&staging, Strategy::Copy, work.threads, work.cancel, work.progress).map_err(|error| {
                    build_error(data, BackupError::Write { path: staging.display().to_string(), error }, work)
                })?;
            if let Verification::Differs { path, what } = compare(&expected, &found, true) {
                let entry = if source.prefix.as_os_str().is_empty() {
                    path
                } else {
                    format!("{}/{path}", source.prefix.display())
                };
                return Err(RestoreError::Differs { backup: backup.display().to_string(), entry, what });
            }
            set_root(&staging, source.mode, data)
                .map_err(|error| RestoreError::Swap { data: data.display().to_string(), error })?;
            let inode = fs::symlink_metadata(&staging)
                .map_err(|error| RestoreError::Swap { data: data.display().to_string(), error })?
                .ino();
            if let Some(item) = items.last_mut() {
                item.staged_inode = inode;
            }
        }
        Ok(())
    })();
    if let Some(tmp) = &unpacked {
        make_removable(tmp);
        remove_any(tmp);
    }
    result
}

fn build_error(data: &Path, error: BackupError, work: &Work<'_>) -> RestoreError {
    if work.cancelled() {
        return RestoreError::Cancelled;
    }
    RestoreError::Build { data: data.display().to_string(), error }
}

/// Copies the entry at `from` (a folder, a file or a link) to `to`.
fn carry_copy(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.is_dir() {
        let (cancel, progress) = (AtomicBool::new(false), Progress::default());
        let work = Work { cancel: &cancel, progress: &progress, threads: default_threads() };
        return copy_from(from, to, &work).map_err(|e| io::Error::other(e.to_string()));
    }
    if meta.file_type().is_symlink() {
        return std::os::unix::fs::symlink(fs::read_link(from)?, to);
    }
    fs::copy(from, to).map(drop)
}

/// Whether `path` is where a filesystem is mounted (`/proc/self/mountinfo`, read bounded).
fn is_mount_point(path: &Path) -> bool {
    let Ok(path) = path.canonicalize() else { return false };
    let Ok(text) = crate::durable::read_text_bounded(Path::new("/proc/self/mountinfo")) else { return false };
    // The fifth field, with spaces and the like written as octal escapes.
    let unescape = |field: &str| -> Vec<u8> {
        let bytes = field.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let octal = bytes
                .get(i + 1..i + 4)
                .and_then(|d| std::str::from_utf8(d).ok())
                .and_then(|d| u8::from_str_radix(d, 8).ok());
            match (bytes[i], octal) {
                (b'\\', Some(b)) => {
                    out.push(b);
                    i += 4;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        out
    };
    use std::os::unix::ffi::OsStrExt;
    text.lines().filter_map(|l| l.split(' ').nth(4)).any(|m| unescape(m) == path.as_os_str().as_bytes())
}

/// Copies the tree at `from` to `to` (which must not exist), cloning where it can; a snapshot of
/// a btrfs subvolume comes back as a snapshot of it (one operation, and the data folder stays a
/// subvolume).
fn copy_from(from: &Path, to: &Path, work: &Work<'_>) -> Result<(), BackupError> {
    let parent = to.parent().unwrap_or(Path::new("/"));
    if super::subvolume::candidate(from, parent) && super::subvolume::snapshot(from, to).is_ok() {
        return Ok(());
    }
    let entries = walk(from, &[], &[], work.cancel).map_err(|e| match e {
        WalkError::Cancelled => BackupError::Cancelled { read: 0 },
        WalkError::Read(path, error) => {
            BackupError::Read { source_dir: from.display().to_string(), path: path.display().to_string(), error }
        }
    })?;
    let tree = Tree { root: from.to_owned(), prefix: PathBuf::new(), entries };
    let sample = tree.entries.iter().find(|e| e.kind == super::tree::Kind::File).map(|e| from.join(&e.rel));
    let parent = to.parent().unwrap_or(Path::new("/"));
    let mode = if sample.is_some_and(|s| can_clone(&s, parent)) { CopyMode::Clone } else { CopyMode::Copy };
    copy_trees(std::slice::from_ref(&tree), to, mode, work).map(|_| ())
}

/// The records of the source at `prefix`, relative to it.
fn records_under(records: &[Record], prefix: &Path) -> Vec<Record> {
    if prefix.as_os_str().is_empty() {
        return records.to_vec();
    }
    records
        .iter()
        .filter_map(|r| {
            let path = decode_path(&r.path)?;
            let rel = path.strip_prefix(prefix).ok()?;
            (!rel.as_os_str().is_empty()).then(|| Record { path: encode_path(rel), ..r.clone() })
        })
        .collect()
}

/// Gives the rebuilt root the data folder's mode and owner.
/// Gives the rebuilt root the data folder's mode and owner (the current folder's when there is
/// one, else what the manifest recorded), through its own descriptor.
fn set_root(staging: &Path, recorded: u32, data: &Path) -> io::Result<()> {
    use nix::fcntl::{OFlag, open};
    use nix::sys::stat::{Mode, fchmod};
    let fd = open(staging, OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC, Mode::empty())?;
    let current = fs::metadata(data).ok();
    if let Some(meta) = &current {
        let (uid, gid) = (nix::unistd::Uid::from_raw(meta.uid()), nix::unistd::Gid::from_raw(meta.gid()));
        if let Err(e) = nix::unistd::fchown(&fd, Some(uid), Some(gid))
            && e != nix::Error::EPERM
        {
            return Err(e.into());
        }
    }
    let mode = current.map_or(recorded, |m| m.mode()) & 0o7777;
    fchmod(&fd, Mode::from_bits_truncate(mode))?;
    Ok(())
}

/// A backup or manifest the visor trusts: not a link, and its own (another user could have
/// written it).
fn check_owned(path: &Path) -> Result<(), RestoreError> {
    let meta = fs::symlink_metadata(path).map_err(|e| RestoreError::NotOurs {
        backup: path.display().to_string(),
        why: format!("it cannot be read: {e}"),
    })?;
    let me = nix::unistd::geteuid().as_raw();
    if meta.file_type().is_symlink() || meta.uid() != me {
        return Err(RestoreError::NotOurs {
            backup: path.display().to_string(),
            why: format!(
                "it is {} owned by user {}, not by the visor's user {me}: another user may have written it",
                if meta.file_type().is_symlink() { "a link" } else { "a file or folder" },
                meta.uid()
            ),
        });
    }
    Ok(())
}

/// Swaps the rebuilt tree into place; the old data goes to `kept`. The entries the backup left
/// out move over first.
fn swap(item: &RestoreItem) -> io::Result<()> {
    use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
    for name in &item.carried {
        let (from, to) = (item.data.join(name), item.staging.join(name));
        if fs::symlink_metadata(&from).is_ok() && fs::symlink_metadata(&to).is_err() {
            match fs::rename(&from, &to) {
                Ok(()) => {}
                // Across btrfs subvolumes a rename cannot move it: a copy (clones there) goes
                // over, and the original stays with the replaced data.
                Err(e) if e.raw_os_error() == Some(nix::libc::EXDEV) => carry_copy(&from, &to)?,
                Err(e) => return Err(e),
            }
        }
    }
    if fs::symlink_metadata(&item.data).is_ok() {
        renameat2(AT_FDCWD, &item.staging, AT_FDCWD, &item.data, RenameFlags::RENAME_EXCHANGE)?;
        fs::rename(&item.staging, &item.kept)?;
    } else {
        fs::rename(&item.staging, &item.data)?;
    }
    sync_parent(&item.data)
}

/// The journal at `path`, as it is (nothing finished or undone).
pub fn read_journal(path: &Path) -> Option<RestoreJournal> {
    let bytes = crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Finishes or undoes a restore a killed process left (see the module's theory). Returns the
/// journal when a restore's old data is still kept.
pub fn recover_restore(journal: &Path) -> Option<RestoreJournal> {
    let bytes = crate::durable::read_bounded(journal, crate::durable::MAX_DOCUMENT).ok()?;
    let Ok(mut j) = serde_json::from_slice::<RestoreJournal>(&bytes) else {
        tracing::warn!(journal = %journal.display(), "the restore journal cannot be read; moving it aside");
        let _ = fs::rename(journal, journal.with_extension("unreadable"));
        return None;
    };
    if j.swapped {
        return Some(j);
    }
    let exchanged = |i: &RestoreItem| fs::symlink_metadata(&i.data).is_ok_and(|m| m.ino() == i.staged_inode);
    if j.items.iter().any(exchanged) {
        for item in &j.items {
            let result = if exchanged(item) {
                // Swapped: the old data is still at the staging name.
                if fs::symlink_metadata(&item.staging).is_ok() { fs::rename(&item.staging, &item.kept) } else { Ok(()) }
            } else {
                swap(item)
            };
            if let Err(e) = result {
                tracing::error!(data = %item.data.display(), error = e.to_string(), "cannot finish the restore a previous run began");
                return Some(j);
            }
        }
        tracing::info!(backup = %j.backup.display(), "finished the restore a previous run began");
        j.swapped = true;
        let _ = write_json_atomic(journal, &j);
        Some(j)
    } else {
        for item in &j.items {
            // Entries carried over before the swap go back first.
            for name in &item.carried {
                let (moved, home) = (item.staging.join(name), item.data.join(name));
                if fs::symlink_metadata(&moved).is_ok() && fs::symlink_metadata(&home).is_err() {
                    let _ = fs::rename(&moved, &home);
                }
            }
            make_removable(&item.staging);
            remove_any(&item.staging);
        }
        tracing::info!(backup = %j.backup.display(), "undid a restore a previous run had not swapped in; the data is as it was");
        let _ = fs::remove_file(journal);
        None
    }
}

/// Removes the old data a restore kept, once the node has come up on the restored data.
pub fn release_kept(journal: &Path) {
    let Some(j) = recover_restore(journal) else { return };
    let mut all_gone = true;
    for kept in j.items.iter().map(|i| &i.kept).chain(&j.kept_earlier) {
        if fs::symlink_metadata(kept).is_err() {
            continue;
        }
        make_removable(kept);
        remove_any(kept);
        match fs::symlink_metadata(kept) {
            Err(_) => {
                tracing::info!(kept = %kept.display(), "the node runs on the restored data; removed the data it replaced")
            }
            Ok(_) => {
                all_gone = false;
                tracing::warn!(kept = %kept.display(), "cannot remove the data a restore replaced; remove it by hand");
            }
        }
    }
    if all_gone {
        let _ = fs::remove_file(journal);
    }
}

/// Removes trees a killed restore was rebuilding beside `data` before it wrote its journal
/// (never one a journal still names).
pub fn remove_stale_restores(data: &Path, journal: Option<&RestoreJournal>) {
    let (Some(parent), Some(name)) = (data.parent(), data.file_name()) else { return };
    let Ok(entries) = fs::read_dir(parent) else { return };
    let prefix = format!(".{}.restore-", name.to_string_lossy());
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = entry_name.strip_prefix(&prefix) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let named =
            journal.is_some_and(|j| j.items.iter().any(|i| i.staging == entry.path() || i.kept == entry.path()));
        if crate::durable::is_temp_name(&entry_name, "restore")
            && pid.is_some_and(|p| p != std::process::id())
            && !named
        {
            make_removable(&entry.path());
            remove_any(&entry.path());
            tracing::info!(path = %entry.path().display(), "removed a tree a previous restore left");
        }
    }
}
