//! Copies of trees: a clone of every file (reflink) or a parallel `copy_file_range` copy.
//!
//! A copy runs in phases so that every entry is written once and ends with the metadata of its
//! source: folders are created (private and writable) in listing order, files are copied by
//! several threads, then hard links and symbolic links are made, and last every folder gets its
//! mode, owner and times, deepest first — writing into a folder changes its times, and a
//! read-only folder could not be filled. Everything written is made durable before the caller's
//! final rename publishes the backup: a small tree by an fsync of each file and folder, a large
//! one by a single `syncfs` of the destination's filesystem at the end — the same guarantee, at
//! a fraction of the cost for many small files.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::libc;
use nix::sys::stat::{Mode, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid, Whence};

use super::tree::{Entry, Kind, Tree, file_id};
use super::{BackupError, Work};

/// How file contents are copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CopyMode {
    /// Clone each file (FICLONE); a file that cannot be cloned is copied.
    Clone,
    /// Copy each file with `copy_file_range`.
    Copy,
}

/// What a copy (or an archive) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Copied {
    /// Entries written (folders, files, links).
    pub(crate) entries: u64,
    /// Bytes of file data.
    pub(crate) bytes: u64,
    /// Files cloned rather than copied.
    pub(crate) cloned: u64,
}

/// The most copied between two looks at the cancel flag, so a cancel is heard within a moment.
const CHUNK: usize = 8 << 20;

/// The buffer of the read/write copy used where `copy_file_range` cannot work.
const BUFFER: usize = 1 << 20;

const CHANGED_SIZE: &str = "the file changed size while it was backed up; stop whatever writes it";

nix::ioctl_write_int!(
    /// FICLONE: the file behind `fd` shares every block of the file whose descriptor is `data`.
    ficlone,
    0x94,
    9
);

/// Copies each tree into `dest/<tree.prefix>`; `dest` must not exist and is created 0700.
pub(crate) fn copy_trees(trees: &[Tree], dest: &Path, mode: CopyMode, work: &Work<'_>) -> Result<Copied, BackupError> {
    nix::unistd::mkdir(dest, Mode::S_IRWXU).map_err(|e| BackupError::write(dest)(e.into()))?;
    let dest_fd = open_dir(None, dest).map_err(|e| BackupError::write(dest)(e.into()))?;
    // Explicitly: the umask may have taken bits from the mode asked for.
    nix::sys::stat::fchmod(&dest_fd, Mode::S_IRWXU).map_err(|e| BackupError::write(dest)(e.into()))?;
    let sh = Shared {
        work,
        dest,
        dest_fd: dest_fd.as_fd(),
        root: nix::unistd::geteuid().is_root(),
        clone: AtomicBool::new(mode == CopyMode::Clone),
        offload: AtomicBool::new(true),
        stop: AtomicBool::new(false),
        sync_each: trees.iter().map(|t| t.entries.len()).sum::<usize>() <= SYNC_EACH_UP_TO,
        read: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        cloned: AtomicU64::new(0),
    };
    let mut entries = 0u64;
    sh.check()?;

    // Folders first, in listing order (a folder before what it holds), private and writable
    // until their contents are in.
    let prefixes = make_prefixes(&sh, trees)?;
    let mut files = Vec::new();
    let mut hard_links = Vec::new();
    let mut symlinks = Vec::new();
    let mut firsts: HashMap<_, PathBuf> = HashMap::new();
    for tree in trees {
        for entry in &tree.entries {
            match entry.kind {
                Kind::Dir => {
                    sh.check()?;
                    let rel = tree.dest_rel(entry);
                    nix::sys::stat::mkdirat(sh.dest_fd, &rel, Mode::S_IRWXU).map_err(|e| sh.write_error(&rel, e))?;
                    entries += 1;
                }
                // A file listed under several names is copied once; the others become links to
                // the copy, as in the source.
                Kind::File if entry.meta.nlink() > 1 => match firsts.entry(file_id(&entry.meta)) {
                    Slot::Occupied(first) => hard_links.push((first.get().clone(), tree.dest_rel(entry))),
                    Slot::Vacant(slot) => {
                        slot.insert(tree.dest_rel(entry));
                        files.push((tree, entry));
                    }
                },
                Kind::File => files.push((tree, entry)),
                Kind::Symlink => symlinks.push((tree, entry)),
                Kind::Other => {
                    tracing::debug!(path = %tree.root.join(&entry.rel).display(), "not backing up a fifo, socket or device");
                }
            }
        }
    }

    copy_files(&sh, &files)?;
    entries += files.len() as u64;

    for (first, rel) in &hard_links {
        sh.check()?;
        nix::unistd::linkat(sh.dest_fd, first, sh.dest_fd, rel, AtFlags::empty())
            .map_err(|e| sh.write_error(rel, e))?;
        entries += 1;
    }
    for (tree, entry) in &symlinks {
        sh.check()?;
        make_symlink(&sh, tree, entry)?;
        entries += 1;
    }

    // Reversed, the listing puts what a folder holds before the folder.
    for (tree, entry) in trees.iter().rev().flat_map(|t| t.entries.iter().rev().map(move |e| (t, e))) {
        if entry.kind == Kind::Dir {
            sh.check()?;
            let rel = tree.dest_rel(entry);
            finish_dir(&sh, &rel, &entry.meta).map_err(|e| sh.write_error(&rel, e))?;
        }
    }
    if sh.sync_each {
        for rel in &prefixes {
            let fd = open_dir(Some(sh.dest_fd), rel).map_err(|e| sh.write_error(rel, e))?;
            nix::unistd::fsync(&fd).map_err(|e| sh.write_error(rel, e))?;
        }
        nix::unistd::fsync(&dest_fd).map_err(|e| BackupError::write(dest)(e.into()))?;
    } else {
        // One syncfs rather than an fsync per file and folder: 30 000 small files copy in 4.8 s
        // with it, 10.4 s without (docs/backups.md).
        nix::unistd::syncfs(&dest_fd).map_err(|e| BackupError::write(dest)(e.into()))?;
    }

    Ok(Copied { entries, bytes: sh.bytes.into_inner(), cloned: sh.cloned.into_inner() })
}

/// Whether `sample` (a regular file) can be cloned into `dest_dir`.
pub(crate) fn can_clone(sample: &Path, dest_dir: &Path) -> bool {
    static PROBES: AtomicU64 = AtomicU64::new(0);
    let Ok(src) = open_source(sample) else { return false };
    if !src.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    for _ in 0..8 {
        let n = PROBES.fetch_add(1, Ordering::Relaxed);
        let probe = dest_dir.join(format!(".visor-clone-probe-{}-{n}", std::process::id()));
        let file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&probe)
        {
            Ok(file) => file,
            // Left by an earlier visor with the same process id: take another name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                tracing::debug!(dir = %dest_dir.display(), "cannot write a probe to learn whether files can be cloned: {e}");
                return false;
            }
        };
        let cloned = clone_file(src.as_fd(), file.as_fd());
        drop(file);
        if let Err(e) = fs::remove_file(&probe) {
            tracing::warn!(path = %probe.display(), "cannot remove the probe file: {e}");
        }
        if let Err(e) = &cloned {
            tracing::debug!(dir = %dest_dir.display(), "files cannot be cloned there: {e}");
        }
        return cloned.is_ok();
    }
    false
}

/// What the copying threads share.
/// Up to this many entries, a copy fsyncs each file and folder; beyond, one `syncfs` of the
/// destination's filesystem is cheaper, though it also writes out whatever else is dirty there
/// (a small tree must not wait for a busy host's unrelated writes).
const SYNC_EACH_UP_TO: usize = 2048;

struct Shared<'a> {
    work: &'a Work<'a>,
    dest: &'a Path,
    dest_fd: BorrowedFd<'a>,
    /// Owners are kept only by root; anyone else keeps the owners they can.
    root: bool,
    /// Whether cloning is still worth trying: cleared at the first answer that it cannot work.
    clone: AtomicBool,
    /// Whether `copy_file_range` is still worth trying.
    offload: AtomicBool,
    /// Set when a thread failed, so the others stop too.
    stop: AtomicBool,
    /// Every file and folder is fsynced by itself (a small tree); otherwise one `syncfs` at the
    /// end makes the whole tree durable.
    sync_each: bool,
    /// Bytes of data read (or cloned).
    read: AtomicU64,
    bytes: AtomicU64,
    cloned: AtomicU64,
}

impl Shared<'_> {
    /// Fails when the copy was cancelled or another thread failed (whose error is the one told).
    fn check(&self) -> Result<(), BackupError> {
        if self.work.cancelled() || self.stop.load(Ordering::Relaxed) {
            return Err(BackupError::Cancelled { read: self.read.load(Ordering::Relaxed) });
        }
        Ok(())
    }

    fn write_error(&self, rel: &Path, error: impl Into<io::Error>) -> BackupError {
        BackupError::Write { path: self.dest.join(rel).display().to_string(), error: error.into() }
    }

    /// Counts `n` bytes read and copied.
    fn count(&self, n: u64) {
        self.read.fetch_add(n, Ordering::Relaxed);
        self.work.progress.add(n);
    }

    /// Gives the inode behind `fd` the owner of `meta`.
    fn chown(&self, fd: BorrowedFd<'_>, meta: &Metadata) -> nix::Result<()> {
        match nix::unistd::fchown(fd, Some(Uid::from_raw(meta.uid())), Some(Gid::from_raw(meta.gid()))) {
            Err(Errno::EPERM) if !self.root => Ok(()),
            r => r,
        }
    }
}

fn read_error(tree: &Tree, entry: &Entry, error: impl Into<io::Error>) -> BackupError {
    BackupError::Read {
        source_dir: tree.root.display().to_string(),
        path: tree.root.join(&entry.rel).display().to_string(),
        error: error.into(),
    }
}

/// Creates the folders of the trees' prefixes (0700, as the backup's root) and returns them,
/// each after its parent.
fn make_prefixes(sh: &Shared<'_>, trees: &[Tree]) -> Result<Vec<PathBuf>, BackupError> {
    let mut made: Vec<PathBuf> = Vec::new();
    for tree in trees {
        let mut rel = PathBuf::new();
        for part in tree.prefix.components() {
            if !matches!(part, Component::Normal(_)) {
                let error = io::Error::other("a source's place in the backup must be a plain relative path");
                return Err(sh.write_error(&tree.prefix, error));
            }
            rel.push(part);
            if made.contains(&rel) {
                continue;
            }
            nix::sys::stat::mkdirat(sh.dest_fd, &rel, Mode::S_IRWXU).map_err(|e| sh.write_error(&rel, e))?;
            let fd = open_dir(Some(sh.dest_fd), &rel).map_err(|e| sh.write_error(&rel, e))?;
            nix::sys::stat::fchmod(&fd, Mode::S_IRWXU).map_err(|e| sh.write_error(&rel, e))?;
            made.push(rel.clone());
        }
    }
    Ok(made)
}

/// Opens a folder (relative to `at`, or the working folder) for its metadata and fsync.
fn open_dir(at: Option<BorrowedFd<'_>>, path: &Path) -> nix::Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    match at {
        Some(at) => nix::fcntl::openat(at, path, flags, Mode::empty()),
        None => nix::fcntl::open(path, flags, Mode::empty()),
    }
}

/// Opens a source file to read it, never through a link that replaced it since the listing.
fn open_source(path: &Path) -> io::Result<File> {
    // O_NONBLOCK: opening a FIFO put in the file's place must not hang the backup.
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

/// Gives a folder the mode, owner and times of its source, and makes its entries durable.
fn finish_dir(sh: &Shared<'_>, rel: &Path, meta: &Metadata) -> nix::Result<()> {
    let fd = open_dir(Some(sh.dest_fd), rel)?;
    set_meta(sh, fd.as_fd(), meta)?;
    if sh.sync_each { nix::unistd::fsync(&fd) } else { Ok(()) }
}

/// Gives the inode behind `fd` the owner, mode and times of `meta`: the owner first, as a change
/// of owner clears the setuid and setgid bits.
fn set_meta(sh: &Shared<'_>, fd: BorrowedFd<'_>, meta: &Metadata) -> nix::Result<()> {
    sh.chown(fd, meta)?;
    nix::sys::stat::fchmod(fd, Mode::from_bits_truncate(meta.mode() & 0o7777))?;
    let (atime, mtime) = times(meta);
    nix::sys::stat::futimens(fd, &atime, &mtime)
}

fn times(meta: &Metadata) -> (TimeSpec, TimeSpec) {
    (TimeSpec::new(meta.atime(), meta.atime_nsec()), TimeSpec::new(meta.mtime(), meta.mtime_nsec()))
}

fn make_symlink(sh: &Shared<'_>, tree: &Tree, entry: &Entry) -> Result<(), BackupError> {
    let target = fs::read_link(tree.root.join(&entry.rel)).map_err(|e| read_error(tree, entry, e))?;
    let rel = tree.dest_rel(entry);
    let write = |e| sh.write_error(&rel, e);
    nix::unistd::symlinkat(&target, sh.dest_fd, &rel).map_err(write)?;
    let (uid, gid) = (Uid::from_raw(entry.meta.uid()), Gid::from_raw(entry.meta.gid()));
    match nix::unistd::fchownat(sh.dest_fd, &rel, Some(uid), Some(gid), AtFlags::AT_SYMLINK_NOFOLLOW) {
        Err(Errno::EPERM) if !sh.root => {}
        r => r.map_err(write)?,
    }
    let (atime, mtime) = times(&entry.meta);
    nix::sys::stat::utimensat(sh.dest_fd, &rel, &atime, &mtime, UtimensatFlags::NoFollowSymlink).map_err(write)
}

/// Copies the files on `work.threads` threads, each taking the next file not yet taken.
fn copy_files(sh: &Shared<'_>, files: &[(&Tree, &Entry)]) -> Result<(), BackupError> {
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut buffer = Vec::new();
        while let Some(&(tree, entry)) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Err(e) = sh.check().and_then(|()| copy_file(sh, tree, entry, &mut buffer)) {
                sh.stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    };
    let threads = sh.work.threads.clamp(1, files.len().max(1));
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(worker)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    // A thread stopped by another's failure says `Cancelled`: the failure is what is told.
    let mut cancelled = None;
    for result in results {
        match result {
            Err(e @ BackupError::Cancelled { .. }) => cancelled = cancelled.or(Some(e)),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
    }
    cancelled.map_or(Ok(()), Err)
}

/// Copies one file's contents (cloned or copied), then its metadata, and syncs it.
fn copy_file(sh: &Shared<'_>, tree: &Tree, entry: &Entry, buffer: &mut Vec<u8>) -> Result<(), BackupError> {
    let rel = tree.dest_rel(entry);
    let read = |e: io::Error| read_error(tree, entry, e);
    let write = |e: io::Error| sh.write_error(&rel, e);
    let len = entry.meta.len();

    let src = open_source(&tree.root.join(&entry.rel)).map_err(read)?;
    let meta = src.metadata().map_err(read)?;
    if !meta.is_file() {
        return Err(read(io::Error::other("it is no longer a regular file; stop whatever replaces it")));
    }
    // The very file listed, not another reached through a folder swapped for a link since.
    if file_id(&meta) != file_id(&entry.meta) {
        return Err(read(io::Error::other("it was replaced while it was backed up; stop whatever replaces it")));
    }
    if meta.len() != len {
        return Err(read(io::Error::other(CHANGED_SIZE)));
    }
    // Private until its contents and metadata are final.
    let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let dst = nix::fcntl::openat(sh.dest_fd, &rel, flags, Mode::S_IRUSR | Mode::S_IWUSR)
        .map(File::from)
        .map_err(|e| write(e.into()))?;

    if try_clone(sh, &src, &dst, &rel).map_err(write)? {
        sh.count(len);
        sh.cloned.fetch_add(1, Ordering::Relaxed);
    } else {
        let data = Data { sh, src: &src, dst: &dst, read: &read, write: &write };
        data.copy(len, buffer)?;
        // The length, for a file ending in a hole that was not written.
        dst.set_len(len).map_err(write)?;
    }
    if src.metadata().map_err(read)?.len() != len {
        return Err(read(io::Error::other(CHANGED_SIZE)));
    }
    set_meta(sh, dst.as_fd(), &entry.meta).map_err(|e| write(e.into()))?;
    if sh.sync_each {
        dst.sync_all().map_err(write)?;
    }
    sh.bytes.fetch_add(len, Ordering::Relaxed);
    Ok(())
}

/// Clones `src` into the empty `dst` when cloning is on; false when the file is to be copied.
fn try_clone(sh: &Shared<'_>, src: &File, dst: &File, rel: &Path) -> io::Result<bool> {
    if !sh.clone.load(Ordering::Relaxed) {
        return Ok(false);
    }
    let Err(e) = clone_file(src.as_fd(), dst.as_fd()) else { return Ok(true) };
    if matches!(e, Errno::EOPNOTSUPP | Errno::ENOTTY | Errno::EXDEV | Errno::EINVAL | Errno::EBADF | Errno::ENOSYS) {
        // The filesystem cannot clone at all: no use asking for every file.
        if sh.clone.swap(false, Ordering::Relaxed) {
            tracing::info!(dest = %sh.dest.display(), "files cannot be cloned there ({e}); copying them");
        }
    } else {
        tracing::debug!(path = %sh.dest.join(rel).display(), "cannot clone the file ({e}); copying it");
    }
    // A failed clone may have left part of the file behind, which holes would not overwrite.
    dst.set_len(0)?;
    Ok(false)
}

/// Makes `dst` share every block of `src` (FICLONE).
fn clone_file(src: BorrowedFd<'_>, dst: BorrowedFd<'_>) -> nix::Result<()> {
    let src = libc::c_ulong::try_from(src.as_raw_fd()).map_err(|_| Errno::EBADF)?;
    // SAFETY: FICLONE takes the source descriptor as a number and touches none of our memory;
    // both descriptors are borrowed, so they stay open for the whole call.
    unsafe { ficlone(dst.as_raw_fd(), src) }.map(drop)
}

/// `copy_file_range(2)` at explicit offsets, moving neither file's position; called directly, as
/// the C libraries before glibc 2.27 lack it.
fn copy_file_range(
    src: BorrowedFd<'_>,
    off_in: &mut i64,
    dst: BorrowedFd<'_>,
    off_out: &mut i64,
    len: usize,
) -> nix::Result<usize> {
    let (off_in, off_out): (*mut i64, *mut i64) = (off_in, off_out);
    // SAFETY: the offsets point to exclusively borrowed 64-bit integers (the kernel's loff_t)
    // that outlive the call, and both descriptors are borrowed, so open.
    let copied = unsafe {
        libc::syscall(libc::SYS_copy_file_range, src.as_raw_fd(), off_in, dst.as_raw_fd(), off_out, len, 0u32)
    };
    usize::try_from(Errno::result(copied)?).map_err(|_| Errno::EOVERFLOW)
}

/// One file's data being copied, and how its errors are told.
struct Data<'a> {
    sh: &'a Shared<'a>,
    src: &'a File,
    dst: &'a File,
    read: &'a dyn Fn(io::Error) -> BackupError,
    write: &'a dyn Fn(io::Error) -> BackupError,
}

impl Data<'_> {
    /// Copies the data regions of the first `len` bytes at the same offsets, so holes stay holes.
    fn copy(&self, len: u64, buffer: &mut Vec<u8>) -> Result<(), BackupError> {
        let mut pos = 0;
        while pos < len {
            let start = self.seek(pos, Whence::SeekData, pos)?.unwrap_or(len).clamp(pos, len);
            let mut end =
                if start < len { self.seek(start, Whence::SeekHole, len)?.unwrap_or(len).min(len) } else { len };
            if end <= start {
                // The hole moved under us: copy the rest as data, which is never wrong.
                end = len;
            }
            // Holes count as done: the progress total is the files' lengths.
            self.sh.work.progress.add(start - pos);
            self.copy_range(start, end, buffer)?;
            pos = end;
        }
        Ok(())
    }

    /// The next data or hole from `at`; `None` when there is none (the rest is a hole, or the
    /// file shrank, which the caller sees); `flat` where the filesystem knows no holes.
    fn seek(&self, at: u64, whence: Whence, flat: u64) -> Result<Option<u64>, BackupError> {
        let offset = i64::try_from(at).map_err(|_| (self.read)(Errno::EFBIG.into()))?;
        match nix::unistd::lseek(self.src, offset, whence) {
            Ok(found) => Ok(Some(u64::try_from(found).unwrap_or(at))),
            Err(Errno::ENXIO) => Ok(None),
            Err(Errno::EINVAL | Errno::EOPNOTSUPP) => Ok(Some(flat)),
            Err(e) => Err((self.read)(e.into())),
        }
    }

    /// Copies bytes `start..end` at the same offsets, a chunk at a time.
    fn copy_range(&self, start: u64, end: u64, buffer: &mut Vec<u8>) -> Result<(), BackupError> {
        let sh = self.sh;
        let mut at = start;
        while at < end {
            sh.check()?;
            let want = usize::try_from(end - at).unwrap_or(CHUNK).min(CHUNK);
            let copied = if sh.offload.load(Ordering::Relaxed) {
                let mut off_in = i64::try_from(at).map_err(|_| (self.read)(Errno::EFBIG.into()))?;
                let mut off_out = off_in;
                match copy_file_range(self.src.as_fd(), &mut off_in, self.dst.as_fd(), &mut off_out, want) {
                    Ok(n) => n,
                    Err(Errno::EINTR) => continue,
                    Err(e @ (Errno::EXDEV | Errno::ENOSYS | Errno::EOPNOTSUPP | Errno::EINVAL)) => {
                        if sh.offload.swap(false, Ordering::Relaxed) {
                            tracing::debug!(dest = %sh.dest.display(), "copy_file_range cannot copy there ({e}); reading and writing");
                        }
                        continue;
                    }
                    Err(e @ (Errno::ENOSPC | Errno::EDQUOT | Errno::EFBIG | Errno::EROFS)) => {
                        return Err((self.write)(e.into()));
                    }
                    Err(e) => return Err((self.read)(e.into())),
                }
            } else {
                if buffer.is_empty() {
                    buffer.resize(BUFFER, 0);
                }
                let chunk = &mut buffer[..want.min(BUFFER)];
                match self.src.read_at(chunk, at) {
                    Ok(n) => {
                        self.dst.write_all_at(&chunk[..n], at).map_err(self.write)?;
                        n
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err((self.read)(e)),
                }
            };
            if copied == 0 {
                return Err((self.read)(io::Error::other(CHANGED_SIZE)));
            }
            at += copied as u64;
            sh.count(copied as u64);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
