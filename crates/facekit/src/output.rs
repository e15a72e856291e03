//! Output for the operator on stdout, whose failures (a closed pipe, a full disk) end the
//! output instead of panicking as `println!` does.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to stdout failed: whoever reads it is gone (or the disk is full).
static CLOSED: AtomicBool = AtomicBool::new(false);

fn note(result: std::io::Result<()>) {
    if result.is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Whether stdout stopped taking output (a long-running command can end then).
pub(crate) fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Prints `text` to stdout; a failed write is ignored.
pub fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    note(out.write_all(text.as_bytes()).and_then(|()| out.flush()));
}

/// Prints `text` and a newline to stdout; a failed write is ignored.
pub fn println_out(text: &str) {
    let mut out = std::io::stdout().lock();
    note(out.write_all(text.as_bytes()).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush()));
}

/// Prints `text` and a newline to stderr (a last error message); a failed write is ignored.
pub fn eprintln_out(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.write_all(b"\n"));
}
