//! `init`, `add-upgrade`, `show-upgrade-info`, `version`, `status`, `help`.

use crate::harness::{Exit, USAGE, World, code};

#[test]
fn init_creates_the_layout_once() {
    let w = World::new();
    let out = w.cosmovisor(&["init"]);
    assert_eq!(out.status.code(), Some(USAGE));
    let out = w.cosmovisor(&["init", w.root.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a folder"));
    w.init("");
    let bin = w.home.join("cosmovisor/genesis/bin/simd");
    assert!(bin.is_file());
    assert_eq!(w.current().as_deref(), Some("genesis"));
    // Again: the binary is kept, not copied over.
    std::fs::write(&bin, "#!/bin/sh\necho kept\n").unwrap();
    w.init("");
    assert_eq!(std::fs::read_to_string(&bin).unwrap(), "#!/bin/sh\necho kept\n");
}

#[test]
fn init_says_what_it_created_and_what_to_do_next() {
    let w = World::new();
    let app = w.app("v1", "");
    let out = w.cosmovisor(&["init", app.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let home = w.home.display();
    for needle in [
        format!("cosmovisor is set up in {home}/cosmovisor:"),
        format!("genesis/bin/simd    the genesis binary (copied from {})", app.display()),
        "current -> genesis".to_owned(),
        format!("DAEMON_HOME={home} DAEMON_NAME=simd"),
        format!("cosmovisor run --cosmovisor-config {home}/cosmovisor/config.toml"),
        format!("cosmovisor run start --home {home}"),
        "cosmovisor add-upgrade <plan name> /path/to/simd".to_owned(),
        "cosmovisor check".to_owned(),
        "cosmovisor plan".to_owned(),
        "docs/cosmovisor.md".to_owned(),
    ] {
        assert!(text.contains(&needle), "{needle:?} missing from:\n{text}");
    }
    // Again: what was kept is said.
    let out = w.cosmovisor(&["init", app.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the genesis binary (there already, kept)"), "{text}");
    assert!(text.contains("config.toml         there already, kept"), "{text}");
}

#[test]
fn add_upgrade_refuses_to_overwrite_without_force_and_show_upgrade_info_prints_the_plan() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("V2", "v2", &[]).status.success());
    assert!(w.home.join("cosmovisor/upgrades/v2/bin/simd").is_file(), "names are lower-cased");
    assert_eq!(w.add_upgrade("v2", "v2", &[]).status.code(), Some(code(Exit::Config)));
    assert!(w.add_upgrade("v2", "v2", &["--force", "--upgrade-height", "40"]).status.success());
    let out = w.cosmovisor(&["show-upgrade-info"]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan, serde_json::json!({ "name": "v2", "height": 40 }));
    assert_eq!(
        w.add_upgrade("v3", "v3", &["--upgrade-height", "50"]).status.code(),
        Some(code(Exit::Config)),
        "a pending plan"
    );
}

#[test]
fn no_recase_keeps_the_name() {
    let mut w = World::new();
    w.set("COSMOVISOR_DISABLE_RECASE", "true");
    w.init("");
    assert!(w.add_upgrade("Chain2", "v2", &[]).status.success());
    assert!(w.home.join("cosmovisor/upgrades/Chain2/bin/simd").is_file());
}

#[test]
fn version_and_status() {
    let w = World::new();
    w.init("");
    let out = w.cosmovisor(&["version"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("cosmovisor version: ") && text.contains("v1"), "{text}");
    let out = w.cosmovisor(&["version", "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["app_version"]["version"], "v1");
    let out = w.cosmovisor(&["version", "--cosmovisor-only"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let out = w.cosmovisor(&["status", "--output", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["running"], false);
    assert_eq!(status["release"], "genesis");
    let out = w.cosmovisor(&["help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("add-upgrade"));
}

#[test]
fn version_reports_a_failing_app() {
    let w = World::new();
    w.init("");
    let bin = w.home.join("cosmovisor/genesis/bin/simd");
    std::fs::write(&bin, "#!/bin/sh\necho broken >&2\nexit 3\n").unwrap();
    let out = w.cosmovisor(&["version"]);
    assert_eq!(out.status.code(), Some(code(Exit::Internal)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("version failed") && err.contains("broken"), "{err}");
}
