//! Hostile archives, made by the tests themselves (no binary blobs in the repository): tar
//! entries of every type written header by header (so nothing a well-behaved writer refuses is
//! out of reach), gzip, and zips with links, odd modes and bombs.

use std::io::Write;

/// One tar entry.
pub struct TarEntry<'a> {
    /// The name in the header (at most 100 bytes; longer names need a GNU `L` entry).
    pub name: &'a [u8],
    /// The type flag: `b'0'` file, `b'1'` hard link, `b'2'` symlink, `b'3'` char device,
    /// `b'5'` folder, `b'6'` FIFO, `b'L'` GNU long name, `b'x'` pax header.
    pub kind: u8,
    /// The mode bits.
    pub mode: u32,
    /// The link target (at most 100 bytes).
    pub link: &'a [u8],
    /// The body.
    pub body: &'a [u8],
}

impl<'a> TarEntry<'a> {
    /// A regular file.
    pub fn file(name: &'a str, mode: u32, body: &'a [u8]) -> Self {
        Self { name: name.as_bytes(), kind: b'0', mode, link: b"", body }
    }

    /// An entry of `kind` with no body.
    pub fn special(name: &'a str, kind: u8, link: &'a str) -> Self {
        Self { name: name.as_bytes(), kind, mode: 0o644, link: link.as_bytes(), body: b"" }
    }
}

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    let bytes = text.as_bytes();
    let start = bytes.len().saturating_sub(width);
    field[..width].copy_from_slice(&bytes[start..]);
    field[width] = 0;
}

/// A tar archive of `entries`, with ustar headers and the two closing zero blocks.
pub fn tar(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let mut h = [0u8; 512];
        let n = e.name.len().min(100);
        h[..n].copy_from_slice(&e.name[..n]);
        octal(&mut h[100..108], u64::from(e.mode));
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], e.body.len() as u64);
        octal(&mut h[136..148], 0);
        h[156] = e.kind;
        let l = e.link.len().min(100);
        h[157..157 + l].copy_from_slice(&e.link[..l]);
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        octal(&mut h[148..155], sum);
        h[155] = b' ';
        out.extend_from_slice(&h);
        out.extend_from_slice(e.body);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// `bytes`, gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// A tar.gz holding one file of `size` zero bytes, streamed (never whole in memory).
pub fn gzip_bomb(size: u64) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let header = tar(&[TarEntry::file("zeros", 0o644, b"")]);
    let mut first = header[..512].to_vec();
    octal(&mut first[124..136], size);
    first[148..156].copy_from_slice(b"        ");
    let sum: u64 = first.iter().map(|&b| u64::from(b)).sum();
    octal(&mut first[148..155], sum);
    first[155] = b' ';
    gz.write_all(&first).expect("gzip");
    let zeros = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        gz.write_all(&zeros[..n]).expect("gzip");
        left -= n as u64;
    }
    gz.finish().expect("gzip")
}

/// A zip (zip64) holding one file of `size` zero bytes.
pub fn zip_bomb(size: u64) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut cursor);
        let options = zip::write::SimpleFileOptions::default().large_file(true).unix_permissions(0o755);
        w.start_file("nym-node", options).expect("zip file");
        let zeros = vec![0u8; 1 << 20];
        let mut left = size;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            w.write_all(&zeros[..n]).expect("zip write");
            left -= n as u64;
        }
        w.finish().expect("zip finish");
    }
    cursor.into_inner()
}

pub use crate::release_server::zip;
