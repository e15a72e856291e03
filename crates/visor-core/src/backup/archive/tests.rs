use super::*;
use crate::backup::Progress;
use crate::backup::tree::walk;
use proptest::prelude::*;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Command;
use std::sync::atomic::AtomicBool;

const CODECS: [Codec; 2] = [Codec::Gzip, Codec::Zstd];

fn trees(root: &Path) -> Vec<Tree> {
    let entries = walk(root, &[], &[], &AtomicBool::new(false)).unwrap();
    vec![Tree { root: root.to_owned(), prefix: PathBuf::new(), entries }]
}

fn archive(trees: &[Tree], at: &Path, codec: Codec) -> Copied {
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    let work = Work { cancel: &cancel, progress: &progress, threads: 2 };
    let copied = write_archive(trees, File::create_new(at).unwrap(), at, codec, &work).unwrap();
    assert_eq!(progress.read().0, copied.bytes);
    copied
}

fn extract(at: &Path, codec: Codec, dest: &Path) -> Result<Copied, BackupError> {
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    let work = Work { cancel: &cancel, progress: &progress, threads: 2 };
    let copied = extract_archive(at, codec, dest, &work)?;
    assert_eq!(progress.read().0, copied.bytes);
    Ok(copied)
}

fn set_mtime(path: &Path, seconds: i64) {
    let t = TimeSpec::new(seconds, 0);
    nix::sys::stat::utimensat(nix::fcntl::AT_FDCWD, path, &t, &t, UtimensatFlags::NoFollowSymlink).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Everything a tree holds, as comparable text: kind, mode, owner, time, content or target.
fn describe_tree(root: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in walk(root, &[], &[], &AtomicBool::new(false)).unwrap() {
        let path = root.join(&entry.rel);
        let m = &entry.meta;
        let what = match entry.kind {
            Kind::File => format!("file {:?}", fs::read(&path).unwrap()),
            Kind::Symlink => format!("link {:?}", fs::read_link(&path).unwrap()),
            Kind::Dir => "dir".to_owned(),
            Kind::Other => continue,
        };
        let mode = if entry.kind == Kind::Symlink { 0 } else { m.mode() & 0o7777 };
        lines.push(format!("{} {mode:o} {}:{} {} {what}", entry.rel.display(), m.uid(), m.gid(), m.mtime()));
    }
    lines
}

/// A tree with each thing an archive must keep.
fn source_tree(root: &Path) {
    fs::create_dir_all(root.join("dir/sub")).unwrap();
    fs::write(root.join("dir/file"), b"hello").unwrap();
    chmod(&root.join("dir/file"), 0o640);
    fs::create_dir(root.join("empty")).unwrap();
    fs::create_dir(root.join("ro")).unwrap();
    fs::write(root.join("ro/f"), b"read only").unwrap();
    fs::write(root.join("setgid"), b"s").unwrap();
    chmod(&root.join("setgid"), 0o2750);
    // Sparse at the source, dense in the archive, sparse again when extracted; the tail
    // is a hole too (only the final length makes it).
    let sparse = File::create(root.join("sparse")).unwrap();
    sparse.set_len(8 << 20).unwrap();
    sparse.write_all_at(b"x", 4 << 20).unwrap();
    fs::write(root.join("h1"), b"linked").unwrap();
    fs::hard_link(root.join("h1"), root.join("dir/sub/h2")).unwrap();
    symlink("h1", root.join("in")).unwrap();
    symlink("/etc/passwd", root.join("out")).unwrap();
    symlink("../../nowhere//x/./", root.join("dangling")).unwrap();
    symlink("t".repeat(150), root.join("longlink")).unwrap();
    fs::write(root.join("n".repeat(200)), b"long name").unwrap();
    let not_utf8 = [&[0xff][..], &[b'u'; 150]].concat();
    fs::write(root.join(OsStr::from_bytes(&not_utf8)), b"not utf-8").unwrap();
    let deep = root.join("d".repeat(60)).join("e".repeat(60));
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("f"), b"deep").unwrap();
    nix::unistd::mkfifo(&root.join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
    if nix::unistd::geteuid().is_root() {
        nix::unistd::chown(&root.join("dir/file"), Some(Uid::from_raw(1234)), Some(Gid::from_raw(5678))).unwrap();
        let (uid, flag) = (Some(Uid::from_raw(4321)), AtFlags::AT_SYMLINK_NOFOLLOW);
        nix::unistd::fchownat(nix::fcntl::AT_FDCWD, &root.join("in"), uid, None, flag).unwrap();
    }
    chmod(&root.join("ro"), 0o555);
    let entries = walk(root, &[], &[], &AtomicBool::new(false)).unwrap();
    for (i, entry) in entries.iter().enumerate() {
        set_mtime(&root.join(&entry.rel), 1_000_000_000 + 1000 * i as i64);
    }
}

#[test]
fn a_tree_comes_back_whole_from_either_codec() {
    for codec in CODECS {
        let top = tempfile::tempdir().unwrap();
        let (src, at, dest) = (top.path().join("src"), top.path().join("a.tar"), top.path().join("x"));
        fs::create_dir(&src).unwrap();
        source_tree(&src);
        let trees = trees(&src);
        let written = archive(&trees, &at, codec);
        let listed = trees[0].entries.iter().filter(|e| e.kind != Kind::Other).count() as u64;
        assert_eq!(written.entries, listed);
        // Every file once: the second name of the hard link holds no data.
        assert_eq!(written.bytes, trees[0].bytes() - 6);
        let extracted = extract(&at, codec, &dest).unwrap();
        assert_eq!((extracted.entries, extracted.bytes), (written.entries, written.bytes));
        assert_eq!(describe_tree(&src), describe_tree(&dest), "{codec:?}");
        assert_eq!(fs::metadata(&dest).unwrap().permissions().mode() & 0o7777, 0o700);
        let sparse = fs::metadata(dest.join("sparse")).unwrap();
        assert_eq!(sparse.len(), 8 << 20);
        assert!(sparse.blocks() * 512 < 1 << 20, "{} blocks", sparse.blocks());
        let (h1, h2) = (fs::metadata(dest.join("h1")).unwrap(), fs::metadata(dest.join("dir/sub/h2")).unwrap());
        assert_eq!((h1.ino(), h1.nlink()), (h2.ino(), 2));
        assert!(fs::symlink_metadata(dest.join("out")).unwrap().file_type().is_symlink());
        assert!(!dest.join("fifo").exists());
        // Or a non-root run could not clean up.
        chmod(&src.join("ro"), 0o755);
        chmod(&dest.join("ro"), 0o755);
    }
}

#[test]
fn entries_are_read_back_in_order_with_their_kinds_and_contents() {
    let top = tempfile::tempdir().unwrap();
    let src = top.path().join("src");
    fs::create_dir_all(src.join("a")).unwrap();
    fs::write(src.join("a/f"), b"abc").unwrap();
    fs::hard_link(src.join("a/f"), src.join("a/g")).unwrap();
    symlink("a/f", src.join("l")).unwrap();
    let mut trees = trees(&src);
    trees[0].prefix = PathBuf::from("label");
    for codec in CODECS {
        let at = top.path().join(format!("{codec:?}.tar"));
        archive(&trees, &at, codec);
        let mut seen = Vec::new();
        read_archive(&at, codec, &mut |a, content| {
            let mut data = String::new();
            content.read_to_string(&mut data)?;
            seen.push((a.rel.display().to_string(), a.kind, data, a.link.clone(), a.hard_link.clone()));
            Ok(())
        })
        .unwrap();
        let path = |p: &str| Some(PathBuf::from(p));
        assert_eq!(
            seen,
            [
                ("label/a".to_owned(), Kind::Dir, String::new(), None, None),
                ("label/a/f".to_owned(), Kind::File, "abc".to_owned(), None, None),
                ("label/a/g".to_owned(), Kind::File, String::new(), None, path("label/a/f")),
                ("label/l".to_owned(), Kind::Symlink, String::new(), path("a/f"), None),
            ]
        );
    }
}

/// Bytes that are neither compressible nor all zeros.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn read_all(at: &Path, codec: Codec) -> io::Result<()> {
    read_archive(at, codec, &mut |_, content| io::copy(content, &mut io::sink()).map(drop))
}

#[test]
fn truncated_and_garbage_archives_are_errors() {
    let top = tempfile::tempdir().unwrap();
    let src = top.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("a"), noise(300_000)).unwrap();
    fs::write(src.join("b"), b"b").unwrap();
    for codec in CODECS {
        let at = top.path().join(format!("{codec:?}.tar"));
        archive(&trees(&src), &at, codec);
        read_all(&at, codec).unwrap();
        let whole = fs::read(&at).unwrap();
        for cut in [0, 10, 100, whole.len() / 2, whole.len() - 10, whole.len() - 1] {
            let cut_at = top.path().join(format!("{codec:?}-{cut}"));
            fs::write(&cut_at, &whole[..cut]).unwrap();
            assert!(read_all(&cut_at, codec).is_err(), "{codec:?} cut at {cut} of {}", whole.len());
            let dest = top.path().join(format!("{codec:?}-{cut}-x"));
            assert!(matches!(extract(&cut_at, codec, &dest), Err(BackupError::Read { .. })), "{cut}");
        }
        let garbage = top.path().join("garbage");
        fs::write(&garbage, noise(5000)).unwrap();
        assert!(read_all(&garbage, codec).is_err());
        // A link or a folder is not an archive.
        assert!(read_all(top.path(), codec).is_err());
        symlink(&at, top.path().join("l")).unwrap();
        assert!(read_all(&top.path().join("l"), codec).is_err());
        fs::remove_file(top.path().join("l")).unwrap();
    }
}

fn compress(codec: Codec, tar: &[u8]) -> Vec<u8> {
    match codec {
        Codec::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(tar).unwrap();
            gz.finish().unwrap()
        }
        Codec::Zstd => zstd::stream::encode_all(tar, 3).unwrap(),
    }
}

/// Appends an entry as given, byte for byte (the `tar` crate refuses to write bad names).
fn raw_entry(tar: &mut tar::Builder<Vec<u8>>, kind: EntryType, name: &[u8], link: &[u8], data: &[u8]) {
    let mut header = Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    header.set_entry_type(kind);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(data.len() as u64);
    header.set_cksum();
    tar.append(&header, data).unwrap();
}

fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = [b" ", key.as_bytes(), b"=", value, b"\n"].concat();
    let mut len = body.len() + 1;
    while len.to_string().len() + body.len() != len {
        len += 1;
    }
    [len.to_string().as_bytes(), &body].concat()
}

fn crafted(dir: &Path, name: &str, codec: Codec, build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> PathBuf {
    let mut tar = tar::Builder::new(Vec::new());
    build(&mut tar);
    let at = dir.join(name);
    fs::write(&at, compress(codec, &tar.into_inner().unwrap())).unwrap();
    at
}

#[test]
fn links_in_the_archive_never_lead_outside() {
    let top = tempfile::tempdir().unwrap();
    let outside = tempfile::Builder::new().prefix("outside-").tempdir().unwrap();
    fs::write(outside.path().join("secret"), b"secret").unwrap();
    let out = outside.path().as_os_str().as_bytes();
    let secret = outside.path().join("secret");
    type Attack = Vec<(EntryType, Vec<u8>, Vec<u8>)>;
    let (file, link, dir, hard) = (EntryType::Regular, EntryType::Symlink, EntryType::Directory, EntryType::Link);
    let attacks: Vec<Attack> = vec![
        vec![(link, b"a".to_vec(), out.to_vec()), (file, b"a/x".to_vec(), vec![])],
        vec![(link, b"a".to_vec(), out.to_vec()), (dir, b"a/d/".to_vec(), vec![])],
        vec![
            (link, b"a".to_vec(), out.to_vec()),
            (file, b"f".to_vec(), vec![]),
            (hard, b"a/h".to_vec(), b"f".to_vec()),
        ],
        vec![(link, b"a".to_vec(), out.to_vec()), (hard, b"g".to_vec(), b"a/secret".to_vec())],
        vec![(link, b"s".to_vec(), secret.as_os_str().as_bytes().to_vec()), (file, b"s".to_vec(), vec![])],
        vec![(link, b"up".to_vec(), b"..".to_vec()), (file, b"up/escape".to_vec(), vec![])],
        vec![
            (link, b"b".to_vec(), b"c".to_vec()),
            (link, b"c".to_vec(), out.to_vec()),
            (file, b"b/x".to_vec(), vec![]),
        ],
    ];
    for codec in CODECS {
        for (i, attack) in attacks.iter().enumerate() {
            let at = crafted(top.path(), &format!("{codec:?}-{i}"), codec, |tar| {
                for (kind, name, target) in attack {
                    let data: &[u8] = if *kind == EntryType::Regular { b"pwned" } else { b"" };
                    raw_entry(tar, *kind, name, target, data);
                }
            });
            let dest = top.path().join(format!("{codec:?}-{i}-x"));
            assert!(extract(&at, codec, &dest).is_err(), "attack {i} went through");
            let mut left: Vec<_> = fs::read_dir(outside.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            left.sort();
            assert_eq!(left, ["secret"], "attack {i}");
            assert_eq!(fs::read(&secret).unwrap(), b"secret");
            assert_eq!(fs::metadata(&secret).unwrap().nlink(), 1, "attack {i}");
            assert!(!top.path().join("escape").exists());
        }
    }
}

#[test]
fn names_that_leave_the_folder_are_refused() {
    let top = tempfile::tempdir().unwrap();
    let cases: [(EntryType, &[u8], &[u8], &str); 5] = [
        (EntryType::Regular, b"../x", b"", "../x"),
        (EntryType::Regular, b"/abs", b"", "/abs"),
        (EntryType::Directory, b"a/../../x/", b"", "a/../../x"),
        (EntryType::Link, b"h", b"../x", "../x"),
        (EntryType::Link, b"h", b"/etc/passwd", "/etc/passwd"),
    ];
    for codec in CODECS {
        for (i, (kind, name, link, shown)) in cases.iter().enumerate() {
            let at = crafted(top.path(), &format!("{codec:?}-{i}"), codec, |tar| {
                raw_entry(tar, EntryType::Regular, b"ok", b"", b"fine");
                raw_entry(tar, *kind, name, link, b"");
            });
            let e = read_all(&at, codec).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidData, "{e}");
            assert!(e.to_string().contains(shown), "{e}");
            let dest = top.path().join(format!("{codec:?}-{i}-x"));
            let e = extract(&at, codec, &dest).unwrap_err().to_string();
            assert!(e.contains(shown), "{e}");
        }
    }
    let mut left: Vec<_> = fs::read_dir(top.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    left.retain(|n| n == "x" || n == "abs");
    assert!(left.is_empty(), "{left:?}");
    assert!(!Path::new("/abs").exists());
}

#[test]
fn extension_headers_are_bounded_and_pax_is_understood() {
    let top = tempfile::tempdir().unwrap();
    for codec in CODECS {
        let huge = vec![b'n'; 5000];
        let bad: [(&str, EntryType, Vec<u8>); 4] = [
            ("long name", EntryType::GNULongName, huge.clone()),
            ("long link", EntryType::GNULongLink, huge.clone()),
            ("pax header", EntryType::XHeader, pax_record("comment", &vec![b'c'; 70_000])),
            ("pax header", EntryType::XHeader, pax_record("path", &huge)),
        ];
        for (i, (what, kind, data)) in bad.into_iter().enumerate() {
            let at = crafted(top.path(), &format!("{codec:?}-bad-{i}"), codec, |tar| {
                raw_entry(tar, kind, LONG_LINK, b"", &data);
                raw_entry(tar, EntryType::Symlink, b"l", b"t", b"");
            });
            let e = read_all(&at, codec).unwrap_err().to_string();
            assert!(e.contains(what) || e.contains("longer than"), "{e}");
        }
        let long = format!("{}/{}", "p".repeat(150), "q".repeat(150));
        let pax = [
            pax_record("path", long.as_bytes()),
            pax_record("linkpath", b"target\nwith a newline"),
            pax_record("mtime", b"1700000000.5"),
            pax_record("uid", b"7"),
        ]
        .concat();
        let at = crafted(top.path(), &format!("{codec:?}-pax"), codec, |tar| {
            raw_entry(tar, EntryType::XHeader, b"PaxHeaders/x", b"", &pax);
            raw_entry(tar, EntryType::Symlink, b"short", b"t", b"");
        });
        let mut seen = Vec::new();
        read_archive(&at, codec, &mut |a, _| {
            seen.push(a.clone());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].rel, Path::new(&long));
        assert_eq!(seen[0].link.as_deref(), Some(Path::new("target\nwith a newline")));
        assert_eq!((seen[0].mtime, seen[0].uid), (1_700_000_000, 7));
    }
}

#[test]
fn cancelled_work_stops() {
    let top = tempfile::tempdir().unwrap();
    let src = top.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("a"), b"a").unwrap();
    let (cancel, progress) = (AtomicBool::new(true), Progress::default());
    let work = Work { cancel: &cancel, progress: &progress, threads: 2 };
    for codec in CODECS {
        let at = top.path().join(format!("{codec:?}"));
        let out = File::create_new(&at).unwrap();
        let e = write_archive(&trees(&src), out, &at, codec, &work).unwrap_err();
        assert!(matches!(e, BackupError::Cancelled { read: 0 }), "{e}");
        fs::remove_file(&at).unwrap();
        archive(&trees(&src), &at, codec);
        let e = extract_archive(&at, codec, &top.path().join(format!("{codec:?}-x")), &work).unwrap_err();
        assert!(matches!(e, BackupError::Cancelled { .. }), "{e}");
    }
}

#[test]
fn a_file_that_changes_size_fails_the_backup() {
    let top = tempfile::tempdir().unwrap();
    let src = top.path().join("src");
    fs::create_dir(&src).unwrap();
    fs::write(src.join("a"), b"a").unwrap();
    let trees = trees(&src);
    fs::write(src.join("a"), b"grown").unwrap();
    let (cancel, progress) = (AtomicBool::new(false), Progress::default());
    let work = Work { cancel: &cancel, progress: &progress, threads: 2 };
    let at = top.path().join("a.tar.zst");
    let e = write_archive(&trees, File::create_new(&at).unwrap(), &at, Codec::Zstd, &work).unwrap_err();
    assert!(matches!(&e, BackupError::Read { .. }) && e.to_string().contains("changed size"), "{e}");
}

/// Whether `tar` can run with `args` here (and not, say, lack zstd).
fn tar_runs(args: &[&str]) -> bool {
    Command::new("tar").args(args).output().is_ok_and(|o| o.status.success())
}

#[test]
fn gnu_tar_reads_what_is_written_and_the_other_way_round() {
    if !tar_runs(&["--version"]) || !Command::new("zstd").arg("--version").output().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: no tar or zstd command");
        return;
    }
    let top = tempfile::tempdir().unwrap();
    let src = top.path().join("src");
    fs::create_dir(&src).unwrap();
    source_tree(&src);
    fs::remove_file(src.join("fifo")).unwrap();
    for (codec, flag) in [(Codec::Zstd, "--zstd"), (Codec::Gzip, "--gzip")] {
        let at = top.path().join(format!("{codec:?}.tar"));
        archive(&trees(&src), &at, codec);
        let dest = top.path().join(format!("{codec:?}-by-tar"));
        fs::create_dir(&dest).unwrap();
        let x = ["-x", flag, "--numeric-owner", "-p", "-f", at.to_str().unwrap(), "-C", dest.to_str().unwrap()];
        assert!(tar_runs(&x), "tar could not read the {codec:?} archive");
        assert_eq!(describe_tree(&src), describe_tree(&dest));
        // And pax archives (a path over 100 bytes, fractional times) written by GNU tar.
        let posix = top.path().join(format!("{codec:?}-posix.tar"));
        let c = ["-c", flag, "--format=posix", "-f", posix.to_str().unwrap(), "-C", src.to_str().unwrap(), "."];
        assert!(tar_runs(&c));
        let back = top.path().join(format!("{codec:?}-posix-x"));
        extract(&posix, codec, &back).unwrap();
        assert_eq!(describe_tree(&src), describe_tree(&back));
        chmod(&dest.join("ro"), 0o755);
        chmod(&back.join("ro"), 0o755);
    }
    chmod(&src.join("ro"), 0o755);
}

/// A small archive with each kind of entry and extension, to corrupt.
fn sample_tar() -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    raw_entry(&mut tar, EntryType::Directory, b"d/", b"", b"");
    raw_entry(&mut tar, EntryType::Regular, b"d/f", b"", &noise(700));
    raw_entry(&mut tar, EntryType::Link, b"d/h", b"d/f", b"");
    raw_entry(&mut tar, EntryType::XHeader, b"x", b"", &pax_record("path", b"d/pax"));
    raw_entry(&mut tar, EntryType::Regular, b"ignored", b"", b"pax");
    raw_entry(&mut tar, EntryType::GNULongLink, LONG_LINK, b"", &[b'k'; 120]);
    raw_entry(&mut tar, EntryType::GNULongName, LONG_LINK, b"", &[b'n'; 120]);
    raw_entry(&mut tar, EntryType::Symlink, b"l", b"", b"");
    tar.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn corrupt_archives_never_panic(
        garbage in prop::collection::vec(any::<u8>(), 0..2048),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let top = tempfile::tempdir().unwrap();
        let mut tar = sample_tar();
        for (at, byte) in &flips {
            let i = at.index(tar.len());
            tar[i] = *byte;
        }
        for codec in CODECS {
            for (name, bytes) in [("garbage", garbage.clone()), ("flipped", compress(codec, &tar))] {
                let at = top.path().join(format!("{codec:?}-{name}"));
                fs::write(&at, bytes).unwrap();
                let _ = read_all(&at, codec);
                let dest = top.path().join(format!("{codec:?}-{name}-x"));
                let _ = extract(&at, codec, &dest);
            }
        }
        let mut left: Vec<_> = fs::read_dir(top.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        prop_assert_eq!(left.len(), 8);
    }
}
