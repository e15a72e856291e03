//! `nymvisor add-upgrade <BINARY> --upgrade-name NAME`: queue an upgrade by hand, or attach a
//! binary to a queued one. A running `nymvisor` sees the plan change within a second.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::config::Config;
use crate::daemon::{build_info_blocking, field, install_binary};
use crate::files::{Layout, UpgradeInfo, UpgradePlan, check_name, read_json, write_json};

#[derive(Debug, clap::Args)]
pub(crate) struct AddUpgradeArgs {
    /// The upgrade's binary.
    pub(crate) daemon_binary: PathBuf,
    /// The upgrade's name (a folder name: no `/`, no `..`).
    #[arg(long)]
    pub(crate) upgrade_name: String,
    /// Overwrite an existing binary or upgrade-info.json.
    #[arg(long)]
    pub(crate) force: bool,
    /// Only attach the binary to an upgrade already queued.
    #[arg(long, conflicts_with_all = ["now", "upgrade_time", "upgrade_delay", "publish_date"])]
    pub(crate) add_binary: bool,
    /// Upgrade right away (within a second of a running nymvisor noticing).
    #[arg(long, group = "when")]
    pub(crate) now: bool,
    /// When to upgrade: an RFC 3339 time with its offset, e.g. 2026-12-08T12:00:00Z
    /// (default: 15 minutes from now).
    #[arg(long, group = "when", value_name = "TIME", value_parser = parse_upgrade_time)]
    pub(crate) upgrade_time: Option<jiff::Timestamp>,
    /// How long from now to upgrade, e.g. 10m or 2h 30m.
    #[arg(long, group = "when", value_name = "DURATION", value_parser = crate::init::parse_duration)]
    pub(crate) upgrade_delay: Option<Duration>,
    /// The publish date to record: an RFC 3339 time, e.g. 2026-12-01T09:00:00Z (default: now).
    #[arg(long, value_name = "TIME", value_parser = parse_publish_date)]
    pub(crate) publish_date: Option<jiff::Timestamp>,
    /// Output format of the upgrade added.
    #[arg(short, long, value_enum, default_value_t = crate::Output::Text)]
    pub(crate) output: crate::Output,
}

const DEFAULT_DELAY: Duration = Duration::from_secs(15 * 60);

/// An RFC 3339 time (as Nymvisor reads it), with the accepted forms in the error.
fn parse_time(text: &str, relative: &str) -> Result<jiff::Timestamp, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "not a time: give an RFC 3339 time with its offset, such as 2026-12-08T12:00:00Z (UTC) or \
             2026-12-08T14:00:00+02:00{relative}"
        )
    })
}

fn parse_upgrade_time(text: &str) -> Result<jiff::Timestamp, String> {
    parse_time(text, "; for a time from now, use --upgrade-delay (e.g. --upgrade-delay 24h) or --now instead")
}

fn parse_publish_date(text: &str) -> Result<jiff::Timestamp, String> {
    parse_time(text, "")
}

/// What becomes of the new `info` in `plan` (which already holds it), said when it is not
/// simply performed at its time: a downgrade, dropped at an earlier switch, or the cause of
/// queued upgrades being dropped at its own.
fn fate(plan: &UpgradePlan, info: &UpgradeInfo) -> Vec<String> {
    let (name, version, time) = (&info.name, &info.version, info.upgrade_time);
    let others = || plan.queued_up.iter().filter(|q| q.name != *name);
    let mut said = Vec::new();
    // Queued behind it (the queue keeps the order of equal times: it went last) and not newer:
    // dropped when it switches.
    for q in others().filter(|q| q.upgrade_time > time) {
        if crate::plan::compare(&q.version, version).is_ok_and(|o| o.is_le()) {
            said.push(format!(
                "upgrade {} ({}, due {:.0}) is queued after upgrade {name} ({version}) and is not newer: once \
                 {version} runs, {} will be dropped, not performed",
                q.name, q.version, q.upgrade_time, q.name
            ));
        }
    }
    // A newer (or the same) version switched to before it makes it a downgrade by then.
    let before = others()
        .filter(|q| q.upgrade_time <= time)
        .find(|q| crate::plan::compare(&q.version, version).is_ok_and(|o| o.is_ge()));
    if let Some(q) = before {
        said.push(format!(
            "upgrade {name} ({version}) is queued after upgrade {} ({}, due {:.0}): once {} runs, {version} is not \
             newer, so {name} will be dropped then, not performed; give it an earlier --upgrade-time, or remove \
             upgrade {} from the queue",
            q.name, q.version, q.upgrade_time, q.version, q.name
        ));
        return said;
    }
    let running = &plan.current.version;
    match crate::plan::compare(version, running) {
        Ok(std::cmp::Ordering::Equal) => said.push(format!(
            "upgrade {name} ({version}) is the version that runs now; at {time:.0} its binary will replace the running \
             one (same version)"
        )),
        Ok(std::cmp::Ordering::Less) => said.push(format!(
            "upgrade {name} ({version}) is a downgrade: {running} runs now; it will be performed at {time:.0} as asked \
             (an older daemon may not read data a newer one wrote; the backup taken before it is the way back)"
        )),
        Ok(std::cmp::Ordering::Greater) | Err(_) => {}
    }
    said
}

/// How to put in place the missing binary of the queued upgrade `info`: `--add-binary` attaches
/// it to the upgrade-info.json its folder holds; without that file (`--add-binary` refuses
/// then), the upgrade is queued again with the same time.
pub(crate) fn how_to_provide(layout: &Layout, info: &UpgradeInfo) -> String {
    let target = layout.binary(&layout.release_dir(&info.name));
    if layout.upgrade_info(&info.name).is_file() {
        format!(
            "provide the {} binary of version {}: `nymvisor add-upgrade <binary> --upgrade-name {} --add-binary` (or \
             copy it to {})",
            layout.daemon,
            info.version,
            info.name,
            target.display()
        )
    } else {
        how_to_queue(&info.name, &info.version, Some(info.upgrade_time))
    }
}

/// How to queue the upgrade `name` again with its binary (of `version`), due `at` as before:
/// for an upgrade whose folder lost its upgrade-info.json (`--force` replaces what is left).
pub(crate) fn how_to_queue(name: &str, version: &str, at: Option<jiff::Timestamp>) -> String {
    let time = at.map(|at| format!(" --upgrade-time {at:.0}")).unwrap_or_default();
    format!(
        "its folder holds no upgrade-info.json, so queue it again with the binary of version {version}: \
         `nymvisor add-upgrade <binary> --upgrade-name {name}{time} --force`"
    )
}

pub(crate) fn add_upgrade(args: &AddUpgradeArgs, config: &Config) -> anyhow::Result<UpgradeInfo> {
    check_name(&args.upgrade_name).map_err(|e| anyhow::anyhow!("--upgrade-name refused: {e}"))?;
    if args.upgrade_name == "genesis" {
        bail!("--upgrade-name refused: `genesis` names the binary `nymvisor init` installed; choose another name");
    }
    let source = std::path::absolute(&args.daemon_binary)?;
    if !source.is_file() {
        bail!("{} is not a file", source.display());
    }
    let build = build_info_blocking(&source).map_err(anyhow::Error::msg)?;
    if field(&build, "binary_name") != config.daemon.name {
        bail!(
            "{} is a {} binary, but this instance manages {}; give the {} binary",
            source.display(),
            field(&build, "binary_name"),
            config.daemon.name,
            config.daemon.name
        );
    }
    let layout = Layout::new(config)?;
    let plan: UpgradePlan = read_json(&layout.plan())?;
    if plan.current.name == args.upgrade_name {
        bail!("upgrade {} is the upgrade running now; choose another --upgrade-name", args.upgrade_name);
    }
    let dir = layout.release_dir(&args.upgrade_name);
    let target = layout.binary(&dir);
    if target.exists() && !args.force {
        bail!("{} already exists; use --force to replace it", target.display());
    }
    let info_path = layout.upgrade_info(&args.upgrade_name);
    let info = if args.add_binary {
        let info: UpgradeInfo = read_json(&info_path).context("--add-binary needs the upgrade's upgrade-info.json")?;
        if field(&build, "build_version") != info.version {
            bail!(
                "{} is version {}, but upgrade {} is {}",
                source.display(),
                field(&build, "build_version"),
                info.name,
                info.version
            );
        }
        if info.binary_details.as_ref().is_some_and(|expected| *expected != build) {
            bail!("{} is not the build upgrade {} describes (binaryDetails differ)", source.display(), info.name);
        }
        if let Some(expected) = info.download().ok().and_then(|d| d.checksum().ok().flatten()) {
            let actual = visor_core::stage::hash_file(&source, expected.algorithm)?;
            if actual != expected {
                bail!("{} has checksum {actual}, but upgrade {} publishes {expected}", source.display(), info.name);
            }
        }
        info
    } else {
        if info_path.exists() && !args.force {
            bail!("{} already exists; use --force to replace it", info_path.display());
        }
        let now = jiff::Timestamp::now();
        let upgrade_time = if args.now {
            now
        } else if let Some(time) = args.upgrade_time {
            time
        } else {
            let delay = args.upgrade_delay.unwrap_or(DEFAULT_DELAY);
            jiff::SignedDuration::try_from(delay).ok().and_then(|d| now.checked_add(d).ok()).ok_or_else(|| {
                anyhow::anyhow!(
                    "--upgrade-delay {} is too far in the future; give a delay of at most a few years",
                    humantime::format_duration(delay)
                )
            })?
        };
        UpgradeInfo {
            manual: false,
            name: args.upgrade_name.clone(),
            notes: "manually added via 'add-upgrade' command".to_owned(),
            publish_date: Some(args.publish_date.unwrap_or(now)),
            version: field(&build, "build_version").to_owned(),
            platforms: Default::default(),
            upgrade_time,
            binary_details: Some(build.clone()),
        }
    };
    // The binary first: once the plan names the upgrade, a running nymvisor may start it.
    install_binary(&source, &target).with_context(|| format!("cannot copy the binary to {}", target.display()))?;
    // The copy says what its source said: a running nymvisor need not run it again to know.
    visor_core::Memory::in_state_dir(&visor_core::Home::new(&layout.data).state_dir())
        .remember_build_info(&target, build);
    if !args.add_binary {
        write_json(&info_path, &info)?;
        let queued = info.clone();
        let fate = crate::plan::with_plan(&layout, move |plan| {
            plan.insert(queued.clone());
            Ok((fate(plan, &queued), true))
        })
        .map_err(anyhow::Error::msg)?;
        for warning in fate {
            tracing::warn!("{warning}");
        }
    }
    Ok(info)
}
