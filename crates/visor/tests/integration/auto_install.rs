//! Auto-install: the release is staged from a GitHub-compatible server as soon as the core
//! announces it, so the switch contains no download; failures are loud, retried, and never
//! touch the running release.

use nix::sys::signal::Signal;
use testnode::release_server::{Asset, Release, Server};

use crate::harness::{Env, asset_name, auto_install_config, vega_zip, wait_until};
use crate::harness::{Exit, code};

#[test]
fn the_release_is_staged_before_the_core_is_ready_and_the_switch_has_no_download() {
    let server = Server::start(vec![
        Release { tag: "v0.3.0".into(), assets: vec![Asset::new("other.zip", vec![1])] },
        Release { tag: "v0.2.0".into(), assets: vec![Asset::new(&asset_name(), vega_zip("v0.2.0"))] },
    ]);
    let env = Env::with_upgrade(250, &auto_install_config(&server));
    let mut visor = env.start_visor();
    let staged = visor.wait_log("release staged ahead of the upgrade");
    // Off a terminal, download progress goes to the log.
    let progress = visor.wait_log("downloading the release");
    assert!(progress.contains("version=\"v0.2.0\"") && progress.contains("total="), "{progress}");
    assert!(staged.contains("verified=true") && staged.contains("checksum=sha256:"), "{staged}");
    let status = env.wait_status("staging shown as staged", |s| s["staging"]["phase"] == "staged");
    assert_eq!(status["pending"]["folderPresent"], true);
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let logs = visor.logs();
    let position = |needle: &str| logs.iter().position(|l| l.contains(needle)).unwrap();
    assert!(position("release staged ahead of the upgrade") < position("the core is ready to upgrade"));
    // The staged release runs: the generated run configuration points at the unpacked binary
    // and keeps the genesis arguments.
    wait_until("the new core records its start", || env.starts_of("core").len() == 2);
    let core = env.starts_of("core");
    assert_eq!(core[1]["version"], "v0.2.0");
    let args: Vec<String> = serde_json::from_value(core[1]["args"].clone()).unwrap();
    assert!(args.ends_with(&["--snapshot.load-from-block-height".to_owned(), "250".to_owned()]), "{args:?}");
    let run_config = std::fs::read_to_string(env.home.join("v0.2.0/run-config.toml")).unwrap();
    assert!(run_config.contains("path = \"vega\"") && run_config.contains("name = \"v0.2.0\""), "{run_config}");
    assert!(
        !std::fs::read_dir(&env.home).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".staging-"))
    );
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_missing_asset_is_a_loud_error_retried_while_the_old_release_runs() {
    let server =
        Server::start(vec![Release { tag: "v0.2.0".into(), assets: vec![Asset::new("vega-plan9-mips.zip", vec![0])] }]);
    let env = Env::with_upgrade(100_000, &auto_install_config(&server));
    let mut visor = env.start_visor();
    let error = visor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(
        error.contains(&format!("no asset named \"{}\"", asset_name())) && error.contains("vega-plan9-mips.zip"),
        "{error}"
    );
    let status = env.wait_status("staging shown as failed", |s| s["staging"]["phase"] == "failed");
    assert_eq!(status["state"], "running");
    assert!(status["staging"]["error"].as_str().unwrap().contains("no asset named"));
    assert!(!env.home.join("v0.2.0").exists());

    // Published later: the next attempt stages it.
    server.state.lock().unwrap().releases[0].assets.push(Asset::new(&asset_name(), vega_zip("v0.2.0")));
    visor.wait_log("release staged ahead of the upgrade");
    assert!(env.home.join("v0.2.0/run-config.toml").is_file());
    assert_eq!(env.starts_of("core").len(), 1, "the running node was never touched");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_digest_mismatch_stages_nothing() {
    let asset =
        Asset { digest: Some(format!("sha256:{}", "f".repeat(64))), ..Asset::new(&asset_name(), vega_zip("v0.2.0")) };
    let server = Server::start(vec![Release { tag: "v0.2.0".into(), assets: vec![asset] }]);
    let env = Env::with_upgrade(100_000, &auto_install_config(&server));
    let mut visor = env.start_visor();
    let error = visor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(error.contains("checksum mismatch") && error.contains(&"f".repeat(64)), "{error}");
    assert!(!env.home.join("v0.2.0").exists());
    assert_eq!(env.status_json()["state"], "running");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn past_the_upgrade_height_the_visor_waits_and_upgrades_once_the_release_is_published() {
    let server = Server::start(vec![Release { tag: "v0.1.0".into(), assets: Vec::new() }]);
    let env = Env::with_upgrade(10, &auto_install_config(&server));
    let mut visor = env.start_visor();
    visor.wait_log("CANNOT STAGE THE RELEASE");
    visor.wait_log("release v0.2.0 not found");
    visor.wait_logs("waiting for the release", 1);
    env.wait_status("waiting shown", |s| s["state"] == "waiting-for-release");

    server
        .state
        .lock()
        .unwrap()
        .releases
        .insert(0, Release { tag: "v0.2.0".into(), assets: vec![Asset::new(&asset_name(), vega_zip("v0.2.0"))] });
    visor.wait_log("release staged ahead of the upgrade");
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    wait_until("the new core runs", || env.starts_of("core").len() == 2);
    assert_eq!(env.current().as_deref(), Some("v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_release_folder_prepared_by_hand_is_used_as_is() {
    let server = Server::start(Vec::new());
    let env = Env::with_upgrade(10, &auto_install_config(&server));
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert!(visor.count("staging the release") == 0, "nothing staged for a present folder");
    assert!(server.seen().is_empty(), "GitHub was never asked");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_visor_killed_while_staging_leaves_no_trusted_folder_and_the_next_one_stages_again() {
    let server = Server::start(vec![Release {
        tag: "v0.2.0".into(),
        assets: vec![Asset::new(&asset_name(), vega_zip("v0.2.0"))],
    }]);
    let env = Env::with_upgrade(100_000, &auto_install_config(&server));
    let mut visor = env.start_visor_with(&[("VISOR_TEST_FAULT", "stage-before-rename")]);
    assert_eq!(visor.wait_status().code(), None, "killed by the fault hook just before the rename");
    let names = || -> Vec<String> {
        std::fs::read_dir(&env.home).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
    };
    assert!(!env.home.join("v0.2.0").exists(), "a staging folder never gets the final name early");
    assert!(names().iter().any(|n| n.starts_with("v0.2.0.staging-")), "{:?}", names());

    let mut next = env.start_visor();
    next.wait_log("removed a stale staging folder");
    next.wait_log("release staged ahead of the upgrade");
    assert!(!names().iter().any(|n| n.contains(".staging-")), "{:?}", names());
    next.signal(Signal::SIGTERM);
    assert_eq!(next.wait_exit(), code(Exit::Clean));
}
