//! `nymvisor init <DAEMON_BINARY>`: the instance configuration, the upgrade data folder with the
//! genesis release, the plan, the current-version info and the `current` link.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use visor_core::{CurrentLink, Home, ReleaseName};

use crate::config::Config;
use crate::daemon::{build_info_blocking, field, install_binary};
use crate::env::Env;
use crate::files::{CurrentVersionInfo, Layout, UpgradeInfo, UpgradePlan, read_json, write_json};

/// The options of `init`, as given on the command line. The environment variable named with
/// each option overrides it.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct InitArgs {
    /// The daemon binary this instance manages (asked for its build information, copied to
    /// genesis/bin/<daemon name>).
    pub(crate) daemon_binary: PathBuf,
    /// Name of this instance [default: <daemon name>-default] (NYMVISOR_ID).
    #[arg(long)]
    pub(crate) id: Option<String>,
    /// Base of the upstream that announces upgrades: <base>/<daemon name>/upgrade-info.json
    /// [default: https://nymtech.net/.wellknown/] (NYMVISOR_UPSTREAM_BASE_UPGRADE_URL).
    #[arg(long, value_name = "URL")]
    pub(crate) upstream_base_upgrade_url: Option<url::Url>,
    /// How often the upstream is asked, e.g. 1h or 30m [default: 1h]
    /// (NYMVISOR_UPSTREAM_POLLING_RATE).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) upstream_polling_rate: Option<std::time::Duration>,
    /// Turn nymvisor's own logs off; the daemon's output is unaffected (NYMVISOR_DISABLE_LOGS).
    #[arg(long)]
    pub(crate) disable_nymvisor_logs: bool,
    /// Folder for the upgrade data (binaries, plan, history); the daemon's own folder is made
    /// inside it [default: ~/.nym/nymvisors/data] (NYMVISOR_UPGRADE_DATA_DIRECTORY).
    #[arg(long, value_name = "DIR")]
    pub(crate) upgrade_data_directory: Option<PathBuf>,
    /// The daemon's home folder, backed up before each upgrade; required unless DAEMON_HOME is
    /// set. Created (and said so) if it does not exist.
    #[arg(long, value_name = "DIR")]
    pub(crate) daemon_home: Option<PathBuf>,
    /// A full upstream address, used instead of the base above
    /// (DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL).
    #[arg(long, value_name = "URL")]
    pub(crate) daemon_absolute_upstream_upgrade_url: Option<url::Url>,
    /// Download the binaries of announced upgrades, ahead of their time [default: true]
    /// (DAEMON_ALLOW_BINARIES_DOWNLOAD).
    #[arg(long, value_name = "true|false", value_parser = parse_bool)]
    pub(crate) allow_download_upgrade_binaries: Option<bool>,
    /// Refuse to download a binary whose upgrade publishes no checksum [default: true]
    /// (DAEMON_ENFORCE_DOWNLOAD_CHECKSUM).
    #[arg(long, value_name = "true|false", value_parser = parse_bool)]
    pub(crate) enforce_download_checksum: Option<bool>,
    /// Start the new binary after an upgrade; false: nymvisor exits after the switch
    /// [default: true] (DAEMON_RESTART_AFTER_UPGRADE).
    #[arg(long, value_name = "true|false", value_parser = parse_bool)]
    pub(crate) restart_daemon_after_upgrade: Option<bool>,
    /// Restart the daemon when it stops unexpectedly (on by default here; the flag is kept for
    /// Nymvisor's command lines) (DAEMON_RESTART_ON_FAILURE).
    #[arg(long)]
    pub(crate) restart_daemon_on_failure: bool,
    /// Wait this long before such a restart, e.g. 10s [default: 10s]
    /// (DAEMON_FAILURE_RESTART_DELAY).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) on_failure_daemon_restart_delay: Option<std::time::Duration>,
    /// Failures within the startup period after which nymvisor gives up (right after an
    /// upgrade: rolls back to the previous binary) [default: 10] (DAEMON_MAX_STARTUP_FAILURES).
    #[arg(long, value_name = "N")]
    pub(crate) max_daemon_startup_failures: Option<usize>,
    /// How long after a start a failure counts towards that limit [default: 2m]
    /// (DAEMON_STARTUP_PERIOD_DURATION).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) startup_period_duration: Option<std::time::Duration>,
    /// Time the daemon gets to stop after SIGINT before SIGKILL [default: 10s]
    /// (DAEMON_SHUTDOWN_GRACE_PERIOD).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub(crate) daemon_shutdown_grace_period: Option<std::time::Duration>,
    /// Folder for the backups taken before upgrades [default: <daemon home>/nymvisor/backups]
    /// (DAEMON_BACKUP_DATA_DIRECTORY).
    #[arg(long, value_name = "DIR")]
    pub(crate) daemon_backup_data_directory: Option<PathBuf>,
    /// Upgrade without backing up the daemon's home first (DAEMON_UNSAFE_SKIP_BACKUP).
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

/// What `init` made, for the operator.
pub(crate) struct Initialised {
    pub(crate) config: Config,
    config_path: PathBuf,
    layout: Layout,
    version: String,
    /// The daemon's home did not exist and `init` created it.
    created_home: bool,
    /// The configuration is not under the instances folder: every command needs
    /// `NYMVISOR_CONFIG_PATH` to find it.
    custom_path: bool,
    /// Instances there are now (with this one).
    instances: usize,
}

/// The operator's reference.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/nymvisor.md");

impl Initialised {
    /// What `init` made and what the operator does next (after the configuration, in text).
    pub(crate) fn next_steps(&self) -> String {
        let (config, layout) = (&self.config, &self.layout);
        let (n, d) = (&config.nymvisor, &config.daemon);
        let daemon = &d.name;
        let home_note = if self.created_home { " (did not exist: created, empty)" } else { "" };
        let backups = if d.unsafe_skip_backup {
            "none (unsafe_skip_backup)".to_owned()
        } else {
            d.backup_data_directory
                .clone()
                .unwrap_or_else(|| layout.daemon_nymvisor.join("backups"))
                .display()
                .to_string()
        };
        let mut text = format!(
            "
nymvisor instance {id} is set up for {daemon} {version}:
  configuration  {config_path}
  upgrade data   {data} (genesis/bin/{daemon}, upgrade-plan.json, current -> genesis)
  daemon home    {home}{home_note}
  backups        {backups}

Next steps:
  1. Start the daemon under nymvisor, with the daemon's own arguments after `run`:
       nymvisor run run --id my-node      (runs `{daemon} run --id my-node`)
     As a service: packaging/systemd/nymvisor.service.
",
            id = n.id,
            version = self.version,
            config_path = self.config_path.display(),
            data = layout.data.display(),
            home = d.home.display(),
        );
        let queue = format!(
            "       nymvisor add-upgrade /path/to/{daemon} --upgrade-name <name> --upgrade-time 2026-12-08T12:00:00Z\n"
        );
        if d.allow_binaries_download {
            text.push_str(&format!(
                "  2. Upgrades announced at\n       {}\n     are downloaded and checked as soon as they are \
                 announced, and applied at their time.\n     To queue one by hand:\n{queue}",
                config.upstream_url()
            ));
        } else {
            text.push_str(&format!(
                "  2. Downloads are off: an upgrade announced at\n       {}\n     waits for its binary, \
                 given by hand (add-upgrade --add-binary), or queue one by hand:\n{queue}",
                config.upstream_url()
            ));
        }
        text.push_str(
            "  3. Check the setup without running the daemon: nymvisor check
     See what runs: nymvisor status; what is queued and when: nymvisor plan
     The configuration in use (the environment overrides the file): nymvisor config
",
        );
        if self.custom_path {
            text.push_str(&format!(
                "     Every command finds this configuration through NYMVISOR_CONFIG_PATH={}: keep it set.\n",
                self.config_path.display()
            ));
        } else if self.instances > 1 {
            text.push_str(&format!(
                "     {} instances exist: name this one with NYMVISOR_ID={} for every command.\n",
                self.instances, n.id
            ));
        }
        text.push_str(&format!("\nEvery option, variable and file: docs/nymvisor.md ({DOCS})\n"));
        text
    }
}

/// `init` cannot make the folder `dir`: the folder that refused, whose it is and what to do.
/// What is named is the outermost folder `init` makes, never one above it to give away.
fn cannot_make(dir: &Path, error: &std::io::Error) -> anyhow::Error {
    let made = dir.ancestors().take_while(|a| crate::files::is_missing(a)).last().unwrap_or(dir);
    match visor_core::access::explain_making(made, dir, error) {
        Some(why) => anyhow::anyhow!("cannot create {}: {error}; {why}", made.display()),
        None => anyhow::anyhow!("cannot create {}: {error}", dir.display()),
    }
}

/// Runs `init`; returns what it made.
pub(crate) fn init(args: &InitArgs, env: &Env) -> anyhow::Result<Initialised> {
    let binary = absolute(&args.daemon_binary)?;
    let build = build_info_blocking(&binary).map_err(anyhow::Error::msg)?;
    let name = env.daemon_name.clone().unwrap_or_else(|| field(&build, "binary_name").to_owned());
    let config = configure(args, env, &name)?;
    let custom_path = env.config_path.is_some();
    let config_path = match env.config_path.clone() {
        Some(path) => path,
        None => crate::config::instance_config(&config.nymvisor.id)?,
    };
    config.validate(&config_path)?;
    if config_path.exists() {
        bail!("{} already exists: this instance is initialised (remove the file to start over)", config_path.display());
    }
    let layout = Layout::new(&config)?;
    if config.daemon.home.exists() && !config.daemon.home.is_dir() {
        bail!(
            "the daemon's home {} is not a folder; give the daemon's home folder with --daemon-home or DAEMON_HOME",
            config.daemon.home.display()
        );
    }
    let backups = config.daemon.backup_data_directory.clone().unwrap_or_else(|| layout.daemon_nymvisor.join("backups"));
    let dirs = [
        layout.daemon_nymvisor.clone(),
        backups,
        layout.data.join("genesis").join("bin"),
        layout.data.join("upgrades"),
        config_path.parent().map_or_else(|| config_path.clone(), Path::to_owned),
    ];
    // Every folder asked before anything is made or said: a refusal leaves nothing half made.
    for dir in &dirs {
        if let Err(e) = visor_core::access::may_make(dir) {
            return Err(cannot_make(dir, &e));
        }
    }
    // As Nymvisor, a missing daemon home is made (a provisioning script may run `init` before
    // the daemon's own); but said, as a mistyped path would otherwise go unnoticed until the
    // first backup holds nothing.
    let created_home = !config.daemon.home.exists();
    if created_home {
        tracing::warn!(
            daemon_home = %config.daemon.home.display(),
            "the daemon's home folder does not exist: creating it empty; if the daemon keeps its data elsewhere (a \
             mistyped --daemon-home or DAEMON_HOME), set `home` under [daemon] in {} to that folder and remove the \
             empty one (init refuses to run again once the instance exists)",
            config_path.display()
        );
    }
    for dir in &dirs[..4] {
        visor_core::create_dir_durable(dir).map_err(|e| cannot_make(dir, &e))?;
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
            write_json(&plan_path, &UpgradePlan { current: info.clone(), queued_up: Vec::new(), dropped: Vec::new() })?;
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
            let target = match other {
                CurrentLink::Release(r) => r.to_string(),
                CurrentLink::Outside(path) => path.display().to_string(),
                _ => "a folder, not a link".to_owned(),
            };
            bail!(
                "{} already points elsewhere ({target}); this upgrade data folder is in use: give this instance \
                 another one with --upgrade-data-directory",
                home.current().display()
            )
        }
    }
    crate::config::save(&config, &config_path).with_context(|| format!("cannot write {}", config_path.display()))?;
    tracing::info!(config = %config_path.display(), data = %layout.data.display(), "nymvisor instance initialised");
    let instances = config_path
        .ancestors()
        .nth(3)
        .filter(|_| !custom_path)
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map_or(1, Iterator::count);
    Ok(Initialised {
        config,
        config_path,
        layout,
        version: field(&build, "build_version").to_owned(),
        created_home,
        custom_path,
        instances,
    })
}
