//! Taking a backup: list the sources once, write the backup under a partial name with the
//! chosen strategy, then its manifest, then give the backup its final name.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use super::archive::{Codec, write_archive};
use super::copy::{Copied, CopyMode, can_clone, copy_trees};
use super::manifest::{self, FORMAT, Manifest, SourceRecord};
use super::tree::{Kind, Tree, WalkError, file_id, walk};
use super::{BackupError, BackupReport, BackupSettings, Naming, Progress, Strategy, Work};
use crate::durable::sync_parent;

/// The suffix of a backup being written; what a killed visor leaves is removed at start.
const PARTIAL: &str = ".partial";

/// What a backup is taken for, recorded in its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupFor {
    /// The upgrade's name.
    pub upgrade: String,
    /// The release whose data it holds.
    pub release: Option<String>,
}

/// The backup's path for `upgrade` at `now`, following the face's naming; a name already
/// taken (by a backup or its manifest) is never reused.
pub(crate) fn backup_path(settings: &BackupSettings, upgrade: &str, now: jiff::Timestamp) -> PathBuf {
    let ext = settings.strategy.extension();
    let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
    match &settings.naming {
        Naming::PerUpgrade => {
            let stamp = utc.strftime("%Y-%m-%d-%H%M%S%3f");
            settings.dir.join(upgrade).join(format!("backup-{stamp}-preupgrade{ext}"))
        }
        Naming::Dated { prefix } => {
            let day = format!("{prefix}-{}-{}-{}", utc.year(), utc.month(), utc.day());
            (1..)
                .map(|n| if n == 1 { day.clone() } else { format!("{day}-{n}") })
                .map(|name| settings.dir.join(format!("{name}{ext}")))
                .find(|p| !p.exists() && !manifest::manifest_path(p).exists() && fs::symlink_metadata(p).is_err())
                .unwrap_or_else(|| settings.dir.join(format!("{day}-{}{ext}", std::process::id())))
        }
    }
}

fn partial_of(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    // Named by the writing process, as every temporary of the visor is: what a killed visor
    // left is told apart from what the running one writes.
    name.push(format!("-{}-{PARTIAL}", std::process::id()));
    dest.with_file_name(name)
}

/// Lists the sources: one at the backup's root, several each under its folder's name.
pub(crate) fn list_sources(settings: &BackupSettings, cancel: &AtomicBool) -> Result<Vec<Tree>, BackupError> {
    let mut skip = Vec::new();
    if let Ok(meta) = fs::metadata(&settings.dir) {
        skip.push(file_id(&meta));
    }
    let several = settings.sources.len() > 1;
    let mut used: Vec<PathBuf> = Vec::new();
    let mut trees = Vec::new();
    for source in &settings.sources {
        let entries = walk(&source.path, &source.exclude, &skip, cancel).map_err(|e| match e {
            WalkError::Cancelled => BackupError::Cancelled { read: 0 },
            WalkError::Read(path, error) => BackupError::Read {
                source_dir: source.path.display().to_string(),
                path: path.display().to_string(),
                error,
            },
        })?;
        let prefix = if several {
            let base = source.path.file_name().map_or_else(|| "data".into(), PathBuf::from);
            let label = (1..)
                .map(|n| if n == 1 { base.clone() } else { PathBuf::from(format!("{}-{n}", base.display())) })
                .find(|l| !used.contains(l))
                .unwrap_or(base);
            used.push(label.clone());
            label
        } else {
            PathBuf::new()
        };
        trees.push(Tree { root: source.path.clone(), prefix, entries });
    }
    Ok(trees)
}

/// Takes a backup as `settings` say, for `what`. `progress` counts bytes of data.
pub fn take(
    settings: &BackupSettings,
    what: &BackupFor,
    cancel: &AtomicBool,
    progress: &Progress,
) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let dest = backup_path(settings, &what.upgrade, jiff::Timestamp::now());
    let parent = dest.parent().unwrap_or(&settings.dir).to_owned();
    fs::DirBuilder::new().recursive(true).mode(0o700).create(&parent).map_err(BackupError::write(&parent))?;
    let trees = list_sources(settings, cancel)?;
    let total: u64 = trees.iter().fold(0u64, |sum, t| sum.saturating_add(t.bytes()));
    progress.set_total(total);
    let work = Work { cancel, progress, threads: super::default_threads() };
    let partial = partial_of(&dest);
    remove_any(&partial);
    let written = write_with(settings, &trees, &partial, &parent, &work);
    let (copied, strategy) = match written {
        Ok(done) => done,
        Err(e) => {
            remove_any(&partial);
            return Err(match e {
                BackupError::Write { .. } | BackupError::Read { .. } if work.cancelled() => {
                    BackupError::Cancelled { read: progress.read().0 }
                }
                e => e,
            });
        }
    };
    let took = started.elapsed();
    let stored = match strategy {
        Strategy::TarZst | Strategy::TarGz => fs::metadata(&partial).map_or(0, |m| m.len()),
        Strategy::Snapshot => 0,
        _ => copied.bytes,
    };
    let header = Manifest {
        format: FORMAT.to_owned(),
        version: 1,
        strategy,
        created_at: jiff::Timestamp::now(),
        upgrade: what.upgrade.clone(),
        release: what.release.clone(),
        sources: trees
            .iter()
            .zip(&settings.sources)
            .map(|(t, s)| SourceRecord {
                path: t.root.clone(),
                prefix: t.prefix.clone(),
                mode: fs::metadata(&t.root).map_or(0o700, |m| std::os::unix::fs::MetadataExt::mode(&m) & 0o7777),
                exclude: s.exclude.clone(),
            })
            .collect(),
        entries: 0,
        bytes: copied.bytes,
        took_ms: took.as_millis().try_into().unwrap_or(u64::MAX),
        digest: None,
        sealed_at: None,
    };
    let records = manifest::records_of(&trees);
    let header = Manifest { entries: records.len() as u64, ..header };
    // The manifest first: a visor killed between the two renames leaves a manifest without its
    // backup (removed at the next start), never a backup nobody can verify.
    let manifest_path = manifest::manifest_path(&dest);
    let finished = manifest::write(&manifest_path, &header, &records)
        .and_then(|()| fs::rename(&partial, &dest))
        .and_then(|()| sync_parent(&dest));
    if let Err(e) = finished {
        remove_any(&partial);
        let _ = fs::remove_file(&manifest_path);
        return Err(BackupError::Write { path: dest.display().to_string(), error: e });
    }
    let files = trees.iter().flat_map(|t| &t.entries).filter(|e| e.kind != Kind::Other).count() as u64;
    let bytes_per_second = (copied.bytes as f64 / took.as_secs_f64().max(1e-6)) as u64;
    Ok(BackupReport { path: dest, strategy, files, bytes: copied.bytes, stored, took, bytes_per_second })
}

/// A snapshot of the whole data folder when it is a btrfs subvolume (see `subvolume`): one
/// source, backed up outside itself, holding no nested subvolume (a snapshot would show those
/// empty). What the settings leave out is removed from the snapshot, never from the data.
fn whole_snapshot(
    settings: &BackupSettings,
    trees: &[Tree],
    partial: &Path,
    parent: &Path,
    work: &Work<'_>,
) -> Option<Copied> {
    let ([tree], [source]) = (trees, settings.sources.as_slice()) else { return None };
    let inside =
        |a: &Path, b: &Path| matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a.starts_with(&b));
    if inside(parent, &tree.root)
        || inside(&settings.dir, &tree.root)
        || tree.entries.iter().any(|e| e.kind == Kind::Dir && std::os::unix::fs::MetadataExt::ino(&e.meta) == 256)
        || !super::subvolume::candidate(&tree.root, parent)
    {
        return None;
    }
    if let Err(e) = super::subvolume::snapshot(&tree.root, partial) {
        tracing::info!(error = e.to_string(), source = %tree.root.display(), "no subvolume snapshot of the data; cloning its files instead");
        remove_any(partial);
        return None;
    }
    for name in &source.exclude {
        remove_any(&partial.join(name));
    }
    let bytes = tree.bytes();
    work.progress.add(bytes);
    let files = tree.entries.iter().filter(|e| e.kind == Kind::File).count() as u64;
    tracing::info!(source = %tree.root.display(), "the data is a btrfs subvolume: backed up as one snapshot");
    Some(Copied { entries: tree.entries.len() as u64, bytes, cloned: files })
}

/// Writes the backup at `partial`; says which strategy it really used.
fn write_with(
    settings: &BackupSettings,
    trees: &[Tree],
    partial: &Path,
    parent: &Path,
    work: &Work<'_>,
) -> Result<(Copied, Strategy), BackupError> {
    let strategy = settings.strategy;
    match strategy {
        Strategy::Snapshot => {
            if let Some(copied) = whole_snapshot(settings, trees, partial, parent, work) {
                return Ok((copied, Strategy::Snapshot));
            }
            let sample = trees.iter().find_map(|t| {
                t.entries.iter().find(|e| e.kind == Kind::File && e.meta.len() > 0).map(|e| t.root.join(&e.rel))
            });
            if sample.as_ref().is_none_or(|s| can_clone(s, parent)) {
                let copied = copy_trees(trees, partial, CopyMode::Clone, work)?;
                Ok((copied, if copied.cloned > 0 || sample.is_none() { Strategy::Snapshot } else { Strategy::Copy }))
            } else {
                tracing::info!(
                    backups = %parent.display(),
                    "the filesystem cannot clone the data's files into the backup folder (no reflinks, or another filesystem); copying instead"
                );
                Ok((copy_trees(trees, partial, CopyMode::Copy, work)?, Strategy::Copy))
            }
        }
        Strategy::Copy => Ok((copy_trees(trees, partial, CopyMode::Copy, work)?, Strategy::Copy)),
        Strategy::TarZst | Strategy::TarGz => {
            let codec = if strategy == Strategy::TarZst { Codec::Zstd } else { Codec::Gzip };
            let file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(nix::libc::O_NOFOLLOW)
                .open(partial)
                .map_err(BackupError::write(partial))?;
            Ok((write_archive(trees, file, partial, codec, work)?, strategy))
        }
        Strategy::None => Err(BackupError::Write {
            path: partial.display().to_string(),
            error: std::io::Error::other("the backup strategy is `none`"),
        }),
    }
}

/// Removes a file, a link or a whole folder at `path`, never following a link.
pub(crate) fn remove_any(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            // A folder the visor made and filled read-only in places: make it writable first.
            make_removable(path);
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Gives the owner write and search rights on every folder below `path`, so a copy of
/// read-only folders can be removed. Root needs none of it. Each folder is opened from its
/// parent's descriptor without following a link and changed through its own descriptor: a
/// folder swapped for a link (in a tree the node can write) never turns this on another file.
pub(crate) fn make_removable(path: &Path) {
    use std::os::fd::{AsRawFd, OwnedFd};

    use nix::fcntl::{OFlag, open, openat};
    use nix::sys::stat::{Mode, fchmod, fstat};

    if nix::unistd::geteuid().is_root() {
        return;
    }
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    fn visit(fd: &OwnedFd, flags: OFlag) {
        if let Ok(st) = fstat(fd)
            && st.st_mode & 0o700 != 0o700
        {
            let _ = fchmod(fd, Mode::from_bits_truncate((st.st_mode | 0o700) & 0o7777));
        }
        let here = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
        let Ok(entries) = fs::read_dir(&here) else { return };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir())
                && let Ok(child) = openat(fd, entry.file_name().as_os_str(), flags, Mode::empty())
            {
                visit(&child, flags);
            }
        }
    }
    if let Ok(fd) = open(path, flags, Mode::empty()) {
        visit(&fd, flags);
    }
}

/// Whether `name` is a partial backup written by process `pid`: `<name>-<pid>-.partial`.
fn partial_pid(name: &str) -> Option<u32> {
    let rest = name.strip_suffix(&format!("-{PARTIAL}"))?;
    let (_, pid) = rest.rsplit_once('-')?;
    pid.parse().ok()
}

/// Removes what a killed visor left in the backup folder `dir` (and, for per-upgrade names, one
/// level down): partial backups of other processes, manifests whose backup never got its name,
/// and a manifest's unfinished atomic write. Only names of this naming are touched: the folder
/// may be the node's home. Returns how many.
pub fn remove_partials(dir: &Path, naming: &Naming) -> usize {
    use super::catalog::is_backup_name;
    let mut removed = 0;
    let mut folders = vec![dir.to_owned()];
    if matches!(naming, Naming::PerUpgrade)
        && let Ok(entries) = fs::read_dir(dir)
    {
        folders.extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
    }
    for folder in folders {
        let Ok(entries) = fs::read_dir(&folder) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = entry.path();
            let stale = if let Some(pid) = partial_pid(&name) {
                let backup = name.rsplitn(3, '-').nth(2).unwrap_or_default();
                is_backup_name(backup, naming) && pid != std::process::id()
            } else if let Some(backup) = name.strip_suffix(PARTIAL) {
                // What older visors left: no writer named.
                is_backup_name(backup, naming)
            } else if let Some(backup) = name.strip_suffix(".manifest") {
                is_backup_name(backup, naming) && fs::symlink_metadata(path.with_file_name(backup)).is_err()
            } else if let Some(rest) = name.strip_prefix('.')
                && let Some((manifest, _)) = rest.rsplit_once(".tmp-")
            {
                // `.<backup>.manifest.tmp-<pid>-<n>`, a manifest's write a killed visor left.
                manifest.strip_suffix(".manifest").is_some_and(|b| is_backup_name(b, naming))
                    && crate::durable::is_temp_name(&name, "tmp")
                    && !name.contains(&format!(".tmp-{}-", std::process::id()))
            } else {
                false
            };
            if stale {
                remove_any(&path);
                tracing::info!(path = %path.display(), "removed what a previous visor left of a backup");
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, naming: Naming, strategy: Strategy) -> BackupSettings {
        let mut s = BackupSettings::new(dir.join("data"), vec![], dir.join("backups"), naming);
        s.strategy = strategy;
        s
    }

    #[test]
    fn names_follow_the_face_and_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let now: jiff::Timestamp = "2021-08-10T12:34:56.789Z".parse().unwrap();
        let s = settings(dir.path(), Naming::PerUpgrade, Strategy::TarGz);
        assert_eq!(
            backup_path(&s, "v2", now),
            dir.path().join("backups/v2/backup-2021-08-10-123456789-preupgrade.tar.gz")
        );
        let s = settings(dir.path(), Naming::Dated { prefix: "data-backup".into() }, Strategy::Copy);
        let first = backup_path(&s, "v2", now);
        assert_eq!(first, dir.path().join("backups/data-backup-2021-8-10"));
        fs::create_dir_all(&first).unwrap();
        assert_eq!(backup_path(&s, "v3", now), dir.path().join("backups/data-backup-2021-8-10-2"));
    }

    #[test]
    fn partials_of_other_processes_and_orphan_manifests_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("v2/backup-1-preupgrade-1-.partial/sub")).unwrap();
        fs::write(dir.path().join("v2/backup-2-preupgrade.tar.gz-1-.partial"), b"x").unwrap();
        fs::write(dir.path().join("v2/backup-3-preupgrade.tar.gz"), b"x").unwrap();
        fs::write(dir.path().join("v2/backup-3-preupgrade.tar.gz.manifest"), b"x").unwrap();
        fs::write(dir.path().join("v2/backup-4-preupgrade.tar.gz.manifest"), b"x").unwrap();
        // Not this naming's: the folder may be the node's home.
        fs::write(dir.path().join("node.partial"), b"x").unwrap();
        fs::write(dir.path().join("config.manifest"), b"x").unwrap();
        let mine = format!("backup-5-preupgrade-{}-.partial", std::process::id());
        fs::write(dir.path().join(&mine), b"x").unwrap();
        assert_eq!(remove_partials(dir.path(), &Naming::PerUpgrade), 3);
        assert!(dir.path().join("node.partial").exists() && dir.path().join("config.manifest").exists());
        assert!(dir.path().join("v2/backup-3-preupgrade.tar.gz.manifest").exists());
        assert!(dir.path().join(mine).exists());
    }
}
