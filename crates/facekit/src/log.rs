//! Logging through `tracing`: to stderr in one write per line, whose failures are dropped, and
//! optionally also to a file rotated by size (`log_file`), which never blocks nor fails the
//! visor. The node's own output never passes through here: its processes write straight to the
//! stdout and stderr they inherit.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::time::Duration;

use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::log_file::{LogFile, REPORT_TARGET, Sink};
use crate::progress::BAR;

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable text (colour on a terminal).
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Its name, as the flag and the variables take it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
        }
    }
}

/// How text lines show their time (JSON lines always carry RFC 3339 UTC timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTime {
    /// RFC 3339 in UTC, to the microsecond.
    Rfc3339,
    /// No time (journald, for one, adds its own).
    Off,
    /// A `strftime` format (jiff's), in the system's time zone.
    Strftime(String),
}

/// Everything about the visor's own log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOptions {
    /// Text or JSON, on stderr and in the file alike.
    pub format: LogFormat,
    /// The level filter when `RUST_LOG` is unset (`info`, `debug`, `visor_core=debug`, …).
    pub level: String,
    /// Whether colour is allowed at all; it is shown only on a terminal, and never with `NO_COLOR`.
    pub color: bool,
    /// The time on text lines.
    pub time: LogTime,
    /// A file that gets the same lines (without colour), rotated by size.
    pub file: Option<LogFile>,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self { format: LogFormat::Text, level: "info".to_owned(), color: true, time: LogTime::Rfc3339, file: None }
    }
}

/// The log file's writer, once installed.
static SINK: OnceLock<Sink> = OnceLock::new();

/// How long the end of a command waits for the log file to take the last lines.
const FLUSH_AT_EXIT: Duration = Duration::from_secs(2);

/// Whether lines on stderr get colour: allowed, a terminal, and `NO_COLOR` unset or empty
/// (<https://no-color.org>).
pub(crate) fn colour(allowed: bool, terminal: bool, no_color: Option<&OsStr>) -> bool {
    allowed && terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Installs the log: `RUST_LOG` if set, else `options.level`. Writing it never fails the visor;
/// a log file that cannot be written is said once on stderr and its lines are dropped.
pub fn init_logging(options: &LogOptions) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&options.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let terminal = io::IsTerminal::is_terminal(&io::stderr());
    let ansi = colour(options.color, terminal, std::env::var_os("NO_COLOR").as_deref());
    let mut layers = vec![fmt_layer(options, ansi, StderrLines)];
    if let Some(file) = &options.file {
        match Sink::start(file.clone(), report) {
            Ok(sink) => {
                // A second installation (tests) keeps the first, file included.
                let _ = SINK.set(sink);
                // The writer's reports on the file go to stderr only.
                let not_about_the_file = tracing_subscriber::filter::filter_fn(|meta| meta.target() != REPORT_TARGET);
                layers.push(Box::new(fmt_layer(options, false, FileLines).with_filter(not_about_the_file)));
            }
            Err(e) => {
                let message = format!("cannot start the log file's writer for {}: {e}", file.path.display());
                crate::eprintln_out(&message);
            }
        }
    }
    // A second installation (tests) keeps the first.
    let _ = tracing_subscriber::registry().with(filter).with(layers).try_init();
}

/// Waits a little for the log file to take the lines logged so far (at the end of a command).
pub(crate) fn flush_log_file() {
    if let Some(sink) = SINK.get() {
        let _ = sink.flush(FLUSH_AT_EXIT);
    }
}

/// A problem with the log file, said on stderr (as a log line, so JSON stays JSON).
fn report(message: &str) {
    tracing::warn!(target: REPORT_TARGET, "{message}");
}

type Registry = tracing_subscriber::layer::Layered<tracing_subscriber::EnvFilter, tracing_subscriber::Registry>;
type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// The formatting layer for `options`, writing to `writer`.
fn fmt_layer<W>(options: &LogOptions, ansi: bool, writer: W) -> BoxedLayer
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let layer = tracing_subscriber::fmt::layer().with_writer(writer).with_target(false).with_ansi(ansi);
    match (options.format, &options.time) {
        (LogFormat::Json, _) => Box::new(layer.event_format(crate::log_json::JsonLines)),
        (LogFormat::Text, LogTime::Rfc3339) => Box::new(layer),
        (LogFormat::Text, LogTime::Off) => Box::new(layer.without_time()),
        (LogFormat::Text, LogTime::Strftime(format)) => Box::new(layer.with_timer(Strftime(format.clone()))),
    }
}

/// Times formatted with a `strftime` format.
struct Strftime(String);

impl tracing_subscriber::fmt::time::FormatTime for Strftime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        // A format jiff cannot render shows as an empty time rather than losing the line.
        let mut text = String::new();
        if std::fmt::write(&mut text, format_args!("{}", jiff::Zoned::now().strftime(&self.0))).is_err() {
            text.clear();
        }
        w.write_str(&text)
    }
}

/// Log lines go to stderr in one write each, above the progress bar when one is shown.
#[derive(Clone, Copy)]
pub(crate) struct StderrLines;

/// Log lines go to the log file's writer, one message each.
#[derive(Clone, Copy)]
struct FileLines;

/// One line being formatted, sent whole where it goes when dropped.
pub(crate) struct Line<const FILE: bool>(Vec<u8>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for StderrLines {
    type Writer = Line<false>;

    fn make_writer(&'a self) -> Line<false> {
        Line(Vec::with_capacity(256))
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for FileLines {
    type Writer = Line<true>;

    fn make_writer(&'a self) -> Line<true> {
        Line(Vec::with_capacity(256))
    }
}

impl<const FILE: bool> Write for Line<FILE> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<const FILE: bool> Drop for Line<FILE> {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        if FILE {
            if let Some(sink) = SINK.get() {
                sink.send(std::mem::take(&mut self.0));
            }
            return;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_allowed_on_a_terminal_without_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(colour(true, true, None));
        assert!(colour(true, true, empty), "an empty NO_COLOR is unset");
        assert!(!colour(true, true, set));
        assert!(!colour(true, false, None), "not a terminal");
        assert!(!colour(false, true, None), "not allowed (COSMOVISOR_COLOR_LOGS=false)");
    }

    #[test]
    fn a_strftime_time_renders_in_its_format() {
        use tracing_subscriber::fmt::time::FormatTime;
        let render = |format: &str| {
            let mut text = String::new();
            Strftime(format.to_owned())
                .format_time(&mut tracing_subscriber::fmt::format::Writer::new(&mut text))
                .unwrap();
            text
        };
        let year = render("%Y");
        assert!(year.len() == 4 && year.starts_with('2'), "{year}");
        let kitchen = render("%-I:%M%p");
        assert!(kitchen.ends_with("AM") || kitchen.ends_with("PM"), "{kitchen}");
    }
}
