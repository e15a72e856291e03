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
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::archive::{Codec, read_archive};
use super::tree::{Kind, Tree, walk};
use super::{Progress, Strategy};

/// What the manifest's first line says.
pub const FORMAT: &str = "visor-backup-manifest";

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

fn kind_char(kind: Kind) -> char {
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
        if records.len() as u64 > header.entries {
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

/// The digest of a sealed list of records: every entry's kind, path, mode, size, link and hash.
pub(crate) fn digest(records: &[Record]) -> String {
    let mut h = Sha256::new();
    for r in records {
        h.update(format!("{}\0{}\0{:o}\0{}\0", r.kind, r.path, r.mode, r.size));
        h.update(r.link.as_deref().unwrap_or(""));
        h.update("\0");
        h.update(r.hash.as_deref().unwrap_or(""));
        h.update("\n");
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry is as the sealed manifest says.
    Intact {
        /// Entries compared.
        entries: u64,
    },
    /// An entry differs, is missing or is extra.
    Differs {
        /// The first entry found to differ, inside the backup.
        path: String,
        /// How.
        what: String,
    },
}

/// What reading a backup (or a restored tree) back gives: its records with content hashes.
pub(crate) fn read_back(
    root: &Path,
    strategy: Strategy,
    threads: usize,
    cancel: &AtomicBool,
    progress: &Progress,
) -> io::Result<Vec<Record>> {
    match strategy {
        Strategy::TarZst | Strategy::TarGz => {
            let codec = if strategy == Strategy::TarZst { Codec::Zstd } else { Codec::Gzip };
            let mut out: Vec<Record> = Vec::new();
            read_archive(root, codec, &mut |entry, content| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(io::Error::other("cancelled"));
                }
                // A second name of a file carries no content: it is the first one's.
                let first = entry.hard_link.as_ref().map(|target| {
                    let target = encode_path(target);
                    out.iter().find(|r| r.path == target).map(|r| (r.size, r.hash.clone())).unwrap_or_default()
                });
                let (size, hash) = match first {
                    Some(found) => found,
                    None if entry.kind == Kind::File => (entry.size, Some(hash_reader(content, progress)?)),
                    None => (0, None),
                };
                out.push(Record {
                    path: encode_path(&entry.rel),
                    kind: kind_char(entry.kind),
                    mode: entry.mode & 0o7777,
                    size,
                    link: entry.link.as_deref().map(encode_path),
                    uid: u32::try_from(entry.uid).unwrap_or(u32::MAX),
                    gid: u32::try_from(entry.gid).unwrap_or(u32::MAX),
                    mtime: i64::try_from(entry.mtime).unwrap_or(i64::MAX),
                    hash,
                });
                Ok(())
            })?;
            Ok(out)
        }
        _ => {
            let entries = walk(root, &[], &[], cancel).map_err(|e| match e {
                super::tree::WalkError::Cancelled => io::Error::other("cancelled"),
                super::tree::WalkError::Read(p, e) => io::Error::new(e.kind(), format!("{}: {e}", p.display())),
            })?;
            let tree = Tree { root: root.to_owned(), prefix: PathBuf::new(), entries };
            let mut records = records_of(std::slice::from_ref(&tree));
            hash_files(root, &tree, &mut records, threads, cancel, progress)?;
            Ok(records)
        }
    }
}

fn hash_reader(reader: &mut dyn Read, progress: &Progress) -> io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        progress.add(n as u64);
    }
    Ok(hex(&h.finalize()))
}

/// Hashes the files of a listed tree on `threads` threads.
fn hash_files(
    root: &Path,
    tree: &Tree,
    records: &mut [Record],
    threads: usize,
    cancel: &AtomicBool,
    progress: &Progress,
) -> io::Result<()> {
    let files: Vec<usize> = (0..tree.entries.len()).filter(|&i| tree.entries[i].kind == Kind::File).collect();
    let next = AtomicUsize::new(0);
    let hashes: Mutex<Vec<(usize, String)>> = Mutex::new(Vec::with_capacity(files.len()));
    let failure: Mutex<Option<io::Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&index) = files.get(i) else { break };
                    if cancel.load(Ordering::Relaxed) || failure.lock().map_or(true, |f| f.is_some()) {
                        break;
                    }
                    let path = root.join(&tree.entries[index].rel);
                    let result = OpenOptions::new()
                        .read(true)
                        .custom_flags(nix::libc::O_NOFOLLOW)
                        .open(&path)
                        .and_then(|mut f| hash_reader(&mut f, progress))
                        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())));
                    match result {
                        Ok(hash) => {
                            if let Ok(mut h) = hashes.lock() {
                                h.push((index, hash));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failure.lock() {
                                f.get_or_insert(e);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(e);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(io::Error::other("cancelled"));
    }
    // `records_of` of a tree without a prefix gives one record per entry, in the same order.
    for (index, hash) in hashes.into_inner().unwrap_or_default() {
        if let Some(r) = records.get_mut(index) {
            r.hash = Some(hash);
        }
    }
    Ok(())
}

/// Compares what was read back with the manifest's records; hashes only where `sealed`.
pub(crate) fn compare(expected: &[Record], found: &[Record], sealed: bool) -> Verification {
    let mut found_by_path: std::collections::BTreeMap<&str, &Record> =
        found.iter().map(|r| (r.path.as_str(), r)).collect();
    for want in expected {
        let Some(got) = found_by_path.remove(want.path.as_str()) else {
            // Sockets and the like are listed but never copied; a backup's prefix folder is
            // implied by what it holds (an archive has no entry of its own for it).
            let implied = want.kind == 'd' && found.iter().any(|f| f.path.starts_with(&format!("{}/", want.path)));
            if want.kind == 'o' || implied {
                continue;
            }
            return Verification::Differs { path: want.path.clone(), what: "missing".into() };
        };
        let what = if got.kind != want.kind {
            Some(format!("a {} where the backup had a {}", kind_name(got.kind), kind_name(want.kind)))
        } else if want.kind == 'o' {
            None
        } else if got.mode != want.mode {
            Some(format!("mode {:o}, the manifest says {:o}", got.mode, want.mode))
        } else if got.size != want.size {
            Some(format!("{} bytes, the manifest says {}", got.size, want.size))
        } else if got.link != want.link {
            Some("the link's target differs".to_owned())
        } else if sealed && want.kind == 'f' && got.hash != want.hash {
            Some("its content differs (SHA-256)".to_owned())
        } else {
            None
        };
        if let Some(what) = what {
            return Verification::Differs { path: want.path.clone(), what };
        }
    }
    // Sockets and the like are listed but never copied: not missing when absent.
    if let Some((path, _)) = found_by_path.into_iter().next() {
        return Verification::Differs { path: path.to_owned(), what: "not in the backup's manifest".into() };
    }
    Verification::Intact { entries: expected.len() as u64 }
}

fn kind_name(kind: char) -> &'static str {
    match kind {
        'd' => "folder",
        'f' => "file",
        'l' => "link",
        _ => "special file",
    }
}

/// Why sealing or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The manifest.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Reading the backup.
    #[error("cannot read the backup {path} back: {error}")]
    Read {
        /// The backup.
        path: String,
        /// Why.
        error: io::Error,
    },
    /// It does not match the manifest written when it was taken.
    #[error("the backup {path} does not match its manifest at {entry}: {what}; it cannot be trusted")]
    Differs {
        /// The backup.
        path: String,
        /// The entry.
        entry: String,
        /// How.
        what: String,
    },
    /// Writing the sealed manifest.
    #[error("cannot write the sealed manifest {path}: {error}")]
    Write {
        /// The manifest.
        path: String,
        /// Why.
        error: io::Error,
    },
}

/// Seals the backup at `backup`: reads it back, checks it against the entries listed when it
/// was taken, and writes every file's hash and the tree's digest into its manifest. A sealed
/// backup is left as it is.
pub fn seal(backup: &Path, threads: usize, cancel: &AtomicBool) -> Result<Manifest, SealError> {
    let path = manifest_path(backup);
    let (mut header, records) = read(&path)?;
    if header.digest.is_some() {
        return Ok(header);
    }
    let progress = Progress::default();
    progress.set_total(header.bytes);
    let found = read_back(backup, header.strategy, threads, cancel, &progress)
        .map_err(|error| SealError::Read { path: backup.display().to_string(), error })?;
    if let Verification::Differs { path: entry, what } = compare(&records, &found, false) {
        return Err(SealError::Differs { path: backup.display().to_string(), entry, what });
    }
    let by_path: std::collections::HashMap<&str, &Record> = found.iter().map(|r| (r.path.as_str(), r)).collect();
    let sealed: Vec<Record> = records
        .into_iter()
        .map(|mut r| {
            r.hash = by_path.get(r.path.as_str()).and_then(|f| f.hash.clone());
            r
        })
        .collect();
    header.digest = Some(digest(&sealed));
    header.sealed_at = Some(jiff::Timestamp::now());
    write(&path, &header, &sealed).map_err(|error| SealError::Write { path: path.display().to_string(), error })?;
    Ok(header)
}

/// Verifies the backup at `backup` against its sealed manifest (sealing it first if it never
/// was): every entry, with its content.
pub fn verify(backup: &Path, threads: usize, cancel: &AtomicBool) -> Result<Verification, SealError> {
    seal(backup, threads, cancel)?;
    let (header, records) = read(&manifest_path(backup))?;
    if header.digest.as_deref() != Some(digest(&records).as_str()) {
        return Ok(Verification::Differs {
            path: manifest_path(backup).display().to_string(),
            what: "the manifest's digest does not match its entries: the manifest was changed".into(),
        });
    }
    let found = read_back(backup, header.strategy, threads, cancel, &Progress::default())
        .map_err(|error| SealError::Read { path: backup.display().to_string(), error })?;
    Ok(compare(&records, &found, true))
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

    #[test]
    fn comparing_names_the_first_difference() {
        let r = |p: &str, size, hash: &str| Record {
            path: p.into(),
            kind: 'f',
            mode: 0o644,
            size,
            link: None,
            uid: 0,
            gid: 0,
            mtime: 0,
            hash: Some(hash.into()),
        };
        let want = [r("a", 1, "x"), r("b", 2, "y")];
        assert_eq!(compare(&want, &want, true), Verification::Intact { entries: 2 });
        let changed = [r("a", 1, "x"), r("b", 2, "z")];
        assert!(matches!(compare(&want, &changed, true), Verification::Differs { path, .. } if path == "b"));
        assert_eq!(compare(&want, &changed, false), Verification::Intact { entries: 2 });
        let shorter = [r("a", 1, "x")];
        assert!(matches!(compare(&want, &shorter, true), Verification::Differs { what, .. } if what == "missing"));
        assert_ne!(digest(&want), digest(&changed));
    }
}
