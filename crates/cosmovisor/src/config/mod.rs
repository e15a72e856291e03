//! Cosmovisor's configuration: its environment variables, with v1.7's rules (strict booleans,
//! Go durations, every error reported at once), optionally under a TOML file given with
//! `--cosmovisor-config` (the environment overrides the file; durations in the file are Go
//! strings or integer nanoseconds, as `init` writes them). Our own additions are named
//! `COSMOVISOR_*` and default to v1.7's behaviour (the backup's strategy aside: a clone where
//! the filesystem can make one, the same copy as v1.7's otherwise).

use std::path::{Path, PathBuf};
use std::time::Duration;

use visor_core::backup::Strategy;

use crate::go_duration::{go_duration, parse_go_duration};

/// Every variable, in the order `config` prints them.
pub const KEYS: &[&str] = &[
    "DAEMON_HOME",
    "DAEMON_NAME",
    "DAEMON_ALLOW_DOWNLOAD_BINARIES",
    "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM",
    "DAEMON_RESTART_AFTER_UPGRADE",
    "DAEMON_RESTART_DELAY",
    "DAEMON_SHUTDOWN_GRACE",
    "DAEMON_POLL_INTERVAL",
    "DAEMON_DATA_BACKUP_DIR",
    "UNSAFE_SKIP_BACKUP",
    "DAEMON_PREUPGRADE_MAX_RETRIES",
    "DAEMON_GRPC_ADDRESS",
    "COSMOVISOR_DISABLE_LOGS",
    "COSMOVISOR_COLOR_LOGS",
    "COSMOVISOR_TIMEFORMAT_LOGS",
    "COSMOVISOR_LOG_FORMAT",
    "COSMOVISOR_LOG_FILE",
    "COSMOVISOR_LOG_FILE_MAX_SIZE",
    "COSMOVISOR_LOG_FILE_KEEP",
    "COSMOVISOR_CUSTOM_PREUPGRADE",
    "COSMOVISOR_DISABLE_RECASE",
    "COSMOVISOR_RPC_ADDRESS",
    "COSMOVISOR_RESTART_ON_FAILURE",
    "COSMOVISOR_MAX_RESTARTS",
    "COSMOVISOR_RESTART_ON_FAILURE_DELAY",
    "COSMOVISOR_ROLLBACK_ON_FAILURE",
    "COSMOVISOR_PROBATION",
    "COSMOVISOR_BACKUP_STRATEGY",
    "COSMOVISOR_BACKUP_KEEP",
    "COSMOVISOR_ROLLBACK_RESTORE_DATA",
    "COSMOVISOR_ALLOW_WEAK_CHECKSUMS",
    "COSMOVISOR_METRICS_LISTEN",
];

/// The stop grace when `DAEMON_SHUTDOWN_GRACE` is unset: Cosmovisor kills at once, which
/// loses a database's unflushed writes; ours asks the node to stop and waits this long.
pub(crate) const DEFAULT_GRACE: Duration = Duration::from_secs(15);

/// The configuration of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) home: PathBuf,
    pub(crate) name: String,
    pub(crate) allow_download: bool,
    pub(crate) must_have_checksum: bool,
    pub(crate) restart_after_upgrade: bool,
    pub(crate) restart_delay: Duration,
    pub(crate) shutdown_grace: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) data_backup_dir: PathBuf,
    pub(crate) unsafe_skip_backup: bool,
    pub(crate) preupgrade_max_retries: u32,
    pub(crate) grpc_address: String,
    pub(crate) disable_logs: bool,
    pub(crate) color_logs: bool,
    pub(crate) timeformat_logs: String,
    /// Our own log lines as text or JSON.
    pub(crate) log_format: facekit::LogFormat,
    /// Our own log lines also go to this file, rotated by size.
    pub(crate) log_file: Option<PathBuf>,
    pub(crate) log_file_max_size: u64,
    pub(crate) log_file_keep: usize,
    pub(crate) custom_preupgrade: String,
    pub(crate) disable_recase: bool,
    /// Accept `md5:` and `sha1:` checksums in plans (broken; off unless the operator opts in).
    pub(crate) allow_weak_checksums: bool,
    /// The node's CometBFT RPC; empty: `rpc.laddr` of `config/config.toml`.
    pub(crate) rpc_address: String,
    pub(crate) restart_on_failure: bool,
    pub(crate) max_restarts: u64,
    pub(crate) restart_on_failure_delay: Duration,
    /// Switch back when the new binary fails within `probation` of its start.
    pub(crate) rollback_on_failure: bool,
    pub(crate) probation: Duration,
    /// How `data/` is backed up before a switch (`UNSAFE_SKIP_BACKUP` still means none).
    pub(crate) backup_strategy: Strategy,
    /// The newest backups kept; older ones the visor took are removed after a new one.
    pub(crate) backup_keep: usize,
    /// A rollback also puts back the backup taken before the failed upgrade.
    pub(crate) rollback_restore_data: bool,
    /// Serve Prometheus metrics here (empty: off).
    pub(crate) metrics_listen: String,
}

impl Config {
    /// `$DAEMON_HOME/cosmovisor`: the folder that belongs to the visor.
    pub(crate) fn root(&self) -> PathBuf {
        self.home.join("cosmovisor")
    }

    /// Whether a backup is taken before a switch.
    pub(crate) fn backups_on(&self) -> bool {
        !self.unsafe_skip_backup && self.backup_strategy != Strategy::None
    }

    /// How often the node's gRPC is asked for the chain's governance plan.
    pub(crate) fn grpc_poll_interval(&self) -> Duration {
        self.poll_interval.saturating_mul(10).clamp(Duration::from_secs(1), Duration::from_secs(30))
    }

    /// The node's CometBFT RPC address (`http://host:port`).
    pub(crate) fn rpc(&self) -> Result<url::Url, String> {
        let text = if self.rpc_address.is_empty() { rpc_laddr(&self.home) } else { self.rpc_address.clone() };
        let http = text.strip_prefix("tcp://").map_or_else(|| text.clone(), |rest| format!("http://{rest}"));
        let mut url =
            url::Url::parse(&http).map_err(|e| format!("the node's RPC address {text:?} is not an address: {e}"))?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(url)
    }
}

/// `rpc.laddr` of the node's `config/config.toml`, CometBFT's default if it says nothing.
fn rpc_laddr(home: &Path) -> String {
    let file = home.join("config").join("config.toml");
    visor_core::read_text_bounded(&file)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("rpc")?.get("laddr")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "tcp://127.0.0.1:26657".to_owned())
}

/// Where a variable's value came from, for the error messages.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    text: String,
    from: String,
}

/// Configuration errors, all of them.
#[derive(Debug, thiserror::Error)]
#[error("the configuration is invalid:\n  - {}", .0.join("\n  - "))]
pub(crate) struct ConfigErrors(pub(crate) Vec<String>);

/// A key of the configuration file that names no variable: ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnknownKey {
    /// What was found: "unknown key `x` in FILE, ignored".
    pub(crate) detail: String,
    /// What to do: the key probably meant (in the case the file uses; both cases are read), or
    /// to check the spelling.
    pub(crate) fix: String,
    /// The one-line warning: what was found, then the fix.
    pub(crate) message: String,
}

impl UnknownKey {
    fn new(key: &str, file: &Path, meant: Option<&str>) -> Self {
        let detail = format!("unknown key `{key}` in {}, ignored", file.display());
        let (fix, message) = match meant {
            Some(meant) => (format!("rename it to `{meant}`"), format!("{detail}; did you mean `{meant}`?")),
            None => (
                "check its spelling: the keys are the variables `cosmovisor help` lists, lower-cased or not".to_owned(),
                format!("{detail}; check its spelling"),
            ),
        };
        Self { detail, fix, message }
    }
}

/// Reads the configuration: the file at `file` (if given), then the environment over it.
/// Unknown keys of the file are ignored without a word: see [`load_noting`].
pub(crate) fn load(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    needs_backup_dir: bool,
) -> Result<Config, ConfigErrors> {
    load_noting(file, env, needs_backup_dir).0
}

/// Reads the configuration as [`load`] does, and says which keys of the file it ignored (also
/// when the configuration is invalid: a misspelt key may be why a variable is missing).
pub(crate) fn load_noting(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    needs_backup_dir: bool,
) -> (Result<Config, ConfigErrors>, Vec<UnknownKey>) {
    let mut errors = Vec::new();
    let mut unknown = Vec::new();
    let from_file = match file {
        Some(path) => read_file(path, &mut errors, &mut unknown),
        None => Vec::new(),
    };
    // An empty variable is unset, as viper reads it: the file's value stands.
    let get = |key: &str| -> Option<Value> {
        let file = || from_file.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        match env(key) {
            Some(text) if !text.is_empty() => Some(Value { text, from: key.to_owned() }),
            Some(text) => file().or(Some(Value { text, from: key.to_owned() })),
            None => file(),
        }
    };
    let config = parse(&get, &mut errors, needs_backup_dir);
    (if errors.is_empty() { Ok(config) } else { Err(ConfigErrors(errors)) }, unknown)
}

/// The file's keys, as the variables they stand for, with their values as text; the keys that
/// name no variable go to `unknown`.
fn read_file(path: &Path, errors: &mut Vec<String>, unknown: &mut Vec<UnknownKey>) -> Vec<(String, Value)> {
    let shown = path.display();
    let text = match visor_core::read_text_bounded(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("cannot read the configuration file {shown}: {e}"));
            return Vec::new();
        }
    };
    let table = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("the configuration file {shown} is not TOML: {e}"));
            return Vec::new();
        }
    };
    let mut values = Vec::new();
    for (key, value) in table {
        let var = key.to_ascii_uppercase();
        if !KEYS.contains(&var.as_str()) {
            // The key meant is given in the case the file uses (both are read).
            let upper = key == var;
            let known: Vec<String> =
                KEYS.iter().map(|k| if upper { (*k).to_owned() } else { k.to_ascii_lowercase() }).collect();
            let meant = facekit::suggest::closest(&key, known.iter().map(String::as_str));
            unknown.push(UnknownKey::new(&key, path, meant));
            continue;
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Boolean(b) => b.to_string(),
            // Durations as `init` writes them: integer nanoseconds.
            toml::Value::Integer(n) if is_duration(&var) => format!("{n}ns"),
            toml::Value::Integer(n) => n.to_string(),
            other => {
                errors.push(format!("{shown}: {key} = {other} is neither a string, a boolean nor a number"));
                continue;
            }
        };
        values.push((var, Value { text, from: format!("{key} in {shown}") }));
    }
    values
}

fn is_duration(var: &str) -> bool {
    matches!(
        var,
        "DAEMON_RESTART_DELAY"
            | "DAEMON_SHUTDOWN_GRACE"
            | "DAEMON_POLL_INTERVAL"
            | "COSMOVISOR_RESTART_ON_FAILURE_DELAY"
            | "COSMOVISOR_PROBATION"
    )
}

fn parse(get: &dyn Fn(&str) -> Option<Value>, errors: &mut Vec<String>, needs_backup_dir: bool) -> Config {
    let mut boolean = |key: &str, default: bool| -> bool {
        match get(key) {
            None => default,
            Some(v) if v.text.is_empty() => default,
            Some(v) => match v.text.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    errors.push(format!("{}: {:?} is not a boolean; use true or false", v.from, v.text));
                    default
                }
            },
        }
    };
    let allow_download = boolean("DAEMON_ALLOW_DOWNLOAD_BINARIES", false);
    let must_have_checksum = boolean("DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", false);
    let restart_after_upgrade = boolean("DAEMON_RESTART_AFTER_UPGRADE", true);
    let unsafe_skip_backup = boolean("UNSAFE_SKIP_BACKUP", false);
    let disable_logs = boolean("COSMOVISOR_DISABLE_LOGS", false);
    let color_logs = boolean("COSMOVISOR_COLOR_LOGS", true);
    let disable_recase = boolean("COSMOVISOR_DISABLE_RECASE", false);
    let allow_weak_checksums = boolean("COSMOVISOR_ALLOW_WEAK_CHECKSUMS", false);
    let restart_on_failure = boolean("COSMOVISOR_RESTART_ON_FAILURE", false);
    let rollback_on_failure = boolean("COSMOVISOR_ROLLBACK_ON_FAILURE", false);
    let rollback_restore_data = boolean("COSMOVISOR_ROLLBACK_RESTORE_DATA", false);
    let mut duration = |key: &str, default: Duration, positive: bool| -> Duration {
        match get(key) {
            None => default,
            Some(v) if v.text.is_empty() => default,
            Some(v) => match parse_go_duration(&v.text) {
                Ok(d) if positive && d.is_zero() => {
                    errors.push(format!("{}: {:?} must be more than zero", v.from, v.text));
                    default
                }
                Ok(d) => d,
                Err(e) => {
                    errors.push(format!("{}: {e}", v.from));
                    default
                }
            },
        }
    };
    let restart_delay = duration("DAEMON_RESTART_DELAY", Duration::ZERO, false);
    // 0, what Cosmovisor's own `init` writes for "unset", means the default too: killing at
    // once loses the database's unflushed writes.
    let shutdown_grace = match duration("DAEMON_SHUTDOWN_GRACE", DEFAULT_GRACE, false) {
        d if d.is_zero() => DEFAULT_GRACE,
        d => d,
    };
    let poll_interval = duration("DAEMON_POLL_INTERVAL", Duration::from_millis(300), true);
    let restart_on_failure_delay = duration("COSMOVISOR_RESTART_ON_FAILURE_DELAY", Duration::from_secs(5), false);
    let probation = duration("COSMOVISOR_PROBATION", Duration::from_secs(60), true);
    let mut number = |key: &str, default: u64| -> u64 {
        match get(key) {
            None => default,
            Some(v) if v.text.is_empty() => default,
            Some(v) => v.text.trim().parse().unwrap_or_else(|_| {
                errors.push(format!("{}: {:?} is not a whole number", v.from, v.text));
                default
            }),
        }
    };
    let preupgrade_max_retries = u32::try_from(number("DAEMON_PREUPGRADE_MAX_RETRIES", 0)).unwrap_or(u32::MAX);
    let max_restarts = number("COSMOVISOR_MAX_RESTARTS", 5);
    let backup_keep = number("COSMOVISOR_BACKUP_KEEP", visor_core::backup::DEFAULT_KEEP as u64);
    let backup_keep = match (backup_keep, get("COSMOVISOR_BACKUP_KEEP")) {
        (0, Some(v)) => {
            errors.push(format!(
                "{}: 0 would keep no backup, not even the one just taken; to take none, set UNSAFE_SKIP_BACKUP=true or \
                 COSMOVISOR_BACKUP_STRATEGY=none",
                v.from
            ));
            visor_core::backup::DEFAULT_KEEP
        }
        (n, _) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let backup_strategy = match get("COSMOVISOR_BACKUP_STRATEGY") {
        None => Strategy::Snapshot,
        Some(v) if v.text.trim().is_empty() => Strategy::Snapshot,
        Some(v) => v.text.trim().to_ascii_lowercase().parse().unwrap_or_else(|e| {
            errors.push(format!("{}: {e}", v.from));
            Strategy::Snapshot
        }),
    };
    let backups_on = !unsafe_skip_backup && backup_strategy != Strategy::None;
    // Said now rather than found missing at the rollback it was meant for.
    if rollback_restore_data && !rollback_on_failure {
        errors.push(
            "COSMOVISOR_ROLLBACK_RESTORE_DATA=true restores data only with a rollback: set \
             COSMOVISOR_ROLLBACK_ON_FAILURE=true too, or unset it"
                .to_owned(),
        );
    }
    if rollback_restore_data && !backups_on {
        errors.push(
            "COSMOVISOR_ROLLBACK_RESTORE_DATA=true needs the backup taken before the upgrade, but backups are off \
             (UNSAFE_SKIP_BACKUP=true or COSMOVISOR_BACKUP_STRATEGY=none): turn them on, or unset it"
                .to_owned(),
        );
    }
    let text = |key: &str, default: &str| get(key).map_or_else(|| default.to_owned(), |v| v.text);

    let home_value = get("DAEMON_HOME");
    let home = match &home_value {
        None => {
            errors.push(
                "DAEMON_HOME is not set: set it to the node's home folder (the one that holds cosmovisor/)".into(),
            );
            PathBuf::new()
        }
        Some(v) if v.text.is_empty() => {
            errors.push(format!("{} is empty: set it to the node's home folder", v.from));
            PathBuf::new()
        }
        Some(v) => {
            let path = PathBuf::from(&v.text);
            if !path.is_absolute() {
                errors.push(format!("{}: {:?} must be an absolute path", v.from, v.text));
            } else if let Err(e) = home_folders(&path) {
                errors.push(format!("{}: {e}", v.from));
            }
            path
        }
    };
    let name = match get("DAEMON_NAME") {
        None => {
            errors.push("DAEMON_NAME is not set: set it to the file name of the node's binary (e.g. gaiad)".into());
            String::new()
        }
        Some(v) if v.text.is_empty() => {
            errors.push(format!("{} is empty: set it to the file name of the node's binary (e.g. gaiad)", v.from));
            String::new()
        }
        Some(v) => {
            if let Err(e) = visor_core::check_file_name(&v.text) {
                errors.push(format!("{}: {e}", v.from));
            }
            v.text
        }
    };
    let data_backup_dir = match get("DAEMON_DATA_BACKUP_DIR") {
        None => home.clone(),
        Some(v) => {
            let path = PathBuf::from(&v.text);
            if needs_backup_dir && backups_on {
                if v.text.is_empty() {
                    errors
                        .push(format!("{} is empty: set it to an existing absolute folder, or leave it unset", v.from));
                } else if !path.is_absolute() {
                    errors.push(format!("{}: {:?} must be an absolute path", v.from, v.text));
                } else if !path.is_dir() {
                    errors.push(format!("{}: {} is not an existing folder", v.from, path.display()));
                }
            }
            path
        }
    };
    let timeformat_logs = text("COSMOVISOR_TIMEFORMAT_LOGS", "kitchen");
    const FORMATS: &[&str] = &[
        "layout",
        "ansic",
        "unixdate",
        "rubydate",
        "rfc822",
        "rfc822z",
        "rfc850",
        "rfc1123",
        "rfc1123z",
        "rfc3339",
        "rfc3339nano",
        "kitchen",
        "",
    ];
    if !FORMATS.contains(&timeformat_logs.as_str()) {
        errors.push(format!(
            "COSMOVISOR_TIMEFORMAT_LOGS: {timeformat_logs:?} is not one of {}",
            FORMATS[..FORMATS.len() - 1].join(", ")
        ));
    }
    let metrics_listen = text("COSMOVISOR_METRICS_LISTEN", "");
    if !metrics_listen.is_empty()
        && let Err(e) = visor_core::telemetry::parse_listen(&metrics_listen)
    {
        errors.push(format!("COSMOVISOR_METRICS_LISTEN: {e}"));
    }
    let log_format = log_setting(get, errors, "COSMOVISOR_LOG_FORMAT", facekit::parse_log_format)
        .unwrap_or(facekit::LogFormat::Text);
    let log_file = log_setting(get, errors, "COSMOVISOR_LOG_FILE", |t| Ok(PathBuf::from(t)));
    let log_file_max_size = log_setting(get, errors, "COSMOVISOR_LOG_FILE_MAX_SIZE", facekit::parse_size)
        .unwrap_or(facekit::LOG_FILE_MAX_SIZE);
    let log_file_keep =
        log_setting(get, errors, "COSMOVISOR_LOG_FILE_KEEP", facekit::parse_keep).unwrap_or(facekit::LOG_FILE_KEEP);
    let custom_preupgrade = text("COSMOVISOR_CUSTOM_PREUPGRADE", "");
    if !custom_preupgrade.is_empty()
        && let Err(e) = visor_core::check_file_name(&custom_preupgrade)
    {
        errors.push(format!("COSMOVISOR_CUSTOM_PREUPGRADE: {e} (it names a file in $DAEMON_HOME/cosmovisor)"));
    }
    Config {
        home,
        name,
        allow_download,
        must_have_checksum,
        restart_after_upgrade,
        restart_delay,
        shutdown_grace,
        poll_interval,
        data_backup_dir,
        unsafe_skip_backup,
        preupgrade_max_retries,
        grpc_address: text("DAEMON_GRPC_ADDRESS", "localhost:9090"),
        disable_logs,
        color_logs,
        timeformat_logs,
        log_format,
        log_file,
        log_file_max_size,
        log_file_keep,
        custom_preupgrade,
        disable_recase,
        allow_weak_checksums,
        rpc_address: text("COSMOVISOR_RPC_ADDRESS", ""),
        restart_on_failure,
        max_restarts,
        restart_on_failure_delay,
        rollback_on_failure,
        probation,
        backup_strategy,
        backup_keep,
        rollback_restore_data,
        metrics_listen,
    }
}

/// What is wrong with the home `path` and its `cosmovisor/` folder, if anything. A folder that
/// cannot be looked at is said as such, with who owns it and who we run as, never as missing.
fn home_folders(path: &Path) -> Result<(), String> {
    match look(path) {
        Look::Folder => {}
        Look::Missing => return Err(format!("{} does not exist: set it to the node's home folder", path.display())),
        Look::Other => return Err(format!("{} is not a folder", path.display())),
        Look::Refused(why) => return Err(format!("{} cannot be read: {why}", path.display())),
    }
    let root = path.join("cosmovisor");
    match look(&root) {
        Look::Folder => Ok(()),
        Look::Missing => Err(format!(
            "{} has no cosmovisor/ folder; run `cosmovisor init <path to the node's binary>` first",
            path.display()
        )),
        Look::Other => Err(format!("{} is not a folder; move it aside, then run `cosmovisor init`", root.display())),
        Look::Refused(why) => Err(format!("{} cannot be read: {why}", root.display())),
    }
}

/// What is at a path, as far as this user can tell.
pub(crate) enum Look {
    Folder,
    /// Something that is not a folder.
    Other,
    Missing,
    /// It cannot be looked at: why, and what to do.
    Refused(String),
}

/// What is at `path` (links followed). A refusal is explained (the folder that refused, its
/// owner, the user we run as, the fix).
pub(crate) fn look(path: &Path) -> Look {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Look::Folder,
        Ok(_) => Look::Other,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Look::Missing,
        Err(e) => Look::Refused(visor_core::access::explain_denied(path, &e).unwrap_or_else(|| e.to_string())),
    }
}

/// A log setting, read by the face kit's parser (as the other faces' flags are); unset if empty
/// or invalid (the error is collected).
fn log_setting<T>(
    get: &dyn Fn(&str) -> Option<Value>,
    errors: &mut Vec<String>,
    key: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Option<T> {
    let v = get(key).filter(|v| !v.text.trim().is_empty())?;
    parse(&v.text).map_err(|e| errors.push(format!("{}: {e}", v.from))).ok()
}

mod show;
pub(crate) use show::{to_toml, values};

#[cfg(test)]
mod tests;
