//! Measurement 1: Trigger → new node started, per face at its default settings, and the phases inside.

use crate::measure::{Ctx, Goal, Runs, Targets, cells, compact, failures, upgrade_rounds};
use crate::report::{Section, Table};
use crate::stats::{Summary, ms, paired_ratio, times};
use crate::world::Kind;

/// What the trigger is, per face.
fn trigger_of(kind: Kind) -> &'static str {
    match kind {
        Kind::Vega => "the core halted at the upgrade height (ready)",
        Kind::Nym => "`add-upgrade --now` written (the command ended)",
        _ => "`upgrade-info.json` written (whole) by the app",
    }
}

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> Section {
    let mut section = Section::new("Trigger → new node started");
    section.text(
        "Each face at its default settings (nothing set but the metrics address, and for Nym an upstream on \
         127.0.0.1 that announces nothing; so Vega takes no backup, Nym a `tar.gz` of the daemon's home, Cosmos a \
         `snapshot` of `data/`), the next release staged ahead of the trigger (Vega: its folder in the home; Nym: the \
         binary given to `add-upgrade`; Cosmos: `upgrades/v2/bin`), a fresh home per run. \
         The times are the nodes' own: testnode records when the core halted at the height, when the app finished \
         writing `upgrade-info.json`, when the old node got its stop signal and when the new one started (its first \
         instruction, after `exec`). The Nym trigger is the moment `nymvisor add-upgrade --now` (run as another process) \
         ended. Vega's and Cosmos' upgrade heights, and the moment of Nym's `add-upgrade`, are drawn at random per run, \
         so the trigger falls anywhere in the visor's poll interval.",
    );
    let mut configs = Vec::new();
    let mut setup = ctx.setup();
    setup.upgrade = true;
    setup.metrics = true;
    for kind in [Kind::Vega, Kind::Nym, Kind::Cosmos] {
        let tool = ctx.ours(kind);
        configs.push((tool.label(), tool, setup.clone()));
    }
    for tool in ctx.peers() {
        configs.push((tool.label(), tool, setup.clone()));
    }
    let rounds = ctx.reps(10, 2);
    let runs = upgrade_rounds("trigger", configs, rounds, 0x7216);

    let mut table =
        Table::new(&["tool", "trigger", "trigger → new node started", "spread", "n", "× the peer (same rounds)"]);
    let mut bars = Vec::new();
    for r in &runs {
        let total = r.summary(|s| Some(s.total));
        let peer = runs.iter().find(|p| p.tool.peer && p.tool.kind == r.tool.kind && !r.tool.peer);
        let ratio = peer.and_then(|p| paired_ratio(&r.values(|s| Some(s.total)), &p.values(|s| Some(s.total))));
        let vs = match (ratio, r.tool.peer) {
            (_, true) => "–".to_owned(),
            (Some(x), _) => format!("{} ({})", times(x.median), x.spread(times)),
            (None, _) if matches!(r.tool.kind, Kind::Nym | Kind::Cosmos) => "not measured (no peer given)".to_owned(),
            (None, _) => "not measured (no Vega Visor peer option)".to_owned(),
        };
        let [median, spread, n] = cells(total, ms);
        table.row(vec![r.label.clone(), trigger_of(r.tool.kind).into(), median, spread, n, vs]);
        if let Some(t) = total {
            bars.push((r.label.clone(), t));
        }
    }
    section.table(table);

    let mut phases = Table::new(&[
        "face",
        "detection + verification (trigger → stop signal)",
        "stop",
        "wait",
        "backup",
        "switch",
        "spawn",
        "spawn → node's first instruction",
        "downtime (stop signal → spawn)",
    ]);
    for r in runs.iter().filter(|r| r.tool.is_ours()) {
        let p = |f: fn(&crate::world::Phases) -> f64| r.summary(|s| s.phases.as_ref().map(f));
        let exec = r.summary(|s| Some(s.total - s.to_signal? - s.phases?.downtime));
        phases.row(vec![
            r.label.clone(),
            compact(r.summary(|s| s.to_signal), ms),
            compact(p(|p| p.stop), ms),
            compact(p(|p| p.wait), ms),
            compact(p(|p| p.backup), ms),
            compact(p(|p| p.switch), ms),
            compact(p(|p| p.spawn), ms),
            compact(exec, ms),
            compact(p(|p| p.downtime), ms),
        ]);
    }
    section.text(
        "The phases, median (spread) in ms. Detection and verification come before the stop signal and are \
         measured from the nodes' records; stop (stop signal → every process of the old node gone), wait (the rest: \
         the loop's turns, waiting for the release), backup, switch (`current` moved, journaled) and spawn (switch \
         done → new node forked) are the visor's own `visor_last_switch_phase_seconds`; the downtime is \
         their sum (and `visor_last_switch_downtime_seconds`). The last-but-one column is what is left: the new process's `exec` (a \
         shell script for Nym and Cosmos) until its first record.",
    );
    section.table(phases);
    if let Some(f) = failures(&runs) {
        section.text(f);
    }
    if !bars.is_empty() {
        match crate::plot::bars(
            &ctx.plots.join("trigger.svg"),
            "Trigger → new node started (median, spread)",
            "ms",
            &bars,
        ) {
            Ok(()) => section.plot("trigger.svg", "trigger → new node started, per tool"),
            Err(e) => section.text(format!("(plot not drawn: {e})")),
        }
    }
    judge(&runs, targets);
    section
}

fn judge(runs: &[Runs], targets: &mut Targets) {
    let ours = |kind| runs.iter().find(|r| r.tool.kind == kind && r.tool.is_ours());
    let median = |r: Option<&Runs>| r.and_then(|r| r.summary(|s| Some(s.total)));
    let shown = |s: Option<Summary>| {
        s.map_or_else(|| "the runs failed".to_owned(), |s| format!("median {}, {}", ms(s.median), s.spread(ms)))
    };
    let vega = median(ours(Kind::Vega));
    targets.judge(Goal::VegaReady, vega.map(|s| s.median), |v| v <= 100.0, shown(vega));
    let cosmos = median(ours(Kind::Cosmos));
    targets.judge(Goal::CosmosPlan, cosmos.map(|s| s.median), |v| v <= 50.0, shown(cosmos));
    let nym = ours(Kind::Nym);
    match runs.iter().find(|r| r.tool.peer && r.tool.kind == Kind::Nym) {
        Some(peer) => {
            let ratio = nym.and_then(|n| paired_ratio(&n.values(|s| Some(s.total)), &peer.values(|s| Some(s.total))));
            let text = ratio.map_or_else(
                || "the runs failed".to_owned(),
                |r| format!("{} of Nymvisor's, paired by round; nymvisor {}", times(r.median), shown(median(nym))),
            );
            targets.judge(Goal::NymAddUpgrade, ratio.map(|r| r.median), |v| v <= 0.5, text);
        }
        None => {
            targets.unmeasured(Goal::NymAddUpgrade, format!("no peer given; nymvisor alone: {}", shown(median(nym))))
        }
    }
}
