//! Backups of a node's data before an upgrade: a tar.gz of a folder (some top-level entries
//! left out), written with private permissions to a temporary file, fsync'd, then renamed, so a
//! backup that exists is complete. Symlinks are stored as links, never followed. Cancellable
//! between files (a shutdown signal during a long backup).

use std::fs::{self, File, OpenOptions};
use std::io::Read as _;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
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
    /// The archive could not be written.
    #[error("cannot write the backup at {path}: {error}; check free space and permissions in the backup folder")]
    Write {
        /// The archive (or its folder).
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

/// The suffix of an archive being written; what a killed visor leaves is removed at start.
const PARTIAL: &str = ".partial";

/// Removes partial archives a killed visor left in the backup folder `dir` (one level down,
/// where they are written). Returns how many.
pub fn remove_partials(dir: &Path) -> usize {
    let mut removed = 0;
    let Ok(upgrades) = fs::read_dir(dir) else { return 0 };
    for upgrade in upgrades.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
        let Ok(entries) = fs::read_dir(upgrade.path()) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("backup-") && name.ends_with(PARTIAL) && fs::remove_file(entry.path()).is_ok() {
                tracing::info!(path = %entry.path().display(), "removed a partial backup a previous visor left");
                removed += 1;
            }
        }
    }
    removed
}

/// A file's identity on disk: the same (device, inode) is the same file, whatever the path.
type FileId = (u64, u64);

fn file_id(meta: &fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

/// Backs `settings.source` up into `dest`.
pub fn backup(settings: &BackupSettings, dest: &Path, cancel: &AtomicBool) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let source_dir = settings.source.display().to_string();
    let io_error = |path: &Path| {
        let path = path.display().to_string();
        move |error| BackupError::Write { path, error }
    };
    let read_error = |path: &Path| {
        let (source_dir, path) = (source_dir.clone(), path.display().to_string());
        move |error| BackupError::Read { source_dir, path, error }
    };
    if let Some(parent) = dest.parent() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(parent).map_err(io_error(parent))?;
    }
    // Named by the writing process, as every temporary of the visor is: what a killed visor
    // left is told apart from what the running one writes.
    let mut partial_name = dest.file_name().unwrap_or_default().to_owned();
    partial_name.push(format!("-{}-{PARTIAL}", std::process::id()));
    let partial = dest.with_file_name(partial_name);
    let result = (|| {
        let _ = fs::remove_file(&partial);
        let file =
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(&partial).map_err(io_error(&partial))?;
        // The backup's own output is never archived, however it is reached (the backup folder
        // inside the source, through a link or a bind mount): it is known by its identity.
        let mut skip: Vec<FileId> = vec![file_id(&file.metadata().map_err(io_error(&partial))?)];
        if let Ok(meta) = fs::metadata(&settings.dir) {
            skip.push(file_id(&meta));
        }
        let gz = flate2::write::GzEncoder::new(BufWriter::with_capacity(1 << 20, file), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.follow_symlinks(false);
        let mut walk = Walker { tar, cancel, skip, root: &settings.source, files: 0, bytes: 0, read: 0 };
        let mut entries: Vec<_> = fs::read_dir(&settings.source)
            .map_err(read_error(&settings.source))?
            .filter_map(Result::ok)
            .filter(|e| !settings.exclude.iter().any(|x| e.file_name() == x.as_str()))
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            walk.add(&entry).map_err(|e| match e {
                Walk::Cancelled => BackupError::Cancelled { read: walk.read },
                Walk::Read(path, error) => BackupError::Read { source_dir: source_dir.clone(), path, error },
                Walk::Write(error) => BackupError::Write { path: partial.display().to_string(), error },
            })?;
        }
        let (files, bytes) = (walk.files, walk.bytes);
        let gz = walk.tar.into_inner().map_err(io_error(&partial))?;
        let writer = gz.finish().map_err(io_error(&partial))?;
        let file: File = writer.into_inner().map_err(|e| io_error(&partial)(e.into_error()))?;
        file.sync_all().map_err(io_error(&partial))?;
        Ok((files, bytes))
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
    /// Reading the data failed (at this path).
    Read(String, io::Error),
    /// Writing the archive failed.
    Write(io::Error),
}

struct Walker<'a, W: Write> {
    tar: tar::Builder<W>,
    cancel: &'a AtomicBool,
    skip: Vec<FileId>,
    root: &'a Path,
    files: u64,
    bytes: u64,
    /// Bytes read so far, of whole files and of the one being archived.
    read: u64,
}

/// Chunks a file is copied in; cancellation is checked between them.
const CHUNK: usize = 1 << 20;

impl<W: Write> Walker<'_, W> {
    fn add(&mut self, path: &Path) -> Result<(), Walk> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Walk::Cancelled);
        }
        let err = |e| Walk::Read(path.display().to_string(), e);
        let name = path.strip_prefix(self.root).unwrap_or(path);
        let meta = fs::symlink_metadata(path).map_err(err)?;
        if self.skip.contains(&file_id(&meta)) {
            tracing::debug!(path = %path.display(), "not backing up the backup itself");
            return Ok(());
        }
        if meta.is_dir() {
            self.tar.append_dir(name, path).map_err(Walk::Write)?;
            let mut children: Vec<_> =
                fs::read_dir(path).map_err(err)?.filter_map(Result::ok).map(|e| e.path()).collect();
            children.sort();
            for child in children {
                self.add(&child)?;
            }
        } else if meta.file_type().is_symlink() {
            self.tar.append_path_with_name(path, name).map_err(Walk::Write)?;
            self.files += 1;
        } else if meta.is_file() {
            self.add_file(path, name)
                .map_err(|e| if self.cancel.load(Ordering::Relaxed) { Walk::Cancelled } else { e })?;
            self.files += 1;
        }
        Ok(())
    }

    /// Archives exactly the length the header records, read from the file opened without
    /// following a link; a file that grows or shrinks meanwhile fails the backup (the node is
    /// stopped: something else is writing its data).
    fn add_file(&mut self, path: &Path, name: &Path) -> Result<(), Walk> {
        let read = |e| Walk::Read(path.display().to_string(), e);
        let file = OpenOptions::new().read(true).custom_flags(nix::libc::O_NOFOLLOW).open(path).map_err(read)?;
        let meta = file.metadata().map_err(read)?;
        if !meta.is_file() || self.skip.contains(&file_id(&meta)) {
            return Ok(());
        }
        let len = meta.len();
        let mut header = tar::Header::new_gnu();
        header.set_metadata(&meta);
        header.set_size(len);
        let changed = || io::Error::other("the file changed size while it was backed up; stop whatever writes it");
        let mut reader = Chunked { inner: file.take(len), cancel: self.cancel, read: 0, failed: None };
        let appended = self.tar.append_data(&mut header, name, &mut reader);
        self.read += reader.read;
        if let Err(e) = appended {
            return Err(match reader.failed.take() {
                Some(read_error) => read(read_error),
                None => Walk::Write(e),
            });
        }
        if reader.read != len {
            return Err(read(changed()));
        }
        let file = reader.inner.into_inner();
        if file.metadata().map_err(read)?.len() != len {
            return Err(read(changed()));
        }
        self.bytes += len;
        Ok(())
    }
}

/// Reads in chunks, stopping when cancelled; counts what it read.
struct Chunked<'a, R> {
    inner: R,
    cancel: &'a AtomicBool,
    read: u64,
    /// A read error of the file itself (as opposed to writing the archive).
    failed: Option<io::Error>,
}

impl<R: io::Read> io::Read for Chunked<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Not `Interrupted`: copying loops retry that kind forever.
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("the backup was cancelled"));
        }
        let max = buf.len().min(CHUNK);
        let n = match self.inner.read(&mut buf[..max]) {
            Ok(n) => n,
            Err(e) => {
                let kind = e.kind();
                self.failed = Some(e);
                return Err(io::Error::new(kind, "reading the file failed"));
            }
        };
        self.read += n as u64;
        Ok(n)
    }
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
    fn the_backup_never_archives_itself_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs::create_dir_all(&home).unwrap();
        fs::write(home.join("data"), vec![7u8; 100_000]).unwrap();
        let backups = dir.path().join("b");
        fs::create_dir_all(&backups).unwrap();
        // Reached through a link inside the home, under another name than the excluded one.
        std::os::unix::fs::symlink(&backups, home.join("elsewhere")).unwrap();
        let bind_like = home.join("inner");
        fs::create_dir_all(&bind_like).unwrap();
        let settings = BackupSettings { source: home, exclude: vec![], dir: backups.clone() };
        let dest = archive_path(&settings, "v2");
        let report = backup(&settings, &dest, &AtomicBool::new(false)).unwrap();
        assert_eq!(report.bytes, 100_000);
        // The same folder as a directory entry of the source (as a bind mount would show it).
        let settings = BackupSettings { source: dir.path().to_owned(), exclude: vec![], dir: backups };
        let dest = archive_path(&settings, "v3");
        backup(&settings, &dest, &AtomicBool::new(false)).unwrap();
        let names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(File::open(&dest).unwrap()))
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert!(!names.iter().any(|n| n.starts_with("b")), "{names:?}");
        assert!(names.iter().any(|n| n == "home/data"), "{names:?}");
    }

    #[test]
    fn leftover_partials_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("v2")).unwrap();
        fs::write(dir.path().join("v2/backup-2024-preupgrade.tar.gz.partial"), b"x").unwrap();
        fs::write(dir.path().join("v2/backup-2024-preupgrade.tar.gz"), b"x").unwrap();
        assert_eq!(remove_partials(dir.path()), 1);
        assert!(dir.path().join("v2/backup-2024-preupgrade.tar.gz").exists());
    }

    #[test]
    fn errors_say_whether_the_data_or_the_backup_folder_is_at_fault() {
        let dir = tempfile::tempdir().unwrap();
        let settings =
            BackupSettings { source: dir.path().join("missing"), exclude: vec![], dir: dir.path().join("b") };
        let e = backup(&settings, &archive_path(&settings, "v2"), &AtomicBool::new(false)).unwrap_err().to_string();
        assert!(e.contains("cannot read") && e.contains("must be able to read"), "{e}");
        fs::write(dir.path().join("file"), b"x").unwrap();
        let settings =
            BackupSettings { source: dir.path().to_owned(), exclude: vec![], dir: dir.path().join("file/backups") };
        let e = backup(&settings, &archive_path(&settings, "v2"), &AtomicBool::new(false)).unwrap_err().to_string();
        assert!(e.contains("cannot write the backup") && e.contains("backup folder"), "{e}");
    }

    #[test]
    fn a_cancelled_backup_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a"), b"x").unwrap();
        let settings = BackupSettings { source: dir.path().to_owned(), exclude: vec![], dir: dir.path().join("b") };
        let dest = archive_path(&settings, "v2");
        assert!(matches!(backup(&settings, &dest, &AtomicBool::new(true)), Err(BackupError::Cancelled { .. })));
        assert_eq!(fs::read_dir(dest.parent().unwrap()).unwrap().count(), 0);
    }
}
