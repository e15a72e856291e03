//! Linux process plumbing: the pre-exec hook, process-group queries, `/proc` reads.

use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::errno::Errno;
use nix::sys::signal::{SigSet, SigmaskHow, Signal, kill, sigprocmask};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::Pid;

/// Runs in the child between fork and exec: only async-signal-safe calls.
///
/// The parent-death signal ties the child to the *thread* that forked it; the visor forks from
/// its main thread, which lives as long as the process. The `getppid` check closes the race
/// where the visor died before `prctl` ran.
pub(crate) fn pre_exec(parent: Pid) -> io::Result<()> {
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
    if nix::unistd::getppid() != parent {
        return Err(io::Error::other("the visor exited while starting the process"));
    }
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)?;
    Ok(())
}

/// Sends `signal` to every process of group `pgid`. A gone group is not an error.
pub(crate) fn signal_group(pgid: i32, signal: Signal) -> io::Result<()> {
    match nix::sys::signal::killpg(Pid::from_raw(pgid), signal) {
        Ok(()) | Err(Errno::ESRCH) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reaps members of group `pgid` that are our children (zombies only, never blocks).
fn reap_group(pgid: i32) {
    while let Ok(status) = waitpid(Pid::from_raw(-pgid), Some(WaitPidFlag::WNOHANG)) {
        if matches!(status, nix::sys::wait::WaitStatus::StillAlive) {
            break;
        }
    }
}

/// The live (non-zombie) members of group `pgid`.
///
/// `kill(-pgid, 0)` answers the common case without reading `/proc`; zombies still count for
/// `kill`, so when it says "present" the members are listed to skip zombies someone else reaps.
pub(crate) fn live_group_members(pgid: i32) -> Vec<i32> {
    reap_group(pgid);
    if let Err(Errno::ESRCH) = kill(Pid::from_raw(-pgid), None) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| matches!(proc_stat(pid), Some(stat) if stat.pgrp == pgid && stat.state != 'Z'))
        .collect()
}

/// The fields of `/proc/<pid>/stat` the visor needs.
pub(crate) struct ProcStat {
    pub(crate) state: char,
    pub(crate) ppid: i32,
    pub(crate) pgrp: i32,
    pub(crate) start_time: u64,
}

pub(crate) fn proc_stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `get`, not slicing: a name of odd bytes must not panic.
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    let rest = text.get(text.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(ProcStat {
        state: fields.first()?.chars().next()?,
        ppid: fields.get(1)?.parse().ok()?,
        pgrp: fields.get(2)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
    })
}

/// The start time of `pid` in clock ticks since boot: with the PID, identifies one process.
pub(crate) fn proc_start_time(pid: i32) -> Option<u64> {
    proc_stat(pid).map(|s| s.start_time)
}

/// "exit status 3", "killed by SIGKILL".
pub(crate) fn describe_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        format!("exit status {code}")
    } else if let Some(sig) = status.signal() {
        match Signal::try_from(sig) {
            Ok(s) => format!("killed by {}", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        }
    } else {
        "unknown status".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_stat() {
        let me = std::process::id() as i32;
        let stat = proc_stat(me).unwrap();
        assert_eq!(stat.pgrp, nix::unistd::getpgrp().as_raw());
        assert!(stat.start_time > 0);
    }
}
