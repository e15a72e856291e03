//! Measurement 4: Idle cost of a running node's supervisor: resident memory, threads, CPU time and wake-ups,
//! every supervisor side by side over the same windows of time.

use std::time::{Duration, Instant};

use crate::measure::{Ctx, Goal, Targets, compact};
use crate::report::{Section, Table};
use crate::stats::{Summary, num, paired_ratio, times};
use crate::sys::{ProcSample, sample, ticks_per_second};
use crate::world::{Kind, World};

/// The polls each of our faces makes per minute at its defaults while nothing is announced.
fn polls_per_minute(kind: Kind) -> Option<f64> {
    match kind {
        // The admin endpoint every 500 ms.
        Kind::Vega => Some(120.0),
        // The upstream once an hour; the plan file by file events.
        Kind::Nym => Some(0.0),
        // The node's gRPC for the governance plan every 10 × 300 ms; the plan file by events.
        Kind::Cosmos => Some(20.0),
        _ => None,
    }
}

/// Wake-ups a poll may cost: the timer, the connection, the answer, and the runtime's threads
/// passing the work along.
const WAKEUPS_PER_POLL: f64 = 4.0;
/// And what timers of the loop itself may add per minute (a tick every 10 s).
const WAKEUPS_SPARE: f64 = 6.0;

struct Tracked {
    world: World,
    pid: i32,
    samples: Vec<(Instant, ProcSample)>,
}

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> Section {
    let mut section = Section::new("Idle cost");
    let (windows, window) = if ctx.quick { (5, Duration::from_secs(1)) } else { (6, Duration::from_secs(10)) };
    let total = window * windows as u32;
    section.text(format!(
        "Every supervisor runs its node (testnode) side by side, at its default settings, nothing announced, a \
         block a second (the Cosmos app writes its height into `data/` at every block); after a settling time, the supervisor process (not the node) is sampled from `/proc` every {window:?} for \
         {total:?}. Memory is VmRSS (median of the samples) and VmHWM (the peak, at the end); CPU is the time on a CPU \
         summed over the threads (`schedstat`), per minute, per window; wake-ups are voluntary context switches \
         summed over the threads (a thread that slept and was woken), per minute, per window. utime+stime is the \
         kernel's tick count over the whole period (10 ms resolution). Polls: what the face is expected to do per \
         minute (Vega: the admin endpoint every 500 ms; Nym: nothing between hourly upstream polls; Cosmos: the \
         node's gRPC every 3 s)."
    ));
    let mut tools = vec![ctx.ours(Kind::Vega), ctx.ours(Kind::Nym), ctx.ours(Kind::Cosmos)];
    tools.extend(ctx.peers());
    tools.extend(ctx.classics());
    let mut setup = ctx.setup();
    // A block a second, as a chain makes them (testnode saves its height in the app's data
    // folder at every block, as a node writes its database).
    setup.block_time = Some("1s");
    let mut tracked = Vec::new();
    let mut errors = Vec::new();
    for tool in &tools {
        let started = World::new(tool, &setup).and_then(|mut w| w.start().map(|()| w));
        match started {
            Ok(world) => match world.supervisor_pid() {
                Some(pid) => tracked.push(Tracked { world, pid, samples: Vec::new() }),
                None => errors.push(format!("{}: no process", tool.label())),
            },
            Err(e) => errors.push(format!("{}: {}", tool.label(), e.lines().next().unwrap_or(""))),
        }
    }
    // Startup work (reading the home, the first status, the first polls) is not idle.
    std::thread::sleep(if ctx.quick { Duration::from_secs(1) } else { Duration::from_secs(3) });
    eprintln!("[idle] sampling {} supervisors for {total:?}", tracked.len());
    let begun = Instant::now();
    for w in 0..=windows {
        let at = begun + window * w as u32;
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        for t in &mut tracked {
            if let Ok(s) = sample(t.pid) {
                t.samples.push((Instant::now(), s));
            }
        }
    }
    // (CPU ms, wake-ups) per minute, window by window.
    let per_minute = |t: &Tracked, f: fn((u64, u64)) -> f64| -> Vec<f64> {
        t.samples
            .windows(2)
            .map(|p| f(p[0].1.growth(&p[1].1)) * 60.0 / p[1].0.duration_since(p[0].0).as_secs_f64())
            .collect()
    };
    let cpu = |(ns, _): (u64, u64)| ns as f64 / 1e6;
    let wakeups = |(_, w): (u64, u64)| w as f64;
    let rss = |t: &Tracked| -> Vec<f64> { t.samples.iter().map(|(_, s)| s.rss_kib as f64 / 1024.0).collect() };
    let find = |kind| tracked.iter().find(|t| t.world.tool.kind == kind);
    let (runit, supervisord) = (find(Kind::Runit), find(Kind::Supervisord));

    let mut table = Table::new(&[
        "supervisor",
        "RSS MiB",
        "peak (VmHWM) MiB",
        "threads",
        "CPU ms/min",
        "utime+stime over the period",
        "wake-ups/min",
        "polls/min",
        "RSS × runit",
        "RSS × supervisord",
    ]);
    let mut bars = Vec::new();
    let mut memory = Vec::new();
    let mut cpu_verdicts = Vec::new();
    for t in &tracked {
        let (Some(first), Some(last)) = (t.samples.first(), t.samples.last()) else {
            errors.push(format!("{}: ended while sampled", t.world.tool.label()));
            continue;
        };
        let rss_s = Summary::of(&rss(t));
        let threads = Summary::of(&t.samples.iter().map(|(_, s)| s.threads as f64).collect::<Vec<_>>());
        let ticks_ms = last.1.ticks.saturating_sub(first.1.ticks) as f64 * 1000.0 / ticks_per_second();
        let wake = Summary::of(&per_minute(t, wakeups));
        let vs = |other: Option<&Tracked>| match other {
            Some(o) if !std::ptr::eq(o, t) => {
                paired_ratio(&rss(t), &rss(o)).map_or_else(|| "–".into(), |x| times(x.median))
            }
            Some(_) => "–".into(),
            None => "not installed".into(),
        };
        let polls = polls_per_minute(t.world.tool.kind).filter(|_| t.world.tool.is_ours());
        table.row(vec![
            t.world.tool.label(),
            compact(rss_s, num),
            num(last.1.hwm_kib as f64 / 1024.0),
            compact(threads, num),
            compact(Summary::of(&per_minute(t, cpu)), num),
            format!("{ticks_ms:.0} ms"),
            compact(wake, num),
            polls.map_or_else(|| "–".into(), num),
            vs(runit),
            vs(supervisord),
        ]);
        if let Some(s) = rss_s {
            bars.push((t.world.tool.label(), s));
            if t.world.tool.is_ours() {
                memory.push((t.world.tool.label(), s.median));
            }
        }
        if let (Some(p), Some(w)) = (polls, wake) {
            cpu_verdicts.push((t.world.tool.label(), w.median, p));
        }
    }
    section.table(table);
    if !errors.is_empty() {
        section.text(format!("Failures in this run:\n\n- {}", errors.join("\n- ")));
    }
    for t in tracked {
        let _ = t.world.finish();
    }
    if !bars.is_empty() {
        match crate::plot::bars(
            &ctx.plots.join("idle-memory.svg"),
            "Idle resident memory (VmRSS, median, spread)",
            "MiB",
            &bars,
        ) {
            Ok(()) => section.plot("idle-memory.svg", "idle resident memory per supervisor"),
            Err(e) => section.text(format!("(plot not drawn: {e})")),
        }
    }
    let shown = |v: &[(String, f64)]| v.iter().map(|(l, m)| format!("{l} {m:.1} MiB")).collect::<Vec<_>>().join(", ");
    let worst = memory.iter().map(|(_, m)| *m).fold(None, |w: Option<f64>, m| Some(w.map_or(m, |w| w.max(m))));
    targets.judge(
        Goal::IdleMemory,
        worst.filter(|_| memory.len() == 3),
        |v| v <= 5.0,
        format!("median RSS: {}", shown(&memory)),
    );
    // Met when no face wakes more than its polls explain.
    let excess = cpu_verdicts
        .iter()
        .map(|(_, w, p)| w - (p * WAKEUPS_PER_POLL + WAKEUPS_SPARE))
        .fold(None, |e: Option<f64>, x| Some(e.map_or(x, |e| e.max(x))));
    let shown = cpu_verdicts
        .iter()
        .map(|(l, w, p)| format!("{l} {} wake-ups/min for {} polls/min", num(*w), num(*p)))
        .collect::<Vec<_>>()
        .join(", ");
    targets.judge(
        Goal::IdleCpu,
        excess.filter(|_| cpu_verdicts.len() == 3),
        |x| x <= 0.0,
        format!("{shown}; met when at most {WAKEUPS_PER_POLL} per poll + {WAKEUPS_SPARE}/min"),
    );
    section
}
