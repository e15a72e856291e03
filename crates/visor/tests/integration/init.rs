//! `visor init` and `visor version`.

use crate::harness::Env;
use crate::harness::{Exit, USAGE, code};

#[test]
fn init_creates_a_commented_home_that_refuses_to_run_until_configured() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    let out = env.visor(&["init", "--home", home, "--with-data-node"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for file in ["config.toml", "genesis/run-config.toml", "vX.X.X/run-config.toml"] {
        assert!(env.home.join(file).is_file(), "{file} missing");
    }
    assert!(!env.home.join("current").exists(), "current is created by the first run, not by init");
    let config = std::fs::read_to_string(env.home.join("config.toml")).unwrap();
    assert!(config.contains("maxNumberOfFirstConnectionRetries = 175000"));
    assert!(config.contains("# "), "the generated configuration is commented");
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    assert!(config.contains(&format!("vega-{}-{arch}.zip", std::env::consts::OS)), "asset names the host's platform");
    let genesis = std::fs::read_to_string(env.home.join("genesis/run-config.toml")).unwrap();
    assert!(genesis.contains("[data_node]") && genesis.contains("name = \"genesis\""));

    // The placeholders do not run: the first run says what to fill in, and starts nothing.
    let out = env.visor(&["run", "--home", home]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("genesis/run-config.toml") && stderr.contains("vega.rpc.socketPath"), "{stderr}");
}

#[test]
fn init_refuses_a_folder_that_holds_files_and_accepts_an_empty_one() {
    let env = Env::empty();
    std::fs::create_dir_all(&env.home).unwrap();
    let home = env.home.to_str().unwrap();
    assert!(env.visor(&["init", "--home", home]).status.success(), "an empty folder is fine");
    let before = std::fs::read(env.home.join("config.toml")).unwrap();
    std::fs::write(env.home.join("config.toml"), b"# mine\n").unwrap();
    let out = env.visor(&["init", "--home", home]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already exists and holds files"), "{stderr}");
    assert_eq!(std::fs::read(env.home.join("config.toml")).unwrap(), b"# mine\n", "nothing overwritten");
    assert_ne!(before, b"# mine\n");
}

#[test]
fn version_prints_human_and_json() {
    let env = Env::empty();
    let out = env.visor(&["version"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.starts_with("Visor CLI v"), "{text}");
    let out = env.visor(&["version", "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["version"].as_str().unwrap().starts_with('v'));
    assert!(json["hash"].is_string());
    let out = env.visor(&["version", "--output", "yaml"]);
    assert_eq!(out.status.code(), Some(USAGE), "an unknown format is a usage error");
}
