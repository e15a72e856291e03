//! The node's own cgroup (v2), where the visor may make one.
//!
//! A process can leave its process group (`setsid`, a daemonizing script) but not its cgroup.
//! When the visor's cgroup is writable (systemd's `Delegate=yes`, a container's own hierarchy, a
//! root visor), each node start gets a child cgroup `visor-<pid>-<start>-node-<n>`; its processes are
//! moved in between fork and exec (before they can fork), and a stop ends with `cgroup.kill`,
//! which the kernel applies to every member at once, then waits until `cgroup.events` says the
//! cgroup is empty. The path is recorded, so the next visor kills what a SIGKILLed one left.
//!
//! Without a writable cgroup v2, [`super::descendants`] tracks the node by parentage instead.

use std::fs;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::sys::stat::Mode;

/// Environment variable that turns the node cgroup off (`VISOR_CGROUP=off`).
pub const CGROUP_ENV: &str = "VISOR_CGROUP";

/// The largest `cgroup.procs` read (a node with a few thousand processes).
const MAX_PROCS_FILE: u64 = 1 << 20;

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A cgroup made for one start of the node; removed when dropped (once empty).
#[derive(Debug)]
pub struct NodeCgroup {
    dir: PathBuf,
    /// `cgroup.procs`, open for the children to move themselves in.
    procs: OwnedFd,
    /// The folder itself, for children born in it (`clone3(CLONE_INTO_CGROUP)`).
    folder: OwnedFd,
    /// `cgroup.kill` was used: children cloned into it would be killed at birth.
    killed: std::sync::atomic::AtomicBool,
}

/// Where cgroup v2 is mounted and the visor's own cgroup in it, when the visor may make
/// children there.
fn own_cgroup_dir() -> Result<PathBuf, String> {
    if std::env::var(CGROUP_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        return Err(format!("{CGROUP_ENV}=off"));
    }
    let cgroup = fs::read_to_string("/proc/self/cgroup").map_err(|e| format!("/proc/self/cgroup: {e}"))?;
    let own = cgroup
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .ok_or("no cgroup v2 hierarchy (only v1 controllers)")?
        .trim();
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").map_err(|e| format!("/proc/self/mountinfo: {e}"))?;
    // Fields: id parent major:minor root mount-point options ... - fstype source super-options.
    let mount = mountinfo
        .lines()
        .find_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            (right.split_whitespace().next() == Some("cgroup2")).then(|| left.split_whitespace().nth(4))?
        })
        .ok_or("cgroup v2 is not mounted")?;
    let dir = Path::new(mount).join(own.trim_start_matches('/'));
    nix::unistd::access(&dir, nix::unistd::AccessFlags::W_OK)
        .map_err(|e| format!("{} is not writable ({e}); under systemd set Delegate=yes", dir.display()))?;
    Ok(dir)
}

impl NodeCgroup {
    /// Makes a new cgroup for the node, or says why it cannot.
    pub fn create() -> Result<Self, String> {
        let parent = own_cgroup_dir()?;
        // With the start time: every visor that is PID 1 of its container has the same PID.
        let pid = std::process::id();
        let started = super::proc_start_time(pid as i32).unwrap_or(0);
        let name = format!("visor-{pid}-{started}-node-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = parent.join(name);
        fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let procs = nix::fcntl::open(&dir.join("cgroup.procs"), OFlag::O_WRONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| {
                let _ = fs::remove_dir(&dir);
                format!("cannot open {}/cgroup.procs: {e}", dir.display())
            })?;
        let folder = nix::fcntl::open(&dir, OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| {
                let _ = fs::remove_dir(&dir);
                format!("cannot open {}: {e}", dir.display())
            })?;
        Ok(Self { dir, procs, folder, killed: std::sync::atomic::AtomicBool::new(false) })
    }

    /// The descriptor of the cgroup's folder, for a child born in it; `None` once the cgroup
    /// was killed (see `clone_into`).
    pub(crate) fn folder_fd(&self) -> Option<std::os::fd::RawFd> {
        (!self.killed.load(Ordering::Relaxed)).then(|| self.folder.as_raw_fd())
    }

    /// The cgroup's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The descriptor a child writes `0` to (between fork and exec) to move itself in.
    pub(crate) fn procs_fd(&self) -> std::os::fd::RawFd {
        self.procs.as_raw_fd()
    }

    /// The processes in it.
    pub fn pids(&self) -> Vec<i32> {
        pids_in(&self.dir)
    }

    /// Whether any process is left in it.
    pub fn populated(&self) -> bool {
        populated(&self.dir)
    }

    /// Sends `signal` to every process in it.
    pub fn signal(&self, signal: Signal) {
        for pid in self.pids() {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
        }
    }

    /// SIGKILL to every member at once (`cgroup.kill`, Linux 5.14), else to each in turn.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Relaxed);
        kill_all(&self.dir);
    }
}

impl Drop for NodeCgroup {
    fn drop(&mut self) {
        // Only an empty cgroup can go; the stop made it empty.
        if let Err(e) = fs::remove_dir(&self.dir) {
            tracing::debug!(cgroup = %self.dir.display(), error = e.to_string(), "cannot remove the node's cgroup yet");
        }
    }
}

fn pids_in(dir: &Path) -> Vec<i32> {
    crate::durable::read_bounded(&dir.join("cgroup.procs"), MAX_PROCS_FILE)
        .map(|bytes| String::from_utf8_lossy(&bytes).lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default()
}

fn populated(dir: &Path) -> bool {
    match fs::read_to_string(dir.join("cgroup.events")) {
        Ok(events) => events.lines().any(|l| l.trim() == "populated 1"),
        // No events file: judge by the member list.
        Err(_) => !pids_in(dir).is_empty(),
    }
}

fn kill_all(dir: &Path) {
    if fs::write(dir.join("cgroup.kill"), b"1").is_err() {
        for pid in pids_in(dir) {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// Whether `dir` looks like a node cgroup a visor made (so a record cannot name another).
fn is_node_cgroup(dir: &Path) -> bool {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let Some(rest) = name.strip_prefix("visor-") else { return false };
    let Some((visor, n)) = rest.split_once("-node-") else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // `<pid>-<start time>`, or `<pid>` as earlier visors named them.
    let visor_ok = match visor.split_once('-') {
        Some((pid, started)) => digits(pid) && digits(started),
        None => digits(visor),
    };
    visor_ok && digits(n) && dir.join("cgroup.procs").is_file()
}

/// Kills what is left in the node cgroup `dir` a previous visor recorded, waits until it is
/// empty, and removes it. Returns whether anything was left.
pub(crate) async fn sweep(dir: &Path) -> io::Result<bool> {
    if !is_node_cgroup(dir) {
        return Ok(false);
    }
    let left = populated(dir);
    if left {
        tracing::warn!(cgroup = %dir.display(), pids = %crate::logged::List(&pids_in(dir)), "killing processes a previous visor left in the node's cgroup");
        kill_all(dir);
        let mut reported = tokio::time::Instant::now();
        while populated(dir) {
            if reported.elapsed() >= std::time::Duration::from_secs(10) {
                tracing::error!(cgroup = %dir.display(), pids = %crate::logged::List(&pids_in(dir)), "processes of a previous visor survive SIGKILL; waiting for them before starting");
                reported = tokio::time::Instant::now();
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }
    fs::remove_dir(dir)?;
    Ok(left)
}

/// Moves the calling process into the cgroup whose `cgroup.procs` is open as `fd`. Runs
/// between fork and exec: one `write`, which is async-signal-safe.
pub(crate) fn join_in_child(fd: std::os::fd::RawFd) -> io::Result<()> {
    // SAFETY: the descriptor is open in the parent for as long as it spawns (the NodeCgroup
    // outlives the spawn call), and the child inherited it.
    let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    nix::unistd::write(fd, b"0")?;
    Ok(())
}
