//! Measurement 3: Crash → respawn: the node killed with SIGKILL → a new one started, against supervisord
//! and runit managing the same child with their fastest settings.

use std::time::Duration;

use nix::sys::signal::Signal;

use crate::measure::{Ctx, Goal, Targets, cells};
use crate::report::{Section, Table};
use crate::stats::{Summary, ms, paired_ratio, times};
use crate::sys::{Res, now_micros, signal};
use crate::world::{Kind, World};

/// runit waits a second before restarting a service that ran for less than one: every node
/// runs longer than that before it is killed, so no tool is measured in its penalty.
const LIVED: Duration = Duration::from_millis(1100);

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> Section {
    let mut section = Section::new("Crash → respawn");
    section.text(
        "The node (testnode) is killed with SIGKILL; the figure is the kill → the new node's first instruction (its \
         own record). Each tool at its fastest settings: visor `restartsDelaySeconds = 0`; nymvisor \
         `DAEMON_FAILURE_RESTART_DELAY=0s`; cosmovisor `COSMOVISOR_RESTART_ON_FAILURE=true`, \
         `COSMOVISOR_RESTART_ON_FAILURE_DELAY=0s`; each with a restart budget no run spends; supervisord \
         `autorestart=true`, `startsecs=0` (no backoff state); runit a `run` script that `exec`s the node, under \
         `runsv`. All run side by side; each round kills each tool's node in turn, once it has run for over a second \
         (runit's own pause after a shorter run is not measured).",
    );
    let mut tools = vec![ctx.ours(Kind::Vega), ctx.ours(Kind::Nym), ctx.ours(Kind::Cosmos)];
    tools.extend(ctx.peers().into_iter().filter(|t| t.kind == Kind::Nym));
    tools.extend(ctx.classics());
    if ctx.peer_cosmovisor.is_some() {
        section.text("Cosmovisor (peer) is not measured here: it does not restart an app that fails by itself.");
    }
    let mut setup = ctx.setup();
    setup.crash_restarts = true;
    let mut worlds = Vec::new();
    let mut errors = Vec::new();
    for tool in &tools {
        match World::new(tool, &setup).and_then(|mut w| w.start().map(|()| w)) {
            Ok(w) => worlds.push((w, Vec::new())),
            Err(e) => errors.push(format!("{}: {}", tool.label(), e.lines().next().unwrap_or(""))),
        }
    }
    let rounds = ctx.reps(10, 3);
    for round in 1..=rounds {
        for (world, samples) in &mut worlds {
            if samples.len() < round - 1 {
                continue; // failed before
            }
            match kill_once(world) {
                Ok(latency) => {
                    eprintln!("[respawn] {} round {round}/{rounds}: {latency:.2} ms", world.tool.label());
                    samples.push(latency);
                }
                Err(e) => {
                    eprintln!("[respawn] {} round {round}/{rounds} failed: {e}", world.tool.label());
                    errors.push(format!("{}: {}", world.tool.label(), e.lines().next().unwrap_or("")));
                }
            }
        }
    }
    let runit = worlds.iter().find(|(w, _)| w.tool.kind == Kind::Runit).map(|(_, s)| s.clone());
    let mut table = Table::new(&["tool", "kill → new node started", "spread", "n", "× runit (same rounds)"]);
    let mut bars = Vec::new();
    let mut verdicts = Vec::new();
    for (world, samples) in &worlds {
        let s = Summary::of(samples);
        let [median, spread, n] = cells(s, ms);
        let vs = match &runit {
            Some(r) if world.tool.kind != Kind::Runit => paired_ratio(samples, r)
                .map_or_else(|| "–".into(), |x| format!("{} ({})", times(x.median), x.spread(times))),
            Some(_) => "–".into(),
            None => "not measured (runit not installed)".into(),
        };
        table.row(vec![world.tool.label(), median, spread, n, vs]);
        if let Some(s) = s {
            bars.push((world.tool.label(), s));
            if world.tool.is_ours() {
                verdicts.push((world.tool.label(), s.median));
            }
        }
    }
    section.table(table);
    if !errors.is_empty() {
        section.text(format!("Failures in this run:\n\n- {}", errors.join("\n- ")));
    }
    for (world, _) in worlds {
        let _ = world.finish();
    }
    if !bars.is_empty() {
        match crate::plot::bars(&ctx.plots.join("respawn.svg"), "Crash → respawn (median, spread)", "ms", &bars) {
            Ok(()) => section.plot("respawn.svg", "crash → respawn latency per supervisor"),
            Err(e) => section.text(format!("(plot not drawn: {e})")),
        }
    }
    let runit_median = runit.as_deref().and_then(Summary::of).map(|s| s.median);
    let shown = verdicts.iter().map(|(l, m)| format!("{l} {}", ms(*m))).collect::<Vec<_>>().join(", ");
    match runit_median {
        Some(r) if verdicts.len() == 3 => {
            let worst = verdicts.iter().map(|(_, m)| *m).fold(0.0, f64::max);
            targets.judge(Goal::Respawn, Some(worst), |w| w <= r, format!("{shown}; runit {}", ms(r)));
        }
        Some(_) => targets.unmeasured(Goal::Respawn, format!("not every face measured: {shown}")),
        None => targets.unmeasured(Goal::Respawn, format!("runit not installed; {shown}")),
    }
    section
}

/// Kills the node of `world` once it has lived long enough; returns kill → new start in ms.
fn kill_once(world: &mut World) -> Res<f64> {
    let starts = world.starts();
    let last = starts.last().ok_or("no node started")?;
    let pid = last["pid"].as_i64().ok_or("a start record without a pid")? as i32;
    let started = last["atMicros"].as_u64().ok_or("a start record without atMicros (rebuild testnode)")?;
    let lived = Duration::from_micros(now_micros().saturating_sub(started));
    if lived < LIVED {
        std::thread::sleep(LIVED - lived);
    }
    let killed = now_micros();
    signal(pid, Signal::SIGKILL);
    let after = world.wait_starts(starts.len() + 1)?;
    let new = after.last().and_then(|s| s["atMicros"].as_u64()).ok_or("a start record without atMicros")?;
    Ok((new as f64 - killed as f64) / 1000.0)
}
