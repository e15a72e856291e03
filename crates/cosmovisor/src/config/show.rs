//! The configuration in use, shown: `config`'s listing and the TOML file `init` writes.

use super::{Config, go_duration};

/// Every variable and its value, as `config` prints them.
pub(crate) fn values(config: &Config) -> Vec<(&'static str, String)> {
    let d = go_duration;
    vec![
        ("DAEMON_HOME", config.home.display().to_string()),
        ("DAEMON_NAME", config.name.clone()),
        ("DAEMON_ALLOW_DOWNLOAD_BINARIES", config.allow_download.to_string()),
        ("DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM", config.must_have_checksum.to_string()),
        ("DAEMON_RESTART_AFTER_UPGRADE", config.restart_after_upgrade.to_string()),
        ("DAEMON_RESTART_DELAY", d(config.restart_delay)),
        ("DAEMON_SHUTDOWN_GRACE", d(config.shutdown_grace)),
        ("DAEMON_POLL_INTERVAL", d(config.poll_interval)),
        ("DAEMON_DATA_BACKUP_DIR", config.data_backup_dir.display().to_string()),
        ("UNSAFE_SKIP_BACKUP", config.unsafe_skip_backup.to_string()),
        ("DAEMON_PREUPGRADE_MAX_RETRIES", config.preupgrade_max_retries.to_string()),
        ("DAEMON_GRPC_ADDRESS", config.grpc_address.clone()),
        ("COSMOVISOR_DISABLE_LOGS", config.disable_logs.to_string()),
        ("COSMOVISOR_COLOR_LOGS", config.color_logs.to_string()),
        ("COSMOVISOR_TIMEFORMAT_LOGS", config.timeformat_logs.clone()),
        ("COSMOVISOR_LOG_FORMAT", config.log_format.name().to_owned()),
        ("COSMOVISOR_LOG_FILE", config.log_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default()),
        ("COSMOVISOR_LOG_FILE_MAX_SIZE", facekit::format_size(config.log_file_max_size)),
        ("COSMOVISOR_LOG_FILE_KEEP", config.log_file_keep.to_string()),
        ("COSMOVISOR_CUSTOM_PREUPGRADE", config.custom_preupgrade.clone()),
        ("COSMOVISOR_DISABLE_RECASE", config.disable_recase.to_string()),
        ("COSMOVISOR_ALLOW_WEAK_CHECKSUMS", config.allow_weak_checksums.to_string()),
        ("COSMOVISOR_RPC_ADDRESS", config.rpc_address.clone()),
        ("COSMOVISOR_RESTART_ON_FAILURE", config.restart_on_failure.to_string()),
        ("COSMOVISOR_MAX_RESTARTS", config.max_restarts.to_string()),
        ("COSMOVISOR_RESTART_ON_FAILURE_DELAY", d(config.restart_on_failure_delay)),
        ("COSMOVISOR_ROLLBACK_ON_FAILURE", config.rollback_on_failure.to_string()),
        ("COSMOVISOR_PROBATION", d(config.probation)),
        ("COSMOVISOR_BACKUP_STRATEGY", config.backup_strategy.to_string()),
        ("COSMOVISOR_BACKUP_KEEP", config.backup_keep.to_string()),
        ("COSMOVISOR_ROLLBACK_RESTORE_DATA", config.rollback_restore_data.to_string()),
        ("COSMOVISOR_METRICS_LISTEN", config.metrics_listen.clone()),
    ]
}

/// The file `init` writes: every key lower-cased, durations as Go strings (readable, and read
/// back by us and by Cosmovisor alike).
pub(crate) fn to_toml(config: &Config) -> String {
    let mut table = toml::Table::new();
    for (key, value) in values(config) {
        let key = key.to_ascii_lowercase();
        let v = match value.as_str() {
            "true" => toml::Value::Boolean(true),
            "false" => toml::Value::Boolean(false),
            _ if [
                "daemon_preupgrade_max_retries",
                "cosmovisor_max_restarts",
                "cosmovisor_backup_keep",
                "cosmovisor_log_file_keep",
            ]
            .contains(&key.as_str()) =>
            {
                toml::Value::Integer(value.parse().unwrap_or(0))
            }
            _ => toml::Value::String(value),
        };
        table.insert(key, v);
    }
    // Durations as Go writes them, not Rust's Debug.
    for (key, d) in [
        ("daemon_restart_delay", config.restart_delay),
        ("daemon_shutdown_grace", config.shutdown_grace),
        ("daemon_poll_interval", config.poll_interval),
        ("cosmovisor_restart_on_failure_delay", config.restart_on_failure_delay),
        ("cosmovisor_probation", config.probation),
    ] {
        table.insert(key.to_owned(), toml::Value::String(go_duration(d)));
    }
    table.to_string()
}
