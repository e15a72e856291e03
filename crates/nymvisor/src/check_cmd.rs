//! `nymvisor check`: an instance checked without running its daemon — the configuration found
//! and read as `run` reads it, the data folder and its JSON files, `current` and its binary
//! (the build information it reports against the plan's), each queued upgrade's binary or
//! download, the upstream, and whether a nymvisor runs.

use std::time::Duration;

use facekit::check::{BinaryFixes, Checks, block_on};
use facekit::{Failure, Output};
use visor_core::supervise::ProcessSpec;
use visor_core::{CurrentLink, Exit, Home, NodeSpec, Protocol};

use crate::config::Config;
use crate::files::{BuildInfo, Layout, UpgradeHistory, UpgradeInfo, UpgradePlan, parse_json, read_json};

/// How long the upstream gets to answer a check.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);

/// `nymvisor check [-o json]`.
pub(crate) fn command(output: Output, log: &facekit::LogOptions) -> Result<Exit, Failure> {
    let mut checks = Checks::new();
    if let Some((config, layout)) = configuration(&mut checks, log) {
        instance(&mut checks, &config, &layout);
    }
    checks.finish(output)
}

/// The configuration, found and read as every command finds and reads it.
fn configuration(checks: &mut Checks, log: &facekit::LogOptions) -> Option<(Config, Layout)> {
    let env = match crate::env::Env::read() {
        Ok(env) => env,
        Err(e) => {
            checks.fail("environment", e.to_string(), "fix or unset the variable named");
            return None;
        }
    };
    let path = match crate::config::discover(&env) {
        Ok(path) => path,
        Err(e) => {
            checks.fail(
                "config",
                e.to_string(),
                "set NYMVISOR_ID or NYMVISOR_CONFIG_PATH to the instance, or create it with `nymvisor init`",
            );
            return None;
        }
    };
    let (config, warnings) = match crate::config::load_reporting(&path, &env) {
        Ok(loaded) => loaded,
        Err(e) => {
            checks.fail("config", e.to_string(), "fix the key named; `nymvisor init` writes every key");
            return None;
        }
    };
    crate::init_logging(config.nymvisor.disable_logs, log);
    checks.ok("config", format!("{} is valid (with the environment's overrides)", path.display()));
    for warning in warnings {
        checks.warn("config", warning, "fix the key's spelling, or remove it");
    }
    match Layout::new(&config) {
        Ok(layout) => Some((config, layout)),
        Err(e) => {
            checks.fail("config", e.to_string(), "set NYM_HOME_DIR or HOME, or NYMVISOR_UPGRADE_DATA_DIRECTORY");
            None
        }
    }
}

fn instance(checks: &mut Checks, config: &Config, layout: &Layout) {
    let init = "run `nymvisor init <daemon binary>` for this daemon";
    if !layout.data.is_dir() {
        checks.fail("data folder", format!("{} does not exist", layout.data.display()), init);
        return;
    }
    let home = Home::new(&layout.data);
    checks.lock(&home);
    let plan = match read_json::<UpgradePlan>(&layout.plan()) {
        Ok(plan) => {
            checks.ok(
                "upgrade-plan.json",
                format!("current {} ({}), {} queued", plan.current.name, plan.current.version, plan.queued_up.len()),
            );
            plan
        }
        Err(e) if !layout.plan().exists() => {
            checks.fail("upgrade-plan.json", e.to_string(), init);
            return;
        }
        Err(e) => {
            checks.fail("upgrade-plan.json", e.to_string(), "fix the field named (or restore the file from a backup)");
            return;
        }
    };
    if layout.history().exists()
        && let Err(e) = read_json::<UpgradeHistory>(&layout.history())
    {
        checks.fail("upgrade-history.json", e.to_string(), "fix the field named (the next switch rewrites it)");
    }
    current(checks, layout, &home, &plan.current);
    upgrades(checks, config, layout);
    upstream(checks, config, layout);
}

/// The daemon binary of the release folder `dir`, as `run` runs it.
fn spec(layout: &Layout, dir: &std::path::Path) -> NodeSpec {
    let program = layout.binary(dir);
    NodeSpec {
        processes: vec![ProcessSpec { role: "daemon".to_owned(), program, args: vec![] }],
        protocol: Protocol::Daemon,
    }
}

/// The binary of `dir`, of `version` and build `identity` when the plan names them.
fn binary(checks: &mut Checks, check: &str, layout: &Layout, dir: &std::path::Path, info: &UpgradeInfo) {
    let path_fix = format!(
        "provide it: `nymvisor add-upgrade <binary> --upgrade-name {} --add-binary` (or copy it to {})",
        info.name,
        layout.binary(dir).display()
    );
    let identity_fix =
        format!("put the {} binary of version {} at {}", layout.daemon, info.version, layout.binary(dir).display());
    let fixes = BinaryFixes { path: &path_fix, identity: &identity_fix, makes_executable: true };
    let identity: Option<&BuildInfo> = info.binary_details.as_ref();
    match block_on(visor_core::check::check_binaries(&spec(layout, dir), Some(&info.version), identity)) {
        Ok(found) => checks.binaries(check, &found, &fixes),
        Err(e) => checks.fail(check, format!("cannot run the binary's checks: {e}"), "try again"),
    }
}

fn current(checks: &mut Checks, layout: &Layout, home: &Home, info: &UpgradeInfo) {
    let dir = match home.read_current() {
        Ok(CurrentLink::Release(name)) => {
            let dir = name.dir(&layout.data);
            if !dir.is_dir() {
                checks.fail(
                    "current",
                    format!("current -> {name}, which does not exist"),
                    format!("put {} back, or point current at the release that runs", dir.display()),
                );
                return;
            }
            let upgrade = crate::plan::upgrade_name(&name);
            if upgrade == info.name {
                checks.ok("current", format!("current -> {name}"));
            } else {
                checks.warn(
                    "current",
                    format!("current -> {name}, but upgrade-plan.json says the current upgrade is {}", info.name),
                    "point current at the release the plan names, or restore the plan that goes with it",
                );
            }
            dir
        }
        Ok(CurrentLink::Missing) => {
            checks.fail("current", format!("{} is missing", home.current().display()), "run `nymvisor init` first");
            return;
        }
        Ok(other) => {
            checks.warn(
                "current",
                format!("{} is not a link to a release folder ({other:?})", home.current().display()),
                "make it a link to genesis or upgrades/<name>",
            );
            home.current()
        }
        Err(e) => {
            checks.fail("current", format!("cannot read {}: {e}", home.current().display()), "make it a link");
            return;
        }
    };
    binary(checks, &format!("release {}", info.name), layout, &dir, info);
}

fn upgrades(checks: &mut Checks, config: &Config, layout: &Layout) {
    let planned = match crate::plan::planned(layout, config) {
        Ok(planned) => planned,
        Err(e) => {
            checks.fail("upgrades", e, "fix upgrade-plan.json");
            return;
        }
    };
    if planned.is_empty() {
        checks.ok("upgrades", "none queued");
        return;
    }
    for upgrade in planned {
        let check = format!("upgrade {}", upgrade.name);
        let dir = layout.release_dir(&upgrade.name);
        let when = upgrade.trigger.at().map(|at| format!(", due {at}")).unwrap_or_default();
        if layout.binary(&dir).is_file() {
            let info = match read_json::<UpgradeInfo>(&layout.upgrade_info(&upgrade.name)) {
                Ok(info) => info,
                Err(e) => {
                    checks.fail(&check, e.to_string(), "queue it again with `nymvisor add-upgrade ... --force`");
                    continue;
                }
            };
            binary(checks, &check, layout, &dir, &info);
            continue;
        }
        match upgrade.artifact {
            Some(Ok(source)) => checks.ok(
                &check,
                format!("binary not there yet{when}: downloaded from {} and verified before then", describe(&source)),
            ),
            Some(Err(why)) => checks.fail(
                &check,
                format!("its binary is missing and cannot be downloaded{when}: {why}"),
                format!("provide it with `nymvisor add-upgrade <binary> --upgrade-name {} --add-binary`", upgrade.name),
            ),
            None => checks.ok(&check, format!("binary not there yet{when}: downloaded before then")),
        }
    }
}

fn describe(source: &visor_core::stage::ArtifactSource) -> String {
    match source {
        visor_core::stage::ArtifactSource::Url { url, .. } => url.to_string(),
        other => format!("{other:?}"),
    }
}

/// The upstream: answering, with an upgrade-info document. Unreachable is a warning: the
/// daemon runs on, and the upstream is asked again at every poll.
fn upstream(checks: &mut Checks, config: &Config, layout: &Layout) {
    const CHECK: &str = "upstream";
    let url = config.upstream_url();
    let keys = "DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL, or NYMVISOR_UPSTREAM_BASE_UPGRADE_URL / \
                upstream_base_upgrade_url in the config file";
    let Some(settings) = crate::face::settings(config, layout).upstream else { return };
    let policy = visor_core::stage::FetchPolicy {
        connect_timeout: UPSTREAM_TIMEOUT,
        read_timeout: UPSTREAM_TIMEOUT,
        attempts: 1,
        ..settings.fetch
    };
    let client = visor_core::stage::client(&policy);
    let answer = block_on(visor_core::stage::get_bytes(&client, &url, &[], &policy, visor_core::source::MAX_UPSTREAM));
    match answer {
        Ok(Ok(body)) => match parse_json::<UpgradeInfo>(&body) {
            Ok(info) => checks.ok(
                CHECK,
                format!("{url} announces {} (version {}) for {}", info.name, info.version, info.upgrade_time),
            ),
            Err(e) => checks.warn(
                CHECK,
                format!("{url} answers, but not with an upgrade's information: {e}"),
                format!("check the address ({keys})"),
            ),
        },
        Ok(Err(e)) => checks.warn(
            CHECK,
            format!("{e}; upgrades are not learned from it while this lasts"),
            format!("check the address and the network ({keys}); `add-upgrade` still queues upgrades by hand"),
        ),
        Err(e) => checks.fail(CHECK, format!("cannot ask {url}: {e}"), "try again"),
    }
}
