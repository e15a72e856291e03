//! Test support shared by Visor's test suites: a GitHub-compatible release server.
//! The `testnode` binary (the fake node) is `src/main.rs`.

pub mod archives;
pub mod backup_methods;
pub mod datagen;
pub mod raw_output;
pub mod release_server;
pub mod strategies;
pub mod support;
pub mod tooling;
