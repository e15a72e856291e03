//! Unpacking an archive into a staging folder, refusing anything that would write outside it:
//! absolute paths, `..`, links pointing outside, writes through links, devices and FIFOs, and
//! archives over an entry-count or size cap (counted on the bytes written, not the headers).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Limits on what an archive may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Most entries.
    pub max_entries: u64,
    /// Most bytes written in all.
    pub max_bytes: u64,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self { max_entries: 10_000, max_bytes: 4 << 30 }
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
    let mut magic = [0u8; 4];
    let n = File::open(path)?.read(&mut magic)?;
    Ok(match &magic[..n] {
        [b'P', b'K', 3, 4] => Format::Zip,
        [0x1f, 0x8b, ..] => Format::TarGz,
        _ => Format::Plain,
    })
}

struct Unpacker<'a> {
    archive: String,
    root: &'a Path,
    limits: UnpackLimits,
    entries: u64,
    bytes: u64,
}

impl Unpacker<'_> {
    fn refuse<T>(&self, entry: &str, why: impl Into<String>) -> Result<T, UnpackError> {
        Err(UnpackError::Refused { archive: self.archive.clone(), entry: entry.to_owned(), why: why.into() })
    }

    fn io(path: &Path) -> impl FnOnce(io::Error) -> UnpackError + '_ {
        move |source| UnpackError::Io { path: path.display().to_string(), source }
    }

    /// The entry's path inside the root: plain components only.
    fn target(&mut self, name: &str) -> Result<PathBuf, UnpackError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(UnpackError::TooBig {
                archive: self.archive.clone(),
                what: format!("more than {} entries", self.limits.max_entries),
            });
        }
        let path = Path::new(name);
        let mut relative = PathBuf::new();
        for component in path.components() {
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
        // Never write through a link an earlier entry created.
        let mut at = self.root.to_path_buf();
        for part in relative.parent().into_iter().flat_map(Path::components) {
            at.push(part);
            if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                return self.refuse(name, "would be written through a link");
            }
        }
        Ok(self.root.join(relative))
    }

    fn dir(&mut self, name: &str) -> Result<(), UnpackError> {
        let target = self.target(name)?;
        fs::create_dir_all(&target).map_err(Self::io(&target))
    }

    fn file(&mut self, name: &str, mode: u32, reader: &mut dyn Read) -> Result<PathBuf, UnpackError> {
        let target = self.target(name)?;
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(Self::io(parent))?;
        }
        if fs::symlink_metadata(&target).is_ok() {
            return self.refuse(name, "appears twice");
        }
        // Owner rw at least; no setuid/setgid/sticky from an archive.
        let mode = (mode & 0o777) | 0o600;
        let mut out =
            OpenOptions::new().write(true).create_new(true).mode(mode).open(&target).map_err(Self::io(&target))?;
        let mut buffer = vec![0u8; 128 * 1024];
        loop {
            let n = reader
                .read(&mut buffer)
                .map_err(|e| UnpackError::Corrupt { archive: self.archive.clone(), message: format!("{name}: {e}") })?;
            if n == 0 {
                break;
            }
            self.bytes += n as u64;
            if self.bytes > self.limits.max_bytes {
                return Err(UnpackError::TooBig {
                    archive: self.archive.clone(),
                    what: format!("more than {} bytes unpacked", self.limits.max_bytes),
                });
            }
            out.write_all(&buffer[..n]).map_err(Self::io(&target))?;
        }
        fs::set_permissions(&target, fs::Permissions::from_mode(mode)).map_err(Self::io(&target))?;
        Ok(target)
    }

    fn symlink(&mut self, name: &str, link_target: &Path) -> Result<(), UnpackError> {
        let target = self.target(name)?;
        if link_target.is_absolute() {
            return self.refuse(name, format!("is a link to the absolute path {}", link_target.display()));
        }
        // Resolve the link's target against its own folder, lexically.
        let mut depth: i64 = target.strip_prefix(self.root).map_or(0, |p| p.components().count() as i64 - 1);
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
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(Self::io(parent))?;
        }
        std::os::unix::fs::symlink(link_target, &target).map_err(Self::io(&target))
    }
}

/// Unpacks `archive` into `root` (which exists and is empty).
pub fn unpack(archive: &Path, format: Format, root: &Path, limits: UnpackLimits) -> Result<(), UnpackError> {
    let mut u = Unpacker { archive: archive.display().to_string(), root, limits, entries: 0, bytes: 0 };
    let file = File::open(archive).map_err(Unpacker::io(archive))?;
    match format {
        Format::Zip => unpack_zip(&mut u, file),
        Format::TarGz => unpack_tar(&mut u, flate2::read::GzDecoder::new(io::BufReader::new(file))),
        Format::Tar => unpack_tar(&mut u, io::BufReader::new(file)),
        Format::Plain => Err(UnpackError::Corrupt { archive: u.archive.clone(), message: "not an archive".to_owned() }),
    }
}

fn unpack_zip(u: &mut Unpacker<'_>, file: File) -> Result<(), UnpackError> {
    let corrupt = |archive: &str, e: &dyn std::fmt::Display| UnpackError::Corrupt {
        archive: archive.to_owned(),
        message: e.to_string(),
    };
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(&u.archive, &e))?;
    if zip.len() as u64 > u.limits.max_entries {
        return Err(UnpackError::TooBig {
            archive: u.archive.clone(),
            what: format!("{} entries, more than {}", zip.len(), u.limits.max_entries),
        });
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| corrupt(&u.archive, &e))?;
        let name = entry.name().map_err(|e| corrupt(&u.archive, &e))?.into_owned();
        let mode = entry.unix_mode();
        let kind = mode.map(|m| m & 0o170000);
        if entry.is_dir() {
            u.dir(&name)?;
        } else if kind == Some(0o120000) {
            let mut link = String::new();
            entry.read_to_string(&mut link).map_err(|e| corrupt(&u.archive, &e))?;
            u.symlink(&name, Path::new(&link))?;
        } else if kind.is_none_or(|k| k == 0o100000 || k == 0) {
            u.file(&name, mode.unwrap_or(0o644), &mut entry)?;
        } else {
            return u.refuse(&name, "is a device, FIFO or socket");
        }
    }
    Ok(())
}

fn unpack_tar(u: &mut Unpacker<'_>, reader: impl Read) -> Result<(), UnpackError> {
    let mut archive = tar::Archive::new(reader);
    let corrupt = |archive: &str, e: &dyn std::fmt::Display| UnpackError::Corrupt {
        archive: archive.to_owned(),
        message: e.to_string(),
    };
    let entries = archive.entries().map_err(|e| corrupt(&u.archive, &e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(&u.archive, &e))?;
        let name = entry.path().map_err(|e| corrupt(&u.archive, &e))?.to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        let mode = entry.header().mode().unwrap_or(0o644);
        if kind.is_dir() {
            u.dir(&name)?;
        } else if kind.is_file() {
            u.file(&name, mode, &mut entry)?;
        } else if kind.is_symlink() {
            let link = entry.link_name().map_err(|e| corrupt(&u.archive, &e))?.unwrap_or_default().into_owned();
            u.symlink(&name, &link)?;
        } else if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_gnu_longname() {
            continue;
        } else if kind.is_hard_link() {
            return u.refuse(&name, "is a hard link");
        } else {
            return u.refuse(&name, "is a device, FIFO or socket");
        }
    }
    Ok(())
}

/// Finds the file named `name` in `root`: at the top if there, else the shallowest match.
pub fn find_binary(root: &Path, name: &str) -> Option<PathBuf> {
    let direct = root.join(name);
    if direct.is_file() {
        return Some(direct);
    }
    let mut level = vec![root.to_path_buf()];
    for _ in 0..8 {
        let mut next = Vec::new();
        let mut found: Vec<PathBuf> = Vec::new();
        for dir in &level {
            let Ok(entries) = fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() {
                    next.push(entry.path());
                } else if kind.is_file() && entry.file_name() == name {
                    found.push(entry.path());
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

/// Sets the execute bits of `path` where its read bits are set.
pub fn make_executable(path: &Path) -> io::Result<()> {
    let mode = fs::metadata(path)?.permissions().mode();
    let exec = (mode & 0o444) >> 2;
    fs::set_permissions(path, fs::Permissions::from_mode(mode | exec | 0o100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        let (_d, zip) =
            zip_with(&[("dist/", None, b""), ("dist/vega", Some(0o755), b"#!bin"), ("README", None, b"hi")]);
        let (out, result) = unpack_into(&zip);
        result.unwrap();
        let bin = find_binary(out.path(), "vega").unwrap();
        assert_eq!(bin, out.path().join("dist/vega"));
        assert_eq!(fs::metadata(&bin).unwrap().permissions().mode() & 0o777, 0o755);
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
    fn refuses_archives_over_the_caps() {
        let big = vec![0u8; 2048];
        let (_d, zip) = zip_with(&[("a", None, &big), ("b", None, &big)]);
        let out = tempfile::tempdir().unwrap();
        let limits = UnpackLimits { max_entries: 10, max_bytes: 3000 };
        let e = unpack(&zip, Format::Zip, out.path(), limits).unwrap_err().to_string();
        assert!(e.contains("more than 3000 bytes"), "{e}");
        let limits = UnpackLimits { max_entries: 1, max_bytes: 1 << 20 };
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
    }

    proptest! {
        #[test]
        fn no_entry_name_escapes_the_root(name in "[a-z./]{1,16}") {
            let root = tempfile::tempdir().unwrap();
            let mut u = Unpacker { archive: "t".into(), root: root.path(), limits: UnpackLimits::default(), entries: 0, bytes: 0 };
            if let Ok(target) = u.target(&name) {
                prop_assert!(target.starts_with(root.path()));
                prop_assert!(!target.components().any(|c| c == Component::ParentDir));
            }
        }
    }
}
