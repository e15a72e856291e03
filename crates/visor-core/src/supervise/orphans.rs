//! Sweeping processes a previous visor left behind.
//!
//! After SIGKILL of the visor the kernel kills its direct children (parent-death signal), but
//! processes those children forked are reparented and live on. Each spawn records the group and
//! the leader's start time; the next visor kills whatever is left of those groups before it
//! starts anything, so two copies of the node never run.

use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;

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

/// Kills the recorded groups that still have live members, and waits for them to go.
pub async fn sweep_orphans(records: &[GroupRecord]) -> usize {
    let mut swept = 0;
    for record in records.iter().filter(|r| r.is_ours_and_alive()) {
        tracing::warn!(
            role = record.role,
            pgid = record.pgid,
            pids = ?live_group_members(record.pgid),
            "killing processes left by a previous visor"
        );
        let _ = signal_group(record.pgid, Signal::SIGKILL);
        // Never start the node while one of these lives: wait, reporting every 10 s.
        let mut reported = tokio::time::Instant::now();
        while !live_group_members(record.pgid).is_empty() {
            if reported.elapsed() >= Duration::from_secs(10) {
                tracing::error!(pgid = record.pgid, pids = ?live_group_members(record.pgid), "processes of a previous visor survive SIGKILL; waiting for them before starting");
                reported = tokio::time::Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        swept += 1;
    }
    swept
}

/// Reads the records at `path`; a missing or unreadable file means none. Records that could
/// only harm (group 0 or 1, the visor's own group) are dropped.
pub(crate) fn read_records(path: &Path) -> Vec<GroupRecord> {
    let own = nix::unistd::getpgrp().as_raw();
    let records: Vec<GroupRecord> = crate::durable::read_bounded(path, crate::durable::MAX_DOCUMENT)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    records.into_iter().filter(|r| r.pgid > 1 && r.pgid != own).collect()
}
