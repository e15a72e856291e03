//! The metrics: one explicit registry, updated from the status documents the run loop publishes
//! and from what it observes, and encoded as OpenMetrics text for each scrape.
//!
//! Gauges that describe "now" are set from each status document, so they cannot drift from what
//! `status` shows; counters count what happened (errors, switches, restarts) as it happens.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use super::{BuildLabels, Observation};
use crate::status::Status;

type Seconds = Gauge<f64, AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReleaseLabels {
    release: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PendingLabels {
    version: String,
    trigger: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StagingLabels {
    version: String,
    phase: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PhaseLabels {
    phase: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct SourceLabels {
    pub(crate) source: &'static str,
}

/// Every metric the visor exports, and the registry that encodes them.
pub(crate) struct Metrics {
    registry: Arc<Registry>,
    state: Family<StateLabels, Gauge>,
    node_up: Gauge,
    node_processes: Gauge,
    release: Family<ReleaseLabels, Gauge>,
    restarts: Counter,
    pending: Family<PendingLabels, Gauge>,
    pending_height: Gauge,
    pending_time: Gauge,
    staging: Family<StagingLabels, Gauge>,
    staging_bytes: Gauge,
    staging_total: Gauge,
    switches: Counter,
    last_switch_time: Gauge,
    last_downtime: Seconds,
    last_phase: Family<PhaseLabels, Seconds>,
    backup_bytes: Gauge,
    backup_duration: Seconds,
    poll_errors: Family<SourceLabels, Counter>,
    download_errors: Counter,
    chain_height: Gauge,
    /// What the last document said, to count what changed since.
    last: Last,
}

#[derive(Default)]
struct Last {
    restarts: u64,
    switch_id: Option<String>,
    state: String,
    release: Option<String>,
    pending: Option<PendingLabels>,
    staging: Option<StagingLabels>,
    /// The switch whose downtime the gauge shows.
    downtime_for: Option<String>,
    /// The machine observed the last upgrade's phases: its downtime is precise already.
    observed: bool,
}

fn seconds(ms: u64) -> f64 {
    Duration::from_millis(ms).as_secs_f64()
}

fn gauge_value(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Metrics {
    pub(crate) fn new(build: &BuildLabels) -> Self {
        let mut registry = Registry::with_prefix("visor");
        registry.register("build", "The visor's face, version and commit", Info::new(build.clone()));
        let up = Gauge::<i64>::default();
        up.set(1);
        registry.register("up", "1 while the visor runs", up);
        let metrics = Self {
            registry: Arc::new(Registry::default()),
            state: Family::default(),
            node_up: Gauge::default(),
            node_processes: Gauge::default(),
            release: Family::default(),
            restarts: Counter::default(),
            pending: Family::default(),
            pending_height: Gauge::default(),
            pending_time: Gauge::default(),
            staging: Family::default(),
            staging_bytes: Gauge::default(),
            staging_total: Gauge::default(),
            switches: Counter::default(),
            last_switch_time: Gauge::default(),
            last_downtime: Seconds::default(),
            last_phase: Family::default(),
            backup_bytes: Gauge::default(),
            backup_duration: Seconds::default(),
            poll_errors: Family::default(),
            download_errors: Counter::default(),
            chain_height: Gauge::default(),
            last: Last::default(),
        };
        let r = &mut registry;
        r.register("state", "1 for the run loop's current state", metrics.state.clone());
        r.register("node_up", "1 while the node's processes run", metrics.node_up.clone());
        r.register("node_processes", "The node's processes running", metrics.node_processes.clone());
        r.register("release_info", "1 for the release the node runs (or `current` names)", metrics.release.clone());
        r.register("restarts", "Restarts of the node after it failed", metrics.restarts.clone());
        r.register(
            "upgrade_pending",
            "1 for the next upgrade and its trigger (height, time or ready)",
            metrics.pending.clone(),
        );
        r.register(
            "upgrade_pending_height",
            "The next upgrade's height (0: none or not a height)",
            metrics.pending_height.clone(),
        );
        r.register(
            "upgrade_pending_time_seconds",
            "When the next upgrade is due, in Unix seconds (0: none or not a time)",
            metrics.pending_time.clone(),
        );
        r.register("staging_phase", "1 for the phase of the release being staged", metrics.staging.clone());
        r.register("staging_bytes", "Bytes of the release downloaded so far", metrics.staging_bytes.clone());
        r.register(
            "staging_total_bytes",
            "Bytes of the release to download (0: unknown)",
            metrics.staging_total.clone(),
        );
        r.register("switches", "Switches of `current` carried out by this visor", metrics.switches.clone());
        r.register(
            "last_switch_timestamp_seconds",
            "When `current` was last switched, in Unix seconds",
            metrics.last_switch_time.clone(),
        );
        r.register(
            "last_switch_downtime_seconds",
            "The last upgrade's downtime: the old node's stop signal to the new node's spawn",
            metrics.last_downtime.clone(),
        );
        r.register(
            "last_switch_phase_seconds",
            "The last upgrade's downtime by phase (stop, wait, backup, switch, spawn)",
            metrics.last_phase.clone(),
        );
        r.register("last_backup_bytes", "Bytes of data in the last backup", metrics.backup_bytes.clone());
        r.register("last_backup_duration_seconds", "How long the last backup took", metrics.backup_duration.clone());
        r.register(
            "poll_errors",
            "Failed polls by source (admin, upstream, height, plan, announced)",
            metrics.poll_errors.clone(),
        );
        r.register("download_errors", "Failed attempts to stage a release", metrics.download_errors.clone());
        r.register(
            "chain_height",
            "The chain's height as last read from the node (0: never)",
            metrics.chain_height.clone(),
        );
        Self { registry: Arc::new(registry), ..metrics }
    }

    /// The registry, for the endpoint that encodes it.
    pub(crate) fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.registry)
    }

    /// Sets the gauges from a new status document and counts what changed since the last.
    pub(crate) fn publish(&mut self, status: &Status) {
        if self.last.state != status.state {
            self.state.clear();
            self.state.get_or_create(&StateLabels { state: status.state.clone() }).set(1);
            self.last.state.clone_from(&status.state);
        }
        self.node_up.set(i64::from(!status.processes.is_empty()));
        self.node_processes.set(gauge_value(status.processes.len() as u64));
        if self.last.release != status.release {
            self.release.clear();
            if let Some(release) = &status.release {
                self.release.get_or_create(&ReleaseLabels { release: release.clone() }).set(1);
            }
            self.last.release.clone_from(&status.release);
        }
        // The count is a budget that forgets old restarts: only its rises are restarts.
        if status.restarts > self.last.restarts {
            self.restarts.inc_by(status.restarts - self.last.restarts);
        }
        self.last.restarts = status.restarts;
        let pending = status.pending.as_ref().map(|p| PendingLabels {
            version: p.version.clone(),
            trigger: if p.height.is_some() {
                "height"
            } else if p.at.is_some() {
                "time"
            } else {
                "ready"
            }
            .to_owned(),
        });
        if self.last.pending != pending {
            self.pending.clear();
            if let Some(labels) = &pending {
                self.pending.get_or_create(labels).set(1);
            }
            self.last.pending = pending;
        }
        let p = status.pending.as_ref();
        self.pending_height.set(gauge_value(p.and_then(|p| p.height).unwrap_or(0)));
        self.pending_time.set(p.and_then(|p| p.at).map_or(0, |at| at.as_second()));
        let staging =
            status.staging.as_ref().map(|s| StagingLabels { version: s.version.clone(), phase: s.phase.clone() });
        if self.last.staging != staging {
            self.staging.clear();
            if let Some(labels) = &staging {
                self.staging.get_or_create(labels).set(1);
            }
            self.last.staging = staging;
        }
        self.staging_bytes.set(gauge_value(status.staging.as_ref().map_or(0, |s| s.bytes)));
        self.staging_total.set(gauge_value(status.staging.as_ref().and_then(|s| s.total).unwrap_or(0)));
        if let Some(height) = status.chain_height {
            self.chain_height.set(gauge_value(height));
        }
        if let Some(last) = &status.last_switch {
            self.last_switch_time.set(last.switched_at.as_second());
            // Whole milliseconds from the document: only for a switch the machine did not
            // observe (one from before this visor started).
            if let Some(ms) = last.downtime_ms
                && self.last.downtime_for.as_deref() != Some(last.id.as_str())
            {
                if !std::mem::take(&mut self.last.observed) {
                    self.last_downtime.set(seconds(ms));
                }
                self.last.downtime_for = Some(last.id.clone());
            }
            if let Some(backup) = &last.backup {
                self.backup_bytes.set(gauge_value(backup.bytes));
                self.backup_duration.set(backup.took.as_secs_f64());
            }
            // The first document carries the switch the history remembers: not one of ours.
            let known = self.last.switch_id.replace(last.id.clone());
            if known.is_some_and(|id| id != last.id) {
                self.switches.inc();
            }
        } else if self.last.switch_id.is_none() {
            self.last.switch_id = Some(String::new());
        }
    }

    pub(crate) fn observe(&mut self, observation: &Observation) {
        match observation {
            Observation::PollFailed(source) => {
                self.poll_errors.get_or_create(&SourceLabels { source }).inc();
            }
            Observation::StageFailed => {
                self.download_errors.inc();
            }
            Observation::UpgradeDone(phases) => {
                self.last_downtime.set(phases.total.as_secs_f64());
                self.last.observed = true;
                self.last_phase.clear();
                for (phase, took) in phases.named() {
                    self.last_phase.get_or_create(&PhaseLabels { phase }).set(took.as_secs_f64());
                }
            }
        }
    }
}

/// Encodes the registry as OpenMetrics text.
pub(crate) fn encode(registry: &Registry) -> String {
    let mut text = String::with_capacity(4096);
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, registry);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::SwitchRecord;
    use crate::release::ReleaseName;

    fn labels() -> BuildLabels {
        BuildLabels { face: "visor".into(), version: "v1".into(), git_hash: "abc".into() }
    }

    fn sample(text: &str, series: &str) -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    fn switch(id: &str) -> SwitchRecord {
        SwitchRecord {
            id: id.into(),
            from: None,
            to: ReleaseName::new("v2").unwrap(),
            version: "v2".into(),
            height: None,
            switched_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            downtime_ms: Some(1500),
            confirmed_at: None,
            rollback: false,
            backup: None,
        }
    }

    #[test]
    fn the_state_release_and_pending_upgrade_show_one_member_at_a_time() {
        let mut m = Metrics::new(&labels());
        let mut status = Status { state: "starting".into(), release: Some("v1".into()), ..Status::default() };
        m.publish(&status);
        status.state = "running".into();
        status.pending = Some(crate::status::PendingStatus {
            version: "v2".into(),
            height: None,
            at: Some(jiff::Timestamp::from_second(1_900_000_000).unwrap()),
            name: None,
            folder: None,
            folder_present: false,
        });
        m.publish(&status);
        let text = encode(&m.registry());
        assert_eq!(sample(&text, "visor_state{state=\"running\"}"), Some(1.0));
        assert_eq!(sample(&text, "visor_state{state=\"starting\"}"), None, "{text}");
        assert_eq!(sample(&text, "visor_release_info{release=\"v1\"}"), Some(1.0));
        assert_eq!(sample(&text, "visor_upgrade_pending{version=\"v2\",trigger=\"time\"}"), Some(1.0));
        assert_eq!(sample(&text, "visor_upgrade_pending_time_seconds"), Some(1.9e9));
        assert!(text.contains("visor_build_info{face=\"visor\",version=\"v1\",git_hash=\"abc\"} 1"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn restarts_count_rises_only_and_switches_count_new_ones_only() {
        let mut m = Metrics::new(&labels());
        // The history's last switch, seen at the start: not this visor's.
        let mut status = Status { last_switch: Some(switch("old")), restarts: 2, ..Status::default() };
        m.publish(&status);
        status.restarts = 0; // the budget forgot them
        m.publish(&status);
        status.restarts = 1;
        status.last_switch = Some(switch("new"));
        m.publish(&status);
        m.publish(&status);
        let text = encode(&m.registry());
        assert_eq!(sample(&text, "visor_restarts_total"), Some(3.0));
        assert_eq!(sample(&text, "visor_switches_total"), Some(1.0));
        assert_eq!(sample(&text, "visor_last_switch_downtime_seconds"), Some(1.5));
        assert_eq!(sample(&text, "visor_last_switch_timestamp_seconds"), Some(1.8e9));
    }

    #[test]
    fn errors_are_counted_by_source_and_phases_replace_the_last() {
        let mut m = Metrics::new(&labels());
        m.observe(&Observation::PollFailed("admin"));
        m.observe(&Observation::PollFailed("admin"));
        m.observe(&Observation::StageFailed);
        let ms = Duration::from_micros;
        m.observe(&Observation::UpgradeDone(super::super::Phases {
            total: ms(20_400),
            stop: ms(5_000),
            backup: ms(0),
            switch: ms(2_000),
            spawn: ms(3_000),
        }));
        let text = encode(&m.registry());
        assert_eq!(sample(&text, "visor_poll_errors_total{source=\"admin\"}"), Some(2.0));
        assert_eq!(sample(&text, "visor_download_errors_total"), Some(1.0));
        assert_eq!(sample(&text, "visor_last_switch_phase_seconds{phase=\"wait\"}"), Some(0.0104));
        assert_eq!(sample(&text, "visor_last_switch_downtime_seconds"), Some(0.0204));
        // The status document that follows carries the downtime in whole milliseconds: the
        // observed one stays.
        let mut record = switch("s1");
        record.downtime_ms = Some(20);
        m.publish(&Status { last_switch: Some(record), ..Status::default() });
        let text = encode(&m.registry());
        assert_eq!(sample(&text, "visor_last_switch_downtime_seconds"), Some(0.0204));
    }
}
