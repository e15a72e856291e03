//! What the run tells the operator's tooling besides its files: systemd's notify socket and a
//! Prometheus (OpenMetrics) endpoint.
//!
//! Both are fed by the shell from what already flows through it: each status document the
//! machine publishes (the state, the release, the pending upgrade, staging, the last switch),
//! the events it hands the machine (failed polls and downloads, a shutdown signal) and the
//! machine's observations (an upgrade's downtime by phase). Neither can slow the run loop: the
//! notify messages go out from a thread of their own, and the metrics are atomics that the
//! endpoint's connections encode on their own tasks.
//!
//! The watchdog is pinged from the run loop itself, on a timer it selects on with every other
//! event, so a loop that stops turning stops the pings and systemd restarts the visor.

mod metrics;
mod notify;
mod server;

use std::net::SocketAddr;
use std::time::Duration;

pub use server::MetricsError;

use crate::runner::event::{Event, SignalKind};
use crate::status::Status;

/// The visor's build, as the metrics label it.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
pub struct BuildLabels {
    /// The face: `visor`, `nymvisor` or `cosmovisor`.
    pub face: String,
    /// The visor's version.
    pub version: String,
    /// The commit it was built from.
    pub git_hash: String,
}

/// What a run reports, and where.
#[derive(Clone, Debug, Default)]
pub struct Reporting {
    /// Serve metrics on this address (`None`: no endpoint).
    pub metrics_listen: Option<SocketAddr>,
    /// How the operator names the listen address (a flag, key or variable), for errors.
    pub metrics_setting: String,
    /// The visor's build.
    pub build: BuildLabels,
}

/// Parses a metrics listen address as operators write it: `HOST:PORT`, `[V6]:PORT`, or a bare
/// port (loopback, so turning metrics on never exposes them by accident).
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse::<SocketAddr>().map_err(|_| {
        format!("{text:?} is not a listen address: write a port (9464, on 127.0.0.1) or an address and port (127.0.0.1:9464)")
    })
}

/// Something the machine saw that the metrics count.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Observation {
    /// A poll of a source failed (admin, upstream, height, plan, announced).
    PollFailed(&'static str),
    /// An attempt to stage a release failed.
    StageFailed,
    /// An upgrade's new node was spawned: its downtime, by phase.
    UpgradeDone(Phases),
}

/// An upgrade's downtime, from the old node's stop signal to the new node's spawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phases {
    pub(crate) total: Duration,
    /// Stop signal → every process of the old node gone.
    pub(crate) stop: Duration,
    /// The backup before the switch.
    pub(crate) backup: Duration,
    /// The switch of `current`.
    pub(crate) switch: Duration,
    /// The switch done → the new node spawned.
    pub(crate) spawn: Duration,
}

impl Phases {
    /// Each phase by name; `wait` is the rest (waiting for the release, and the loop's turns).
    pub(crate) fn named(&self) -> [(&'static str, Duration); 5] {
        let known = self.stop + self.backup + self.switch + self.spawn;
        [
            ("stop", self.stop),
            ("wait", self.total.saturating_sub(known)),
            ("backup", self.backup),
            ("switch", self.switch),
            ("spawn", self.spawn),
        ]
    }
}

/// States that may outlast systemd's start or stop timeout while the visor works on.
fn is_long(state: &str) -> bool {
    matches!(state, "stopping" | "shutting-down" | "backing-up" | "restoring" | "switching" | "rolling-back")
}

/// How much more time each extension asks for; renewed on every tick while it lasts.
const EXTEND_BY: Duration = Duration::from_secs(30);

/// The run's reporting: the notifier, the metrics and their endpoint.
pub(crate) struct Telemetry {
    notifier: notify::Notifier,
    metrics: Option<metrics::Metrics>,
    endpoint: Option<tokio::task::JoinHandle<()>>,
    address: Option<SocketAddr>,
    ready: bool,
    state: String,
    status_line: String,
}

impl Telemetry {
    /// Starts the endpoint if asked for (its address must be free: an operator who turned
    /// metrics on wants to know at once that they cannot be served).
    pub(crate) async fn start(reporting: &Reporting) -> Result<Self, MetricsError> {
        let (metrics, endpoint, address) = match reporting.metrics_listen {
            Some(addr) => {
                let metrics = metrics::Metrics::new(&reporting.build);
                let (endpoint, bound) = server::serve(addr, &reporting.metrics_setting, metrics.registry()).await?;
                (Some(metrics), Some(endpoint), Some(bound))
            }
            None => (None, None, None),
        };
        Ok(Self {
            notifier: notify::Notifier::start(),
            metrics,
            endpoint,
            address,
            ready: false,
            state: String::new(),
            status_line: String::new(),
        })
    }

    /// Where the metrics are served (the port chosen, when the operator asked for port 0).
    pub(crate) fn metrics_address(&self) -> Option<SocketAddr> {
        self.address
    }

    /// How often the run loop should call [`Self::tick`]: half the watchdog's period, or often
    /// enough to extend timeouts, when systemd listens; never otherwise.
    pub(crate) fn tick_every(&self) -> Option<Duration> {
        self.notifier.tick_every(EXTEND_BY / 3)
    }

    /// The loop turned: the watchdog is fed, and long work asks for more time.
    pub(crate) fn tick(&mut self) {
        self.notifier.watchdog();
        if is_long(&self.state) {
            self.notifier.extend_timeout(EXTEND_BY);
        }
    }

    /// An event on its way to the machine.
    pub(crate) fn event(&mut self, event: &Event) {
        let failed = match event {
            Event::Signal(SignalKind::Shutdown(_)) => {
                self.notifier.send(vec!["STOPPING=1".to_owned()]);
                None
            }
            Event::Poll { result: Err(_), .. } => Some(Observation::PollFailed("admin")),
            Event::Upstream { result: Err(_), .. } | Event::UpstreamHandled { result: Err(_) } => {
                Some(Observation::PollFailed("upstream"))
            }
            Event::ChainHeight { result: Err(_) } => Some(Observation::PollFailed("height")),
            Event::PlanRead { result: Err(_) } => Some(Observation::PollFailed("plan")),
            Event::Announced { result: Err(_) } => Some(Observation::PollFailed("announced")),
            Event::Staged { result: Err(_), .. } => Some(Observation::StageFailed),
            _ => None,
        };
        if let Some(observation) = failed {
            self.observe(&observation);
        }
    }

    pub(crate) fn observe(&mut self, observation: &Observation) {
        if let Some(metrics) = &mut self.metrics {
            metrics.observe(observation);
        }
    }

    /// A new status document.
    pub(crate) fn publish(&mut self, status: &Status) {
        if let Some(metrics) = &mut self.metrics {
            metrics.publish(status);
        }
        let messages = self.notices(status);
        if !messages.is_empty() {
            self.notifier.send(messages);
        }
    }

    /// What the service manager is told of a new status document.
    fn notices(&mut self, status: &Status) -> Vec<String> {
        let mut messages = Vec::new();
        // Ready once the node runs, or once the visor waits on something that may take as long
        // as the operator takes (a release to place, a restart's delay): a start timeout must
        // not kill a visor that does its job. Long work before that extends the timeout.
        if !self.ready && matches!(status.state.as_str(), "running" | "waiting-for-release" | "restart-delay") {
            self.ready = true;
            messages.push("READY=1".to_owned());
        }
        if status.state != self.state {
            if status.state == "shutting-down" {
                messages.push("STOPPING=1".to_owned());
            }
            if is_long(&status.state) {
                messages.push(format!("EXTEND_TIMEOUT_USEC={}", EXTEND_BY.as_micros()));
            }
            self.state.clone_from(&status.state);
        }
        let line = status_line(status);
        if line != self.status_line {
            messages.push(format!("STATUS={line}"));
            self.status_line = line;
        }
        messages
    }

    /// The run ended: the endpoint closes with it.
    pub(crate) fn finish(self) {
        if let Some(endpoint) = self.endpoint {
            endpoint.abort();
        }
    }
}

/// One line for `systemctl status`: the state, the release, and what comes next.
fn status_line(status: &Status) -> String {
    let mut line = status.state.clone();
    if let Some(release) = &status.release {
        line.push_str(&format!(" {release}"));
    }
    if let Some(pending) = &status.pending {
        let when = match (pending.height, pending.at) {
            (Some(h), _) => format!(" at height {h}"),
            (None, Some(at)) => format!(" at {at}"),
            (None, None) => String::new(),
        };
        line.push_str(&format!("; upgrade to {}{when}", pending.version));
    }
    if let Some(staging) = &status.staging
        && staging.phase != "staged"
    {
        line.push_str(&format!("; staging {}: {}", staging.version, staging.phase));
    }
    if let Some(detail) = &status.detail {
        line.push_str(&format!(": {detail}"));
    }
    // One line: a detail is free text.
    line.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_listens_on_loopback() {
        assert_eq!(parse_listen("9464"), Ok(SocketAddr::from(([127, 0, 0, 1], 9464))));
        assert_eq!(parse_listen("0.0.0.0:9000"), Ok(SocketAddr::from(([0, 0, 0, 0], 9000))));
        assert_eq!(parse_listen("[::1]:9000").map(|a| a.is_ipv6()), Ok(true));
        let err = parse_listen("localhost:x").unwrap_err();
        assert!(err.contains("\"localhost:x\" is not a listen address"), "{err}");
    }

    #[test]
    fn the_phases_add_up_to_the_downtime() {
        let ms = Duration::from_millis;
        let phases = Phases { total: ms(100), stop: ms(10), backup: ms(50), switch: ms(2), spawn: ms(3) };
        let named = phases.named();
        assert_eq!(named[1], ("wait", ms(35)));
        assert_eq!(named.iter().map(|(_, d)| *d).sum::<Duration>(), ms(100));
    }

    fn telemetry() -> Telemetry {
        Telemetry {
            notifier: notify::Notifier::start(),
            metrics: None,
            endpoint: None,
            address: None,
            ready: false,
            state: String::new(),
            status_line: String::new(),
        }
    }

    fn state(name: &str) -> Status {
        Status { state: name.into(), release: Some("v1".into()), ..Status::default() }
    }

    #[test]
    fn ready_once_the_node_runs_and_stopping_with_more_time() {
        let mut t = telemetry();
        assert_eq!(t.notices(&state("starting")), ["STATUS=starting v1"]);
        assert_eq!(t.notices(&state("running")), ["READY=1", "STATUS=running v1"]);
        assert_eq!(t.notices(&state("running")), Vec::<String>::new(), "nothing changed, nothing said");
        assert_eq!(t.notices(&state("starting")), ["STATUS=starting v1"], "ready once");
        assert_eq!(
            t.notices(&state("shutting-down")),
            ["STOPPING=1", "EXTEND_TIMEOUT_USEC=30000000", "STATUS=shutting-down v1"]
        );
    }

    #[test]
    fn a_visor_waiting_for_a_release_or_a_restart_is_ready_but_long_work_only_asks_for_time() {
        let mut t = telemetry();
        assert_eq!(t.notices(&state("backing-up")), ["EXTEND_TIMEOUT_USEC=30000000", "STATUS=backing-up v1"]);
        assert_eq!(t.notices(&state("waiting-for-release"))[0], "READY=1");
        let mut t = telemetry();
        assert_eq!(t.notices(&state("restart-delay"))[0], "READY=1");
    }

    #[test]
    fn the_status_line_says_what_comes_next() {
        let status = Status {
            state: "running".into(),
            release: Some("v1".into()),
            pending: Some(crate::status::PendingStatus {
                version: "v2".into(),
                height: Some(60),
                at: None,
                name: None,
                folder: None,
                folder_present: false,
            }),
            detail: Some("two\nlines".into()),
            ..Status::default()
        };
        assert_eq!(status_line(&status), "running v1; upgrade to v2 at height 60: two lines");
    }
}
