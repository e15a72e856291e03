//! `status` for every face: what runs, what is pending, the last switch. Reads the running visor's
//! status file, or the home itself when no visor runs.

use std::path::Path;

use serde::Serialize;
use visor_core::history::{History, SwitchRecord};
use visor_core::status::{PendingStatus, ProcessStatus, StagingStatus, read_status};
use visor_core::{CurrentLink, Home};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
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
        }),
        None => Ok(Report {
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
        }),
    }
}

fn print_text(r: &Report) {
    match r.visor_pid {
        Some(pid) => crate::println_out(&format!("visor:     running (pid {pid}), {}", r.state)),
        None => crate::println_out("visor:     not running"),
    }
    if let Some(detail) = &r.detail {
        crate::println_out(&format!("           {detail}"));
    }
    crate::println_out(&format!("release:   {}", r.release.as_deref().unwrap_or("(none)")));
    if r.processes.is_empty() {
        crate::println_out("processes: none");
    } else {
        crate::println_out("processes:");
        for p in &r.processes {
            crate::println_out(&format!("  {:<10} pid {:<8} since {}", p.role, p.pid, p.since));
        }
    }
    if r.running {
        crate::println_out(&format!("restarts:  {}", r.restarts));
    }
    match &r.pending {
        Some(p) => crate::println_out(&format!(
            "upgrade:   {} at height {} (folder {}: {})",
            p.version,
            p.height.map_or_else(|| "?".to_owned(), |h| h.to_string()),
            p.folder.as_deref().unwrap_or("(invalid name)"),
            if p.folder_present { "present" } else { "MISSING" }
        )),
        None => crate::println_out("upgrade:   none announced"),
    }
    if let Some(s) = &r.staging {
        let size = match s.total {
            Some(total) if s.phase == "downloading" => format!(", {} of {total} bytes", s.bytes),
            _ if s.bytes > 0 => format!(", {} bytes", s.bytes),
            _ => String::new(),
        };
        crate::println_out(&format!(
            "staging:   {} -> {}: {} (attempt {}{size})",
            s.version, s.folder, s.phase, s.attempt
        ));
        if let Some(checksum) = &s.checksum {
            crate::println_out(&format!(
                "           {checksum}{}",
                if s.verified { " (verified)" } else { " (no published checksum)" }
            ));
        }
        if let Some(error) = &s.error {
            crate::println_out(&format!("           last error: {error}"));
        }
    }
    match &r.last_switch {
        Some(s) => crate::println_out(&format!(
            "last switch: {} -> {} ({}{}) at {}, downtime {}",
            s.from.as_ref().map_or("(none)".to_owned(), ToString::to_string),
            s.to,
            s.version,
            s.height.map(|h| format!(" at height {h}")).unwrap_or_default(),
            s.switched_at,
            s.downtime_ms.map_or_else(|| "unknown".to_owned(), |d| format!("{d} ms")),
        )),
        None => crate::println_out("last switch: none"),
    }
}

/// Prints the status of `home`.
pub fn status(home: &Path, json: bool) -> anyhow::Result<()> {
    let report = report(&Home::new(home))?;
    if json {
        crate::println_out(&serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(())
}
