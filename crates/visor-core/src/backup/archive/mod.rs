//! Backups as tar archives compressed with zstd (on every core) or gzip, and reading them back.
//!
//! The archives are GNU tar, as the old backup wrote them and as `tar` reads them everywhere:
//! long names and link targets go in GNU long-name entries, and link targets are stored byte
//! for byte. Reading walks the raw entries and decodes those extensions here rather than in the
//! `tar` crate, which reads them whole into memory: a corrupt or hostile archive gets an error,
//! never an unbounded allocation. Extraction reaches every path from a descriptor of the
//! destination, one component at a time with `O_NOFOLLOW`, so an archive that plants a link and
//! then writes through it gets an error, never a file outside.

use super::copy::Copied;
use super::tree::{FileId, Kind, Tree, file_id};
use super::{BackupError, Work};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{Mode, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid};
use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::Read as _;
use std::io::{self, BufReader, BufWriter, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use tar::{EntryType, Header};

mod extract;
mod read;

pub(crate) use extract::extract_archive;
pub(crate) use read::read_archive;

/// The compression of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Gzip,
    Zstd,
}

/// One entry read back from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Archived {
    /// Relative to the backup's root.
    pub(crate) rel: PathBuf,
    pub(crate) kind: Kind,
    /// Permission bits (and setuid/setgid/sticky).
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
    /// Modification time, seconds since the epoch.
    pub(crate) mtime: u64,
    /// Of a file: its length.
    pub(crate) size: u64,
    /// Of a symbolic link: its target, as stored.
    pub(crate) link: Option<PathBuf>,
    /// Of a file that is a hard link to an earlier entry: that entry's path.
    pub(crate) hard_link: Option<PathBuf>,
}

/// File data moves in chunks this large; cancellation is checked between them.
const CHUNK: usize = 1 << 20;

/// The longest name or link target accepted from an archive (PATH_MAX).
const MAX_NAME: usize = 4096;

/// The largest pax extended header accepted: real ones hold a few names and numbers.
const MAX_PAX: u64 = 64 << 10;

/// Zeros are left out of extracted files in aligned blocks this large (a filesystem block).
const HOLE: usize = 4096;

/// The name GNU tar gives its long-name entries.
const LONG_LINK: &[u8] = b"././@LongLink";

/// Writes the trees as a tar archive compressed with `codec` into `out` (new and empty, at
/// `out_path` for messages), then fsyncs it.
pub(crate) fn write_archive(
    trees: &[Tree],
    out: File,
    out_path: &Path,
    codec: Codec,
    work: &Work<'_>,
) -> Result<Copied, BackupError> {
    let write = |error| BackupError::Write { path: out_path.display().to_string(), error };
    let compressor = Compressor::new(out, codec, work.threads).map_err(write)?;
    // Headers and padding come in 512-byte writes: batched before they reach the compressor.
    let mut tar = tar::Builder::new(BufWriter::with_capacity(CHUNK, compressor));
    tar.follow_symlinks(false);
    let mut done = Copied::default();
    let mut read = 0;
    let mut first_names: HashMap<FileId, PathBuf> = HashMap::new();
    for tree in trees {
        for entry in &tree.entries {
            if work.cancelled() {
                return Err(BackupError::Cancelled { read });
            }
            let name = tree.dest_rel(entry);
            let source = tree.root.join(&entry.rel);
            let source_error = |error| BackupError::Read {
                source_dir: tree.root.display().to_string(),
                path: source.display().to_string(),
                error,
            };
            let mut header = header_of(&entry.meta);
            match entry.kind {
                Kind::Dir => append_named(&mut tar, &mut header, &name, io::empty()).map_err(write)?,
                Kind::Symlink => {
                    let target = fs::read_link(&source).map_err(source_error)?;
                    append_linked(&mut tar, &mut header, &name, target.as_os_str().as_bytes()).map_err(write)?;
                }
                Kind::File => {
                    let seen = (entry.meta.nlink() > 1).then(|| first_names.entry(file_id(&entry.meta)));
                    if let Some(Slot::Occupied(first)) = &seen {
                        header.set_entry_type(EntryType::Link);
                        append_linked(&mut tar, &mut header, &name, first.get().as_os_str().as_bytes())
                            .map_err(write)?;
                    } else {
                        if let Some(Slot::Vacant(slot)) = seen {
                            slot.insert(name.clone());
                        }
                        let file = FileSource { source: &source, meta: &entry.meta, error: &source_error };
                        done.bytes += append_file(&mut tar, &mut header, &name, &file, work, &mut read, &write)?;
                    }
                }
                Kind::Other => continue,
            }
            done.entries += 1;
        }
    }
    let buffered = tar.into_inner().map_err(write)?;
    let compressor = buffered.into_inner().map_err(|e| write(e.into_error()))?;
    let file = compressor.finish().map_err(write)?;
    file.sync_all().map_err(write)?;
    Ok(done)
}

/// A header for `meta` as listed: the length recorded is the length archived.
fn header_of(meta: &fs::Metadata) -> Header {
    let mut header = Header::new_gnu();
    header.set_metadata_in_mode(meta, tar::HeaderMode::Complete);
    // The file type is the entry type's business; tar's mode field holds the rest.
    header.set_mode(meta.mode() & 0o7777);
    // A time before 1970 is stored as the epoch rather than wrapped into the far future.
    header.set_mtime(u64::try_from(meta.mtime()).unwrap_or(0));
    header
}

/// Appends `header` for `name` with `data`, the name kept byte for byte: one too long for the
/// header goes first in a GNU long-name entry. (The `tar` crate's `append_data` rewrites names,
/// and fails on a long one that does not start with UTF-8.)
fn append_named<W: Write>(
    tar: &mut tar::Builder<W>,
    header: &mut Header,
    name: &Path,
    data: impl io::Read,
) -> io::Result<()> {
    let name = name.as_os_str().as_bytes();
    let field = &mut header.as_old_mut().name;
    let short = name.len().min(field.len());
    if name.len() > short {
        append_long(tar, EntryType::GNULongName, name)?;
    }
    field.fill(0);
    field[..short].copy_from_slice(&name[..short]);
    header.set_cksum();
    tar.append(header, data)
}

/// Appends a GNU long-name (or long-link) entry holding `value`.
fn append_long<W: Write>(tar: &mut tar::Builder<W>, kind: EntryType, value: &[u8]) -> io::Result<()> {
    let mut long = Header::new_gnu();
    long.as_old_mut().name[..LONG_LINK.len()].copy_from_slice(LONG_LINK);
    long.set_mode(0o644);
    long.set_uid(0);
    long.set_gid(0);
    long.set_mtime(0);
    // With its terminating NUL, as GNU tar writes it.
    long.set_size(value.len() as u64 + 1);
    long.set_entry_type(kind);
    long.set_cksum();
    tar.append(&long, value.chain(&[0][..]))
}

/// Appends a link (`header` says which kind) to `target`, kept byte for byte: the `tar`
/// crate's own `append_link` rewrites `a//b` or `./x`, which is another link for a symlink.
fn append_linked<W: Write>(
    tar: &mut tar::Builder<W>,
    header: &mut Header,
    name: &Path,
    target: &[u8],
) -> io::Result<()> {
    let field = header.as_old().linkname.len();
    if target.len() > field {
        append_long(tar, EntryType::GNULongLink, target)?;
    }
    header.set_link_name_literal(&target[..target.len().min(field)])?;
    header.set_size(0);
    append_named(tar, header, name, io::empty())
}

/// A regular file to archive, as the tree listed it.
struct FileSource<'a, E> {
    source: &'a Path,
    meta: &'a fs::Metadata,
    error: &'a E,
}

/// Archives exactly the length listed, read from the file opened without following a link; a
/// file that grows, shrinks or is replaced meanwhile fails the backup (the node is stopped:
/// something else is writing its data). Returns the bytes archived.
fn append_file<W: Write, E: Fn(io::Error) -> BackupError, F: Fn(io::Error) -> BackupError>(
    tar: &mut tar::Builder<W>,
    header: &mut Header,
    name: &Path,
    file: &FileSource<'_, E>,
    work: &Work<'_>,
    read: &mut u64,
    write: &F,
) -> Result<u64, BackupError> {
    let changed = || io::Error::other("the file changed size while it was backed up; stop whatever writes it");
    let len = file.meta.len();
    // Non-blocking: a FIFO put in the file's place is refused below instead of waited on.
    let flags = nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK;
    let opened = OpenOptions::new().read(true).custom_flags(flags).open(file.source).map_err(file.error)?;
    let now = opened.metadata().map_err(file.error)?;
    if !now.is_file() || file_id(&now) != file_id(file.meta) {
        return Err((file.error)(io::Error::other(
            "the file was replaced while it was backed up; stop whatever writes it",
        )));
    }
    if now.len() != len {
        return Err((file.error)(changed()));
    }
    let mut reader = Chunked { inner: (&opened).take(len), work, read: 0, failed: None };
    let appended = append_named(tar, header, name, &mut reader);
    *read += reader.read;
    if let Err(e) = appended {
        return Err(if work.cancelled() {
            BackupError::Cancelled { read: *read }
        } else if let Some(e) = reader.failed.take() {
            (file.error)(e)
        } else {
            write(e)
        });
    }
    if reader.read != len || opened.metadata().map_err(file.error)?.len() != len {
        return Err((file.error)(changed()));
    }
    Ok(len)
}

/// Reads a source file in chunks, stopping when cancelled; counts what it read.
struct Chunked<'a, 'w, R> {
    inner: R,
    work: &'a Work<'w>,
    read: u64,
    /// A read error of the file itself (as opposed to writing the archive).
    failed: Option<io::Error>,
}

impl<R: io::Read> io::Read for Chunked<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Not `Interrupted`: copying loops retry that kind forever.
        if self.work.cancelled() {
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
        self.work.progress.add(n as u64);
        Ok(n)
    }
}

/// The compressing end of an archive being written.
enum Compressor {
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Compressor {
    fn new(out: File, codec: Codec, threads: usize) -> io::Result<Self> {
        let out = BufWriter::with_capacity(CHUNK, out);
        Ok(match codec {
            Codec::Gzip => Self::Gzip(flate2::write::GzEncoder::new(out, flate2::Compression::fast())),
            Codec::Zstd => {
                let mut encoder = zstd::stream::write::Encoder::new(out, 3)?;
                // More workers than this only wait on the disk.
                encoder.multithread(threads.clamp(1, 64) as u32)?;
                // What gzip has built in: a corrupt backup is found when read, not restored.
                encoder.include_checksum(true)?;
                Self::Zstd(encoder)
            }
        })
    }

    /// Ends the compressed stream and hands back the file, flushed (not yet synced).
    fn finish(self) -> io::Result<File> {
        let out = match self {
            Self::Gzip(encoder) => encoder.finish()?,
            Self::Zstd(encoder) => encoder.finish()?,
        };
        out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

impl Write for Compressor {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Gzip(encoder) => encoder.write(buf),
            Self::Zstd(encoder) => encoder.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Gzip(encoder) => encoder.flush(),
            Self::Zstd(encoder) => encoder.flush(),
        }
    }
}

/// Reads the archive at `path` in order, calling `visit` with each entry and its content (empty
pub(super) fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

pub(super) fn truncated(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, format!("{what}: it is truncated"))
}

#[cfg(test)]
mod tests;
