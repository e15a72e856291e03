//! Unpacking an archive into a staging folder, refusing anything that would write outside it:
//! absolute paths, `..`, links pointing outside, writes through links, devices and FIFOs, and
//! archives over an entry-count, size or compression-ratio cap (counted on the bytes written,
//! not the headers).
//!
//! Every entry is written through a [`Confined`] handle of the staging folder, so no link on
//! disk is ever followed; link entries are made as links and, once all entries are out, each is
//! followed on disk and must land inside the folder. Every read of the archive is bounded: link
//! targets and long names at PATH_MAX, pax headers at 64 KiB, the decompressed stream as a
//! whole. Modes from the archive are kept up to rwxr-xr-x, never more.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::confine::{Confined, MAX_LINK_TARGET};

/// Limits on what an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Most entries.
    pub max_entries: u64,
    /// Most bytes written in all.
    pub max_bytes: u64,
    /// Most bytes unpacked per byte of archive (past the first 64 MiB).
    pub max_ratio: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self { max_entries: 10_000, max_bytes: 4 << 30, max_ratio: 32 }
    }
}

/// The kinds of file understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip archive.
    Zip,
    /// A gzip-compressed tar archive.
    TarGz,
    /// An uncompressed tar archive.
    Tar,
    /// Not an archive: the file is the binary itself.
    Plain,
}

/// Why an archive was refused.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// An entry would land outside the staging folder or is of a refused kind.
    #[error("archive {archive} is refused: entry {entry:?} {why}")]
    Refused {
        /// The archive.
        archive: String,
        /// The entry's name.
        entry: String,
        /// What is wrong with it.
        why: String,
    },
    /// Over a cap.
    #[error("archive {archive} is refused: {what}")]
    TooBig {
        /// The archive.
        archive: String,
        /// Which cap.
        what: String,
    },
    /// Unreadable or corrupt.
    #[error("cannot unpack {archive}: {message}")]
    Corrupt {
        /// The archive.
        archive: String,
        /// What failed.
        message: String,
    },
    /// Local I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
}

/// Decides the format from the name, else from the first bytes.
pub fn detect(path: &Path) -> io::Result<Format> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".zip") {
        return Ok(Format::Zip);
    }
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        return Ok(Format::TarGz);
    }
    if name.ends_with(".tar") {
        return Ok(Format::Tar);
    }
    let mut magic = [0u8; 6];
    let n = File::open(path)?.read(&mut magic)?;
    match &magic[..n] {
        [b'P', b'K', 3, 4, ..] => Ok(Format::Zip),
        [0x1f, 0x8b, ..] => Ok(Format::TarGz),
        // Archives this visor cannot unpack are refused, never installed as the binary.
        [0xfd, b'7', b'z', b'X', b'Z', 0] => Err(unsupported("xz")),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Err(unsupported("zstd")),
        [b'B', b'Z', b'h', ..] => Err(unsupported("bzip2")),
        [b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c] => Err(unsupported("7z")),
        _ => Ok(Format::Plain),
    }
}

fn unsupported(kind: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a {kind}-compressed archive, which is not unpacked (zip, tar and tar.gz are); publish one of those"),
    )
}

/// Compressed archives may unpack to this much before the ratio cap applies: small archives
/// of well-compressing files are never refused for their ratio.
const RATIO_FLOOR: u64 = 64 << 20;
/// Longest GNU long name or long link name read (PATH_MAX).
const MAX_LONG_NAME: u64 = MAX_LINK_TARGET as u64;
/// Largest pax extended header read.
const MAX_PAX: u64 = 64 << 10;
/// Bytes of tar headers and padding allowed per entry beyond the files' own bytes.
const TAR_OVERHEAD_PER_ENTRY: u64 = 3 * 512 + MAX_LONG_NAME + MAX_PAX;

struct Unpacker {
    archive: String,
    root: Confined,
    limits: UnpackLimits,
    /// The archive's size on disk, for the compression-ratio cap.
    archive_size: u64,
    entries: u64,
    bytes: u64,
    /// Links made, checked on disk once every entry is out (a later entry can change where an
    /// earlier link points).
    links: Vec<(String, PathBuf)>,
}

impl Unpacker {
    fn refuse<T>(&self, entry: &str, why: impl Into<String>) -> Result<T, UnpackError> {
        Err(UnpackError::Refused { archive: self.archive.clone(), entry: entry.to_owned(), why: why.into() })
    }

    fn too_big<T>(&self, what: impl Into<String>) -> Result<T, UnpackError> {
        Err(UnpackError::TooBig { archive: self.archive.clone(), what: what.into() })
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> UnpackError + '_ {
        move |source| UnpackError::Io { path: path.display().to_string(), source }
    }

    /// Maps a failed file-system step on entry `name`: a link or file on the way is the
    /// archive's doing (refused), anything else is local I/O.
    fn step_error(&self, name: &str, rel: &Path, e: io::Error) -> UnpackError {
        match e.kind() {
            io::ErrorKind::InvalidInput => UnpackError::Refused {
                archive: self.archive.clone(),
                entry: name.to_owned(),
                why: "would be written through a link or a file".to_owned(),
            },
            io::ErrorKind::AlreadyExists => UnpackError::Refused {
                archive: self.archive.clone(),
                entry: name.to_owned(),
                why: "appears twice".to_owned(),
            },
            _ => UnpackError::Io { path: self.root.path().join(rel).display().to_string(), source: e },
        }
    }

    /// The entry's path inside the root: plain components only.
    fn target(&mut self, name: &str) -> Result<PathBuf, UnpackError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return self.too_big(format!("more than {} entries", self.limits.max_entries));
        }
        if name.len() > MAX_LINK_TARGET {
            // Shown shortened, cut at a character boundary (the name is the archive's).
            let cut = (0..=64).rev().find(|i| name.is_char_boundary(*i)).unwrap_or(0);
            return self.refuse(&name[..cut], format!("has a name longer than {MAX_LINK_TARGET} bytes"));
        }
        let mut relative = PathBuf::new();
        for component in Path::new(name).components() {
            match component {
                Component::Normal(part) => relative.push(part),
                Component::CurDir => {}
                Component::ParentDir => return self.refuse(name, "contains `..`"),
                Component::RootDir | Component::Prefix(_) => return self.refuse(name, "is an absolute path"),
            }
        }
        if relative.as_os_str().is_empty() {
            return self.refuse(name, "names no file");
        }
        Ok(relative)
    }

    fn dir(&mut self, name: &str) -> Result<(), UnpackError> {
        let rel = self.target(name)?;
        self.root.create_dir_all(&rel, 0o755).map_err(|e| self.step_error(name, &rel, e))
    }

    /// Counts `n` more unpacked bytes against the caps.
    fn count(&mut self, n: u64) -> Result<(), UnpackError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_bytes {
            return self.too_big(format!("more than {} bytes unpacked", self.limits.max_bytes));
        }
        let ratio_cap = self.archive_size.saturating_mul(self.limits.max_ratio).max(RATIO_FLOOR);
        if self.bytes > ratio_cap {
            return self.too_big(format!(
                "it unpacks to more than {} times its size of {} bytes (a compression bomb?)",
                self.limits.max_ratio, self.archive_size
            ));
        }
        Ok(())
    }

    fn file(&mut self, name: &str, mode: u32, reader: &mut dyn Read) -> Result<(), UnpackError> {
        let rel = self.target(name)?;
        // Owner rw; never more than rwxr-xr-x, whatever the archive says: a world-writable
        // file is one any local user could replace before a root visor runs it.
        let mode = (mode & 0o755) | 0o600;
        let mut out = self.root.create_file(&rel, mode).map_err(|e| self.step_error(name, &rel, e))?;
        let mut buffer = vec![0u8; 128 * 1024];
        loop {
            let n = reader
                .read(&mut buffer)
                .map_err(|e| UnpackError::Corrupt { archive: self.archive.clone(), message: format!("{name}: {e}") })?;
            if n == 0 {
                break;
            }
            self.count(n as u64)?;
            out.write_all(&buffer[..n]).map_err(Self::io(&self.root.path().join(&rel)))?;
        }
        Ok(())
    }

    fn symlink(&mut self, name: &str, link_target: &Path) -> Result<(), UnpackError> {
        let rel = self.target(name)?;
        if link_target.as_os_str().is_empty() {
            return self.refuse(name, "is a link with no target");
        }
        if link_target.is_absolute() {
            return self.refuse(name, format!("is a link to the absolute path {}", link_target.display()));
        }
        // A first, lexical look; where the link really lands is checked on disk at the end.
        let mut depth: i64 = rel.components().count() as i64 - 1;
        for component in link_target.components() {
            match component {
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => depth += 1,
                _ => {}
            }
            if depth < 0 {
                return self
                    .refuse(name, format!("is a link pointing outside the archive ({})", link_target.display()));
            }
        }
        self.root.symlink(&rel, link_target).map_err(|e| self.step_error(name, &rel, e))?;
        self.links.push((name.to_owned(), rel));
        Ok(())
    }

    /// Every link, followed on disk now that all entries are out, must land inside.
    fn check_links(&self) -> Result<(), UnpackError> {
        for (name, rel) in &self.links {
            if let Err(e) = self.root.check_resolves_inside(rel) {
                let why = e.to_string();
                let why = why.strip_prefix(&rel.display().to_string()).unwrap_or(&why).trim_start();
                return self.refuse(name, format!("is a link that, followed on disk, {why}"));
            }
        }
        Ok(())
    }
}

/// Reads at most `max` bytes of an entry's body, refusing a longer one.
fn read_capped(u: &Unpacker, name: &str, reader: &mut dyn Read, max: u64, what: &str) -> Result<Vec<u8>, UnpackError> {
    let mut body = Vec::new();
    reader
        .take(max + 1)
        .read_to_end(&mut body)
        .map_err(|e| UnpackError::Corrupt { archive: u.archive.clone(), message: format!("{name}: {e}") })?;
    if body.len() as u64 > max {
        return u.too_big(format!("entry {name:?} has {what} longer than {max} bytes"));
    }
    Ok(body)
}

/// Unpacks `archive` into `root` (which exists and is empty).
pub fn unpack(archive: &Path, format: Format, root: &Path, limits: UnpackLimits) -> Result<(), UnpackError> {
    let file = File::open(archive).map_err(Unpacker::io(archive))?;
    let archive_size = file.metadata().map_err(Unpacker::io(archive))?.len();
    let mut u = Unpacker {
        archive: archive.display().to_string(),
        root: Confined::open(root).map_err(Unpacker::io(root))?,
        limits,
        archive_size,
        entries: 0,
        bytes: 0,
        links: Vec::new(),
    };
    // The whole decompressed stream is capped too: headers, padding and skipped bodies count.
    let stream_cap = limits.max_bytes.saturating_add(limits.max_entries.saturating_mul(TAR_OVERHEAD_PER_ENTRY));
    match format {
        Format::Zip => unpack_zip(&mut u, file)?,
        Format::TarGz => {
            let gz = flate2::read::GzDecoder::new(io::BufReader::new(file));
            unpack_tar(&mut u, Capped { inner: gz, left: stream_cap })?;
        }
        Format::Tar => unpack_tar(&mut u, Capped { inner: io::BufReader::new(file), left: stream_cap })?,
        Format::Plain => {
            return Err(UnpackError::Corrupt { archive: u.archive.clone(), message: "not an archive".to_owned() });
        }
    }
    u.check_links()
}

/// A reader that fails past `left` bytes.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One more byte tells a stream that ends here from one that goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(io::ErrorKind::FileTooLarge, "the decompressed archive is over its size cap")),
            };
        }
        let max = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

fn unpack_zip(u: &mut Unpacker, file: File) -> Result<(), UnpackError> {
    let corrupt = |archive: &str, e: &dyn std::fmt::Display| UnpackError::Corrupt {
        archive: archive.to_owned(),
        message: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(&u.archive, &e))?;
    if zip.len() as u64 > u.limits.max_entries {
        return u.too_big(format!("{} entries, more than {}", zip.len(), u.limits.max_entries));
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| corrupt(&u.archive, &e))?;
        let name = entry.name().map_err(|e| corrupt(&u.archive, &e))?.into_owned();
        let mode = entry.unix_mode();
        let kind = mode.map(|m| m & 0o170000);
        if entry.is_dir() {
            u.dir(&name)?;
        } else if kind == Some(0o120000) {
            let link = read_capped(u, &name, &mut entry, MAX_LINK_TARGET as u64, "a link target")?;
            u.symlink(&name, Path::new(std::ffi::OsStr::from_bytes(&link)))?;
        } else if kind.is_none_or(|k| k == 0o100000 || k == 0) {
            u.file(&name, mode.unwrap_or(0o644), &mut entry)?;
        } else {
            return u.refuse(&name, "is a device, FIFO or socket");
        }
    }
    Ok(())
}

/// Names that extension headers (GNU long names, pax records) give the next entry.
#[derive(Default)]
struct Extended {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
}

fn unpack_tar(u: &mut Unpacker, reader: impl Read) -> Result<(), UnpackError> {
    let mut archive = tar::Archive::new(reader);
    let corrupt = |u: &Unpacker, e: &io::Error| {
        if e.kind() == io::ErrorKind::FileTooLarge {
            UnpackError::TooBig { archive: u.archive.clone(), what: e.to_string() }
        } else {
            UnpackError::Corrupt { archive: u.archive.clone(), message: e.to_string() }
        }
    };
    // Raw: the tar crate would read long names and pax headers whole, whatever their size;
    // here they are read with a cap and applied to the next entry.
    let entries = archive.entries().map_err(|e| corrupt(u, &e))?.raw(true);
    let mut extended = Extended::default();
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(u, &e))?;
        let header = entry.header();
        let kind = header.entry_type();
        let raw_name = String::from_utf8_lossy(&header.path_bytes()).into_owned();
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            let mut body = read_capped(u, &raw_name, &mut entry, MAX_LONG_NAME, "a long name")?;
            while body.last() == Some(&0) {
                body.pop();
            }
            if kind.is_gnu_longname() {
                extended.path = Some(body)
            } else {
                extended.link = Some(body)
            }
            u.entries += 1;
            continue;
        }
        if kind.is_pax_local_extensions() {
            let body = read_capped(u, &raw_name, &mut entry, MAX_PAX, "a pax header")?;
            for record in tar::PaxExtensions::new(&body) {
                let record = record.map_err(|e| corrupt(u, &e))?;
                match record.key_bytes() {
                    b"path" => extended.path = Some(record.value_bytes().to_vec()),
                    b"linkpath" => extended.link = Some(record.value_bytes().to_vec()),
                    b"size" => {
                        return u.refuse(&raw_name, "uses a pax size record (files over 8 GiB are not unpacked)");
                    }
                    _ => {}
                }
            }
            u.entries += 1;
            continue;
        }
        if kind.is_pax_global_extensions() {
            u.entries += 1;
            continue;
        }
        let taken = std::mem::take(&mut extended);
        let name = match taken.path {
            Some(path) => String::from_utf8_lossy(&path).into_owned(),
            None => raw_name,
        };
        let mode = header.mode().unwrap_or(0o644);
        if kind.is_dir() {
            u.dir(&name)?;
        } else if kind.is_file() {
            u.file(&name, mode, &mut entry)?;
        } else if kind.is_symlink() {
            let link = match taken.link {
                Some(link) => link,
                None => header.link_name_bytes().map(|b| b.into_owned()).unwrap_or_default(),
            };
            u.symlink(&name, Path::new(std::ffi::OsStr::from_bytes(&link)))?;
        } else if kind.is_hard_link() {
            return u.refuse(&name, "is a hard link");
        } else {
            return u.refuse(&name, "is a device, FIFO or socket");
        }
    }
    Ok(())
}

/// Finds the regular file named `name` in `root`: at the top if there, else the shallowest
/// match (links are never followed, into folders or to files). Returns it relative to `root`.
pub fn find_binary(root: &Path, name: &str) -> Option<PathBuf> {
    if fs::symlink_metadata(root.join(name)).is_ok_and(|m| m.file_type().is_file()) {
        return Some(PathBuf::from(name));
    }
    let mut level = vec![PathBuf::new()];
    for _ in 0..8 {
        let mut next = Vec::new();
        let mut found: Vec<PathBuf> = Vec::new();
        for dir in &level {
            let Ok(entries) = fs::read_dir(root.join(dir)) else { continue };
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() {
                    next.push(dir.join(entry.file_name()));
                } else if kind.is_file() && entry.file_name() == name {
                    found.push(dir.join(entry.file_name()));
                }
            }
        }
        if !found.is_empty() {
            found.sort();
            return found.into_iter().next();
        }
        level = next;
    }
    None
}

/// Sets the execute bits of the regular file `rel` inside `root` where its read bits are set,
/// never beyond rwxr-xr-x; a link there is refused, not followed.
pub fn make_executable(root: &Confined, rel: &Path) -> io::Result<()> {
    let mode = root.mode(rel)?;
    let exec = (mode & 0o444) >> 2;
    root.set_mode(rel, (mode | exec | 0o100) & 0o755)
}

#[cfg(test)]
mod tests;
