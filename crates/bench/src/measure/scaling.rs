//! Measurement 7: Scaling: trigger → new node and the switch downtime by the size of the data folder (the
//! Cosmos face, its default backup), the Nym face's trigger by the number of queued upgrades,
//! and (from 5) the download by the asset's size.

use crate::measure::{Ctx, Runs, compact, data_folder, failures, upgrade_rounds};
use crate::report::{Block, Section, Table};
use crate::stats::{Summary, ms};
use crate::world::{Kind, Sample};

fn after_stop(s: &Sample) -> Option<f64> {
    s.phases.map(|p| p.downtime - p.stop)
}

pub(crate) fn run(ctx: &Ctx, download: Vec<Block>) -> Section {
    let mut section = Section::new("Scaling");
    data_size(ctx, &mut section);
    queue(ctx, &mut section);
    section.text("### Download by asset size");
    section.blocks.extend(download);
    section
}

fn data_size(ctx: &Ctx, section: &mut Section) {
    section.text("### Upgrade by data-folder size");
    let sizes: &[u64] = if ctx.quick { &[2, 4, 8] } else { &[16, 64, 256] };
    let mut configs = Vec::new();
    for &mib in sizes {
        match data_folder(ctx, mib, 4, 64) {
            Ok(data) => {
                let mut setup = ctx.setup();
                setup.upgrade = true;
                setup.metrics = true;
                setup.data = Some(data);
                configs.push((format!("{mib} MiB"), ctx.ours(Kind::Cosmos), setup));
            }
            Err(e) => section.text(format!("{mib} MiB not measured: cannot make the data folder: {e}")),
        }
    }
    section.text(
        "cosmovisor at its defaults (backup `snapshot`: a copy on a filesystem without reflinks, a clone with them) \
         with `data/` holding many small files (4–64 KiB) of each size; the sizes run in turn, round after round.",
    );
    let runs = upgrade_rounds("scaling-data", configs, ctx.reps(3, 2), 0xDA7A);
    let mut table =
        Table::new(&["data", "trigger → new node started", "downtime after the stop", "of which backup", "n"]);
    for r in &runs {
        let n = r.samples.iter().flatten().count();
        table.row(vec![
            r.label.clone(),
            compact(r.summary(|s| Some(s.total)), ms),
            compact(r.summary(after_stop), ms),
            compact(r.summary(|s| s.phases.map(|p| p.backup)), ms),
            n.to_string(),
        ]);
    }
    section.table(table);
    if let Some(f) = failures(&runs) {
        section.text(f);
    }
    let mib = |r: &Runs| r.label.trim_end_matches(" MiB").parse::<f64>().unwrap_or(0.0);
    let series = vec![
        ("trigger → new node started".to_owned(), points(&runs, mib, |s| Some(s.total))),
        ("downtime after the stop".to_owned(), points(&runs, mib, after_stop)),
    ];
    plot(ctx, section, "scaling-data.svg", "cosmovisor upgrade by data-folder size", "data MiB", &series);
}

fn queue(ctx: &Ctx, section: &mut Section) {
    section.text("### Nym trigger by queued upgrades");
    let queued: &[usize] = if ctx.quick { &[0, 2, 4] } else { &[0, 16, 64] };
    section.text(
        "nymvisor with this many upgrades queued an hour ahead (each added with `add-upgrade --upgrade-delay 1h` \
         before the visor starts), then `add-upgrade --now` as in section 1; the sizes run in turn, round after \
         round.",
    );
    let configs = queued
        .iter()
        .map(|&n| {
            let mut setup = ctx.setup();
            setup.upgrade = true;
            setup.metrics = true;
            setup.queued = n;
            (format!("{n} queued"), ctx.ours(Kind::Nym), setup)
        })
        .collect();
    let runs = upgrade_rounds("scaling-queue", configs, ctx.reps(3, 2), 0x0E0E);
    let mut table =
        Table::new(&["queued upgrades", "`add-upgrade --now` → new daemon started", "detection + verification", "n"]);
    for r in &runs {
        table.row(vec![
            r.label.clone(),
            compact(r.summary(|s| Some(s.total)), ms),
            compact(r.summary(|s| s.to_signal), ms),
            r.samples.iter().flatten().count().to_string(),
        ]);
    }
    section.table(table);
    if let Some(f) = failures(&runs) {
        section.text(f);
    }
    let count = |r: &Runs| r.label.split(' ').next().and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
    let series = vec![
        ("add-upgrade --now → new daemon started".to_owned(), points(&runs, count, |s| Some(s.total))),
        ("detection + verification".to_owned(), points(&runs, count, |s| s.to_signal)),
    ];
    plot(ctx, section, "scaling-queue.svg", "nymvisor trigger by queued upgrades", "queued upgrades", &series);
}

fn points(runs: &[Runs], x: impl Fn(&Runs) -> f64, f: impl Fn(&Sample) -> Option<f64> + Copy) -> Vec<(f64, Summary)> {
    runs.iter().filter_map(|r| Some((x(r), r.summary(f)?))).collect()
}

fn plot(ctx: &Ctx, section: &mut Section, file: &str, title: &str, x: &str, series: &[(String, Vec<(f64, Summary)>)]) {
    if series.iter().all(|(_, p)| p.is_empty()) {
        return;
    }
    match crate::plot::lines(&ctx.plots.join(file), title, x, "ms", series) {
        Ok(()) => section.plot(file, title),
        Err(e) => section.text(format!("(plot not drawn: {e})")),
    }
}
