//! `visor check`: a home validated without running it, one line per check with its fix, and
//! an exit code that says whether anything failed.

use nix::sys::signal::Signal;

use crate::harness::{Env, Exit, code};

fn check(env: &Env) -> (i32, Vec<serde_json::Value>) {
    let out = env.visor(&["check", "--home", env.home.to_str().unwrap(), "--output", "json"]);
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check --output json: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    for line in &lines {
        for key in ["check", "outcome", "detail", "fix"] {
            assert!(line.get(key).is_some(), "{key} missing from {line}");
        }
    }
    (out.status.code().unwrap(), lines)
}

fn check_text(env: &Env) -> (i32, String) {
    let out = env.visor(&["check", "--home", env.home.to_str().unwrap()]);
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn line<'a>(lines: &'a [serde_json::Value], check: &str) -> &'a serde_json::Value {
    lines.iter().find(|l| l["check"] == check).unwrap_or_else(|| panic!("no {check} line in {lines:#?}"))
}

/// A home whose core announces nothing.
fn good_home() -> Env {
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(&[]), None);
    env
}

#[test]
fn a_good_home_with_its_visor_running_checks_all_ok() {
    let env = good_home();
    let mut visor = env.start_visor();
    visor.wait_running(&env.status_file());
    // The core says it started once its admin socket listens.
    visor.wait_log("testnode core v0.1.0 started");
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert!(lines.iter().all(|l| l["outcome"] == "ok" && l["fix"].is_null()), "{lines:#?}");
    assert!(
        line(&lines, "lock")["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("a visor runs on this home (pid {})", visor.pid()))
    );
    let release = line(&lines, "release genesis")["detail"].as_str().unwrap().to_owned();
    assert!(release.contains("core binary") && release.contains("reports version v0.1.0"), "{release}");
    let socket = line(&lines, "admin socket")["detail"].as_str().unwrap().to_owned();
    assert!(
        socket.contains(&env.socket.display().to_string()) && socket.contains("answers: no upgrade accepted"),
        "{socket}"
    );
    let (exit, text) = check_text(&env);
    assert_eq!(exit, code(Exit::Clean));
    assert!(text.ends_with("check passed: 7 ok, 0 warnings, 0 failed\n"), "{text}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn without_a_running_core_the_socket_is_a_warning_and_a_missing_folder_a_failure() {
    let env = good_home();
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Clean), "a warning is not a failure: {lines:#?}");
    let socket = line(&lines, "admin socket");
    assert_eq!(socket["outcome"], "warn");
    let detail = socket["detail"].as_str().unwrap();
    assert!(
        detail.contains("not reachable (the core is not running?)") && detail.contains("vega.rpc.socketPath"),
        "{detail}"
    );
    assert!(socket["fix"].as_str().unwrap().contains("[Admin.Server] SocketPath"), "{socket}");
    assert_eq!(line(&lines, "lock")["detail"], "no visor runs on this home");

    // A socket in a folder that does not exist cannot be the core's.
    let wrong = env.home.join("no-such-folder/vega.sock");
    let text = env.run_config("v0.1.0", &env.core_args(&[]), None);
    let text = text.replace(&env.socket.display().to_string(), &wrong.display().to_string());
    std::fs::write(env.home.join("genesis/run-config.toml"), text).unwrap();
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let socket = line(&lines, "admin socket");
    assert_eq!(socket["outcome"], "fail");
    assert!(
        socket["detail"].as_str().unwrap().contains("no-such-folder")
            && socket["detail"].as_str().unwrap().contains("does not exist"),
        "{socket}"
    );
    assert!(socket["fix"].as_str().unwrap().contains("`vega.rpc.socketPath` in"), "{socket}");
}

#[test]
fn a_typod_binary_path_fails_naming_the_key_and_the_file() {
    let env = good_home();
    let run_config = env.home.join("genesis/run-config.toml");
    let text = std::fs::read_to_string(&run_config).unwrap().replace("path = \"testnode\"", "path = \"testnod\"");
    std::fs::write(&run_config, text).unwrap();
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let release = line(&lines, "release genesis");
    assert_eq!(release["outcome"], "fail");
    assert!(release["detail"].as_str().unwrap().contains("genesis/testnod does not exist"), "{release}");
    let fix = release["fix"].as_str().unwrap();
    assert!(fix.contains("[vega.binary]") && fix.contains(&run_config.display().to_string()), "{fix}");
    let (exit, text) = check_text(&env);
    assert_eq!(exit, code(Exit::Config));
    assert!(text.contains("FAIL  release genesis") && text.contains("fix: set `path` under [vega.binary]"), "{text}");
    assert!(text.ends_with("1 failed\n"), "{text}");

    // A run configuration that does not parse names the file and the key.
    std::fs::write(&run_config, "name = \"v0.1.0\"\n[vega]\n[vega.binary]\npath = \"testnode\"\n").unwrap();
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    assert!(line(&lines, "release genesis")["detail"].as_str().unwrap().contains("vega.rpc.socketPath"), "{lines:#?}");
}

#[test]
fn the_announced_upgrades_release_is_checked_missing_then_wrong_then_right() {
    let env = Env::with_upgrade(100_000, "");
    let mut visor = env.start_visor();
    env.wait_status("the core's announcement", |s| s["pending"]["version"] == "v0.2.0");
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let upgrade = line(&lines, "upgrade v0.2.0");
    assert_eq!(upgrade["outcome"], "fail");
    assert!(upgrade["detail"].as_str().unwrap().contains("is missing, and autoInstall is off"), "{upgrade}");
    assert!(upgrade["fix"].as_str().unwrap().contains("before height 100000"), "{upgrade}");

    // Another version in the folder: named, with both versions.
    env.release("v0.2.0", "v0.3.0", &env.core_args(&[]), None);
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let upgrade = line(&lines, "upgrade v0.2.0");
    assert!(
        upgrade["detail"].as_str().unwrap().contains("reports version v0.3.0, but the release is v0.2.0"),
        "{upgrade}"
    );
    assert!(upgrade["fix"].as_str().unwrap().contains("put the v0.2.0 binary in"), "{upgrade}");

    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert!(line(&lines, "upgrade v0.2.0")["detail"].as_str().unwrap().contains("reports version v0.2.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_broken_config_fails_and_a_missing_home_says_how_to_make_one() {
    let env = good_home();
    std::fs::write(env.home.join("config.toml"), "maxNumberOfRestarts = \"three\"\n").unwrap();
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let config = line(&lines, "config");
    assert_eq!(config["outcome"], "fail");
    assert!(config["detail"].as_str().unwrap().contains("maxNumberOfRestarts"), "{config}");

    let empty = Env::empty();
    let (exit, lines) = check(&empty);
    assert_eq!(exit, code(Exit::Config));
    assert!(line(&lines, "home")["fix"].as_str().unwrap().contains("visor init --home"), "{lines:#?}");
}

/// A home as `visor init` writes it: each value left to fill in is a failure naming the key and
/// the file, and `run` refuses it the same way; once filled in, nothing of it is said.
#[test]
fn what_init_leaves_to_fill_in_fails_key_by_key_until_it_is_filled_in() {
    let env = Env::empty();
    let home = env.home.to_str().unwrap();
    assert_eq!(env.visor(&["init", "--home", home]).status.code(), Some(code(Exit::Clean)));
    let run_config = env.home.join("genesis/run-config.toml");
    let (exit, lines) = check(&env);
    assert_eq!(exit, code(Exit::Config));
    let release: Vec<&serde_json::Value> = lines.iter().filter(|l| l["check"] == "release genesis").collect();
    assert_eq!(release.len(), 2, "{release:#?}");
    for (line, key) in release.iter().zip(["vega.binary.args", "vega.rpc.socketPath"]) {
        assert_eq!(line["outcome"], "fail");
        let detail = line["detail"].as_str().unwrap();
        assert!(detail.starts_with(&format!("key `{key}` in {}", run_config.display())), "{detail}");
        assert!(line["fix"].as_str().unwrap().starts_with(&format!("edit {}: set it to", run_config.display())));
    }
    assert!(
        release[0]["detail"].as_str().unwrap().contains(r#"placeholders `visor init` wrote (["arg1", "arg2", "..."])"#)
    );
    let out = env.visor(&["run", "--home", home]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("vega.binary.args") && stderr.contains("vega.rpc.socketPath"), "{stderr}");

    // Filled in (the binary aside): neither key is said any more.
    let text = std::fs::read_to_string(&run_config)
        .unwrap()
        .replace(r#"args = ["arg1", "arg2", "..."]"#, &format!("args = {:?}", env.core_args(&[])))
        .replace(r#"socketPath = """#, &format!("socketPath = {:?}", env.socket.display().to_string()));
    std::fs::write(&run_config, text).unwrap();
    let (_, lines) = check(&env);
    let release = line(&lines, "release genesis");
    assert!(release["detail"].as_str().unwrap().contains("core binary"), "only the binary is left: {lines:#?}");
    assert!(!lines.iter().any(|l| l.to_string().contains("placeholders")), "{lines:#?}");
}

/// A key appended to `config.toml` lands in its last table: `check` warns of it once, as a line
/// of its own whose fix is the key meant and where it goes; the configuration is otherwise ok.
#[test]
fn a_key_appended_below_the_last_table_is_one_warning_with_where_it_goes() {
    let env = good_home();
    let config = env.home.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("[autoInstall]\nenabled = false\n[autoInstall.asset]\nname = \"x\"\nmaxNumberOfRestart = 5\n");
    std::fs::write(&config, text).unwrap();
    let out = env.visor(&["check", "--home", env.home.to_str().unwrap(), "--output", "json"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "a warning, not a failure");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unknown key"), "said once, as a check line");
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let configs: Vec<&serde_json::Value> = lines.iter().filter(|l| l["check"] == "config").collect();
    assert_eq!(configs.len(), 2, "{configs:#?}");
    assert_eq!(configs[0]["outcome"], "ok");
    assert!(
        configs[0]["detail"].as_str().unwrap().ends_with("is valid, but for the unknown key below"),
        "{configs:#?}"
    );
    assert_eq!(configs[1]["outcome"], "warn");
    assert_eq!(
        configs[1]["detail"],
        format!("unknown key `autoInstall.asset.maxNumberOfRestart` in {}, ignored", config.display())
    );
    assert_eq!(
        configs[1]["fix"],
        "did you mean `maxNumberOfRestarts` (a top-level key: it must go above the first `[table]` line)?"
    );
    let (_, text) = check_text(&env);
    assert!(text.contains("warn  config") && text.contains("fix: did you mean `maxNumberOfRestarts`"), "{text}");
}
