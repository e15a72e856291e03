//! `visor init` and `visor version`.

use crate::harness::Env;
use crate::harness::{Exit, USAGE, code};

#[test]
fn init_creates_a_commented_home_that_refuses_to_run_until_configured() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    let out = env.visor(&["init", "--home", home, "--with-data-node"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    for file in ["config.toml", "genesis/run-config.toml", "run-config.toml.example"] {
        assert!(env.home.join(file).is_file(), "{file} missing");
    }
    let names: Vec<_> = std::fs::read_dir(&env.home).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "no placeholder release folder: {names:?}");
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
fn init_says_what_it_created_and_what_to_do_next() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    let out = env.visor(&["init", "--home", home, "--with-data-node"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        format!("Created the visor home {home}:"),
        "genesis/run-config.toml  what the first release runs: the core and the data node".to_owned(),
        "run-config.toml.example".to_owned(),
        format!("cp /path/to/vega {home}/genesis/vega"),
        format!("Edit {home}/genesis/run-config.toml"),
        "vega.rpc.socketPath".to_owned(),
        "data_node.binary.args".to_owned(),
        format!("{home}/v0.74.3/run-config.toml"),
        format!("visor run --home {home}"),
        format!("visor check --home {home}"),
        format!("visor plan --home {home}"),
        "docs/visor.md".to_owned(),
    ] {
        assert!(text.contains(&needle), "{needle:?} missing from:\n{text}");
    }
    assert!(!String::from_utf8_lossy(&out.stderr).contains("INFO"), "the steps are the output, not log lines");
}

#[test]
fn the_release_example_copied_into_a_release_folder_runs_once_filled_in() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    assert!(env.visor(&["init", "--home", home]).status.success());
    // The operator's genesis (what `init`'s steps 1 and 2 make of it), and `run` ignores the
    // example beside config.toml.
    env.write_config("[autoInstall]\nenabled = false\n");
    let args = env.core_args(&["--upgrade-at", "60", "--release-tag", "v0.2.0"]);
    env.release("genesis", "v0.1.0", &args, None);
    // A release folder made from the example, as it says: the binary beside it, the keys filled.
    let example = std::fs::read_to_string(env.home.join("run-config.toml.example")).unwrap();
    let dir = env.home.join("v0.2.0");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(crate::harness::testnode_bin(), dir.join("testnode")).unwrap();
    std::fs::write(dir.join("testnode.version"), "v0.2.0").unwrap();
    let args_line = example.lines().find(|l| l.trim_start().starts_with("args = ")).unwrap();
    let filled = example
        .replace("name = \"v0.74.3\"", "name = \"v0.2.0\"")
        .replace("path = \"vega\"", "path = \"testnode\"")
        .replace(args_line, &format!("    args = {:?}", env.core_args(&[])))
        .replace("socketPath = \"\"", &format!("socketPath = {:?}", env.socket.display().to_string()));
    std::fs::write(dir.join("run-config.toml"), filled).unwrap();
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert_eq!(env.current().as_deref(), Some("v0.2.0"));
    let logs = visor.logs().join("\n");
    assert!(!logs.contains("run-config.toml.example"), "the example is not read: {logs}");
    visor.signal(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
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
