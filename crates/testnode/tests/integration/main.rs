//! testnode's own tests, one module per feature: the wire format of its endpoints, its help,
//! its stop signals and the demo it drives. Building this binary also makes `cargo test
//! --workspace` build the `testnode` binary the faces' integration tests run.

mod demo;
mod help;
mod signals;
mod wire;
