//! Measurement 2: Switch downtime (old node fully stopped → new node spawned), the release staged, per
//! backup strategy, with a data folder of a fixed size.

use crate::measure::{Ctx, Goal, Runs, Targets, cells, compact, data_folder, failures, upgrade_rounds};
use crate::report::{Section, Table};
use crate::stats::{Summary, ms, paired_ratio, times};
use crate::world::Kind;

const STRATEGIES: [&str; 5] = ["none", "snapshot", "copy", "tar.zst", "tar.gz"];

/// The downtime once the old node is gone: what the visor itself adds.
fn after_stop(s: &crate::world::Sample) -> Option<f64> {
    s.phases.map(|p| p.downtime - p.stop)
}

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> Section {
    let mut section = Section::new("Switch downtime per backup strategy");
    let (mib, min, max) = if ctx.quick { (8, 32, 96) } else { (64, 128, 384) };
    let data = match data_folder(ctx, mib, min, max) {
        Ok(d) => d,
        Err(e) => {
            section.text(format!("Not measured: cannot make the data folder: {e}"));
            targets.unmeasured(Goal::SwitchNoBackup, "its data folder could not be made".into());
            return section;
        }
    };
    let files = count_files(&data);
    section.text(format!(
        "The switch downtime is the visor's own part of an upgrade: from the old node fully stopped to the new one \
         spawned (the phases after `stop` in `visor_last_switch_phase_seconds`: wait + backup + switch + spawn), the \
         release staged. The node's data \
         folder holds {mib} MiB in {files} files of {min}–{max} KiB (half text-like, half random), the same folder \
         lent to every run (so its pages are in memory, as a running node's are). nymvisor runs every strategy; \
         visor and cosmovisor run without a backup. Backups go to the same filesystem as the data.",
    ));
    let mut configs = Vec::new();
    for strategy in STRATEGIES {
        let mut setup = ctx.setup();
        setup.upgrade = true;
        setup.metrics = true;
        setup.data = Some(data.clone());
        setup.strategy = Some(strategy.to_owned());
        let tool = ctx.ours(Kind::Nym);
        configs.push((format!("{} `{strategy}`", tool.label()), tool, setup));
    }
    for kind in [Kind::Vega, Kind::Cosmos] {
        let mut setup = ctx.setup();
        setup.upgrade = true;
        setup.metrics = true;
        setup.data = Some(data.clone());
        setup.strategy = Some("none".to_owned());
        let tool = ctx.ours(kind);
        configs.push((format!("{} `none`", tool.label()), tool, setup));
    }
    let runs = upgrade_rounds("switch", configs, ctx.reps(5, 2), 0x5717);

    let none = runs.iter().find(|r| r.tool.kind == Kind::Nym && r.label.ends_with("`none`"));
    let mut table = Table::new(&[
        "face, strategy",
        "wrote",
        "downtime after the stop",
        "spread",
        "n",
        "of which backup",
        "× `none` (same rounds)",
        "stop (not included)",
    ]);
    let mut bars = Vec::new();
    for r in &runs {
        let s = r.summary(after_stop);
        let [median, spread, n] = cells(s, ms);
        let wrote = r.samples.iter().flatten().find_map(|s| s.strategy.clone()).unwrap_or_else(|| "none".into());
        let ratio = match none {
            Some(none) if none.tool.kind == r.tool.kind && !std::ptr::eq(none, r) => {
                paired_ratio(&r.values(after_stop), &none.values(after_stop))
                    .map_or_else(|| "–".into(), |x| format!("{} ({})", times(x.median), x.spread(times)))
            }
            _ => "–".into(),
        };
        table.row(vec![
            r.label.clone(),
            wrote,
            median,
            spread,
            n,
            compact(r.summary(|s| s.phases.map(|p| p.backup)), ms),
            ratio,
            compact(r.summary(|s| s.phases.map(|p| p.stop)), ms),
        ]);
        if let Some(s) = s {
            bars.push((r.label.replace('`', ""), s));
        }
    }
    section.table(table);
    if let Some(f) = failures(&runs) {
        section.text(f);
    }
    if !bars.is_empty() {
        match crate::plot::bars(
            &ctx.plots.join("switch.svg"),
            &format!("Switch downtime after the stop, {mib} MiB of data (median, spread)"),
            "ms",
            &bars,
        ) {
            Ok(()) => section.plot("switch.svg", "switch downtime per backup strategy"),
            Err(e) => section.text(format!("(plot not drawn: {e})")),
        }
    }
    judge(&runs, targets);
    section
}

fn judge(runs: &[Runs], targets: &mut Targets) {
    let nones: Vec<(&Runs, Option<Summary>)> =
        runs.iter().filter(|r| r.label.ends_with("`none`")).map(|r| (r, r.summary(after_stop))).collect();
    let worst = nones
        .iter()
        .filter_map(|(_, s)| s.map(|s| s.median))
        .fold(None, |w: Option<f64>, v| Some(w.map_or(v, |w| w.max(v))));
    let all = nones.iter().all(|(_, s)| s.is_some()) && !nones.is_empty();
    let shown = nones
        .iter()
        .map(|(r, s)| format!("{} {}", r.tool.label(), s.map_or_else(|| "failed".into(), |s| ms(s.median))))
        .collect::<Vec<_>>()
        .join(", ");
    targets.judge(Goal::SwitchNoBackup, worst.filter(|_| all), |v| v <= 5.0, format!("medians: {shown}"));
}

/// Files in a folder, recursively (for the text).
fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| if e.file_type().is_ok_and(|t| t.is_dir()) { count_files(&e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}
