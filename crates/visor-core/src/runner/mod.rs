//! The run loop, decided apart from carried out: the [`machine`] owns the run's state and
//! turns events into effects without touching the world; the [`shell`] turns the world into
//! events and carries the effects out; the [`store`] owns what is persisted.

pub(crate) mod event;
mod machine;
mod shell;
mod state;
mod store;

pub use shell::run;
