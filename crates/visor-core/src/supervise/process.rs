//! Spawning one process of a node: its own process group, stdin from /dev/null, stdout and
//! stderr inherited (zero-copy passthrough), parent-death signal.

use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use tokio::sync::{mpsc, watch};

/// What to run for one role of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSpec {
    /// The role, as operators name it ("core", "data-node", "daemon").
    pub role: String,
    /// The executable, absolute.
    pub program: PathBuf,
    /// Arguments after the program name; no shell parsing.
    pub args: Vec<OsString>,
}

/// A process could not be started.
#[derive(Debug, thiserror::Error)]
#[error("cannot start {role} ({program}): {source}")]
pub struct SpawnError {
    /// The role.
    pub role: String,
    /// The executable.
    pub program: PathBuf,
    /// The cause.
    pub source: io::Error,
}

/// A process's exit, delivered to whoever supervises the node.
#[derive(Debug, Clone)]
pub struct ExitedEvent {
    /// The generation of the node the process belonged to.
    pub generation: u64,
    /// The role.
    pub role: String,
    /// How it ended.
    pub status: ExitStatus,
}

/// A running (or exited) process of a node.
#[derive(Debug, Clone)]
pub struct ProcessHandle {
    /// The role.
    pub role: String,
    /// The PID, which is also its process group ID.
    pub pid: u32,
    /// When it was spawned.
    pub since: SystemTime,
    pub(crate) exited: watch::Receiver<Option<ExitStatus>>,
}

impl ProcessHandle {
    /// The process group.
    pub fn pgid(&self) -> i32 {
        self.pid as i32
    }

    /// The exit status, once the process has been reaped.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        *self.exited.borrow()
    }
}

/// Spawns `spec` and reports its exit on `exits`.
///
/// Must be called from the visor's main thread (the parent-death signal follows the forking
/// thread), which holds for every task of the visor's single-threaded runtime.
pub fn spawn(
    spec: &ProcessSpec,
    generation: u64,
    exits: mpsc::UnboundedSender<ExitedEvent>,
    cgroup: Option<&super::NodeCgroup>,
    tag: Option<&str>,
) -> Result<ProcessHandle, SpawnError> {
    let spawn_error = |source| SpawnError { role: spec.role.clone(), program: spec.program.clone(), source };
    if let Some(folder) = cgroup.and_then(super::NodeCgroup::folder_fd)
        && BORN_IN_CGROUP.load(Ordering::Relaxed)
    {
        match spawn_born(spec, generation, exits.clone(), folder, tag) {
            Ok(handle) => return Ok(handle),
            Err(e) if super::clone_into::unsupported(&e) => {
                BORN_IN_CGROUP.store(false, Ordering::Relaxed);
                tracing::info!(
                    error = e.to_string(),
                    "processes cannot be born in the node's cgroup here (clone3); they move themselves in"
                );
            }
            Err(e) => return Err(spawn_error(e)),
        }
    }
    let mut command = tokio::process::Command::new(&spec.program);
    command.args(&spec.args).stdin(Stdio::null()).process_group(0).kill_on_drop(false);
    // systemd's notify socket and watchdog are the visor's: a node that used them would speak
    // for the service (and a watchdog it does not feed would not be the visor's either).
    for var in super::SERVICE_MANAGER_ENV {
        command.env_remove(var);
    }
    if let Some(tag) = tag {
        command.env(super::descendants::NODE_TAG_ENV, tag);
    }
    let parent = nix::unistd::getpid();
    let procs = cgroup.map(super::NodeCgroup::procs_fd);
    // SAFETY: the hook only makes async-signal-safe system calls (prctl, getppid, sigprocmask,
    // one write to the cgroup's procs file, whose descriptor outlives this call).
    unsafe {
        command.pre_exec(move || {
            super::unix::pre_exec(parent)?;
            match procs {
                Some(fd) => super::cgroup::join_in_child(fd),
                None => Ok(()),
            }
        });
    }
    let mut child = super::descendants::with_spawn_lock(|| {
        let child = retrying_busy(|| command.spawn())?;
        if let Some(pid) = child.id() {
            super::descendants::register_spawned(pid as i32);
        }
        Ok::<_, io::Error>(child)
    })
    .map_err(spawn_error)?;
    let pid = child.id().ok_or_else(|| spawn_error(io::Error::other("process exited before it got a pid")))?;
    Ok(watch_exit(spec, generation, exits, pid, async move { child.wait().await }))
}

/// The handle of a spawned process whose end `waited` resolves: its status goes to the handle
/// and, as an [`ExitedEvent`], to `exits`.
fn watch_exit(
    spec: &ProcessSpec,
    generation: u64,
    exits: mpsc::UnboundedSender<ExitedEvent>,
    pid: u32,
    waited: impl Future<Output = io::Result<ExitStatus>> + Send + 'static,
) -> ProcessHandle {
    let (tx, rx) = watch::channel(None);
    let role = spec.role.clone();
    tokio::spawn(async move {
        let waited = waited.await;
        super::descendants::unregister_spawned(pid as i32);
        let status = match waited {
            Ok(status) => status,
            Err(e) => {
                tracing::error!(role, pid, error = e.to_string(), "cannot wait for process");
                return;
            }
        };
        let _ = tx.send(Some(status));
        let _ = exits.send(ExitedEvent { generation, role, status });
    });
    ProcessHandle { role: spec.role.clone(), pid, since: SystemTime::now(), exited: rx }
}

/// Whether `clone3(CLONE_INTO_CGROUP)` works here; off after the first refusal.
static BORN_IN_CGROUP: AtomicBool = AtomicBool::new(true);

/// Spawns `spec` born in the cgroup whose folder is open as `folder` (see `clone_into`), and
/// waits for it through its pidfd.
fn spawn_born(
    spec: &ProcessSpec,
    generation: u64,
    exits: mpsc::UnboundedSender<ExitedEvent>,
    folder: std::os::fd::RawFd,
    tag: Option<&str>,
) -> io::Result<ProcessHandle> {
    let tag_var = std::ffi::OsStr::new(super::descendants::NODE_TAG_ENV);
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
        .filter(|(k, _)| k != tag_var && !super::SERVICE_MANAGER_ENV.iter().any(|v| k == v))
        .collect();
    if let Some(tag) = tag {
        env.push((tag_var.to_owned(), tag.into()));
    }
    let parent = nix::unistd::getpid().as_raw();
    let born = super::descendants::with_spawn_lock(|| {
        let born = retrying_busy(|| super::clone_into::spawn(&spec.program, &spec.args, &env, folder, parent))?;
        super::descendants::register_spawned(born.pid);
        Ok::<_, io::Error>(born)
    })?;
    let pid = born.pid as u32;
    let pidfd = born.pidfd;
    let waited = async move {
        // SAFETY: the AsyncFd owns the pidfd (an OwnedFd), which stays open and the same for as
        // long as the AsyncFd lives.
        match unsafe { tokio::io::unix::AsyncFd::register_with_interest(pidfd, tokio::io::Interest::READABLE) } {
            // A pidfd is readable once its process has ended.
            Ok(fd) => loop {
                let mut ready = fd.readable().await?;
                match super::clone_into::try_wait(fd.get_ref())? {
                    Some(status) => break Ok(status),
                    None => ready.clear_ready(),
                }
            },
            // The process runs whatever happens here: waited for on a thread rather than lost.
            Err(e) => {
                let (fd, _) = e.into_parts();
                tokio::task::spawn_blocking(move || super::clone_into::wait(&fd)).await.map_err(io::Error::other)?
            }
        }
    };
    Ok(watch_exit(spec, generation, exits, pid, waited))
}

/// A binary written moments ago may still be open for writing in a process forked meanwhile
/// (execve fails with ETXTBSY until that process execs): retry briefly.
pub(crate) fn retrying_busy<T>(mut spawn: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut delay = std::time::Duration::from_millis(1);
    for _ in 0..8 {
        match spawn() {
            Err(e) if e.kind() == io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(delay);
                delay *= 2;
            }
            other => return other,
        }
    }
    spawn()
}
