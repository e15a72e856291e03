//! `nymvisor init <DAEMON_BINARY>`: the instance configuration, the upgrade data folder with the
//! genesis release, the plan, the current-version info and the `current` link.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use visor_core::{CurrentLink, Home, ReleaseName};

use crate::config::Config;
use crate::daemon::{build_info_blocking, field, install_binary};
use crate::env::Env;
use crate::files::{CurrentVersionInfo, Layout, UpgradeInfo, UpgradePlan, read_json, write_json};

/// The options of `init`, as given on the command line.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct InitArgs {
    /// The daemon binary this instance manages.
    pub(crate) daemon_binary: PathBuf,
    /// Instance name (default: <daemon name>-default).
    #[arg(long)]
    pub(crate) id: Option<String>,
    #[arg(long)]
    pub(crate) upstream_base_upgrade_url: Option<url::Url>,
    #[arg(long, value_parser = parse_duration)]
    pub(crate) upstream_polling_rate: Option<std::time::Duration>,
    #[arg(long)]
    pub(crate) disable_nymvisor_logs: bool,
    #[arg(long)]
    pub(crate) upgrade_data_directory: Option<PathBuf>,
    /// The daemon's home folder (or DAEMON_HOME).
    #[arg(long)]
    pub(crate) daemon_home: Option<PathBuf>,
    #[arg(long)]
    pub(crate) daemon_absolute_upstream_upgrade_url: Option<url::Url>,
    #[arg(long, value_parser = parse_bool)]
    pub(crate) allow_download_upgrade_binaries: Option<bool>,
    #[arg(long, value_parser = parse_bool)]
    pub(crate) enforce_download_checksum: Option<bool>,
    #[arg(long, value_parser = parse_bool)]
    pub(crate) restart_daemon_after_upgrade: Option<bool>,
    #[arg(long)]
    pub(crate) restart_daemon_on_failure: bool,
    #[arg(long, value_parser = parse_duration)]
    pub(crate) on_failure_daemon_restart_delay: Option<std::time::Duration>,
    #[arg(long)]
    pub(crate) max_daemon_startup_failures: Option<usize>,
    #[arg(long, value_parser = parse_duration)]
    pub(crate) startup_period_duration: Option<std::time::Duration>,
    #[arg(long, value_parser = parse_duration)]
    pub(crate) daemon_shutdown_grace_period: Option<std::time::Duration>,
    #[arg(long)]
    pub(crate) daemon_backup_data_directory: Option<PathBuf>,
    #[arg(long)]
    pub(crate) unsafe_skip_backup: bool,
}

pub(crate) fn parse_bool(text: &str) -> Result<bool, String> {
    crate::env::parse_bool(text).ok_or_else(|| format!("{text:?} is not a boolean: use true, false, 1 or 0"))
}

pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    crate::env::parse_duration(text).ok_or_else(|| format!("{text:?} is not a duration such as 10s, 2m or 1h 30m"))
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(std::path::absolute(path)?)
}

/// Builds the configuration: defaults, then the arguments, then the environment.
fn configure(args: &InitArgs, env: &Env, daemon_name: &str) -> anyhow::Result<Config> {
    let home = match (&env.daemon_home, &args.daemon_home) {
        (Some(home), _) | (None, Some(home)) => absolute(home)?,
        (None, None) => bail!("the daemon's home folder is unknown: pass --daemon-home or set DAEMON_HOME"),
    };
    let mut config = Config::new(daemon_name, home);
    let (n, d) = (&mut config.nymvisor, &mut config.daemon);
    if let Some(id) = &args.id {
        n.id.clone_from(id);
    }
    if let Some(url) = &args.upstream_base_upgrade_url {
        n.upstream_base_upgrade_url = url.clone();
    }
    if let Some(rate) = args.upstream_polling_rate {
        n.upstream_polling_rate = rate;
    }
    n.disable_logs |= args.disable_nymvisor_logs;
    if let Some(dir) = &args.upgrade_data_directory {
        n.upgrade_data_directory = Some(absolute(dir)?);
    }
    if let Some(url) = &args.daemon_absolute_upstream_upgrade_url {
        d.absolute_upstream_upgrade_url = Some(url.clone());
    }
    if let Some(v) = args.allow_download_upgrade_binaries {
        d.allow_binaries_download = v;
    }
    if let Some(v) = args.enforce_download_checksum {
        d.enforce_download_checksum = v;
    }
    if let Some(v) = args.restart_daemon_after_upgrade {
        d.restart_after_upgrade = v;
    }
    d.restart_on_failure |= args.restart_daemon_on_failure;
    if let Some(v) = args.on_failure_daemon_restart_delay {
        d.failure_restart_delay = v;
    }
    if let Some(v) = args.max_daemon_startup_failures {
        d.max_startup_failures = v;
    }
    if let Some(v) = args.startup_period_duration {
        d.startup_period_duration = v;
    }
    if let Some(v) = args.daemon_shutdown_grace_period {
        d.shutdown_grace_period = v;
    }
    if let Some(dir) = &args.daemon_backup_data_directory {
        d.backup_data_directory = Some(absolute(dir)?);
    }
    d.unsafe_skip_backup |= args.unsafe_skip_backup;
    config.apply_env(env);
    Ok(config)
}

/// Runs `init`; returns the configuration it saved.
pub(crate) fn init(args: &InitArgs, env: &Env) -> anyhow::Result<Config> {
    let binary = absolute(&args.daemon_binary)?;
    let build = build_info_blocking(&binary).map_err(anyhow::Error::msg)?;
    let name = env.daemon_name.clone().unwrap_or_else(|| field(&build, "binary_name").to_owned());
    let config = configure(args, env, &name)?;
    let config_path = match env.config_path.clone() {
        Some(path) => path,
        None => crate::config::instance_config(&config.nymvisor.id)?,
    };
    config.validate(&config_path)?;
    if config_path.exists() {
        bail!("{} already exists: this instance is initialised (remove the file to start over)", config_path.display());
    }
    let layout = Layout::new(&config)?;
    let backups = config.daemon.backup_data_directory.clone().unwrap_or_else(|| layout.daemon_nymvisor.join("backups"));
    for dir in
        [&layout.daemon_nymvisor, &backups, &layout.data.join("genesis").join("bin"), &layout.data.join("upgrades")]
    {
        visor_core::create_dir_durable(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let genesis_dir = layout.release_dir("genesis");
    let genesis_binary = layout.binary(&genesis_dir);
    if genesis_binary.exists() {
        let existing = build_info_blocking(&genesis_binary).map_err(anyhow::Error::msg)?;
        if existing != build {
            bail!(
                "{} already holds another genesis binary ({} {}); use a new upgrade data directory, or `add-upgrade` for a new version",
                genesis_binary.display(),
                field(&existing, "binary_name"),
                field(&existing, "build_version")
            );
        }
    } else {
        let info = UpgradeInfo {
            manual: true,
            name: "genesis".to_owned(),
            notes: String::new(),
            publish_date: None,
            version: field(&build, "build_version").to_owned(),
            platforms: Default::default(),
            upgrade_time: jiff::Timestamp::UNIX_EPOCH,
            binary_details: Some(build.clone()),
        };
        let plan_path = layout.plan();
        if plan_path.exists() {
            let plan: UpgradePlan = read_json(&plan_path)?;
            if plan.current.name != info.name || plan.current.version != info.version {
                bail!(
                    "{} already plans from {} {}; use a new upgrade data directory",
                    plan_path.display(),
                    plan.current.name,
                    plan.current.version
                );
            }
        } else {
            write_json(&plan_path, &UpgradePlan { current: info.clone(), queued_up: Vec::new() })?;
        }
        write_json(&layout.upgrade_info("genesis"), &info)?;
        install_binary(&binary, &genesis_binary)
            .with_context(|| format!("cannot copy the binary to {}", genesis_binary.display()))?;
    }
    // Only a new instance starts at genesis: never overwrite what an upgraded one runs.
    let home = Home::new(&layout.data);
    let genesis = ReleaseName::new("genesis").expect("a valid name");
    match home.read_current()? {
        CurrentLink::Missing => {
            write_json(
                &layout.current_version_info(),
                &CurrentVersionInfo {
                    name: "genesis".to_owned(),
                    version: field(&build, "build_version").to_owned(),
                    upgrade_time: jiff::Timestamp::now(),
                    binary_details: build.clone(),
                },
            )?;
            home.point_current(&genesis)?;
        }
        CurrentLink::Release(r) if r == genesis => {}
        other => {
            bail!("{} already points elsewhere ({other:?}); this data directory is in use", home.current().display())
        }
    }
    crate::config::save(&config, &config_path).with_context(|| format!("cannot write {}", config_path.display()))?;
    tracing::info!(config = %config_path.display(), data = %layout.data.display(), "nymvisor instance initialised");
    Ok(config)
}
