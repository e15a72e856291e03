//! `nymvisor add-upgrade <BINARY> --upgrade-name NAME`: queue an upgrade by hand, or attach a
//! binary to a queued one. A running `nymvisor` sees the plan change within a second.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::config::Config;
use crate::daemon::{build_info_blocking, field, install_binary};
use crate::files::{Layout, UpgradeInfo, check_name, read_json, write_json};

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
    /// When to upgrade (RFC 3339).
    #[arg(long, group = "when")]
    pub(crate) upgrade_time: Option<jiff::Timestamp>,
    /// How long from now to upgrade (e.g. 10m).
    #[arg(long, group = "when", value_parser = crate::init::parse_duration)]
    pub(crate) upgrade_delay: Option<Duration>,
    /// The publish date to record (RFC 3339; default now).
    #[arg(long)]
    pub(crate) publish_date: Option<jiff::Timestamp>,
    #[arg(short, long, value_enum, default_value_t = crate::Output::Text)]
    pub(crate) output: crate::Output,
}

const DEFAULT_DELAY: Duration = Duration::from_secs(15 * 60);

pub(crate) fn add_upgrade(args: &AddUpgradeArgs, config: &Config) -> anyhow::Result<UpgradeInfo> {
    check_name(&args.upgrade_name).map_err(|e| anyhow::anyhow!("--upgrade-name refused: {e}"))?;
    if args.upgrade_name == "genesis" {
        bail!("--upgrade-name refused: `genesis` is the first release");
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
    let plan: crate::files::UpgradePlan = read_json(&layout.plan())?;
    if plan.current.name == args.upgrade_name {
        bail!("upgrade {} is the current release; choose another --upgrade-name", args.upgrade_name);
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
                    "--upgrade-delay {delay:?} is too far in the future; give a delay of at most a few years"
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
        crate::plan::with_plan(&layout, move |plan| {
            plan.insert(queued);
            Ok(((), true))
        })
        .map_err(anyhow::Error::msg)?;
    }
    Ok(info)
}
