//! Sealing and verifying a backup: it is read back (a folder walked and its files hashed on
//! several threads, or an archive streamed), compared entry by entry with its manifest, and the
//! hashes and the tree's digest written into the manifest. A restore compares the tree it
//! rebuilt the same way.

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sha2::{Digest as _, Sha256};

use super::archive::{Codec, read_archive};
use super::manifest::{
    Manifest, ManifestError, Record, digest, encode_path, hex, kind_char, manifest_path, read, records_of, write,
};
use super::tree::{Kind, Tree, walk};
use super::{Progress, Strategy};

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
            // Each file's size and hash by its path, for the names that are hard links to it.
            let mut files: std::collections::HashMap<String, (u64, Option<String>)> = std::collections::HashMap::new();
            read_archive(root, codec, &mut |entry, content| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(io::Error::other("cancelled"));
                }
                // A second name of a file carries no content: it is the first one's.
                let first =
                    entry.hard_link.as_ref().map(|target| files.get(&encode_path(target)).cloned().unwrap_or_default());
                let (size, hash) = match first {
                    Some(found) => found,
                    None if entry.kind == Kind::File => (entry.size, Some(hash_reader(content, progress)?)),
                    None => (0, None),
                };
                if entry.kind == Kind::File {
                    files.insert(encode_path(&entry.rel), (size, hash.clone()));
                }
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
    // Folders that hold something that was found: an archive has no entry of its own for a
    // backup's prefix folder.
    let holders: std::collections::HashSet<&str> =
        found.iter().filter_map(|r| r.path.rsplit_once('/').map(|(parent, _)| parent)).collect();
    for want in expected {
        let Some(got) = found_by_path.remove(want.path.as_str()) else {
            // Sockets and the like are listed but never copied; a backup's prefix folder is
            // implied by what it holds (an archive has no entry of its own for it).
            let implied = want.kind == 'd' && holders.contains(want.path.as_str());
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
    header.digest = Some(digest(&header, &sealed));
    header.sealed_at = Some(jiff::Timestamp::now());
    write(&path, &header, &sealed).map_err(|error| SealError::Write { path: path.display().to_string(), error })?;
    Ok(header)
}

/// Verifies the backup at `backup` against its sealed manifest (sealing it first if it never
/// was): every entry, with its content.
pub fn verify(backup: &Path, threads: usize, cancel: &AtomicBool) -> Result<Verification, SealError> {
    seal(backup, threads, cancel)?;
    let (header, records) = read(&manifest_path(backup))?;
    if header.digest.as_deref() != Some(digest(&header, &records).as_str()) {
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
    }
}
