//! Staging progress for the operator: on a terminal, a progress bar with the log lines printed
//! above it; otherwise (systemd, files) a log line every few seconds.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use visor_core::stage::{StagePhase, StageProgress};

/// The bar on screen, if any; the log writer prints above it.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

const LOG_EVERY: Duration = Duration::from_secs(5);

pub(crate) struct ProgressDisplay {
    terminal: bool,
    last_log: Mutex<Option<Instant>>,
}

impl ProgressDisplay {
    pub(crate) fn new() -> Self {
        Self { terminal: io::stderr().is_terminal(), last_log: Mutex::new(None) }
    }

    pub(crate) fn update(&self, p: &StageProgress) {
        match p.phase {
            StagePhase::Downloading if self.terminal => {
                let mut slot = BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let bar = slot.get_or_insert_with(|| {
                    let bar = ProgressBar::with_draw_target(p.total, ProgressDrawTarget::stderr());
                    let style = ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                    bar.set_style(style);
                    bar.set_message(format!("downloading {}", p.version));
                    bar
                });
                if let Some(total) = p.total {
                    bar.set_length(total);
                }
                bar.set_position(p.bytes);
            }
            StagePhase::Downloading => {
                let mut last = self.last_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if last.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
                    *last = Some(Instant::now());
                    tracing::info!(
                        version = p.version,
                        bytes = p.bytes,
                        total = p.total,
                        percent = p.total.filter(|t| *t > 0).map(|t| p.bytes * 100 / t),
                        bytes_per_second = p.bytes_per_second,
                        "downloading the release"
                    );
                }
            }
            StagePhase::Staged | StagePhase::Failed | StagePhase::Unpacking | StagePhase::Verifying => {
                if let Some(bar) = BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                    bar.finish_and_clear();
                }
                *self.last_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            }
            StagePhase::Resolving => {}
        }
    }
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
        let write = || {
            let _ = io::stderr().write_all(&self.0);
        };
        match BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}
