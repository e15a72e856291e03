//! Integration tests of the `visor` binary: the real binary, real `testnode` processes, real
//! unix sockets and files in temporary folders. One file per feature.

mod admin;
mod auto_install;
mod backups;
mod check;
mod config;
mod crash_consistency;
mod generated;
mod harness;
mod hostile;
mod init;
mod logs;
mod messages;
mod metrics;
mod notify;
mod own_io;
mod pid1;
mod plan;
mod reload;
mod signals;
mod soak;
mod status;
mod supervision;
mod upgrade;
mod volume;
