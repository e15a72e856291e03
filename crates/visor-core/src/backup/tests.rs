//! Every strategy round-trips a tree of odd files: backed up, sealed, verified, restored in
//! place of changed data, and compared with the original; damage is refused at restore.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::manifest::manifest_path;
use super::seal::Verification;
use super::*;

/// A data folder with a sparse file, hard links, links in and out of the tree, a long name, an
/// empty folder, a read-only folder, odd modes and old times.
fn odd_tree(root: &Path) {
    fs::create_dir_all(root.join("db/empty")).unwrap();
    fs::create_dir_all(root.join("ro")).unwrap();
    fs::write(root.join("db/state.db"), vec![7u8; 300_000]).unwrap();
    fs::write(root.join("ro/inside"), b"read-only folder").unwrap();
    fs::set_permissions(root.join("ro"), fs::Permissions::from_mode(0o555)).unwrap();
    let sparse = fs::File::create(root.join("sparse")).unwrap();
    sparse.set_len(32 << 20).unwrap();
    use std::os::unix::fs::FileExt;
    sparse.write_all_at(b"data in the middle", 16 << 20).unwrap();
    fs::hard_link(root.join("db/state.db"), root.join("db/state.link")).unwrap();
    symlink("state.db", root.join("db/inside-link")).unwrap();
    symlink("/etc/hostname", root.join("outside-link")).unwrap();
    fs::write(root.join("x".repeat(200)), b"long name").unwrap();
    fs::write(root.join("priv_validator_key.json"), b"{\"secret\":1}").unwrap();
    fs::set_permissions(root.join("priv_validator_key.json"), fs::Permissions::from_mode(0o600)).unwrap();
    let old = nix::sys::time::TimeSpec::new(1_600_000_000, 123_456_789);
    for p in ["db/state.db", "sparse", "outside-link"] {
        nix::sys::stat::utimensat(
            nix::fcntl::AT_FDCWD,
            &root.join(p),
            &old,
            &old,
            nix::sys::stat::UtimensatFlags::NoFollowSymlink,
        )
        .unwrap();
    }
}

/// What a user compares: every entry's kind, mode, size, content, link target and (seconds of)
/// modification time, and which names share a file.
fn snapshot(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut inodes: Vec<(u64, String)> = Vec::new();
    for e in tree::walk(root, &[], &[], &AtomicBool::new(false)).unwrap() {
        let path = root.join(&e.rel);
        let rel = e.rel.display().to_string();
        let shared = inodes.iter().find(|(ino, _)| *ino == e.meta.ino() && e.meta.is_file()).map(|(_, p)| p.clone());
        if e.meta.is_file() && e.meta.nlink() > 1 && shared.is_none() {
            inodes.push((e.meta.ino(), rel.clone()));
        }
        let content = match e.kind {
            tree::Kind::File => {
                use sha2::Digest as _;
                format!("{:?}", sha2::Sha256::digest(fs::read(&path).unwrap()).as_slice())
            }
            tree::Kind::Symlink => fs::read_link(&path).unwrap().display().to_string(),
            _ => String::new(),
        };
        let mtime = if e.kind == tree::Kind::Dir { 0 } else { e.meta.mtime() };
        out.push(format!(
            "{rel} {:?} {:o} {} {content} {mtime} {shared:?}",
            e.kind,
            e.meta.mode() & 0o7777,
            e.meta.len()
        ));
    }
    out
}

fn settings(dir: &Path, strategy: Strategy) -> BackupSettings {
    let mut s = BackupSettings::new(dir.join("home/data"), vec![], dir.join("backups"), Naming::PerUpgrade);
    s.strategy = strategy;
    s
}

/// Where the settings back data up from: where a restore may go.
fn allowed(s: &BackupSettings) -> Vec<PathBuf> {
    s.sources.iter().map(|x| x.path.clone()).collect()
}

fn take_one(s: &BackupSettings) -> BackupReport {
    let what = BackupFor { upgrade: "v2".into(), release: Some("genesis".into()) };
    take(s, &what, &AtomicBool::new(false), &Progress::default()).unwrap()
}

#[test]
fn every_strategy_round_trips_a_tree_of_odd_files() {
    for strategy in [Strategy::Snapshot, Strategy::Copy, Strategy::TarZst, Strategy::TarGz] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("home/data");
        odd_tree(&data);
        let before = snapshot(&data);
        let s = settings(dir.path(), strategy);
        let report = take_one(&s);
        assert!(report.path.exists() && manifest_path(&report.path).exists(), "{strategy}");
        assert_eq!(fs::metadata(&report.path).unwrap().mode() & 0o777, if strategy.is_tree() { 0o700 } else { 0o600 });
        assert_eq!(fs::metadata(manifest_path(&report.path)).unwrap().mode() & 0o777, 0o600);
        let sealed = seal(&report.path, 2, &AtomicBool::new(false)).unwrap();
        assert!(sealed.digest.is_some(), "{strategy}: sealed");
        assert!(
            matches!(verify(&report.path, 2, &AtomicBool::new(false)).unwrap(), Verification::Intact { .. }),
            "{strategy}: a fresh backup verifies"
        );
        // The node changes its data; the restore brings the backup's back.
        fs::write(data.join("db/state.db"), b"migrated by the new release").unwrap();
        fs::remove_file(data.join("sparse")).unwrap();
        fs::write(data.join("new-file"), b"x").unwrap();
        let journal = dir.path().join("restore.json");
        let done =
            restore(&report.path, &allowed(&s), &journal, &AtomicBool::new(false), &Progress::default()).unwrap();
        assert_eq!(snapshot(&data), before, "{strategy}: the restored data is the data backed up");
        let sparse_blocks = fs::metadata(data.join("sparse")).unwrap().blocks();
        assert!(sparse_blocks < 1024, "{strategy}: the sparse file stays sparse ({sparse_blocks} blocks)");
        let kept = done.restored[0].1.clone().unwrap();
        assert!(kept.join("new-file").exists(), "{strategy}: the replaced data is kept");
        restore::release_kept(&journal);
        assert!(!kept.exists() && !journal.exists(), "{strategy}: released once the node came up");
    }
}

#[test]
fn a_damaged_backup_is_refused_and_the_data_left_as_it_is() {
    for strategy in [Strategy::Copy, Strategy::TarGz] {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("home/data");
        odd_tree(&data);
        let s = settings(dir.path(), strategy);
        let report = take_one(&s);
        seal(&report.path, 2, &AtomicBool::new(false)).unwrap();
        if strategy.is_tree() {
            let f = report.path.join("db/state.db");
            let mut bytes = fs::read(&f).unwrap();
            bytes[1000] ^= 1;
            fs::write(&f, bytes).unwrap();
        } else {
            // Damage that changes the data (a flipped bit of a compressed stream may well not:
            // a back-reference into a run of zeros reads zeros from anywhere in it): one byte of
            // state.db's content, in an archive whose gzip layer is otherwise sound.
            use std::io::{Read as _, Write as _};
            let mut tar = Vec::new();
            flate2::read::GzDecoder::new(fs::File::open(&report.path).unwrap()).read_to_end(&mut tar).unwrap();
            let at = tar.windows(4096).position(|w| w.iter().all(|b| *b == 7)).expect("state.db's content");
            tar[at + 100] ^= 1;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&tar).unwrap();
            fs::write(&report.path, gz.finish().unwrap()).unwrap();
        }
        fs::write(data.join("db/state.db"), b"current").unwrap();
        let before = snapshot(&data);
        let journal = dir.path().join("restore.json");
        let e = restore(&report.path, &allowed(&s), &journal, &AtomicBool::new(false), &Progress::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("damaged") || e.contains("cannot"), "{strategy}: {e}");
        assert_eq!(snapshot(&data), before, "{strategy}: nothing restored");
        let left: Vec<_> = fs::read_dir(dir.path().join("home")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "{strategy}: no rebuilt tree left: {left:?}");
        assert!(!journal.exists());
    }
}

#[test]
fn an_edited_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    odd_tree(&dir.path().join("home/data"));
    let s = settings(dir.path(), Strategy::Copy);
    let report = take_one(&s);
    seal(&report.path, 2, &AtomicBool::new(false)).unwrap();
    let m = manifest_path(&report.path);
    let sealed = fs::read_to_string(&m).unwrap();
    // An entry's mode, or where the backup goes back to: either is refused.
    let data = dir.path().join("home/data").display().to_string();
    for edited in [sealed.replace("\"m\":384", "\"m\":420"), sealed.replace(&data, "/etc")] {
        assert_ne!(edited, sealed);
        fs::write(&m, edited).unwrap();
        let e =
            restore(&report.path, &allowed(&s), &dir.path().join("j"), &AtomicBool::new(false), &Progress::default())
                .unwrap_err();
        assert!(matches!(e, RestoreError::Tampered { .. } | RestoreError::NotOurs { .. }), "{e}");
        // Verification says so too: the digest covers where the backup goes back.
        assert!(matches!(verify(&report.path, 2, &AtomicBool::new(false)).unwrap(), Verification::Differs { .. }));
    }
}

#[test]
fn a_backup_goes_back_only_where_the_settings_back_up_from() {
    let dir = tempfile::tempdir().unwrap();
    odd_tree(&dir.path().join("home/data"));
    let s = settings(dir.path(), Strategy::Copy);
    let report = take_one(&s);
    let elsewhere = [dir.path().join("other")];
    let e = restore(&report.path, &elsewhere, &dir.path().join("j"), &AtomicBool::new(false), &Progress::default())
        .unwrap_err();
    assert!(matches!(e, RestoreError::NotOurs { .. }), "{e}");
}

#[test]
fn a_file_reached_through_a_folder_swapped_for_a_link_is_not_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("home/data");
    fs::create_dir_all(data.join("a")).unwrap();
    fs::write(data.join("a/secret"), b"the node's own").unwrap();
    // A file of the same name and size outside the tree, that the node must not get copied.
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret"), b"someone else's").unwrap();
    let entries = tree::walk(&data, &[], &[], &AtomicBool::new(false)).unwrap();
    // Between the listing and the copy, the node swaps its folder for a link.
    fs::rename(data.join("a"), data.join("a.old")).unwrap();
    symlink(&outside, data.join("a")).unwrap();
    let trees = [tree::Tree { root: data, prefix: PathBuf::new(), entries }];
    let work = Work { cancel: &AtomicBool::new(false), progress: &Progress::default(), threads: 2 };
    let e = copy::copy_trees(&trees, &dir.path().join("b"), copy::CopyMode::Copy, &work).unwrap_err();
    assert!(e.to_string().contains("replaced"), "{e}");
}

#[test]
fn several_folders_are_backed_up_and_restored_each_to_its_place() {
    for strategy in [Strategy::Copy, Strategy::TarZst] {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("one/state"), dir.path().join("two/state"));
        odd_tree(&a);
        fs::create_dir_all(&b).unwrap();
        fs::write(b.join("f"), b"second folder").unwrap();
        let (before_a, before_b) = (snapshot(&a), snapshot(&b));
        let mut s = settings(dir.path(), strategy);
        s.sources =
            vec![BackupSource { path: a.clone(), exclude: vec![] }, BackupSource { path: b.clone(), exclude: vec![] }];
        let report = take_one(&s);
        fs::write(b.join("f"), b"changed").unwrap();
        fs::remove_dir_all(&a).unwrap();
        restore(&report.path, &allowed(&s), &dir.path().join("j"), &AtomicBool::new(false), &Progress::default())
            .unwrap();
        assert_eq!((snapshot(&a), snapshot(&b)), (before_a, before_b), "{strategy}");
    }
}

#[test]
fn retention_keeps_the_newest_and_partials_of_a_killed_visor_go() {
    let dir = tempfile::tempdir().unwrap();
    odd_tree(&dir.path().join("home/data"));
    let mut s = settings(dir.path(), Strategy::TarZst);
    s.naming = Naming::Dated { prefix: "data-backup".into() };
    let paths: Vec<PathBuf> = (0..3).map(|_| take_one(&s).path).collect();
    assert_eq!(list(&s.dir, &s.naming).unwrap().len(), 3);
    prune(&s.dir, &s.naming, 2);
    let left: Vec<PathBuf> = list(&s.dir, &s.naming).unwrap().into_iter().map(|b| b.path).collect();
    assert_eq!(left, [paths[2].clone(), paths[1].clone()], "the newest two");
    assert!(!manifest_path(&paths[0]).exists());
}

/// What a restore rebuilds beside `data` from the folder backup `backup`, before its swap.
fn rebuilt_beside(data: &Path, backup: &Path) -> PathBuf {
    let staging = crate::durable::temp_sibling(data, "restore");
    let entries = tree::walk(backup, &[], &[], &AtomicBool::new(false)).unwrap();
    let trees = [tree::Tree { root: backup.to_owned(), prefix: PathBuf::new(), entries }];
    let work = Work { cancel: &AtomicBool::new(false), progress: &Progress::default(), threads: 2 };
    copy::copy_trees(&trees, &staging, copy::CopyMode::Copy, &work).unwrap();
    staging
}

#[test]
fn a_restore_killed_before_or_after_its_swap_converges() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("home/data");
    odd_tree(&data);
    let report = take_one(&settings(dir.path(), Strategy::Copy));
    let backed_up = snapshot(&data);
    fs::write(data.join("db/state.db"), b"newer").unwrap();
    let newer = snapshot(&data);
    let journal = dir.path().join("restore.json");
    // Killed after the journal, before the swap: the restore did not happen.
    let staging = rebuilt_beside(&data, &report.path);
    let item = RestoreItem {
        data: data.clone(),
        staging: staging.clone(),
        kept: dir.path().join("home/data.pre-restore-x"),
        staged_inode: fs::metadata(&staging).unwrap().ino(),
        carried: vec![],
    };
    let j =
        RestoreJournal { backup: report.path.clone(), items: vec![item.clone()], swapped: false, kept_earlier: vec![] };
    crate::durable::write_json_atomic(&journal, &j).unwrap();
    assert!(recover_restore(&journal).is_none());
    assert_eq!(snapshot(&data), newer, "undone: the data as it was");
    assert!(!staging.exists() && !journal.exists());
    // Killed right after the swap, before the journal said so: finished.
    let staging = rebuilt_beside(&data, &report.path);
    let item = RestoreItem { staging: staging.clone(), staged_inode: fs::metadata(&staging).unwrap().ino(), ..item };
    crate::durable::write_json_atomic(&journal, &RestoreJournal { items: vec![item.clone()], ..j }).unwrap();
    nix::fcntl::renameat2(
        nix::fcntl::AT_FDCWD,
        &staging,
        nix::fcntl::AT_FDCWD,
        &data,
        nix::fcntl::RenameFlags::RENAME_EXCHANGE,
    )
    .unwrap();
    assert!(recover_restore(&journal).is_some_and(|j| j.swapped));
    assert_eq!(snapshot(&data), backed_up, "finished: the backup's data");
    assert!(item.kept.join("db/state.db").exists(), "the replaced data is kept");
}

#[test]
fn what_the_backup_left_out_stays_with_the_data_through_a_restore() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home/data");
    odd_tree(&home);
    // The visor's own folder inside the data, holding the backups themselves.
    let mut s = settings(dir.path(), Strategy::TarGz);
    s.sources[0].exclude = vec!["visor".into()];
    s.dir = home.join("visor/backups");
    fs::create_dir_all(&s.dir).unwrap();
    fs::write(home.join("visor/state.json"), b"the visor's").unwrap();
    let report = take_one(&s);
    fs::write(home.join("db/state.db"), b"changed").unwrap();
    fs::write(home.join("visor/state.json"), b"the visor's, newer").unwrap();
    restore(&report.path, &allowed(&s), &dir.path().join("j"), &AtomicBool::new(false), &Progress::default()).unwrap();
    assert_eq!(fs::read(home.join("db/state.db")).unwrap(), vec![7u8; 300_000]);
    assert_eq!(fs::read(home.join("visor/state.json")).unwrap(), b"the visor's, newer", "left out, so kept as it is");
    assert!(report.path.exists(), "the backups stay where they were");
}

#[test]
fn a_btrfs_subvolume_is_backed_up_as_one_snapshot_and_restored() {
    let Some(fs) = loopfs::LoopFs::mount("btrfs") else { return };
    let root = fs.mount.path();
    let home = root.join("home");
    fs::create_dir_all(&home).unwrap();
    let data = home.join("data");
    if !loopfs::LoopFs::btrfs(&["subvolume".as_ref(), "create".as_ref(), data.as_os_str()]) {
        return;
    }
    odd_tree(&data);
    fs::create_dir_all(data.join("visor")).unwrap();
    fs::write(data.join("visor/own"), b"left out").unwrap();
    let before = snapshot(&data);
    let mut s = BackupSettings::new(data.clone(), vec!["visor".into()], root.join("backups"), Naming::PerUpgrade);
    s.strategy = Strategy::Snapshot;
    let report = take_one(&s);
    assert_eq!(report.strategy, Strategy::Snapshot);
    assert_eq!(fs::metadata(&report.path).unwrap().ino(), 256, "one snapshot of the subvolume, not a folder of clones");
    assert!(!report.path.join("visor").exists(), "what the settings leave out is not in it");
    seal(&report.path, 2, &AtomicBool::new(false)).unwrap();
    assert!(matches!(verify(&report.path, 2, &AtomicBool::new(false)).unwrap(), Verification::Intact { .. }));
    fs::write(data.join("db/state.db"), b"migrated").unwrap();
    restore(&report.path, &allowed(&s), &root.join("j"), &AtomicBool::new(false), &Progress::default()).unwrap();
    let after: Vec<String> = snapshot(&data).into_iter().filter(|l| !l.starts_with("visor")).collect();
    let before: Vec<String> = before.into_iter().filter(|l| !l.starts_with("visor")).collect();
    assert_eq!(after, before);
    assert_eq!(fs::read(data.join("visor/own")).unwrap(), b"left out");
    // Retention removes a snapshot like any backup.
    take_one(&s);
    take_one(&s);
    prune(&s.dir, &s.naming, 1);
    assert!(!report.path.exists());
}
