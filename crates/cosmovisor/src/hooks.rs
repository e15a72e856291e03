//! The upgrade's hooks, both run before `current` moves (so a refusal leaves the old release
//! current): the operator's script (`COSMOVISOR_CUSTOM_PREUPGRADE`, in `$DAEMON_HOME/cosmovisor`,
//! run with the upgrade's name and height in `$DAEMON_HOME`), then the new binary's
//! `pre-upgrade` with the SDK's exit codes: 0 done, 1 not implemented (go on), 30 refused,
//! 31 try again (`DAEMON_PREUPGRADE_MAX_RETRIES` more times).

use std::path::Path;
use std::time::Duration;

use crate::config::Config;

/// Checks the operator's script, if one is configured: at start (so a problem is said long
/// before the height) and again just before it runs. Returns its path.
pub(crate) fn check_custom_preupgrade(config: &Config) -> Result<Option<std::path::PathBuf>, String> {
    if config.custom_preupgrade.is_empty() {
        return Ok(None);
    }
    let script = config.root().join(&config.custom_preupgrade);
    let meta = std::fs::symlink_metadata(&script).map_err(|e| {
        format!("the pre-upgrade script {} (COSMOVISOR_CUSTOM_PREUPGRADE) cannot be run: {e}", script.display())
    })?;
    if !meta.is_file() {
        return Err(format!(
            "the pre-upgrade script {} is not a regular file (links are not followed)",
            script.display()
        ));
    }
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    let mode = meta.permissions().mode();
    // The visor runs it with its own rights: no other user may have written it.
    let me = nix::unistd::geteuid().as_raw();
    if mode & 0o002 != 0 || (meta.uid() != me && meta.uid() != 0) {
        return Err(format!(
            "the pre-upgrade script {} could have been written by another user (owner {}, mode {:o}); make it belong \
             to the visor's user (chown) and not writable by others (chmod o-w)",
            script.display(),
            meta.uid(),
            mode & 0o7777
        ));
    }
    if mode & 0o100 == 0 {
        // Through the folder, never following a link put there since the look above.
        visor_core::confine::Confined::open(&config.root())
            .and_then(|root| root.set_mode(Path::new(&config.custom_preupgrade), (mode | 0o100) & 0o7777))
            .map_err(|e| format!("cannot make {} executable: {e}", script.display()))?;
    }
    Ok(Some(script))
}

/// Runs the operator's script, if one is configured.
pub(crate) fn custom_preupgrade(
    config: &Config,
    upgrade: &str,
    height: Option<u64>,
    timeout: Duration,
) -> Result<(), String> {
    let Some(script) = check_custom_preupgrade(config)? else { return Ok(()) };
    let height = height.map(|h| h.to_string()).unwrap_or_default();
    tracing::info!(script = %script.display(), upgrade, height, "running the pre-upgrade script");
    let out =
        visor_core::supervise::run_helper_blocking_in(&script, [upgrade, height.as_str()], Some(&config.home), timeout)
            .map_err(|e| format!("cannot run the pre-upgrade script {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !stdout.trim().is_empty() {
        tracing::info!(output = %stdout.trim_end(), "the pre-upgrade script said");
    }
    if !out.status.success() {
        return Err(format!(
            "the pre-upgrade script {} failed ({}): {}; fix it, then start the visor again",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Runs `<binary> pre-upgrade` by the SDK's convention.
pub(crate) fn app_preupgrade(binary: &Path, max_retries: u32, timeout: Duration) -> Result<(), String> {
    for attempt in 0..=max_retries {
        let out = visor_core::supervise::run_helper_blocking(binary, ["pre-upgrade"], timeout)
            .map_err(|e| format!("cannot run {} pre-upgrade: {e}", binary.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !stdout.trim().is_empty() {
            tracing::info!(output = %stdout.trim_end(), "pre-upgrade said");
        }
        match out.status.code() {
            Some(0) => {
                tracing::info!(attempt, "pre-upgrade done");
                return Ok(());
            }
            Some(1) => {
                tracing::info!("pre-upgrade command does not exist; continuing the upgrade");
                return Ok(());
            }
            Some(30) => {
                return Err(format!(
                    "{} pre-upgrade refused the upgrade (exit 30): {}",
                    binary.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Some(31) => {
                tracing::warn!(
                    attempt,
                    retries_left = max_retries - attempt,
                    "pre-upgrade asked to try again (exit 31)"
                );
            }
            _ => {
                // Cosmovisor treats any other status as success; say it.
                tracing::warn!(
                    status = %out.status,
                    "pre-upgrade ended with a status the convention does not name (0 done, 1 not implemented, 30 \
                     refused, 31 try again); continuing the upgrade, as Cosmovisor does: if the binary meant to \
                     refuse it, make its pre-upgrade exit with 30"
                );
                return Ok(());
            }
        }
    }
    Err(format!(
        "{} pre-upgrade asked to try again {} times (exit 31); raise DAEMON_PREUPGRADE_MAX_RETRIES or fix the binary",
        binary.display(),
        max_retries + 1
    ))
}
