//! A test-only fault hook: `VISOR_TEST_FAULT=<step>` makes the visor die by SIGKILL at that step.
//!
//! Crash-consistency tests use it to stop the visor at each named step of a switch and check that
//! the next start converges (DESIGN §5 item 4). It costs one comparison per step when unset.

use std::sync::OnceLock;

/// Every step of an upgrade the hook can stop at, in order (the backup's only when one is taken).
pub const SWITCH_STEPS: [&str; 9] = [
    "switch-node-stopped",
    "switch-backed-up",
    "switch-journal-written",
    "switch-link-created",
    "switch-current-moved",
    "switch-history-recorded",
    "switch-recorded",
    "switch-journal-cleared",
    "switch-node-started",
];

/// The environment variable naming the step to die at.
pub const FAULT_ENV: &str = "VISOR_TEST_FAULT";

fn armed() -> Option<&'static str> {
    static STEP: OnceLock<Option<String>> = OnceLock::new();
    STEP.get_or_init(|| std::env::var(FAULT_ENV).ok().filter(|s| !s.is_empty())).as_deref()
}

/// Dies here if the fault hook names `step`.
pub fn point(step: &str) {
    if armed() == Some(step) {
        tracing::warn!(step, "test fault hook: killing the visor");
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}
