//! Where a download's bytes go: hashed as they arrive, written by a thread of its own.
//!
//! Measured with `cargo bench -p visor-core --bench fetch` on 2 cores (SHA-NI), 256 MiB over
//! loopback: SHA-256 costs ~155 ms of CPU over bytes still in the cache of the core that
//! received them, ~225 ms over bytes another core received; writing the file ~80 ms. So the
//! receiving task hashes and one thread writes: the least CPU of the arrangements tried, and
//! as fast as any. Tried and dropped: hashing on a thread of its own beside the writer (no
//! faster, ~70 ms more CPU), hashing and writing in turn on one thread (the old way, ~10%
//! slower), gathering chunks into 1 MiB buffers (a copy more, no faster: hyper already hands
//! over ~400 KiB at a time), deeper or shallower queues (no difference).

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use super::{Algorithm, Checksum, Hasher};

/// What the writer thread is told.
enum Chunk {
    Bytes(bytes::Bytes),
    /// The server cannot resume: drop what was written.
    Restart,
}

/// Chunks queued for the writer. hyper hands over up to ~400 KiB at a time, so this bounds
/// what waits in memory to a few MiB; a deeper queue measured no faster.
const QUEUED: usize = 16;

/// Hashes the bytes on the receiving task, while they are still in this core's cache, and
/// writes them on a thread of its own, so the write overlaps with receiving and hashing.
/// Hashing a chunk of 400 KiB takes ~0.25 ms: a fair pause for the staging runtime, which is
/// its own.
pub(super) struct Sink {
    algorithm: Algorithm,
    hasher: Hasher,
    hashed: u64,
    tx: tokio::sync::mpsc::Sender<Chunk>,
    writer: std::thread::JoinHandle<std::io::Result<u64>>,
}

impl Sink {
    pub(super) fn start(mut file: File, algorithm: Algorithm) -> std::io::Result<Self> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(QUEUED);
        let writer = std::thread::Builder::new().name("download-writer".to_owned()).spawn(move || {
            let mut written = 0u64;
            while let Some(chunk) = rx.blocking_recv() {
                match chunk {
                    Chunk::Bytes(bytes) => {
                        file.write_all(&bytes)?;
                        written += bytes.len() as u64;
                    }
                    Chunk::Restart => {
                        file.set_len(0)?;
                        file.seek(SeekFrom::Start(0))?;
                        written = 0;
                    }
                }
            }
            Ok(written)
        })?;
        Ok(Self { algorithm, hasher: Hasher::new(algorithm), hashed: 0, tx, writer })
    }

    /// Hashes `bytes` and hands them to the writer; false if the writer has stopped (its
    /// error comes with `finish`).
    pub(super) async fn send(&mut self, bytes: bytes::Bytes) -> bool {
        self.hasher.update(&bytes);
        self.hashed += bytes.len() as u64;
        self.tx.send(Chunk::Bytes(bytes)).await.is_ok()
    }

    /// Drops what was received so far, hashed and written.
    pub(super) async fn restart(&mut self) -> bool {
        self.hasher = Hasher::new(self.algorithm);
        self.hashed = 0;
        self.tx.send(Chunk::Restart).await.is_ok()
    }

    pub(super) fn finish(self) -> std::io::Result<(u64, Checksum)> {
        drop(self.tx);
        let written =
            self.writer.join().unwrap_or_else(|_| Err(std::io::Error::other("the download writer panicked")))?;
        // The file must hold exactly the bytes hashed; anything else is a bug, never "verified".
        if written != self.hashed {
            return Err(std::io::Error::other(format!(
                "{written} bytes were written but {} hashed; download again",
                self.hashed
            )));
        }
        Ok((written, self.hasher.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::hash_bytes;

    #[tokio::test]
    async fn the_file_holds_exactly_what_was_hashed_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("download");
        let mut sink = Sink::start(File::create(&path).unwrap(), Algorithm::Sha256).unwrap();
        let first: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        assert!(sink.send(bytes::Bytes::from(first)).await);
        assert!(sink.restart().await);
        let again: Vec<u8> = (0..700_000u32).map(|i| (i % 241) as u8).collect();
        for piece in again.chunks(65_536) {
            assert!(sink.send(bytes::Bytes::copy_from_slice(piece)).await);
        }
        let (written, checksum) = sink.finish().unwrap();
        assert_eq!(written, again.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), again, "nothing of the first try is left");
        assert_eq!(checksum, hash_bytes(&again, Algorithm::Sha256));
    }

    #[tokio::test]
    async fn a_write_that_fails_is_the_error_not_a_checksum() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("download");
        std::fs::write(&path, b"").unwrap();
        // Opened read-only: every write fails, as on a full disk.
        let mut sink = Sink::start(File::open(&path).unwrap(), Algorithm::Sha256).unwrap();
        for _ in 0..(QUEUED + 2) {
            if !sink.send(bytes::Bytes::from_static(b"bytes")).await {
                break;
            }
        }
        let e = sink.finish().unwrap_err();
        assert_eq!(e.raw_os_error(), Some(nix::libc::EBADF), "{e}");
    }
}
