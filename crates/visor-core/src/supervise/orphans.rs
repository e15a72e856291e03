//! Sweeping processes a previous visor left behind.
//!
//! After SIGKILL of the visor the kernel kills its direct children (parent-death signal), but
//! processes those children forked are reparented and live on. Each spawn records the group and
//! the leader's start time; the next visor kills whatever is left of those groups before it
//! starts anything, so two copies of the node never run. The same goes for the node's cgroup
//! and, without one, for processes that left their groups (tracked by parentage).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::Signal;

use super::descendants::{ProcId, alive, node_processes};
use super::unix::{live_group_members, proc_start_time, signal_group};

/// A process group the visor started, as recorded on disk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupRecord {
    /// The role.
    pub role: String,
    /// The group (the leader's PID).
    pub pgid: i32,
    /// The leader's start time in clock ticks since boot.
    pub start_time: u64,
}

impl GroupRecord {
    /// Whether the group still holds processes of ours. A PID can be reused only once its group
    /// is empty, so a live leader with another start time means a new, unrelated group.
    fn is_ours_and_alive(&self) -> bool {
        if proc_start_time(self.pgid).is_some_and(|start| start != self.start_time) {
            return false;
        }
        !live_group_members(self.pgid).is_empty()
    }
}

/// What the running visor records about its node, for a later visor to clean up after a
/// SIGKILL: the process groups, the node's cgroup, and processes that left their group.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeRecord {
    /// The node's process groups.
    #[serde(default)]
    pub groups: Vec<GroupRecord>,
    /// The node's cgroup, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<PathBuf>,
    /// Processes of the node outside its groups (tracked only without a cgroup).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escaped: Vec<ProcId>,
}

/// The file as earlier versions wrote it (a bare list of groups) or as now.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum AnyRecord {
    Now(NodeRecord),
    Groups(Vec<GroupRecord>),
}

/// Kills whatever the record names that still lives, and waits for it to go. Returns how many
/// groups, cgroups or processes were left.
pub async fn sweep_orphans(record: &NodeRecord, tag: Option<&str>) -> usize {
    let mut swept = 0;
    for record in record.groups.iter().filter(|r| r.is_ours_and_alive()) {
        tracing::warn!(
            role = record.role,
            pgid = record.pgid,
            pids = %crate::logged::List(&live_group_members(record.pgid)),
            "killing processes left by a previous visor"
        );
        let _ = signal_group(record.pgid, Signal::SIGKILL);
        // Never start the node while one of these lives: wait, reporting every 10 s.
        let mut reported = tokio::time::Instant::now();
        while !live_group_members(record.pgid).is_empty() {
            if reported.elapsed() >= Duration::from_secs(10) {
                tracing::error!(pgid = record.pgid, pids = %crate::logged::List(&live_group_members(record.pgid)), "processes of a previous visor survive SIGKILL; waiting for them before starting");
                reported = tokio::time::Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        swept += 1;
    }
    if let Some(dir) = &record.cgroup {
        match super::cgroup::sweep(dir).await {
            Ok(true) => swept += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(cgroup = %dir.display(), error = e.to_string(), "cannot remove a previous visor's node cgroup")
            }
        }
    }
    // What no record names but the node's tag (forked in the instant before a record was
    // written, or escaped between two scans) goes too.
    let tagged = tag.map(super::descendants::tagged_processes).unwrap_or_default();
    let escaped: Vec<&ProcId> = record.escaped.iter().chain(&tagged).filter(|p| p.pid > 1 && alive(p)).collect();
    for proc in &escaped {
        tracing::warn!(
            pid = proc.pid,
            "killing a process of the node that a previous visor left (it had left its process group)"
        );
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(proc.pid), Signal::SIGKILL);
    }
    let mut reported = tokio::time::Instant::now();
    while escaped.iter().any(|p| alive(p)) {
        if reported.elapsed() >= Duration::from_secs(10) {
            tracing::error!("processes of a previous visor survive SIGKILL; waiting for them before starting");
            reported = tokio::time::Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    swept + escaped.len()
}

/// Reads the record at `path`; a missing or unreadable file means none. Entries that could
/// only harm (group 0 or 1, the visor's own group) are dropped.
pub(crate) fn read_records(path: &Path) -> NodeRecord {
    let own = nix::unistd::getpgrp().as_raw();
    let mut record = match crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        Some(AnyRecord::Now(record)) => record,
        Some(AnyRecord::Groups(groups)) => NodeRecord { groups, ..NodeRecord::default() },
        None => NodeRecord::default(),
    };
    record.groups.retain(|r| r.pgid > 1 && r.pgid != own);
    record.escaped.retain(|p| p.pid > 1 && p.pid != std::process::id() as i32);
    record
}

/// Keeps the record on disk current: written when the groups change and, without a cgroup,
/// re-scanned every few seconds for processes that left their groups (off the run loop).
/// Without a cgroup a new node's groups are written before [`RecordKeeper::publish`] returns:
/// until they are on disk, what the node forks would be unknown to a visor started after a
/// SIGKILL. With a cgroup the cgroup itself is the record.
pub(crate) struct RecordKeeper {
    tx: tokio::sync::watch::Sender<Vec<GroupRecord>>,
    task: tokio::task::JoinHandle<()>,
    writer: Arc<Writer>,
}

/// Writes the record; the lock keeps the run loop's and the scanner's writes in order, and
/// each writes the newest groups.
struct Writer {
    path: PathBuf,
    cgroup: Option<PathBuf>,
    last: Mutex<Option<NodeRecord>>,
}

impl Writer {
    fn write(&self, groups: &tokio::sync::watch::Receiver<Vec<GroupRecord>>, scan: bool) {
        let mut last = self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let groups = groups.borrow().clone();
        let escaped = match (&self.cgroup, scan) {
            (None, true) if !groups.is_empty() => {
                let roots: Vec<i32> = groups.iter().map(|g| g.pgid).collect();
                node_processes(&roots, &roots)
            }
            (None, _) => last.as_ref().map(|r| r.escaped.clone()).unwrap_or_default(),
            (Some(_), _) => Vec::new(),
        };
        let escaped = if groups.is_empty() { Vec::new() } else { escaped };
        let record = NodeRecord { groups, cgroup: self.cgroup.clone(), escaped };
        if last.as_ref() == Some(&record) {
            return;
        }
        // Only a SIGKILLed visor needs this file (a power loss leaves nothing running), and it
        // must be there before the node can fork: no fsync.
        let bytes = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other);
        let written = bytes.and_then(|b| {
            crate::durable::write_atomic_with(&self.path, &b, 0o600, crate::durable::Durability::ProcessDeath)
        });
        match written {
            Ok(()) => *last = Some(record),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = e.to_string(), "cannot record the node's processes")
            }
        }
    }
}

/// How often processes that left their groups are looked for, without a cgroup.
const ESCAPE_SCAN: Duration = Duration::from_secs(5);

impl RecordKeeper {
    pub(crate) fn start(path: PathBuf, cgroup: Option<PathBuf>) -> Self {
        let (tx, mut rx) = tokio::sync::watch::channel(Vec::<GroupRecord>::new());
        let writer = Arc::new(Writer { path, cgroup, last: Mutex::new(None) });
        let scanner = Arc::clone(&writer);
        let task = tokio::spawn(async move {
            loop {
                let closed = if scanner.cgroup.is_some() {
                    rx.changed().await.is_err()
                } else {
                    tokio::select! {
                        changed = rx.changed() => changed.is_err(),
                        () = tokio::time::sleep(ESCAPE_SCAN) => false,
                    }
                };
                rx.mark_unchanged();
                let (writer, groups) = (Arc::clone(&scanner), rx.clone());
                let _ = tokio::task::spawn_blocking(move || writer.write(&groups, true)).await;
                if closed {
                    return;
                }
            }
        });
        Self { tx, task, writer }
    }

    /// The node's groups changed.
    pub(crate) fn publish(&self, groups: Vec<GroupRecord>) {
        self.tx.send_replace(groups);
        if self.writer.cgroup.is_none() {
            self.writer.write(&self.tx.subscribe(), false);
        }
    }

    /// Records that no node runs, and waits until that is on disk.
    pub(crate) async fn finish(self) {
        self.tx.send_replace(Vec::new());
        drop(self.tx);
        let _ = self.task.await;
    }
}
