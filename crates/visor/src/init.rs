//! `visor init`: a new home folder with commented configuration files.

use std::path::Path;

use anyhow::{Context, bail};

use crate::config::defaults;
use crate::run_config::RUN_CONFIG;

/// The Go names of the host's OS and architecture, as Vega's release assets use them.
pub(crate) fn host_os_arch() -> (&'static str, &'static str) {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    (std::env::consts::OS, arch)
}

/// The release asset for this host.
pub(crate) fn default_asset_name() -> String {
    crate::config::expand_asset_name(defaults::ASSET_NAME)
}

/// The commented `config.toml` that `init` writes.
pub(crate) fn config_toml() -> String {
    format!(
        r#"# Visor configuration (the format of Vega Visor's config.toml, plus a few keys of our own).
# The visor re-reads this file within a second of every save (and on SIGHUP); an invalid edit is
# reported and the previous settings stay. Each key says when a change takes effect. A key left
# out takes the value shown here.

# Failed polls of the core's admin endpoint tolerated while a release starts for the first time
# (first start, and first start after an upgrade) before the visor stops the node and exits
# (code 5). Failed polls are retried every 2 s, so {first} is about 4 days: time for a data node
# to restore a large database. Taken when the node is (re)started.
maxNumberOfFirstConnectionRetries = {first}

# The same, once the node has been restarted after a failure. Taken when the node is (re)started.
maxNumberOfRestartConnectionRetries = {restart_retries}

# How many times a failing node is restarted (within restartsWindowSeconds) before the visor
# exits (code 4). A process that exits by itself, even with status 0, is a failure.
# Taken when the node is (re)started.
maxNumberOfRestarts = {restarts}

# Seconds to wait before restarting a failed node. Taken when the node is (re)started.
restartsDelaySeconds = {delay}

# Restarts older than this many seconds stop counting against maxNumberOfRestarts; 0 counts
# them until the next upgrade, as Vega Visor does. Taken when the node is (re)started.
restartsWindowSeconds = {window}

# Seconds to wait, once the core is ready to upgrade, before stopping it (validators behind
# sentry nodes). Taken when the node is (re)started.
stopDelaySeconds = {stop_delay}

# Seconds the node's processes get to exit after SIGTERM before they are killed with SIGKILL.
# Taken when the node is (re)started.
stopSignalTimeoutSeconds = {stop_timeout}

# Milliseconds between two polls of the core's admin endpoint. Applies from the next poll.
pollIntervalMilliseconds = {poll}

# Milliseconds between two polls while an upgrade is announced: the core halts at the upgrade
# height, and it is seen ready within this time (the chain's downtime). Applies at once.
announcedPollIntervalMilliseconds = {announced_poll}

# Release tag -> folder (inside this home) holding that release. A tag not listed here runs
# from the folder named after the tag, e.g. "v0.74.3". Read when an upgrade is announced and
# when it is due.
[upgradeFolders]
  "vX.X.X" = "vX.X.X"

# Stage a release from GitHub as soon as the core announces an upgrade whose folder is missing:
# downloaded (verified against GitHub's digest when it publishes one), unpacked, checked and put
# in place well before the upgrade height, so the download is never downtime. A folder you
# prepare yourself is used as is. Read when an upgrade is announced.
[autoInstall]
  enabled = true
  repositoryOwner = "{owner}"
  repository = "{repo}"
  # The GitHub API: change it for GitHub Enterprise or a mirror. Set GITHUB_TOKEN in the visor's
  # environment for a higher API rate limit.
  apiBaseUrl = "{api}"
  # Seconds without progress before a request is given up (and retried).
  timeoutSeconds = {timeout}
  # The release asset and the binary inside it. {{os}} and {{arch}} become this machine's
  # platform as Vega names it (here: {os}/{arch}, so "{asset}").
  [autoInstall.asset]
    name = "{template}"
    binaryName = "vega"

# Backups of the node's data folders before each switch (not in Vega Visor; off until folders
# are named). Taken after the old node stopped and before `current` moves; see docs/backups.md.
# `visor backup list|verify|restore --home <home>` works with them.
# [backup]
#   folders = ["/home/vega/.vega/state"]
#   # snapshot (a reflink clone where the filesystem can, else a copy), copy, tar.zst, tar.gz
#   strategy = "snapshot"
#   keep = 2
#   # Relative to this folder, or absolute.
#   dir = "backups"
#   # With [rollback]: a release that fails its probation also gets its data back.
#   restoreOnRollback = false

# Probation (not in Vega Visor): a new release that spends its restart budget within this many
# seconds of the switch is rolled back to the one before. 0 = off.
# [rollback]
#   probationSeconds = 0
"#,
        first = defaults::FIRST_CONNECTION_RETRIES,
        restart_retries = defaults::RESTART_CONNECTION_RETRIES,
        restarts = defaults::MAX_RESTARTS,
        delay = defaults::RESTARTS_DELAY_SECONDS,
        window = defaults::RESTARTS_WINDOW_SECONDS,
        stop_delay = defaults::STOP_DELAY_SECONDS,
        stop_timeout = defaults::STOP_SIGNAL_TIMEOUT_SECONDS,
        poll = defaults::POLL_INTERVAL_MILLISECONDS,
        announced_poll = defaults::ANNOUNCED_POLL_INTERVAL_MILLISECONDS,
        owner = defaults::REPOSITORY_OWNER,
        repo = defaults::REPOSITORY,
        os = host_os_arch().0,
        arch = host_os_arch().1,
        asset = default_asset_name(),
        template = defaults::ASSET_NAME,
        api = defaults::API_BASE_URL,
        timeout = defaults::TIMEOUT_SECONDS,
    )
}

/// The commented `run-config.toml` of the release `name`.
pub(crate) fn run_config_toml(name: &str, with_data_node: bool) -> String {
    let mut text = format!(
        r#"# Run configuration of the release "{name}": what the visor runs for it. Read at every start
# of the node, so an edit applies at the next restart or upgrade.
name = "{name}"

# The Vega core.
[vega]
  [vega.binary]
    # The binary: an absolute path, or a path relative to this release folder.
    path = "vega"
    # Its arguments, one element per argument (no shell parsing), for example
    # ["start", "--home", "/home/vega/vega_home", "--tendermint-home", "/home/vega/tm_home"].
    args = ["arg1", "arg2", "..."]
  # The core's admin endpoint, where the visor learns about upgrades: the values of the
  # [Admin.Server] section of the core's own config.toml.
  [vega.rpc]
    # SocketPath; must be set.
    socketPath = ""
    # HTTPPath; the core's default is "/rpc".
    httpPath = "/rpc"
"#
    );
    if with_data_node {
        text.push_str(
            r#"
# The data node (remove this table to run the core only). Started with the core, stopped and
# restarted with it.
[data_node]
  [data_node.binary]
    # Usually the vega binary itself, run as `vega datanode start ...`.
    path = "vega"
    args = ["datanode", "start", "--home", "/home/vega/vega_home"]
"#,
        );
    }
    text
}

/// Creates a new home at `home`.
pub(crate) fn init(home: &Path, with_data_node: bool) -> anyhow::Result<()> {
    if home.exists() {
        let holds_files =
            std::fs::read_dir(home).with_context(|| format!("cannot read {}", home.display()))?.next().is_some();
        if holds_files || !home.is_dir() {
            bail!(
                "home folder {} already exists and holds files; choose a new or empty folder (init never overwrites a home)",
                home.display()
            );
        }
    }
    for (release, with_dn) in [("genesis", with_data_node), ("vX.X.X", with_data_node)] {
        let dir = home.join(release);
        tracing::info!(folder = %dir.display(), "creating the release folder");
        visor_core::create_dir_durable(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let file = dir.join(RUN_CONFIG);
        visor_core::write_atomic(&file, run_config_toml(release, with_dn).as_bytes(), 0o600)
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    let config = home.join("config.toml");
    tracing::info!(file = %config.display(), "writing the visor configuration");
    visor_core::write_atomic(&config, config_toml().as_bytes(), 0o600)
        .with_context(|| format!("cannot write {}", config.display()))?;
    Ok(())
}
