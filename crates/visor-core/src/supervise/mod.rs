//! Process supervision: spawning a node's processes, stopping them, deciding on restarts.

mod helper;
mod orphans;
mod process;
mod restart;
mod stop;
mod unix;

pub(crate) use helper::run_helper;
pub(crate) use orphans::read_records;
pub use orphans::{GroupRecord, sweep_orphans};
pub use process::{ExitedEvent, ProcessHandle, ProcessSpec, SpawnError, spawn};
pub use restart::{RestartBudget, RestartDecision, RestartPolicy};
pub use stop::{StopPolicy, StopReport, Urgency, stop_all};
pub(crate) use unix::{describe_status, proc_start_time};
