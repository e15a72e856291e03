//! The tree a backup holds: every entry of a source folder, listed once, in a stable order,
//! without following a link. Every strategy (copy, clone, archive) and the manifest read the
//! same listing, so they agree on what the backup is.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// A file's identity on disk: the same (device, inode) is the same file, whatever the path.
pub(crate) type FileId = (u64, u64);

pub(crate) fn file_id(meta: &fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

/// What an entry is. Sockets, FIFOs and devices are `Other`: listed (so the manifest says they
/// were there) but never copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dir,
    File,
    Symlink,
    Other,
}

impl Kind {
    fn of(meta: &fs::Metadata) -> Self {
        let t = meta.file_type();
        if t.is_dir() {
            Self::Dir
        } else if t.is_file() {
            Self::File
        } else if t.is_symlink() {
            Self::Symlink
        } else {
            debug_assert!(t.is_fifo() || t.is_socket() || t.is_block_device() || t.is_char_device());
            Self::Other
        }
    }
}

/// One entry below a tree's root.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Relative to the source's root; never empty.
    pub(crate) rel: PathBuf,
    pub(crate) kind: Kind,
    /// As `lstat` saw it while listing.
    pub(crate) meta: fs::Metadata,
}

/// One source folder, listed: its entries go to `prefix` inside the backup (empty when the
/// backup holds one source; its label when it holds several).
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub(crate) root: PathBuf,
    pub(crate) prefix: PathBuf,
    pub(crate) entries: Vec<Entry>,
}

impl Tree {
    /// Bytes of regular files (what a copy reads).
    pub(crate) fn bytes(&self) -> u64 {
        self.entries.iter().filter(|e| e.kind == Kind::File).fold(0u64, |sum, e| sum.saturating_add(e.meta.len()))
    }

    /// The path of `entry` inside the backup.
    pub(crate) fn dest_rel(&self, entry: &Entry) -> PathBuf {
        self.prefix.join(&entry.rel)
    }
}

/// Why listing failed.
#[derive(Debug)]
pub(crate) enum WalkError {
    Cancelled,
    Read(PathBuf, io::Error),
}

/// Lists `root` in pre-order (a folder before what it holds), names sorted within each folder,
/// leaving out the top-level names in `exclude` and anything whose identity is in `skip` (the
/// backup's own output, however it is reached). Links are listed as links, never followed; the
/// root itself is the operator's path and may be one.
///
/// Every folder is read through a descriptor opened from its parent's without following a link
/// and checked to be the folder just listed: a folder swapped for a link while the tree is
/// listed (by a node that owns its data) cannot lead the listing outside the tree.
pub(crate) fn walk(
    root: &Path,
    exclude: &[String],
    skip: &[FileId],
    cancel: &AtomicBool,
) -> Result<Vec<Entry>, WalkError> {
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::rc::Rc;

    use nix::fcntl::{OFlag, open, openat};
    use nix::sys::stat::Mode;

    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    let read_err = |path: &Path| {
        let path = path.to_owned();
        move |e: nix::Error| WalkError::Read(path, io::Error::from(e))
    };
    let root_fd: OwnedFd = open(root, flags, Mode::empty()).map_err(read_err(root))?;
    let mut entries = Vec::new();
    // A folder to read: its path in the tree, its parent's descriptor and what it was listed as
    // (opened only when its turn comes, so a folder of many folders holds one descriptor).
    struct Pending {
        rel: PathBuf,
        parent: Option<Rc<OwnedFd>>,
        id: FileId,
    }
    let mut root_fd = Some(root_fd);
    let mut stack = vec![Pending { rel: PathBuf::new(), parent: None, id: (0, 0) }];
    while let Some(pending) = stack.pop() {
        if cancel.load(Ordering::Relaxed) {
            return Err(WalkError::Cancelled);
        }
        let dir_rel = pending.rel;
        let dir_fd = match (pending.parent, root_fd.take()) {
            (None, Some(fd)) => Rc::new(fd),
            (Some(parent), _) => {
                let path = root.join(&dir_rel);
                let name = dir_rel.file_name().unwrap_or_default();
                let fd =
                    openat(parent.as_ref(), name, flags | OFlag::O_NOFOLLOW, Mode::empty()).map_err(read_err(&path))?;
                let opened = nix::sys::stat::fstat(&fd).map_err(read_err(&path))?;
                if (opened.st_dev, opened.st_ino) != pending.id {
                    return Err(WalkError::Read(
                        path,
                        io::Error::other("the folder was replaced while it was listed; stop whatever writes the data"),
                    ));
                }
                Rc::new(fd)
            }
            (None, None) => continue,
        };
        // The folder itself, by its descriptor: whatever its path has become meanwhile.
        let here = PathBuf::from(format!("/proc/self/fd/{}", dir_fd.as_raw_fd()));
        let shown = root.join(&dir_rel);
        let read = |e| WalkError::Read(shown.clone(), e);
        let mut names: Vec<_> = fs::read_dir(&here)
            .map_err(read)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(read)?;
        names.sort();
        let mut subdirs = Vec::new();
        for name in names {
            if dir_rel.as_os_str().is_empty() && exclude.iter().any(|x| name == x.as_str()) {
                continue;
            }
            let rel = dir_rel.join(&name);
            let meta = match fs::symlink_metadata(here.join(&name)) {
                Ok(meta) => meta,
                // Gone since the listing: not part of the tree.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(WalkError::Read(root.join(&rel), e)),
            };
            if skip.contains(&file_id(&meta)) {
                tracing::debug!(path = %root.join(&rel).display(), "not backing up the backups themselves");
                continue;
            }
            let kind = Kind::of(&meta);
            if kind == Kind::Dir {
                subdirs.push(Pending { rel: rel.clone(), parent: Some(Rc::clone(&dir_fd)), id: file_id(&meta) });
            }
            entries.push(Entry { rel, kind, meta });
        }
        stack.extend(subdirs.into_iter().rev());
    }
    entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_in_order_without_following_links_or_the_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/f"), b"x").unwrap();
        fs::write(root.join("a/g"), b"xy").unwrap();
        fs::create_dir_all(root.join("skipme/x")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
        let entries = walk(root, &["skipme".into()], &[], &AtomicBool::new(false)).unwrap();
        let names: Vec<_> = entries.iter().map(|e| (e.rel.display().to_string(), e.kind)).collect();
        assert_eq!(
            names,
            [
                ("a".to_owned(), Kind::Dir),
                ("a/b".to_owned(), Kind::Dir),
                ("a/b/f".to_owned(), Kind::File),
                ("a/g".to_owned(), Kind::File),
                ("etc".to_owned(), Kind::Symlink),
            ]
        );
    }

    #[test]
    fn the_skipped_identity_is_left_out_wherever_it_is() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("x/backups")).unwrap();
        let id = file_id(&fs::metadata(dir.path().join("x/backups")).unwrap());
        let entries = walk(dir.path(), &[], &[id], &AtomicBool::new(false)).unwrap();
        assert_eq!(entries.len(), 1);
        assert!(matches!(walk(dir.path(), &[], &[], &AtomicBool::new(true)), Err(WalkError::Cancelled)));
    }
}
