//! The Visor engine: runs a node's processes and upgrades them safely, with the least downtime.
//!
//! # Theory of operation
//!
//! A *home* folder holds one folder per *release* and a `current` symlink naming the active
//! one. A *face* (a binary that speaks one peer tool's files and flags) reads its configuration
//! into [`Settings`] and a release folder into a [`NodeSpec`]; [`run`] does the rest.
//!
//! The run loop (see [`run`]) is a machine and a shell. The machine owns all of the run's state
//! and decides, event by event, with no I/O; the shell turns signals, process exits, admin polls,
//! file changes, timers and workers' results into events and carries out the machine's effects:
//! it starts the node's processes (each the leader of its own process group, with a parent-death
//! signal, in a cgroup of the node's own where it can), polls the node's *source* of upgrades,
//! stages releases ahead of time, verifies a due upgrade's release while the old node still
//! runs, stops the node (stop signal, grace period, SIGKILL, wait until every process of it is
//! gone) and runs the *switch* that moves `current`.
//!
//! An upgrade is an [`Upgrade`] with a [`Trigger`], whichever source announced it: the node
//! itself when ready (a Vega core's admin RPC; a Cosmos app that wrote its plan down and
//! halted), a time in a face's plan (Nym), or a chain height (Cosmos manual upgrades: the node
//! is started with a halt height there and the height is polled from its RPC). A face may also
//! announce what its chain has scheduled, so the release is staged long before its trigger,
//! and run hooks before the switch that can stop it with `current` unchanged.
//!
//! The switch is a journaled transaction (see [`switch`]): a visor killed at any instant
//! finishes or undoes it at its next start, before anything runs. Every state file is written
//! atomically. One visor runs per home, enforced by a lock file. Slow work (stops, checks, file
//! system transactions) runs in workers that report back, so the loop never blocks.
//!
//! What an operator's tools see besides the files is [`telemetry`]: systemd's notify protocol
//! and an optional Prometheus endpoint, both fed from the status documents the loop publishes.

pub mod access;
pub mod backup;
pub mod check;
pub mod confine;
mod durable;
pub mod exit;
pub mod fault;
#[doc(hidden)]
pub mod fuzz;
pub mod history;
pub mod home;
mod identity;
pub mod lock;
pub mod logged;
pub mod node;
pub mod release;
mod runner;
pub mod source;
pub mod stage;
pub mod status;
pub mod supervise;
pub mod switch;
pub mod telemetry;
mod upgrade;
mod verify;
mod watch;

pub use durable::{
    MAX_DOCUMENT, create_dir_durable, ensure_private_dir, read_bounded, read_text_bounded, remove_stale_temporaries,
    sync_dir, write_atomic, write_json_atomic,
};
pub use exit::Exit;
pub use home::{CurrentLink, Home};
pub use identity::{BUILD_INFO_ARGS, IdentityError, Memory, check_build_info, check_vega_version, read_build_info};
pub use node::{
    AdminSettings, ConnectionBudget, Face, FaceError, Hints, NodeSpec, Protocol, Settings, UpstreamSettings,
};
pub use release::{ReleaseName, ReleaseNameError, check_file_name};
pub use runner::run;
pub use upgrade::{Trigger, Upgrade};
pub use verify::PreflightError;
