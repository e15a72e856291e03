//! Measurement 6: Backup throughput per strategy against `cp -a`, `tar czf` and `tar --zstd` of the same
//! folder (the methods of `testnode::backup_methods`, shared with `visor-backup-bench`).

use std::sync::atomic::AtomicBool;

use testnode::backup_methods::Method;
use visor_core::backup::Strategy;

use crate::measure::{Ctx, Goal, Targets, cells, data_folder};
use crate::report::{Section, Table};
use crate::stats::{Summary, num, paired_ratio, times};

const METHODS: [Method; 7] = [
    Method::Take(Strategy::Snapshot),
    Method::Take(Strategy::Copy),
    Method::Take(Strategy::TarZst),
    Method::Take(Strategy::TarGz),
    Method::CpA,
    Method::TarCzf,
    Method::TarZstd,
];

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> Section {
    let mut section = Section::new("Backup throughput");
    let mib = if ctx.quick { 16 } else { 128 };
    let source = match data_folder(ctx, mib, 4, 64) {
        Ok(d) => d,
        Err(e) => {
            section.text(format!("Not measured: cannot make the data folder: {e}"));
            return section;
        }
    };
    section.text(format!(
        "{mib} MiB of many small files (4–64 KiB, half text-like, half random, 256 folders), backed up by each \
         method in turn, round after round; each timed until its output is on disk (the engine fsyncs what it \
         writes, so each tool's run ends with a `syncfs`). The page cache is not dropped (that would disturb the \
         whole machine): the source is read from memory, as a running node's hot data would be. For the \
         filesystem-by-filesystem study (ext4 and XFS, 1 GiB, cold caches) see `bench/backups.sh` and \
         docs/backups.md.",
    ));
    let stop = AtomicBool::new(false);
    let out = ctx.scratch.join("backup-out");
    let mut speeds: Vec<Vec<f64>> = vec![Vec::new(); METHODS.len()];
    let mut wrote: Vec<String> = vec![String::new(); METHODS.len()];
    let mut errors = Vec::new();
    let missing: Vec<Option<String>> = METHODS.iter().map(|m| m.missing()).collect();
    let rounds = ctx.reps(3, 2);
    for round in 1..=rounds {
        for (i, method) in METHODS.iter().enumerate() {
            if missing[i].is_some() {
                continue;
            }
            let _ = std::fs::remove_dir_all(&out);
            if let Err(e) = std::fs::create_dir_all(&out) {
                errors.push(format!("cannot make {}: {e}", out.display()));
                continue;
            }
            match method.run(&source, &out, &stop) {
                Ok(ran) => {
                    let speed = mib as f64 / ran.took.as_secs_f64();
                    eprintln!("[backup] {} round {round}/{rounds}: {speed:.0} MiB/s", method.label());
                    speeds[i].push(speed);
                    wrote[i] = ran.wrote;
                }
                Err(e) => {
                    errors.push(format!("{}: {e}", method.label()));
                    speeds[i].push(f64::NAN);
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let position = |m: Method| METHODS.iter().position(|x| *x == m).unwrap_or(0);
    let (czf, cpa) = (position(Method::TarCzf), position(Method::CpA));
    let mut table = Table::new(&["method", "wrote", "MiB/s", "spread", "n", "× `tar czf` (same rounds)", "× `cp -a`"]);
    let mut bars = Vec::new();
    for (i, method) in METHODS.iter().enumerate() {
        if let Some(why) = &missing[i] {
            table.row(vec![method.label(), format!("not measured: {why}")]);
            continue;
        }
        let s = Summary::of(&speeds[i]);
        let [median, spread, n] = cells(s, num);
        let vs = |j: usize| {
            if i == j || missing[j].is_some() {
                return "–".to_owned();
            }
            paired_ratio(&speeds[i], &speeds[j])
                .map_or_else(|| "–".into(), |r| format!("{} ({})", times(r.median), r.spread(times)))
        };
        table.row(vec![method.label(), wrote[i].clone(), median, spread, n, vs(czf), vs(cpa)]);
        if let Some(s) = s {
            bars.push((method.label().replace('`', ""), s));
        }
    }
    section.table(table);
    if !errors.is_empty() {
        section.text(format!("Failures in this run:\n\n- {}", errors.join("\n- ")));
    }
    if !bars.is_empty() {
        match crate::plot::bars(
            &ctx.plots.join("backup.svg"),
            &format!("Backup throughput, {mib} MiB of small files (median, spread)"),
            "MiB/s",
            &bars,
        ) {
            Ok(()) => section.plot("backup.svg", "backup throughput per method"),
            Err(e) => section.text(format!("(plot not drawn: {e})")),
        }
    }
    let snapshot = position(Method::Take(Strategy::Snapshot));
    let ratio = if missing[czf].is_none() { paired_ratio(&speeds[snapshot], &speeds[czf]) } else { None };
    targets.judge(
        Goal::DefaultBackup,
        ratio.map(|r| r.median),
        |r| r >= 2.0,
        ratio.map_or_else(
            || "`tar czf` not run".into(),
            |r| {
                format!(
                    "{} `tar czf` (wrote `{}`; {} MiB/s)",
                    times(r.median),
                    wrote[snapshot],
                    num(Summary::of(&speeds[snapshot]).map_or(f64::NAN, |s| s.median))
                )
            },
        ),
    );
    section
}
