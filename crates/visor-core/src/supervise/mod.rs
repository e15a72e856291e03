//! Process supervision: spawning a node's processes, stopping them, deciding on restarts.

mod cgroup;
mod clone_into;
mod descendants;
mod helper;
mod orphans;
mod process;
mod restart;
mod stop;
mod unix;

pub use cgroup::{CGROUP_ENV, NodeCgroup};
pub use descendants::{
    NODE_TAG_ENV, ProcId, become_subreaper, lower_io_priority, node_processes, node_tag, reap_adopted, tagged_processes,
};
pub(crate) use helper::run_helper;
pub use helper::{MAX_HELPER_STDERR, MAX_HELPER_STDOUT, run_helper_blocking, run_helper_blocking_in};
pub use orphans::{GroupRecord, NodeRecord, sweep_orphans};
pub(crate) use orphans::{RecordKeeper, read_records};
pub use process::{ExitedEvent, ProcessHandle, ProcessSpec, SpawnError, spawn};
pub use restart::{RestartBudget, RestartDecision, RestartPolicy};
pub use stop::{StopPolicy, StopReport, Urgency, stop_all};
pub(crate) use unix::{describe_status, proc_start_time};

/// Whether `pid` is a live (not zombie) process.
/// The service manager's variables, for the visor alone: never passed to what it runs.
pub const SERVICE_MANAGER_ENV: [&str; 4] = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS"];

pub(crate) fn is_alive(pid: i32) -> bool {
    unix::proc_stat(pid).is_some_and(|s| s.state != 'Z')
}
