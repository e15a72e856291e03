//! Backups of a node's data before an upgrade: a tar.gz of a folder (some top-level entries
//! left out), written with private permissions to a temporary file, fsync'd, then renamed, so a
//! backup that exists is complete. Symlinks are stored as links, never followed. Cancellable
//! between files (a shutdown signal during a long backup).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::durable::sync_parent;

/// What to back up, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSettings {
    /// The folder to back up.
    pub source: PathBuf,
    /// Top-level entries of `source` left out.
    pub exclude: Vec<String>,
    /// The folder backups go to (`<dir>/<upgrade>/backup-<time>-preupgrade.tar.gz`).
    pub dir: PathBuf,
}

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The archive.
    pub path: PathBuf,
    /// Files archived.
    pub files: u64,
    /// Bytes read from them.
    pub bytes: u64,
    /// Time taken.
    pub took: Duration,
}

/// Why a backup failed; a partial archive is removed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Interrupted on request.
    #[error("the backup was cancelled")]
    Cancelled,
    /// Reading or writing failed.
    #[error("backup of {source_dir} failed at {path}: {error}; check free space and permissions in the backup folder")]
    Io {
        /// The folder backed up.
        source_dir: String,
        /// Where.
        path: String,
        /// The cause.
        error: io::Error,
    },
}

/// The archive's file name for `upgrade` at the current time.
pub fn archive_path(settings: &BackupSettings, upgrade: &str) -> PathBuf {
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let stamp = now.strftime("%Y-%m-%d-%H%M%S%3f");
    settings.dir.join(upgrade).join(format!("backup-{stamp}-preupgrade.tar.gz"))
}

/// Backs `settings.source` up into `dest`.
pub fn backup(settings: &BackupSettings, dest: &Path, cancel: &AtomicBool) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let source_dir = settings.source.display().to_string();
    let io_error = |path: &Path| {
        let (source_dir, path) = (source_dir.clone(), path.display().to_string());
        move |error| BackupError::Io { source_dir, path, error }
    };
    if let Some(parent) = dest.parent() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(parent).map_err(io_error(parent))?;
    }
    let partial = dest.with_extension("gz.partial");
    let result = (|| {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)
            .map_err(io_error(&partial))?;
        let gz = flate2::write::GzEncoder::new(BufWriter::with_capacity(1 << 20, file), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.follow_symlinks(false);
        let mut counts = (0u64, 0u64);
        let mut entries: Vec<_> = fs::read_dir(&settings.source)
            .map_err(io_error(&settings.source))?
            .filter_map(Result::ok)
            .filter(|e| !settings.exclude.iter().any(|x| e.file_name() == x.as_str()))
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            add(&mut tar, &settings.source, &entry, cancel, &mut counts).map_err(|e| match e {
                Walk::Cancelled => BackupError::Cancelled,
                Walk::Io(path, error) => BackupError::Io { source_dir: source_dir.clone(), path, error },
            })?;
        }
        let gz = tar.into_inner().map_err(io_error(&partial))?;
        let writer = gz.finish().map_err(io_error(&partial))?;
        let file: File = writer.into_inner().map_err(|e| io_error(&partial)(e.into_error()))?;
        file.sync_all().map_err(io_error(&partial))?;
        Ok(counts)
    })();
    match result {
        Ok((files, bytes)) => {
            fs::rename(&partial, dest).map_err(io_error(dest))?;
            sync_parent(dest).map_err(io_error(dest))?;
            Ok(BackupReport { path: dest.to_owned(), files, bytes, took: started.elapsed() })
        }
        Err(e) => {
            let _ = fs::remove_file(&partial);
            Err(e)
        }
    }
}

enum Walk {
    Cancelled,
    Io(String, io::Error),
}

fn add(
    tar: &mut tar::Builder<impl Write>,
    root: &Path,
    path: &Path,
    cancel: &AtomicBool,
    counts: &mut (u64, u64),
) -> Result<(), Walk> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Walk::Cancelled);
    }
    let err = |e| Walk::Io(path.display().to_string(), e);
    let name = path.strip_prefix(root).unwrap_or(path);
    let meta = fs::symlink_metadata(path).map_err(err)?;
    if meta.is_dir() {
        tar.append_dir(name, path).map_err(err)?;
        let mut children: Vec<_> = fs::read_dir(path).map_err(err)?.filter_map(Result::ok).map(|e| e.path()).collect();
        children.sort();
        for child in children {
            add(tar, root, &child, cancel, counts)?;
        }
    } else if meta.is_file() || meta.file_type().is_symlink() {
        tar.append_path_with_name(path, name).map_err(err)?;
        counts.0 += 1;
        counts.1 += meta.len();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn archives_all_but_the_excluded_entries_privately() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs::create_dir_all(home.join("data/db")).unwrap();
        fs::write(home.join("data/db/x"), b"1234").unwrap();
        fs::write(home.join("keys.pem"), b"secret").unwrap();
        fs::create_dir_all(home.join("nymvisor/backups")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", home.join("link")).unwrap();
        let settings = BackupSettings { source: home, exclude: vec!["nymvisor".into()], dir: dir.path().join("b") };
        let dest = archive_path(&settings, "v2");
        let report = backup(&settings, &dest, &AtomicBool::new(false)).unwrap();
        assert_eq!(report.files, 3);
        assert_eq!(fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
        let mut names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(File::open(&dest).unwrap()))
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        names.sort();
        assert_eq!(names, ["data", "data/db", "data/db/x", "keys.pem", "link"]);
        assert!(dest.file_name().unwrap().to_string_lossy().ends_with("-preupgrade.tar.gz"));
    }

    #[test]
    fn a_cancelled_backup_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), b"x").unwrap();
        let settings = BackupSettings { source: dir.path().to_owned(), exclude: vec![], dir: dir.path().join("b") };
        let dest = archive_path(&settings, "v2");
        assert!(matches!(backup(&settings, &dest, &AtomicBool::new(true)), Err(BackupError::Cancelled)));
        assert_eq!(fs::read_dir(dest.parent().unwrap()).unwrap().count(), 0);
    }
}
