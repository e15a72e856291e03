//! The face kit: what every face (`visor`, `nymvisor`, ...) needs, written once.
//!
//! # Theory of operation
//!
//! A face parses its peer's flags and files into engine types and runs the engine; around that
//! it talks to the operator, and that talk must never hurt the node. The visor's log goes to
//! stderr, which may be a full disk, a pipe whose reader died, or `/dev/full`: a failed write is
//! dropped, never a panic (the node would die with the visor by its parent-death signal).
//! Output for the operator (`config`, `status`, `build-info`) goes to stdout the same way: a
//! closed pipe (`nymvisor config | head -1`) ends the output, not the process with a panic.
//! Staging progress is a bar on a terminal and log lines otherwise; log lines print above the
//! bar. The rest is the edge every face shares: the output format, running the engine on the
//! right thread, mapping an outcome to its exit code, reading an operator's TOML file with
//! errors that name the key and the line (and warnings for unknown keys, with the key probably
//! meant), and the build's facts.

pub mod backups;
mod binary;
mod build;
pub mod check;
mod cli;
pub mod generated;
mod log;
mod log_args;
mod log_file;
mod log_json;
mod output;
pub mod plan;
mod progress;
pub mod status;
pub mod suggest;
pub mod toml_file;

pub use binary::ensure_executable;
pub use build::{BUILD, BuildInfo};
pub use cli::{Failure, Output, finish, reporting, run_engine};
pub use log::{LogFormat, LogOptions, LogTime, init_logging};
pub use log_args::{LogArgs, LogSettingError, format_size, parse_keep, parse_log_format, parse_size};
pub use log_file::{DEFAULT_KEEP as LOG_FILE_KEEP, DEFAULT_MAX_SIZE as LOG_FILE_MAX_SIZE, LogFile};
pub use output::{eprintln_out, print_out, println_out};
pub use progress::ProgressDisplay;
