//! systemd's notify protocol (`Type=notify`): datagrams to `$NOTIFY_SOCKET`.
//!
//! A send to a datagram socket blocks while the reader's queue is full; the run loop must never
//! wait on systemd, so the messages go out from a thread of their own, in order.

use std::sync::mpsc;
use std::time::Duration;

use sd_notify::NotifyState;

pub(super) struct Notifier {
    lane: Option<mpsc::Sender<Vec<String>>>,
    watchdog: Option<Duration>,
}

impl Notifier {
    /// A notifier for the service manager that started the visor, if any.
    pub(super) fn start() -> Self {
        if std::env::var_os("NOTIFY_SOCKET").is_none() {
            return Self { lane: None, watchdog: None };
        }
        let (tx, rx) = mpsc::channel::<Vec<String>>();
        let spawned = std::thread::Builder::new().name("sd-notify".into()).spawn(move || {
            let mut warned = false;
            while let Ok(messages) = rx.recv() {
                let states: Vec<NotifyState<'_>> = messages.iter().map(|m| NotifyState::Custom(m)).collect();
                if let Err(e) = sd_notify::notify(&states)
                    && !warned
                {
                    warned = true;
                    tracing::warn!(
                        error = e.to_string(),
                        "cannot notify the service manager (NOTIFY_SOCKET); carrying on without"
                    );
                }
            }
        });
        let watchdog = sd_notify::watchdog_enabled();
        if let Some(period) = watchdog {
            tracing::info!(period_ms = period.as_millis() as u64, "the service manager's watchdog is on");
        }
        Self { lane: spawned.ok().map(|_| tx), watchdog }
    }

    /// How often to tick: half the watchdog's period, else `otherwise`; never without systemd.
    pub(super) fn tick_every(&self, otherwise: Duration) -> Option<Duration> {
        self.lane.as_ref()?;
        Some(self.watchdog.map_or(otherwise, |w| (w / 2).min(otherwise)).max(Duration::from_millis(10)))
    }

    pub(super) fn send(&self, messages: Vec<String>) {
        if let Some(lane) = &self.lane {
            let _ = lane.send(messages);
        }
    }

    pub(super) fn watchdog(&self) {
        if self.watchdog.is_some() {
            self.send(vec!["WATCHDOG=1".to_owned()]);
        }
    }

    pub(super) fn extend_timeout(&self, by: Duration) {
        self.send(vec![format!("EXTEND_TIMEOUT_USEC={}", by.as_micros())]);
    }
}
