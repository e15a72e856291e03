//! `visor-bench`: the benchmark harness (issue 12). Measures the three faces through their
//! release binaries, with `testnode` as the node, against supervisord, runit, curl and the peer
//! visors an operator gives, and rewrites `BENCHMARKS.md` and `bench/plots/*.svg`.
//!
//! Run it with `bench/run` (which builds the release binaries and installs the comparison tools
//! first). A measurement, never a test: the unit tests cover the statistics and the report.

mod machine;
mod measure;
mod plot;
mod report;
mod stats;
mod sys;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use measure::{Ctx, Targets};
use report::Report;

const USAGE: &str = "\
usage: visor-bench [--quick] [--peer-nymvisor PATH] [--peer-cosmovisor PATH] [--supervisord PATH]
                   [--out DIR] [--bin-dir DIR] [--only NAMES] [--note TEXT]...

  --quick                 a smoke run: fewer rounds, smaller folders and assets, 5 s of idle
  --peer-nymvisor PATH    a real Nymvisor to run side by side (or VISOR_BENCH_PEER_NYMVISOR)
  --peer-cosmovisor PATH  a real Cosmovisor to run side by side (or VISOR_BENCH_PEER_COSMOVISOR)
  --supervisord PATH      supervisord to compare with (or VISOR_BENCH_SUPERVISORD; default: on PATH)
  --out DIR               where BENCHMARKS.md and bench/plots/ are written (default: .)
  --bin-dir DIR           the release binaries (default: beside this program)
  --only NAMES            comma-separated: trigger,switch,respawn,idle,download,backup,scaling
  --note TEXT             a line for the report's \"not measured\" list (bench/run uses it)
";

const ALL: [&str; 7] = ["trigger", "switch", "respawn", "idle", "download", "backup", "scaling"];

struct Args {
    quick: bool,
    peer_nymvisor: Option<PathBuf>,
    peer_cosmovisor: Option<PathBuf>,
    supervisord: Option<PathBuf>,
    out: PathBuf,
    bin_dir: Option<PathBuf>,
    only: Vec<String>,
    notes: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let env_path = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let mut args = Args {
        quick: false,
        peer_nymvisor: env_path("VISOR_BENCH_PEER_NYMVISOR"),
        peer_cosmovisor: env_path("VISOR_BENCH_PEER_COSMOVISOR"),
        supervisord: env_path("VISOR_BENCH_SUPERVISORD"),
        out: PathBuf::from("."),
        bin_dir: None,
        only: ALL.iter().map(|s| (*s).to_owned()).collect(),
        notes: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--quick" => args.quick = true,
            "--peer-nymvisor" => args.peer_nymvisor = Some(PathBuf::from(value()?)),
            "--peer-cosmovisor" => args.peer_cosmovisor = Some(PathBuf::from(value()?)),
            "--supervisord" => args.supervisord = Some(PathBuf::from(value()?)),
            "--out" => args.out = PathBuf::from(value()?),
            "--bin-dir" => args.bin_dir = Some(PathBuf::from(value()?)),
            "--note" => args.notes.push(value()?),
            "--only" => {
                args.only = value()?.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                if let Some(bad) = args.only.iter().find(|n| !ALL.contains(&n.as_str())) {
                    return Err(format!("--only: unknown measurement {bad:?} (one of {})", ALL.join(", ")));
                }
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

/// The command that reproduces this run.
fn command(args: &Args) -> String {
    let mut c = "bench/run".to_owned();
    if args.quick {
        c.push_str(" --quick");
    }
    if let Some(p) = &args.peer_nymvisor {
        c.push_str(&format!(" --peer-nymvisor {}", p.display()));
    }
    if let Some(p) = &args.peer_cosmovisor {
        c.push_str(&format!(" --peer-cosmovisor {}", p.display()));
    }
    if args.only.len() < ALL.len() {
        c.push_str(&format!(" --only {}", args.only.join(",")));
    }
    c
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("visor-bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("visor-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let began = Instant::now();
    let bin_dir = match &args.bin_dir {
        Some(d) => d.clone(),
        None => std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(Path::to_owned))
            .ok_or("cannot tell where this program lives: pass --bin-dir")?,
    };
    let bin = |name: &str| -> Result<PathBuf, String> {
        let path = bin_dir.join(name);
        if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{} is missing: build the release binaries first (`cargo build --release -p visor -p nymvisor -p cosmovisor -p testnode`) or pass --bin-dir",
                path.display()
            ))
        }
    };
    for (flag, peer) in [("--peer-nymvisor", &args.peer_nymvisor), ("--peer-cosmovisor", &args.peer_cosmovisor)] {
        if let Some(p) = peer.as_ref().filter(|p| !p.is_file()) {
            return Err(format!("{flag} {}: no such file; give the path of the built binary", p.display()));
        }
    }
    let plots = args.out.join("bench/plots");
    std::fs::create_dir_all(&plots).map_err(|e| format!("cannot make {}: {e}", plots.display()))?;
    if args.only.len() == ALL.len() {
        // The folder shows this run's plots only.
        for entry in std::fs::read_dir(&plots).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "svg") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let scratch = tempfile::Builder::new()
        .prefix("visor-bench-scratch-")
        .tempdir()
        .map_err(|e| format!("cannot make a folder in {}: {e}", std::env::temp_dir().display()))?;
    let upstream = testnode::release_server::Server::start(Vec::new());
    let supervisord = args.supervisord.clone().or_else(|| sys::which("supervisord"));
    let ctx = Ctx {
        quick: args.quick,
        visor: bin("visor")?,
        nymvisor: bin("nymvisor")?,
        cosmovisor: bin("cosmovisor")?,
        testnode: bin("testnode")?,
        peer_nymvisor: args.peer_nymvisor.clone(),
        peer_cosmovisor: args.peer_cosmovisor.clone(),
        supervisord,
        runsv: sys::which("runsv"),
        curl: sys::which("curl"),
        plots,
        scratch: scratch.path().to_owned(),
        upstream: format!("{}/files/upgrade-info.json", upstream.base()),
    };
    let tools = vec![
        ("curl".to_owned(), machine::version(ctx.curl.as_deref(), &["--version"])),
        ("supervisord".to_owned(), machine::version(ctx.supervisord.as_deref(), &["--version"])),
        (
            "runit".to_owned(),
            ctx.runsv.as_ref().map_or_else(
                || "not installed".into(),
                |_| {
                    sys::first_line("dpkg-query", &["-W", "-f", "${Version}", "runit"])
                        .unwrap_or_else(|| "installed".into())
                },
            ),
        ),
        (
            "mode".to_owned(),
            if args.quick { "--quick (a smoke run: few rounds, small sizes)".into() } else { "full".into() },
        ),
    ];
    let repo = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut report = Report { facts: machine::facts(&repo, &tools), command: command(args), ..Report::default() };
    report.notes.extend(args.notes.iter().cloned());
    if ctx.peer_nymvisor.is_none() {
        report.notes.push("Nymvisor (peer): not measured (no peer given; `--peer-nymvisor PATH`)".into());
    }
    if ctx.peer_cosmovisor.is_none() {
        report.notes.push("Cosmovisor (peer): not measured (no peer given; `--peer-cosmovisor PATH`)".into());
    }
    for (name, found) in [("supervisord", &ctx.supervisord), ("runit (runsv)", &ctx.runsv), ("curl", &ctx.curl)] {
        if found.is_none() {
            report.notes.push(format!("{name}: not installed, so not compared"));
        }
    }

    let want = |name: &str| args.only.iter().any(|n| n == name);
    let mut targets = Targets::new();
    let mut download_scaling = Vec::new();
    for name in ALL {
        if !want(name) {
            continue;
        }
        let started = Instant::now();
        eprintln!("visor-bench: measuring {name}");
        let section = match name {
            "trigger" => measure::trigger::run(&ctx, &mut targets),
            "switch" => measure::switch::run(&ctx, &mut targets),
            "respawn" => measure::respawn::run(&ctx, &mut targets),
            "idle" => measure::idle::run(&ctx, &mut targets),
            "download" => {
                let (section, scaling) = measure::download::run(&ctx, &mut targets);
                download_scaling = scaling;
                section
            }
            "backup" => measure::backup::run(&ctx, &mut targets),
            _ => measure::scaling::run(&ctx, std::mem::take(&mut download_scaling)),
        };
        eprintln!("visor-bench: {name} took {:.0} s", started.elapsed().as_secs_f64());
        report.sections.push(section);
    }
    report.targets = targets.into_list();
    report.facts.push(("load average at the end".into(), machine::load_now()));
    report.facts.push(("runtime".into(), format!("{:.1} min", began.elapsed().as_secs_f64() / 60.0)));
    let file = args.out.join("BENCHMARKS.md");
    std::fs::write(&file, report.render() + "\n").map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    eprintln!("visor-bench: wrote {} in {:.1} min", file.display(), began.elapsed().as_secs_f64() / 60.0);
    Ok(())
}
