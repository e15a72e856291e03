//! One visor per home: an exclusive `flock` on a lock file that is never replaced.
//!
//! The lock belongs to the open file description, so the `File` lives as long as the visor.
//! The PID written into it is for people reading the file, not for the lock itself.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "another {} is already running on this home (lock {path} held{}); stop it first, or use another home",
        program_name(),
        pid.map(|p| format!(" by pid {p}")).unwrap_or_default()
    )]
    Held {
        /// The lock file.
        path: PathBuf,
        /// The PID the holder wrote, when readable.
        pid: Option<u32>,
    },
    /// The lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// This program as its operator called it (`nymvisor`, `cosmovisor`…), for messages that
/// speak of "another one" running.
pub fn program_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "visor".to_owned())
}

/// How long a lock whose recorded holder is dead may stay held before it counts as held.
const DEAD_HOLDER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Held for the life of the visor; dropping it releases the lock.
#[derive(Debug)]
pub struct HomeLock {
    _file: File,
    path: PathBuf,
}

impl HomeLock {
    /// Takes the lock at `path`, waiting up to `wait` while another process holds it (a command
    /// that changes a file a running visor reads, say). Never waits forever.
    pub fn acquire_within(path: &Path, wait: std::time::Duration) -> Result<Self, LockError> {
        let deadline = std::time::Instant::now() + wait;
        loop {
            match Self::acquire(path) {
                Err(LockError::Held { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Takes the lock at `path` without waiting.
    pub fn acquire(path: &Path) -> Result<Self, LockError> {
        let io_err = |source| LockError::Io { path: path.to_owned(), source };
        // Never through a link planted at the name (it would truncate what the link names).
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(nix::libc::O_NOFOLLOW)
            .open(path)
            .map_err(io_err)?;
        // A holder that is already dead can still hold the lock for a moment: a child it was
        // forking when it was killed has a copy of the descriptor until it execs or dies. Wait
        // that out (briefly); a live holder is refused at once.
        let deadline = std::time::Instant::now() + DEAD_HOLDER_GRACE;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    file.rewind().map_err(io_err)?;
                    let _ = Read::by_ref(&mut file).take(64).read_to_string(&mut text);
                    let pid: Option<u32> = text.trim().parse().ok();
                    let holder_dead = pid.is_some_and(|p| !crate::supervise::is_alive(p as i32));
                    if !holder_dead || std::time::Instant::now() >= deadline {
                        return Err(LockError::Held { path: path.to_owned(), pid });
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(TryLockError::Error(e)) => return Err(io_err(e)),
            }
        }
        // Truncate through the locked descriptor so a reader never sees another visor's PID.
        file.set_len(0).map_err(io_err)?;
        file.rewind().map_err(io_err)?;
        writeln!(file, "{}", std::process::id()).map_err(io_err)?;
        Ok(Self { _file: file, path: path.to_owned() })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visor.lock");
        let first = HomeLock::acquire(&path).unwrap();
        match HomeLock::acquire(&path) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(first);
        HomeLock::acquire(&path).unwrap();
    }
}
