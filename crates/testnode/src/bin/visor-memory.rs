//! Measures the peak memory (VmHWM) of a real `nymvisor` while it stages a 1 GiB release and
//! while it refuses compression bombs, each served from 127.0.0.1. A measurement, not a test:
//!
//! ```sh
//! cargo build --release --workspace --bins
//! target/release/visor-memory [--size-mib 1024]
//! ```
//!
//! Each case runs a fresh nymvisor (release build beside this binary) with a genesis daemon,
//! announces one upgrade through the upstream, waits for it to be staged (or refused), and reads
//! `/proc/<pid>/status` of the nymvisor process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testnode::archives::{gzip_bomb, zip, zip_bomb};
use testnode::release_server::{Asset, Server, sha256_hex};
use testnode::support::Process;

fn sibling(name: &str) -> PathBuf {
    std::env::current_exe().expect("own path").with_file_name(name)
}

fn peak_kib(pid: i32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn daemon_script(dir: &Path, version: &str, padding: usize) -> Vec<u8> {
    let mut script = format!(
        "#!/bin/sh\nTESTNODE_VERSION={version} TESTNODE_BINARY_NAME=nym-node exec {} \"$@\"\n",
        sibling("testnode").display()
    )
    .into_bytes();
    // The shell execs before it reads the rest: padding makes a large, working binary.
    script.push(b'#');
    script.resize(script.len() + padding, b'p');
    script.push(b'\n');
    let _ = dir;
    script
}

struct Case {
    label: &'static str,
    file: &'static str,
    bytes: Vec<u8>,
    /// A log line that says the case is over.
    done: &'static str,
}

fn run(case: Case) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let nym_home = root.join("home");
    let daemon_home = root.join("daemon-home");
    std::fs::create_dir_all(&daemon_home).unwrap();
    let genesis = root.join("genesis-nym-node");
    std::fs::write(&genesis, daemon_script(root, "1.0.0", 0)).unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&genesis).unwrap().permissions(), 0o755);
    std::fs::set_permissions(&genesis, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let server = Server::start(Vec::new());
    let nymvisor = sibling("nymvisor");
    let command = |args: &[&str]| {
        let mut c = Command::new(&nymvisor);
        c.args(args)
            .env_remove("RUST_LOG")
            .env("NYM_HOME_DIR", &nym_home)
            .env("DAEMON_HOME", &daemon_home)
            .env("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL", format!("{}/files/upgrade-info.json", server.base()))
            .env("NYMVISOR_UPSTREAM_POLLING_RATE", "200ms")
            .env("DAEMON_UNSAFE_SKIP_BACKUP", "true");
        c
    };
    let init = command(&["init", genesis.to_str().unwrap()]).output().expect("init");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let mut run = command(&["run", "run", "--home", root.join("records").to_str().unwrap()]);
    run.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let process = Process::spawn(run);
    let wait = |needle: &str| {
        let start = Instant::now();
        while !process.logs().iter().any(|l| l.contains(needle)) {
            assert!(start.elapsed() < Duration::from_secs(300), "no {needle:?} within 300 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("started process");
    let idle = peak_kib(process.pid(), "VmHWM:");
    let size = case.bytes.len();
    let checksum = sha256_hex(&case.bytes);
    let platform = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    let info = serde_json::json!({
        "manual": false, "name": "big", "notes": "", "publishDate": null, "version": "1.1.0",
        "platforms": { platform: { "checksum": checksum, "checksumAlgorithm": "sha256",
            "url": format!("{}/files/{}", server.base(), case.file) } },
        "upgradeTime": (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600)).to_string(),
    });
    let started = Instant::now();
    {
        let mut state = server.state.lock().unwrap();
        state.files.push(Asset::new(case.file, case.bytes));
        state.files.push(Asset::new("upgrade-info.json", info.to_string().into_bytes()));
    }
    wait(case.done);
    let took = started.elapsed();
    let peak = peak_kib(process.pid(), "VmHWM:");
    println!(
        "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} s |",
        case.label,
        size as f64 / (1 << 20) as f64,
        idle as f64 / 1024.0,
        peak as f64 / 1024.0,
        took.as_secs_f64()
    );
    process.signal(nix::sys::signal::Signal::SIGTERM);
}

fn main() {
    let mib: usize =
        std::env::args().skip_while(|a| a != "--size-mib").nth(1).and_then(|v| v.parse().ok()).unwrap_or(1024);
    println!("| case | served | nymvisor peak before | nymvisor peak after | time |");
    println!("|---|---|---|---|---|");
    let tmp = std::env::temp_dir();
    run(Case {
        label: "stage a release binary",
        file: "big-nym-node",
        bytes: daemon_script(&tmp, "1.1.0", mib << 20),
        done: "release staged ahead of the upgrade",
    });
    run(Case {
        label: "refuse a gzip bomb (4 GiB of zeros)",
        file: "bomb.tar.gz",
        bytes: gzip_bomb(4 << 30),
        done: "CANNOT STAGE",
    });
    run(Case {
        label: "refuse a zip64 bomb (4 GiB of zeros)",
        file: "bomb.zip",
        bytes: zip_bomb(4 << 30),
        done: "CANNOT STAGE",
    });
    let link = vec![b'a'; 1536 << 20];
    run(Case {
        label: "refuse a zip whose link body is 1.5 GiB (stored)",
        file: "link.zip",
        bytes: zip(&[("nym-node", 0o120777, &link)]),
        done: "CANNOT STAGE",
    });
}
