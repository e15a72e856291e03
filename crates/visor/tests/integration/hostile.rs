//! Hostile input through the real binary: release names the cleanup could take for its own,
//! file names with paths in the configuration, links planted where the visor writes its state,
//! a careless umask, releases published without checksums, archives whose links lead outside.
//! Each is refused with a clear error (or made harmless), and the node keeps running.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use nix::sys::signal::Signal;
use testnode::release_server::{Asset, Release, Server, sha256_hex, zip};

use crate::harness::{Env, Visor, alive, asset_name, vega_zip, visor_bin, wait_until};
use crate::harness::{Exit, PANIC, code};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn auto_install(server: &Server, extra: &str) -> String {
    crate::harness::auto_install_config(server).replace("[autoInstall.asset]", &format!("{extra}[autoInstall.asset]"))
}

#[test]
fn release_names_that_look_like_the_visors_own_files_are_refused() {
    // As a configured folder: a configuration error naming the key.
    let env = Env::with_upgrade(100_000, "[upgradeFolders]\n\"v0.2.0\" = \"v0.2.0.staging-1-2\"\n");
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_status().code(), Some(code(Exit::Config)));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("upgradeFolders.v0.2.0") && logs.contains(".staging-"), "{logs}");

    // As a tag the core announces: refused, the node keeps running.
    let env = Env::empty();
    env.write_config("");
    let args = env.core_args(&["--upgrade-at", "100000", "--release-tag", "v0.2.0.staging-1-2"]);
    env.release("genesis", "v0.1.0", &args, None);
    let mut visor = env.start_visor();
    let line = visor.wait_log("is not allowed");
    assert!(line.contains("v0.2.0.staging-1-2"), "{line}");
    // A folder made by hand with a name only like the visor's survives a restart.
    let by_hand = env.home.join("notes.staging-by-hand");
    std::fs::create_dir_all(&by_hand).unwrap();
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let mut again = env.start_visor();
    again.wait_running(&env.status_file());
    assert!(by_hand.is_dir());
    assert_eq!(env.current().as_deref(), Some("genesis"));
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_binary_name_with_a_path_is_a_configuration_error() {
    let server = Server::start(Vec::new());
    let config = auto_install(&server, "").replace("binaryName = \"vega\"", "binaryName = \"../../../tmp/x\"");
    let env = Env::with_upgrade(100_000, &config);
    let mut visor = env.start_visor();
    assert_eq!(visor.wait_status().code(), Some(code(Exit::Config)));
    let logs = visor.logs().join("\n");
    assert!(logs.contains("autoInstall.asset.binaryName") && logs.contains("plain file name"), "{logs}");
    assert_eq!(env.starts().len(), 0, "nothing ran");
}

#[test]
fn state_files_never_follow_planted_links_and_are_private_whatever_the_umask() {
    let env = Env::with_upgrade(150, "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let victim = env.data.parent().unwrap().join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("umask 000; exec \"$0\" run --home \"$1\"")
        .arg(visor_bin())
        .arg(&env.home)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut visor = Visor::spawn(command);
    visor.wait_running(&env.status_file());
    // Links at every temporary name the visor will use next, to a file outside.
    let state = env.home.join(".visor");
    for file in ["status.json", "groups.json", "history.json", "switch.json"] {
        for n in 0..400 {
            let _ = std::os::unix::fs::symlink(&victim, state.join(format!(".{file}.tmp-{}-{n}", visor.pid())));
        }
    }
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep", "no write went through a planted link");
    assert_eq!(mode(&state), 0o700);
    for file in ["status.json", "groups.json", "history.json", "visor.lock"] {
        let path = state.join(file);
        wait_until(&format!("{file} is written"), || path.exists());
        assert_eq!(mode(&path), 0o600, "{file} under umask 000");
    }
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    // The next start removes the planted links (the links, not what they point to).
    let mut again = env.start_visor();
    again.wait_running(&env.status_file());
    // The running visor's own writes in progress are not leftovers.
    let mine = format!(".tmp-{}-", again.pid());
    let planted: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") && !n.contains(&mine))
        .collect();
    assert!(planted.is_empty(), "{planted:?}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_state_folder_open_to_others_is_made_private() {
    let env = Env::with_upgrade(100_000, "");
    let state = env.home.join(".visor");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o777)).unwrap();
    // A record a local user planted, naming groups whose killing would hurt.
    std::fs::write(
        state.join("groups.json"),
        r#"[{"role":"x","pgid":1,"start_time":1},{"role":"y","pgid":0,"start_time":1}]"#,
    )
    .unwrap();
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    assert_eq!(mode(&state), 0o700);
    visor.wait_log("making it private");
    visor.wait_log("started process");
    assert!(!visor.logs().iter().any(|l| l.contains("killing processes left by a previous visor")));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_release_without_a_published_checksum_is_not_run_unless_the_operator_opts_out() {
    // No digest in the API and no checksums file: refused, loudly, while the old release runs.
    let mut bare = Asset::new(&asset_name(), vega_zip("v0.2.0"));
    bare.digest = None;
    let server = Server::start(vec![Release { tag: "v0.2.0".into(), assets: vec![bare.clone()] }]);
    let env = Env::with_upgrade(100_000, &auto_install(&server, ""));
    let mut visor = env.start_visor();
    let error = visor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(error.contains("no published checksum") && error.contains("autoInstall.allowUnverified"), "{error}");
    assert!(!env.home.join("v0.2.0").exists());
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // A SHA256SUMS file published with the release verifies it.
    let sums = format!("{}  {}\n", sha256_hex(&bare.data), asset_name());
    let server = Server::start(vec![Release {
        tag: "v0.2.0".into(),
        assets: vec![bare.clone(), Asset::new("SHA256SUMS", sums.into_bytes())],
    }]);
    let env = Env::with_upgrade(100_000, &auto_install(&server, ""));
    let mut visor = env.start_visor();
    let staged = visor.wait_log("release staged ahead of the upgrade");
    assert!(staged.contains("verified=true"), "{staged}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // A wrong line in it is a mismatch, not a pass.
    let sums = format!("{}  {}\n", "0".repeat(64), asset_name());
    let server = Server::start(vec![Release {
        tag: "v0.2.0".into(),
        assets: vec![bare.clone(), Asset::new("SHA256SUMS", sums.into_bytes())],
    }]);
    let env = Env::with_upgrade(100_000, &auto_install(&server, ""));
    let mut visor = env.start_visor();
    assert!(visor.wait_log("CANNOT STAGE THE RELEASE").contains("checksum mismatch"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));

    // The explicit opt-out stages it, with a warning.
    let server = Server::start(vec![Release { tag: "v0.2.0".into(), assets: vec![bare] }]);
    let env = Env::with_upgrade(100_000, &auto_install(&server, "allowUnverified = true\n"));
    let mut visor = env.start_visor();
    visor.wait_log("no published checksum, as configured");
    assert!(visor.wait_log("release staged ahead of the upgrade").contains("verified=false"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_archive_whose_links_lead_outside_is_refused_and_nothing_outside_is_run() {
    let root = tempfile::tempdir().unwrap();
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let evil = outside.join("evil");
    std::fs::write(&evil, format!("#!/bin/sh\ntouch {}/executed\n", outside.display())).unwrap();
    std::fs::set_permissions(&evil, std::fs::Permissions::from_mode(0o644)).unwrap();
    // `x0/…/x11/up` climbs back to the staging folder; `vega` goes through it, then up to the
    // root and to the planted script: each link alone looks harmless.
    let deep: String = (0..12).map(|i| format!("x{i}/")).collect();
    let up = format!("{deep}up");
    let up_target = "../".repeat(12);
    // From `<tmp>/visor-it-*/home/<staging>` up to `/` (more `..` than needed stay at `/`).
    let depth = std::env::temp_dir().components().count() + 3;
    let target = format!("{deep}up/{}{}", "../".repeat(depth), evil.strip_prefix("/").unwrap().display());
    let archive =
        zip(&[(&up, 0o120777, up_target.trim_end_matches('/').as_bytes()), ("vega", 0o120777, target.as_bytes())]);
    let server =
        Server::start(vec![Release { tag: "v0.2.0".into(), assets: vec![Asset::new(&asset_name(), archive)] }]);
    let env = Env::with_upgrade(100_000, &auto_install(&server, ""));
    let mut visor = env.start_visor();
    let error = visor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(error.contains("followed on disk") && error.contains("outside"), "{error}");
    assert_eq!(mode(&evil), 0o644, "nothing outside was chmodded");
    assert!(!outside.join("executed").exists(), "nothing outside was run");
    let core = env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32;
    assert!(alive(core));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn absurd_numbers_in_the_configuration_never_panic() {
    let max = u64::MAX;
    let config = format!(
        "maxNumberOfRestarts = {max}\nrestartsDelaySeconds = {max}\nrestartsWindowSeconds = {max}\n\
         stopDelaySeconds = {max}\nstopSignalTimeoutSeconds = {max}\npollIntervalMilliseconds = {max}\n\
         maxNumberOfFirstConnectionRetries = {max}\nmaxNumberOfRestartConnectionRetries = {max}\n"
    );
    let env = Env::with_upgrade(100_000, &config);
    let mut visor = env.start_visor();
    visor.wait_log("testnode core");
    visor.signal(Signal::SIGTERM);
    let exit_code = visor.wait_status().code();
    assert_ne!(exit_code, Some(PANIC), "no panic: {:?}", visor.logs());
    assert_eq!(exit_code, Some(code(Exit::Clean)));
}
