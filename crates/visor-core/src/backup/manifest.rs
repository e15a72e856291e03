//! The manifest beside every backup (`<backup>.manifest`): what the backup holds, so it can be
//! listed without reading it and verified before it is trusted.
//!
//! JSON lines: a header, then one line per entry (path, kind, mode, size, link target, owner,
//! time). The entries are written when the backup is taken, from the listing of the data; the
//! backup is *sealed* afterwards, while the new node runs, by reading the backup itself back and
//! adding each file's SHA-256 and a digest of the whole tree. Verifying recomputes the same
//! from a backup (or from a tree restored from it) and compares entry by entry. Times and owners
//! are kept but not compared: an archive keeps seconds only, and a restore by another user owns
//! what it writes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::Strategy;
use super::tree::{Kind, Tree};

/// What the manifest's first line says.
pub const FORMAT: &str = "visor-backup-manifest";

/// The most entries a manifest is read with (a node's data holds far fewer files).
const MAX_ENTRIES: u64 = 20_000_000;

/// The longest manifest line read (a path of 4096 bytes, escaped, and the rest).
const MAX_LINE: u64 = 64 << 10;

/// The manifest's header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u32,
    /// How the backup was written.
    pub strategy: Strategy,
    /// When it was taken.
    pub created_at: jiff::Timestamp,
    /// The upgrade it was taken for.
    pub upgrade: String,
    /// The release whose data it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The folders it holds and where each is inside it.
    pub sources: Vec<SourceRecord>,
    /// Entries listed below.
    pub entries: u64,
    /// Bytes of file data.
    pub bytes: u64,
    /// Time taken, in milliseconds.
    pub took_ms: u64,
    /// Once sealed: the digest of every entry with its content hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// When it was sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_at: Option<jiff::Timestamp>,
}

/// A folder a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    /// The folder backed up (and restored to).
    pub path: PathBuf,
    /// Where it is inside the backup (empty: the backup's root).
    pub prefix: PathBuf,
    /// The folder's own permission bits, given back to it by a restore.
    #[serde(default = "private")]
    pub mode: u32,
    /// Its top-level entries left out (the visor's own folder, the backups): a restore carries
    /// them over from the data it replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

fn private() -> u32 {
    0o700
}

/// One entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// Path inside the backup (escaped, see [`encode_path`]).
    #[serde(rename = "p")]
    pub(crate) path: String,
    /// `d`, `f`, `l` (symbolic link) or `o` (not backed up: a socket, FIFO or device).
    #[serde(rename = "k")]
    pub(crate) kind: char,
    /// Permission bits.
    #[serde(rename = "m")]
    pub(crate) mode: u32,
    /// Of a file: its length.
    #[serde(rename = "s", default)]
    pub(crate) size: u64,
    /// Of a link: its target (escaped).
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<String>,
    #[serde(rename = "u", default)]
    pub(crate) uid: u32,
    #[serde(rename = "g", default)]
    pub(crate) gid: u32,
    /// Modification time, seconds.
    #[serde(rename = "t", default)]
    pub(crate) mtime: i64,
    /// Of a file, once sealed: its SHA-256.
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    pub(crate) hash: Option<String>,
}

pub(crate) fn kind_char(kind: Kind) -> char {
    match kind {
        Kind::Dir => 'd',
        Kind::File => 'f',
        Kind::Symlink => 'l',
        Kind::Other => 'o',
    }
}

/// A path as manifest text: UTF-8 as it is, with `%` and bytes that are not UTF-8 written `%XX`.
pub(crate) fn encode_path(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '%' {
                out.push_str("%25");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`encode_path`]; `None` for text it never writes.
pub(crate) fn decode_path(text: &str) -> Option<PathBuf> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut it = text.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next()?, it.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// The records of listed trees, in the backup's order.
pub(crate) fn records_of(trees: &[Tree]) -> Vec<Record> {
    let mut out = Vec::new();
    for tree in trees {
        // The prefix folder of a backup of several sources is an entry of its own.
        if !tree.prefix.as_os_str().is_empty() {
            out.push(Record {
                path: encode_path(&tree.prefix),
                kind: 'd',
                // Made by the copy, private; the source's own mode is in its `SourceRecord`.
                mode: 0o700,
                size: 0,
                link: None,
                uid: 0,
                gid: 0,
                mtime: 0,
                hash: None,
            });
        }
        for e in &tree.entries {
            let link = (e.kind == Kind::Symlink)
                .then(|| fs::read_link(tree.root.join(&e.rel)).ok())
                .flatten()
                .map(|t| encode_path(&t));
            out.push(Record {
                path: encode_path(&tree.dest_rel(e)),
                kind: kind_char(e.kind),
                mode: e.meta.mode() & 0o7777,
                size: if e.kind == Kind::File { e.meta.len() } else { 0 },
                link,
                uid: e.meta.uid(),
                gid: e.meta.gid(),
                mtime: e.meta.mtime(),
                hash: None,
            });
        }
    }
    out
}

/// The manifest of `backup`.
pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut name = backup.file_name().unwrap_or_default().to_owned();
    name.push(".manifest");
    backup.with_file_name(name)
}

/// Writes `header` and `records` to `path` atomically (private, fsync'd).
pub(crate) fn write(path: &Path, header: &Manifest, records: &[Record]) -> io::Result<()> {
    let tmp = crate::durable::temp_sibling(path, "tmp");
    let result = (|| {
        let file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        for r in records {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")?;
        }
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        crate::durable::sync_parent(path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A manifest that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the backup manifest {path}: {message}")]
pub struct ManifestError {
    /// The manifest.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn open_bounded_lines(path: &Path) -> io::Result<BufReader<File>> {
    let file = OpenOptions::new().read(true).custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(BufReader::with_capacity(1 << 16, file))
}

fn next_line(reader: &mut BufReader<File>, line: &mut Vec<u8>) -> io::Result<bool> {
    line.clear();
    let n = reader.by_ref().take(MAX_LINE + 1).read_until(b'\n', line)?;
    if n as u64 > MAX_LINE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("a line is longer than {MAX_LINE} bytes")));
    }
    Ok(n > 0)
}

/// Reads the header of the manifest at `path`.
pub fn read_header(path: &Path) -> Result<Manifest, ManifestError> {
    let err = |message: String| ManifestError { path: path.display().to_string(), message };
    let mut reader = open_bounded_lines(path).map_err(|e| err(e.to_string()))?;
    let mut line = Vec::new();
    if !next_line(&mut reader, &mut line).map_err(|e| err(e.to_string()))? {
        return Err(err("it is empty".into()));
    }
    let header: Manifest = serde_json::from_slice(&line).map_err(|e| err(format!("its header: {e}")))?;
    if header.format != FORMAT || header.version != 1 {
        return Err(err(format!("not a version 1 {FORMAT}")));
    }
    Ok(header)
}

/// Reads the whole manifest at `path`.
pub(crate) fn read(path: &Path) -> Result<(Manifest, Vec<Record>), ManifestError> {
    let header = read_header(path)?;
    let err = |message: String| ManifestError { path: path.display().to_string(), message };
    let mut reader = open_bounded_lines(path).map_err(|e| err(e.to_string()))?;
    let mut line = Vec::new();
    next_line(&mut reader, &mut line).map_err(|e| err(e.to_string()))?;
    let mut records = Vec::new();
    let mut n = 1;
    while next_line(&mut reader, &mut line).map_err(|e| err(e.to_string()))? {
        n += 1;
        let record: Record = serde_json::from_slice(&line).map_err(|e| err(format!("line {n}: {e}")))?;
        if decode_path(&record.path).is_none_or(|p| !is_plain(&p)) {
            return Err(err(format!("line {n}: the path {:?} leaves the backup", record.path)));
        }
        records.push(record);
        if records.len() as u64 > header.entries.min(MAX_ENTRIES) {
            return Err(err(format!("more entries than the {} its header says", header.entries)));
        }
    }
    if records.len() as u64 != header.entries {
        return Err(err(format!("{} entries, its header says {}: it is incomplete", records.len(), header.entries)));
    }
    Ok((header, records))
}

/// A relative path of plain names (no root, no `..`).
pub(crate) fn is_plain(path: &Path) -> bool {
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The digest of a sealed backup: where each folder it holds goes back (path, place, mode, what
/// was left out), its strategy, and every entry's kind, path, mode, size, link and hash.
pub(crate) fn digest(header: &Manifest, records: &[Record]) -> String {
    let mut h = Sha256::new();
    h.update(format!("{}\n", header.strategy.name()));
    for s in &header.sources {
        h.update(s.path.as_os_str().as_bytes());
        h.update("\0");
        h.update(s.prefix.as_os_str().as_bytes());
        h.update(format!("\0{:o}\0{}\n", s.mode, s.exclude.join("/")));
    }
    for r in records {
        h.update(format!("{}\0{}\0{:o}\0{}\0", r.kind, r.path, r.mode, r.size));
        h.update(r.link.as_deref().unwrap_or(""));
        h.update("\0");
        h.update(r.hash.as_deref().unwrap_or(""));
        h.update("\n");
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_whatever_their_bytes() {
        for bytes in [&b"plain/name"[..], b"100%", b"bad\xff\xfebytes", b"%41"] {
            let path = PathBuf::from(std::ffi::OsStr::from_bytes(bytes));
            assert_eq!(decode_path(&encode_path(&path)).unwrap(), path);
        }
        assert_eq!(decode_path("%4"), None);
        assert!(!is_plain(Path::new("../x")) && !is_plain(Path::new("/x")) && is_plain(Path::new("a/b")));
    }
}
