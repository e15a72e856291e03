//! Stopping a node: stop signal to each process group, grace period, SIGKILL to the groups, and
//! always waiting until every process of every group is gone before reporting.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use tokio::sync::watch;

use super::cgroup::NodeCgroup;
use super::descendants::node_processes;
use super::process::ProcessHandle;
use super::unix::{live_group_members, proc_stat, signal_group};

/// How a node is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopPolicy {
    /// Wait before the stop signal (Vega's `stopDelaySeconds`; only for upgrade stops).
    pub delay: Duration,
    /// The signal asking the processes to stop.
    pub signal: Signal,
    /// How long to wait after the stop signal before SIGKILL.
    pub grace: Duration,
}

/// What a stop took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopReport {
    /// From the stop signal until every process was gone.
    pub took: Duration,
    /// Whether SIGKILL was needed.
    pub killed: bool,
}

/// How urgently a stop in progress should proceed; raised by shutdown signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Delay, stop signal, grace period, SIGKILL.
    Normal,
    /// Skip what is left of the delay (a shutdown signal during an upgrade stop).
    SkipDelay,
    /// SIGKILL now (a second shutdown signal).
    KillNow,
}

/// How often group membership is first re-checked after the leaders are reaped; backs off.
const GROUP_POLL: Duration = Duration::from_millis(1);
/// How often survivors of SIGKILL are reported while the visor waits for them.
const SURVIVOR_REPORT: Duration = Duration::from_secs(10);

/// Stops every process of `processes` and everything they started, and returns only when none
/// is left: starting anything new while one survives would run two copies of the node. What
/// left its process group is found in the node's `cgroup` if it has one, else by parentage
/// (the visor is a child subreaper); it gets the same stop signal, then SIGKILL.
pub async fn stop_all(
    processes: &[ProcessHandle],
    policy: StopPolicy,
    mut urgency: watch::Receiver<Urgency>,
    cgroup: Option<&NodeCgroup>,
) -> StopReport {
    if !policy.delay.is_zero() && *urgency.borrow() == Urgency::Normal {
        tracing::info!(delay_ms = policy.delay.as_millis() as u64, "waiting before stopping the node");
        tokio::select! {
            () = tokio::time::sleep(policy.delay) => {}
            _ = urgency.wait_for(|u| *u > Urgency::Normal) => {}
        }
    }
    // Groups already seen empty are not signalled again: their number may be reused.
    let live: Vec<&ProcessHandle> =
        processes.iter().filter(|p| p.exit_status().is_none() || !live_group_members(p.pgid()).is_empty()).collect();
    let start = Instant::now();
    let mut killed = *urgency.borrow() == Urgency::KillNow;
    let extent = Extent { processes: &live, cgroup };
    extent.send(if killed { Signal::SIGKILL } else { policy.signal });
    if !killed {
        tokio::select! {
            () = extent.wait_gone() => {}
            () = tokio::time::sleep(policy.grace) => {
                tracing::warn!(grace_ms = policy.grace.as_millis() as u64, "node did not stop within the grace period, sending SIGKILL");
                killed = true;
            }
            _ = urgency.wait_for(|u| *u == Urgency::KillNow) => {
                tracing::warn!("second shutdown signal: sending SIGKILL now");
                killed = true;
            }
        }
    }
    if killed {
        extent.send(Signal::SIGKILL);
        loop {
            match tokio::time::timeout(SURVIVOR_REPORT, extent.wait_gone()).await {
                Ok(()) => break,
                Err(_) => {
                    extent.send(Signal::SIGKILL);
                    tracing::error!(pids = %crate::logged::List(&extent.survivors()), "processes survive SIGKILL (uninterruptible sleep?); nothing new starts until they are gone");
                }
            }
        }
    }
    StopReport { took: start.elapsed(), killed }
}

/// Everything a stop must end: the leaders' groups, and what left them.
struct Extent<'a> {
    processes: &'a [&'a ProcessHandle],
    cgroup: Option<&'a NodeCgroup>,
}

impl Extent<'_> {
    fn groups(&self) -> Vec<i32> {
        self.processes.iter().map(|p| p.pgid()).collect()
    }

    /// The node's processes outside the leaders' groups.
    fn escaped(&self) -> Vec<i32> {
        let groups = self.groups();
        match self.cgroup {
            Some(cgroup) => cgroup
                .pids()
                .into_iter()
                .filter(|&pid| proc_stat(pid).is_some_and(|s| !groups.contains(&s.pgrp)))
                .collect(),
            None => {
                let roots: Vec<i32> = self.processes.iter().map(|p| p.pid as i32).collect();
                node_processes(&roots, &groups).into_iter().map(|p| p.pid).collect()
            }
        }
    }

    fn send(&self, signal: Signal) {
        for p in self.processes {
            if let Err(e) = signal_group(p.pgid(), signal) {
                tracing::error!(
                    role = p.role,
                    pgid = p.pgid(),
                    signal = signal.as_str(),
                    error = e.to_string(),
                    "cannot signal process group"
                );
            } else {
                tracing::debug!(role = p.role, pgid = p.pgid(), signal = signal.as_str(), "signalled process group");
            }
        }
        if signal == Signal::SIGKILL
            && let Some(cgroup) = self.cgroup
        {
            cgroup.kill();
            return;
        }
        for pid in self.escaped() {
            tracing::info!(pid, signal = signal.as_str(), "signalling a process that left the node's process group");
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
        }
    }

    fn survivors(&self) -> Vec<i32> {
        let mut left: Vec<i32> = self.processes.iter().flat_map(|p| live_group_members(p.pgid())).collect();
        left.extend(self.escaped());
        left
    }

    /// Whether nothing of the node is left (zombies do not count: adopted ones are reaped when
    /// the visor hears SIGCHLD).
    fn gone(&self) -> bool {
        if self.processes.iter().any(|p| !live_group_members(p.pgid()).is_empty()) {
            return false;
        }
        match self.cgroup {
            Some(cgroup) => !cgroup.populated(),
            None => self.escaped().is_empty(),
        }
    }

    /// Waits until every leader is reaped and nothing of the node is alive. Group members and
    /// escaped processes are not our children: poll, backing off.
    async fn wait_gone(&self) {
        for p in self.processes {
            let mut rx = p.exited.clone();
            let _ = rx.wait_for(Option::is_some).await;
        }
        let mut pause = GROUP_POLL;
        while !self.gone() {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}
