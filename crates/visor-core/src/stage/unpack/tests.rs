//! Unpacking: formats, modes, and everything an archive must not do.
use super::*;
use proptest::prelude::*;
use std::os::unix::fs::PermissionsExt;

fn zip_with(entries: &[(&str, Option<u32>, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    let mut w = zip::ZipWriter::new(File::create(&path).unwrap());
    for (name, mode, body) in entries {
        let mut options = zip::write::SimpleFileOptions::default();
        if let Some(m) = mode {
            options = options.unix_permissions(*m);
        }
        if mode.is_some_and(|m| m & 0o170000 == 0o120000) {
            w.add_symlink(*name, std::str::from_utf8(body).unwrap(), options).unwrap();
        } else {
            w.start_file(*name, options).unwrap();
            w.write_all(body).unwrap();
        }
    }
    w.finish().unwrap();
    (dir, path)
}

fn unpack_into(archive: &Path) -> (tempfile::TempDir, Result<(), UnpackError>) {
    let out = tempfile::tempdir().unwrap();
    let result = unpack(archive, detect(archive).unwrap(), out.path(), UnpackLimits::default());
    (out, result)
}

#[test]
fn unpacks_a_zip_keeping_modes_and_finds_a_nested_binary() {
    let (_d, zip) = zip_with(&[("dist/", None, b""), ("dist/vega", Some(0o755), b"#!bin"), ("README", None, b"hi")]);
    let (out, result) = unpack_into(&zip);
    result.unwrap();
    let bin = find_binary(out.path(), "vega").unwrap();
    assert_eq!(bin, Path::new("dist/vega"));
    assert_eq!(fs::metadata(out.path().join(&bin)).unwrap().permissions().mode() & 0o777, 0o755);
    assert!(find_binary(out.path(), "missing").is_none());
}

#[test]
fn refuses_zip_slip_absolute_and_escaping_links() {
    for (name, mode, body, why) in [
        ("../evil", None, &b"x"[..], ".."),
        ("a/../../evil", None, &b"x"[..], ".."),
        ("/etc/evil", None, &b"x"[..], "absolute"),
        ("link", Some(0o120777), &b"/etc/passwd"[..], "absolute path"),
        ("d/link", Some(0o120777), &b"../../outside"[..], "outside"),
    ] {
        let (_d, zip) = zip_with(&[(name, mode, body)]);
        let (out, result) = unpack_into(&zip);
        let e = result.unwrap_err().to_string();
        assert!(e.contains(why), "{name}: {e}");
        assert!(!out.path().parent().unwrap().join("evil").exists());
    }
}

#[test]
fn refuses_writing_through_an_inner_link() {
    let (_d, zip) = zip_with(&[("d/", None, b""), ("d/l", Some(0o120777), b"."), ("d/l/x", None, b"x")]);
    let (_out, result) = unpack_into(&zip);
    assert!(result.unwrap_err().to_string().contains("through a link"));
}

#[test]
fn links_through_earlier_links_are_judged_on_disk() {
    // Each link passes the lexical look; followed on disk, `bin` lands above the folder.
    let up = "../".repeat(12);
    let deep: String = (0..12).map(|i| format!("x{i}/")).collect();
    let first = format!("{deep}up");
    let second = format!("{deep}up/{up}any/path");
    let (_d, zip) = zip_with(&[
        (&first, Some(0o120777), up.trim_end_matches('/').as_bytes()),
        ("bin", Some(0o120777), second.as_bytes()),
    ]);
    let (_out, result) = unpack_into(&zip);
    let e = result.unwrap_err().to_string();
    assert!(e.contains("\"bin\"") && e.contains("outside"), "{e}");
}

#[test]
fn world_writable_modes_are_not_kept() {
    let (_d, zip) = zip_with(&[("vega", Some(0o100777), b"x"), ("conf", Some(0o100666), b"y")]);
    let (out, result) = unpack_into(&zip);
    result.unwrap();
    let mode = |n: &str| fs::metadata(out.path().join(n)).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode("vega"), 0o755);
    assert_eq!(mode("conf"), 0o644);
}

#[test]
fn an_endless_link_body_is_refused_without_reading_it() {
    let body = vec![b'a'; 64 * 1024];
    let (_d, zip) = zip_with(&[("link", Some(0o120777), &body)]);
    let (_out, result) = unpack_into(&zip);
    let e = result.unwrap_err().to_string();
    assert!(e.contains("link target longer than 4096"), "{e}");
}

fn tar_with(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.tar");
    let mut b = tar::Builder::new(Vec::new());
    build(&mut b);
    fs::write(&path, b.into_inner().unwrap()).unwrap();
    (dir, path)
}

fn raw_entry(b: &mut tar::Builder<Vec<u8>>, kind: tar::EntryType, name: &[u8], body: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append(&h, body).unwrap();
}

#[test]
fn tar_long_names_and_pax_headers_are_capped_and_applied() {
    let (_d, tar) = tar_with(|b| {
        raw_entry(b, tar::EntryType::GNULongName, b"././@LongLink", &vec![b'a'; 5000]);
        raw_entry(b, tar::EntryType::Regular, b"short", b"x");
    });
    let (_out, result) = unpack_into(&tar);
    assert!(result.unwrap_err().to_string().contains("long name longer than 4096"));

    let (_d, tar) = tar_with(|b| {
        raw_entry(b, tar::EntryType::XHeader, b"pax", &vec![b'a'; 100 * 1024]);
        raw_entry(b, tar::EntryType::Regular, b"short", b"x");
    });
    let (_out, result) = unpack_into(&tar);
    assert!(result.unwrap_err().to_string().contains("pax header longer than"));

    let long = format!("{}/vega", "d".repeat(150));
    let (_d, tar) = tar_with(|b| {
        let record = format!(" path={long}\n");
        let record = format!("{}{record}", record.len() + (record.len() + 3).to_string().len());
        raw_entry(b, tar::EntryType::XHeader, b"pax", record.as_bytes());
        raw_entry(b, tar::EntryType::Regular, b"short", b"x");
        raw_entry(b, tar::EntryType::GNULongName, b"././@LongLink", b"../escape\0");
        raw_entry(b, tar::EntryType::Regular, b"harmless", b"x");
    });
    let (out, result) = unpack_into(&tar);
    let e = result.unwrap_err().to_string();
    assert!(e.contains("../escape") && e.contains(".."), "{e}");
    assert_eq!(fs::read(out.path().join(&long)).unwrap(), b"x");
    assert!(!out.path().join("short").exists());
}

#[test]
fn a_gzip_bomb_is_refused_by_its_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        let mut h = tar::Header::new_gnu();
        h.set_size(100 << 20);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "zeros", io::repeat(0).take(100 << 20)).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let size = fs::metadata(&path).unwrap().len();
    let (out, result) = unpack_into(&path);
    let e = result.unwrap_err().to_string();
    assert!(e.contains("times its size"), "{e}");
    // Refused as soon as the cap is passed, not after writing it all.
    assert!(fs::metadata(out.path().join("zeros")).unwrap().len() <= (size * 100).max(RATIO_FLOOR));
}

#[test]
fn refuses_archives_over_the_caps() {
    let big = vec![0u8; 2048];
    let (_d, zip) = zip_with(&[("a", None, &big), ("b", None, &big)]);
    let out = tempfile::tempdir().unwrap();
    let limits = UnpackLimits { max_entries: 10, max_bytes: 3000, max_ratio: 100 };
    let e = unpack(&zip, Format::Zip, out.path(), limits).unwrap_err().to_string();
    assert!(e.contains("more than 3000 bytes"), "{e}");
    let limits = UnpackLimits { max_entries: 1, max_bytes: 1 << 20, max_ratio: 100 };
    let out = tempfile::tempdir().unwrap();
    let e = unpack(&zip, Format::Zip, out.path(), limits).unwrap_err().to_string();
    assert!(e.contains("entries"), "{e}");
}

#[test]
fn unpacks_tar_gz_and_refuses_devices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.tar.gz");
    {
        let gz = flate2::write::GzEncoder::new(File::create(&path).unwrap(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, "bin/vega", &b"abc"[..]).unwrap();
        b.into_inner().unwrap().finish().unwrap();
    }
    let (out, result) = unpack_into(&path);
    result.unwrap();
    assert_eq!(fs::read(out.path().join("bin/vega")).unwrap(), b"abc");

    let dev = dir.path().join("dev.tar");
    {
        let mut b = tar::Builder::new(File::create(&dev).unwrap());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Char);
        h.set_size(0);
        h.set_cksum();
        b.append_data(&mut h, "tty", &b""[..]).unwrap();
        b.finish().unwrap();
    }
    let (_out, result) = unpack_into(&dev);
    assert!(result.unwrap_err().to_string().contains("device"));
}

#[test]
fn detects_formats_by_name_and_magic() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("vega");
    fs::write(&plain, b"\x7fELF....").unwrap();
    assert_eq!(detect(&plain).unwrap(), Format::Plain);
    let gz = dir.path().join("asset");
    fs::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
    assert_eq!(detect(&gz).unwrap(), Format::TarGz);
    // Archives that cannot be unpacked are refused, not taken for the binary.
    for (magic, kind) in [(&b"\xfd7zXZ\x00rest"[..], "xz"), (b"\x28\xb5\x2f\xfdrest", "zstd"), (b"BZh91AY", "bzip2")] {
        let file = dir.path().join(kind);
        fs::write(&file, magic).unwrap();
        assert!(detect(&file).unwrap_err().to_string().contains(kind), "{kind}");
    }
}

fn unpack_contained(bytes: &[u8], format: Format) {
    let top = tempfile::tempdir().unwrap();
    crate::fuzz::unpack(bytes, format, top.path());
}

fn sample_archives() -> Vec<(Vec<u8>, Format)> {
    let (_d, zip) = zip_with(&[("d/", None, b""), ("d/vega", Some(0o755), b"#!bin"), ("l", Some(0o120777), b"d/vega")]);
    let zip = fs::read(zip).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o755);
    h.set_cksum();
    b.append_data(&mut h, "bin/vega", &b"abc"[..]).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_cksum();
    b.append_link(&mut h, "bin/link", "vega").unwrap();
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let tgz = gz.finish().unwrap();
    vec![(zip, Format::Zip), (tar, Format::Tar), (tgz, Format::TarGz)]
}

proptest! {
    #[test]
    fn damaged_archives_never_panic_nor_write_outside(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        let (mut bytes, format) = sample_archives().swap_remove(which);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        unpack_contained(&bytes, format);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), which in 0usize..3) {
        unpack_contained(&bytes, [Format::Zip, Format::Tar, Format::TarGz][which]);
    }

    #[test]
    fn no_entry_name_escapes_the_root(name in "[a-z./]{1,16}") {
        let root = tempfile::tempdir().unwrap();
        let mut u = Unpacker {
            archive: "t".into(),
            root: Confined::open(root.path()).unwrap(),
            limits: UnpackLimits::default(),
            archive_size: 0,
            entries: 0,
            bytes: 0,
            links: Vec::new(),
        };
        if let Ok(target) = u.target(&name) {
            prop_assert!(target.is_relative());
            prop_assert!(target.components().all(|c| matches!(c, Component::Normal(_))));
        }
    }
}
