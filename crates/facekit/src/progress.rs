//! Staging progress for the operator: on a terminal, a progress bar with the log lines printed
//! above it; otherwise (systemd, files) a log line every few seconds.

use std::io::{self, IsTerminal};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use visor_core::stage::{StagePhase, StageProgress};

/// The bar on screen, if any; the log writer prints above it.
pub(crate) static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

const LOG_EVERY: Duration = Duration::from_secs(5);

/// Staging progress on the terminal or in the log.
pub struct ProgressDisplay {
    terminal: bool,
    last_log: Mutex<Option<Instant>>,
}

impl ProgressDisplay {
    /// A display for this process's stderr.
    #[expect(clippy::new_without_default, reason = "reads the terminal state: not a default")]
    pub fn new() -> Self {
        Self { terminal: io::stderr().is_terminal(), last_log: Mutex::new(None) }
    }

    /// Shows how staging progresses.
    pub fn update(&self, p: &StageProgress) {
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

impl ProgressDisplay {
    /// Shows how a backup or a restore progresses: a bar on a terminal, a log line every few
    /// seconds otherwise.
    pub fn work(&self, p: &visor_core::backup::WorkProgress) {
        if p.finished {
            if let Some(bar) = BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take() {
                bar.finish_and_clear();
            }
            *self.last_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
            return;
        }
        if self.terminal {
            let mut slot = BAR.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let bar = slot.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(Some(p.total), ProgressDrawTarget::stderr());
                let style =
                    ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> ");
                bar.set_style(style);
                bar.set_message(format!("{} {}", p.what, p.label));
                bar
            });
            bar.set_length(p.total.max(p.done));
            bar.set_position(p.done);
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            *last = Some(Instant::now());
            tracing::info!(
                what = p.what,
                of = p.label,
                done_mib = p.done >> 20,
                total_mib = p.total >> 20,
                percent = (p.total > 0).then(|| p.done.saturating_mul(100) / p.total),
                "{} in progress",
                p.what
            );
        }
    }
}
