//! Downloads of the plan's binary: this host's entry or `any` only, with its checksum.

use nix::sys::signal::Signal;

use crate::harness::{Asset, Exit, Server, World, code, sha256_hex};

fn plan_info(server: &Server, platform: &str, file: &str, checksum: &str) -> String {
    let info = serde_json::json!({ "binaries": { platform: format!("{}/files/{file}?checksum=sha256:{checksum}", server.base()) } });
    // The info goes through the app's command line: no spaces, single-quoted by the script.
    format!("--plan-info '{info}'")
}

fn host() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("linux/{arch}")
}

#[test]
fn the_plans_binary_is_downloaded_verified_and_run() {
    let mut w = World::new();
    w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
    let server = Server::start(Vec::new());
    let app = w.app_script("v2", "");
    server.state.lock().unwrap().files.push(Asset::new("simd", app.clone().into_bytes()));
    w.init(&format!(
        "--plan-name v2 --plan-height 6 {}",
        plan_info(&server, &host(), "simd", &sha256_hex(app.as_bytes()))
    ));
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(std::fs::read_to_string(w.home.join("cosmovisor/upgrades/v2/bin/simd")).unwrap(), app);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_wrong_checksum_or_another_platforms_binary_is_refused_and_nothing_is_left() {
    for (platform, checksum, needle) in
        [(host(), "0".repeat(64), "checksum"), ("darwin/arm64".to_owned(), "0".repeat(64), "neither")]
    {
        let mut w = World::new();
        w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
        let server = Server::start(Vec::new());
        server.state.lock().unwrap().files.push(Asset::new("simd", w.app_script("v2", "").into_bytes()));
        w.init(&format!("--plan-name v2 --plan-height 6 {}", plan_info(&server, &platform, "simd", &checksum)));
        let mut visor = w.start();
        let status = visor.wait_own_status(&w.status_file(), "the download refused", |s| {
            s["staging"]["error"].as_str().is_some_and(|e| e.contains(needle))
                || s["detail"].as_str().is_some_and(|e| e.contains(needle))
        });
        assert_eq!(w.current().as_deref(), Some("genesis"), "{status}");
        assert!(!w.home.join("cosmovisor/upgrades/v2").exists(), "no half folder is left");
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
    }
}

#[test]
fn a_governance_plan_known_from_grpc_is_staged_long_before_the_height() {
    let mut w = World::new();
    w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
    let server = Server::start(Vec::new());
    let app = w.app_script("v2", "");
    server.state.lock().unwrap().files.push(Asset::new("simd", app.clone().into_bytes()));
    let info = plan_info(&server, &host(), "simd", &sha256_hex(app.as_bytes()));
    // Far enough (4.8 s of 40 ms blocks) for a loaded machine to stage it after the first
    // gRPC ask, which comes a second after the start.
    w.init(&format!("--plan-name v2 --plan-height 120 {info}"));
    let mut visor = w.start();
    let staged = visor.wait_own_status(&w.status_file(), "the release staged", |s| s["staging"]["phase"] == "staged");
    assert!(w.plans().is_empty(), "staged before the node reached the height: {staged}");
    assert_eq!(staged["pending"]["version"], "v2");
    assert_eq!(staged["pending"]["height"], 120);
    assert!(w.home.join("cosmovisor/upgrades/v2/bin/simd").is_file());
    let done = visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    assert_eq!(done["lastSwitch"]["height"], 120);
    assert_eq!(server.seen().iter().filter(|s| s.path.ends_with("/files/simd")).count(), 1, "downloaded once");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn prepare_upgrade_downloads_the_chains_plan_ahead() {
    let w = World::new();
    let server = Server::start(Vec::new());
    let app = w.app_script("v2", "");
    server.state.lock().unwrap().files.push(Asset::new("simd", app.clone().into_bytes()));
    let info = plan_info(&server, &host(), "simd", &sha256_hex(app.as_bytes()));
    w.init(&format!("--plan-name v2 --plan-height 100000 {info}"));
    let out = w.cosmovisor(&["prepare-upgrade"]);
    assert_eq!(
        out.status.code(),
        Some(code(Exit::Config)),
        "no node answers: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("DAEMON_GRPC_ADDRESS"));
    // The node runs by itself (as when an operator prepares by hand).
    let genesis = w.home.join("cosmovisor/genesis/bin/simd");
    let mut node = std::process::Command::new(&genesis).args(["start", "--home"]).arg(&w.home).spawn().unwrap();
    crate::harness::wait_until("the node's gRPC answers", || {
        std::net::TcpStream::connect(("127.0.0.1", w.grpc_port)).is_ok()
    });
    let out = w.cosmovisor(&["prepare-upgrade"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("prepared upgrade v2 at height 100000"));
    assert_eq!(std::fs::read_to_string(w.home.join("cosmovisor/upgrades/v2/bin/simd")).unwrap(), app);
    let out = w.cosmovisor(&["prepare-upgrade"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("prepared already"));
    let _ = node.kill();
    let _ = node.wait();
}

#[test]
fn every_download_form_of_v1_7_and_a_missing_checksum_refused() {
    use testnode::release_server::zip;
    // (what is served, how the plan's info names it, switched?)
    enum Info {
        Direct,
        Document,
        NoChecksum,
    }
    for (label, archive, info, switched) in [
        ("zip with bin/simd", true, Info::Direct, true),
        ("zip with simd at the root", false, Info::Direct, true),
        ("a binaries document", false, Info::Document, true),
        ("no checksum", false, Info::NoChecksum, false),
    ] {
        let mut w = World::new();
        w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
        let server = Server::start(Vec::new());
        let app = w.app_script("v2", "");
        let name = if archive { "bin/simd" } else { "simd" };
        let bytes = zip(&[(name, 0o755, app.as_bytes())]);
        server.state.lock().unwrap().files.push(Asset::new("simd.zip", bytes.clone()));
        let direct = format!("{}/files/simd.zip?checksum=sha256:{}", server.base(), sha256_hex(&bytes));
        let plan_info = match info {
            Info::Direct => serde_json::json!({ "binaries": { host(): direct } }).to_string(),
            Info::NoChecksum => {
                serde_json::json!({ "binaries": { host(): format!("{}/files/simd.zip", server.base()) } }).to_string()
            }
            Info::Document => {
                let doc = serde_json::json!({ "binaries": { "any": direct } }).to_string();
                server.state.lock().unwrap().files.push(Asset::new("ref.json", doc.clone().into_bytes()));
                format!("{}/files/ref.json?checksum=sha256:{}", server.base(), sha256_hex(doc.as_bytes()))
            }
        };
        w.init(&format!("--plan-name v2 --plan-height 6 --plan-info '{plan_info}'"));
        let mut visor = w.start();
        if switched {
            visor.wait_upgraded(&w.status_file(), "upgrades/v2");
            assert_eq!(
                std::fs::read_to_string(w.home.join("cosmovisor/upgrades/v2/bin/simd")).unwrap(),
                app,
                "{label}"
            );
        } else {
            visor.wait_own_status(&w.status_file(), "the download refused", |s| {
                s["staging"]["error"].as_str().is_some_and(|e| e.contains("checksum"))
            });
            assert_eq!(w.current().as_deref(), Some("genesis"), "{label}");
        }
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean), "{label}");
    }
}

#[test]
fn a_downloaded_folder_is_not_run_for_a_plan_that_names_another_binary() {
    let mut w = World::new();
    w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
    let server = Server::start(Vec::new());
    // What an earlier (withdrawn, or spoofed) plan named: downloaded ahead from the gRPC plan.
    let bad = w.app_script("v2-withdrawn", "");
    let good = w.app_script("v2", "");
    server.state.lock().unwrap().files.push(Asset::new("bad", bad.clone().into_bytes()));
    server.state.lock().unwrap().files.push(Asset::new("good", good.clone().into_bytes()));
    let announced = plan_info(&server, &host(), "bad", &sha256_hex(bad.as_bytes()));
    // The node's own plan at the height names the good binary.
    let node_info = serde_json::json!({ "binaries": { host(): format!("{}/files/good?checksum=sha256:{}", server.base(), sha256_hex(good.as_bytes())) } });
    // The test writes the node's plan at the height the chain has reached: the announced
    // height only needs to be far enough that the app does not write its own plan first.
    w.init(&format!("--plan-name v2 --plan-height 150 {announced}"));
    let mut visor = w.start();
    visor.wait_own_status(&w.status_file(), "the announced binary staged", |s| s["staging"]["phase"] == "staged");
    // The node's plan, naming another binary, at a height the chain has reached (as the node
    // writes it when it halts there).
    let height = w.height();
    std::fs::write(
        w.home.join("data/upgrade-info.json"),
        serde_json::json!({ "name": "v2", "height": height, "info": node_info.to_string() }).to_string(),
    )
    .unwrap();
    let error = visor.wait_log("now names");
    assert!(error.contains("remove the folder"), "{error}");
    assert_eq!(w.current().as_deref(), Some("genesis"), "the withdrawn binary is not switched to");
    assert!(w.starts().iter().all(|s| s["version"] != "v2-withdrawn"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_md5_checksum_is_refused_unless_the_operator_allows_it() {
    for allow in [false, true] {
        let mut w = World::new();
        w.set("DAEMON_ALLOW_DOWNLOAD_BINARIES", "true");
        if allow {
            w.set("COSMOVISOR_ALLOW_WEAK_CHECKSUMS", "true");
        }
        let server = Server::start(Vec::new());
        let app = w.app_script("v2", "");
        server.state.lock().unwrap().files.push(Asset::new("simd", app.clone().into_bytes()));
        let md5 = visor_core::stage::hash_bytes(app.as_bytes(), visor_core::stage::Algorithm::Md5).hex;
        let info =
            serde_json::json!({ "binaries": { host(): format!("{}/files/simd?checksum=md5:{md5}", server.base()) } });
        w.init(&format!("--plan-name v2 --plan-height 6 --plan-info '{info}'"));
        let mut visor = w.start();
        if allow {
            visor.wait_upgraded(&w.status_file(), "upgrades/v2");
        } else {
            let status = visor.wait_own_status(&w.status_file(), "the plan's checksum refused", |s| {
                s.to_string().contains("COSMOVISOR_ALLOW_WEAK_CHECKSUMS")
            });
            assert_eq!(w.current().as_deref(), Some("genesis"), "{status}");
        }
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
    }
}
