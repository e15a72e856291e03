//! Deterministic data folders for the measurements (`visor-backup-bench`, the `visor-bench`
//! harness): a node's data, half text-like (it compresses), half random (it does not).

use std::fmt::Write as _;
use std::fs;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

/// splitmix64: fast, deterministic, good enough for test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// Appends `len` random bytes.
    pub fn random(&mut self, out: &mut Vec<u8>, len: usize) {
        let end = out.len() + len;
        while out.len() + 8 <= end {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = end - out.len();
        out.extend_from_slice(&self.next_u64().to_le_bytes()[..rest]);
    }

    /// Appends `len` bytes of JSON-ish records, like a node's indexes and logs: about 3:1 with
    /// gzip.
    pub fn text(&mut self, out: &mut Vec<u8>, len: usize) {
        const WORDS: [&str; 32] = [
            "order",
            "trade",
            "deposit",
            "withdrawal",
            "transfer",
            "delegation",
            "reward",
            "vote",
            "proposal",
            "position",
            "margin",
            "settlement",
            "liquidity",
            "oracle",
            "epoch",
            "stake",
            "filled",
            "active",
            "pending",
            "rejected",
            "cancelled",
            "expired",
            "buy",
            "sell",
            "limit",
            "market",
            "mixnode",
            "gateway",
            "bond",
            "ledger",
            "commit",
            "validator",
        ];
        let end = out.len() + len;
        let mut line = String::with_capacity(192);
        while out.len() < end {
            let r = self.next_u64();
            line.clear();
            let _ = writeln!(
                line,
                "{{\"height\":{},\"type\":\"{}\",\"status\":\"{}\",\"party\":\"{:012x}\",\"market\":\"{}\",\"amount\":{},\"hash\":\"{:08x}\"}}",
                1_000_000 + (r >> 40),
                WORDS[(r & 31) as usize],
                WORDS[((r >> 5) & 31) as usize],
                self.below(1 << 20) * 0x1_0001,
                WORDS[((r >> 10) & 31) as usize],
                (r >> 16) & 0xF_FFFF,
                self.next_u64() as u32,
            );
            out.extend_from_slice(line.as_bytes());
        }
        out.truncate(end);
    }
}

/// The shape of a folder of many files: `total` bytes in files of `min..=max` bytes, spread
/// over 16 × 16 folders like a chain store's shards.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub total: u64,
    pub min: u64,
    pub max: u64,
    pub seed: u64,
}

/// Writes a folder of `shape` at `dir` (made if missing) on every core, then syncs its
/// filesystem; returns the number of files. The same shape always gives the same bytes.
pub fn many_files(dir: &Path, shape: Shape) -> Result<usize, String> {
    struct File {
        rel: PathBuf,
        len: usize,
        text: bool,
        seed: u64,
    }
    let mut rng = Rng(shape.seed);
    let mut files = Vec::new();
    let mut left = shape.total;
    let spread = shape.max.saturating_sub(shape.min);
    while left > 0 {
        let i = files.len();
        let len = (shape.min + rng.below(spread + 1)).min(left).max(1);
        left -= len;
        let rel = PathBuf::from(format!("store/{:x}/{:x}/{i:06}.ldb", (i / 16) % 16, i % 16));
        files.push(File { rel, len: len as usize, text: i % 2 == 0, seed: rng.next_u64() });
    }
    for a in 0..16 {
        for b in 0..16 {
            let sub = dir.join(format!("store/{a:x}/{b:x}"));
            fs::create_dir_all(&sub).map_err(|e| format!("cannot make {}: {e}", sub.display()))?;
        }
    }
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let files = &files;
                s.spawn(move || -> Result<(), String> {
                    let mut buf = Vec::with_capacity(64 << 10);
                    for f in files.iter().skip(t).step_by(threads) {
                        buf.clear();
                        let mut rng = Rng(f.seed);
                        if f.text {
                            rng.text(&mut buf, f.len)
                        } else {
                            rng.random(&mut buf, f.len)
                        }
                        let path = dir.join(&f.rel);
                        fs::write(&path, &buf).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| "a generator thread panicked".to_owned())?)
    })?;
    fs::write(dir.join("CURRENT"), b"MANIFEST-000001\n").map_err(|e| e.to_string())?;
    let syncing = fs::File::open(dir).map_err(|e| e.to_string())?;
    nix::unistd::syncfs(syncing.as_fd()).map_err(|e| e.to_string())?;
    Ok(files.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_shape_gives_the_same_files_of_the_asked_size() {
        let shape = Shape { total: 300_000, min: 4096, max: 20_000, seed: 7 };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let files = many_files(a.path(), shape).unwrap();
        assert_eq!(many_files(b.path(), shape).unwrap(), files);
        let first = a.path().join("store/0/0/000000.ldb");
        assert_eq!(fs::read(&first).unwrap(), fs::read(b.path().join("store/0/0/000000.ldb")).unwrap());
        let mut total = 0;
        for i in 0..files - 1 {
            let rel = format!("store/{:x}/{:x}/{i:06}.ldb", (i / 16) % 16, i % 16);
            let len = fs::metadata(a.path().join(rel)).unwrap().len();
            assert!(len <= 20_000, "{len}");
            total += len;
        }
        assert_eq!(total, 300_000);
    }
}
