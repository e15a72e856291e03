//! The plan's rules: what an upstream announcement or `add-upgrade` does to `upgrade-plan.json`,
//! how a switch is recorded in the plan, history and current-version info, and how queued
//! upgrades become the engine's planned upgrades.
//!
//! Every read-modify-write of the plan holds `upgrade-plan.json.lock` (flock), so `add-upgrade`
//! in another process and a running `nymvisor` never lose each other's changes.

use visor_core::ReleaseName;
use visor_core::history::SwitchRecord;
use visor_core::stage::ArtifactSource;
use visor_core::{Trigger, Upgrade};

use crate::config::Config;
use crate::files::{
    BuildInfo, CurrentVersionInfo, HistoryEntry, Layout, UpgradeHistory, UpgradeInfo, UpgradePlan, check_name,
    read_json, write_json,
};

/// Runs `change` on the plan under the plan lock, saving it when `change` says so.
pub(crate) fn with_plan<R>(
    layout: &Layout,
    change: impl FnOnce(&mut UpgradePlan) -> Result<(R, bool), String>,
) -> Result<R, String> {
    // Never wait forever (a suspended `add-upgrade` holding it would hold up a switch).
    let _lock = visor_core::lock::HomeLock::acquire_within(&layout.plan_lock(), std::time::Duration::from_secs(10))
        .map_err(|e| match e {
            visor_core::lock::LockError::Held { path, pid } => format!(
                "{} stayed locked for 10 s by another nymvisor{}; try again once it is done",
                path.display(),
                pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
            ),
            other => other.to_string(),
        })?;
    let path = layout.plan();
    let mut plan: UpgradePlan = read_json(&path).map_err(|e| e.to_string())?;
    let (result, save) = change(&mut plan)?;
    if save {
        write_json(&path, &plan).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(result)
}

/// Whether `candidate` is a newer version than `current` (semantic versions, a leading `v`
/// ignored).
pub(crate) fn is_newer(candidate: &str, current: &str) -> Result<bool, String> {
    Ok(compare(candidate, current)?.is_gt())
}

/// How version `a` compares with version `b` (semantic versions, a leading `v` ignored).
pub(crate) fn compare(a: &str, b: &str) -> Result<std::cmp::Ordering, String> {
    let parse = |v: &str| {
        semver::Version::parse(v.trim().trim_start_matches('v'))
            .map_err(|e| format!("version {v:?} is not a semantic version: {e}"))
    };
    Ok(parse(a)?.cmp(&parse(b)?))
}

/// Why a queued upgrade of `version` is not performed once `running` (of upgrade `by`) runs;
/// `None` when it still is (newer, or versions that do not compare).
pub(crate) fn superseded(version: &str, running: &str, by: &str) -> Option<String> {
    match compare(version, running).ok()? {
        std::cmp::Ordering::Greater => None,
        std::cmp::Ordering::Equal => {
            Some(format!("its version {version} is the version upgrade {by} switched to, which runs now"))
        }
        std::cmp::Ordering::Less => Some(format!(
            "its version {version} is older than {running}, which upgrade {by} switched to and which runs now \
             (superseded: it would be a downgrade)"
        )),
    }
}

/// The queued upgrades of `plan` to an older version than the one that runs, each with what
/// becomes of it: performed at its time as queued (a downgrade is an operator's to ask for), or
/// dropped when a newer upgrade queued before it switches.
pub(crate) fn downgrades(plan: &UpgradePlan) -> Vec<(UpgradeInfo, String)> {
    let running = &plan.current.version;
    let older = |q: &&UpgradeInfo| compare(&q.version, running).is_ok_and(|o| o.is_lt());
    plan.queued_up
        .iter()
        .filter(older)
        .map(|q| {
            let before = plan.queued_up.iter().find(|b| {
                b.name != q.name
                    && b.upgrade_time <= q.upgrade_time
                    && compare(&b.version, &q.version).is_ok_and(|o| o.is_ge())
            });
            let fate = match before {
                Some(b) => format!(
                    "once upgrade {} ({}, due {:.0}) runs, it will be dropped, not performed",
                    b.name, b.version, b.upgrade_time
                ),
                None => format!("it will be performed at {:.0} as queued", q.upgrade_time),
            };
            let said = format!(
                "upgrade {} ({}) is a downgrade: {running} runs now; {fate} (an older daemon may not read data a \
                 newer one wrote)",
                q.name, q.version
            );
            (q.clone(), said)
        })
        .collect()
}

/// What to do about the queued downgrade `name`.
pub(crate) fn downgrade_fix(name: &str) -> String {
    format!(
        "if it is not meant, cancel it: `nymvisor plan cancel {name}`; if it is, keep the backup taken before it \
         (the way back)"
    )
}

fn history(layout: &Layout) -> Result<UpgradeHistory, String> {
    let path = layout.history();
    if path.exists() { read_json(&path).map_err(|e| e.to_string()) } else { Ok(UpgradeHistory::default()) }
}

/// What an upstream announcement does. Only a version newer than the current one and never
/// performed is queued; the upstream may move a queued upgrade by changing its time. Returns
/// what was done (empty when nothing changed).
pub(crate) fn announce(layout: &Layout, info: UpgradeInfo) -> Result<String, String> {
    check_name(&info.name).map_err(|e| format!("upgrade name refused: {e}"))?;
    if info.name == "genesis" {
        return Err("upgrade name refused: `genesis` names the binary `nymvisor init` installed".to_owned());
    }
    let performed = history(layout)?;
    if performed.history.iter().any(|h| h.info.name == info.name) {
        tracing::debug!(name = info.name, "announced name was already performed");
        return Ok(String::new());
    }
    with_plan(layout, |plan| {
        if crate::plan_cmd::was_cancelled(plan, &info) {
            tracing::debug!(name = info.name, "announced upgrade was cancelled (`plan cancel`), not queued again");
            return Ok((String::new(), false));
        }
        if plan.current.name == info.name {
            return Err(format!("upgrade name refused: {:?} is the upgrade running now", info.name));
        }
        if layout.binary(&layout.release_dir(&info.name)).exists()
            && !plan.queued_up.iter().any(|q| q.name == info.name && q.version == info.version)
        {
            return Err(format!("upgrade name refused: {:?} already holds a binary of another upgrade", info.name));
        }
        if !is_newer(&info.version, &plan.current.version)? {
            tracing::debug!(version = info.version, current = plan.current.version, "announced version is not newer");
            return Ok((String::new(), false));
        }
        if performed.history.iter().any(|h| h.info.version == info.version) {
            tracing::debug!(version = info.version, "announced version was already performed");
            return Ok((String::new(), false));
        }
        if let Some(queued) = plan.queued_up.iter_mut().find(|q| q.version == info.version) {
            if queued.name == info.name && queued.upgrade_time != info.upgrade_time {
                let before = queued.upgrade_time;
                queued.upgrade_time = info.upgrade_time;
                let mut file: UpgradeInfo = queued.clone();
                file.upgrade_time = info.upgrade_time;
                write_json(&layout.upgrade_info(&info.name), &file).map_err(|e| e.to_string())?;
                plan.queued_up.sort_by_key(|q| q.upgrade_time);
                return Ok((
                    format!(
                        "upgrade {} ({}) rescheduled from {before} to {}",
                        info.name, info.version, info.upgrade_time
                    ),
                    true,
                ));
            }
            return Ok((String::new(), false));
        }
        write_json(&layout.upgrade_info(&info.name), &info).map_err(|e| e.to_string())?;
        let what = format!("upgrade {} ({}) queued for {}", info.name, info.version, info.upgrade_time);
        plan.insert(info);
        Ok((what, true))
    })
}

/// The queue as the engine's planned upgrades.
pub(crate) fn planned(layout: &Layout, config: &Config) -> Result<Vec<Upgrade>, String> {
    let path = layout.plan();
    if !path.exists() {
        return Ok(Vec::new());
    }
    let plan: UpgradePlan = read_json(&path).map_err(|e| e.to_string())?;
    let mut planned = Vec::new();
    for info in plan.queued_up {
        if let Err(e) = check_name(&info.name) {
            tracing::error!(name = info.name, "a queued upgrade is ignored: {e}");
            continue;
        }
        let release = ReleaseName::new(&layout.release(&info.name)).map_err(|e| e.to_string())?;
        let checksum = info.download().ok().and_then(|d| d.checksum().ok().flatten());
        planned.push(Upgrade {
            name: info.name.clone(),
            version: info.version.clone(),
            release: Some(release),
            trigger: Trigger::At(info.upgrade_time),
            manual: info.manual,
            artifact: Some(artifact(&info, config)),
            identity: info.binary_details.clone(),
            checksum,
        });
    }
    Ok(planned)
}

fn artifact(info: &UpgradeInfo, config: &Config) -> Result<ArtifactSource, String> {
    if !config.daemon.allow_binaries_download {
        return Err("downloads are off (DAEMON_ALLOW_BINARIES_DOWNLOAD=false)".to_owned());
    }
    let download = info.download()?;
    let checksum = download.checksum()?;
    if checksum.is_none() && config.daemon.enforce_download_checksum {
        return Err(format!(
            "upgrade {} publishes no checksum for its download, and DAEMON_ENFORCE_DOWNLOAD_CHECKSUM requires one",
            info.name
        ));
    }
    Ok(ArtifactSource::Url { url: download.url.clone(), checksum })
}

/// The upgrade name of a release folder (`genesis` or `upgrades/<name>`).
pub(crate) fn upgrade_name(release: &ReleaseName) -> String {
    release.as_str().strip_prefix("upgrades/").unwrap_or(release.as_str()).to_owned()
}

/// Records a switch in the plan, the history and the current-version info; idempotent (the
/// history entry carries the switch's id).
pub(crate) fn record_switch(layout: &Layout, record: &SwitchRecord, build: &BuildInfo) -> Result<(), String> {
    let name = upgrade_name(&record.to);
    let info: UpgradeInfo = read_json(&layout.upgrade_info(&name)).map_err(|e| e.to_string())?;
    with_plan(layout, |plan| {
        let before = plan.clone();
        plan.current = info.clone();
        plan.queued_up.retain(|q| q.name != info.name);
        if !record.rollback {
            // What is not newer than the release now running would be a downgrade: dropped,
            // and said (with the reason kept in the plan's `dropped` list).
            for queued in std::mem::take(&mut plan.queued_up) {
                match superseded(&queued.version, &info.version, &info.name) {
                    None => plan.queued_up.push(queued),
                    Some(reason) => {
                        tracing::warn!(
                            name = %queued.name,
                            version = %queued.version,
                            upgrade_time = %queued.upgrade_time,
                            "queued upgrade dropped, not performed: {reason}"
                        );
                        plan.record_dropped(queued, reason);
                    }
                }
            }
        }
        let changed = *plan != before;
        Ok(((), changed))
    })?;
    let mut performed = history(layout)?;
    if !performed.history.iter().any(|h| h.switch_id.as_deref() == Some(&record.id)) {
        performed.history.push(HistoryEntry {
            performed_at: jiff::Timestamp::now(),
            info: info.clone(),
            rolled_back_from: record.rollback.then(|| record.from.as_ref().map(upgrade_name).unwrap_or_default()),
            switch_id: Some(record.id.clone()),
        });
        write_json(&layout.history(), &performed).map_err(|e| e.to_string())?;
    }
    let current = CurrentVersionInfo {
        name: info.name,
        version: info.version,
        upgrade_time: jiff::Timestamp::now(),
        binary_details: build.clone(),
    };
    write_json(&layout.current_version_info(), &current).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_not_newer_than_the_running_version_is_superseded() {
        assert_eq!(superseded("1.3.0", "1.2.0", "v1.2.0"), None);
        let why = superseded("1.1.1", "1.2.0", "v1.2.0").unwrap();
        assert!(why.contains("1.1.1") && why.contains("older than 1.2.0") && why.contains("v1.2.0"), "{why}");
        let why = superseded("1.2.0", "v1.2.0", "patch").unwrap();
        assert!(why.contains("is the version upgrade patch switched to"), "{why}");
        assert_eq!(superseded("2024.13", "1.2.0", "x"), None, "versions that do not compare are kept");
    }

    #[test]
    fn versions_compare_semantically() {
        assert!(is_newer("1.10.0", "1.9.3").unwrap());
        assert!(!is_newer("1.9.3", "1.9.3").unwrap());
        assert!(!is_newer("1.2.0", "1.9.3").unwrap());
        assert!(is_newer("v2.0.0", "1.9.3").unwrap());
        assert!(is_newer("2024.13", "1.0.0").is_err());
    }
}
