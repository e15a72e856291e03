//! `visor init`: a new home folder with commented configuration files.

use std::path::Path;

use anyhow::bail;

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
# from the folder named after the tag, e.g. "v0.74.3" (what such a folder holds:
# run-config.toml.example). Read when an upgrade is announced and when it is due.
[upgradeFolders]
  # "v0.74.3" = "v0.74.3-patched"

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

/// The file beside `config.toml` that shows what a release folder prepared by hand holds.
pub(crate) const RELEASE_EXAMPLE: &str = "run-config.toml.example";

/// The commented `run-config.toml` of the release `name`.
pub(crate) fn run_config_toml(name: &str, with_data_node: bool) -> String {
    format!(
        "# Run configuration of the release \"{name}\": what the visor runs for it. Read at every start\n\
         # of the node, so an edit applies at the next restart or upgrade. Every key: docs/visor.md.\n{}",
        run_config_body(name, with_data_node)
    )
}

/// `run-config.toml.example`: how to prepare a release folder by hand, and every key.
pub(crate) fn release_example_toml(with_data_node: bool) -> String {
    format!(
        r#"# What a release folder you prepare by hand holds (when autoInstall is off, or to run your own
# build). This file is an example: the visor never reads it.
#
# The folder sits in the home and is named after the release tag the core announces (or after
# what [upgradeFolders] in config.toml maps the tag to). It holds the binary and a
# run-config.toml (this file, filled in):
#
#   <home>/v0.74.3/vega               the release's binary, executable
#   <home>/v0.74.3/run-config.toml    what to run
#
# The quickest way is a copy of the running release's run configuration, whose arguments and
# admin socket are already right; then change what the new release changes (usually nothing but
# `name`). Prepare it under another name and rename it: a folder is used once it has its name.
#
#   mkdir <home>/v0.74.3.new
#   cp /path/to/vega <home>/v0.74.3.new/vega && chmod +x <home>/v0.74.3.new/vega
#   cp <home>/current/run-config.toml <home>/v0.74.3.new/run-config.toml
#   mv <home>/v0.74.3.new <home>/v0.74.3
#
# The visor checks the folder as soon as the upgrade is announced and says what is wrong, and
# at the upgrade checks that the binary answers `vega version --output json` with the tag.
{}"#,
        run_config_body("v0.74.3", with_data_node)
    )
}

/// The keys of a run configuration, each with what it means and whether it is required.
fn run_config_body(name: &str, with_data_node: bool) -> String {
    let mut text = format!(
        r#"
# Optional: free text naming the release; the release tag is a good choice (it is not checked
# against the folder's name).
name = "{name}"

# Required: the Vega core.
[vega]
  [vega.binary]
    # Required: the binary, an absolute path or a path relative to this release folder ("vega"
    # is the file `vega` beside this file).
    path = "vega"
    # Optional: its arguments, one element per argument (no shell parsing), for example
    # ["start", "--home", "/home/vega/vega_home", "--tendermint-home", "/home/vega/tm_home"].
    args = ["arg1", "arg2", "..."]
  # Required: the core's admin endpoint, where the visor learns about upgrades: the values of
  # the [Admin.Server] section of the core's own config.toml.
  [vega.rpc]
    # Required: SocketPath, the admin socket's path.
    socketPath = ""
    # Required: HTTPPath; the core's default is "/rpc".
    httpPath = "/rpc"
"#
    );
    let data_node = r#"
# Optional: the data node (without this table the core runs alone). Started with the core,
# stopped and restarted with it.
[data_node]
  [data_node.binary]
    # Required in [data_node]: usually the vega binary itself, run as `vega datanode start ...`.
    path = "vega"
    # Optional: its arguments.
    args = ["datanode", "start", "--home", "/home/vega/vega_home"]
"#;
    if with_data_node {
        text.push_str(data_node);
    } else {
        text.push_str("\n# To run a data node too, uncomment this table:\n");
        for line in data_node.lines().skip_while(|l| l.is_empty()) {
            text.push_str(&format!("# {line}\n").replace("# # ", "# "));
        }
    }
    text
}

/// What `init` made and what the operator does next, as `init` prints it.
pub(crate) fn next_steps(home: &Path, with_data_node: bool) -> String {
    let h = home.display();
    let (what, args) = if with_data_node {
        (
            "the core and the data node",
            "the core's arguments (vega.binary.args), its admin socket (vega.rpc.socketPath: the\n     \
             core's [Admin.Server] SocketPath) and the data node's arguments (data_node.binary.args)",
        )
    } else {
        (
            "the core",
            "the core's arguments (vega.binary.args) and its admin socket (vega.rpc.socketPath:\n     \
             the core's [Admin.Server] SocketPath)",
        )
    };
    format!(
        "Created the visor home {h}:
  config.toml              the visor's settings, every key commented (re-read when saved)
  genesis/run-config.toml  what the first release runs: {what}
  {RELEASE_EXAMPLE}  what a release folder prepared by hand holds

Next steps:
  1. Put the genesis binary in the genesis folder:
       cp /path/to/vega {h}/genesis/vega
  2. Edit {h}/genesis/run-config.toml:
     {args}.
  3. Upgrades: with [autoInstall] enabled (as written), each release is downloaded from GitHub
     and checked as soon as the core announces it. To prepare one by hand, make a folder named
     after the release tag with the binary and a run-config.toml (a copy of the running one):
       {h}/v0.74.3/vega
       {h}/v0.74.3/run-config.toml
     {RELEASE_EXAMPLE} shows how, and every key.
  4. Check it without running anything, then start it and see what it does:
       visor check --home {h}
       visor run --home {h}
       visor status --home {h}
       visor plan --home {h}        (the announced upgrade and its release folder)
     As a service: packaging/systemd/visor.service.

Every key and command: docs/visor.md ({DOCS})
"
    )
}

/// The operator's reference.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/visor.md");

/// Creates a new home at `home`; returns what it made and the next steps, for the operator.
pub(crate) fn init(home: &Path, with_data_node: bool) -> anyhow::Result<String> {
    if home.exists() {
        let holds_files = std::fs::read_dir(home).map_err(|e| refused(home, home, "read", &e))?.next().is_some();
        if holds_files || !home.is_dir() {
            bail!(
                "home folder {} already exists and holds files; choose a new or empty folder (init never overwrites a home)",
                home.display()
            );
        }
    }
    let genesis = home.join("genesis");
    // Asked before anything is made: a refusal leaves nothing half made.
    if let Err(e) = visor_core::access::may_make(&genesis) {
        return Err(refused(home, &genesis, "create", &e));
    }
    visor_core::create_dir_durable(&genesis).map_err(|e| refused(home, &genesis, "create", &e))?;
    for (file, text) in [
        (genesis.join(RUN_CONFIG), run_config_toml("genesis", with_data_node)),
        (home.join(RELEASE_EXAMPLE), release_example_toml(with_data_node)),
        (home.join("config.toml"), config_toml()),
    ] {
        tracing::debug!(file = %file.display(), "writing");
        visor_core::write_atomic(&file, text.as_bytes(), 0o600).map_err(|e| refused(home, &file, "write", &e))?;
    }
    Ok(next_steps(home, with_data_node))
}

/// `init` could not `action` (read, create, write) `path` of the new `home`: the folder that
/// refused, whose it is, and what to do. A home that is not there yet is what cannot be made.
fn refused(home: &Path, path: &Path, action: &str, error: &std::io::Error) -> anyhow::Error {
    let what = if action == "create" && !home.exists() { home } else { path };
    match visor_core::access::explain_making(home, path, error) {
        Some(why) => anyhow::anyhow!("cannot {action} {}: {error}; {why}", what.display()),
        None => anyhow::anyhow!("cannot {action} {}: {error}", what.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_reads_as_a_run_configuration_that_asks_for_its_socket() {
        for with_data_node in [false, true] {
            let text = release_example_toml(with_data_node);
            let e = crate::run_config::parse(Path::new("/home/v0.74.3"), &text).unwrap_err().to_string();
            assert!(e.contains("vega.rpc.socketPath") && e.contains("empty"), "{e}");
            assert!(e.contains("vega.binary.args") && e.contains("placeholders"), "{e}");
            let filled = text
                .replace("socketPath = \"\"", "socketPath = \"/run/vega.sock\"")
                .replace("args = [\"arg1\", \"arg2\", \"...\"]", "args = [\"start\"]");
            let spec = crate::run_config::parse(Path::new("/home/v0.74.3"), &filled).unwrap();
            assert_eq!(spec.processes.len(), if with_data_node { 2 } else { 1 }, "{text}");
            assert_eq!(spec.processes[0].program, Path::new("/home/v0.74.3/vega"));
        }
    }
}
