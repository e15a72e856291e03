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

/// `text` safe for a terminal: control characters other than newlines and tabs (an escape
/// sequence in a name an upstream or a binary chose) are shown escaped, never interpreted.
pub fn printable(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return text.to_owned();
    }
    text.chars()
        .map(|c| if c.is_control() && c != '\n' && c != '\t' { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

/// Prints `text` made [`printable`] and a newline to stdout (text that holds what others chose).
pub(crate) fn println_shown(text: &str) {
    println_out(&printable(text));
}

/// Prints `text` and a newline to stderr (a last error message); a failed write is ignored.
pub fn eprintln_out(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.write_all(b"\n"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_shown_escaped_lines_kept() {
        assert_eq!(super::printable("a\nb\tc"), "a\nb\tc");
        assert_eq!(super::printable("v1\u{1b}[2J"), "v1\\u{1b}[2J");
    }
}
