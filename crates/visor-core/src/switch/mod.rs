//! The switch: the crash-safe transaction that moves `current` from one release to the next.

mod journal;
mod transaction;

pub use journal::Journal;
pub use transaction::{Committed, RecordHook, Recovery, SwitchError, SwitchPlan, commit, complete, recover, switch};
