//! Unpacking an archive below a folder, never through a link, sparse where it can.

use super::*;
use crate::confine::{dir_flags, through_link};

/// Unpacks the archive at `path` into `dest` (must not exist; created 0700).
pub(crate) fn extract_archive(path: &Path, codec: Codec, dest: &Path, work: &Work<'_>) -> Result<Copied, BackupError> {
    fs::DirBuilder::new().mode(0o700).create(dest).map_err(BackupError::write(dest))?;
    let mut out = Extractor::open(path, dest, work).map_err(BackupError::write(dest))?;
    let mut failed = None;
    let read = read_archive(path, codec, &mut |archived, content| {
        out.entry(archived, content).map_err(|e| {
            failed = Some(e);
            io::Error::other("the extraction stopped")
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    read.map_err(|error| out.read_error(None, error))?;
    out.finish()
}

/// What is restored of a folder once everything in it is.
#[derive(Debug, Clone, Copy)]
struct FolderMeta {
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
}

/// An extraction under way.
struct Extractor<'a, 'w> {
    archive: &'a Path,
    dest: &'a Path,
    work: &'a Work<'w>,
    /// The destination, from which every path is reached.
    root: OwnedFd,
    /// The folder the last entry went to: entries come folder by folder, so most are next to
    /// the previous one.
    cache: Option<(PathBuf, OwnedFd)>,
    /// Every folder created, parents before children, with what the archive says of it.
    folders: Vec<(PathBuf, Option<FolderMeta>)>,
    folder_at: HashMap<PathBuf, usize>,
    /// Whether owners must be restored (root), or are kept where permitted (anyone else).
    root_user: bool,
    buf: Vec<u8>,
    done: Copied,
}

/// The parent and the name of a plain relative path (never empty).
fn split(rel: &Path) -> (&Path, &OsStr) {
    (rel.parent().unwrap_or(Path::new("")), rel.file_name().unwrap_or_default())
}

fn ids(uid: u64, gid: u64) -> io::Result<(Uid, Gid)> {
    let uid = u32::try_from(uid).map_err(|_| invalid(format!("the owner {uid} is out of range")))?;
    let gid = u32::try_from(gid).map_err(|_| invalid(format!("the group {gid} is out of range")))?;
    Ok((Uid::from_raw(uid), Gid::from_raw(gid)))
}

fn time(mtime: u64) -> TimeSpec {
    TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0)
}

/// Whether `block` is all zeros (or'ed in runs the compiler vectorises, stopping at data).
fn is_zero(block: &[u8]) -> bool {
    block.chunks(512).all(|run| run.iter().fold(0, |acc, &b| acc | b) == 0)
}

/// Reads until `buf` is full or the data ends.
fn fill(reader: &mut dyn io::Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes `data` at `offset` (a multiple of [`HOLE`]), leaving out its aligned blocks of zeros:
/// they read back as zeros from a hole, and take no room.
fn write_holey(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    let (mut start, mut at) = (0, 0);
    while at < data.len() {
        let end = (at + HOLE).min(data.len());
        if end - at == HOLE && is_zero(&data[at..end]) {
            if start < at {
                file.write_all_at(&data[start..at], offset + start as u64)?;
            }
            start = end;
        }
        at = end;
    }
    if start < data.len() {
        file.write_all_at(&data[start..], offset + start as u64)?;
    }
    Ok(())
}

impl<'a, 'w> Extractor<'a, 'w> {
    fn open(archive: &'a Path, dest: &'a Path, work: &'a Work<'w>) -> io::Result<Self> {
        let root = nix::fcntl::open(dest, dir_flags(), Mode::empty())?;
        // The umask must not loosen it.
        nix::sys::stat::fchmod(&root, Mode::from_bits_truncate(0o700))?;
        Ok(Self {
            archive,
            dest,
            work,
            root,
            cache: None,
            folders: Vec::new(),
            folder_at: HashMap::new(),
            root_user: nix::unistd::geteuid().is_root(),
            buf: vec![0; CHUNK],
            done: Copied::default(),
        })
    }

    fn read_error(&self, rel: Option<&Path>, error: io::Error) -> BackupError {
        let path = rel.map_or_else(|| self.archive.display().to_string(), |rel| rel.display().to_string());
        BackupError::Read { source_dir: self.archive.display().to_string(), path, error }
    }

    fn write_error(&self, rel: &Path) -> impl Fn(io::Error) -> BackupError + use<> {
        let path = self.dest.join(rel).display().to_string();
        move |error| BackupError::Write { path: path.clone(), error }
    }

    /// Opens the folder `rel` (empty: the destination), each component without following a
    /// link, creating the missing ones (0700 until the end) when `create` is set.
    fn folder(&mut self, rel: &Path, create: bool) -> io::Result<OwnedFd> {
        let (mut at, mut walked) = match &self.cache {
            Some((cached, fd)) if rel.starts_with(cached) => (fd.try_clone()?, cached.clone()),
            _ => (self.root.try_clone()?, PathBuf::new()),
        };
        for part in rel.components().skip(walked.components().count()) {
            let part = part.as_os_str();
            walked.push(part);
            at = match nix::fcntl::openat(&at, part, dir_flags(), Mode::empty()) {
                Ok(fd) => fd,
                Err(Errno::ENOENT) if create => {
                    let mode = Mode::from_bits_truncate(0o700);
                    match nix::sys::stat::mkdirat(&at, part, mode) {
                        Ok(()) => {
                            self.folder_at.insert(walked.clone(), self.folders.len());
                            self.folders.push((walked.clone(), None));
                        }
                        Err(Errno::EEXIST) => {}
                        Err(e) => return Err(e.into()),
                    }
                    let fd = nix::fcntl::openat(&at, part, dir_flags(), Mode::empty())
                        .map_err(|e| through_link(&walked, e))?;
                    nix::sys::stat::fchmod(&fd, mode)?;
                    fd
                }
                Err(e) => return Err(through_link(&walked, e)),
            };
        }
        self.cache = Some((rel.to_owned(), at.try_clone()?));
        Ok(at)
    }

    /// Sets an owner; without privileges, one the visor's user cannot give is left as it is.
    fn own(&self, result: nix::Result<()>) -> io::Result<()> {
        match result {
            Err(Errno::EPERM | Errno::EINVAL) if !self.root_user => Ok(()),
            other => other.map_err(io::Error::from),
        }
    }

    fn entry(&mut self, archived: &Archived, content: &mut dyn io::Read) -> Result<(), BackupError> {
        if self.work.cancelled() {
            return Err(BackupError::Cancelled { read: self.done.bytes });
        }
        let rel = &archived.rel;
        let write = self.write_error(rel);
        let (parent, leaf) = split(rel);
        match (archived.kind, &archived.hard_link, &archived.link) {
            (Kind::Dir, ..) => {
                self.folder(rel, true).map_err(&write)?;
                let meta =
                    FolderMeta { mode: archived.mode, uid: archived.uid, gid: archived.gid, mtime: archived.mtime };
                match self.folder_at.get(rel) {
                    Some(&i) => self.folders[i].1 = Some(meta),
                    None => {
                        self.folder_at.insert(rel.clone(), self.folders.len());
                        self.folders.push((rel.clone(), Some(meta)));
                    }
                }
            }
            (Kind::File, Some(target), _) => {
                let (target_parent, target_leaf) = split(target);
                let from = self.folder(target_parent, false).map_err(&write)?;
                let to = self.folder(parent, true).map_err(&write)?;
                // Without AT_SYMLINK_FOLLOW: a link at the target is linked, never what it points to.
                nix::unistd::linkat(&from, target_leaf, &to, leaf, AtFlags::empty()).map_err(|e| write(e.into()))?;
            }
            (Kind::File, None, _) => self.file(archived, content)?,
            (Kind::Symlink, _, Some(target)) => {
                let dir = self.folder(parent, true).map_err(&write)?;
                nix::unistd::symlinkat(target.as_path(), &dir, leaf).map_err(|e| write(e.into()))?;
                let (uid, gid) = ids(archived.uid, archived.gid).map_err(|e| self.read_error(Some(rel), e))?;
                let owned = nix::unistd::fchownat(&dir, leaf, Some(uid), Some(gid), AtFlags::AT_SYMLINK_NOFOLLOW);
                self.own(owned).map_err(&write)?;
                let omit = TimeSpec::UTIME_OMIT;
                nix::sys::stat::utimensat(&dir, leaf, &omit, &time(archived.mtime), UtimensatFlags::NoFollowSymlink)
                    .map_err(|e| write(e.into()))?;
            }
            _ => return Ok(()),
        }
        self.done.entries += 1;
        Ok(())
    }

    /// Writes a regular file with holes where its data has zeros, then its owner, mode and time.
    fn file(&mut self, archived: &Archived, content: &mut dyn io::Read) -> Result<(), BackupError> {
        let rel = &archived.rel;
        let write = self.write_error(rel);
        let (parent, leaf) = split(rel);
        let (uid, gid) = ids(archived.uid, archived.gid).map_err(|e| self.read_error(Some(rel), e))?;
        let dir = self.folder(parent, true).map_err(&write)?;
        // Exclusive: whatever is there already, a link planted by an earlier entry included, is
        // an error and never written through.
        let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = nix::fcntl::openat(&dir, leaf, flags, Mode::from_bits_truncate(0o600)).map_err(|e| write(e.into()))?;
        let file = File::from(fd);
        let mut buf = std::mem::take(&mut self.buf);
        let written = self.fill_file(&file, content, &mut buf, rel);
        self.buf = buf;
        let written = written?;
        if written != archived.size {
            return Err(self.read_error(Some(rel), truncated("the archive ends inside an entry")));
        }
        file.set_len(archived.size).map_err(&write)?;
        // Owner first: a change of owner clears setuid and setgid.
        self.own(nix::unistd::fchown(&file, Some(uid), Some(gid))).map_err(&write)?;
        nix::sys::stat::fchmod(&file, Mode::from_bits_truncate(archived.mode & 0o7777)).map_err(|e| write(e.into()))?;
        nix::sys::stat::futimens(&file, &TimeSpec::UTIME_OMIT, &time(archived.mtime)).map_err(|e| write(e.into()))?;
        Ok(())
    }

    fn fill_file(
        &mut self,
        file: &File,
        content: &mut dyn io::Read,
        buf: &mut [u8],
        rel: &Path,
    ) -> Result<u64, BackupError> {
        let mut offset = 0u64;
        loop {
            if self.work.cancelled() {
                return Err(BackupError::Cancelled { read: self.done.bytes });
            }
            let n = fill(content, buf).map_err(|e| self.read_error(Some(rel), e))?;
            if n == 0 {
                return Ok(offset);
            }
            write_holey(file, &buf[..n], offset).map_err(self.write_error(rel))?;
            offset += n as u64;
            self.done.bytes += n as u64;
            self.work.progress.add(n as u64);
            if n < buf.len() {
                return Ok(offset);
            }
        }
    }

    /// Gives the folders their owners, modes and times, children before parents (a read-only
    /// folder is written into until then, and a folder's time changes as entries are added),
    /// then makes everything durable.
    fn finish(mut self) -> Result<Copied, BackupError> {
        self.cache = None;
        let folders = std::mem::take(&mut self.folders);
        for (rel, meta) in folders.iter().rev() {
            let Some(meta) = meta else { continue };
            let write = self.write_error(rel);
            let (uid, gid) = ids(meta.uid, meta.gid).map_err(|e| self.read_error(Some(rel), e))?;
            let fd = self.folder(rel, false).map_err(&write)?;
            self.own(nix::unistd::fchown(&fd, Some(uid), Some(gid))).map_err(&write)?;
            nix::sys::stat::fchmod(&fd, Mode::from_bits_truncate(meta.mode & 0o7777)).map_err(|e| write(e.into()))?;
            nix::sys::stat::futimens(&fd, &TimeSpec::UTIME_OMIT, &time(meta.mtime)).map_err(|e| write(e.into()))?;
        }
        self.cache = None;
        // One syncfs instead of an fsync per file and folder: the same durability (the tree is
        // all on the destination's filesystem) without a disk flush per small file.
        nix::unistd::syncfs(&self.root).map_err(|e| BackupError::write(self.dest)(e.into()))?;
        Ok(self.done)
    }
}
