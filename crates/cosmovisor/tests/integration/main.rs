//! Integration tests of the `cosmovisor` binary: the real binary, `testnode` as a Cosmos SDK app
//! (through a small script per release), its CometBFT `/status` on 127.0.0.1, a release server
//! on 127.0.0.1, temporary folders. One file per feature.

mod add_upgrade;
mod backup;
mod check;
mod commands;
mod config;
mod crash;
mod download;
mod generated;
mod harness;
mod help;
mod hooks;
mod logs;
mod manual;
mod node_plan;
mod permissions;
mod plan;
mod tooling;
mod upgrade;
mod usage;
