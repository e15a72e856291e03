//! Reading an archive back, bounded and refusing what leaves the folder.

use super::*;

/// for anything but a file holding data).
pub(crate) fn read_archive(
    path: &Path,
    codec: Codec,
    visit: &mut dyn FnMut(&Archived, &mut dyn io::Read) -> io::Result<()>,
) -> io::Result<()> {
    let flags = nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK;
    let file = OpenOptions::new().read(true).custom_flags(flags).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(invalid(format!("{} is not a regular file", path.display())));
    }
    let file = BufReader::with_capacity(CHUNK, file);
    let decoder: Box<dyn io::Read> = match codec {
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(file)),
        Codec::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
    };
    let mut archive = tar::Archive::new(Ended { inner: decoder, ended: false });
    let mut pending = Pending::default();
    for raw in archive.entries()?.raw(true) {
        let mut raw = raw?;
        let header = raw.header().clone();
        match header.entry_type() {
            EntryType::GNULongName => {
                let name = read_small(&mut raw, MAX_NAME as u64 + 1, "long name")?;
                set_once(&mut pending.name, until_nul(name), "long names")?;
                continue;
            }
            EntryType::GNULongLink => {
                let link = read_small(&mut raw, MAX_NAME as u64 + 1, "long link")?;
                set_once(&mut pending.link, until_nul(link), "long links")?;
                continue;
            }
            EntryType::XHeader => {
                let pax = parse_pax(&read_small(&mut raw, MAX_PAX, "pax header")?)?;
                set_once(&mut pending.pax, pax, "pax headers")?;
                continue;
            }
            // Defaults for the entries that follow, which backups never use: skipped.
            EntryType::XGlobalHeader => {
                read_small(&mut raw, MAX_PAX, "global pax header")?;
                continue;
            }
            _ => {}
        }
        let Some(archived) = std::mem::take(&mut pending).describe(&header)? else { continue };
        if archived.kind == Kind::File {
            visit(&archived, &mut Exact { inner: &mut raw, left: archived.size })?;
        } else {
            visit(&archived, &mut io::empty())?;
        }
    }
    if pending.name.is_some() || pending.link.is_some() || pending.pax.is_some() {
        return Err(truncated("the archive ends between an entry's extension headers and the entry"));
    }
    let mut rest = archive.into_inner();
    // `tar` takes the end of the data for the end of the archive; a backup ends with its marker.
    if rest.ended {
        return Err(truncated("the archive ends without its end-of-archive marker"));
    }
    // To the end of the compressed stream, so its checksum is verified.
    io::copy(&mut rest, &mut io::sink())?;
    Ok(())
}

/// Extension headers met before the entry they describe.
#[derive(Default)]
struct Pending {
    name: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    pax: Option<Pax>,
}

/// What a pax extended header says about the next entry (what is used of it).
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    linkpath: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    mtime: Option<u64>,
}

fn set_once<T>(slot: &mut Option<T>, value: T, what: &str) -> io::Result<()> {
    if slot.replace(value).is_some() {
        return Err(invalid(format!("the archive has two {what} for one entry")));
    }
    Ok(())
}

fn until_nul(mut bytes: Vec<u8>) -> Vec<u8> {
    if let Some(end) = bytes.iter().position(|&b| b == 0) {
        bytes.truncate(end);
    }
    bytes
}

/// The data of an extension entry, refused past `max` bytes before anything is read.
fn read_small<R: io::Read>(entry: &mut tar::Entry<'_, R>, max: u64, what: &str) -> io::Result<Vec<u8>> {
    let size = entry.size();
    if size > max {
        return Err(invalid(format!("the archive has a {what} of {size} bytes, more than the limit of {max}")));
    }
    let mut data = Vec::with_capacity(size as usize);
    Exact { inner: entry, left: size }.read_to_end(&mut data)?;
    Ok(data)
}

/// Parses pax records, `<length> <key>=<value>\n` each, the length counting the whole record
/// (values may hold newlines, so records are not split on them).
fn parse_pax(mut data: &[u8]) -> io::Result<Pax> {
    let malformed = || invalid("the archive has a malformed pax header".to_owned());
    let mut pax = Pax::default();
    while !data.is_empty() {
        // Some writers pad the header's data with NULs.
        if data.iter().all(|&b| b == 0) {
            break;
        }
        let space = data.iter().position(|&b| b == b' ').ok_or_else(malformed)?;
        let len: usize = std::str::from_utf8(&data[..space]).ok().and_then(|s| s.parse().ok()).ok_or_else(malformed)?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return Err(malformed());
        }
        let record = &data[space + 1..len - 1];
        let equals = record.iter().position(|&b| b == b'=').ok_or_else(malformed)?;
        let (key, value) = (&record[..equals], &record[equals + 1..]);
        let number = |value: &[u8]| std::str::from_utf8(value).ok().and_then(|s| s.parse::<u64>().ok());
        match key {
            b"path" => pax.path = Some(value.to_vec()),
            b"linkpath" => pax.linkpath = Some(value.to_vec()),
            b"size" => pax.size = Some(number(value).ok_or_else(malformed)?),
            b"uid" => pax.uid = Some(number(value).ok_or_else(malformed)?),
            b"gid" => pax.gid = Some(number(value).ok_or_else(malformed)?),
            b"mtime" => {
                // Seconds with a fraction; before 1970 (a minus sign) is the epoch.
                let seconds = value.split(|&b| b == b'.').next().unwrap_or_default();
                pax.mtime = Some(if seconds.starts_with(b"-") { 0 } else { number(seconds).ok_or_else(malformed)? });
            }
            _ => {}
        }
        data = &data[len..];
    }
    Ok(pax)
}

impl Pending {
    /// The entry `header` describes, with the extensions before it applied; `None` for the
    /// archive's root folder (`./`), which stands for the destination itself.
    fn describe(self, header: &Header) -> io::Result<Option<Archived>> {
        let pax = self.pax.unwrap_or_default();
        let name = pax.path.or(self.name).unwrap_or_else(|| header.path_bytes().into_owned());
        let shown = String::from_utf8_lossy(&name).into_owned();
        if name.len() > MAX_NAME {
            return Err(invalid(format!("the archive has a name longer than {MAX_NAME} bytes")));
        }
        let entry_type = header.entry_type();
        let kind = match entry_type {
            EntryType::Directory => Kind::Dir,
            EntryType::Regular | EntryType::Continuous | EntryType::Link => Kind::File,
            EntryType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        };
        let rel = plain(&name).map_err(|why| invalid(format!("the archive's entry {shown} {why}")))?;
        if rel.as_os_str().is_empty() {
            if kind == Kind::Dir {
                return Ok(None);
            }
            return Err(invalid("the archive has an entry without a name".to_owned()));
        }
        let target = pax.linkpath.or(self.link).or_else(|| header.link_name_bytes().map(|b| b.into_owned()));
        let (mut link, mut hard_link) = (None, None);
        if matches!(entry_type, EntryType::Symlink | EntryType::Link) {
            let target =
                target.filter(|t| !t.is_empty()).ok_or_else(|| invalid(format!("the link {shown} has no target")))?;
            if target.len() > MAX_NAME || target.contains(&0) {
                return Err(invalid(format!(
                    "the link {shown} has a target longer than {MAX_NAME} bytes or holding a NUL"
                )));
            }
            if entry_type == EntryType::Link {
                let to = plain(&target).map_err(|why| {
                    invalid(format!("the hard link {shown} points to {} which {why}", String::from_utf8_lossy(&target)))
                })?;
                hard_link = Some(to);
            } else {
                link = Some(PathBuf::from(OsString::from_vec(target)));
            }
        }
        let size = header.entry_size()?;
        // `tar` skips the data by the header's size: another size in a pax header would put it
        // out of step with the archive.
        if pax.size.is_some_and(|s| s != size) {
            return Err(invalid(format!(
                "the archive's entry {shown} has its size in a pax header, which is not supported"
            )));
        }
        Ok(Some(Archived {
            rel,
            kind,
            mode: header.mode()? & 0o7777,
            uid: pax.uid.map_or_else(|| header.uid(), Ok)?,
            gid: pax.gid.map_or_else(|| header.gid(), Ok)?,
            mtime: pax.mtime.map_or_else(|| header.mtime(), Ok)?,
            size: if kind == Kind::File { size } else { 0 },
            link,
            hard_link,
        }))
    }
}

/// `name` as a path below the archive's root: `.` components dropped, anything that could leave
/// it refused (the reason is returned).
fn plain(name: &[u8]) -> Result<PathBuf, &'static str> {
    if name.contains(&0) {
        return Err("holds a NUL byte");
    }
    let mut rel = PathBuf::new();
    for component in Path::new(OsStr::from_bytes(name)).components() {
        match component {
            Component::Normal(part) => rel.push(part),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err("is an absolute path, outside the backup"),
            Component::ParentDir => return Err("goes up with `..`, outside the backup"),
        }
    }
    Ok(rel)
}

/// Notes whether the decompressed stream ended (a read gave nothing).
struct Ended<R> {
    inner: R,
    ended: bool,
}

impl<R: io::Read> io::Read for Ended<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.ended = true;
        }
        Ok(n)
    }
}

/// Exactly `left` bytes: ending early is an error, where `tar` would only read less.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: io::Read> io::Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(truncated("the archive ends inside an entry"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
