//! The Cosmos face: Cosmovisor's folders and files mapped onto the engine.
//!
//! A plan in `upgrade-info.json` the visor did not write is taken for the node's (`x/upgrade`
//! writes it at the plan's height and halts): `Trigger::NodeReady`, due once the chain is at its
//! height — so the same file written ahead by another tool (upstream's `add-upgrade
//! --upgrade-height`) waits for it, and the engine applies a due one before the first launch
//! and after the app ends at the height. A plan `add-upgrade --upgrade-height` wrote, and every
//! batch entry, is due when the chain reaches its height, and until then the node runs with
//! `--halt-height` at the lowest of them, so no block past it runs on the old binary. A plan
//! whose name is the current upgrade's, or whose height is not above it, is done already (a
//! restart never re-applies or fires early); a height in `--unsafe-skip-upgrades` is left to
//! the node.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::Signal;
use visor_core::backup::{BackupSettings, Naming, Strategy};
use visor_core::confine::Confined;
use visor_core::history::SwitchRecord;
use visor_core::node::ChainHeightSettings;
use visor_core::stage::{ArtifactSource, FetchPolicy, StagingSettings, UnpackLimits, Unverified};
use visor_core::supervise::{ProcessSpec, RestartPolicy, StopPolicy};
use visor_core::{Face, FaceError, NodeSpec, Protocol, Settings, Trigger, Upgrade};

use crate::config::Config;
use crate::plan::{Artifact, Files, Plan, host_platform, parse_batch, read_small, release_of};

/// How long a hook (the custom script, the app's `pre-upgrade`) may run.
const HOOK_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The file in a folder the visor downloaded: the checksum of what it downloaded, so the
/// folder is used only for a plan that names that same binary.
const DOWNLOADED: &str = ".cosmovisor-downloaded";

pub(crate) struct CosmosFace {
    config_file: Option<PathBuf>,
    /// The configuration `run` started with; reloads re-read the file and the environment.
    config: Config,
    args: Vec<OsString>,
    files: Files,
    /// The chain's plan as the node's gRPC last gave it.
    announced: std::sync::Mutex<Option<Plan>>,
    /// Downloads and backups: a bar on a terminal, log lines otherwise.
    progress: facekit::ProgressDisplay,
    /// Whether this face runs the app (`run`), not a command that only reads the plan.
    supervising: bool,
    /// The warnings about the configuration file said so far (each is said once).
    said: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// The manual upgrades (name, height) whose halt height the app's arguments cannot carry,
    /// said so far (each is said once).
    unhalted: std::sync::Mutex<std::collections::BTreeSet<(String, u64)>>,
}

impl CosmosFace {
    pub(crate) fn new(config_file: Option<PathBuf>, config: Config, args: Vec<OsString>) -> Self {
        let files = Files { home: config.home.clone() };
        Self {
            config_file,
            config,
            args,
            files,
            announced: std::sync::Mutex::new(None),
            progress: facekit::ProgressDisplay::new(),
            supervising: false,
            said: std::sync::Mutex::default(),
            unhalted: std::sync::Mutex::default(),
        }
    }

    /// The face of `run`: it warns about what the app's run cannot do, and about the
    /// configuration file when it changes; `said` are the warnings said at start already.
    pub(crate) fn supervising(mut self, said: Vec<String>) -> Self {
        self.supervising = true;
        self.said = std::sync::Mutex::new(said.into_iter().collect());
        self
    }

    /// `--halt-height` is given to the app only when its first argument is `start` (the engine
    /// adds it there; `run version`, `run export` must not get it). With another first argument
    /// (a wrapper script, `cosmos start`) the app is not halted at a manual upgrade's height and
    /// may produce blocks past it on the old binary before the visor stops it: said once per
    /// upgrade, when it is first planned (at start for those planned already).
    fn warn_unhalted(&self, upgrades: &[Upgrade]) {
        let first = self.args.first().map(|a| a.to_string_lossy().into_owned());
        if !self.supervising || first.as_deref() == Some("start") {
            return;
        }
        let first = first
            .map_or_else(|| "the app gets no arguments".to_owned(), |f| format!("the app's first argument is `{f}`"));
        let mut said = self.unhalted.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for upgrade in upgrades {
            let Trigger::Height(height) = upgrade.trigger else { continue };
            if said.insert((upgrade.name.clone(), height)) {
                tracing::warn!(
                    upgrade = upgrade.name,
                    height,
                    "{first}, not `start`, so the halt height of manual upgrade {} cannot be passed to it \
                     (--halt-height goes only to `start`): the app is not halted at height {height} and may produce \
                     blocks past it on the old binary before cosmovisor stops it there; to be halted exactly, run \
                     `cosmovisor run start <flags>` (a wrapper's own steps belong in the binary at bin/{})",
                    upgrade.name,
                    self.config.name
                );
            }
        }
    }

    /// The plan whose release folder is `dir`, as the plan files (the node's first) or the
    /// chain's announcement name it now.
    fn plan_of(&self, dir: &Path) -> Option<Plan> {
        let root = self.config.root();
        let recase = !self.config.disable_recase;
        // One reading, never a wait: this runs when a release is read, on the run loop.
        let mut candidates: Vec<Plan> = read_small(&self.files.upgrade_info())
            .ok()
            .flatten()
            .and_then(|bytes| Plan::parse(&bytes, recase).ok())
            .into_iter()
            .collect();
        if let Ok(Some(bytes)) = read_small(&self.files.batch()) {
            candidates.extend(parse_batch(&bytes, recase).unwrap_or_default());
        }
        candidates.extend(self.announced.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone());
        candidates.into_iter().find(|p| release_of(&p.name).is_ok_and(|r| r.dir(&root) == dir))
    }

    /// The checksum a plan's download for this host must have, if it names one. Never
    /// fetches: a binaries document counts only as an earlier reading of the plan found it.
    fn expected_download(&self, plan: &Plan) -> Option<String> {
        let found = match crate::plan::artifact(&plan.info, &host_platform()).ok()? {
            Artifact::Document(url) => crate::download::remembered(&url, &host_platform())?,
            direct => direct,
        };
        match found {
            Artifact::Url { checksum: Some(c), .. } => Some(c.to_string()),
            _ => None,
        }
    }

    fn current_config(&self) -> Config {
        let env = |k: &str| std::env::var(k).ok();
        crate::config::load(self.config_file.as_deref(), &env, true).unwrap_or_else(|_| self.config.clone())
    }

    fn binary(&self, dir: &Path) -> PathBuf {
        dir.join("bin").join(&self.config.name)
    }

    /// The plan the current release came from (`current/upgrade-info.json`), if any.
    fn current_plan(&self) -> Option<Plan> {
        crate::plan::current_plan(&self.config.root(), !self.config.disable_recase)
    }

    /// The heights after `--unsafe-skip-upgrades` in the app's arguments: the node skips
    /// those upgrades itself.
    fn skipped_heights(&self) -> Vec<u64> {
        let mut heights = Vec::new();
        let mut reading = false;
        for arg in &self.args {
            let Some(arg) = arg.to_str() else { continue };
            if let Some(list) = arg.strip_prefix("--unsafe-skip-upgrades=") {
                heights.extend(list.split([',', ' ']).filter_map(|h| h.parse::<u64>().ok()));
                reading = false;
            } else if arg == "--unsafe-skip-upgrades" {
                reading = true;
            } else if reading && arg.starts_with('-') {
                reading = false;
            } else if reading && let Ok(h) = arg.parse() {
                heights.push(h);
            }
        }
        heights
    }

    /// Reads `upgrade-info.json`, waiting out a writer that truncated it and has not finished
    /// writing (the SDK does not write it atomically).
    fn read_upgrade_info(&self) -> Result<Option<(Plan, Vec<u8>)>, String> {
        let path = self.files.upgrade_info();
        let mut last = String::new();
        for _ in 0..20 {
            let Some(bytes) = read_small(&path)? else { return Ok(None) };
            match Plan::parse(&bytes, !self.config.disable_recase) {
                Ok(plan) => return Ok(Some((plan, bytes))),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(format!("{}: {last}; the node keeps running, and the file is read again when it changes", path.display()))
    }

    fn upgrade(&self, plan: &Plan, trigger: Trigger) -> Result<Upgrade, String> {
        let release = release_of(&plan.name)?;
        let artifact = self.config.allow_download.then(|| self.artifact(plan));
        Ok(Upgrade {
            name: plan.name.clone(),
            version: plan.name.clone(),
            trigger,
            release: Some(release),
            manual: false,
            artifact,
            identity: None,
            checksum: None,
        })
    }

    pub(crate) fn artifact(&self, plan: &Plan) -> Result<ArtifactSource, String> {
        let platform = host_platform();
        let found = match crate::plan::artifact(&plan.info, &platform)? {
            Artifact::Document(url) => crate::download::binaries_document(&url, &platform)?,
            found => found,
        };
        match found {
            Artifact::Url { url, checksum } => Ok(ArtifactSource::Url { url, checksum }),
            Artifact::Document(url) => Err(format!("{url} names another document; only one level is followed")),
        }
    }
}

/// The folder name of the upgrade `version` names (its plan's name).
fn version_folder(version: &str) -> String {
    crate::plan::folder_name(version).unwrap_or_default()
}

/// How a plan's binary is downloaded.
pub(crate) fn staging_settings(config: &Config) -> StagingSettings {
    StagingSettings {
        source: None,
        binary_name: config.name.clone(),
        fetch: FetchPolicy::default(),
        limits: UnpackLimits::default(),
        unverified: Unverified::Refuse {
            hint: "the plan's address must carry ?checksum=sha256:<hex> (or sha512), as the SDK's plan validation \
                   asks; or place the binary with `cosmovisor add-upgrade`"
                .to_owned(),
        },
    }
}

/// Where and how `data/` is backed up: `data-backup-<Y>-<M>-<D>[-n]` in
/// `DAEMON_DATA_BACKUP_DIR`, as v1.7 names it (a second backup the same day gets `-2`, never
/// merged into the first). Built also when backups are off, so `backup list` can show what is
/// there.
pub(crate) fn backup_settings(config: &Config) -> BackupSettings {
    let mut exclude = Vec::new();
    let data = config.home.join("data");
    let dir = config.data_backup_dir.clone();
    // A backup folder inside data/ must not be backed up into itself.
    if let Ok(inside) = dir.strip_prefix(&data)
        && let Some(first) = inside.components().next()
    {
        exclude.push(first.as_os_str().to_string_lossy().into_owned());
    }
    BackupSettings {
        strategy: if config.backups_on() { config.backup_strategy } else { Strategy::None },
        keep: config.backup_keep,
        restore_on_rollback: config.rollback_restore_data,
        ..BackupSettings::new(data, exclude, dir, Naming::Dated { prefix: "data-backup".to_owned() })
    }
}

/// The engine settings of a Cosmovisor configuration.
pub(crate) fn settings(config: &Config) -> Result<Settings, String> {
    Ok(Settings {
        restart: RestartPolicy {
            max_restarts: if config.restart_on_failure { config.max_restarts } else { 0 },
            delay: config.restart_on_failure_delay,
            // Backoff, as Cosmovisor's redesign planned: 5 s, 10 s, 20 s, ... up to 5 minutes.
            max_delay: Some(Duration::from_secs(300)),
            window: Some(Duration::from_secs(600)),
            reset_after: Some(Duration::from_secs(600)),
        },
        // SIGTERM, as Cosmovisor's own fix for store corruption after an upgrade sends.
        stop: StopPolicy { delay: config.restart_delay, signal: Signal::SIGTERM, grace: config.shutdown_grace },
        admin: None,
        release_folders: Default::default(),
        staging: config.allow_download.then(|| staging_settings(config)),
        upstream: None,
        backup: config.backups_on().then(|| backup_settings(config)),
        upgrade_lock: None,
        probation: config.rollback_on_failure.then_some(config.probation),
        restart_after_upgrade: config.restart_after_upgrade,
        chain_height: Some(ChainHeightSettings {
            rpc: config.rpc()?,
            interval: config.poll_interval.clamp(Duration::from_millis(100), Duration::from_secs(1)),
            // As Cosmovisor asks: the current binary's own `status`, when the RPC is off.
            fallback: Some((
                config.root().join("current").join("bin").join(&config.name),
                vec!["status".into(), "--home".into(), config.home.clone().into_os_string()],
            )),
        }),
        ends_with_node: true,
        announcements: Some(config.grpc_poll_interval()),
    })
}

impl Face for CosmosFace {
    fn load_settings(&self) -> Result<Settings, FaceError> {
        let env = |k: &str| std::env::var(k).ok();
        let (config, unknown) = crate::config::load_noting(self.config_file.as_deref(), &env, true);
        // A key misspelt in the file since the start is said once, when the file is read again.
        let mut said = self.said.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for key in unknown {
            if said.insert(key.message.clone()) {
                tracing::warn!("{}", key.message);
            }
        }
        drop(said);
        let config = config?;
        crate::plan::allow_weak_checksums(config.allow_weak_checksums);
        Ok(settings(&config)?)
    }

    fn hints(&self) -> visor_core::Hints {
        visor_core::Hints {
            map_release: "check the upgrade's name".to_owned(),
            provide_release: format!(
                "place it at $DAEMON_HOME/cosmovisor/upgrades/{{name}}/bin/{} (cosmovisor add-upgrade {{name}} <binary>), or \
                 set DAEMON_ALLOW_DOWNLOAD_BINARIES=true for a plan that lists its binaries",
                self.config.name
            ),
            create_home: "run `cosmovisor init <path to the node's binary>` first".to_owned(),
            early_exit: "an app that ends within seconds of every start often runs on data newer than its binary (a snapshot \
                         taken after an upgrade, restored with an older `current`): its own output says so (\"UPGRADE NEEDED\", \
                         \"wrong app version\", \"upgrade handler is missing\"); place that upgrade's binary with `cosmovisor \
                         add-upgrade <name> <binary>` and point `current` at it (or restore a snapshot of this binary's era)"
                .to_owned(),
            ..visor_core::Hints::default()
        }
    }

    /// The app, with the arguments `run` got; a binary without execute bits gets them (as
    /// Cosmovisor does).
    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError> {
        // A folder the visor downloaded is the binary of the plan it was downloaded for: if the
        // plan now names another (a proposal replaced, a plan from a spoofed source), it is not
        // run.
        if let Ok(Some(downloaded)) = read_small(&dir.join(DOWNLOADED))
            && let Some(plan) = self.plan_of(dir)
        {
            let downloaded = String::from_utf8_lossy(&downloaded).trim().to_owned();
            let expected = self.expected_download(&plan);
            if expected.as_deref() != Some(downloaded.as_str()) {
                return Err(format!(
                    "{} holds the binary downloaded as {downloaded}, but the plan {} now names {}; remove the folder so \
                     the visor downloads the binary the plan names",
                    dir.display(),
                    plan.name,
                    expected.unwrap_or_else(|| {
                        "no checksummed binary for this host (or its binaries document is not read yet)".to_owned()
                    })
                )
                .into());
            }
        }
        let program = self.binary(dir);
        facekit::ensure_executable(dir, &program)?;
        Ok(NodeSpec {
            processes: vec![ProcessSpec { role: "app".to_owned(), program, args: self.args.clone() }],
            protocol: Protocol::Cosmos,
        })
    }

    fn watched_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.files.upgrade_info(), self.files.batch()];
        files.extend(self.config_file.clone());
        files
    }

    fn watch_poll_interval(&self) -> Duration {
        // Where the filesystem gives no events, the plan file is looked at as Cosmovisor does.
        self.config.poll_interval.max(Duration::from_millis(10))
    }

    fn staging_progress(&self, progress: &visor_core::stage::StageProgress) {
        self.progress.update(progress);
    }

    fn work_progress(&self, progress: &visor_core::backup::WorkProgress) {
        self.progress.work(progress);
    }

    /// Puts the downloaded binary at `bin/<DAEMON_NAME>`, and says what was downloaded.
    fn write_release(&self, dir: &Path, version: &str, binary: &Path) -> Result<(), FaceError> {
        let target = self.binary(dir);
        let relative = target.strip_prefix(dir)?;
        let confined = Confined::open(dir)?;
        if binary != relative {
            confined.create_dir_all(Path::new("bin"), 0o755)?;
            confined.rename(binary, relative)?;
        }
        let plan = self.plan_of(&dir.with_file_name(version_folder(version))).filter(|p| p.name == version);
        if let Some(checksum) = plan.and_then(|p| self.expected_download(&p)) {
            let mut file = confined.create_file(Path::new(DOWNLOADED), 0o644)?;
            std::io::Write::write_all(&mut file, checksum.as_bytes())?;
            file.sync_all()?;
        }
        Ok(())
    }

    fn needs_staging(&self, dir: &Path) -> bool {
        !self.binary(dir).is_file()
    }

    fn read_plan(&self) -> Result<Vec<Upgrade>, FaceError> {
        let config = self.current_config();
        let recase = !config.disable_recase;
        let done = self.current_plan();
        let skipped = self.skipped_heights();
        let pending = |plan: &Plan| {
            let applied = crate::plan::applied(plan, done.as_ref());
            if skipped.contains(&plan.height) {
                tracing::debug!(
                    name = plan.name,
                    height = plan.height,
                    "the upgrade's height is skipped (--unsafe-skip-upgrades)"
                );
            }
            !applied && !skipped.contains(&plan.height)
        };
        let mut upgrades = Vec::new();
        if let Some((plan, bytes)) = self.read_upgrade_info()?
            && pending(&plan)
        {
            let ours = read_small(&self.files.written_by_us()).ok().flatten().is_some_and(|w| w == bytes);
            // Not ours: the node's, written as it halts at the height (or someone else's, written
            // ahead): due once the chain is there, which the engine tells.
            let trigger = if ours { Trigger::Height(plan.height) } else { Trigger::NodeReady { height: plan.height } };
            upgrades.push(self.upgrade(&plan, trigger)?);
        }
        if let Some(bytes) = read_small(&self.files.batch())? {
            let batch = parse_batch(&bytes, recase).map_err(|e| format!("{}: {e}", self.files.batch().display()))?;
            for plan in batch.iter().filter(|p| pending(p)) {
                if upgrades.iter().any(|u: &Upgrade| u.name == plan.name) {
                    continue;
                }
                // One bad entry is reported and left out; the others (and the node's own plan)
                // stand.
                match self.upgrade(plan, Trigger::Height(plan.height)) {
                    Ok(upgrade) => upgrades.push(upgrade),
                    Err(e) => tracing::error!(file = %self.files.batch().display(), "a batch entry is left out: {e}"),
                }
            }
        }
        self.warn_unhalted(&upgrades);
        Ok(upgrades)
    }

    /// The governance plan the chain has scheduled: its release is staged now, days before
    /// the node halts for it.
    fn announced_upgrade(&self) -> Result<Option<Upgrade>, FaceError> {
        let config = self.current_config();
        let timeout = config.grpc_poll_interval().min(Duration::from_secs(10));
        let plan = crate::grpc::current_plan(&config.grpc_address, timeout, !config.disable_recase)?;
        self.announced.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone_from(&plan);
        let Some(plan) = plan else {
            return Ok(None);
        };
        if self.skipped_heights().contains(&plan.height) {
            return Ok(None);
        }
        Ok(Some(self.upgrade(&plan, Trigger::NodeReady { height: plan.height })?))
    }

    fn before_switch(&self, dir: &Path, upgrade: &str, height: Option<u64>) -> Result<(), FaceError> {
        let config = self.current_config();
        crate::hooks::custom_preupgrade(&config, upgrade, height, HOOK_TIMEOUT)?;
        crate::hooks::app_preupgrade(&self.binary(dir), config.preupgrade_max_retries, HOOK_TIMEOUT)?;
        Ok(())
    }

    fn remove_leftovers(&self) {
        let removed = visor_core::remove_stale_temporaries(&self.config.root())
            + visor_core::remove_stale_temporaries(&self.config.home.join("data"));
        if removed > 0 {
            tracing::info!(removed, "removed temporary files a previous cosmovisor left");
        }
    }

    /// Copies the plan into the upgrade's folder (Cosmovisor's memory of the current upgrade)
    /// and drops the batch entries it covers.
    fn record_switch(&self, record: &SwitchRecord) -> Result<(), FaceError> {
        if record.rollback {
            return Ok(());
        }
        let recase = !self.config.disable_recase;
        let dir = record.to.dir(&self.config.root());
        // The plan that triggered the switch: its name and its height (the file may have
        // changed since).
        let from_file = self
            .read_upgrade_info()
            .ok()
            .flatten()
            .map(|(p, _)| p)
            .filter(|p| p.name == record.version && record.height.is_none_or(|h| h == p.height));
        let _batch_lock = self.files.lock_batch()?;
        let batch = match read_small(&self.files.batch())? {
            Some(bytes) => parse_batch(&bytes, recase).unwrap_or_default(),
            None => Vec::new(),
        };
        let triggered = |p: &&Plan| p.name == record.version && record.height.is_none_or(|h| h == p.height);
        let plan = from_file.or_else(|| batch.iter().find(triggered).cloned()).unwrap_or(Plan {
            name: record.version.clone(),
            height: record.height.unwrap_or(0),
            info: String::new(),
        });
        let bytes = serde_json::to_vec(&plan)?;
        visor_core::write_atomic(&dir.join("upgrade-info.json"), &bytes, 0o600)?;
        let rest: Vec<&Plan> = batch.iter().filter(|p| p.height > plan.height && p.name != plan.name).collect();
        if rest.len() != batch.len() {
            visor_core::write_atomic(&self.files.batch(), &serde_json::to_vec(&rest)?, 0o600)?;
        }
        Ok(())
    }
}
