//! `testnode cosmos …`: a Cosmos SDK app, as a Cosmos visor sees one.
//!
//! - `start`: produces blocks on a timer from the height saved in `<home>/data/testnode-height`;
//!   serves CometBFT's `GET /status` on `--rpc-port`; at `--plan-height` (unless the height is in
//!   `--unsafe-skip-upgrades`) writes `<home>/data/upgrade-info.json` the way `x/upgrade` does —
//!   truncate, then write, not atomically (in two pieces with a pause, so a reader can see it
//!   empty or half written) — logs `UPGRADE "<name>" NEEDED at height: <h>: <info>` and halts,
//!   still running; with `--halt-height N` it stops producing after committing N and logs
//!   `halt per configuration height N`. With `--grpc-port` it answers the SDK's
//!   `Query/CurrentPlan` with the plan it will halt for (see `cosmos_grpc.rs`), from the start. A stop signal is recorded (which one) in
//!   `<records>/exits.jsonl` after `--stop-delay`. With `--exit-at-plan <code>` it exits with
//!   that code right after writing the plan, as an SDK app that panics at its upgrade height
//!   does (`--exit-delay` waits that long first), recording it in `exits.jsonl`. With
//!   `--mark-data <name>` it writes `<home>/data/<name>` (its version) first thing at start,
//!   before `--crash-at-start`: a release that changes the data and then fails.
//! - `status`: the saved height, as the app's own `status` command prints it.
//! - `version [--long] [--output json]`: its version.
//! - `pre-upgrade`: exits with the next of `--pre-upgrade-codes` (the last repeats), counting
//!   calls in `<records>/pre-upgrade.jsonl`.
//!
//! Unknown flags are accepted and ignored: a real app gets many.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = std::io::stderr().write_all(format!("{}\n", format_args!($($arg)*)).as_bytes());
    }};
}

#[derive(Debug, Default)]
struct Options {
    command: Vec<String>,
    home: Option<PathBuf>,
    records: Option<PathBuf>,
    block_time: Option<Duration>,
    plan_name: Option<String>,
    plan_height: Option<u64>,
    plan_info: String,
    halt_height: Option<u64>,
    skip: Vec<u64>,
    rpc_port: Option<u16>,
    grpc_port: Option<u16>,
    stop_delay: Option<Duration>,
    output: Option<String>,
    pre_upgrade_codes: Vec<u8>,
    crash_at_start: bool,
    exit_at_plan: Option<u8>,
    exit_delay: Option<Duration>,
    mark_data: Option<String>,
    print: crate::args::Print,
}

fn parse(argv: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            argv.get(i).cloned().ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: {v:?} is not a number"));
        match flag {
            "--home" => o.home = Some(PathBuf::from(value()?)),
            "--records" => o.records = Some(PathBuf::from(value()?)),
            "--block-time" => o.block_time = Some(crate::args::parse_duration(&value()?)?),
            "--plan-name" => o.plan_name = Some(value()?),
            "--plan-height" => o.plan_height = Some(number(value()?)?),
            "--plan-info" => o.plan_info = value()?,
            "--halt-height" => o.halt_height = Some(number(value()?)?).filter(|h| *h > 0),
            "--rpc-port" => o.rpc_port = Some(number(value()?)?.min(65535) as u16),
            "--grpc-port" => o.grpc_port = Some(number(value()?)?.min(65535) as u16),
            "--stop-delay" => o.stop_delay = Some(crate::args::parse_duration(&value()?)?),
            "--output" | "-o" => o.output = Some(value()?),
            "--crash-at-start" => o.crash_at_start = true,
            "--exit-at-plan" => o.exit_at_plan = Some(number(value()?)?.min(255) as u8),
            "--exit-delay" => o.exit_delay = Some(crate::args::parse_duration(&value()?)?),
            "--mark-data" => o.mark_data = Some(value()?),
            "--print-long-line" => o.print.long_line = Some(number(value()?)? as usize),
            "--print-invalid-utf8" => o.print.invalid_utf8 = true,
            "--pre-upgrade-codes" => {
                o.pre_upgrade_codes = value()?.split(',').filter_map(|c| c.trim().parse().ok()).collect();
            }
            "--unsafe-skip-upgrades" => {
                // Heights follow until the next flag, as the SDK reads them.
                while let Some(h) = argv.get(i + 1).filter(|a| !a.starts_with("--")) {
                    if let Ok(h) = h.parse() {
                        o.skip.push(h);
                    }
                    i += 1;
                }
            }
            f if f.starts_with('-') => {}
            _ => o.command.push(arg.to_owned()),
        }
        i += 1;
    }
    Ok(o)
}

pub(crate) fn main(argv: &[String]) -> ExitCode {
    let options = match parse(argv) {
        Ok(o) => o,
        Err(e) => {
            say!("testnode cosmos: {e}");
            return ExitCode::from(2);
        }
    };
    match options.command.first().map(String::as_str) {
        Some("start") => start(options),
        Some("status") => {
            let height = options.home.as_deref().map(saved_height).unwrap_or(0);
            println!("{}", serde_json::json!({ "sync_info": { "latest_block_height": height.to_string() } }));
            ExitCode::SUCCESS
        }
        Some("version") => {
            let v = crate::own_version();
            if options.output.as_deref() == Some("json") {
                println!("{}", serde_json::json!({ "name": "testnode", "version": v }));
            } else {
                println!("{v}");
            }
            ExitCode::SUCCESS
        }
        Some("pre-upgrade") => {
            let calls = options.records.as_deref().map(|r| count_lines(&r.join("pre-upgrade.jsonl"))).unwrap_or(0);
            let code = options.pre_upgrade_codes.get(calls).or(options.pre_upgrade_codes.last()).copied().unwrap_or(0);
            record(
                options.records.as_deref(),
                "pre-upgrade.jsonl",
                serde_json::json!({ "version": crate::own_version(), "code": code }),
            );
            println!("testnode pre-upgrade {} exits {code}", crate::own_version());
            ExitCode::from(code)
        }
        other => {
            println!("testnode cosmos: {other:?} done");
            ExitCode::SUCCESS
        }
    }
}

/// Now, in microseconds since the epoch (records compare times across processes).
pub(crate) fn micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

fn count_lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map(|t| t.lines().count()).unwrap_or(0)
}

fn record(records: Option<&Path>, file: &str, value: serde_json::Value) {
    let Some(dir) = records else { return };
    let _ = std::fs::create_dir_all(dir);
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(dir.join(file)) {
        let _ = f.write_all(format!("{value}\n").as_bytes());
    }
}

fn saved_height(home: &Path) -> u64 {
    std::fs::read_to_string(home.join("data/testnode-height")).ok().and_then(|h| h.trim().parse().ok()).unwrap_or(0)
}

fn save_height(home: &Path, height: u64) {
    let data = home.join("data");
    let _ = std::fs::create_dir_all(&data);
    let tmp = data.join("testnode-height.tmp");
    if std::fs::write(&tmp, height.to_string()).is_ok() {
        let _ = std::fs::rename(&tmp, data.join("testnode-height"));
    }
}

/// Writes the plan as `x/upgrade` does: truncate, then the bytes, in two pieces.
fn write_plan_like_the_sdk(home: &Path, name: &str, height: u64, info: &str) {
    let data = home.join("data");
    let _ = std::fs::create_dir_all(&data);
    let body = serde_json::json!({ "name": name, "height": height, "info": info }).to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    if let Ok(mut f) =
        std::fs::OpenOptions::new().create(true).write(true).truncate(true).open(data.join("upgrade-info.json"))
    {
        std::thread::sleep(Duration::from_millis(15));
        let _ = f.write_all(first.as_bytes());
        let _ = f.flush();
        std::thread::sleep(Duration::from_millis(15));
        let _ = f.write_all(rest.as_bytes());
    }
}

fn start(options: Options) -> ExitCode {
    crate::hold_stop_signals();
    let home = options.home.clone().unwrap_or_else(|| PathBuf::from("."));
    let height = saved_height(&home);
    record(
        options.records.as_deref(),
        "starts.jsonl",
        serde_json::json!({
            "role": "app",
            "pid": std::process::id(),
            "args": std::env::args().skip(1).collect::<Vec<_>>(),
            "version": crate::own_version(),
            "startHeight": height,
            "haltHeight": options.halt_height,
            "atMicros": micros(),
        }),
    );
    if let Some(name) = &options.mark_data {
        let data = home.join("data");
        let _ = std::fs::create_dir_all(&data);
        if let Err(e) = std::fs::write(data.join(name), crate::own_version()) {
            say!("testnode app: cannot write the marker {name}: {e}");
        }
    }
    crate::print_on_request(options.print);
    if options.crash_at_start {
        say!("testnode app: crashing at start as asked");
        return ExitCode::from(1);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(serve(options, home, height))
}

async fn serve(options: Options, home: PathBuf, start_height: u64) -> ExitCode {
    use tokio::signal::unix::{SignalKind, signal};
    let height = Arc::new(AtomicU64::new(start_height));
    if let Some(port) = options.rpc_port {
        match rpc_listener(port) {
            Ok(listener) => {
                tokio::spawn(serve_rpc(listener, Arc::clone(&height)));
            }
            Err(e) => {
                say!("testnode app: cannot serve the RPC on 127.0.0.1:{port}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if let Some(port) = options.grpc_port {
        let plan = options.plan_name.clone().zip(options.plan_height).map(|(n, h)| (n, h, options.plan_info.clone()));
        if let Err(e) = crate::cosmos_grpc::listen(port, Arc::new(plan)) {
            say!("testnode app: cannot serve gRPC on 127.0.0.1:{port}: {e}");
            return ExitCode::from(1);
        }
    }
    let halted = Arc::new(Mutex::new(false));
    tokio::spawn(produce(options_for_blocks(&options), home.clone(), Arc::clone(&height), Arc::clone(&halted)));
    let mut term = signal(SignalKind::terminate()).expect("signal handler");
    let mut int = signal(SignalKind::interrupt()).expect("signal handler");
    crate::release_stop_signals();
    say!("testnode app {} started at height {start_height} (pid {})", crate::own_version(), std::process::id());
    let got = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    // Before the stop delay: the benchmark harness times the visor's stop signal from it.
    let signalled = micros();
    say!("testnode app: {got} received, flushing");
    if let Some(delay) = options.stop_delay {
        tokio::time::sleep(delay).await;
    }
    save_height(&home, height.load(Ordering::SeqCst));
    record(
        options.records.as_deref(),
        "exits.jsonl",
        serde_json::json!({ "role": "app", "pid": std::process::id(), "signal": got, "height": height.load(Ordering::SeqCst), "signalledAtMicros": signalled }),
    );
    say!("testnode app: flushed, stopped");
    ExitCode::SUCCESS
}

struct Blocks {
    block_time: Duration,
    plan: Option<(String, u64, String)>,
    halt_height: Option<u64>,
    skip: Vec<u64>,
    records: Option<PathBuf>,
    exit_at_plan: Option<u8>,
    exit_delay: Option<Duration>,
}

fn options_for_blocks(o: &Options) -> Blocks {
    Blocks {
        block_time: o.block_time.unwrap_or(Duration::from_millis(100)),
        plan: o.plan_name.clone().zip(o.plan_height).map(|(n, h)| (n, h, o.plan_info.clone())),
        halt_height: o.halt_height,
        skip: o.skip.clone(),
        records: o.records.clone(),
        exit_at_plan: o.exit_at_plan,
        exit_delay: o.exit_delay,
    }
}

async fn produce(blocks: Blocks, home: PathBuf, height: Arc<AtomicU64>, halted: Arc<Mutex<bool>>) {
    loop {
        tokio::time::sleep(blocks.block_time).await;
        let next = height.load(Ordering::SeqCst) + 1;
        if let Some((name, at, info)) = &blocks.plan
            && next >= *at
            && !blocks.skip.contains(at)
        {
            // CometBFT saved the block; the app refuses to run it without the new binary (and
            // refuses again at once when restarted there).
            let next = next.min(*at).max(height.load(Ordering::SeqCst));
            height.store(next, Ordering::SeqCst);
            save_height(&home, next);
            let (home, n, i) = (home.clone(), name.clone(), info.clone());
            let h = *at;
            let _ = tokio::task::spawn_blocking(move || write_plan_like_the_sdk(&home, &n, h, &i)).await;
            record(
                blocks.records.as_deref(),
                "plans.jsonl",
                serde_json::json!({ "name": name, "height": at, "atMicros": micros() }),
            );
            say!("UPGRADE \"{name}\" NEEDED at height: {at}: {info}");
            if let Some(code) = blocks.exit_at_plan {
                record(
                    blocks.records.as_deref(),
                    "exits.jsonl",
                    serde_json::json!({ "role": "app", "pid": std::process::id(), "code": code, "height": next }),
                );
                if let Some(delay) = blocks.exit_delay {
                    tokio::time::sleep(delay).await;
                }
                say!("testnode app: exiting with {code} at the upgrade height, as asked");
                std::process::exit(i32::from(code));
            }
            *halted.lock().expect("halted") = true;
            return;
        }
        height.store(next, Ordering::SeqCst);
        save_height(&home, next);
        if blocks.halt_height == Some(next) {
            say!("halt per configuration height {next}");
            *halted.lock().expect("halted") = true;
            return;
        }
    }
}

fn rpc_listener(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    // The previous node may have just let go of the port.
    socket.set_reuseaddr(true)?;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(64)
}

async fn serve_rpc(listener: tokio::net::TcpListener, height: Arc<AtomicU64>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { continue };
        let height = Arc::clone(&height);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let Ok(n) = stream.read(&mut buf).await else { return };
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, body) = if path.starts_with("/status") {
                let h = height.load(Ordering::SeqCst);
                (
                    "200 OK",
                    serde_json::json!({ "jsonrpc": "2.0", "id": -1, "result": { "sync_info": { "latest_block_height": h.to_string(), "catching_up": false } } })
                        .to_string(),
                )
            } else {
                ("404 Not Found", "{}".to_owned())
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        });
    }
}
