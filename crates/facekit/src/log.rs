//! Logging through `tracing` to stderr, in one write per line, whose failures are dropped.

use std::io::{self, Write};

use crate::progress::BAR;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable text (colour on a terminal).
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the log: `RUST_LOG` if set, else `level`. Writing it never fails the visor.
pub fn init_logging(format: LogFormat, level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = io::IsTerminal::is_terminal(&io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(LogWriter).with_target(false).with_ansi(ansi);
    // A second installation (tests) keeps the first.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Log lines go to stderr in one write each, above the progress bar when one is shown.
#[derive(Clone, Copy)]
pub(crate) struct LogWriter;

pub(crate) struct LineWriter(Vec<u8>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter(Vec::with_capacity(256))
    }
}

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        // A log that cannot be written (full disk, dead reader) loses the line; the visor and
        // the node it runs carry on.
        let write = || {
            let _ = io::stderr().write_all(&self.0);
        };
        match BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}
