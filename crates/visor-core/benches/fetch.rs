//! Download + verify throughput over loopback (DESIGN §6: ≥ 80% of `curl -o /dev/null`).
//!
//! `cargo bench -p visor-core --bench fetch [-- SIZE_MIB [RUNS]]` serves an asset of SIZE_MIB
//! (default 512) from the test release server on 127.0.0.1, then fetches it RUNS times (default
//! 5) the way staging does — streamed to a file with SHA-256 computed on the way and checked —
//! and, when `curl` is installed, downloads it as many times with `curl -o /dev/null` and with
//! `curl -o FILE` followed by `openssl dgst -sha256` (the same work done by hand). Prints the
//! median of each. `FETCH_BENCH_DIR` chooses where files are written (default: the temp dir).
//! Not part of the test suite: numbers depend on the machine. On a 2-core machine the server
//! and the client share the cores, so hashing and writing cannot overlap the transfer the way
//! they do with a remote server.

use std::process::Command;
use std::time::{Duration, Instant};

use testnode::release_server::{Asset, Server, sha256_hex};
use url::Url;
use visor_core::stage::{Checksum, FetchPolicy, Request, client, fetch};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / (1 << 20) as f64 / d.as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let size_mib: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(512);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let data: Vec<u8> = (0..size_mib << 20).map(|i| (i * 31 + i / 4093) as u8).collect();
    let expected = Checksum::parse(&sha256_hex(&data)).expect("checksum");
    let bytes = data.len();
    let server = Server::start(Vec::new());
    server.state.lock().expect("state").files.push(Asset::new("big.bin", data));
    let url = format!("{}/files/big.bin", server.base());
    let dir = match std::env::var_os("FETCH_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).expect("tempdir"),
        None => tempfile::tempdir().expect("tempdir"),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let policy = FetchPolicy { max_bytes: u64::MAX, ..FetchPolicy::default() };
    let http = client(&policy);

    let mut ours = Vec::new();
    for i in 0..runs {
        let request = Request {
            url: Url::parse(&url).expect("url"),
            headers: Vec::new(),
            expected: Some(expected.clone()),
            dest: dir.path().join(format!("run-{i}")),
        };
        let start = Instant::now();
        let got = runtime.block_on(fetch(&http, &request, &policy, &mut |_, _| {})).expect("fetch");
        ours.push(start.elapsed());
        assert!(got.verified);
        std::fs::remove_file(got.path).expect("remove");
    }
    let ours = median(ours);
    println!(
        "visor fetch (stream to file + SHA-256 verify): {size_mib} MiB in {:.0} ms = {:.0} MiB/s (median of {runs})",
        ours.as_secs_f64() * 1000.0,
        mib_per_s(bytes, ours)
    );

    let curl_available = Command::new("curl").arg("--version").output().is_ok_and(|o| o.status.success());
    if !curl_available {
        println!("curl not installed: no comparison");
        return;
    }
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new("curl").args(["-s", "-o", "/dev/null", &url]).status().expect("curl");
        theirs.push(start.elapsed());
        assert!(status.success());
    }
    let theirs = median(theirs);
    println!(
        "curl -o /dev/null (no file, no hash):           {size_mib} MiB in {:.0} ms = {:.0} MiB/s (median of {runs})",
        theirs.as_secs_f64() * 1000.0,
        mib_per_s(bytes, theirs)
    );
    println!("ratio: {:.0}% of curl -o /dev/null", 100.0 * theirs.as_secs_f64() / ours.as_secs_f64());

    // The same work by hand: download to a file, then hash it (OpenSSL uses SHA-NI too).
    if !Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success()) {
        return;
    }
    let file = dir.path().join("curl.bin");
    let mut manual = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let got = Command::new("curl").args(["-s", "-o"]).arg(&file).arg(&url).status().expect("curl");
        let hashed = Command::new("openssl").args(["dgst", "-sha256"]).arg(&file).output().expect("openssl");
        manual.push(start.elapsed());
        assert!(got.success() && String::from_utf8_lossy(&hashed.stdout).contains(&expected.hex));
        std::fs::remove_file(&file).expect("remove");
    }
    let manual = median(manual);
    println!(
        "curl -o file, then openssl dgst -sha256:        {size_mib} MiB in {:.0} ms = {:.0} MiB/s (median of {runs})",
        manual.as_secs_f64() * 1000.0,
        mib_per_s(bytes, manual)
    );
    println!("ratio: {:.0}% of curl + openssl", 100.0 * manual.as_secs_f64() / ours.as_secs_f64());
}
