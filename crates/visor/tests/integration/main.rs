//! Integration tests of the `visor` binary: the real binary, real `testnode` processes, real
//! unix sockets and files in temporary folders. One file per feature.

mod admin;
mod auto_install;
mod backups;
mod config;
mod crash_consistency;
mod harness;
mod hostile;
mod init;
mod own_io;
mod reload;
mod signals;
mod soak;
mod status;
mod supervision;
mod upgrade;
