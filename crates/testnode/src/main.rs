//! `testnode`: a fake node for Visor's tests and demo.
//!
//! It plays a Vega core (`start`: blocks on a timer, the admin JSON-RPC endpoint on a unix
//! socket with the exact wire format of gorilla/rpc's json codec), a Vega data node
//! (`datanode start`, `datanode network-history latest-history-segment`), and answers
//! `version --output json`, and a Cosmos SDK app (`cosmos …`, see `cosmos.rs`). It records every start in `<home>/starts.jsonl` so a test can read
//! the arguments it got (and the benchmark harness the time, `atMicros`; a stop signal's time is
//! in `exits.jsonl`, the moment the core reached its upgrade height in `ready.jsonl`), and misbehaves on request (see `USAGE`).
//!
//! Its version comes from `$TESTNODE_VERSION`, else a `testnode.version` file next to the
//! executable (so one build copied into several release folders can be several versions).

mod admin;
mod args;
mod cosmos;
mod cosmos_grpc;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use args::Options;

/// Prints a line on stderr with one `write`: the pipe is shared with the visor's own log lines,
/// and `eprintln!` writes piece by piece.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = std::io::stderr().write_all(format!("{}\n", format_args!($($arg)*)).as_bytes());
    }};
}

const USAGE: &str = "\
testnode: a fake node (Vega core and data node, Nym daemon, Cosmos SDK app) for Visor's
tests and demo. It produces blocks on a timer and misbehaves on request.

usage:
  testnode start [options]                       run as a Vega core
  testnode run [options]                         run as a plain daemon (Nym)
  testnode datanode start [options]              run as a Vega data node
  testnode datanode network-history latest-history-segment --output json [--home DIR]
                             the height in <home>/latest-segment-height, or exit 1
  testnode version --output json|human           its version (see below)
  testnode [--no-banner] build-info --output json|human   its version, as a Nym binary says it
  testnode cosmos start|status|version|pre-upgrade [options]   run as a Cosmos SDK app
  testnode grandchild [--home DIR] [--ignore-sigterm] [--setsid]   (used by --fork-grandchild)
  testnode help | --help | -h                    this help

options:
  --home DIR                 where starts.jsonl and other records go
  --socket PATH              serve the admin endpoint on this unix socket
  --http-path PATH           HTTP path of the admin endpoint (default /rpc)
  --block-time DURATION      time per block (default 100ms; e.g. 50ms, 1s)
  --upgrade-at H             stop producing blocks at height H, then report ready
  --release-tag TAG          the release accepted for the upgrade at H
  --accept-at H              report the accepted release from height H (default 1)
  --snapshot.load-from-block-height N   start at height N
  --mark FILE                append its version to FILE first thing at start (a migration)
misbehaviour:
  --ignore-sigterm           ignore SIGTERM and SIGINT
  --stop-delay DURATION      take this long to exit after SIGTERM
  --fork-grandchild          fork a grandchild that sleeps (pid in <home>/grandchild.pid,
                             and appended to <home>/grandchild.pids)
  --setsid-grandchild        the same, and the grandchild calls setsid() (leaves the group)
  --crash-at-start           exit 1 at once
  --crash-first N            exit 1 at once while this role has started at most N times
  --exit-after DURATION      exit by itself after DURATION (status --exit-code, default 0)
  --exit-on-file PATH        exit by itself (status --exit-code) once PATH exists
  --exit-code C
  --admin-mode MODE          ok | hang | garbage | http500 | error
  --flood                    write output lines as fast as possible
  --hold-port PORT           bind 127.0.0.1:PORT for the whole run (exit 1 if taken)
output at start (also for `cosmos start`), to check that it passes through untouched:
  --print-long-line BYTES    one line of BYTES bytes on stdout: letters a to w over and over
                             (byte i is b'a' + i % 23), then a newline
  --print-invalid-utf8       a line that is not UTF-8 on stdout and on stderr, these bytes:
                             invalid utf-8 <\\x80\\xff\\xfe\\xc3( \\xc0\\xaf \\xed\\xa0\\x80> end\\n
cosmos options (`testnode cosmos …`; unknown flags are accepted and ignored):
  --home DIR                 the app's home: the height in <home>/data/testnode-height,
                             the plan written to <home>/data/upgrade-info.json
  --records DIR              where starts.jsonl, exits.jsonl, plans.jsonl and
                             pre-upgrade.jsonl go
  --block-time DURATION      time per block (default 100ms)
  --plan-name NAME --plan-height H --plan-info TEXT   the upgrade plan to halt for at H
  --unsafe-skip-upgrades H…  heights whose plan is skipped
  --halt-height H            stop producing blocks after H
  --rpc-port PORT            serve CometBFT's GET /status on 127.0.0.1:PORT
  --grpc-port PORT           answer Query/CurrentPlan on 127.0.0.1:PORT
  --stop-delay DURATION      take this long to exit after SIGTERM
  --crash-at-start           exit 1 at once
  --exit-at-plan CODE        exit with CODE once the plan is written (--exit-delay first)
  --mark-data NAME           write its version to <home>/data/NAME first thing at start
  --pre-upgrade-codes C,C…   the exit codes of successive `pre-upgrade` calls

the version it reports (start records, `version`, `build-info`, log lines), the first of:
  $TESTNODE_VERSION          e.g. TESTNODE_VERSION=v0.2.0 testnode version --output json
  testnode.version           a file beside the path it was started as (a copy or symlink
                             in a release folder counts as that folder's), else beside the
                             executable itself; its content, trimmed, e.g. v0.2.0
  v0.0.0-testnode            otherwise

environment:
  TESTNODE_VERSION           the version it reports (above)
  TESTNODE_CALLS             a file: `version` and `build-info` append a JSON line to it
                             ({\"call\":…,\"version\":…}), so a test counts the calls
  TESTNODE_BINARY_NAME       the binary_name `build-info` reports (default testnode)
  TESTNODE_BUILD_INFO_PADDING  N: `build-info --output json` adds N bytes of padding
  NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID   not used; which of them are set is recorded
                             in starts.jsonl (serviceEnv): the visor must not pass them on

under each face (to try a face by hand, with testnode as its node):
  visor (Vega)       a release folder holds testnode (a copy or a symlink) and a
                     testnode.version file; its run-config.toml runs it as the core:
                       path = \"testnode\"
                       args = [\"start\", \"--home\", \"/tmp/tn\", \"--socket\", \"/tmp/tn.sock\",
                               \"--upgrade-at\", \"150\", \"--release-tag\", \"v0.2.0\"]
                       socketPath = \"/tmp/tn.sock\"   (under [vega.rpc], httpPath = \"/rpc\")
                     the core halts at height 150 and asks for v0.2.0: a folder <home>/v0.2.0
                     made the same way (testnode.version: v0.2.0) is switched to
  nymvisor (Nym)     `init` and `add-upgrade` copy only the binary, never testnode.version:
                     give each version a wrapper script instead, e.g. nym-node-1.1.0:
                       #!/bin/sh
                       TESTNODE_VERSION=1.1.0 TESTNODE_BINARY_NAME=nym-node exec /path/to/testnode \"$@\"
                     then: nymvisor init ./nym-node-1.0.0 --daemon-home /tmp/nym-node-home;
                     nymvisor run run --home /tmp/tn (the daemon runs as `testnode run`);
                     nymvisor add-upgrade ./nym-node-1.1.0 --upgrade-name v1.1.0 --upgrade-delay 1m
  cosmovisor (Cosmos)  as an app testnode needs `cosmos` as its first argument, which the
                     visor does not pass: the app binary is a wrapper script, e.g. simd-v1:
                       #!/bin/sh
                       TESTNODE_VERSION=v1 exec /path/to/testnode cosmos \"$@\" --records /tmp/tn
                     then: DAEMON_NAME=simd DAEMON_HOME=/tmp/simd cosmovisor init ./simd-v1;
                     DAEMON_NAME=simd DAEMON_HOME=/tmp/simd cosmovisor run start --home /tmp/simd

files it reads:
  testnode.version           its version (above)
  <home>/starts.jsonl        its earlier starts, for --crash-first
  <home>/latest-segment-height   for `datanode network-history latest-history-segment`
  <home>/data/testnode-height    `cosmos`: the height to go on from
  <records>/pre-upgrade.jsonl    `cosmos pre-upgrade`: its earlier calls, for the next code
  --exit-on-file PATH        exits once PATH exists
";

/// What `--print-invalid-utf8` writes: a lone continuation byte, bytes never in UTF-8, a cut
/// sequence, an overlong encoding and a UTF-16 surrogate, between ASCII markers.
pub(crate) const INVALID_UTF8: &[u8] = b"invalid utf-8 <\x80\xff\xfe\xc3( \xc0\xaf \xed\xa0\x80> end\n";

/// Prints what `print` asks for, each piece with one write.
pub(crate) fn print_on_request(print: args::Print) {
    if let Some(n) = print.long_line {
        let mut line: Vec<u8> = (0..n).map(|i| b'a' + (i % 23) as u8).collect();
        line.push(b'\n');
        let _ = std::io::stdout().write_all(&line);
    }
    if print.invalid_utf8 {
        let _ = std::io::stdout().write_all(INVALID_UTF8);
        let _ = std::io::stderr().write_all(INVALID_UTF8);
    }
    let _ = std::io::stdout().flush();
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    // Only as the first word (or after `cosmos`): later, a flag belongs to the node's
    // arguments, which testnode accepts whatever they are.
    let help = |a: Option<&String>| a.is_some_and(|a| matches!(a.as_str(), "help" | "--help" | "-h"));
    if help(argv.first()) || (argv.first().is_some_and(|a| a == "cosmos") && help(argv.get(1))) {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if argv.first().is_some_and(|a| a == "cosmos") {
        return cosmos::main(&argv[1..]);
    }
    let options = match args::parse(&argv) {
        Ok(o) => o,
        Err(e) => {
            say!("testnode: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match options.command.as_slice() {
        [c] if c == "version" => version(&options),
        [c] if c == "build-info" => build_info(&options),
        [c] if c == "start" => run_node("core", options),
        [c] if c == "run" => run_node("daemon", options),
        [d, c] if d == "datanode" && c == "start" => run_node("data-node", options),
        [d, n, l] if d == "datanode" && n == "network-history" && l == "latest-history-segment" => {
            latest_segment(&options)
        }
        [c] if c == "grandchild" => grandchild(&options),
        _ => {
            say!("testnode: unknown command {:?}\n\n{USAGE}", options.command);
            ExitCode::from(2)
        }
    }
}

/// The version this copy of testnode reports: `$TESTNODE_VERSION`, else `testnode.version`
/// beside the path it was started as (a symlinked copy in a release folder counts as that
/// folder's), else beside the executable itself.
fn own_version() -> String {
    if let Ok(v) = std::env::var("TESTNODE_VERSION") {
        return v;
    }
    let started_as = std::env::args_os().next().map(PathBuf::from).filter(|p| p.components().count() > 1);
    let dirs = [
        started_as.and_then(|p| p.parent().map(Path::to_owned)),
        std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_owned)),
    ];
    dirs.into_iter()
        .flatten()
        .find_map(|dir| std::fs::read_to_string(dir.join("testnode.version")).ok())
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| "v0.0.0-testnode".to_owned())
}

/// Appends `what` to `$TESTNODE_CALLS`, when set: a test counts how often the visor ran a
/// binary to ask what it is.
fn record_call(what: &str, version: &str) {
    if let Some(path) = std::env::var_os("TESTNODE_CALLS") {
        let line = format!("{}\n", serde_json::json!({ "call": what, "version": version }));
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
    }
}

fn version(options: &Options) -> ExitCode {
    let v = own_version();
    record_call("version", &v);
    if options.output.as_deref() == Some("json") {
        println!("{}", serde_json::json!({ "version": v, "hash": "0000000000000000000000000000000000000000" }));
    } else {
        println!("testnode {v}");
    }
    ExitCode::SUCCESS
}

/// Nym's `--no-banner build-info --output=json`, for the nymvisor face.
fn build_info(options: &Options) -> ExitCode {
    let v = own_version();
    record_call("build-info", &v);
    let name = std::env::var("TESTNODE_BINARY_NAME").unwrap_or_else(|_| "testnode".to_owned());
    let info = serde_json::json!({
        "binary_name": name,
        "build_timestamp": "2026-01-01T00:00:00.000000000Z",
        "build_version": v.trim_start_matches('v'),
        "commit_sha": "0000000000000000000000000000000000000000",
        "commit_timestamp": "2026-01-01T00:00:00.000000000Z",
        "commit_branch": "main",
        "rustc_version": "1.95.0",
        "rustc_channel": "stable",
        "cargo_profile": "release",
        "cargo_triple": "x86_64-unknown-linux-gnu",
    });
    let mut info = info;
    // A large answer (more than a pipe buffer), on request.
    if let Some(n) = std::env::var("TESTNODE_BUILD_INFO_PADDING").ok().and_then(|n| n.parse::<usize>().ok()) {
        info["padding"] = "x".repeat(n).into();
    }
    if options.output.as_deref() == Some("json") {
        println!("{info}");
    } else {
        println!("Binary Name: {name}\nBuild Version: {}", v.trim_start_matches('v'));
    }
    ExitCode::SUCCESS
}

fn latest_segment(options: &Options) -> ExitCode {
    let height = options.home.as_ref().and_then(|h| std::fs::read_to_string(h.join("latest-segment-height")).ok());
    match height.and_then(|h| h.trim().parse::<u64>().ok()) {
        Some(h) => {
            println!(
                "{}",
                serde_json::json!({ "LatestSegment": { "from_height": h.saturating_sub(999), "to_height": h, "database_version": 1, "history_segment_id": "Qm" } })
            );
            ExitCode::SUCCESS
        }
        None => {
            say!("failed to get latest history segment: no history segments found");
            ExitCode::from(1)
        }
    }
}

/// Appends one JSON line to `<home>/<file>`.
fn record(home: Option<&Path>, file: &str, value: serde_json::Value) {
    let Some(home) = home else { return };
    let _ = std::fs::create_dir_all(home);
    // One write per line: concurrent appenders (core and data node) must not interleave.
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(home.join(file)) {
        let _ = f.write_all(format!("{value}\n").as_bytes());
    }
}

fn starts_of(home: &Path, role: &str) -> usize {
    std::fs::read_to_string(home.join("starts.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["role"] == role)
        .count()
}

fn grandchild(options: &Options) -> ExitCode {
    // Forked while its parent held them: a grandchild that never let them through would outlive
    // every stop signal of its process group.
    release_stop_signals();
    if options.ignore_sigterm {
        ignore_stop_signals();
    }
    if options.setsid {
        let _ = nix::unistd::setsid();
    }
    if let Some(home) = &options.home {
        let _ = std::fs::write(home.join("grandchild.pid"), std::process::id().to_string());
        let line = format!("{}\n", std::process::id());
        let _ = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(home.join("grandchild.pids"))
            .and_then(|mut f| f.write_all(line.as_bytes()));
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Holds SIGTERM and SIGINT pending from the first line of a node's life until its handlers are
/// installed: a test (or a visor) may stop the node as soon as its start is recorded, and a
/// signal in between would kill it by the default action instead of stopping it in order.
/// The mask is per thread and inherited across fork and exec (std's `Command` keeps it): a
/// process testnode starts while it holds them lets them through itself (`grandchild`).
pub(crate) fn hold_stop_signals() {
    let _ = stop_signals().thread_block();
}

/// Lets the held stop signals through, once the node's handlers are installed.
pub(crate) fn release_stop_signals() {
    let _ = stop_signals().thread_unblock();
}

fn stop_signals() -> nix::sys::signal::SigSet {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGTERM);
    set.add(Signal::SIGINT);
    set
}

fn ignore_stop_signals() {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: installing SIG_IGN has no handler code to be unsafe.
    unsafe {
        let _ = signal(Signal::SIGTERM, SigHandler::SigIgn);
        let _ = signal(Signal::SIGINT, SigHandler::SigIgn);
    }
}

/// The chain state the admin endpoint reports.
#[derive(Debug)]
pub(crate) struct Chain {
    pub(crate) height: u64,
    pub(crate) produced_first_block: bool,
    pub(crate) ready: bool,
    pub(crate) upgrade_at: Option<u64>,
    pub(crate) release_tag: Option<String>,
    pub(crate) accept_at: u64,
}

impl Chain {
    pub(crate) fn accepted(&self) -> Option<(String, u64)> {
        if !self.produced_first_block {
            return None;
        }
        match (&self.release_tag, self.upgrade_at) {
            (Some(tag), Some(h)) if self.height >= self.accept_at => Some((tag.clone(), h)),
            _ => Some((String::new(), 0)),
        }
    }
}

fn run_node(role: &'static str, options: Options) -> ExitCode {
    hold_stop_signals();
    let home = options.home.clone();
    let starts = home.as_deref().map(|h| starts_of(h, role)).unwrap_or(0);
    let service_env: Vec<&str> = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]
        .into_iter()
        .filter(|v| std::env::var_os(v).is_some())
        .collect();
    record(
        home.as_deref(),
        "starts.jsonl",
        serde_json::json!({
            "role": role,
            "pid": std::process::id(),
            "pgid": nix::unistd::getpgrp().as_raw(),
            "args": std::env::args().skip(1).collect::<Vec<_>>(),
            "version": own_version(),
            "startHeight": options.snapshot_height,
            // The service manager's variables it inherited (the visor keeps them to itself).
            "serviceEnv": service_env,
            // Wall-clock microseconds: the benchmark harness compares it with other processes' times.
            "atMicros": cosmos::micros(),
        }),
    );
    if let Some(mark) = &options.mark {
        use std::io::Write as _;
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(mark)
            .and_then(|mut f| writeln!(f, "{}", own_version()));
        if let Err(e) = appended {
            say!("testnode {role}: cannot write {}: {e}", mark.display());
        }
    }
    print_on_request(options.print);
    if options.crash_at_start || options.crash_first.is_some_and(|n| starts < n) {
        say!("testnode {role}: crashing at start as asked");
        return ExitCode::from(1);
    }
    if options.ignore_sigterm {
        ignore_stop_signals();
    }
    let _port = match options.hold_port {
        Some(port) => match std::net::TcpListener::bind(("127.0.0.1", port)) {
            Ok(l) => Some(l),
            Err(e) => {
                say!("testnode {role}: cannot bind 127.0.0.1:{port}: {e}");
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    if options.fork_grandchild {
        let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
        cmd.arg("grandchild");
        if let Some(h) = &home {
            cmd.arg("--home").arg(h);
        }
        if options.ignore_sigterm {
            cmd.arg("--ignore-sigterm");
        }
        if options.setsid {
            cmd.arg("--setsid");
        }
        match cmd.spawn() {
            // Not waited for on purpose: it lives on in the process group.
            Ok(child) => std::mem::forget(child),
            Err(e) => say!("testnode {role}: cannot fork the grandchild: {e}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(serve(role, options, home))
}

async fn serve(role: &'static str, options: Options, home: Option<PathBuf>) -> ExitCode {
    use tokio::signal::unix::{SignalKind, signal};
    let chain = Arc::new(Mutex::new(Chain {
        height: options.snapshot_height.unwrap_or(0),
        produced_first_block: false,
        ready: false,
        upgrade_at: options.upgrade_at.filter(|h| *h > options.snapshot_height.unwrap_or(0)),
        release_tag: options.release_tag.clone(),
        accept_at: options.accept_at,
    }));
    if role == "core" {
        if let Some(socket) = options.socket.clone() {
            let http_path = options.http_path.clone();
            let mode = options.admin_mode;
            let chain = Arc::clone(&chain);
            if let Err(e) = admin::listen(&socket, http_path, mode, chain) {
                say!("testnode core: cannot serve the admin endpoint on {}: {e}", socket.display());
                return ExitCode::from(1);
            }
        }
        tokio::spawn(produce_blocks(Arc::clone(&chain), options.block_time, home.clone()));
    }
    if options.flood {
        std::thread::spawn(|| {
            let mut out = std::io::stdout().lock();
            for i in 0u64.. {
                if writeln!(out, "testnode flood line {i} ..........................................").is_err() {
                    return;
                }
            }
        });
    }
    let mut term = signal(SignalKind::terminate()).expect("signal handler");
    let mut int = signal(SignalKind::interrupt()).expect("signal handler");
    release_stop_signals();
    // Said once the stop signals are handled: a test may signal as soon as it reads this.
    say!("testnode {role} {} started (pid {})", own_version(), std::process::id());
    let exit_after = async {
        match (options.exit_after, &options.exit_on_file) {
            (Some(d), _) => tokio::time::sleep(d).await,
            (None, Some(file)) => {
                while !file.exists() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
            (None, None) => std::future::pending().await,
        }
    };
    let signalled = tokio::select! {
        _ = term.recv(), if !options.ignore_sigterm => cosmos::micros(),
        _ = int.recv(), if !options.ignore_sigterm => cosmos::micros(),
        () = exit_after => {
            say!("testnode {role}: exiting by itself with status {}", options.exit_code);
            record(home.as_deref(), "exits.jsonl", serde_json::json!({ "role": role, "pid": std::process::id(), "reason": "exit-after" }));
            return ExitCode::from(options.exit_code);
        }
    };
    if let Some(delay) = options.stop_delay {
        tokio::time::sleep(delay).await;
    }
    record(
        home.as_deref(),
        "exits.jsonl",
        serde_json::json!({ "role": role, "pid": std::process::id(), "reason": "signal", "signalledAtMicros": signalled }),
    );
    if chain.lock().expect("chain").ready {
        // The real core, stopped after reaching the upgrade point, kills itself.
        say!("testnode {role}: stopped at the upgrade point");
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
    say!("testnode {role}: stopped");
    if let Some(socket) = &options.socket {
        let _ = std::fs::remove_file(socket);
    }
    ExitCode::SUCCESS
}

async fn produce_blocks(chain: Arc<Mutex<Chain>>, block_time: Duration, home: Option<PathBuf>) {
    loop {
        tokio::time::sleep(block_time).await;
        let mut c = chain.lock().expect("chain");
        match c.upgrade_at {
            Some(h) if c.height >= h => {
                if !c.ready {
                    c.ready = true;
                    // When the chain halted: the benchmark harness times the upgrade from it.
                    record(
                        home.as_deref(),
                        "ready.jsonl",
                        serde_json::json!({ "height": h, "atMicros": cosmos::micros() }),
                    );
                    say!("testnode core: reached upgrade height {h}, ready to upgrade");
                }
            }
            _ => {
                c.height += 1;
                c.produced_first_block = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_release_is_null_before_the_first_block() {
        let mut chain = Chain {
            height: 0,
            produced_first_block: false,
            ready: false,
            upgrade_at: Some(10),
            release_tag: Some("v2".into()),
            accept_at: 3,
        };
        assert_eq!(chain.accepted(), None);
        chain.produced_first_block = true;
        chain.height = 2;
        assert_eq!(chain.accepted(), Some((String::new(), 0)));
        chain.height = 3;
        assert_eq!(chain.accepted(), Some(("v2".into(), 10)));
    }
}
