//! The admin endpoint's reachability (Vega): what the visor says while the core does not
//! answer. A core takes seconds to open its socket, so the first failures are quiet; past a
//! grace period the visor warns, naming the setting to check, and repeats the warning ever more
//! rarely (a wrong socket path would otherwise fill the log for days). The status carries the
//! endpoint's state so `status` shows it too.

use std::time::{Duration, Instant};

use super::Machine;
use crate::exit::Exit;
use crate::source::AdminError;
use crate::status::AdminStatus;

/// Unreachable for this long: said as a warning (a core opens its socket within seconds).
const GRACE: Duration = Duration::from_secs(10);
/// The first repetition of the warning; each next one waits twice as long, up to `LONGEST`.
const FIRST_REPEAT: Duration = Duration::from_secs(30);
const LONGEST: Duration = Duration::from_secs(15 * 60);

/// The endpoint does not answer, since when, and when to say it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreachable {
    since: Instant,
    since_wall: jiff::Timestamp,
    /// The next warning; `None` until the grace period is over.
    next_warning: Option<Instant>,
    repeat: Duration,
    error: String,
    /// The kind of the last failure: a new kind is said at once, a new wording of the same
    /// kind (an answer's text varies) is not.
    kind: std::mem::Discriminant<AdminError>,
}

impl Machine {
    /// A poll failed: counted against the connection budget, said as the grace and backoff
    /// allow, shown in the status.
    pub(super) fn on_poll_failed(&mut self, e: &AdminError) {
        let connection = self.active.admin.map(|a| a.connection);
        let (budget, key) = if self.restarts.restarted() {
            (connection.map_or(u64::MAX, |c| c.after_restart), self.hints.connection_budget[1].clone())
        } else {
            (connection.map_or(u64::MAX, |c| c.first), self.hints.connection_budget[0].clone())
        };
        let hint = self.admin_hint();
        if self.poll_failures >= budget {
            tracing::error!(
                failures = self.poll_failures + 1,
                budget,
                error = e.to_string(),
                "the core's admin endpoint stayed unreachable beyond the connection budget ({key}); stopping: {hint}"
            );
            self.request_exit(Exit::Unreachable);
            return;
        }
        self.poll_failures += 1;
        let attempts_left = budget - self.poll_failures;
        let now = self.now.instant;
        let error = e.to_string();
        let kind = std::mem::discriminant(e);
        match &mut self.unreachable {
            None => {
                tracing::info!(error, "waiting for the core's admin endpoint");
                self.unreachable = Some(Unreachable {
                    since: now,
                    since_wall: self.now.wall,
                    next_warning: None,
                    repeat: FIRST_REPEAT,
                    error,
                    kind,
                });
                self.publish();
            }
            Some(u) => {
                let changed = u.kind != kind;
                u.error = error;
                u.kind = kind;
                let due = match u.next_warning {
                    None => now.saturating_duration_since(u.since) >= GRACE,
                    Some(at) => now >= at || changed,
                };
                if !due {
                    return;
                }
                let unreachable_for = now.saturating_duration_since(u.since);
                u.next_warning = Some(now + u.repeat);
                let next_in = u.repeat;
                u.repeat = (u.repeat * 2).min(LONGEST);
                tracing::warn!(
                    unreachable_s = unreachable_for.as_secs(),
                    failures = self.poll_failures,
                    attempts_left,
                    next_warning_in_s = next_in.as_secs(),
                    error = u.error.as_str(),
                    "the core's admin endpoint does not answer: {hint}"
                );
                self.publish();
            }
        }
    }

    /// A poll was answered: a warning's end is said.
    pub(super) fn on_poll_answered(&mut self) {
        let was_unreachable = self.unreachable.take();
        if let Some(u) = &was_unreachable {
            let unreachable_ms = self.now.instant.saturating_duration_since(u.since).as_millis() as u64;
            tracing::info!(after_failures = self.poll_failures, unreachable_ms, "the core's admin endpoint answers");
        }
        self.poll_failures = 0;
        if was_unreachable.is_some() || !self.admin_answered {
            self.admin_answered = true;
            self.publish();
        }
    }

    /// A node (re)starts: its endpoint has not been asked yet.
    pub(super) fn forget_admin(&mut self) {
        self.poll_failures = 0;
        self.unreachable = None;
        self.admin_answered = false;
    }

    fn admin_hint(&self) -> String {
        let release =
            self.ran.as_ref().or(self.current.as_ref()).map_or_else(|| "current".to_owned(), ToString::to_string);
        self.hints.admin_endpoint.replace("{release}", &release)
    }

    /// The endpoint's part of the status (nodes that have one).
    pub(super) fn admin_status(&self) -> Option<AdminStatus> {
        self.settings.admin.as_ref()?;
        self.node.as_ref()?;
        Some(match &self.unreachable {
            None => AdminStatus {
                state: if self.admin_answered { "answering" } else { "not asked yet" }.to_owned(),
                unreachable_since: None,
                failures: 0,
                error: None,
            },
            Some(u) => AdminStatus {
                state: "unreachable".to_owned(),
                unreachable_since: Some(u.since_wall),
                failures: self.poll_failures,
                error: Some(u.error.clone()),
            },
        })
    }
}
