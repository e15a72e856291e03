//! `config.toml` of a Nymvisor instance: its schema, defaults, discovery, the environment
//! overrides, and how it is saved and shown.

use std::path::{Path, PathBuf};
use std::time::Duration;
use visor_core::backup::Strategy;

use facekit::suggest::UnknownKey;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::env::Env;

/// The instance's configuration after the environment is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Config {
    pub(crate) nymvisor: NymvisorSection,
    pub(crate) daemon: DaemonSection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct NymvisorSection {
    pub(crate) id: String,
    #[serde(default = "default_base_url")]
    pub(crate) upstream_base_upgrade_url: Url,
    #[serde(default = "default_polling_rate", with = "humantime_str")]
    pub(crate) upstream_polling_rate: Duration,
    #[serde(default)]
    pub(crate) disable_logs: bool,
    #[serde(default, with = "optional_path")]
    pub(crate) upgrade_data_directory: Option<PathBuf>,
    /// Serve Prometheus metrics on this address (unset: off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) metrics_listen: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DaemonSection {
    pub(crate) name: String,
    pub(crate) home: PathBuf,
    #[serde(default, with = "optional_url")]
    pub(crate) absolute_upstream_upgrade_url: Option<Url>,
    #[serde(default = "yes")]
    pub(crate) allow_binaries_download: bool,
    #[serde(default = "yes")]
    pub(crate) enforce_download_checksum: bool,
    #[serde(default = "yes")]
    pub(crate) restart_after_upgrade: bool,
    /// The guide's default (true), not the real tool's (false).
    #[serde(default = "yes")]
    pub(crate) restart_on_failure: bool,
    #[serde(default = "default_restart_delay", with = "humantime_str")]
    pub(crate) failure_restart_delay: Duration,
    #[serde(default = "default_max_failures")]
    pub(crate) max_startup_failures: usize,
    #[serde(default = "default_startup_period", with = "humantime_str")]
    pub(crate) startup_period_duration: Duration,
    #[serde(default = "default_grace", with = "humantime_str")]
    pub(crate) shutdown_grace_period: Duration,
    #[serde(default, with = "optional_path")]
    pub(crate) backup_data_directory: Option<PathBuf>,
    #[serde(default)]
    pub(crate) unsafe_skip_backup: bool,
    /// How backups are written (not in Nymvisor, which always writes tar.gz).
    #[serde(default = "default_strategy")]
    pub(crate) backup_strategy: Strategy,
    /// The newest backups kept (Nymvisor keeps every one).
    #[serde(default = "default_keep")]
    pub(crate) backup_keep: usize,
    /// After a rollback, put back the data backed up before the failed upgrade.
    #[serde(default)]
    pub(crate) restore_on_rollback: bool,
}

/// The default backup strategy (see docs/backups.md for the measurements behind it).
pub(crate) const DEFAULT_STRATEGY: Strategy = Strategy::TarGz;

fn default_strategy() -> Strategy {
    DEFAULT_STRATEGY
}
fn default_keep() -> usize {
    visor_core::backup::DEFAULT_KEEP
}

fn yes() -> bool {
    true
}
fn default_base_url() -> Url {
    Url::parse("https://nymtech.net/.wellknown/").expect("a valid URL")
}
fn default_polling_rate() -> Duration {
    Duration::from_secs(3600)
}
fn default_restart_delay() -> Duration {
    Duration::from_secs(10)
}
fn default_max_failures() -> usize {
    10
}
fn default_startup_period() -> Duration {
    Duration::from_secs(120)
}
fn default_grace() -> Duration {
    Duration::from_secs(10)
}

/// Durations as humantime strings (`"10s"`, `"2m"`, `"1h 30m"`).
mod humantime_str {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        crate::env::parse_duration(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a duration such as 10s, 2m or 1h 30m")))
    }
}

/// Optional paths: `''` means unset (the file format of Nymvisor).
mod optional_path {
    use std::path::PathBuf;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(p: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&p.as_ref().map(|p| p.display().to_string()).unwrap_or_default())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PathBuf>, D::Error> {
        let text = String::deserialize(d)?;
        Ok((!text.is_empty()).then(|| PathBuf::from(text)))
    }
}

/// Optional URLs: `''` means unset.
mod optional_url {
    use serde::{Deserialize, Deserializer, Serializer};
    use url::Url;

    pub(crate) fn serialize<S: Serializer>(u: &Option<Url>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(u.as_ref().map(Url::as_str).unwrap_or_default())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Url>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        Url::parse(&text).map(Some).map_err(|e| serde::de::Error::custom(format!("{text:?} is not a URL: {e}")))
    }
}

impl Config {
    /// Defaults for a daemon, as `init` starts from.
    pub(crate) fn new(daemon_name: &str, daemon_home: PathBuf) -> Self {
        Self {
            nymvisor: NymvisorSection {
                id: format!("{daemon_name}-default"),
                upstream_base_upgrade_url: default_base_url(),
                upstream_polling_rate: default_polling_rate(),
                disable_logs: false,
                upgrade_data_directory: None,
                metrics_listen: None,
            },
            daemon: DaemonSection {
                name: daemon_name.to_owned(),
                home: daemon_home,
                absolute_upstream_upgrade_url: None,
                allow_binaries_download: true,
                enforce_download_checksum: true,
                restart_after_upgrade: true,
                restart_on_failure: true,
                failure_restart_delay: default_restart_delay(),
                max_startup_failures: default_max_failures(),
                startup_period_duration: default_startup_period(),
                shutdown_grace_period: default_grace(),
                backup_data_directory: None,
                unsafe_skip_backup: false,
                backup_strategy: DEFAULT_STRATEGY,
                backup_keep: default_keep(),
                restore_on_rollback: false,
            },
        }
    }

    /// Applies the environment: it wins over the file and the arguments.
    pub(crate) fn apply_env(&mut self, env: &Env) {
        let (n, d) = (&mut self.nymvisor, &mut self.daemon);
        macro_rules! set {
            ($target:expr, $value:expr) => {
                if let Some(v) = $value.clone() {
                    $target = v;
                }
            };
        }
        set!(n.id, env.id);
        set!(n.upstream_base_upgrade_url, env.upstream_base_upgrade_url);
        set!(n.upstream_polling_rate, env.upstream_polling_rate);
        set!(n.disable_logs, env.disable_logs);
        // Optional keys: a set variable fills them; it cannot unset them.
        set!(n.upgrade_data_directory, env.upgrade_data_directory.clone().map(Some));
        set!(d.name, env.daemon_name);
        set!(d.home, env.daemon_home);
        set!(d.absolute_upstream_upgrade_url, env.absolute_upstream_upgrade_url.clone().map(Some));
        set!(d.allow_binaries_download, env.allow_binaries_download);
        set!(d.enforce_download_checksum, env.enforce_download_checksum);
        set!(d.restart_after_upgrade, env.restart_after_upgrade);
        set!(d.restart_on_failure, env.restart_on_failure);
        set!(d.failure_restart_delay, env.failure_restart_delay);
        set!(d.max_startup_failures, env.max_startup_failures);
        set!(d.startup_period_duration, env.startup_period_duration);
        set!(d.shutdown_grace_period, env.shutdown_grace_period);
        set!(d.backup_data_directory, env.backup_data_directory.clone().map(Some));
        set!(d.unsafe_skip_backup, env.unsafe_skip_backup);
        set!(d.backup_strategy, env.backup_strategy);
        set!(d.backup_keep, env.backup_keep);
        set!(d.restore_on_rollback, env.restore_on_rollback);
    }

    /// Checks what the types cannot: names, a usable polling rate.
    pub(crate) fn validate(&self, origin: &Path) -> Result<(), ConfigError> {
        let error = |key: &str, message: String| {
            Err(ConfigError { path: origin.to_owned(), message: format!("key `{key}`: {message}") })
        };
        if self.nymvisor.upstream_polling_rate < Duration::from_millis(100) {
            return error("nymvisor.upstream_polling_rate", "must be at least 100ms".to_owned());
        }
        if let Err(e) = crate::files::check_name(&self.daemon.name) {
            return error("daemon.name", e);
        }
        if let Err(e) = crate::files::check_name(&self.nymvisor.id) {
            return error("nymvisor.id", e);
        }
        if self.daemon.backup_keep == 0 {
            return error(
                "daemon.backup_keep",
                "must be at least 1 (to take no backups, set unsafe_skip_backup = true)".to_owned(),
            );
        }
        if self.daemon.max_startup_failures == 0 {
            return error("daemon.max_startup_failures", "must be at least 1".to_owned());
        }
        Ok(())
    }

    /// The upstream address: the absolute one if set, else `<base>/<daemon>/upgrade-info.json`.
    pub(crate) fn upstream_url(&self) -> Url {
        if let Some(url) = &self.daemon.absolute_upstream_upgrade_url {
            return url.clone();
        }
        let mut url = self.nymvisor.upstream_base_upgrade_url.clone();
        let path = format!("{}/{}/upgrade-info.json", url.path().trim_end_matches('/'), self.daemon.name);
        url.set_path(&path);
        url
    }
}

/// A configuration that cannot be used.
pub(crate) type ConfigError = facekit::toml_file::FileError;

/// Where instances live: `$NYM_HOME_DIR` or `$HOME`, then `.nym/nymvisors`. Without either
/// (a service unit without `User=` or `Environment=HOME=`) it is an error naming them, never the
/// current folder.
pub(crate) fn nymvisors_dir() -> Result<PathBuf, ConfigError> {
    let home = std::env::var_os("NYM_HOME_DIR")
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()))
        .map(PathBuf::from)
        .filter(|h| h.is_absolute())
        .ok_or_else(|| ConfigError {
            path: PathBuf::from("$HOME"),
            message: "neither HOME nor NYM_HOME_DIR is set to an absolute folder, so the instances folder \
                      (~/.nym/nymvisors) is unknown; set HOME (systemd: User= or Environment=HOME=...) or NYM_HOME_DIR"
                .to_owned(),
        })?;
    Ok(home.join(".nym").join("nymvisors"))
}

/// Why `path` (the instances folder, an instance's file) cannot be used by this user, and what
/// to do; `None` when `error` is not a refusal. Never to give away a folder above
/// `~/.nym/nymvisors`: that is a user's home, and the fix is to run as that user, or to name
/// this user's home.
pub(crate) fn explain_refused(path: &Path, error: &std::io::Error) -> Option<String> {
    let root = nymvisors_dir().ok().filter(|dir| path.starts_with(dir));
    let root = root.as_deref().or_else(|| path.parent()).unwrap_or(path);
    visor_core::access::explain_denied_within(
        root,
        path,
        error,
        "set NYM_HOME_DIR (or HOME) to the home of the user `nymvisor init` ran as",
    )
}

/// The default configuration file of instance `id`.
pub(crate) fn instance_config(id: &str) -> Result<PathBuf, ConfigError> {
    Ok(nymvisors_dir()?.join("instances").join(id).join("config").join("config.toml"))
}

/// Finds the configuration: `$NYMVISOR_CONFIG_PATH`, else `$NYMVISOR_ID`'s, else the only
/// instance there is.
pub(crate) fn discover(env: &Env) -> Result<PathBuf, ConfigError> {
    if let Some(path) = &env.config_path {
        return Ok(path.clone());
    }
    if let Some(id) = &env.id {
        return instance_config(id);
    }
    let instances = nymvisors_dir()?.join("instances");
    let entries: Vec<_> = std::fs::read_dir(&instances)
        .map_err(|e| ConfigError {
            path: instances.clone(),
            message: match explain_refused(&instances, &e) {
                // There, but not this user's to list: `init` would not help.
                Some(explained) => format!(
                    "cannot list the instances ({e}); {explained}; or name the instance with NYMVISOR_ID or \
                     NYMVISOR_CONFIG_PATH"
                ),
                None if e.kind() == std::io::ErrorKind::NotFound => format!(
                    "no instance is set up here ({e}); run `nymvisor init`, or set NYMVISOR_ID or NYMVISOR_CONFIG_PATH"
                ),
                None => format!("cannot list the instances ({e}); or set NYMVISOR_ID or NYMVISOR_CONFIG_PATH"),
            },
        })?
        .filter_map(Result::ok)
        .collect();
    match entries.as_slice() {
        [only] => Ok(only.path().join("config").join("config.toml")),
        others => Err(ConfigError {
            path: instances,
            message: format!(
                "{} instances found, expected exactly one; choose one with NYMVISOR_ID or NYMVISOR_CONFIG_PATH",
                others.len()
            ),
        }),
    }
}

/// Reads the configuration at `path` and applies the environment; unknown keys are logged.
pub(crate) fn load(path: &Path, env: &Env) -> Result<Config, ConfigError> {
    let (config, warnings) = load_reporting(path, env)?;
    for warning in warnings {
        tracing::warn!("{}", warning.message());
    }
    Ok(config)
}

/// Reads the configuration at `path` and applies the environment; returns the unknown keys too
/// (each with the key likely meant), for a caller whose log is not set up yet (it depends on
/// the file) or that shows them itself (`check`).
pub(crate) fn load_reporting(path: &Path, env: &Env) -> Result<(Config, Vec<UnknownKey>), ConfigError> {
    let error = |message: String| ConfigError { path: path.to_owned(), message };
    let text = visor_core::read_text_bounded(path).map_err(|e| {
        error(match explain_refused(path, &e) {
            Some(explained) => format!("cannot read the configuration ({e}); {explained}"),
            None if e.kind() == std::io::ErrorKind::NotFound => {
                format!("cannot read the configuration ({e}); run `nymvisor init` first")
            }
            None => format!("cannot read the configuration ({e})"),
        })
    })?;
    parse_reporting(path, &text, env)
}

/// Parses the configuration `text` (read from `path`) and applies the environment; unknown keys
/// are logged.
pub(crate) fn parse(path: &Path, text: &str, env: &Env) -> Result<Config, ConfigError> {
    let (config, warnings) = parse_reporting(path, text, env)?;
    for warning in warnings {
        tracing::warn!("{}", warning.message());
    }
    Ok(config)
}

fn parse_reporting(path: &Path, text: &str, env: &Env) -> Result<(Config, Vec<UnknownKey>), ConfigError> {
    let parsed = facekit::toml_file::parse::<Config>(path, text, "`nymvisor init` writes every key")?;
    let warnings = facekit::suggest::describe_unknown_keys::<Config>(path, &parsed.unknown);
    let mut config = parsed.value;
    config.apply_env(env);
    config.validate(path)?;
    Ok((config, warnings))
}

/// Saves `config` at `path` with comments, atomically, readable by its owner only.
pub(crate) fn save(config: &Config, path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        visor_core::create_dir_durable(parent)?;
    }
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let opt = |p: &Option<PathBuf>| q(&p.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    let dur = |d: Duration| q(&humantime::format_duration(d).to_string());
    let (n, d) = (&config.nymvisor, &config.daemon);
    let text = format!(
        r#"# Nymvisor instance configuration. The environment variables of the guide override each key.

[nymvisor]
# Name of this instance (its folder under ~/.nym/nymvisors/instances).
id = {id}
# Base of the upstream that announces upgrades: <base>/<daemon name>/upgrade-info.json.
upstream_base_upgrade_url = {base}
# How often the upstream is asked.
upstream_polling_rate = {rate}
# Turn nymvisor's own logs off (the daemon's output is unaffected).
disable_logs = {logs}
# Folder for upgrade data (binaries, plans); '' uses ~/.nym/nymvisors/data/<daemon name>.
upgrade_data_directory = {data}

[daemon]
# The daemon binary's name (as its build-info reports it).
name = {name}
# The daemon's home folder (backed up before each upgrade).
home = {home}
# A full upstream address; overrides the base above when set.
absolute_upstream_upgrade_url = {abs}
# Download binaries of announced upgrades (ahead of their time).
allow_binaries_download = {allow}
# Refuse to download a binary without a published checksum.
enforce_download_checksum = {enforce}
# Start the new binary after an upgrade (else nymvisor exits).
restart_after_upgrade = {after}
# Restart the daemon when it stops unexpectedly.
restart_on_failure = {on_failure}
# Wait before such a restart.
failure_restart_delay = {delay}
# Failures within startup_period_duration after which nymvisor gives up (or, right after an
# upgrade, rolls back to the previous binary).
max_startup_failures = {max}
# How long after a start failures count towards max_startup_failures.
startup_period_duration = {period}
# Time the daemon gets to stop after SIGINT before SIGKILL.
shutdown_grace_period = {grace}
# Folder for backups; '' uses <daemon home>/nymvisor/backups.
backup_data_directory = {backup}
# Upgrade without backing up the daemon's home first.
unsafe_skip_backup = {skip}
# How backups are written: tar.gz (as Nymvisor), tar.zst, copy, snapshot (a reflink clone where
# the filesystem can), none. See docs/backups.md.
backup_strategy = '{strategy}'
# The newest backups kept; older ones nymvisor took are removed.
backup_keep = {keep}
# After a rollback (a new binary failing its startup period), put back the data backed up
# before that upgrade.
restore_on_rollback = {restore}
"#,
        id = q(&n.id),
        base = q(n.upstream_base_upgrade_url.as_str()),
        rate = dur(n.upstream_polling_rate),
        logs = n.disable_logs,
        data = opt(&n.upgrade_data_directory),
        name = q(&d.name),
        home = q(&d.home.display().to_string()),
        abs = q(d.absolute_upstream_upgrade_url.as_ref().map(Url::as_str).unwrap_or_default()),
        allow = d.allow_binaries_download,
        enforce = d.enforce_download_checksum,
        after = d.restart_after_upgrade,
        on_failure = d.restart_on_failure,
        delay = dur(d.failure_restart_delay),
        max = d.max_startup_failures,
        period = dur(d.startup_period_duration),
        grace = dur(d.shutdown_grace_period),
        backup = opt(&d.backup_data_directory),
        skip = d.unsafe_skip_backup,
        strategy = d.backup_strategy,
        keep = d.backup_keep,
        restore = d.restore_on_rollback,
    );
    visor_core::write_atomic(path, text.as_bytes(), 0o600)
}

/// The text form of `nymvisor config` (labels padded to 35 columns).
pub(crate) fn display(config: &Config) -> String {
    let (n, d) = (&config.nymvisor, &config.daemon);
    let quoted = |p: &Option<PathBuf>| format!("{:?}", p.as_ref().map(|p| p.display().to_string()).unwrap_or_default());
    let dur = |x: Duration| humantime::format_duration(x).to_string();
    let rows = [
        ("id:", n.id.clone()),
        ("daemon name:", d.name.clone()),
        ("daemon home:", d.home.display().to_string()),
        ("upstream base upgrade url:", n.upstream_base_upgrade_url.to_string()),
        ("disable nymvisor logs:", n.disable_logs.to_string()),
        ("CUSTOM upgrade data directory", quoted(&n.upgrade_data_directory)),
        (
            "upstream absolute upgrade url:",
            format!("{:?}", d.absolute_upstream_upgrade_url.as_ref().map(Url::as_str).unwrap_or_default()),
        ),
        ("allow binaries download:", d.allow_binaries_download.to_string()),
        ("enforce download checksum:", d.enforce_download_checksum.to_string()),
        ("restart after upgrade:", d.restart_after_upgrade.to_string()),
        ("restart on failure:", d.restart_on_failure.to_string()),
        ("on failure restart delay:", dur(d.failure_restart_delay)),
        ("max startup failures:", d.max_startup_failures.to_string()),
        ("startup period duration:", dur(d.startup_period_duration)),
        ("shutdown grace period:", dur(d.shutdown_grace_period)),
        ("CUSTOM backup data directory", quoted(&d.backup_data_directory)),
        ("UNSAFE skip backups", d.unsafe_skip_backup.to_string()),
        ("backup strategy:", d.backup_strategy.to_string()),
        ("backups kept:", d.backup_keep.to_string()),
        ("restore data on rollback:", d.restore_on_rollback.to_string()),
    ];
    rows.iter().map(|(label, value)| format!("{label:<35}{value}\n")).collect()
}

/// The JSON form of `nymvisor config`: optional values as `null`, durations as strings.
pub(crate) fn to_json(config: &Config) -> serde_json::Value {
    let mut value = serde_json::to_value(config).unwrap_or_default();
    for (table, key) in [
        ("nymvisor", "upgrade_data_directory"),
        ("daemon", "absolute_upstream_upgrade_url"),
        ("daemon", "backup_data_directory"),
    ] {
        if value[table][key] == "" {
            value[table][key] = serde_json::Value::Null;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_config_reads_back_and_env_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut config = Config::new("nym-node", dir.path().join("home"));
        config.daemon.backup_data_directory = Some("/b".into());
        save(&config, &path).unwrap();
        assert_eq!(load(&path, &Env::default()).unwrap(), config);
        let env = Env { shutdown_grace_period: Some(Duration::from_secs(3)), ..Env::default() };
        assert_eq!(load(&path, &env).unwrap().daemon.shutdown_grace_period, Duration::from_secs(3));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("failure_restart_delay = \"10s\"") && text.contains("startup_period_duration = \"2m\""),
            "{text}"
        );
    }

    #[test]
    fn upstream_url_follows_the_guide() {
        let config = Config::new("nym-node", "/h".into());
        assert_eq!(config.upstream_url().as_str(), "https://nymtech.net/.wellknown/nym-node/upgrade-info.json");
    }

    #[test]
    fn bad_values_name_the_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let config = Config::new("nym-node", "/h".into());
        save(&config, &path).unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("shutdown_grace_period = \"10s\"", "shutdown_grace_period = \"soon\"");
        std::fs::write(&path, text).unwrap();
        let e = load(&path, &Env::default()).unwrap_err().to_string();
        assert!(e.contains("config.toml") && e.contains("soon") && e.contains("line"), "{e}");
    }

    #[test]
    fn every_key_is_known_to_the_suggestions() {
        let keys = facekit::suggest::keys_of::<Config>();
        for key in ["nymvisor.id", "nymvisor.metrics_listen", "daemon.restart_on_failure", "daemon.restore_on_rollback"]
        {
            assert!(keys.contains(&key.to_owned()), "{key} missing from {keys:?}");
        }
        let known = || keys.iter().map(String::as_str);
        assert_eq!(facekit::suggest::closest("daemon.restart_on_failur", known()), Some("daemon.restart_on_failure"));
        assert_eq!(
            facekit::suggest::closest("daemon.upstream_polling_rate", known()),
            Some("nymvisor.upstream_polling_rate"),
            "a key in the wrong section"
        );
        // Misspelt and in the wrong section (appended below [daemon]): said where it goes.
        let said = UnknownKey::new("daemon.upstream_poling_rate", Path::new("/c.toml"), known());
        assert_eq!(
            said.fix,
            "did you mean `nymvisor.upstream_polling_rate` (a key of the `[nymvisor]` table: it must go below the \
             `[nymvisor]` line, before the next table)?"
        );
    }

    #[test]
    fn text_display_has_the_guide_labels() {
        let text = display(&Config::new("nym-node", "/h".into()));
        // The guide's 17 lines, then ours.
        assert_eq!(text.lines().count(), 20);
        assert!(text.ends_with("restore data on rollback:          false\n"), "{text}");
        assert!(text.starts_with("id:                                nym-node-default\n"), "{text}");
        assert!(text.contains("restart on failure:                true"));
        let json = to_json(&Config::new("nym-node", "/h".into()));
        assert_eq!(json["daemon"]["failure_restart_delay"], "10s");
        assert!(json["nymvisor"]["upgrade_data_directory"].is_null());
    }
}
