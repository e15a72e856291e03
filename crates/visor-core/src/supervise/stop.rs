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

/// How often group membership is re-checked after the leaders are reaped.
const GROUP_POLL: Duration = Duration::from_millis(5);
/// How long to wait for SIGKILLed group members before giving up on them.
const KILL_WAIT: Duration = Duration::from_secs(10);

/// Stops every process of `processes`. `kill_now` flipping to true skips the rest of the delay
/// and the grace period (a second shutdown signal to the visor).
pub async fn stop_all(
    processes: &[ProcessHandle],
    policy: StopPolicy,
    mut kill_now: watch::Receiver<bool>,
) -> StopReport {
    if !policy.delay.is_zero() && !*kill_now.borrow() {
        tracing::info!(delay_ms = policy.delay.as_millis() as u64, "waiting before stopping the node");
        tokio::select! {
            () = tokio::time::sleep(policy.delay) => {}
            _ = kill_now.wait_for(|k| *k) => {}
        }
    }
    let start = Instant::now();
    let mut killed = false;
    let signal = if *kill_now.borrow() { Signal::SIGKILL } else { policy.signal };
    send(processes, signal);
    killed |= signal == Signal::SIGKILL;
    let graceful = async {
        for p in processes {
            wait_exit(p).await;
        }
        wait_groups_empty(processes).await;
    };
    if !killed {
        tokio::select! {
            () = graceful => {}
            () = tokio::time::sleep(policy.grace) => {
                tracing::warn!(grace_ms = policy.grace.as_millis() as u64, "node did not stop within the grace period, sending SIGKILL");
                killed = true;
            }
            _ = kill_now.wait_for(|k| *k) => {
                tracing::warn!("second shutdown signal: sending SIGKILL now");
                killed = true;
            }
        }
    }
    if killed {
        send(processes, Signal::SIGKILL);
        for p in processes {
            wait_exit(p).await;
        }
        if tokio::time::timeout(KILL_WAIT, wait_groups_empty(processes)).await.is_err() {
            for p in processes {
                let left = live_group_members(p.pgid());
                if !left.is_empty() {
                    tracing::error!(role = p.role, pids = ?left, "processes survived SIGKILL (uninterruptible sleep?)");
                }
            }
        }
    }
    StopReport { took: start.elapsed(), killed }
}

fn send(processes: &[ProcessHandle], signal: Signal) {
    for p in processes {
        if let Err(e) = signal_group(p.pgid(), signal) {
            tracing::error!(role = p.role, pgid = p.pgid(), signal = signal.as_str(), error = %e, "cannot signal process group");
        } else {
            tracing::debug!(role = p.role, pgid = p.pgid(), signal = signal.as_str(), "signalled process group");
        }
    }
}

async fn wait_exit(p: &ProcessHandle) {
    let mut rx = p.exited.clone();
    let _ = rx.wait_for(Option::is_some).await;
}

/// Group members the node forked are not our children: poll until none is alive.
async fn wait_groups_empty(processes: &[ProcessHandle]) {
    for p in processes {
        while !live_group_members(p.pgid()).is_empty() {
            tokio::time::sleep(GROUP_POLL).await;
        }
    }
}
