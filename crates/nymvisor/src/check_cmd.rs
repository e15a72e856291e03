//! `nymvisor check`: an instance checked without running its daemon — the configuration found
//! and read as `run` reads it, the data folder and its JSON files, `current` and its binary
//! (the build information it reports against the plan's), each queued upgrade's binary or
//! download, the upstream, and whether a nymvisor runs.

use std::path::Path;
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

/// When this user may not look at `path` (or list it, or read it): the refusal, and whose it is
/// and what to do (never `nymvisor init`: the instance is there).
fn refused(path: &Path) -> Option<(std::io::Error, String)> {
    facekit::check::refused_with(path, crate::config::explain_refused)
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
            match refused(&e.path) {
                Some((error, explained)) => {
                    checks.fail(
                        "config",
                        format!("cannot list the instances in {}: {error}", e.path.display()),
                        explained,
                    );
                }
                None => checks.fail(
                    "config",
                    e.to_string(),
                    "set NYMVISOR_ID or NYMVISOR_CONFIG_PATH to the instance, or create it with `nymvisor init`",
                ),
            }
            return None;
        }
    };
    let (config, warnings) = match crate::config::load_reporting(&path, &env) {
        Ok(loaded) => loaded,
        Err(e) => {
            match refused(&path) {
                Some((error, explained)) => {
                    checks.fail("config", format!("cannot read {}: {error}", path.display()), explained);
                }
                None if crate::files::is_missing(&path) => checks.fail(
                    "config",
                    e.to_string(),
                    "create the instance with `nymvisor init <daemon binary>`, or name another with NYMVISOR_ID or \
                     NYMVISOR_CONFIG_PATH",
                ),
                None => checks.fail(
                    "config",
                    e.to_string(),
                    format!(
                        "edit {} at the key named (every key is commented in the file `nymvisor init` writes; \
                         `nymvisor config` shows the values in use)",
                        path.display()
                    ),
                ),
            }
            return None;
        }
    };
    crate::init_logging(config.nymvisor.disable_logs, log);
    if warnings.is_empty() {
        checks.ok("config", format!("{} is valid (with the environment's overrides)", path.display()));
    } else {
        let s = if warnings.len() == 1 { "" } else { "s" };
        checks.ok(
            "config",
            format!("{} is valid (with the environment's overrides), but for the unknown key{s} below", path.display()),
        );
    }
    for warning in warnings {
        checks.warn("config", warning.detail, warning.fix);
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
    match std::fs::metadata(&layout.data) {
        Ok(meta) if meta.is_dir() => {}
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            let fix = crate::config::explain_refused(&layout.data, &e).unwrap_or_else(|| {
                format!("check the upgrade data folder {} (the error names what)", layout.data.display())
            });
            checks.fail("data folder", format!("cannot look at {}: {e}", layout.data.display()), fix);
            return;
        }
        _ => {
            checks.fail("data folder", format!("{} does not exist", layout.data.display()), init);
            return;
        }
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
        Err(e) => {
            match refused(&layout.plan()) {
                Some((error, explained)) => {
                    checks.fail(
                        "upgrade-plan.json",
                        format!("cannot read {}: {error}", layout.plan().display()),
                        explained,
                    );
                }
                None if crate::files::is_missing(&layout.plan()) => {
                    checks.fail("upgrade-plan.json", e.to_string(), init)
                }
                None => checks.fail(
                    "upgrade-plan.json",
                    e.to_string(),
                    "fix the field named (or restore the file from a backup)",
                ),
            }
            return;
        }
    };
    if !crate::files::is_missing(&layout.history())
        && let Err(e) = read_json::<UpgradeHistory>(&layout.history())
    {
        match refused(&layout.history()) {
            Some((error, explained)) => checks.fail(
                "upgrade-history.json",
                format!("cannot read {}: {error}", layout.history().display()),
                explained,
            ),
            None => {
                checks.fail("upgrade-history.json", e.to_string(), "fix the field named (the next switch rewrites it)");
            }
        }
    }
    current(checks, layout, &home, &plan.current);
    upgrades(checks, config, layout);
    downgrades(checks, &plan);
    upstream(checks, config, layout);
}

/// The daemon binary of the release folder `dir`, as `run` runs it.
fn spec(layout: &Layout, dir: &Path) -> NodeSpec {
    let program = layout.binary(dir);
    NodeSpec {
        processes: vec![ProcessSpec { role: "daemon".to_owned(), program, args: vec![] }],
        protocol: Protocol::Daemon,
    }
}

/// The binary of `dir`, of `version` and build `identity` when the plan names them; `running`
/// when it is the release that runs (`add-upgrade` does not replace that one).
fn binary(checks: &mut Checks, check: &str, layout: &Layout, dir: &Path, info: &UpgradeInfo, running: bool) {
    let target = layout.binary(dir);
    let path_fix = if running {
        format!(
            "put the {} binary of version {} back: `install -m 0755 <binary> {}` (add-upgrade does not replace the \
             binary that runs)",
            layout.daemon,
            info.version,
            target.display()
        )
    } else {
        crate::add_upgrade::how_to_provide(layout, info)
    };
    let identity_fix = format!("put the {} binary of version {} at {}", layout.daemon, info.version, target.display());
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
            match std::fs::metadata(&dir) {
                Ok(meta) if meta.is_dir() => {}
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    let fix = crate::config::explain_refused(&dir, &e).unwrap_or_else(|| {
                        format!("check the release folder {} (the error names what)", dir.display())
                    });
                    checks.fail("current", format!("current -> {name}, which cannot be looked at: {e}"), fix);
                    return;
                }
                _ => {
                    checks.fail(
                        "current",
                        format!("current -> {name}, which does not exist"),
                        format!("put {} back, or point current at the release that runs", dir.display()),
                    );
                    return;
                }
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
            let link = home.current();
            let is_link = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
            let fix = match crate::config::explain_refused(&link, &e) {
                Some(explained) => explained,
                None if is_link => format!(
                    "current is a link, but it cannot be read: check {} and its file system",
                    layout.data.display()
                ),
                None => format!(
                    "replace it with a link to the release that runs: `ln -sfn {} {}`",
                    layout.release(&info.name),
                    link.display()
                ),
            };
            checks.fail("current", format!("cannot read {}: {e}", link.display()), fix);
            return;
        }
    };
    binary(checks, &format!("release {}", info.name), layout, &dir, info, true);
}

fn upgrades(checks: &mut Checks, config: &Config, layout: &Layout) {
    let planned = match crate::plan::planned(layout, config) {
        Ok(planned) => planned,
        Err(e) => {
            checks.fail(
                "upgrades",
                e,
                format!(
                    "fix the queued upgrade named in {}, or cancel it with `nymvisor plan cancel <name>`",
                    layout.plan().display()
                ),
            );
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
        let when = upgrade.trigger.at().map(|at| format!(", due {at:.0}")).unwrap_or_default();
        let info = read_json::<UpgradeInfo>(&layout.upgrade_info(&upgrade.name));
        if layout.binary(&dir).is_file() {
            let info = match info {
                Ok(info) => info,
                Err(e) => {
                    let fix = match refused(&layout.upgrade_info(&upgrade.name)) {
                        Some((_, explained)) => explained,
                        None => format!(
                            "queue it again with `nymvisor add-upgrade <binary> --upgrade-name {} --force`",
                            upgrade.name
                        ),
                    };
                    checks.fail(&check, e.to_string(), fix);
                    continue;
                }
            };
            binary(checks, &check, layout, &dir, &info, false);
            continue;
        }
        match upgrade.artifact {
            Some(Ok(source)) => checks.ok(
                &check,
                format!("binary not there yet{when}: downloaded from {} and verified before then", describe(&source)),
            ),
            Some(Err(why)) => {
                let fix = match &info {
                    Ok(info) => crate::add_upgrade::how_to_provide(layout, info),
                    Err(_) => crate::add_upgrade::how_to_queue(&upgrade.name, &upgrade.version, upgrade.trigger.at()),
                };
                checks.fail(&check, format!("its binary is missing and cannot be downloaded{when}: {why}"), fix);
            }
            None => checks.ok(&check, format!("binary not there yet{when}: downloaded before then")),
        }
    }
}

/// Each queued upgrade to an older version than the one that runs: performed at its time as
/// queued (Nymvisor's rule for what is queued by hand), which may not be what was meant.
fn downgrades(checks: &mut Checks, plan: &UpgradePlan) {
    for (queued, said) in crate::plan::downgrades(plan) {
        checks.warn(&format!("upgrade {}", queued.name), said, crate::plan::downgrade_fix(&queued.name));
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
