//! `status` for every face: what runs, what is pending, the last switch. Reads the running visor's
//! status file, or the home itself when no visor runs.
//!
//! The JSON form is a versioned document (`docs/status.schema.json`): fields are added within a
//! version, never renamed or removed. `--watch` redraws the text on a terminal, or prints one
//! JSON document per change for a script; `--probe` answers a service manager or a Kubernetes
//! exec probe by its exit code alone.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use visor_core::history::{History, SwitchRecord};
use visor_core::status::{AdminStatus, PendingStatus, ProcessStatus, StagingStatus, read_status};
use visor_core::{CurrentLink, Exit, Home};

use crate::{Failure, Output};

/// The version of the JSON document `status --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// What a probe asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Probe {
    /// The supervisor runs on the home (its process is alive and has not stopped).
    Live,
    /// The node runs under it: a readiness probe.
    Ready,
}

/// `status`'s options, shared by every face that parses with clap.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Keep showing the status as it changes (on a terminal, redrawn; otherwise one document
    /// per change), until interrupted.
    #[arg(long)]
    pub watch: bool,
    /// How often `--watch` looks, e.g. 500ms or 2s.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_interval)]
    pub interval: Duration,
    /// Print nothing but a one-line reason on failure, and exit 0 when the condition holds
    /// (for Kubernetes exec probes and scripts): `live` (a visor runs on the home) or `ready`
    /// (its node runs).
    #[arg(long, value_enum, conflicts_with = "watch")]
    pub probe: Option<Probe>,
}

impl Default for StatusArgs {
    fn default() -> Self {
        Self { output: Output::Text, watch: false, interval: Duration::from_secs(1), probe: None }
    }
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    let d =
        humantime::parse_duration(text).map_err(|e| format!("{text:?} is not a duration such as 500ms or 2s: {e}"))?;
    if d < Duration::from_millis(100) {
        return Err(format!("{text:?} is too short: watch at most every 100ms"));
    }
    Ok(d)
}

#[derive(Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Report {
    schema_version: u32,
    home: String,
    running: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    visor_pid: Option<u32>,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    release: Option<String>,
    processes: Vec<ProcessStatus>,
    pending: Option<PendingStatus>,
    staging: Option<StagingStatus>,
    restarts: u64,
    last_switch: Option<SwitchRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chain_height: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin: Option<AdminStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<jiff::Timestamp>,
}

fn current_release(home: &Home) -> Option<String> {
    match home.read_current() {
        Ok(CurrentLink::Release(name)) => Some(name.to_string()),
        Ok(CurrentLink::Outside(p)) => Some(p.display().to_string()),
        Ok(CurrentLink::Directory) => Some("current (a folder)".to_owned()),
        _ => None,
    }
}

fn report(home: &Home) -> anyhow::Result<Report> {
    let history = History::load(&home.history_file())?;
    match read_status(&home.status_file()).filter(visor_core::status::Status::writer_alive) {
        Some(s) => Ok(Report {
            schema_version: SCHEMA_VERSION,
            home: home.root().display().to_string(),
            running: true,
            visor_pid: Some(s.visor_pid),
            state: s.state,
            detail: s.detail,
            release: s.release,
            processes: s.processes,
            pending: s.pending,
            staging: s.staging,
            restarts: s.restarts,
            last_switch: s.last_switch.or_else(|| history.last().cloned()),
            chain_height: s.chain_height,
            metrics: s.metrics,
            admin: s.admin,
            updated_at: Some(s.updated_at),
        }),
        None => Ok(Report {
            schema_version: SCHEMA_VERSION,
            home: home.root().display().to_string(),
            running: false,
            visor_pid: None,
            state: "not running".to_owned(),
            detail: None,
            release: current_release(home),
            processes: Vec::new(),
            pending: None,
            staging: None,
            restarts: 0,
            last_switch: history.last().cloned(),
            chain_height: None,
            metrics: None,
            admin: None,
            updated_at: None,
        }),
    }
}

fn print_text(r: &Report) {
    match r.visor_pid {
        Some(pid) => crate::output::println_shown(&format!("{:<10} running (pid {pid}), {}", program_label(), r.state)),
        None => crate::output::println_shown(&format!("{:<10} not running", program_label())),
    }
    if let Some(detail) = &r.detail {
        crate::output::println_shown(&format!("           {detail}"));
    }
    crate::output::println_shown(&format!("release:   {}", r.release.as_deref().unwrap_or("(none)")));
    if r.processes.is_empty() {
        crate::output::println_shown("processes: none");
    } else {
        crate::output::println_shown("processes:");
        for p in &r.processes {
            crate::output::println_shown(&format!("  {:<10} pid {:<8} since {}", p.role, p.pid, p.since));
        }
    }
    if r.running {
        crate::output::println_shown(&format!("restarts:  {}", r.restarts));
    }
    if let Some(metrics) = &r.metrics {
        crate::output::println_shown(&format!("metrics:   http://{metrics}/metrics"));
    }
    if let Some(a) = &r.admin {
        match &a.unreachable_since {
            Some(since) => crate::output::println_shown(&format!(
                "admin endpoint: unreachable since {since} ({} failed polls{})",
                a.failures,
                a.error.as_deref().map(|e| format!("; last: {e}")).unwrap_or_default()
            )),
            None => crate::output::println_shown(&format!("admin endpoint: {}", a.state)),
        }
    }
    match &r.pending {
        Some(p) => crate::output::println_shown(&format!(
            "upgrade:   {}{} {} (folder {}: {})",
            p.name.as_deref().filter(|n| *n != p.version).map(|n| format!("{n}, ")).unwrap_or_default(),
            p.version,
            trigger_text(p),
            p.folder.as_deref().unwrap_or("(invalid name)"),
            if p.folder_present { "present" } else { "MISSING" }
        )),
        None => crate::output::println_shown("upgrade:   none pending"),
    }
    if let Some(s) = &r.staging {
        let size = match s.total {
            Some(total) if s.phase == "downloading" => format!(", {} of {total} bytes", s.bytes),
            _ if s.bytes > 0 => format!(", {} bytes", s.bytes),
            _ => String::new(),
        };
        // Attempt 0: nothing was tried (no download is possible), so none to count.
        let attempt = match s.attempt {
            0 => size.trim_start_matches(", ").to_owned(),
            n => format!("attempt {n}{size}"),
        };
        let attempt = if attempt.is_empty() { String::new() } else { format!(" ({attempt})") };
        crate::output::println_shown(&format!("staging:   {} -> {}: {}{attempt}", s.version, s.folder, s.phase));
        if let Some(checksum) = &s.checksum {
            crate::output::println_shown(&format!(
                "           {checksum}{}",
                if s.verified { " (verified)" } else { " (no published checksum)" }
            ));
        }
        if let Some(error) = &s.error {
            crate::output::println_shown(&format!("           last error: {error}"));
        }
    }
    match &r.last_switch {
        Some(s) => crate::output::println_shown(&format!(
            "last switch: {} -> {} ({}{}) at {}, downtime {}",
            s.from.as_ref().map_or("(none)".to_owned(), ToString::to_string),
            s.to,
            s.version,
            s.height.map(|h| format!(" at height {h}")).unwrap_or_default(),
            s.switched_at,
            s.downtime_ms.map_or_else(|| "unknown".to_owned(), |d| format!("{d} ms")),
        )),
        None => crate::output::println_shown("last switch: none"),
    }
}

/// How an upgrade is triggered, and how far away that is.
fn trigger_text(p: &PendingStatus) -> String {
    // The chain's height in the status is that of the last change, so no "blocks from now"
    // here: `plan` asks the node.
    if let Some(h) = p.height {
        return format!("at height {h}");
    }
    if let Some(at) = p.at {
        let secs = at.as_second() - jiff::Timestamp::now().as_second();
        return format!("at {at:.0} ({})", crate::plan::relative(secs));
    }
    "when the node is ready".to_owned()
}

/// The program's name as a status label (`visor:`, `nymvisor:`).
fn program_label() -> String {
    format!("{}:", visor_core::lock::program_name())
}

/// Prints the status of `home` once, as `json` or text.
pub fn status(home: &Path, json: bool) -> anyhow::Result<()> {
    let output = if json { Output::Json } else { Output::Text };
    show(&report(&Home::new(home))?, output, false)
}

fn show(report: &Report, output: Output, compact: bool) -> anyhow::Result<()> {
    match output {
        Output::Json if compact => crate::println_out(&serde_json::to_string(report)?),
        Output::Json => crate::println_out(&serde_json::to_string_pretty(report)?),
        Output::Text => print_text(report),
    }
    Ok(())
}

/// The whole `status` command: once, watched, or as a probe; the exit code says how it ended.
pub fn command(home: &Path, args: &StatusArgs) -> Result<Exit, Failure> {
    // A mistyped home must not read as "not running, no release".
    if !home.is_dir() {
        return Err(Failure::config(anyhow::anyhow!(
            "{} is not a folder (does not exist, or cannot be read): check the home's path",
            home.display()
        )));
    }
    let home = Home::new(home);
    if let Some(probe) = args.probe {
        return Ok(match probe_answer(&home, probe) {
            Ok(()) => Exit::Clean,
            Err(why) => {
                crate::eprintln_out(&why);
                Exit::NotReady
            }
        });
    }
    if !args.watch {
        // What cannot be read is the setup's to fix (a user who may not read the home): exit 3.
        let report = report(&home).map_err(Failure::config)?;
        show(&report, args.output, false)?;
        return Ok(Exit::Clean);
    }
    watch(&home, args)
}

/// Shows the status each time it changes, until interrupted (or stdout closes).
fn watch(home: &Home, args: &StatusArgs) -> Result<Exit, Failure> {
    let redraw = args.output == Output::Text && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut last = None;
    loop {
        let now = report(home)?;
        if last.as_ref() != Some(&now) {
            if redraw {
                // Home the cursor and clear: the whole status, in place.
                crate::print_out("\x1b[H\x1b[2J");
            } else if args.output == Output::Text && last.is_some() {
                crate::println_out("");
            }
            show(&now, args.output, true)?;
            if crate::output::closed() {
                return Ok(Exit::Clean);
            }
            last = Some(now);
        }
        std::thread::sleep(args.interval);
    }
}

fn probe_answer(home: &Home, probe: Probe) -> Result<(), String> {
    let status = read_status(&home.status_file());
    let Some(status) = status.filter(visor_core::status::Status::writer_alive) else {
        return Err(format!("no visor runs on {}", home.root().display()));
    };
    if status.state == "stopped" {
        return Err(format!("the visor on {} is stopping", home.root().display()));
    }
    match probe {
        Probe::Live => Ok(()),
        Probe::Ready
            if !status.processes.is_empty() && matches!(status.state.as_str(), "running" | "verifying-release") =>
        {
            Ok(())
        }
        Probe::Ready => Err(format!(
            "the node is not running: {}{}",
            status.state,
            status.detail.map(|d| format!(" ({d})")).unwrap_or_default()
        )),
    }
}
