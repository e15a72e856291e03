//! `backup list | verify | restore` for every face: the backups of a home, whether each can be
//! trusted, and putting one back with the node stopped.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, anyhow};
use serde::Serialize;
use visor_core::backup::{
    BackupEntry, BackupSettings, Progress, RestoreReport, Verification, WorkProgress, catalog, restore, verify,
};
use visor_core::lock::HomeLock;
use visor_core::{Exit, Home};

use crate::{Failure, Output, ProgressDisplay};

/// The `backup` subcommands, as every face spells them.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum BackupCommand {
    /// Lists the backups, newest first, with their size, age, release and whether they are
    /// verified.
    List {
        /// How to print.
        #[arg(long, short = 'o', value_enum, default_value = "text")]
        output: Output,
    },
    /// Reads a backup back and compares every file with its manifest.
    Verify {
        /// The backup, as `backup list` names it, or `latest`.
        backup: String,
    },
    /// Puts a backup's data back in place of the node's data (the visor must be stopped). The
    /// data it replaces is kept beside it until the node has run on the restored data.
    Restore {
        /// The backup, as `backup list` names it, or `latest`.
        backup: String,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    id: String,
    path: String,
    taken_at: Option<jiff::Timestamp>,
    size_bytes: u64,
    strategy: Option<String>,
    upgrade: Option<String>,
    release: Option<String>,
    verified: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

fn verified(b: &BackupEntry) -> &'static str {
    match (&b.manifest, b.sealed()) {
        (Some(_), true) => "sealed",
        (Some(_), false) => "not yet",
        (None, _) => "no manifest",
    }
}

fn age(at: Option<jiff::Timestamp>) -> String {
    let Some(at) = at else { return "?".to_owned() };
    let secs = jiff::Timestamp::now().duration_since(at).as_secs().max(0);
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.1} KiB", b as f64 / 1024.0),
    }
}

fn find(settings: &BackupSettings, id: &str) -> anyhow::Result<BackupEntry> {
    catalog::find(&settings.dir, &settings.naming, id)
        .with_context(|| format!("cannot list the backups in {}", settings.dir.display()))?
        .ok_or_else(|| {
            anyhow!("there is no backup `{id}` in {}; `backup list` shows what there is", settings.dir.display())
        })
}

/// Runs `command` on the backups `settings` describe for `home`. `stop_hint` says how this
/// face's visor is stopped (for the restore).
pub fn backup_command(
    home: &Home,
    settings: &BackupSettings,
    command: BackupCommand,
    stop_hint: &str,
) -> Result<Exit, Failure> {
    match command {
        BackupCommand::List { output } => list(settings, output).map_err(Failure::from),
        BackupCommand::Verify { backup } => {
            let entry = find(settings, &backup).map_err(Failure::config)?;
            if entry.manifest.is_none() {
                return Err(Failure::config(anyhow!(
                    "{} has no manifest the visor wrote ({}): it cannot be verified",
                    entry.path.display(),
                    entry.problem.unwrap_or_default()
                )));
            }
            match verify(&entry.path, visor_core::backup::default_threads(), &AtomicBool::new(false))
                .map_err(|e| Failure { error: e.into(), exit: Exit::UpgradeFailed })?
            {
                Verification::Intact { entries } => {
                    crate::println_out(&format!("{}: intact ({entries} entries match the manifest)", entry.id));
                    Ok(Exit::Clean)
                }
                Verification::Differs { path, what } => Err(Failure {
                    error: anyhow!("{}: damaged at {path}: {what}; do not restore it", entry.id),
                    exit: Exit::UpgradeFailed,
                }),
            }
        }
        BackupCommand::Restore { backup } => restore_one(home, settings, &backup, stop_hint),
    }
}

fn list(settings: &BackupSettings, output: Output) -> anyhow::Result<Exit> {
    let all = catalog::list(&settings.dir, &settings.naming)
        .with_context(|| format!("cannot list the backups in {}", settings.dir.display()))?;
    let listed: Vec<Listed> = all
        .iter()
        .map(|b| Listed {
            id: b.id.clone(),
            path: b.path.display().to_string(),
            taken_at: b.created_at,
            size_bytes: b.size,
            strategy: b.strategy().map(|s| s.to_string()),
            upgrade: b.manifest.as_ref().map(|m| m.upgrade.clone()),
            release: b.manifest.as_ref().and_then(|m| m.release.clone()),
            verified: verified(b),
            problem: b.problem.clone().filter(|_| b.manifest.is_none()),
        })
        .collect();
    match output {
        Output::Json => crate::println_out(&serde_json::to_string_pretty(&listed)?),
        Output::Text if listed.is_empty() => {
            crate::println_out(&format!("no backups in {}", settings.dir.display()));
        }
        Output::Text => {
            let mut out = format!(
                "{:<50} {:>10} {:>10} {:<9} {:<22} {}\n",
                "BACKUP", "AGE", "SIZE", "STRATEGY", "TAKEN BEFORE", "VERIFIED"
            );
            for l in &listed {
                let before = match (&l.upgrade, &l.release) {
                    (Some(u), Some(r)) => format!("{u} (from {r})"),
                    (Some(u), None) => u.clone(),
                    _ => "-".to_owned(),
                };
                out.push_str(&format!(
                    "{:<50} {:>10} {:>10} {:<9} {:<22} {}\n",
                    l.id,
                    age(l.taken_at),
                    size(l.size_bytes),
                    l.strategy.as_deref().unwrap_or("-"),
                    before,
                    l.verified
                ));
            }
            crate::print_out(&out);
        }
    }
    Ok(Exit::Clean)
}

fn restore_one(home: &Home, settings: &BackupSettings, id: &str, stop_hint: &str) -> Result<Exit, Failure> {
    let entry = find(settings, id).map_err(Failure::config)?;
    if entry.manifest.is_none() {
        return Err(Failure::config(anyhow!(
            "{} has no manifest the visor wrote: it cannot be verified, so it is not restored; restore it by hand",
            entry.path.display()
        )));
    }
    // The node must be stopped: no visor may run on this home meanwhile.
    let _lock = HomeLock::acquire(&home.lock_file()).map_err(|e| match e {
        visor_core::lock::LockError::Held { path, pid } => Failure {
            error: anyhow!(
                "{} is running this home (lock {} held{}): the node must be stopped for a restore; stop it first ({stop_hint}), then restore",
                visor_core::lock::program_name(),
                path.display(),
                pid.map(|p| format!(" by pid {p}")).unwrap_or_default()
            ),
            exit: Exit::Locked,
        },
        other => Failure { error: other.into(), exit: Exit::Internal },
    })?;
    let progress = Arc::new(Progress::default());
    let display = ProgressDisplay::new();
    let label = entry.id.clone();
    let shown = Arc::clone(&progress);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let reporter = std::thread::spawn(move || {
        while done_rx.recv_timeout(std::time::Duration::from_millis(500)).is_err() {
            let (done, total) = shown.read();
            display.work(&WorkProgress { what: "restoring", label: label.clone(), done, total, finished: false });
        }
        display.work(&WorkProgress { what: "restoring", label, done: 0, total: 0, finished: true });
    });
    let sources: Vec<std::path::PathBuf> = settings.sources.iter().map(|s| s.path.clone()).collect();
    let result = restore(&entry.path, &sources, &home.restore_journal(), &AtomicBool::new(false), &progress);
    let _ = done_tx.send(());
    let _ = reporter.join();
    let report: RestoreReport = result.map_err(|e| Failure { error: e.into(), exit: Exit::UpgradeFailed })?;
    let mut out = format!(
        "restored {} ({} entries, {}) in {:.1} s\n",
        entry.id,
        report.entries,
        size(report.bytes),
        report.took.as_secs_f64()
    );
    for (data, kept) in &report.restored {
        match kept {
            Some(kept) => out.push_str(&format!(
                "  {}: the data it replaced is kept at {} until the node has run on the restored data under the visor\n",
                data.display(),
                kept.display()
            )),
            None => out.push_str(&format!("  {}: restored (there was no data to replace)\n", data.display())),
        }
    }
    if let Some(m) = &entry.manifest {
        out.push_str(&format!(
            "the backup was taken before the upgrade {}{}; `current` is unchanged: start the visor to run it on this data\n",
            m.upgrade,
            m.release.as_deref().map(|r| format!(", with {r} running")).unwrap_or_default()
        ));
    }
    crate::print_out(&out);
    Ok(Exit::Clean)
}

/// The error for a face whose backups are off.
pub fn no_backups(hint: &str) -> Failure {
    Failure::config(anyhow!("backups are off for this home: {hint}"))
}
