//! The measurements, one module each, and what they share: the context of the run, the
//! targets they judge, interleaved rounds of upgrades, and table cells.

pub(crate) mod backup;
pub(crate) mod download;
pub(crate) mod idle;
pub(crate) mod respawn;
pub(crate) mod scaling;
pub(crate) mod switch;
pub(crate) mod trigger;

use std::path::PathBuf;

use testnode::datagen::Rng;

use crate::report::{Target, Verdict};
use crate::stats::Summary;
use crate::sys::Res;
use crate::world::{Kind, Sample, Setup, Tool, World};

/// What every measurement gets: the binaries, the tools found, where to write.
pub(crate) struct Ctx {
    pub(crate) quick: bool,
    pub(crate) visor: PathBuf,
    pub(crate) nymvisor: PathBuf,
    pub(crate) cosmovisor: PathBuf,
    pub(crate) testnode: PathBuf,
    pub(crate) peer_nymvisor: Option<PathBuf>,
    pub(crate) peer_cosmovisor: Option<PathBuf>,
    pub(crate) supervisord: Option<PathBuf>,
    pub(crate) runsv: Option<PathBuf>,
    pub(crate) curl: Option<PathBuf>,
    /// `bench/plots`.
    pub(crate) plots: PathBuf,
    /// A scratch folder for data folders and downloads (in the temp dir).
    pub(crate) scratch: PathBuf,
    /// The Nym upstream: a 404 on 127.0.0.1 (nothing announced).
    pub(crate) upstream: String,
}

impl Ctx {
    /// `full` repetitions, or `quick` with `--quick`.
    pub(crate) fn reps(&self, full: usize, quick: usize) -> usize {
        if self.quick { quick } else { full }
    }

    pub(crate) fn setup(&self) -> Setup {
        Setup { testnode: self.testnode.clone(), upstream: self.upstream.clone(), ..Setup::default() }
    }

    /// Our face of `kind`.
    pub(crate) fn ours(&self, kind: Kind) -> Tool {
        let bin = match kind {
            Kind::Vega => &self.visor,
            Kind::Nym => &self.nymvisor,
            _ => &self.cosmovisor,
        };
        Tool::ours(kind, bin)
    }

    /// The peers given, as tools.
    pub(crate) fn peers(&self) -> Vec<Tool> {
        let mut peers = Vec::new();
        if let Some(bin) = &self.peer_nymvisor {
            peers.push(Tool { kind: Kind::Nym, bin: bin.clone(), peer: true });
        }
        if let Some(bin) = &self.peer_cosmovisor {
            peers.push(Tool { kind: Kind::Cosmos, bin: bin.clone(), peer: true });
        }
        peers
    }

    /// supervisord and runit, where they are installed.
    pub(crate) fn classics(&self) -> Vec<Tool> {
        let mut tools = Vec::new();
        if let Some(bin) = &self.supervisord {
            tools.push(Tool { kind: Kind::Supervisord, bin: bin.clone(), peer: false });
        }
        if let Some(bin) = &self.runsv {
            tools.push(Tool { kind: Kind::Runit, bin: bin.clone(), peer: false });
        }
        tools
    }
}

/// The targets of the issue, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    VegaReady,
    NymAddUpgrade,
    CosmosPlan,
    SwitchNoBackup,
    Download,
    Respawn,
    IdleMemory,
    IdleCpu,
    DefaultBackup,
}

const GOALS: [(Goal, &str, &str); 9] = [
    (Goal::VegaReady, "Vega: core ready → new core started, default settings", "≤ 100 ms"),
    (Goal::NymAddUpgrade, "Nym: `add-upgrade --now` written → new daemon started", "≤ half of Nymvisor's, same run"),
    (Goal::CosmosPlan, "Cosmos: `upgrade-info.json` written → new node started", "≤ 50 ms"),
    (Goal::SwitchNoBackup, "switch, release staged, no backup: old node stopped → new node spawned", "≤ 5 ms"),
    (Goal::Download, "download + verify over loopback", "≥ 80% of `curl -o /dev/null`"),
    (Goal::Respawn, "crash → respawn", "no slower than runit"),
    (Goal::IdleMemory, "idle visor: resident memory", "≤ 5 MiB"),
    (Goal::IdleCpu, "idle visor: CPU between polls", "none"),
    (Goal::DefaultBackup, "default backup (`snapshot`)", "≥ 2× `tar czf` of the same folder"),
];

/// The verdicts of this run, one per goal.
pub(crate) struct Targets(Vec<(Goal, Target)>);

impl Targets {
    pub(crate) fn new() -> Self {
        Self(
            GOALS
                .iter()
                .map(|(g, what, target)| {
                    (*g, Target::new(what, target, Verdict::NotMeasured, "its measurement did not run"))
                })
                .collect(),
        )
    }

    /// Judges `goal`: met when `met(value)`; `shown` says what was measured (or why nothing).
    pub(crate) fn judge(&mut self, goal: Goal, value: Option<f64>, met: impl Fn(f64) -> bool, shown: String) {
        if let Some((_, t)) = self.0.iter_mut().find(|(g, _)| *g == goal) {
            *t = Target::bound(&t.what, &t.target, value, met, shown);
        }
    }

    /// Leaves `goal` not measured, saying why.
    pub(crate) fn unmeasured(&mut self, goal: Goal, why: String) {
        self.judge(goal, None, |_| false, why);
    }

    pub(crate) fn into_list(self) -> Vec<Target> {
        self.0.into_iter().map(|(_, t)| t).collect()
    }
}

/// One configuration measured in rounds: its label and its samples (or its errors).
pub(crate) struct Runs {
    pub(crate) label: String,
    pub(crate) tool: Tool,
    pub(crate) samples: Vec<Option<Sample>>,
    pub(crate) errors: Vec<String>,
}

impl Runs {
    /// The summary of `f` over the samples.
    pub(crate) fn summary(&self, f: impl Fn(&Sample) -> Option<f64>) -> Option<Summary> {
        Summary::of(&self.values(f))
    }

    /// One value per round (NaN where the round failed), for paired ratios.
    pub(crate) fn values(&self, f: impl Fn(&Sample) -> Option<f64>) -> Vec<f64> {
        self.samples.iter().map(|s| s.as_ref().and_then(&f).unwrap_or(f64::NAN)).collect()
    }
}

/// Runs one upgrade per configuration per round, the configurations in turn, so slow moments of
/// the machine fall on every configuration alike. A configuration that fails twice is dropped.
pub(crate) fn upgrade_rounds(name: &str, configs: Vec<(String, Tool, Setup)>, rounds: usize, seed: u64) -> Vec<Runs> {
    let mut rng = Rng(seed);
    let mut runs: Vec<(Runs, Setup)> = configs
        .into_iter()
        .map(|(label, tool, setup)| (Runs { label, tool, samples: Vec::new(), errors: Vec::new() }, setup))
        .collect();
    for round in 1..=rounds {
        for (runs, setup) in &mut runs {
            if runs.errors.len() >= 2 {
                runs.samples.push(None);
                continue;
            }
            let sample = upgrade_once(&runs.tool, setup, &mut rng);
            match sample {
                Ok(s) => {
                    eprintln!("[{name}] {} round {round}/{rounds}: {:.1} ms", runs.label, s.total);
                    runs.samples.push(Some(s));
                }
                Err(e) => {
                    eprintln!("[{name}] {} round {round}/{rounds} failed: {e}", runs.label);
                    runs.errors.push(e);
                    runs.samples.push(None);
                }
            }
        }
    }
    runs.into_iter().map(|(r, _)| r).collect()
}

fn upgrade_once(tool: &Tool, setup: &Setup, rng: &mut Rng) -> Res<Sample> {
    let mut world = World::new(tool, setup)?;
    world.start()?;
    let sample = world.upgrade(rng);
    let finished = world.finish();
    let sample = sample?;
    finished?;
    Ok(sample)
}

/// `median` and `spread` cells of a summary, or dashes.
pub(crate) fn cells(s: Option<Summary>, fmt: fn(f64) -> String) -> [String; 3] {
    match s {
        Some(s) => [fmt(s.median), s.spread(fmt), s.n.to_string()],
        None => ["–".into(), "–".into(), "0".into()],
    }
}

/// A compact cell: `median (low–high)`.
pub(crate) fn compact(s: Option<Summary>, fmt: fn(f64) -> String) -> String {
    match s {
        Some(s) if s.n > 1 => {
            let (lo, hi) = s.range();
            format!("{} ({}–{})", fmt(s.median), fmt(lo), fmt(hi))
        }
        Some(s) => fmt(s.median),
        None => "–".into(),
    }
}

/// The first error of each failed configuration, for the section's text.
pub(crate) fn failures(runs: &[Runs]) -> Option<String> {
    let lines: Vec<String> = runs
        .iter()
        .filter_map(|r| {
            r.errors
                .first()
                .map(|e| format!("- {}: {} failed run(s); the first: `{}`", r.label, r.errors.len(), first_line(e)))
        })
        .collect();
    (!lines.is_empty()).then(|| format!("Failures in this run:\n\n{}", lines.join("\n")))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").chars().take(300).collect()
}

/// A data folder of `mib` MiB in files of `min_kib`–`max_kib` KiB under the scratch folder,
/// made once per run.
pub(crate) fn data_folder(ctx: &Ctx, mib: u64, min_kib: u64, max_kib: u64) -> Res<PathBuf> {
    let dir = ctx.scratch.join(format!("data-{mib}MiB-{min_kib}-{max_kib}K"));
    if !dir.exists() {
        let shape = testnode::datagen::Shape { total: mib << 20, min: min_kib << 10, max: max_kib << 10, seed: 0xDA7A };
        let made = dir.with_extension("making");
        let _ = std::fs::remove_dir_all(&made);
        testnode::datagen::many_files(&made, shape)?;
        std::fs::rename(&made, &dir).map_err(|e| format!("cannot rename {}: {e}", made.display()))?;
    }
    Ok(dir)
}
