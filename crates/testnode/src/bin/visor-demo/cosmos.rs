//! `./demo.sh cosmos`: the Cosmos face end to end. testnode plays a Cosmos SDK app whose chain
//! has passed a governance upgrade `v2` at height 40; its binary is served on 127.0.0.1. The
//! visor learns the plan from the node's gRPC, downloads and verifies the binary long before the
//! height, and when the app writes its plan and halts, stops it, backs `data/` up, switches and
//! starts v2 with the same arguments.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use testnode::release_server::{Asset, Server, sha256_hex};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::{begin, built, fail, field, output, output_lines, spawn, step, wait};

const HEIGHT: u64 = 40;
const DEADLINE: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_or(0, |a| a.port())
}

struct Demo {
    cosmovisor: PathBuf,
    testnode: PathBuf,
    home: PathBuf,
    records: PathBuf,
    rpc: u16,
    grpc: u16,
}

impl Demo {
    fn app(&self, version: &str, extra: &str) -> String {
        format!(
            "#!/bin/sh\nTESTNODE_VERSION={version} exec {} cosmos \"$@\" --records {} --rpc-port {} --grpc-port {} --block-time 100ms {extra}\n",
            self.testnode.display(),
            self.records.display(),
            self.rpc,
            self.grpc
        )
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.cosmovisor);
        c.env_remove("RUST_LOG")
            .env("DAEMON_HOME", &self.home)
            .env("DAEMON_NAME", "simd")
            .env("DAEMON_GRPC_ADDRESS", format!("127.0.0.1:{}", self.grpc))
            .env("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true")
            .env("DAEMON_POLL_INTERVAL", "100ms");
        c
    }
}

fn host() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}/{arch}", std::env::consts::OS)
}

fn micros(record: &str, key: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(record).ok()?;
    value[key].as_u64()
}

pub(crate) fn main() -> ExitCode {
    let [cosmovisor, testnode] = match built(["cosmovisor", "testnode"]) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    let session = match begin("cosmovisor-demo", &[cosmovisor.clone(), testnode.clone()]) {
        Ok(session) => session,
        Err(e) => return fail(&e),
    };
    let root = session.root().to_owned();
    let demo = Demo {
        cosmovisor,
        testnode,
        home: root.join("home"),
        records: root.join("records"),
        rpc: free_port(),
        grpc: free_port(),
    };
    let result = run(&demo, &root);
    // Stopped and removed before the verdict is printed.
    drop(session);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn run(d: &Demo, root: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    say!("visor demo (Cosmos) in {} (removed when it ends)", root.display())?;
    std::fs::create_dir_all(d.home.join("config")).map_err(io)?;
    std::fs::write(d.home.join("config/config.toml"), format!("[rpc]\nladdr = \"tcp://127.0.0.1:{}\"\n", d.rpc))
        .map_err(io)?;

    step(1, "the v2 binary on a release server on 127.0.0.1, and the chain's plan naming it")?;
    let server = Server::start(Vec::new());
    let v2 = d.app("v2", "");
    server.state.lock().map_err(|e| e.to_string())?.files.push(Asset::new("simd", v2.clone().into_bytes()));
    let url = format!("{}/files/simd?checksum=sha256:{}", server.base(), sha256_hex(v2.as_bytes()));
    let info = serde_json::json!({ "binaries": { host(): url } });
    say!("    governance plan v2 at height {HEIGHT} (a block every 100 ms), info = {info}")?;
    let genesis = root.join("simd-v1");
    std::fs::write(&genesis, d.app("v1", &format!("--plan-name v2 --plan-height {HEIGHT} --plan-info '{info}'")))
        .map_err(io)?;
    std::fs::set_permissions(&genesis, std::os::unix::fs::PermissionsExt::from_mode(0o755)).map_err(io)?;

    step(2, "cosmovisor init <genesis binary>")?;
    let out = output(d.command().arg("init").arg(&genesis))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    say!("    {}", String::from_utf8_lossy(&out.stdout).trim())?;

    step(3, "cosmovisor run start --home $DAEMON_HOME: plan from gRPC, download ahead, halt, switch")?;
    let started = Instant::now();
    // Not waited for on an early return: the session's cleanup stops it (SIGTERM, so
    // cosmovisor stops the app too).
    let mut child = spawn(
        d.command()
            .args(["run", "start", "--home"])
            .arg(&d.home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )?;
    let rx = output_lines(&mut child);
    let mut done = None;
    while done.is_none() {
        let left = DEADLINE.checked_sub(started.elapsed()).ok_or("no upgrade within a minute")?;
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => return Err("no upgrade within a minute".to_owned()),
            Err(RecvTimeoutError::Disconnected) => return Err("cosmovisor exited before the upgrade".to_owned()),
        };
        let shown = line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start());
        say!("    │ {shown}")?;
        // Not `pre-upgrade done`: the engine's line carries the downtime.
        if line.contains("upgrade done") && line.contains("downtime_us=") {
            done = Some(line);
        }
    }
    let done = done.unwrap_or_default();

    step(4, "cosmovisor status")?;
    let out = output(d.command().arg("status"))?;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        say!("    {line}")?;
    }

    step(5, "SIGTERM to the visor: it stops the app, then exits")?;
    let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    let status = wait(&mut child)?;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        say!("    │ {}", line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start()))?;
    }
    say!("    cosmovisor exited with {status}")?;

    let starts = std::fs::read_to_string(d.records.join("starts.jsonl")).unwrap_or_default();
    let plans = std::fs::read_to_string(d.records.join("plans.jsonl")).unwrap_or_default();
    let written = plans.lines().next().and_then(|l| micros(l, "atMicros"));
    let new_start = starts.lines().nth(1).and_then(|l| micros(l, "atMicros"));
    let downtime_us: f64 = field(&done, "downtime_us").and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    say!("\nResult")?;
    say!("    upgraded genesis (v1) -> upgrades/v2 at height {HEIGHT}; the binary was downloaded before the height")?;
    if let (Some(w), Some(s)) = (written, new_start) {
        say!(
            "    upgrade-info.json written by the node -> new app started: {:.1} ms",
            s.saturating_sub(w) as f64 / 1000.0
        )?;
    }
    say!("    downtime (stop signal to new app spawned): {:.1} ms", downtime_us / 1000.0)?;
    std::io::stdout().flush().map_err(|e| format!("cannot write its output ({e})"))?;
    if !status.success() {
        return Err(format!("cosmovisor exited with {status}"));
    }
    Ok(())
}
