use std::os::unix::fs::{PermissionsExt, symlink};

use super::super::Progress;
use super::super::tree::walk;
use super::*;

fn tree(root: &Path, prefix: &str) -> Tree {
    let entries = walk(root, &[], &[], &AtomicBool::new(false)).unwrap();
    Tree { root: root.to_owned(), prefix: PathBuf::from(prefix), entries }
}

fn copy(trees: &[Tree], dest: &Path, mode: CopyMode, cancel: bool) -> Result<Copied, BackupError> {
    let (cancel, progress) = (AtomicBool::new(cancel), Progress::default());
    let copied = copy_trees(trees, dest, mode, &Work { cancel: &cancel, progress: &progress, threads: 4 })?;
    assert_eq!(progress.read().0, copied.bytes, "the progress is not the data copied");
    Ok(copied)
}

/// Sets the times of `path` itself (never what a link points to), to the nanosecond.
fn set_times(path: &Path, secs: i64, nsec: i64) {
    let (atime, mtime) = (TimeSpec::new(secs - 1000, nsec / 2), TimeSpec::new(secs, nsec));
    let flag = UtimensatFlags::NoFollowSymlink;
    nix::sys::stat::utimensat(nix::fcntl::AT_FDCWD, path, &atime, &mtime, flag).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Every entry of `src` is in `dest/<prefix>` with the same kind, mode, owner, times, length,
/// contents and link target; nothing else is there.
fn assert_same(src: &Tree, dest: &Path) {
    let copied = tree(&dest.join(&src.prefix), "");
    let kept: Vec<_> = src.entries.iter().filter(|e| e.kind != Kind::Other).collect();
    assert_eq!(copied.entries.len(), kept.len());
    // Times first: reading a file changes its access time, for all its names.
    for &entry in &kept {
        let (a, b) = (&entry.meta, fs::symlink_metadata(dest.join(src.dest_rel(entry))).unwrap());
        let name = entry.rel.display();
        let kind = b.file_type();
        let kind = [(kind.is_dir(), Kind::Dir), (kind.is_file(), Kind::File), (kind.is_symlink(), Kind::Symlink)];
        assert_eq!(kind.into_iter().find(|k| k.0).map(|k| k.1), Some(entry.kind), "{name}");
        assert_eq!((a.mode(), a.uid(), a.gid()), (b.mode(), b.uid(), b.gid()), "{name}");
        if entry.kind != Kind::Dir {
            // A folder's length depends on its filesystem.
            assert_eq!(a.len(), b.len(), "{name}");
        }
        assert_eq!((a.mtime(), a.mtime_nsec()), (b.mtime(), b.mtime_nsec()), "{name}");
        if entry.kind != Kind::Dir {
            // Folders were read to list them, which may have changed their access times.
            assert_eq!((a.atime(), a.atime_nsec()), (b.atime(), b.atime_nsec()), "{name}");
        }
    }
    for entry in kept {
        let (from, to) = (src.root.join(&entry.rel), dest.join(src.dest_rel(entry)));
        match entry.kind {
            Kind::File => assert!(fs::read(&from).unwrap() == fs::read(&to).unwrap(), "{}", entry.rel.display()),
            Kind::Symlink => assert_eq!(fs::read_link(&from).unwrap(), fs::read_link(&to).unwrap()),
            Kind::Dir | Kind::Other => {}
        }
    }
}

/// A tree with every kind of entry a copy must keep.
fn rich_tree(root: &Path) {
    let long = "n".repeat(255);
    let mut deep = root.join("deep");
    for i in 0..8 {
        deep.push(format!("{i}{}", "d".repeat(199)));
    }
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join(&long), b"deep down").unwrap();
    fs::write(root.join(&long), b"long name").unwrap();
    fs::create_dir_all(root.join("empty")).unwrap();
    fs::create_dir_all(root.join("ro")).unwrap();
    fs::write(root.join("ro/a"), b"read-only folder").unwrap();
    fs::write(root.join("ro/b"), b"").unwrap();
    fs::write(root.join("setgid"), b"group").unwrap();
    chmod(&root.join("setgid"), 0o2640);
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("linked"), b"one inode, two names").unwrap();
    fs::hard_link(root.join("linked"), root.join("sub/linked-too")).unwrap();
    symlink("../linked", root.join("sub/inside")).unwrap();
    symlink("/etc/hostname", root.join("outside")).unwrap();
    symlink("../../nowhere", root.join("dangling")).unwrap();
    nix::unistd::mkfifo(&root.join("fifo"), Mode::S_IRWXU).unwrap();
    // Sparse: data over more than one chunk, a hole, a block of data, and a hole at the end.
    let sparse = File::create(root.join("sparse")).unwrap();
    sparse.set_len(64 << 20).unwrap();
    let data: Vec<u8> = (0..(9u32 << 20)).map(|i| (i % 251) as u8).collect();
    sparse.write_all_at(&data, 0).unwrap();
    sparse.write_all_at(b"middle", 32 << 20).unwrap();
    drop(sparse);
    if nix::unistd::geteuid().is_root() {
        nix::unistd::chown(&root.join("ro/a"), Some(Uid::from_raw(1234)), Some(Gid::from_raw(5678))).unwrap();
        let (uid, gid) = (Some(Uid::from_raw(4321)), Some(Gid::from_raw(8765)));
        nix::unistd::fchownat(nix::fcntl::AT_FDCWD, &root.join("outside"), uid, gid, AtFlags::AT_SYMLINK_NOFOLLOW)
            .unwrap();
    }
    // Times last, deepest first, as writing into a folder changes its times.
    let mut all: Vec<_> = walk(root, &[], &[], &AtomicBool::new(false)).unwrap();
    all.reverse();
    for (i, entry) in all.iter().enumerate() {
        set_times(&root.join(&entry.rel), 1_600_000_000 + i as i64, 123_456_789 + i as i64);
    }
    chmod(&root.join("ro"), 0o555);
}

/// Makes the read-only folders writable again, so the temporary folders can be removed.
fn unlock(root: &Path) {
    for dir in ["ro", "a/ro", "b/ro"] {
        if root.join(dir).is_dir() {
            chmod(&root.join(dir), 0o755);
        }
    }
}

#[test]
fn a_copy_keeps_modes_owners_times_links_holes_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    rich_tree(&src);
    let dest = dir.path().join("dest");
    let trees = [tree(&src, "")];
    let copied = copy(&trees, &dest, CopyMode::Copy, false).unwrap();

    assert_same(&trees[0], &dest);
    let kept = trees[0].entries.iter().filter(|e| e.kind != Kind::Other).count();
    assert_eq!(copied.entries, kept as u64);
    assert_eq!(copied.cloned, 0);
    assert_eq!(fs::metadata(&dest).unwrap().mode() & 0o7777, 0o700);
    assert!(!dest.join("fifo").exists());
    let (one, two) = (fs::metadata(dest.join("linked")).unwrap(), fs::metadata(dest.join("sub/linked-too")).unwrap());
    assert_eq!((one.ino(), one.nlink()), (two.ino(), 2));
    // The hard-linked file's data is copied once.
    let files: u64 = trees[0].entries.iter().filter(|e| e.kind == Kind::File).map(|e| e.meta.len()).sum();
    assert_eq!(copied.bytes, files - one.len());
    let sparse = fs::metadata(dest.join("sparse")).unwrap();
    assert_eq!(sparse.len(), 64 << 20);
    assert!(sparse.blocks() * 512 < 12 << 20, "the holes were written: {} blocks", sparse.blocks());
    assert_eq!(fs::read_link(dest.join("outside")).unwrap(), Path::new("/etc/hostname"));
    assert_eq!(fs::metadata(dest.join("ro")).unwrap().mode() & 0o7777, 0o555);
    assert_eq!(fs::metadata(dest.join("setgid")).unwrap().mode() & 0o7777, 0o2640);
    unlock(&src);
    unlock(&dest);
}

#[test]
fn several_trees_go_under_their_prefixes() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    fs::create_dir_all(one.join("x")).unwrap();
    fs::write(one.join("x/f"), b"one").unwrap();
    fs::create_dir_all(&two).unwrap();
    rich_tree(&two);
    let dest = dir.path().join("dest");
    let trees = [tree(&one, "a"), tree(&two, "b")];
    let copied = copy(&trees, &dest, CopyMode::Copy, false).unwrap();
    assert_same(&trees[0], &dest);
    assert_same(&trees[1], &dest);
    assert_eq!(fs::read(dest.join("a/x/f")).unwrap(), b"one");
    let names: Vec<_> = fs::read_dir(&dest).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2);
    assert_eq!(fs::metadata(dest.join("b")).unwrap().mode() & 0o7777, 0o700);
    let kept = trees.iter().flat_map(|t| &t.entries).filter(|e| e.kind != Kind::Other).count();
    assert_eq!(copied.entries, kept as u64);
    unlock(&two);
    unlock(&dest);
}

#[test]
fn a_cancelled_copy_stops() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("f"), b"data").unwrap();
    let result = copy(&[tree(&src, "")], &dir.path().join("dest"), CopyMode::Copy, true);
    assert!(matches!(result, Err(BackupError::Cancelled { read: 0 })), "{result:?}");
}

#[test]
fn a_source_file_gone_is_a_read_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("gone"), b"data").unwrap();
    let trees = [tree(&src, "")];
    fs::remove_file(src.join("gone")).unwrap();
    match copy(&trees, &dir.path().join("dest"), CopyMode::Copy, false) {
        Err(BackupError::Read { path, source_dir, .. }) => {
            assert_eq!(path, src.join("gone").display().to_string());
            assert_eq!(source_dir, src.display().to_string());
        }
        other => panic!("not a read error: {other:?}"),
    }
}

#[test]
fn a_file_changing_size_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("grows"), b"data").unwrap();
    let trees = [tree(&src, "")];
    fs::write(src.join("grows"), b"more data").unwrap();
    match copy(&trees, &dir.path().join("dest"), CopyMode::Copy, false) {
        Err(BackupError::Read { error, .. }) => assert!(error.to_string().contains("changed size"), "{error}"),
        other => panic!("not a read error: {other:?}"),
    }
}

#[test]
fn an_existing_destination_is_a_write_error() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("dest");
    fs::create_dir(&dest).unwrap();
    let result = copy(&[tree(dir.path(), "")], &dest, CopyMode::Copy, false);
    assert!(matches!(result, Err(BackupError::Write { .. })), "{result:?}");
}

#[test]
fn cloning_where_files_cannot_be_cloned_copies_them() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    fs::create_dir(&src).unwrap();
    rich_tree(&src);
    let dest = dir.path().join("dest");
    let trees = [tree(&src, "")];
    let copied = copy(&trees, &dest, CopyMode::Clone, false).unwrap();
    assert_same(&trees[0], &dest);
    if can_clone(&src.join("linked"), dir.path()) {
        eprintln!("{} can clone files: the fallback to a copy is not tested", dir.path().display());
    } else {
        assert_eq!(copied.cloned, 0);
    }
    let probes = fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name() != "src").count();
    assert_eq!(probes, 1, "the probe file was left behind");
    unlock(&src);
    unlock(&dest);
}

#[test]
fn on_xfs_every_file_is_cloned() {
    let Some(xfs) = super::super::loopfs::LoopFs::mount("xfs") else { return };
    let root = xfs.mount.path();
    let src = root.join("src");
    fs::create_dir_all(src.join("sub")).unwrap();
    fs::write(src.join("a"), vec![7u8; 3 << 20]).unwrap();
    fs::write(src.join("sub/b"), b"small").unwrap();
    fs::write(src.join("empty"), b"").unwrap();
    let sparse = File::create(src.join("sparse")).unwrap();
    sparse.set_len(16 << 20).unwrap();
    sparse.write_all_at(b"data", 8 << 20).unwrap();
    drop(sparse);
    symlink("a", src.join("link")).unwrap();
    set_times(&src.join("a"), 1_600_000_000, 987_654_321);

    let dest = root.join("dest");
    let trees = [tree(&src, "")];
    let copied = copy(&trees, &dest, CopyMode::Clone, false).unwrap();
    assert_same(&trees[0], &dest);
    assert_eq!(copied.cloned, 4);
    assert_eq!(copied.bytes, (3 << 20) + 5 + (16 << 20));
    assert!(can_clone(&src.join("a"), root));
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join("sample"), b"sample").unwrap();
    let fs_type = nix::sys::statfs::statfs(other.path()).unwrap().filesystem_type();
    if [nix::sys::statfs::EXT4_SUPER_MAGIC, nix::sys::statfs::TMPFS_MAGIC].contains(&fs_type) {
        assert!(!can_clone(&other.path().join("sample"), other.path()));
    }
    // A clone across filesystems is never possible.
    assert!(!can_clone(&other.path().join("sample"), root));
    // Across filesystems neither cloning nor copy_file_range works: the data is read and written.
    for (mode, name) in [(CopyMode::Clone, "cloned"), (CopyMode::Copy, "copied")] {
        let dest = other.path().join(name);
        let copied = copy(&trees, &dest, mode, false).unwrap();
        assert_same(&trees[0], &dest);
        assert_eq!(copied.cloned, 0);
        assert!(fs::metadata(dest.join("sparse")).unwrap().blocks() < 64, "the hole was written");
    }
    let left: Vec<_> = fs::read_dir(root).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "the probe file was left behind: {left:?}");
}
