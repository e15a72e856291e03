//! `nymvisor plan`: the release that runs and the queued upgrades of `upgrade-plan.json`, each
//! due at a time, with whether its binary is in place, being staged, or will be downloaded; and
//! `plan cancel <name>`, which takes one out of the queue.
//!
//! A cancel rewrites the plan under the plan lock, atomically, as `add-upgrade` and the running
//! nymvisor do; the running nymvisor watches the file and drops the upgrade. The cancelled
//! upgrade goes to the plan's `dropped` list (ours; Nymvisor ignores it), so the upstream
//! announcing the same upgrade again does not queue it again; `add-upgrade` still can, as an
//! operator's explicit act.

use facekit::plan::{
    CurrentRelease, Live, PlanArgs, PlanCommand, PlanReport, PlannedUpgrade, ReleaseState, TriggerView,
};
use facekit::{Failure, Output};
use visor_core::{Exit, Home};

use crate::config::Config;
use crate::files::{Layout, UpgradeInfo, UpgradePlan, read_json};

/// `nymvisor plan [list|cancel NAME] [-o json]`.
pub(crate) fn command(args: &PlanArgs, log: &facekit::LogOptions) -> Result<Exit, Failure> {
    let (_, config, _) = crate::load_config(log)?;
    let layout = Layout::new(&config).map_err(Failure::config)?;
    match &args.command {
        None | Some(PlanCommand::List) => report(&layout, &config)?.show(args.output),
        Some(PlanCommand::Cancel { name }) => cancel(&layout, &config, name, args.output),
    }
}

fn read_plan(layout: &Layout) -> Result<UpgradePlan, Failure> {
    if crate::files::is_missing(&layout.plan()) {
        return Err(Failure::config(anyhow::anyhow!(
            "{} is missing: run `nymvisor init` for this daemon first",
            layout.plan().display()
        )));
    }
    read_json(&layout.plan()).map_err(Failure::config)
}

/// Where a queued upgrade came from, as its notes say (`add-upgrade` writes its own).
fn source_of(info: Option<&UpgradeInfo>) -> String {
    match info {
        Some(i) if i.notes.starts_with("manually added") => "upgrade-plan.json (queued by add-upgrade)".to_owned(),
        _ => "upgrade-plan.json (announced by the upstream)".to_owned(),
    }
}

fn report(layout: &Layout, config: &Config) -> Result<PlanReport, Failure> {
    let home = Home::new(&layout.data);
    let live = Live::read(&home);
    let plan = read_plan(layout)?;
    let current = facekit::plan::current_release(&home, &live)
        .map(|release| CurrentRelease { release, version: Some(plan.current.version.clone()) });
    let planned = crate::plan::planned(layout, config).map_err(|e| Failure::config(anyhow::Error::msg(e)))?;
    let mut upgrades = Vec::new();
    for upgrade in planned {
        let dir = layout.release_dir(&upgrade.name);
        let binary = layout.binary(&dir);
        let ready = binary.is_file();
        let queued = plan.queued_up.iter().find(|q| q.name == upgrade.name);
        let download = match &upgrade.artifact {
            Some(Err(why)) => {
                let how = match read_json::<UpgradeInfo>(&layout.upgrade_info(&upgrade.name)) {
                    Ok(info) => crate::add_upgrade::how_to_provide(layout, &info),
                    Err(_) => crate::add_upgrade::how_to_queue(&upgrade.name, &upgrade.version, upgrade.trigger.at()),
                };
                Err(format!("{why}; {how}"))
            }
            _ => Ok(()),
        };
        let (release_state, mut release_detail) = live.release_state(&upgrade.version, ready, download);
        if release_state == ReleaseState::Present && !is_executable(&binary) {
            // Looked at, never run: nymvisor gives it its execute bits when it switches to it.
            release_detail = Some(format!(
                "but its binary {} is not executable: nymvisor makes it executable when it switches to it (or \
                 `chmod +x {}` now)",
                binary.display(),
                binary.display()
            ));
        }
        upgrades.push(PlannedUpgrade {
            source: source_of(queued),
            name: upgrade.name.clone(),
            version: upgrade.version.clone(),
            release: upgrade.release.as_ref().map(ToString::to_string),
            trigger: TriggerView::from_now(&upgrade.trigger, live.chain_height()),
            release_state,
            release_detail,
            cancellable: true,
        });
    }
    let mut report = PlanReport::new(&home, &live, current, upgrades);
    // The newest few that left the queue unperformed: what an operator may look for here.
    for dropped in plan.dropped.iter().rev().take(3) {
        report.notes.push(format!(
            "not performed: {} (version {}), {} at {:.0}",
            dropped.info.name, dropped.info.version, dropped.reason, dropped.dropped_at
        ));
    }
    for (queued, said) in crate::plan::downgrades(&plan) {
        report.notes.push(format!("{said}; {}", crate::plan::downgrade_fix(&queued.name)));
    }
    report.notes.push(format!(
        "while `nymvisor run` runs, {} is polled every {} for new upgrades; `add-upgrade` queues one by hand",
        config.upstream_url(),
        humantime::format_duration(config.nymvisor.upstream_polling_rate)
    ));
    Ok(report)
}

/// Whether `binary` has an execute bit (looked at, not run).
fn is_executable(binary: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(binary).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// Run-loop states in which a due upgrade is being carried out: too late to cancel it.
const APPLYING: [&str; 3] = ["stopping", "backing-up", "switching"];

fn cancel(layout: &Layout, config: &Config, name: &str, output: Output) -> Result<Exit, Failure> {
    let report = report(layout, config)?;
    let upgrade = report.find(name)?.clone();
    let live = Live::read(&Home::new(&layout.data));
    let due = match upgrade.trigger {
        TriggerView::Time { seconds_left, .. } => seconds_left <= 0,
        _ => true,
    };
    if let Some(status) = live.status.as_ref().filter(|s| due && APPLYING.contains(&s.state.as_str()))
        && status.pending.as_ref().is_some_and(|p| p.name.as_deref() == Some(name))
    {
        return Err(facekit::plan::refuse_cancel(format!(
            "upgrade {name} is being applied now (the running nymvisor is {}); too late to cancel it: once it is \
             done, `nymvisor status` shows the result",
            status.state
        )));
    }
    // The running nymvisor holds the upgrade lock from the moment it commits to an upgrade until
    // `current` has moved, and reads the plan again once it holds it: whoever takes the lock
    // first wins, and the other is told.
    let lock_file = layout.upgrade_lock();
    // Nymvisor's `upgrade.lock` exists only during an upgrade: one made here goes again.
    let made_lock = !lock_file.exists();
    let upgrade_lock = visor_core::lock::HomeLock::acquire(&lock_file).map_err(|e| match e {
        visor_core::lock::LockError::Held { .. } => facekit::plan::refuse_cancel(format!(
            "upgrade {name} cannot be cancelled now: the running nymvisor is carrying out an upgrade (it holds {}); \
             once it is done, `nymvisor plan` shows what is left",
            layout.upgrade_lock().display()
        )),
        other => Failure { error: anyhow::anyhow!(other), exit: Exit::Internal },
    })?;
    let result = cancel_locked(layout, name, &upgrade, output);
    if made_lock {
        let _ = std::fs::remove_file(&lock_file);
    }
    drop(upgrade_lock);
    result
}

/// The cancel, with the upgrade lock held.
fn cancel_locked(layout: &Layout, name: &str, upgrade: &PlannedUpgrade, output: Output) -> Result<Exit, Failure> {
    if let Ok(visor_core::CurrentLink::Release(current)) = Home::new(&layout.data).read_current()
        && layout.data.join(current.to_string()) == layout.release_dir(name)
    {
        return Err(facekit::plan::refuse_cancel(format!(
            "upgrade {name} is done already: `current` names its folder; see `nymvisor status`"
        )));
    }
    let removed = crate::plan::with_plan(layout, |plan| {
        let Some(at) = plan.queued_up.iter().position(|q| q.name == name) else {
            return Err(format!("upgrade {name} left the queue meanwhile (applied or cancelled); see `nymvisor plan`"));
        };
        let removed = plan.queued_up.remove(at);
        // A name queued twice (a hand edit) leaves with the first.
        plan.queued_up.retain(|q| q.name != name);
        // In the same write, so an upstream poll cannot queue it again in between.
        plan.record_dropped(removed.clone(), "cancelled with `nymvisor plan cancel`".to_owned());
        Ok((removed, true))
    })
    .map_err(|e| Failure::config(anyhow::anyhow!(e)))?;
    tracing::info!(name = removed.name, version = removed.version, "upgrade cancelled");
    let what_now = format!(
        "a running nymvisor drops it from its plan; the upstream announcing it again does not queue it again. Its \
         folder {} is kept: remove it by hand, or queue the upgrade again with `nymvisor add-upgrade <binary> \
         --upgrade-name {name} --force`",
        layout.release_dir(name).display()
    );
    facekit::plan::show_cancelled(upgrade, &what_now, output)
}

/// Whether the upgrade `info` names (same name and version) left `plan`'s queue unperformed
/// (cancelled, or superseded): an upstream announcing it again does not queue it again.
pub(crate) fn was_cancelled(plan: &UpgradePlan, info: &UpgradeInfo) -> bool {
    plan.dropped.iter().any(|d| d.info.name == info.name && d.info.version == info.version)
}
