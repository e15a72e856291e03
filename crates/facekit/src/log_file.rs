//! The visor's own log lines, also written to a file that is rotated by size.
//!
//! A thread of its own writes the file, fed through a bounded queue: a slow, full or broken
//! disk drops lines and never blocks or fails the visor (nor the node, which would die with
//! it). The file is opened without following a link (the visor often runs as root, and a local
//! user could plant one where the file goes) and created 0640 whatever the umask. Rotation
//! renames `PATH.{N-1}` to `PATH.N`, …, `PATH` to `PATH.1`, and starts a new `PATH`; a line is
//! never split across two files.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::time::{Duration, Instant};

/// The size past which the file is rotated, unless told otherwise: 100 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 100 << 20;
/// How many rotated files are kept, unless told otherwise.
pub const DEFAULT_KEEP: usize = 5;
/// The most rotated files kept: each rotation renames every one of them.
pub const MAX_KEEP: usize = 1000;
/// Lines waiting for the writer; beyond this the visor drops lines rather than wait.
const QUEUE_LINES: usize = 4096;
/// The mode of a log file the visor creates.
const MODE: u32 = 0o640;

/// The target of the writer's own reports: they go to stderr, never into the file they are about.
pub(crate) const REPORT_TARGET: &str = "visor::log_file";

/// Where the log file goes and how it is rotated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The file; rotated copies are `PATH.1` (newest) to `PATH.<keep>`.
    pub path: PathBuf,
    /// The size in bytes past which the file is rotated (at least 1).
    pub max_size: u64,
    /// How many rotated files are kept (0: the full file is removed).
    pub keep: usize,
}

impl LogFile {
    /// The log file at `path` with the default rotation.
    pub fn new(path: PathBuf) -> Self {
        Self { path, max_size: DEFAULT_MAX_SIZE, keep: DEFAULT_KEEP }
    }

    /// `PATH.n`.
    fn numbered(&self, n: usize) -> PathBuf {
        let mut name = OsString::from(self.path.as_os_str());
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }
}

enum Message {
    Line(Vec<u8>),
    /// Answered once every line queued before it is written.
    Flush(SyncSender<()>),
}

/// The visor's end of the queue to the writer thread.
pub(crate) struct Sink {
    queue: SyncSender<Message>,
    dropped: Arc<AtomicU64>,
}

impl Sink {
    /// Starts the writer thread for `file`; `report` says what goes wrong (on stderr).
    pub(crate) fn start(file: LogFile, report: fn(&str)) -> io::Result<Self> {
        let (queue, lines) = mpsc::sync_channel(QUEUE_LINES);
        let dropped = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&dropped);
        std::thread::Builder::new()
            .name("log-file".into())
            .spawn(move || write_lines(&lines, Rotating::new(file), &counted, report))?;
        Ok(Self { queue, dropped })
    }

    /// Queues one line; a full queue drops it (counted, and said by the writer).
    pub(crate) fn send(&self, line: Vec<u8>) {
        if let Err(TrySendError::Full(_)) = self.queue.try_send(Message::Line(line)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Waits up to `timeout` for the lines queued so far to be written; false if they were not.
    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let (done, written) = mpsc::sync_channel(1);
        let mut message = Message::Flush(done);
        loop {
            match self.queue.try_send(message) {
                Ok(()) => break,
                Err(TrySendError::Disconnected(_)) => return false,
                Err(TrySendError::Full(m)) if Instant::now() < deadline => {
                    message = m;
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(TrySendError::Full(_)) => return false,
            }
        }
        written.recv_timeout(deadline.saturating_duration_since(Instant::now())).is_ok()
    }
}

fn write_lines(lines: &Receiver<Message>, mut file: Rotating, dropped: &AtomicU64, report: fn(&str)) {
    for message in lines {
        match message {
            Message::Line(line) => {
                if let Some(problem) = file.write_line(&line) {
                    report(&problem);
                }
            }
            Message::Flush(done) => {
                let _ = done.try_send(());
            }
        }
        let lost = dropped.swap(0, Ordering::Relaxed);
        if lost > 0 {
            report(&format!(
                "{lost} log lines were not written to {}: the disk is slower than the log; they are on stderr only",
                file.spec.path.display()
            ));
        }
    }
}

/// The file being written, its size, and whether a failure was already said.
pub(crate) struct Rotating {
    spec: LogFile,
    file: Option<File>,
    size: u64,
    /// Only regular files are rotated (a FIFO or `/dev/null` is written as it is).
    regular: bool,
    /// A failure was said and nothing was written since: the next one is not said again.
    failing: bool,
}

impl Rotating {
    pub(crate) fn new(spec: LogFile) -> Self {
        Self { spec, file: None, size: 0, regular: true, failing: false }
    }

    /// Writes one line, rotating first if it would take the file past its size. Returns what
    /// to tell the operator: the first failure after a success, and the recovery after one.
    pub(crate) fn write_line(&mut self, line: &[u8]) -> Option<String> {
        match self.try_write(line) {
            Ok(()) if self.failing => {
                self.failing = false;
                Some(format!("the log file {} is written again", self.spec.path.display()))
            }
            Ok(()) => None,
            Err(e) => {
                // Opened afresh for the next line: the folder may be back, the disk freed.
                self.file = None;
                if self.failing {
                    return None;
                }
                self.failing = true;
                Some(format!(
                    "the log file {} cannot be written ({e}): its lines are dropped until it can be (they are still \
                     on stderr); check the folder, its permissions and the free space",
                    self.spec.path.display()
                ))
            }
        }
    }

    fn try_write(&mut self, line: &[u8]) -> io::Result<()> {
        if self.file.is_none() {
            self.open()?;
        }
        let wanted = self.size.saturating_add(line.len() as u64);
        if self.regular && self.size > 0 && wanted > self.spec.max_size {
            // What is on disk decides (someone may have truncated it).
            self.size = self.file.as_ref().and_then(|f| f.metadata().ok()).map_or(self.size, |m| m.len());
            if self.size > 0 && self.size.saturating_add(line.len() as u64) > self.spec.max_size {
                self.rotate()?;
            }
        }
        let Some(file) = self.file.as_mut() else { return Err(io::Error::other("the log file is not open")) };
        file.write_all(line)?;
        self.size = self.size.saturating_add(line.len() as u64);
        Ok(())
    }

    fn open(&mut self) -> io::Result<()> {
        let (file, size, regular) = open_no_follow(&self.spec.path)?;
        self.file = Some(file);
        self.size = size;
        self.regular = regular;
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let gone = |r: io::Result<()>| match r {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        };
        if self.spec.keep == 0 {
            gone(std::fs::remove_file(&self.spec.path))?;
        } else {
            // rename(2) replaces a link planted at a numbered name; it never writes through it.
            for n in (1..self.spec.keep).rev() {
                gone(std::fs::rename(self.spec.numbered(n), self.spec.numbered(n + 1)))?;
            }
            gone(std::fs::rename(&self.spec.path, self.spec.numbered(1)))?;
        }
        self.open()
    }
}

/// Opens `path` to append, creating it 0640; never through a symbolic link, never a file with
/// other hard links, never blocking on a FIFO without a reader. Returns the file, its size and
/// whether it is a regular file.
fn open_no_follow(path: &Path) -> io::Result<(File, u64, bool)> {
    let mut options = OpenOptions::new();
    options.append(true).custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK);
    let created = options.clone().create_new(true).mode(MODE).open(path);
    let file = match created {
        Ok(file) => {
            file.set_permissions(std::fs::Permissions::from_mode(MODE))?;
            return Ok((file, 0, true));
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => options.open(path).map_err(|e| {
            if e.raw_os_error() == Some(nix::libc::ELOOP) {
                io::Error::other("it is a symbolic link, which the visor does not follow")
            } else {
                e
            }
        })?,
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if meta.is_file() && meta.nlink() > 1 {
        return Err(io::Error::other("it has other hard links, so writing it would change another file"));
    }
    Ok((file, meta.len(), meta.is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &Path, max_size: u64, keep: usize) -> LogFile {
        LogFile { path: dir.join("visor.log"), max_size, keep }
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_default()
    }

    #[test]
    fn the_file_rotates_at_its_size_and_keeps_the_newest_copies() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 20, 2);
        let mut log = Rotating::new(spec.clone());
        for n in 0..5 {
            assert_eq!(log.write_line(format!("line {n} 123456\n").as_bytes()), None);
        }
        // 14 bytes a line, 20 at most a file: one line per file, two copies kept.
        assert_eq!(read(&spec.path), "line 4 123456\n");
        assert_eq!(read(&spec.numbered(1)), "line 3 123456\n");
        assert_eq!(read(&spec.numbered(2)), "line 2 123456\n");
        assert!(!spec.numbered(3).exists());
        let mode = std::fs::metadata(&spec.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn lines_fill_a_file_up_to_its_size_and_a_long_line_gets_a_file_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 10, 5);
        let mut log = Rotating::new(spec.clone());
        let long = format!("{}\n", "x".repeat(30));
        for line in ["abcd\n", "efgh\n", "ij\n", &long, "k\n"] {
            assert_eq!(log.write_line(line.as_bytes()), None);
        }
        assert_eq!(read(&spec.numbered(3)), "abcd\nefgh\n", "exactly at its size: not rotated yet");
        assert_eq!(read(&spec.numbered(2)), "ij\n");
        assert_eq!(read(&spec.numbered(1)), long);
        assert_eq!(read(&spec.path), "k\n");
    }

    #[test]
    fn an_existing_file_is_appended_to_and_rotated_by_its_size_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 16, 1);
        std::fs::write(&spec.path, "from before 123\n").unwrap();
        std::fs::set_permissions(&spec.path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut log = Rotating::new(spec.clone());
        log.write_line(b"new\n");
        assert_eq!(read(&spec.numbered(1)), "from before 123\n");
        assert_eq!(read(&spec.path), "new\n");
        let mut log = Rotating::new(LogFile { max_size: 100, ..spec.clone() });
        log.write_line(b"more\n");
        assert_eq!(read(&spec.path), "new\nmore\n");
    }

    #[test]
    fn keeping_none_removes_the_full_file() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 8, 0);
        let mut log = Rotating::new(spec.clone());
        log.write_line(b"first 1\n");
        log.write_line(b"second\n");
        assert_eq!(read(&spec.path), "second\n");
        assert!(!spec.numbered(1).exists());
    }

    #[test]
    fn a_planted_link_is_never_followed_and_the_failure_is_said_once() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("shadow");
        std::fs::write(&target, "secret\n").unwrap();
        let spec = spec(dir.path(), 1 << 20, 5);
        std::os::unix::fs::symlink(&target, &spec.path).unwrap();
        let mut log = Rotating::new(spec.clone());
        let said = log.write_line(b"line 1\n").expect("the failure is said");
        assert!(said.contains("visor.log") && said.contains("symbolic link"), "{said}");
        assert_eq!(log.write_line(b"line 2\n"), None, "said once");
        assert_eq!(read(&target), "secret\n", "the link's target is untouched");
        // The link removed, the file is written again, and that is said.
        std::fs::remove_file(&spec.path).unwrap();
        let said = log.write_line(b"line 3\n").expect("the recovery is said");
        assert!(said.contains("written again"), "{said}");
        assert_eq!(read(&spec.path), "line 3\n");
    }

    #[test]
    fn a_dangling_link_and_a_hard_link_are_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 1 << 20, 5);
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &spec.path).unwrap();
        assert!(Rotating::new(spec.clone()).write_line(b"x\n").is_some());
        assert!(!dir.path().join("nowhere").exists(), "nothing was created through the link");
        std::fs::remove_file(&spec.path).unwrap();
        let other = dir.path().join("other");
        std::fs::write(&other, "other\n").unwrap();
        std::fs::hard_link(&other, &spec.path).unwrap();
        let said = Rotating::new(spec).write_line(b"x\n").expect("refused");
        assert!(said.contains("hard links"), "{said}");
        assert_eq!(read(&other), "other\n");
    }

    #[test]
    fn a_full_disk_drops_lines_and_never_fails() {
        let mut log = Rotating::new(LogFile::new(PathBuf::from("/dev/full")));
        let said = log.write_line(b"line\n").expect("said");
        assert!(said.contains("/dev/full") && said.contains("dropped"), "{said}");
        for _ in 0..10 {
            assert_eq!(log.write_line(b"line\n"), None);
        }
    }

    #[test]
    fn a_missing_folder_is_said_and_the_file_is_written_once_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(&dir.path().join("later"), 1 << 20, 5);
        let mut log = Rotating::new(spec.clone());
        assert!(log.write_line(b"lost\n").is_some());
        std::fs::create_dir(dir.path().join("later")).unwrap();
        assert!(log.write_line(b"kept\n").is_some_and(|s| s.contains("written again")));
        assert_eq!(read(&spec.path), "kept\n");
    }

    #[test]
    fn the_writer_thread_writes_every_queued_line_before_a_flush_returns() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(dir.path(), 1 << 20, 5);
        let sink = Sink::start(spec.clone(), |_| {}).unwrap();
        for n in 0..100 {
            sink.send(format!("{n}\n").into_bytes());
        }
        assert!(sink.flush(Duration::from_secs(20)));
        let text = read(&spec.path);
        assert_eq!(text.lines().count(), 100, "{text}");
        assert_eq!(text.lines().last(), Some("99"));
    }
}
