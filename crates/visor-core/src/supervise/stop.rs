//! Stopping a node: stop signal to each process group, grace period, SIGKILL to the groups, and
//! always waiting until every process of every group is gone before reporting.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use tokio::sync::watch;

use super::process::ProcessHandle;
use super::unix::{live_group_members, signal_group};

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

/// Stops every process of `processes`, and returns only when no process of their groups is
/// left: starting anything new while one survives would run two copies of the node.
pub async fn stop_all(
    processes: &[ProcessHandle],
    policy: StopPolicy,
    mut urgency: watch::Receiver<Urgency>,
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
    send(&live, if killed { Signal::SIGKILL } else { policy.signal });
    if !killed {
        tokio::select! {
            () = wait_gone(&live) => {}
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
        send(&live, Signal::SIGKILL);
        loop {
            match tokio::time::timeout(SURVIVOR_REPORT, wait_gone(&live)).await {
                Ok(()) => break,
                Err(_) => {
                    for p in &live {
                        let left = live_group_members(p.pgid());
                        if !left.is_empty() {
                            tracing::error!(role = p.role, pids = ?left, "processes survive SIGKILL (uninterruptible sleep?); nothing new starts until they are gone");
                        }
                    }
                }
            }
        }
    }
    StopReport { took: start.elapsed(), killed }
}

fn send(processes: &[&ProcessHandle], signal: Signal) {
    for p in processes {
        if let Err(e) = signal_group(p.pgid(), signal) {
            tracing::error!(role = p.role, pgid = p.pgid(), signal = signal.as_str(), error = %e, "cannot signal process group");
        } else {
            tracing::debug!(role = p.role, pgid = p.pgid(), signal = signal.as_str(), "signalled process group");
        }
    }
}

/// Waits until every leader is reaped and no process of their groups is alive. Group members
/// the node forked are not our children: poll, backing off.
async fn wait_gone(processes: &[&ProcessHandle]) {
    for p in processes {
        let mut rx = p.exited.clone();
        let _ = rx.wait_for(Option::is_some).await;
    }
    let mut pause = GROUP_POLL;
    for p in processes {
        while !live_group_members(p.pgid()).is_empty() {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}
