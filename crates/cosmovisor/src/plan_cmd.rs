//! `cosmovisor plan [list | cancel <name>] [--output json]`: the release that runs and each
//! upgrade planned — read by the face's own plan reader, as the running visor reads it — with
//! its height, how many blocks away (when the running visor knows the chain's height), its
//! release folder, and which file it comes from.
//!
//! Manual upgrades are ours to cancel: an entry of the batch (`data/upgrade-info.json.batch`,
//! rewritten atomically as `add-batch-upgrade` writes it) or the plan `add-upgrade
//! --upgrade-height` wrote into `data/upgrade-info.json`. A plan the node wrote there (it halted
//! for the chain's upgrade) and the chain's governance plan are the chain's: refused, with what
//! to do instead. The running visor watches both files and re-reads its plan.

use std::path::Path;

use facekit::plan::{CurrentRelease, Live, PlanCommand, PlanReport, PlannedUpgrade, TriggerView};
use facekit::{Failure, Output};
use visor_core::{Exit, Face, Home, Trigger};

use crate::config::Config;
use crate::face::CosmosFace;
use crate::plan::{Files, Plan, parse_batch, read_small};

const BATCH: &str = "data/upgrade-info.json.batch (add-batch-upgrade)";
const OURS: &str = "data/upgrade-info.json (add-upgrade --upgrade-height)";
const NODES: &str = "data/upgrade-info.json (written by the node: the chain halted for it)";
const CHAIN: &str = "the chain's governance plan (the node's gRPC)";

/// Parses `plan`'s arguments: `[list | cancel <name>]` and `--output text|json` anywhere.
fn parse(args: &[String]) -> anyhow::Result<(Option<PlanCommand>, Output)> {
    let mut output = Output::Text;
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let value = match arg {
            "--output" | "-o" => {
                i += 1;
                Some(args.get(i).map(String::as_str).unwrap_or_default())
            }
            _ => arg.strip_prefix("--output=").or_else(|| arg.strip_prefix("-o=")),
        };
        match value {
            Some("json") => output = Output::Json,
            Some("text") => output = Output::Text,
            Some("") => return Err(crate::usage_error("--output needs text or json")),
            Some(other) => return Err(crate::usage_error(format!("--output takes text or json, not {other:?}"))),
            None if arg.starts_with('-') => {
                return Err(crate::usage_error(format!("unknown flag {arg}; plan takes --output text|json")));
            }
            None => words.push(arg),
        }
        i += 1;
    }
    let command = match words.as_slice() {
        [] => None,
        ["list"] => Some(PlanCommand::List),
        ["cancel", name] => Some(PlanCommand::Cancel { name: (*name).to_owned() }),
        ["cancel"] => {
            return Err(crate::usage_error("plan cancel needs the upgrade's name: cosmovisor plan cancel <name>"));
        }
        _ => return Err(crate::usage_error("usage: cosmovisor plan [list | cancel <name>] [--output json]")),
    };
    Ok((command, output))
}

/// `cosmovisor plan ...`.
pub(crate) fn run(file: Option<&Path>, args: &[String]) -> Result<Exit, Failure> {
    let (command, output) = parse(args).map_err(Failure::config)?;
    let config = crate::load(file, false)?;
    crate::init_logging(Some(&config));
    let report = report(file, &config)?;
    match command {
        None | Some(PlanCommand::List) => report.show(output),
        Some(PlanCommand::Cancel { name }) => cancel(&config, &report, &name, output),
    }
}

/// What `data/upgrade-info.json` holds and whether `add-upgrade --upgrade-height` wrote it.
fn upgrade_info(files: &Files, recase: bool) -> Option<(Plan, bool)> {
    let bytes = read_small(&files.upgrade_info()).ok().flatten()?;
    let plan = Plan::parse(&bytes, recase).ok()?;
    let ours = read_small(&files.written_by_us()).ok().flatten().is_some_and(|w| w == bytes);
    Some((plan, ours))
}

fn batch(files: &Files, recase: bool) -> Result<Vec<Plan>, String> {
    match read_small(&files.batch())? {
        Some(bytes) => parse_batch(&bytes, recase).map_err(|e| format!("{}: {e}", files.batch().display())),
        None => Ok(Vec::new()),
    }
}

pub(crate) fn report(file: Option<&Path>, config: &Config) -> Result<PlanReport, Failure> {
    let home = Home::new(config.root());
    let live = Live::read(&home);
    let files = Files { home: config.home.clone() };
    let recase = !config.disable_recase;
    let face = CosmosFace::new(file.map(Path::to_owned), config.clone(), Vec::new());
    let planned = face.read_plan().map_err(|e| Failure::config(anyhow::anyhow!("{e}")))?;
    let chain = chain_height(config, &live);
    let info = upgrade_info(&files, recase);
    let batch = batch(&files, recase).map_err(|e| Failure::config(anyhow::anyhow!(e)))?;
    let mut upgrades = Vec::new();
    for upgrade in planned {
        let (source, cancellable) = match &info {
            Some((plan, ours)) if plan.name == upgrade.name => (if *ours { OURS } else { NODES }, *ours),
            _ if batch.iter().any(|p| p.name == upgrade.name) => (BATCH, true),
            _ => (CHAIN, false),
        };
        let release = upgrade.release.clone();
        let ready = release.as_ref().is_some_and(|r| !face.needs_staging(&r.dir(home.root())));
        let place = format!("place it with `cosmovisor add-upgrade {} <binary>`", upgrade.name);
        let download = match &upgrade.artifact {
            None => Err(format!("downloads are off (DAEMON_ALLOW_DOWNLOAD_BINARIES): {place}")),
            Some(Ok(_)) => Ok(()),
            Some(Err(why)) => Err(format!("{why}; {place}")),
        };
        let (release_state, release_detail) = live.release_state(&upgrade.version, ready, download);
        upgrades.push(PlannedUpgrade {
            name: upgrade.name.clone(),
            version: upgrade.version.clone(),
            release: release.map(|r| r.to_string()),
            trigger: TriggerView::from_now(&upgrade.trigger, chain),
            release_state,
            release_detail,
            source: source.to_owned(),
            cancellable,
        });
    }
    // The chain's governance plan, as the running visor last heard it from the node.
    if let Some(pending) = live.status.as_ref().and_then(|s| s.pending.as_ref())
        && pending.name.is_none()
        && !upgrades.iter().any(|u| u.version == pending.version)
        && let Some(height) = pending.height
    {
        let ready =
            pending.folder.as_ref().is_some_and(|f| home.root().join(f).join("bin").join(&config.name).is_file());
        let download = if config.allow_download {
            Ok(())
        } else {
            Err(format!("downloads are off: place it with `cosmovisor add-upgrade {} <binary>`", pending.version))
        };
        let (release_state, release_detail) = live.release_state(&pending.version, ready, download);
        upgrades.push(PlannedUpgrade {
            name: pending.version.clone(),
            version: pending.version.clone(),
            release: pending.folder.clone(),
            trigger: TriggerView::from_now(&Trigger::NodeReady { height }, chain),
            release_state,
            release_detail,
            source: CHAIN.to_owned(),
            cancellable: false,
        });
    }
    let current = facekit::plan::current_release(&home, &live).map(|release| CurrentRelease { release, version: None });
    let mut report = PlanReport::new(&home, &live, current, upgrades);
    report.chain_height = chain;
    if live.status.is_none() {
        report.notes.push(
            "no visor runs here: the chain's height and its governance plan are known only while `cosmovisor run` runs"
                .to_owned(),
        );
    }
    Ok(report)
}

/// How long the node's RPC gets to say the chain's height.
const RPC_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// The chain's height: asked of the node's RPC while a visor runs it (the status document has
/// the height of its last change only), else what the status says.
fn chain_height(config: &Config, live: &Live) -> Option<u64> {
    live.status.as_ref()?;
    let asked = config
        .rpc()
        .ok()
        .and_then(|rpc| facekit::check::block_on(visor_core::check::chain_height(&rpc, RPC_TIMEOUT)).ok())
        .and_then(Result::ok);
    asked.or(live.chain_height())
}

/// Run-loop states in which an upgrade is being carried out.
const APPLYING: [&str; 6] =
    ["verifying-release", "stopping", "backing-up", "waiting-for-release", "switching", "restoring"];

/// The running visor's state, if one runs.
fn report_live_state(config: &Config) -> Option<String> {
    Live::read(&Home::new(config.root())).status.map(|s| s.state)
}

fn cancel(config: &Config, report: &PlanReport, name: &str, output: Output) -> Result<Exit, Failure> {
    let upgrade = report.find(name)?.clone();
    let height = match upgrade.trigger {
        TriggerView::Height { height, .. } | TriggerView::NodeReady { height, .. } => height,
        _ => 0,
    };
    let skip = format!(
        "if the network agreed to skip it, start the app with --unsafe-skip-upgrades {height}; otherwise provide its \
         binary: `cosmovisor add-upgrade {name} <binary>`"
    );
    match upgrade.source.as_str() {
        NODES => {
            return Err(facekit::plan::refuse_cancel(format!(
                "upgrade {name} cannot be cancelled: the node wrote data/upgrade-info.json as it halted for the chain's \
                 upgrade at height {height}, and the chain goes on only with the new binary; {skip}"
            )));
        }
        CHAIN => {
            return Err(facekit::plan::refuse_cancel(format!(
                "upgrade {name} cannot be cancelled here: it is the chain's governance plan (height {height}); a \
                 governance proposal cancels it on chain (MsgCancelUpgrade); {skip}"
            )));
        }
        _ => {}
    }
    // Once the running visor acts on an upgrade (verifying its release, stopping the app,
    // switching), a cancel would come too late to count.
    if let Some(status) = report_live_state(config).filter(|s| APPLYING.contains(&s.as_str())) {
        return Err(facekit::plan::refuse_cancel(format!(
            "upgrade {name} cannot be cancelled now: the running visor is {status}; once it is done, `cosmovisor \
             plan` shows what is left"
        )));
    }
    if let Some(chain) = report.chain_height.filter(|c| *c >= height) {
        return Err(facekit::plan::refuse_cancel(format!(
            "upgrade {name} is due: the chain is at height {chain}, its height is {height}; the running visor is \
             applying it (see `cosmovisor status`)"
        )));
    }
    let files = Files { home: config.home.clone() };
    let write = |path: &Path, result: std::io::Result<()>| {
        result.map_err(|e| Failure::config(anyhow::anyhow!("cannot write {}: {e}", path.display())))
    };
    if upgrade.source == BATCH {
        let _batch_lock = files.lock_batch().map_err(|e| Failure::config(anyhow::anyhow!(e)))?;
        let mut batch = batch(&files, !config.disable_recase).map_err(|e| Failure::config(anyhow::anyhow!(e)))?;
        batch.retain(|p| p.name != name);
        let bytes = serde_json::to_vec(&batch)?;
        write(&files.batch(), visor_core::write_atomic(&files.batch(), &bytes, 0o600))?;
    } else {
        // Ours: the plan we wrote goes, and our memory of having written it.
        for path in [files.upgrade_info(), files.written_by_us()] {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => write(&path, Err(e))?,
                _ => {}
            }
        }
        let data = config.home.join("data");
        write(&data, visor_core::sync_dir(&data))?;
    }
    let folder = upgrade.release.as_deref().unwrap_or("its folder");
    let what_now = format!(
        "a running visor re-reads its plan and no longer stops the app at height {height}; {folder} is kept (remove it \
         by hand if it is not needed)"
    );
    facekit::plan::show_cancelled(&upgrade, &what_now, output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_arguments_are_parsed_in_any_order() {
        assert!(matches!(parse(&args(&[])).unwrap(), (None, Output::Text)));
        assert!(matches!(
            parse(&args(&["list", "--output", "json"])).unwrap(),
            (Some(PlanCommand::List), Output::Json)
        ));
        let (command, output) = parse(&args(&["-o=json", "cancel", "v2"])).unwrap();
        assert!(matches!(command, Some(PlanCommand::Cancel { name }) if name == "v2"));
        assert_eq!(output, Output::Json);
        assert!(parse(&args(&["cancel"])).unwrap_err().to_string().contains("needs the upgrade's name"));
        assert!(parse(&args(&["--force"])).unwrap_err().to_string().contains("unknown flag"));
        assert!(parse(&args(&["--output", "yaml"])).is_err());
    }
}
