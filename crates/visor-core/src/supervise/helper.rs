//! Short-lived helper commands the visor runs itself (`version --output json`, the data node's
//! history-segment query): like the node's processes they get their own process group and a
//! parent-death signal, and on timeout the whole group is killed, so none outlives its purpose.

use std::ffi::OsStr;
use std::io;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use nix::sys::signal::Signal;

/// Forgets the helper's PID once it is waited for (or abandoned).
fn scopeguard(pid: Option<i32>) -> impl Drop {
    struct Forget(Option<i32>);
    impl Drop for Forget {
        fn drop(&mut self) {
            if let Some(pid) = self.0 {
                super::descendants::unregister_spawned(pid);
            }
        }
    }
    Forget(pid)
}

/// Runs `program args` to completion with output captured, killing its group after `timeout`.
pub(crate) async fn run_helper<I, S>(program: &Path, args: I, timeout: Duration) -> io::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = tokio::process::Command::new(program);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let parent = nix::unistd::getpid();
    // SAFETY: the hook only makes async-signal-safe system calls (prctl, getppid, sigprocmask).
    unsafe {
        command.pre_exec(move || super::unix::pre_exec(parent));
    }
    let child = super::process::spawn_retrying_busy(&mut command)?;
    let pgid = child.id().map(|p| p as i32);
    if let Some(pid) = pgid {
        super::descendants::register_spawned(pid);
    }
    let _registered = scopeguard(pgid);
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(output) => output,
        Err(_) => {
            if let Some(pgid) = pgid {
                let _ = super::unix::signal_group(pgid, Signal::SIGKILL);
            }
            Err(io::Error::new(io::ErrorKind::TimedOut, format!("no answer within {} s", timeout.as_secs())))
        }
    }
}
