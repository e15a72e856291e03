//! The demo: a complete automatic upgrade, genesis → v0.2.0, with `testnode` as the Vega core
//! and data node, in a temporary home. Prints each step and the measured downtime; needs no
//! network. Run it with `./demo.sh` (which builds the release binaries first); `./demo.sh
//! cosmos` shows the Cosmos face instead (`cosmos.rs`).

mod cosmos;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const UPGRADE_HEIGHT: u64 = 30;
const DEADLINE: Duration = Duration::from_secs(60);

pub(crate) fn step(n: u32, text: &str) {
    println!("\n==> {n}/5  {text}");
}

pub(crate) fn fail(message: &str) -> ExitCode {
    eprintln!("demo failed: {message}");
    ExitCode::FAILURE
}

fn run_config(name: &str, testnode_home: &Path, socket: &Path, upgrade: bool) -> String {
    let mut core = vec!["start".to_owned(), "--home".into(), testnode_home.display().to_string()];
    core.extend(["--socket".into(), socket.display().to_string(), "--block-time".into(), "100ms".into()]);
    if upgrade {
        core.extend(["--upgrade-at".into(), UPGRADE_HEIGHT.to_string(), "--release-tag".into(), "v0.2.0".into()]);
        core.extend(["--accept-at".into(), "5".into()]);
    }
    let data_node = ["datanode".to_owned(), "start".into(), "--home".into(), testnode_home.display().to_string()];
    format!(
        "name = {name:?}\n\n[vega]\n  [vega.binary]\n    path = \"testnode\"\n    args = {core:?}\n  [vega.rpc]\n    socketPath = {:?}\n    httpPath = \"/rpc\"\n\n[data_node]\n  [data_node.binary]\n    path = \"testnode\"\n    args = {data_node:?}\n",
        socket.display().to_string()
    )
}

fn make_release(home: &Path, name: &str, version: &str, testnode: &Path, config: &str) -> std::io::Result<()> {
    let dir = home.join(name);
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(testnode, dir.join("testnode"))?;
    std::fs::write(dir.join("testnode.version"), version)?;
    std::fs::write(dir.join("run-config.toml"), config)
}

/// The built binaries `names`, beside the demo's own.
pub(crate) fn built<const N: usize>(names: [&str; N]) -> Result<[PathBuf; N], String> {
    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_owned))
        .ok_or("cannot find where the demo binary lives")?;
    let found = names.map(|n| bin_dir.join(n));
    if let Some(missing) = found.iter().find(|p| !p.exists()) {
        return Err(format!(
            "build the binaries first: `cargo build --release --workspace` ({} missing)",
            missing.display()
        ));
    }
    Ok(found)
}

/// The child's stderr and stdout, line by line, as they come.
pub(crate) fn output_lines(child: &mut std::process::Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel::<String>();
    let streams: Vec<Box<dyn std::io::Read + Send>> = [
        child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    for stream in streams {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    rx
}

pub(crate) fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("{key}="))? + key.len() + 1;
    line[start..].split_whitespace().next()
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("cosmos") {
        return cosmos::main();
    }
    let [visor, testnode] = match built(["visor", "testnode"]) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    let root = std::env::temp_dir().join(format!("visor-demo-{}", std::process::id()));
    let (home, data, socket) = (root.join("home"), root.join("testnode"), root.join("vega.sock"));
    let result = demo(&visor, &testnode, &home, &data, &socket);
    let _ = std::fs::remove_dir_all(&root);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn demo(visor: &Path, testnode: &Path, home: &Path, data: &Path, socket: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    step(1, &format!("visor init --home {}", home.display()));
    let out = Command::new(visor).args(["init", "--home"]).arg(home).output().map_err(io)?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    println!("    created config.toml, genesis/ and vX.X.X/ (commented templates)");

    step(2, "two releases, each with testnode as core and data node: genesis (v0.1.0) and v0.2.0");
    make_release(home, "genesis", "v0.1.0", testnode, &run_config("genesis", data, socket, true)).map_err(io)?;
    make_release(home, "v0.2.0", "v0.2.0", testnode, &run_config("v0.2.0", data, socket, false)).map_err(io)?;
    println!(
        "    genesis runs v0.1.0; the network has accepted v0.2.0 at height {UPGRADE_HEIGHT} (a block every 100 ms)"
    );
    println!("    v0.2.0 is prepared ahead of time, so the switch itself is stop + rename + spawn");

    step(3, "visor run: watch it start the node, learn of the upgrade, and carry it out");
    let started = Instant::now();
    let mut child = Command::new(visor)
        .args(["run", "--home"])
        .arg(home)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io)?;
    let rx = output_lines(&mut child);
    let mut done = None;
    let mut confirmed = false;
    while done.is_none() || !confirmed {
        let left = DEADLINE.checked_sub(started.elapsed()).ok_or("no upgrade within a minute")?;
        let Ok(line) = rx.recv_timeout(left) else {
            let _ = child.kill();
            return Err("no upgrade within a minute".to_owned());
        };
        // Show the visor's own lines, trimmed of the timestamp, and the nodes' lines as they are.
        let shown = line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start());
        println!("    │ {shown}");
        confirmed |= line.contains("upgrade confirmed");
        if line.contains("upgrade done") {
            done = Some(line);
        }
    }
    let done = done.unwrap_or_default();

    step(4, "visor status");
    let out = Command::new(visor).args(["status", "--home"]).arg(home).output().map_err(io)?;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        println!("    {line}");
    }

    step(5, "SIGTERM to the visor: it stops the node, then exits");
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGTERM);
    let status = child.wait().map_err(io)?;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        println!("    │ {}", line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start()));
    }
    println!("    visor exited with {status}");

    let starts = std::fs::read_to_string(data.join("starts.jsonl")).unwrap_or_default();
    let new_core = starts.lines().filter(|l| l.contains("\"role\":\"core\"")).nth(1).unwrap_or("(none)");
    let downtime_us: f64 = field(&done, "downtime_us").and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let stop_ms = field(&done, "stop_ms").unwrap_or("?");
    let rest_us: f64 = field(&done, "switch_and_spawn_us").and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    println!("\nResult");
    println!("    upgraded genesis (v0.1.0) -> v0.2.0 at height {UPGRADE_HEIGHT}, core and data node");
    println!(
        "    the new core started with: {}",
        new_core.split("\"args\":").nth(1).and_then(|a| a.split("],").next()).unwrap_or("?").to_owned() + "]"
    );
    println!(
        "    downtime (stop signal to new node spawned): {:.1} ms = stop {stop_ms} ms + switch and spawn {:.1} ms",
        downtime_us / 1000.0,
        rest_us / 1000.0
    );
    let _ = std::io::stdout().flush();
    if !status.success() {
        return Err(format!("the visor exited with {status}"));
    }
    Ok(())
}
