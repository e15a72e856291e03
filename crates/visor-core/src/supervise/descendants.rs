//! The node's processes by parentage: for when no cgroup holds them.
//!
//! The visor is a child subreaper (`PR_SET_CHILD_SUBREAPER`): a process whose parent dies is
//! reparented to the visor, not to init, so nothing the node starts gets away by double-forking
//! or `setsid`. The node's extent is then every process descending from its leaders, plus every
//! process the visor adopted (a child of the visor's that is in none of the visor's own process
//! groups: the node's processes and their descendants are never in the visor's group, the
//! helpers it runs for itself are registered). Adopted processes are reaped here when they
//! exit, since nobody else waits for them.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

use super::unix::proc_stat;

/// One process, identified for as long as it lives (a PID alone can be reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ProcId {
    /// The PID.
    pub pid: i32,
    /// Its start time in clock ticks since boot.
    pub start_time: u64,
}

/// Children the visor spawned through tokio (node leaders, helpers): tokio reaps those, so
/// they must never be waited for here.
static SPAWNED: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

/// Held while a child is forked and registered, and while adopted children are reaped: a child
/// that exits at once is never taken for an adopted one.
static SPAWN_LOCK: Mutex<()> = Mutex::new(());

/// Runs `spawn` (which forks a child and registers it) under the spawn lock.
pub(crate) fn with_spawn_lock<T>(spawn: impl FnOnce() -> T) -> T {
    let _held = SPAWN_LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    spawn()
}

/// Forks with `spawn` and registers the child, under the spawn lock.
pub(crate) fn spawn_registered(
    spawn: impl FnOnce() -> std::io::Result<std::process::Child>,
) -> std::io::Result<std::process::Child> {
    with_spawn_lock(|| {
        let child = spawn()?;
        register_spawned(child.id() as i32);
        Ok(child)
    })
}

/// Records that `pid` is a child someone else waits for.
pub(crate) fn register_spawned(pid: i32) {
    SPAWNED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert_with(HashSet::new).insert(pid);
}

/// Forgets `pid` once tokio has reaped it.
pub(crate) fn unregister_spawned(pid: i32) {
    if let Some(set) = SPAWNED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
        set.remove(&pid);
    }
}

fn is_spawned(pid: i32) -> bool {
    SPAWNED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref().is_some_and(|s| s.contains(&pid))
}

/// Makes the visor a child subreaper; logs when it cannot (old kernels).
pub fn become_subreaper() {
    // PID 1 of a namespace whose process group lies outside it (`unshare --pid --fork`) reads
    // every group id as 0, so adopted orphans would look like the visor's own group and never
    // be reaped: a session of its own gives it a group that can be told apart (container
    // runtimes start PID 1 that way already).
    if std::process::id() == 1
        && nix::unistd::getpgrp().as_raw() != 1
        && let Err(e) = nix::unistd::setsid()
    {
        tracing::warn!(error = e.to_string(), "as PID 1, cannot start a session of its own: orphans may stay zombies");
    }
    if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
        tracing::warn!(
            error = e.to_string(),
            "cannot become a child subreaper: processes that leave the node's process group may outlive a stop"
        );
    }
}

struct Entry {
    ppid: i32,
    pgrp: i32,
    zombie: bool,
    start_time: u64,
}

fn snapshot() -> HashMap<i32, Entry> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return HashMap::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| {
            let stat = proc_stat(pid)?;
            Some((
                pid,
                Entry { ppid: stat.ppid, pgrp: stat.pgrp, zombie: stat.state == 'Z', start_time: stat.start_time },
            ))
        })
        .collect()
}

/// The live processes descending from `roots` or adopted by the visor, leaders and members
/// of `skip_groups` left out (those are handled by their group).
pub fn node_processes(roots: &[i32], skip_groups: &[i32]) -> Vec<ProcId> {
    let me = std::process::id() as i32;
    let own_group = nix::unistd::getpgrp().as_raw();
    let procs = snapshot();
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for (&pid, entry) in &procs {
        children.entry(entry.ppid).or_default().push(pid);
    }
    let mut stack: Vec<i32> = roots.to_vec();
    for &child in children.get(&me).into_iter().flatten() {
        if procs[&child].pgrp != own_group && !is_spawned(child) {
            stack.push(child);
        }
    }
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    while let Some(pid) = stack.pop() {
        if !seen.insert(pid) {
            continue;
        }
        if let Some(entry) = procs.get(&pid)
            && !entry.zombie
            && !skip_groups.contains(&entry.pgrp)
            && !roots.contains(&pid)
        {
            found.push(ProcId { pid, start_time: entry.start_time });
        }
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    found.sort_by_key(|p| p.pid);
    found
}

/// Reaps adopted children that have exited. Never touches a child tokio waits for, nor one in
/// the visor's own process group (a face's own short-lived commands).
pub fn reap_adopted() -> usize {
    let me = std::process::id() as i32;
    let own_group = nix::unistd::getpgrp().as_raw();
    let mut reaped = 0;
    let procs = snapshot();
    let _held = SPAWN_LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (pid, entry) in procs {
        if entry.ppid == me
            && entry.zombie
            && entry.pgrp != own_group
            && !is_spawned(pid)
            && matches!(waitpid(Pid::from_raw(pid), Some(WaitPidFlag::WNOHANG)), Ok(s) if s.pid().is_some())
        {
            reaped += 1;
        }
    }
    reaped
}

/// The environment variable every process of a node inherits: `<device>:<inode>` of the home's
/// state folder. Descendants keep it whatever they do with their process group or session, so
/// the next visor on the same home finds what a SIGKILLed one left even when no record of it
/// reached the disk (a process forked in the instant before the record was written).
pub const NODE_TAG_ENV: &str = "VISOR_NODE_OF";

/// Largest environment read from `/proc/<pid>/environ` while looking for the tag.
const MAX_ENVIRON: u64 = 256 << 10;

/// The tag of the home whose state folder is `state_dir`.
pub fn node_tag(state_dir: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(state_dir).ok()?;
    Some(format!("{}:{}", meta.dev(), meta.ino()))
}

/// Live processes (other than the visor) whose environment carries `tag`.
pub fn tagged_processes(tag: &str) -> Vec<ProcId> {
    let me = std::process::id() as i32;
    let needle = format!("{NODE_TAG_ENV}={tag}");
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut found: Vec<ProcId> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != me)
        .filter_map(|pid| {
            let environ = {
                use std::io::Read;
                let mut bytes = Vec::new();
                let file = std::fs::File::open(format!("/proc/{pid}/environ")).ok()?;
                file.take(MAX_ENVIRON).read_to_end(&mut bytes).ok()?;
                bytes
            };
            let tagged = environ.split(|&b| b == 0).any(|var| var == needle.as_bytes());
            let stat = proc_stat(pid)?;
            (tagged && stat.state != 'Z').then_some(ProcId { pid, start_time: stat.start_time })
        })
        .collect();
    found.sort_by_key(|p| p.pid);
    found
}

/// Whether `proc` is still the same live process.
pub fn alive(proc: &ProcId) -> bool {
    proc_stat(proc.pid).is_some_and(|s| s.start_time == proc.start_time && s.state != 'Z')
}

/// Puts the calling thread in the idle I/O class, so what it reads (a backup being read back)
/// waits for the node's own I/O. Best effort: a kernel or scheduler without I/O classes ignores it.
pub fn lower_io_priority() {
    const IOPRIO_WHO_PROCESS: nix::libc::c_long = 1;
    const IOPRIO_CLASS_IDLE: nix::libc::c_long = 3;
    const IOPRIO_CLASS_SHIFT: nix::libc::c_long = 13;
    // SAFETY: ioprio_set takes three integers and touches no memory of ours; `0` names the
    // calling thread.
    let rc = unsafe {
        nix::libc::syscall(nix::libc::SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT)
    };
    if rc != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "cannot lower the I/O priority");
    }
}
