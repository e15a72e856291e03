//! `visor plan`: what will happen next on a Vega home. Vega's upgrades come from the chain: the
//! network's validators accept a protocol upgrade, the core announces it over its admin RPC
//! before its height, and halts at that height ready to be replaced. So what is planned is what
//! the running visor has seen announced (its status document); with no visor running nothing
//! can be known, and nothing can be cancelled here.

use std::path::Path;

use facekit::Failure;
use facekit::plan::{CurrentRelease, Live, PlanArgs, PlanCommand, PlanReport, PlannedUpgrade, TriggerView};
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

/// The release tag `current`'s run configuration names (free text; Vega recommends the tag).
fn release_name(home: &Home, release: &str) -> Option<String> {
    let file = home.root().join(release).join(RUN_CONFIG);
    let parsed = facekit::toml_file::load::<RawRunConfig>(&file, crate::config::INIT_HINT).ok()?;
    parsed.value.name.filter(|n| !n.trim().is_empty())
}

fn report(home: &Home) -> PlanReport {
    let live = Live::read(home);
    let settings = crate::config::load(&home.root().join("config.toml"));
    // Before the first run, `current` is made pointing at genesis.
    let current = facekit::plan::current_release(home, &live)
        .or_else(|| home.root().join("genesis").is_dir().then(|| "genesis".to_owned()))
        .map(|release| CurrentRelease { version: release_name(home, &release), release });
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
        let (release_state, release_detail) = live.release_state(&pending.version, ready, download);
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
