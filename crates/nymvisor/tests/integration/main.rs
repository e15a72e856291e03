//! Integration tests of the `nymvisor` binary: the real binary, `testnode` as the Nym daemon
//! (through a small script that sets its version), an upstream served on 127.0.0.1, temporary
//! folders. One file per feature.

mod backups;
mod check;
mod crash;
mod failures;
mod generated;
mod harness;
mod hostile;
mod instance;
mod logs;
mod messages;
mod own_io;
mod plan;
mod soak;
mod tooling;
mod upgrade;
mod upstream;
