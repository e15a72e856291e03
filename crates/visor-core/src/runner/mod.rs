//! The run loop: one dispatcher owns every piece of mutable state and reacts to events.

mod dispatcher;
mod state;

pub use dispatcher::run;
pub use state::State;
