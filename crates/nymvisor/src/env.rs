//! The environment variables of Nymvisor. Each overrides the matching configuration key (the
//! environment wins over arguments and the file). A variable that is set but invalid is an
//! error naming the variable and the accepted forms.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// A variable set to something it cannot be.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}={value:?} is invalid: expected {expected}; fix or unset it")]
pub(crate) struct EnvError {
    pub(crate) name: &'static str,
    pub(crate) value: String,
    pub(crate) expected: &'static str,
}

/// Every variable, read once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Env {
    pub(crate) id: Option<String>,
    pub(crate) config_path: Option<PathBuf>,
    pub(crate) upstream_base_upgrade_url: Option<Url>,
    pub(crate) upstream_polling_rate: Option<Duration>,
    pub(crate) disable_logs: Option<bool>,
    pub(crate) upgrade_data_directory: Option<PathBuf>,
    pub(crate) daemon_name: Option<String>,
    pub(crate) daemon_home: Option<PathBuf>,
    pub(crate) absolute_upstream_upgrade_url: Option<Url>,
    pub(crate) allow_binaries_download: Option<bool>,
    pub(crate) enforce_download_checksum: Option<bool>,
    pub(crate) restart_after_upgrade: Option<bool>,
    pub(crate) restart_on_failure: Option<bool>,
    pub(crate) failure_restart_delay: Option<Duration>,
    pub(crate) max_startup_failures: Option<usize>,
    pub(crate) startup_period_duration: Option<Duration>,
    pub(crate) shutdown_grace_period: Option<Duration>,
    pub(crate) backup_data_directory: Option<PathBuf>,
    pub(crate) unsafe_skip_backup: Option<bool>,
    pub(crate) backup_strategy: Option<visor_core::backup::Strategy>,
    pub(crate) backup_keep: Option<usize>,
    pub(crate) restore_on_rollback: Option<bool>,
}

/// `true/false/1/0` (and `t/f`), any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        _ => None,
    }
}

/// `10s`, `2m`, `1h 30m`, `500ms`.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text.trim()).ok()
}

impl Env {
    /// Reads the process environment.
    pub(crate) fn read() -> Result<Self, EnvError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let invalid = |name: &'static str, value: &str, expected: &'static str| EnvError {
            name,
            value: value.to_owned(),
            expected,
        };
        let text = |name: &'static str| get(name).filter(|v| !v.is_empty());
        let boolean = |name: &'static str| -> Result<Option<bool>, EnvError> {
            text(name).map(|v| parse_bool(&v).ok_or_else(|| invalid(name, &v, "true, false, 1 or 0"))).transpose()
        };
        let duration = |name: &'static str| -> Result<Option<Duration>, EnvError> {
            text(name)
                .map(|v| parse_duration(&v).ok_or_else(|| invalid(name, &v, "a duration such as 10s, 2m or 1h 30m")))
                .transpose()
        };
        let url = |name: &'static str| -> Result<Option<Url>, EnvError> {
            text(name).map(|v| Url::parse(&v).map_err(|_| invalid(name, &v, "an absolute URL"))).transpose()
        };
        let path = |name: &'static str| text(name).map(PathBuf::from);
        let allow_download = match boolean("DAEMON_ALLOW_BINARIES_DOWNLOAD")? {
            Some(v) => Some(v),
            // The guide spells it both ways.
            None => boolean("DAEMON_ALLOW_DOWNLOAD_BINARIES")?,
        };
        Ok(Self {
            id: text("NYMVISOR_ID"),
            config_path: path("NYMVISOR_CONFIG_PATH"),
            upstream_base_upgrade_url: url("NYMVISOR_UPSTREAM_BASE_UPGRADE_URL")?,
            upstream_polling_rate: duration("NYMVISOR_UPSTREAM_POLLING_RATE")?,
            disable_logs: boolean("NYMVISOR_DISABLE_LOGS")?,
            upgrade_data_directory: path("NYMVISOR_UPGRADE_DATA_DIRECTORY"),
            daemon_name: text("DAEMON_NAME"),
            daemon_home: path("DAEMON_HOME"),
            absolute_upstream_upgrade_url: url("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL")?,
            allow_binaries_download: allow_download,
            enforce_download_checksum: boolean("DAEMON_ENFORCE_DOWNLOAD_CHECKSUM")?,
            restart_after_upgrade: boolean("DAEMON_RESTART_AFTER_UPGRADE")?,
            restart_on_failure: boolean("DAEMON_RESTART_ON_FAILURE")?,
            failure_restart_delay: duration("DAEMON_FAILURE_RESTART_DELAY")?,
            max_startup_failures: text("DAEMON_MAX_STARTUP_FAILURES")
                .map(|v| v.trim().parse().map_err(|_| invalid("DAEMON_MAX_STARTUP_FAILURES", &v, "a whole number")))
                .transpose()?,
            startup_period_duration: duration("DAEMON_STARTUP_PERIOD_DURATION")?,
            shutdown_grace_period: duration("DAEMON_SHUTDOWN_GRACE_PERIOD")?,
            backup_data_directory: path("DAEMON_BACKUP_DATA_DIRECTORY"),
            unsafe_skip_backup: boolean("DAEMON_UNSAFE_SKIP_BACKUP")?,
            backup_strategy: text("DAEMON_BACKUP_STRATEGY")
                .map(|v| {
                    v.parse()
                        .map_err(|_| invalid("DAEMON_BACKUP_STRATEGY", &v, "snapshot, copy, tar.zst, tar.gz or none"))
                })
                .transpose()?,
            backup_keep: text("DAEMON_BACKUP_KEEP")
                .map(|v| {
                    v.trim()
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| invalid("DAEMON_BACKUP_KEEP", &v, "a whole number of at least 1"))
                })
                .transpose()?,
            restore_on_rollback: boolean("DAEMON_RESTORE_ON_ROLLBACK")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<Env, EnvError> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::from_lookup(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn booleans_durations_and_both_spellings() {
        let e = env(&[
            ("DAEMON_RESTART_ON_FAILURE", "0"),
            ("DAEMON_UNSAFE_SKIP_BACKUP", "TRUE"),
            ("DAEMON_FAILURE_RESTART_DELAY", "1m 30s"),
            ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "false"),
        ])
        .unwrap();
        assert_eq!(e.restart_on_failure, Some(false));
        assert_eq!(e.unsafe_skip_backup, Some(true));
        assert_eq!(e.failure_restart_delay, Some(Duration::from_secs(90)));
        assert_eq!(e.allow_binaries_download, Some(false));
        let e = env(&[("DAEMON_ALLOW_BINARIES_DOWNLOAD", "1"), ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "0")]).unwrap();
        assert_eq!(e.allow_binaries_download, Some(true), "the documented spelling wins");
    }

    #[test]
    fn invalid_values_name_the_variable_and_the_forms() {
        let e = env(&[("DAEMON_RESTART_ON_FAILURE", "yes")]).unwrap_err().to_string();
        assert!(
            e.contains("DAEMON_RESTART_ON_FAILURE") && e.contains("\"yes\"") && e.contains("true, false, 1 or 0"),
            "{e}"
        );
        let e = env(&[("DAEMON_SHUTDOWN_GRACE_PERIOD", "ten")]).unwrap_err().to_string();
        assert!(e.contains("DAEMON_SHUTDOWN_GRACE_PERIOD") && e.contains("10s"), "{e}");
        let e = env(&[("DAEMON_MAX_STARTUP_FAILURES", "-1")]).unwrap_err().to_string();
        assert!(e.contains("DAEMON_MAX_STARTUP_FAILURES"), "{e}");
        let e = env(&[("NYMVISOR_UPSTREAM_BASE_UPGRADE_URL", "not a url")]).unwrap_err().to_string();
        assert!(e.contains("NYMVISOR_UPSTREAM_BASE_UPGRADE_URL"), "{e}");
    }
}
