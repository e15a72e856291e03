//! The Nym face: Nymvisor's files mapped onto the engine.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::Signal;
use visor_core::backup::{BackupSettings, Naming, Strategy};
use visor_core::confine::Confined;
use visor_core::history::SwitchRecord;
use visor_core::stage::{FetchPolicy, StagingSettings, UnpackLimits, Unverified};
use visor_core::supervise::{ProcessSpec, RestartPolicy, StopPolicy};
use visor_core::{Face, FaceError, NodeSpec, Protocol, Settings, Upgrade, UpstreamSettings};

use crate::config::Config;
use crate::files::{Layout, UpgradeInfo, UpgradePlan, parse_json, read_json, write_json};

pub(crate) struct NymFace {
    config_path: PathBuf,
    /// The configuration `run` started with; the environment is re-read on every reload.
    config: Config,
    layout: Layout,
    args: Vec<OsString>,
    /// Downloads and backups: a bar on a terminal, log lines otherwise.
    progress: facekit::ProgressDisplay,
}

impl NymFace {
    pub(crate) fn new(config_path: PathBuf, config: Config, layout: Layout, args: Vec<OsString>) -> Self {
        Self { config_path, config, layout, args, progress: facekit::ProgressDisplay::new() }
    }

    fn current_config(&self) -> Result<Config, FaceError> {
        let env = crate::env::Env::read()?;
        Ok(crate::config::load(&self.config_path, &env)?)
    }
}

/// The engine settings of a Nymvisor configuration.
pub(crate) fn settings(config: &Config, layout: &Layout) -> Settings {
    let d = &config.daemon;
    let fetch = FetchPolicy::default();
    // A hanging upstream must not hold up the next poll.
    let rate = config.nymvisor.upstream_polling_rate;
    let upstream_fetch = FetchPolicy {
        read_timeout: rate.clamp(Duration::from_secs(1), Duration::from_secs(30)),
        connect_timeout: rate.clamp(Duration::from_secs(1), Duration::from_secs(10)),
        attempts: 1,
        ..FetchPolicy::default()
    };
    let backup_dir = d.backup_data_directory.clone().unwrap_or_else(|| d.home.join("nymvisor").join("backups"));
    // Never back the backups up, wherever they are.
    let mut exclude = vec!["nymvisor".to_owned()];
    if let Some(first) = backup_dir.strip_prefix(&d.home).ok().and_then(|inside| inside.components().next()) {
        exclude.push(first.as_os_str().to_string_lossy().into_owned());
    }
    Settings {
        restart: RestartPolicy {
            max_delay: None,
            max_restarts: if d.restart_on_failure { d.max_startup_failures.saturating_sub(1) as u64 } else { 0 },
            delay: d.failure_restart_delay,
            // As the guide counts: failures in quick succession, a long run starts afresh.
            window: None,
            reset_after: Some(d.startup_period_duration),
        },
        stop: StopPolicy { delay: Duration::ZERO, signal: Signal::SIGINT, grace: d.shutdown_grace_period },
        admin: None,
        release_folders: Default::default(),
        staging: d.allow_binaries_download.then(|| StagingSettings {
            source: None,
            binary_name: layout.daemon.clone(),
            fetch: fetch.clone(),
            limits: UnpackLimits::default(),
            unverified: if d.enforce_download_checksum {
                Unverified::Refuse {
                    hint: "publish a checksum in the upgrade's platform entry, or set \
                           DAEMON_ENFORCE_DOWNLOAD_CHECKSUM=false to run it unverified"
                        .to_owned(),
                }
            } else {
                Unverified::Allow
            },
        }),
        upstream: Some(UpstreamSettings { url: config.upstream_url(), interval: rate, fetch: upstream_fetch }),
        backup: (!d.unsafe_skip_backup && d.backup_strategy != Strategy::None).then(|| {
            let mut b = BackupSettings::new(d.home.clone(), exclude, backup_dir, Naming::PerUpgrade);
            b.strategy = d.backup_strategy;
            b.keep = d.backup_keep.max(1);
            b.restore_on_rollback = d.restore_on_rollback;
            b
        }),
        upgrade_lock: Some(layout.upgrade_lock()),
        probation: Some(d.startup_period_duration),
        restart_after_upgrade: d.restart_after_upgrade,
        chain_height: None,
        ends_with_node: false,
        announcements: None,
    }
}

impl Face for NymFace {
    fn staging_progress(&self, progress: &visor_core::stage::StageProgress) {
        self.progress.update(progress);
    }

    fn work_progress(&self, progress: &visor_core::backup::WorkProgress) {
        self.progress.work(progress);
    }

    fn load_settings(&self) -> Result<Settings, FaceError> {
        Ok(settings(&self.current_config()?, &self.layout))
    }

    fn hints(&self) -> visor_core::Hints {
        visor_core::Hints {
            map_release: "check the upgrade's name".to_owned(),
            provide_release: "provide its binary (add-upgrade)".to_owned(),
            create_home: "run `nymvisor init` for this daemon first".to_owned(),
            ..visor_core::Hints::default()
        }
    }

    /// Also checks what recording a switch to `dir` will read, so a broken file stops the
    /// upgrade before the node does; and, as the guide says, makes a binary without any execute
    /// bit executable.
    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError> {
        let program = self.layout.binary(dir);
        let _: UpgradeInfo = read_json(&dir.join("upgrade-info.json"))?;
        let _: UpgradePlan = read_json(&self.layout.plan())?;
        facekit::ensure_executable(dir, &program)?;
        Ok(NodeSpec {
            processes: vec![ProcessSpec { role: "daemon".to_owned(), program, args: self.args.clone() }],
            protocol: Protocol::Daemon,
        })
    }

    fn watched_files(&self) -> Vec<PathBuf> {
        vec![self.layout.plan()]
    }

    /// Puts the staged binary at `bin/<daemon>` and the upgrade's `upgrade-info.json` beside.
    fn write_release(&self, dir: &Path, version: &str, binary: &Path) -> Result<(), FaceError> {
        // Inside the staging folder, whose content came from an archive: resolved on disk,
        // never through a link.
        let target = self.layout.binary(dir);
        let relative = target.strip_prefix(dir)?;
        if binary != relative {
            Confined::open(dir)?.rename(binary, relative)?;
        }
        let plan: UpgradePlan = read_json(&self.layout.plan())?;
        let info = plan
            .queued_up
            .into_iter()
            .find(|q| q.version == version)
            .ok_or_else(|| format!("no queued upgrade has version {version}"))?;
        write_json(&dir.join("upgrade-info.json"), &info)?;
        Ok(())
    }

    fn needs_staging(&self, dir: &Path) -> bool {
        !self.layout.binary(dir).is_file()
    }

    fn read_plan(&self) -> Result<Vec<Upgrade>, FaceError> {
        let config = self.current_config().unwrap_or_else(|_| self.config.clone());
        Ok(crate::plan::planned(&self.layout, &config)?)
    }

    fn upstream_answered(&self, body: &[u8], url: &str) -> Result<String, FaceError> {
        let info: UpgradeInfo =
            parse_json(body).map_err(|e| format!("the upgrade information at {url} is invalid: {e}"))?;
        let by = url::Url::parse(url)?;
        for (platform, download) in &info.platforms {
            visor_core::stage::check_announced(&download.url, &by)
                .map_err(|e| format!("upgrade {}, platform {platform}: {e}", info.name))?;
        }
        Ok(crate::plan::announce(&self.layout, info)?)
    }

    fn remove_leftovers(&self) {
        let layout = &self.layout;
        let mut removed = visor_core::remove_stale_temporaries(&layout.data)
            + visor_core::remove_stale_temporaries(&layout.daemon_nymvisor);
        let mut releases = vec![layout.data.join("genesis")];
        if let Ok(entries) = std::fs::read_dir(layout.data.join("upgrades")) {
            releases.extend(entries.flatten().map(|e| e.path()));
        }
        for release in releases {
            removed += visor_core::remove_stale_temporaries(&release);
            let tmp = crate::daemon::temp_binary(&layout.binary(&release));
            // A link there is removed itself, never followed.
            if std::fs::symlink_metadata(&tmp).is_ok() && std::fs::remove_file(&tmp).is_ok() {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "removed temporary files a previous nymvisor left");
        }
    }

    fn record_switch(&self, record: &SwitchRecord) -> Result<(), FaceError> {
        // The build information the upgrade names was verified already; only ask the binary
        // when the upgrade names none (this runs inside the switch, so it is downtime).
        let info: UpgradeInfo = read_json(&self.layout.upgrade_info(&crate::plan::upgrade_name(&record.to)))?;
        let build = match info.binary_details {
            Some(build) => build,
            None => {
                // Verified before the stop: remembered, unless the binary changed since.
                let binary = self.layout.binary(&record.to.dir(&self.layout.data));
                let memory = visor_core::Memory::in_state_dir(&visor_core::Home::new(&self.layout.data).state_dir());
                match memory.recall_build_info(&binary) {
                    Some(build) => build,
                    None => crate::daemon::build_info_blocking(&binary)?,
                }
            }
        };
        Ok(crate::plan::record_switch(&self.layout, record, &build)?)
    }
}
