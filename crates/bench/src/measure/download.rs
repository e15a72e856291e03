//! Measurement 5: Download + verify of a release asset over loopback: the engine's fetch (streamed to a file,
//! SHA-256 checked on the way) against `curl -o /dev/null` and `curl | sha256sum`; and how each
//! grows with the asset's size (part of 7).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use testnode::release_server::{Asset, Server, sha256_hex};
use url::Url;
use visor_core::stage::{Checksum, FetchPolicy, Request, client, fetch};

use crate::measure::{Ctx, Goal, Targets, cells, compact};
use crate::report::{Block, Section, Table};
use crate::stats::{Summary, num, paired_ratio};
use crate::sys::Res;

const METHODS: [&str; 4] = [
    "visor fetch + SHA-256 verify, to a file",
    "`curl -o /dev/null`",
    "`curl | sha256sum`",
    "`curl -o FILE` (no hash)",
];

/// MiB/s of each method, one value per round.
struct Size {
    mib: u64,
    speeds: [Vec<f64>; 4],
}

pub(crate) fn run(ctx: &Ctx, targets: &mut Targets) -> (Section, Vec<Block>) {
    let mut section = Section::new("Download + verify");
    let sizes: &[u64] = if ctx.quick { &[4, 8, 16] } else { &[16, 64, 256] };
    let main = sizes[sizes.len() - 1];
    section.text(format!(
        "A {main} MiB asset served by the test release server (HTTP/1.1 on 127.0.0.1, in the harness's process, so \
         it shares the 2 cores with the client as any local server would). The engine's `visor_core::stage::fetch` \
         streams it to a file in the temp dir and checks its SHA-256 on the way (what staging does); `curl -o \
         /dev/null` only receives it; `curl -s URL | sha256sum` receives and hashes it (no file); `curl -o FILE` writes it to a file in the temp \
         dir (no hash), which tells what writing the file costs. All run in turn, round after round; the ratio is \
         taken per round.",
    ));
    let curl = ctx.curl.clone();
    if curl.is_none() {
        section.text("Not compared: `curl` is not installed.");
    }
    let server = Server::start(Vec::new());
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for &mib in sizes {
        let rounds = if mib == main { ctx.reps(5, 2) } else { ctx.reps(3, 2) };
        match measure_size(ctx, &server, curl.as_deref(), mib, rounds) {
            Ok(size) => results.push(size),
            Err(e) => errors.push(format!("{mib} MiB: {e}")),
        }
    }
    drop(server);

    let mut table = Table::new(&[
        "method",
        "MiB/s",
        "spread",
        "n",
        "÷ `curl -o /dev/null` (same rounds)",
        "÷ `curl | sha256sum`",
        "÷ `curl -o FILE`",
    ]);
    if let Some(size) = results.iter().find(|s| s.mib == main) {
        for (i, method) in METHODS.iter().enumerate() {
            let [median, spread, n] = cells(Summary::of(&size.speeds[i]), num);
            let ratio = |j: usize| {
                if i == j {
                    return "–".to_owned();
                }
                paired_ratio(&size.speeds[i], &size.speeds[j]).map_or_else(
                    || "–".into(),
                    |r| format!("{:.0}% ({})", r.median * 100.0, r.spread(|v| format!("{:.0}%", v * 100.0))),
                )
            };
            table.row(vec![(*method).to_owned(), median, spread, n, ratio(1), ratio(2), ratio(3)]);
        }
        let ratio = paired_ratio(&size.speeds[0], &size.speeds[1]);
        targets.judge(
            Goal::Download,
            ratio.map(|r| r.median),
            |r| r >= 0.8,
            ratio.map_or_else(
                || "curl not run".into(),
                |r| {
                    format!(
                        "{:.0}% of curl, {} vs {} MiB/s",
                        r.median * 100.0,
                        num(median_of(&size.speeds[0])),
                        num(median_of(&size.speeds[1]))
                    )
                },
            ),
        );
    }
    section.table(table);
    if !errors.is_empty() {
        section.text(format!("Failures in this run:\n\n- {}", errors.join("\n- ")));
    }

    let mut scaling = Vec::new();
    scaling.push(Block::Text(format!(
        "Download + verify by asset size (MiB/s, median (spread)), measured as in section 5: {} rounds per size, {main} MiB with {}.",
        ctx.reps(3, 2),
        ctx.reps(5, 2)
    )));
    let mut by_size = Table::new(&["asset", METHODS[0], METHODS[1], METHODS[2], METHODS[3]]);
    for size in &results {
        let mut row = vec![format!("{} MiB", size.mib)];
        row.extend(size.speeds.iter().map(|v| compact(Summary::of(v), num)));
        by_size.row(row);
    }
    scaling.push(Block::Table(by_size));
    let series: Vec<(String, Vec<(f64, Summary)>)> = METHODS
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let points = results.iter().filter_map(|s| Some((s.mib as f64, Summary::of(&s.speeds[i])?))).collect();
            (m.replace('`', ""), points)
        })
        .filter(|(_, p): &(String, Vec<_>)| !p.is_empty())
        .collect();
    if !series.is_empty() {
        match crate::plot::lines(
            &ctx.plots.join("download.svg"),
            "Download + verify over loopback",
            "asset MiB",
            "MiB/s",
            &series,
        ) {
            Ok(()) => scaling
                .push(Block::Plot { file: "download.svg".into(), alt: "download throughput by asset size".into() }),
            Err(e) => scaling.push(Block::Text(format!("(plot not drawn: {e})"))),
        }
    }
    (section, scaling)
}

fn median_of(v: &[f64]) -> f64 {
    Summary::of(v).map_or(f64::NAN, |s| s.median)
}

fn measure_size(ctx: &Ctx, server: &Server, curl: Option<&Path>, mib: u64, rounds: usize) -> Res<Size> {
    let bytes = (mib << 20) as usize;
    // Not compressible in a way that matters (nothing compresses here), cheap to make.
    let data: Vec<u8> = (0..bytes).map(|i| (i.wrapping_mul(31) + i / 4093) as u8).collect();
    let hex = sha256_hex(&data);
    let name = format!("asset-{mib}.bin");
    {
        let mut state = server.state.lock().map_err(|_| "the release server's state is poisoned")?;
        state.files.clear();
        state.files.push(Asset::new(&name, data));
    }
    let url = format!("{}/files/{name}", server.base());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let policy = FetchPolicy { max_bytes: u64::MAX, ..FetchPolicy::default() };
    let http = client(&policy);
    let expected = Checksum::parse(&hex).map_err(|e| e.to_string())?;
    let speed = |took: f64| mib as f64 / took;
    let mut size = Size { mib, speeds: [Vec::new(), Vec::new(), Vec::new(), Vec::new()] };
    for round in 1..=rounds {
        let dest = ctx.scratch.join(format!("download-{mib}-{round}"));
        let request = Request {
            url: Url::parse(&url).map_err(|e| e.to_string())?,
            headers: Vec::new(),
            expected: Some(expected.clone()),
            dest: dest.clone(),
        };
        let started = Instant::now();
        let got = runtime.block_on(fetch(&http, &request, &policy, &mut |_, _| {})).map_err(|e| e.to_string())?;
        size.speeds[0].push(speed(started.elapsed().as_secs_f64()));
        if !got.verified {
            return Err("the engine's fetch did not verify the checksum".into());
        }
        let _ = std::fs::remove_file(&got.path);
        let _ = std::fs::remove_file(&dest);
        if let Some(curl) = curl {
            let started = Instant::now();
            crate::sys::run("curl -o /dev/null", Command::new(curl).args(["-s", "-f", "-o", "/dev/null", &url]))?;
            size.speeds[1].push(speed(started.elapsed().as_secs_f64()));
            let started = Instant::now();
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("'{}' -s -f '{url}' | sha256sum", curl.display()))
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run curl | sha256sum: {e}"))?;
            size.speeds[2].push(speed(started.elapsed().as_secs_f64()));
            if !String::from_utf8_lossy(&out.stdout).starts_with(&hex) {
                return Err("curl | sha256sum printed another hash".into());
            }
            let file = ctx.scratch.join(format!("curl-{mib}-{round}"));
            let started = Instant::now();
            crate::sys::run("curl -o FILE", Command::new(curl).args(["-s", "-f", "-o"]).arg(&file).arg(&url))?;
            size.speeds[3].push(speed(started.elapsed().as_secs_f64()));
            let _ = std::fs::remove_file(&file);
        }
        eprintln!(
            "[download] {mib} MiB round {round}/{rounds}: visor {:.0} MiB/s",
            size.speeds[0].last().unwrap_or(&0.0)
        );
    }
    Ok(size)
}
