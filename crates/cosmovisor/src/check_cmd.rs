//! `cosmovisor check [--output json]`: a node's home checked without running the app — the
//! configuration read as `run` reads it, the folders under `$DAEMON_HOME/cosmovisor`, `current`
//! and its binary, the plan files and each planned upgrade's binary or download, the pre-upgrade
//! script, whether a visor runs, and the node's RPC (the chain's height) and gRPC (the chain's
//! governance plan). The node's endpoints answer only while the app runs: not reachable is a
//! warning.

use std::path::Path;
use std::time::Duration;

use facekit::check::{BinaryFixes, Checks, block_on};
use facekit::{Failure, Output};
use visor_core::supervise::ProcessSpec;
use visor_core::{CurrentLink, Exit, Face, Home, NodeSpec, Protocol};

use crate::config::{Config, Look, look};
use crate::face::CosmosFace;
use crate::plan::{Files, Plan, parse_batch, read_small};

/// How long the node's RPC and gRPC get to answer.
const NODE_TIMEOUT: Duration = Duration::from_secs(3);

/// `cosmovisor check ...`.
pub(crate) fn run(file: Option<&Path>, args: &[String]) -> Result<Exit, Failure> {
    let output = match args {
        [] => Output::Text,
        [flag, value] if flag == "--output" || flag == "-o" => output(value)?,
        [one] if one.starts_with("--output=") || one.starts_with("-o=") => {
            output(one.split_once('=').map(|(_, v)| v).unwrap_or_default())?
        }
        _ => return Err(crate::usage("usage: cosmovisor check [--output text|json]")),
    };
    let mut checks = Checks::new();
    // Read as `run` reads it (a backup folder is needed then); its unknown keys are lines here,
    // not warnings on stderr.
    let (config, unknown) = crate::load_noting(file, true);
    let config = match config {
        Ok(config) => {
            let valid = "the environment (and the --cosmovisor-config file) is valid";
            match unknown.len() {
                0 => checks.ok("config", valid),
                1 => checks.ok("config", format!("{valid}, but for the unknown key below")),
                _ => checks.ok("config", format!("{valid}, but for the unknown keys below")),
            }
            for key in &unknown {
                checks.warn("config", &key.detail, &key.fix);
            }
            config
        }
        Err(failure) => {
            // A misspelt key may be why a variable is missing: said with the errors.
            for key in &unknown {
                checks.warn("config", &key.detail, &key.fix);
            }
            checks.fail(
                "config",
                one_line(&config_problem(&failure)),
                "set the variables named; `cosmovisor help` lists them",
            );
            return checks.finish(output);
        }
    };
    crate::init_logging(Some(&config));
    if let Err(e) = crate::face::settings(&config) {
        checks.fail(
            "config",
            one_line(&e),
            "set COSMOVISOR_RPC_ADDRESS, or rpc.laddr in $DAEMON_HOME/config/config.toml",
        );
    }
    let root = config.root();
    match look(&root) {
        Look::Folder => {}
        Look::Refused(why) => {
            checks.fail("home", format!("{} cannot be read", root.display()), why);
            return checks.finish(output);
        }
        Look::Missing | Look::Other => {
            checks.fail(
                "home",
                format!("{} is not a folder", root.display()),
                "run `cosmovisor init <path to the app's binary>`",
            );
            return checks.finish(output);
        }
    }
    let home = Home::new(&root);
    checks.lock(&home);
    current(&mut checks, &config, &home);
    let face = CosmosFace::new(file.map(Path::to_owned), config.clone(), Vec::new());
    upgrades(&mut checks, &config, &face);
    match crate::hooks::check_custom_preupgrade(&config) {
        Ok(Some(script)) => checks.ok("pre-upgrade script", format!("{} is in place", script.display())),
        Ok(None) => {}
        Err(e) => {
            checks.fail("pre-upgrade script", one_line(&e), "fix the script, or unset COSMOVISOR_CUSTOM_PREUPGRADE")
        }
    }
    node_endpoints(&mut checks, &config);
    checks.finish(output)
}

fn output(value: &str) -> Result<Output, Failure> {
    match value {
        "json" => Ok(Output::Json),
        "text" => Ok(Output::Text),
        other => Err(crate::usage(format!("--output takes text or json, not {other:?}"))),
    }
}

/// The configuration's errors on one line (the text form shows a detail on one line).
fn config_problem(failure: &Failure) -> String {
    match failure.error.downcast_ref::<crate::config::ConfigErrors>() {
        Some(crate::config::ConfigErrors(errors)) if errors.len() == 1 => {
            format!("the configuration is invalid: {}", errors[0])
        }
        Some(crate::config::ConfigErrors(errors)) => {
            let numbered: Vec<String> = errors.iter().enumerate().map(|(i, e)| format!("{}) {e}", i + 1)).collect();
            format!("the configuration is invalid: {}", numbered.join("; "))
        }
        None => format!("{:#}", failure.error),
    }
}

/// `text` on one line: a check's detail is one line of the text form, whose next lines would
/// lose their place.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A failure for a release folder this user cannot look into, said as such (never as
/// missing); whether there was one.
fn refused(checks: &mut Checks, check: &str, path: &Path) -> bool {
    match look(path) {
        Look::Refused(why) => {
            checks.fail(check, format!("{} cannot be read (it may exist)", path.display()), why);
            true
        }
        _ => false,
    }
}

/// The binary of the release folder `dir`, and the version it prints.
fn binary(checks: &mut Checks, check: &str, config: &Config, dir: &Path, place: &str) {
    let program = dir.join("bin").join(&config.name);
    if refused(checks, check, &program) {
        return;
    }
    let spec = NodeSpec {
        processes: vec![ProcessSpec { role: "app".to_owned(), program, args: vec![] }],
        protocol: Protocol::Cosmos,
    };
    let fixes = BinaryFixes { path: place, identity: place, makes_executable: true };
    match block_on(visor_core::check::check_binaries(&spec, None, None)) {
        Ok(found) => checks.binaries(check, &found, &fixes),
        Err(e) => checks.fail(check, format!("cannot run the binary's checks: {e}"), "try again"),
    }
}

fn current(checks: &mut Checks, config: &Config, home: &Home) {
    let root = home.root();
    let dir = match home.read_current() {
        Ok(CurrentLink::Release(name)) => match look(&name.dir(root)) {
            Look::Folder => {
                checks.ok("current", format!("current -> {name}"));
                name.dir(root)
            }
            Look::Refused(why) => {
                checks.fail("current", format!("current -> {name}, which cannot be read (it may exist)"), why);
                return;
            }
            Look::Missing | Look::Other => {
                checks.fail(
                    "current",
                    format!("current -> {name}, which does not exist"),
                    format!("put {} back, or point current at the release that runs", name.dir(root).display()),
                );
                return;
            }
        },
        Ok(CurrentLink::Missing) => {
            checks.fail(
                "current",
                format!("{} is missing", home.current().display()),
                "run `cosmovisor init <path to the app's binary>`",
            );
            return;
        }
        Ok(other) => {
            checks.warn(
                "current",
                format!("{} is not a link to a release folder here ({other:?})", home.current().display()),
                "make it a relative link to genesis or upgrades/<name>",
            );
            home.current()
        }
        Err(e) => {
            let fix = match look(&home.current()) {
                Look::Refused(why) => why,
                _ => "make it a relative link to genesis or upgrades/<name>".to_owned(),
            };
            checks.fail("current", one_line(&format!("cannot read {}: {e}", home.current().display())), fix);
            return;
        }
    };
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let place = format!(
        "place the app's binary at {}/bin/{} (`cosmovisor init <binary>` for genesis)",
        dir.display(),
        config.name
    );
    binary(checks, &format!("release {name}"), config, &dir, &place);
}

/// The plan files parse, and each planned upgrade has its binary or a download.
fn upgrades(checks: &mut Checks, config: &Config, face: &CosmosFace) {
    let files = Files { home: config.home.clone() };
    let recase = !config.disable_recase;
    let mut readable = true;
    if let Ok(Some(bytes)) = read_small(&files.upgrade_info())
        && let Err(e) = Plan::parse(&bytes, recase)
    {
        readable = false;
        checks.fail(
            "upgrade-info.json",
            one_line(&format!("{}: {e}", files.upgrade_info().display())),
            "if the node wrote it, it writes it again at the height; if you did, write {\"name\":..,\"height\":..}",
        );
    }
    if let Ok(Some(bytes)) = read_small(&files.batch())
        && let Err(e) = parse_batch(&bytes, recase)
    {
        readable = false;
        checks.fail(
            "upgrade-info.json.batch",
            one_line(&format!("{}: {e}", files.batch().display())),
            "write it again with `cosmovisor add-batch-upgrade`",
        );
    }
    if !readable {
        return;
    }
    let planned = match face.read_plan() {
        Ok(planned) => planned,
        Err(e) => {
            checks.fail("upgrades", one_line(&e.to_string()), "fix the plan file named");
            return;
        }
    };
    if planned.is_empty() {
        checks.ok("upgrades", "none planned in the plan files");
    }
    for upgrade in planned {
        let check = format!("upgrade {}", upgrade.name);
        let place = format!("place its binary: `cosmovisor add-upgrade {} <binary>`", upgrade.name);
        let Some(release) = upgrade.release.as_ref() else { continue };
        let dir = release.dir(&config.root());
        let height = upgrade.trigger.height().map(|h| format!(" (height {h})")).unwrap_or_default();
        if refused(checks, &check, &dir) {
            continue;
        }
        if !face.needs_staging(&dir) {
            binary(checks, &check, config, &dir, &place);
            continue;
        }
        match &upgrade.artifact {
            Some(Ok(_)) => {
                checks.ok(&check, format!("binary not there yet: downloaded and verified before it is due{height}"))
            }
            Some(Err(why)) => checks.fail(
                &check,
                one_line(&format!("binary missing, and it cannot be downloaded{height}: {why}")),
                place,
            ),
            None => checks.fail(
                &check,
                format!("binary {}/bin/{} is missing{height}, and downloads are off", dir.display(), config.name),
                format!("{place}; or set DAEMON_ALLOW_DOWNLOAD_BINARIES=true for a plan that lists its binaries"),
            ),
        }
    }
}

/// The node's RPC and gRPC: answering while the app runs.
fn node_endpoints(checks: &mut Checks, config: &Config) {
    let rpc_keys = "COSMOVISOR_RPC_ADDRESS, or rpc.laddr in $DAEMON_HOME/config/config.toml";
    if let Ok(rpc) = config.rpc() {
        match block_on(visor_core::check::chain_height(&rpc, NODE_TIMEOUT)) {
            Ok(Ok(height)) => checks.ok("node RPC", format!("{rpc} answers: the chain is at height {height}")),
            Ok(Err(e)) => checks.warn(
                "node RPC",
                one_line(&format!("{rpc} is not reachable (the app is not running?): {e}")),
                format!("nothing to do if the app is not running; else check {rpc_keys}"),
            ),
            Err(e) => checks.fail("node RPC", format!("cannot ask {rpc}: {e}"), "try again"),
        }
    }
    let address = &config.grpc_address;
    match crate::grpc::current_plan(address, NODE_TIMEOUT, !config.disable_recase) {
        Ok(None) => checks.ok("node gRPC", format!("{address} answers: the chain has no upgrade planned")),
        Ok(Some(plan)) => {
            checks
                .ok("node gRPC", format!("{address} answers: the chain plans {} at height {}", plan.name, plan.height));
            governance(checks, config, &plan);
        }
        Err(e) => checks.warn(
            "node gRPC",
            one_line(&format!("{e} (the app is not running?)")),
            "nothing to do if the app is not running; else set DAEMON_GRPC_ADDRESS to its gRPC (`[grpc] address` in \
             app.toml)",
        ),
    }
}

/// The chain's governance plan: its binary in place, or to be downloaded (once per upgrade: a
/// plan the node wrote down for it is checked already).
fn governance(checks: &mut Checks, config: &Config, plan: &Plan) {
    let check = format!("upgrade {}", plan.name);
    if checks.lines().iter().any(|l| l.check == check) {
        return;
    }
    let Ok(release) = crate::plan::release_of(&plan.name) else { return };
    let dir = release.dir(&config.root());
    let place = format!("place its binary: `cosmovisor add-upgrade {} <binary>`", plan.name);
    if refused(checks, &check, &dir) {
        return;
    }
    if dir.join("bin").join(&config.name).is_file() {
        binary(checks, &check, config, &dir, &place);
    } else if config.allow_download {
        checks.ok(&check, format!("binary not there yet: downloaded and verified before height {}", plan.height));
    } else {
        checks.fail(
            &check,
            format!(
                "the chain's upgrade at height {} has no binary at {}, and downloads are off",
                plan.height,
                dir.display()
            ),
            format!("{place}; or set DAEMON_ALLOW_DOWNLOAD_BINARIES=true"),
        );
    }
}
