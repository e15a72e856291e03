//! Writes that survive a crash: a file is either its old or its new content, never torn.
//!
//! Every state file goes through [`write_atomic`]: a temporary file in the same folder, fsync,
//! rename over the target, fsync of the folder (fsync(2) does not persist the directory entry).
//! The temporary file is created exclusively (`O_EXCL` never follows a link planted at its
//! name) and gets exactly the mode asked for, whatever the umask; the rename replaces whatever
//! is at the target, a link included, without following it. Folders the visor makes are
//! private (0700). A killed visor's temporaries are recognised by their exact shape and removed
//! at the next start ([`remove_stale_temporaries`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The name of a temporary sibling of `path`: hidden, and unpredictable (a random number
/// beside the PID), so nobody can plant a link at it ahead of time.
pub(crate) fn temp_sibling(path: &Path, tag: &str) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    // The standard library seeds its hash keys from the OS's random source.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(n);
    path.with_file_name(format!(".{name}.{tag}-{}-{}", std::process::id(), hasher.finish()))
}

/// Reads the regular file `path`, refusing one larger than `max` bytes (a state file, a
/// configuration, a plan: nothing read whole may be unbounded). A FIFO or device is refused
/// without waiting on it.
pub fn read_bounded(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = OpenOptions::new().read(true).custom_flags(nix::libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let too_large = || io::Error::new(io::ErrorKind::FileTooLarge, format!("larger than the limit of {max} bytes"));
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bounded`] of a UTF-8 text file, at most [`MAX_DOCUMENT`] bytes.
pub fn read_text_bounded(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bounded(path, MAX_DOCUMENT)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// The largest state or configuration file read.
pub const MAX_DOCUMENT: u64 = 16 << 20;

/// Whether `name` is one of [`temp_sibling`]'s names: `.<name>.<tag>-<pid>-<n>`.
pub(crate) fn is_temp_name(name: &str, tag: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else { return false };
    let Some((_, suffix)) = rest.rsplit_once(&format!(".{tag}-")) else { return false };
    let Some((pid, n)) = suffix.split_once('-') else { return false };
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    digits(pid) && digits(n)
}

/// Removes what a killed visor's atomic writes left in `dir`: entries of any kind (a file, a
/// link someone planted, a folder) with the exact shape of a temporary name. Returns how many.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !is_temp_name(&entry.file_name().to_string_lossy(), "tmp") {
            continue;
        }
        let path = entry.path();
        let result = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed += 1,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = e.to_string(), "cannot remove a stale temporary file")
            }
        }
    }
    removed
}

/// Creates a new temporary sibling of `path`, trying another name if one is taken.
fn create_temp(path: &Path, mode: u32) -> io::Result<(PathBuf, File)> {
    let mut last = None;
    for _ in 0..8 {
        let tmp = temp_sibling(path, "tmp");
        match OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)))
}

/// What a write must survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// A power loss: fsync of the file and of its folder.
    PowerLoss,
    /// Only the death of the process (SIGKILL): the rename alone, which the next process sees
    /// at once. For records of running processes, which no power loss leaves running.
    ProcessDeath,
}

/// Replaces `path` with `bytes` durably; the file gets exactly `mode`.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_atomic_with(path, bytes, mode, Durability::PowerLoss)
}

/// [`write_atomic`] with the durability the content needs.
pub fn write_atomic_with(path: &Path, bytes: &[u8], mode: u32, durability: Durability) -> io::Result<()> {
    let (tmp, mut file) = create_temp(path, mode)?;
    let result = (|| {
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(bytes)?;
        if durability == Durability::PowerLoss {
            file.sync_all()?;
        }
        drop(file);
        fs::rename(&tmp, path)?;
        if durability == Durability::PowerLoss {
            sync_parent(path)?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// [`write_atomic`] of pretty JSON with a trailing newline, private to the visor's user.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_atomic(path, &bytes, 0o600)
}

/// Persists the directory entries of `dir` (a rename, a new file, a removal).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Persists the directory entry of `path` in its parent folder.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => sync_dir(parent),
        _ => sync_dir(Path::new(".")),
    }
}

/// Creates `dir` (and parents) and persists every new entry. Folders made here are private
/// (0700, whatever the umask); existing ones are left as they are.
pub fn create_dir_durable(dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut at = dir;
    while !at.is_dir() {
        missing.push(at);
        match at.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => at = parent,
            _ => break,
        }
    }
    for created in missing.iter().rev() {
        match fs::DirBuilder::new().mode(0o700).create(created) {
            Ok(()) => fs::set_permissions(created, fs::Permissions::from_mode(0o700))?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && created.is_dir() => {}
            Err(e) => return Err(e),
        }
        sync_parent(created)?;
    }
    Ok(())
}

/// Makes sure the visor's own state folder `dir` exists, is a real folder (not a link) and
/// is private (0700): a folder others can write is one where they can plant files the visor
/// trusts (a `groups.json` naming process groups to kill).
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    create_dir_durable(dir)?;
    let meta = fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(io::Error::other(format!("{} is not a folder (a link?); remove it", dir.display())));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(folder = %dir.display(), mode = format!("{:o}", meta.permissions().mode() & 0o7777), "the state folder was open to others; making it private (0700)");
        let file = File::open(dir)?;
        file.set_permissions(fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Keeps the newest value of a document written in the background: the run loop hands a
/// value over without waiting; a task writes the latest one atomically on a blocking thread
/// (values sent meanwhile are skipped, never reordered).
pub(crate) struct LatestWriter<T> {
    tx: tokio::sync::watch::Sender<Option<T>>,
    task: tokio::task::JoinHandle<()>,
}

impl<T: Serialize + Clone + Send + Sync + 'static> LatestWriter<T> {
    /// Starts writing to `path` (`what` names the document in warnings), completing each value
    /// with `prepare` (which may look at the disk) on the blocking thread, just before it is
    /// written.
    pub(crate) fn start_with(
        path: PathBuf,
        what: &'static str,
        prepare: impl Fn(&mut T) + Send + Sync + 'static,
    ) -> Self {
        let (tx, mut rx) = tokio::sync::watch::channel(None::<T>);
        let prepare = std::sync::Arc::new(prepare);
        let task = tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let Some(mut value) = rx.borrow_and_update().clone() else { continue };
                let (path, prepare) = (path.clone(), std::sync::Arc::clone(&prepare));
                let written = tokio::task::spawn_blocking(move || {
                    prepare(&mut value);
                    write_json_atomic(&path, &value).map_err(|e| (path, e))
                })
                .await;
                if let Ok(Err((path, e))) = written {
                    tracing::warn!(path = %path.display(), error = e.to_string(), "cannot write the {what}");
                }
            }
        });
        Self { tx, task }
    }

    /// Hands `value` over for writing.
    pub(crate) fn publish(&self, value: T) {
        self.tx.send_replace(Some(value));
    }

    /// Writes `value` last and waits until it is on disk: nothing older can land after it.
    pub(crate) async fn finish(self, value: T) {
        self.tx.send_replace(Some(value));
        drop(self.tx);
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomic(&path, b"old", 0o600).unwrap();
        write_atomic(&path, b"new", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn never_writes_through_a_planted_link_and_ignores_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let path = dir.path().join("state.json");
        // Links at the names a counter would give: the real names are not predictable.
        for n in 0..64 {
            let name = format!(".state.json.tmp-{}-{n}", std::process::id());
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        let old = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        let result = write_atomic(&path, b"new", 0o600);
        nix::sys::stat::umask(old);
        result.unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(remove_stale_temporaries(dir.path()), 64, "leftovers of the exact shape go, of any kind");
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }

    #[test]
    fn temporary_names_are_recognised_by_their_exact_shape() {
        assert!(is_temp_name(".status.json.tmp-12-0", "tmp"));
        for other in ["status.json", ".status.json.tmp-", ".x.tmp-1-", "v1.tmp-1-2", ".x.tmp-a-1"] {
            assert!(!is_temp_name(other, "tmp"), "{other}");
        }
    }

    #[test]
    fn state_folders_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("a/.visor");
        let old = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        let made = ensure_private_dir(&state);
        nix::sys::stat::umask(old);
        made.unwrap();
        assert_eq!(fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o700);
        fs::set_permissions(&state, fs::Permissions::from_mode(0o777)).unwrap();
        ensure_private_dir(&state).unwrap();
        assert_eq!(fs::metadata(&state).unwrap().permissions().mode() & 0o777, 0o700);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&state, &link).unwrap();
        assert!(ensure_private_dir(&link).is_err());
    }

    #[test]
    fn failed_write_keeps_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub");
        fs::create_dir(&path).unwrap();
        // Renaming a file over a directory fails: the directory must be untouched.
        assert!(write_atomic(&path, b"x", 0o600).is_err());
        assert!(path.is_dir());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
