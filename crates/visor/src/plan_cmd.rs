//! `visor plan`: what will happen next on a Vega home. Vega's upgrades come from the chain: the
//! network's validators accept a protocol upgrade, the core announces it over its admin RPC
//! before its height, and halts at that height ready to be replaced. So what is planned is what
//! the running visor has seen announced (its status document); with no visor running nothing
//! can be known, and nothing can be cancelled here.

use std::path::Path;

use facekit::Failure;
use facekit::plan::{
    CurrentRelease, Live, PlanArgs, PlanCommand, PlanReport, PlannedUpgrade, ReleaseState, TriggerView,
};
use visor_core::{Exit, Home, Settings, Trigger};

use crate::run_config::{RUN_CONFIG, RawRunConfig};

/// `visor plan [list|cancel NAME] --home DIR [--output json]`.
pub(crate) fn command(home: Option<&Path>, args: &PlanArgs) -> Result<Exit, Failure> {
    let home = required_home(home)?;
    let report = report(&home);
    match &args.command {
        None | Some(PlanCommand::List) => report.show(args.output),
        Some(PlanCommand::Cancel { name }) => cancel(&report, name),
    }
}

/// The home of a command whose `--home` may come before or after its subcommand.
pub(crate) fn required_home(home: Option<&Path>) -> Result<Home, Failure> {
    let home = home
        .ok_or_else(|| Failure::config(anyhow::anyhow!("the home folder is missing: give it with --home <folder>")))?;
    Ok(Home::new(std::path::absolute(home)?))
}

/// The version of the release in the folder `release`, as far as it is known without running
/// its binaries: the version the last switch to that folder brought (the history), else the
/// `name` of its run configuration when that is more than the folder's own name (free text;
/// Vega recommends the tag, and the visor writes the tag into the releases it stages). `None`
/// when neither says (`init` names the genesis release "genesis", its folder).
fn release_version(home: &Home, release: &str) -> Option<String> {
    let switched = visor_core::history::History::load(&home.history_file()).ok().and_then(|history| {
        history.switches.iter().rev().find(|r| !r.rollback && r.to.as_str() == release).map(|r| r.version.clone())
    });
    if switched.is_some() {
        return switched;
    }
    let file = home.root().join(release).join(RUN_CONFIG);
    let parsed = facekit::toml_file::load::<RawRunConfig>(&file, crate::config::INIT_HINT).ok()?;
    parsed.value.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty() && n != release)
}

/// What keeps the release folder `dir`, which is there, from being run, as its files say
/// (nothing is run): its run configuration does not read, or a binary it names is missing, not
/// a file or not executable. Said after the state `present` ("present: but its core binary …").
fn incomplete(dir: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let file = dir.join(RUN_CONFIG);
    let spec = match crate::run_config::read_reporting(dir) {
        Ok((spec, _)) => spec,
        Err(e) => return Some(format!("but its run configuration {} does not read: {}", file.display(), e.message)),
    };
    let path_fix = format!(
        "set `path` under [vega.binary] (or [data_node.binary]) in {} to the binary, or put the binary there",
        file.display()
    );
    for process in &spec.processes {
        let (program, role) = (process.program.display(), &process.role);
        let problem = match std::fs::metadata(&process.program) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!("does not exist: {path_fix}"),
            Err(e) => match visor_core::access::explain_denied(&process.program, &e) {
                Some(explained) => format!("cannot be looked at ({e}): {explained}"),
                None => format!("cannot be looked at: {e}"),
            },
            Ok(meta) if !meta.is_file() => format!("is not a file: {path_fix}"),
            Ok(meta) if meta.permissions().mode() & 0o111 == 0 => {
                format!("is not executable: `chmod +x {program}`")
            }
            Ok(_) => continue,
        };
        return Some(format!("but its {role} binary {program} {problem}"));
    }
    None
}

fn report(home: &Home) -> PlanReport {
    let live = Live::read(home);
    let settings = crate::config::load(&home.root().join("config.toml"));
    // Before the first run, `current` is made pointing at genesis.
    let current = facekit::plan::current_release(home, &live)
        .or_else(|| home.root().join("genesis").is_dir().then(|| "genesis".to_owned()))
        .map(|release| CurrentRelease { version: release_version(home, &release), release });
    let mut upgrades = Vec::new();
    if let Some(pending) = live.status.as_ref().and_then(|s| s.pending.as_ref()) {
        let trigger = match (pending.height, pending.at) {
            (Some(height), _) => Trigger::NodeReady { height },
            (None, Some(at)) => Trigger::At(at),
            (None, None) => Trigger::Now,
        };
        let folder = pending.folder.clone().or_else(|| {
            settings.as_ref().ok().and_then(|s| s.release_for(&pending.version).ok()).map(|r| r.to_string())
        });
        let ready = folder.as_deref().is_some_and(|f| home.root().join(f).is_dir());
        let download = match &settings {
            Ok(Settings { staging: Some(_), .. }) => Ok(()),
            _ => Err(format!(
                "autoInstall is off: put the release folder in place ({} and the binaries), or turn on \
                 [autoInstall] in config.toml",
                RUN_CONFIG
            )),
        };
        let (release_state, mut release_detail) = live.release_state(&pending.version, ready, download);
        if release_state == ReleaseState::Present
            && let Some(folder) = folder.as_deref()
        {
            release_detail = incomplete(&home.root().join(folder));
        }
        upgrades.push(PlannedUpgrade {
            name: pending.name.clone().unwrap_or_else(|| pending.version.clone()),
            version: pending.version.clone(),
            release: folder,
            trigger: TriggerView::from_now(&trigger, live.chain_height()),
            release_state,
            release_detail,
            source: "the core's admin RPC (an accepted protocol upgrade)".to_owned(),
            cancellable: false,
        });
    }
    let mut report = PlanReport::new(home, &live, current, upgrades);
    match &live.status {
        None => report.notes.push(
            "no visor runs on this home: the core announces upgrades over its admin RPC while `visor run` runs \
             it, so none can be known now"
                .to_owned(),
        ),
        Some(status) if status.pending.is_none() => report.notes.push(
            "no upgrade announced: the core announces an accepted protocol upgrade over its admin RPC before its \
             height"
                .to_owned(),
        ),
        Some(_) => {}
    }
    if let Some(since) = live.status.as_ref().and_then(|s| s.admin.as_ref()).and_then(|a| a.unreachable_since) {
        report.notes.push(format!(
            "the core's admin endpoint has not answered since {since}: announcements cannot be seen; `visor check` \
             says why"
        ));
    }
    if let Err(e) = settings {
        report.notes.push(format!("the configuration cannot be read, so release folders may be wrong: {e}"));
    }
    report
}

/// Vega upgrades are the network's: refused, with what an operator can do instead.
fn cancel(report: &PlanReport, name: &str) -> Result<Exit, Failure> {
    const WHY: &str = "visor cannot cancel Vega upgrades: they are protocol upgrades the network's validators \
        accepted, announced by the core's admin RPC, and the core halts at their height whatever the visor does \
        (the chain goes on only with the new release). What you can do instead: choose the folder the release runs \
        from with `upgradeFolders` in config.toml (e.g. \"v0.74.3\" = \"my-build\"); or stop `visor run` before \
        the height and upgrade the core by hand. Only the validators can withdraw an accepted upgrade, on chain";
    let upgrade = match report.find(name) {
        Ok(upgrade) => upgrade,
        Err(unknown) => return Err(Failure::config(anyhow::anyhow!("{}; and {WHY}", unknown.error))),
    };
    Err(facekit::plan::refuse_cancel(format!("upgrade {} ({}): {WHY}", upgrade.name, upgrade.trigger.describe())))
}
