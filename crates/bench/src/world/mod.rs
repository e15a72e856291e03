//! A world: a temporary home in which one supervisor (a face of ours, a peer visor, supervisord
//! or runit) runs `testnode`, and, for the visors, carries out one upgrade.
//!
//! `testnode` writes what the measurements need, each with the node's own wall clock: every
//! start (`starts.jsonl`, `atMicros`), the stop signal it got (`exits.jsonl`,
//! `signalledAtMicros`), the moment a Vega core halted at its upgrade height (`ready.jsonl`) and
//! the moment a Cosmos app finished writing `upgrade-info.json` (`plans.jsonl`).

mod classic;
mod cosmos;
mod lease;
mod nym;
mod vega;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testnode::datagen::Rng;

use crate::sys::{DEADLINE, Daemon, Res, read_json, read_jsonl, wait_for};

pub(crate) use lease::Lease;

/// What supervises the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Vega,
    Nym,
    Cosmos,
    Supervisord,
    Runit,
}

/// One supervisor binary to measure.
#[derive(Debug, Clone)]
pub(crate) struct Tool {
    pub(crate) kind: Kind,
    pub(crate) bin: PathBuf,
    /// A peer's visor (the real Nymvisor or Cosmovisor) rather than ours.
    pub(crate) peer: bool,
}

impl Tool {
    pub(crate) fn ours(kind: Kind, bin: &Path) -> Self {
        Self { kind, bin: bin.to_owned(), peer: false }
    }

    pub(crate) fn label(&self) -> String {
        match (self.kind, self.peer) {
            (Kind::Vega, false) => "visor".into(),
            (Kind::Nym, false) => "nymvisor".into(),
            (Kind::Cosmos, false) => "cosmovisor".into(),
            (Kind::Vega, true) => "Vega Visor (peer)".into(),
            (Kind::Nym, true) => "Nymvisor (peer)".into(),
            (Kind::Cosmos, true) => "Cosmovisor (peer)".into(),
            (Kind::Supervisord, _) => "supervisord".into(),
            (Kind::Runit, _) => "runit (runsv)".into(),
        }
    }

    /// Whether it is one of our faces (it has a status file and metrics).
    pub(crate) fn is_ours(&self) -> bool {
        !self.peer && matches!(self.kind, Kind::Vega | Kind::Nym | Kind::Cosmos)
    }
}

/// How a world is set up.
#[derive(Debug, Clone, Default)]
pub(crate) struct Setup {
    /// A data folder (made once, lent to each world in turn) the node keeps and the visor backs up.
    pub(crate) data: Option<PathBuf>,
    /// The backup strategy; `None` keeps the face's default.
    pub(crate) strategy: Option<String>,
    /// Nym: upgrades queued (an hour ahead) before the measured one.
    pub(crate) queued: usize,
    /// Whether the node upgrades: the release is staged and the upgrade announced.
    pub(crate) upgrade: bool,
    /// The fastest restart of a crashed node the tool allows.
    pub(crate) crash_restarts: bool,
    /// Our faces serve their metrics (for the phases of a switch).
    pub(crate) metrics: bool,
    /// The upstream answer for Nym (a URL on 127.0.0.1).
    pub(crate) upstream: String,
    /// The testnode binary.
    pub(crate) testnode: PathBuf,
    /// The Vega core's and the Cosmos app's time per block (`None`: 20 ms, so upgrades come soon).
    pub(crate) block_time: Option<&'static str>,
}

impl Setup {
    fn block_time(&self) -> &'static str {
        self.block_time.unwrap_or("20ms")
    }
}

/// What a world needs of its kind of supervisor.
trait Face {
    /// The command that runs the supervisor.
    fn command(&self) -> Command;
    /// Makes the upgrade due, or waits until the node makes it due; returns when (µs).
    fn trigger(&self, rng: &mut Rng) -> Res<u64>;
    /// The status file of our visors.
    fn status_file(&self) -> Option<PathBuf>;
}

/// The phases of the last switch, as our visor's metrics give them (milliseconds).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Phases {
    /// The old node's stop signal → the new node spawned.
    pub(crate) downtime: f64,
    pub(crate) stop: f64,
    pub(crate) wait: f64,
    pub(crate) backup: f64,
    pub(crate) switch: f64,
    pub(crate) spawn: f64,
}

/// One upgrade, measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sample {
    /// The trigger → the new node started (its own first record), ms.
    pub(crate) total: f64,
    /// The trigger → the old node got its stop signal, ms: detection and verification.
    pub(crate) to_signal: Option<f64>,
    pub(crate) phases: Option<Phases>,
    /// The backup strategy the visor used, as its status says.
    pub(crate) strategy: Option<String>,
}

/// A supervisor running `testnode` in a temporary home.
pub(crate) struct World {
    // Dropped in this order: the supervisor, then the lent data goes back, then the folder.
    supervisor: Option<Daemon>,
    lease: Option<Lease>,
    face: Box<dyn Face>,
    pub(crate) tool: Tool,
    /// Where testnode writes its records.
    pub(crate) records: PathBuf,
    metrics: bool,
    dir: tempfile::TempDir,
}

impl World {
    /// Makes the world (homes, releases, configuration) without starting anything.
    pub(crate) fn new(tool: &Tool, setup: &Setup) -> Res<Self> {
        let dir = tempfile::Builder::new()
            .prefix("visor-bench-")
            .tempdir()
            .map_err(|e| format!("cannot make a folder in {}: {e}", std::env::temp_dir().display()))?;
        let root = dir.path().to_owned();
        let records = root.join("records");
        std::fs::create_dir_all(&records).map_err(|e| format!("cannot make {}: {e}", records.display()))?;
        let data_at = match tool.kind {
            Kind::Vega => root.join("data"),
            Kind::Nym => root.join("daemon-home/data"),
            Kind::Cosmos => root.join("home/data"),
            Kind::Supervisord | Kind::Runit => root.join("data"),
        };
        let lease = match &setup.data {
            Some(template) => Some(Lease::lend(template, &data_at)?),
            None => None,
        };
        let mut rng = Rng(setup_seed(&root));
        let face: Box<dyn Face> = match tool.kind {
            Kind::Vega => Box::new(vega::Vega::prepare(tool, setup, &root, &records, &data_at, &mut rng)?),
            Kind::Nym => Box::new(nym::Nym::prepare(tool, setup, &root, &records)?),
            Kind::Cosmos => Box::new(cosmos::Cosmos::prepare(tool, setup, &root, &records, &mut rng)?),
            Kind::Supervisord => Box::new(classic::Supervisord::prepare(tool, setup, &root, &records)?),
            Kind::Runit => Box::new(classic::Runit::prepare(tool, setup, &root, &records)?),
        };
        let metrics = setup.metrics && tool.is_ours();
        Ok(Self { supervisor: None, lease, face, tool: tool.clone(), records, metrics, dir })
    }

    /// Starts the supervisor and waits until it has started the node.
    pub(crate) fn start(&mut self) -> Res<()> {
        let log = self.dir.path().join("supervisor.log");
        let daemon = Daemon::spawn(&self.tool.label(), &mut self.face.command(), &log)?;
        self.supervisor = Some(daemon);
        self.wait_starts(1)?;
        Ok(())
    }

    /// The supervisor's process id, once started.
    pub(crate) fn supervisor_pid(&self) -> Option<i32> {
        self.supervisor.as_ref().map(Daemon::pid)
    }

    /// testnode's start records, oldest first.
    pub(crate) fn starts(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.records.join("starts.jsonl"))
    }

    /// Waits until the node has started `n` times in all; returns the records.
    pub(crate) fn wait_starts(&mut self, n: usize) -> Res<Vec<serde_json::Value>> {
        let what = format!("{} start(s) of the node under {}", n, self.tool.label());
        let records = self.records.join("starts.jsonl");
        let supervisor = self.supervisor.as_mut().ok_or("the supervisor is not started")?;
        let mut failed = None;
        let got = wait_for(&what, DEADLINE, || {
            if let Err(e) = supervisor.check() {
                failed = Some(e);
                return Some(Vec::new());
            }
            let starts = read_jsonl(&records);
            (starts.len() >= n).then_some(starts)
        });
        if let Some(e) = failed {
            return Err(e);
        }
        got.map_err(|e| supervisor.failure(&e))
    }

    /// Carries out the upgrade this world was set up for and measures it.
    pub(crate) fn upgrade(&mut self, rng: &mut Rng) -> Res<Sample> {
        let trigger = self.face.trigger(rng).map_err(|e| self.failure(&e))?;
        let starts = self.wait_starts(2)?;
        let at = |v: &serde_json::Value, key: &str| v[key].as_u64();
        let started = at(&starts[1], "atMicros").ok_or("testnode's start record has no atMicros (rebuild it)")?;
        let old_pid = &starts[0]["pid"];
        let exits = read_jsonl(&self.records.join("exits.jsonl"));
        let signalled = exits.iter().find(|e| &e["pid"] == old_pid).and_then(|e| at(e, "signalledAtMicros"));
        let ms = |from: u64, to: u64| (to as f64 - from as f64) / 1000.0;
        let mut sample =
            Sample { total: ms(trigger, started), to_signal: signalled.map(|s| ms(trigger, s)), ..Sample::default() };
        if self.metrics {
            sample.phases = Some(self.phases()?);
        }
        if let Some(status) = self.face.status_file().and_then(|f| read_json(&f)) {
            sample.strategy = status["lastSwitch"]["backup"]["strategy"].as_str().map(str::to_owned);
        }
        Ok(sample)
    }

    /// The phases of the last switch from our visor's metrics, once it has counted the switch.
    fn phases(&self) -> Res<Phases> {
        let file = self.face.status_file().ok_or("no status file")?;
        let addr: std::net::SocketAddr = wait_for("the metrics address in the status file", DEADLINE, || {
            read_json(&file)?["metrics"].as_str()?.parse().ok()
        })?;
        wait_for("the switch's phases in the metrics", Duration::from_secs(20), || {
            let scrape = testnode::tooling::get(addr, "/metrics").ok()?;
            let m = parse_metrics(&scrape.body);
            let phase = |p: &str| {
                let series = format!("visor_last_switch_phase_seconds{{phase=\"{p}\"}}");
                m.iter().find(|(k, _)| *k == series).map(|(_, v)| *v * 1e3)
            };
            // The phases add up to the downtime at full precision (the downtime gauge itself is
            // also set from the status file, in whole milliseconds).
            let p = Phases {
                stop: phase("stop")?,
                wait: phase("wait")?,
                backup: phase("backup")?,
                switch: phase("switch")?,
                spawn: phase("spawn")?,
                downtime: 0.0,
            };
            Some(Phases { downtime: p.stop + p.wait + p.backup + p.switch + p.spawn, ..p })
        })
        .map_err(|e| self.failure(&e))
    }

    fn failure(&self, what: &str) -> String {
        self.supervisor.as_ref().map_or_else(|| what.to_owned(), |s| s.failure(what))
    }

    /// Stops the supervisor (and with it the node) and gives the lent data back.
    pub(crate) fn finish(mut self) -> Res<()> {
        let stopped = match self.supervisor.as_mut() {
            Some(s) => s.stop(Duration::from_secs(30)),
            None => Ok(()),
        };
        // A node the supervisor left behind would keep the records and the data busy.
        for start in self.starts() {
            if let Some(pid) = start["pid"].as_i64() {
                crate::sys::signal(pid as i32, nix::sys::signal::Signal::SIGKILL);
            }
        }
        let returned = self.lease.take().map_or(Ok(()), |mut l| l.give_back());
        stopped.and(returned)
    }
}

/// A seed that differs from world to world (its folder's random name).
fn setup_seed(root: &Path) -> u64 {
    root.file_name()
        .map(|n| {
            n.to_string_lossy()
                .bytes()
                .fold(0xCBF2_9CE4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3))
        })
        .unwrap_or(1)
}

/// The samples of an OpenMetrics text: `(series, value)`; lines that do not parse are skipped.
pub(crate) fn parse_metrics(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The environment every supervisor starts with: nothing of the operator's but `PATH`.
fn clean(cmd: &mut Command) -> &mut Command {
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("NO_COLOR", "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_text_is_read_by_series_and_junk_is_skipped() {
        let text = "# TYPE visor_switches_total counter\nvisor_switches_total 1\nvisor_last_switch_phase_seconds{phase=\"stop\"} 0.012\ngarbage\n# EOF\n";
        let m = parse_metrics(text);
        assert_eq!(
            m,
            vec![
                ("visor_switches_total".to_owned(), 1.0),
                ("visor_last_switch_phase_seconds{phase=\"stop\"}".to_owned(), 0.012)
            ]
        );
    }
}
