//! The instance: init, configuration and environment, build information, two nymvisors on
//! the same data, a signal during the backup.

use nix::sys::signal::Signal;

use crate::harness::{Exit, code};
use crate::harness::{World, alive, in_seconds, wait_until};

#[test]
fn init_creates_the_documented_layout() {
    let w = World::new();
    w.init();
    for path in ["genesis/bin/nym-node", "genesis/upgrade-info.json", "upgrade-plan.json", "upgrades"] {
        assert!(w.data.join(path).exists(), "{path}");
    }
    assert_eq!(w.current().as_deref(), Some("genesis"));
    let config = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    assert!(config.is_file());
    let genesis = w.json(&w.data.join("genesis/upgrade-info.json"));
    assert_eq!(genesis["manual"], true);
    assert_eq!(genesis["upgradeTime"], "1970-01-01T00:00:00Z");
    assert!(genesis["publishDate"].is_null());
    let current = w.json(&w.daemon_home.join("nymvisor/current-version-info.json"));
    assert_eq!((current["name"].as_str(), current["version"].as_str()), (Some("genesis"), Some("1.0.0")));

    let out = w.nymvisor(&["config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("daemon name:                       nym-node"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "--output", "json"]).stdout).unwrap();
    assert_eq!(json["daemon"]["restart_on_failure"], true, "the guide's default");
    let daemon: serde_json::Value =
        serde_json::from_slice(&w.nymvisor(&["daemon-build-info", "-o", "json"]).stdout).unwrap();
    assert_eq!(daemon["build_version"], "1.0.0");
    let own = String::from_utf8_lossy(&w.nymvisor(&["build-info"]).stdout).into_owned();
    assert!(own.contains("Binary Name:        nymvisor"), "{own}");
    let short = String::from_utf8_lossy(&w.nymvisor(&["-V"]).stdout).into_owned();
    assert!(short.starts_with("nymvisor "), "{short}");
    let again = w.nymvisor(&["init", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert!(!again.status.success(), "a second init refuses to overwrite");
}

#[test]
fn invalid_environment_values_name_the_variable_and_start_nothing() {
    let w = World::new();
    w.init();
    for (name, value, expected) in [
        ("DAEMON_RESTART_ON_FAILURE", "maybe", "true, false, 1 or 0"),
        ("DAEMON_SHUTDOWN_GRACE_PERIOD", "soon", "10s"),
        ("DAEMON_MAX_STARTUP_FAILURES", "many", "whole number"),
        ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "nope", "true, false"),
    ] {
        let mut nymvisor = w.start_with(&[], &[(name, value)]);
        assert_eq!(nymvisor.wait_exit(), code(Exit::Config), "{name}");
        let logs = nymvisor.logs().join("\n");
        assert!(logs.contains(name) && logs.contains(value) && logs.contains(expected), "{logs}");
    }
    assert!(w.starts().is_empty());
}

#[test]
fn an_env_file_given_with_c_overrides_the_environment() {
    let w = World::new();
    w.init();
    let file = w.root.join("nym.env");
    std::fs::write(&file, "DAEMON_SHUTDOWN_GRACE_PERIOD=42s\n").unwrap();
    let out = w.nymvisor(&["-c", file.to_str().unwrap(), "config", "--output", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["daemon"]["shutdown_grace_period"], "42s");
}

#[test]
fn two_nymvisors_on_the_same_daemon_data_are_refused() {
    let w = World::new();
    w.init();
    let mut first = w.start();
    first.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    let mut second = w.start();
    assert_eq!(second.wait_exit(), code(Exit::Locked));
    let logs = second.logs().join("\n");
    assert!(logs.contains("another nymvisor is already running"), "in nymvisor's words: {logs}");
    assert_eq!(w.starts().len(), 1);
    first.signal(Signal::SIGTERM);
    assert_eq!(first.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_signal_during_the_backup_cancels_it_and_the_upgrade_happens_at_the_next_start() {
    let w = World::new();
    // Enough incompressible data that the backup takes a while.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let blob: Vec<u8> = (0..(96 << 20))
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    std::fs::write(w.daemon_home.join("data/blob"), blob).unwrap();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    w.announce("v1.1.0", "1.1.0", in_seconds(0), &w.daemon("1.1.0", ""), |_| {});
    nymvisor.wait_log("backing up the node's data");
    nymvisor.signal(Signal::SIGTERM);
    nymvisor.wait_log("cancelling the backup");
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    assert_eq!(w.current().as_deref(), Some("genesis"), "no switch without a finished backup");
    assert!(w.backups("v1.1.0").is_empty(), "no partial archive left: {:?}", w.backups("v1.1.0"));
    assert!(!alive(w.starts()[0]["pid"].as_i64().unwrap() as i32));

    let mut again = w.start_with(&[], &[("DAEMON_UNSAFE_SKIP_BACKUP", "true")]);
    again.wait_upgraded(&w.status_file(), "upgrades/v1.1.0");
    assert_eq!(w.current().as_deref(), Some("upgrades/v1.1.0"));
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}

#[test]
fn config_discovery_follows_the_guide() {
    let mut w = World::new();
    w.init();
    // A second instance of the same daemon, made with the guide's flags.
    w.extra_env.push(("DAEMON_HOME".to_owned(), String::new()));
    let other_home = w.root.join("other-home");
    let binary = w.daemon("1.0.0", "");
    let out = w.nymvisor(&[
        "init",
        "--id",
        "second",
        "--daemon-home",
        other_home.to_str().unwrap(),
        "--upgrade-data-directory",
        w.root.join("other-data").to_str().unwrap(),
        binary.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = w.nymvisor(&["config"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 instances found") && stderr.contains("NYMVISOR_ID"), "{stderr}");

    w.extra_env.push(("NYMVISOR_ID".to_owned(), "second".to_owned()));
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "-o", "json"]).stdout).unwrap();
    assert_eq!(json["nymvisor"]["id"], "second");
    assert_eq!(json["daemon"]["home"], other_home.to_str().unwrap());

    let path = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    w.extra_env.push(("NYMVISOR_CONFIG_PATH".to_owned(), path.display().to_string()));
    let json: serde_json::Value = serde_json::from_slice(&w.nymvisor(&["config", "-o", "json"]).stdout).unwrap();
    assert_eq!(json["daemon"]["home"], w.daemon_home.to_str().unwrap(), "NYMVISOR_CONFIG_PATH comes first");
    assert_eq!(json["nymvisor"]["id"], "second", "and NYMVISOR_ID still overrides the id key");
}

#[test]
fn init_says_what_it_created_and_what_to_do_next() {
    let w = World::new();
    let binary = w.daemon("1.0.0", "");
    let out = w.nymvisor(&["init", binary.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let config = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    for needle in [
        "daemon name:                       nym-node".to_owned(),
        "nymvisor instance nym-node-default is set up for nym-node 1.0.0:".to_owned(),
        format!("configuration  {}", config.display()),
        format!("upgrade data   {} (genesis/bin/nym-node, upgrade-plan.json, current -> genesis)", w.data.display()),
        format!("daemon home    {}\n", w.daemon_home.display()),
        "nymvisor run run --id my-node".to_owned(),
        "nymvisor add-upgrade /path/to/nym-node --upgrade-name <name> --upgrade-time 2026-12-08T12:00:00Z".to_owned(),
        "nymvisor status".to_owned(),
        "nymvisor check".to_owned(),
        "nymvisor plan".to_owned(),
        "docs/nymvisor.md".to_owned(),
    ] {
        assert!(text.contains(&needle), "{needle:?} missing from:\n{text}");
    }
    assert!(!text.contains("created, empty"), "the daemon's home existed: {text}");

    // JSON stays one JSON document.
    let w = World::new();
    let out = w.nymvisor(&["init", "-o", "json", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("only the configuration, as JSON");
    assert_eq!(json["daemon"]["name"], "nym-node");
}

#[test]
fn init_creates_a_missing_daemon_home_and_says_so() {
    let mut w = World::new();
    let missing = w.root.join("not-yet/nym-node-home");
    w.extra_env.push(("DAEMON_HOME".to_owned(), missing.display().to_string()));
    let out = w.nymvisor(&["init", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(missing.is_dir(), "made, as Nymvisor does");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning = stderr.lines().find(|l| l.contains("WARN")).unwrap_or_default();
    assert!(
        warning.contains("the daemon's home folder does not exist: creating it empty")
            && warning.contains("--daemon-home")
            && warning.contains(&missing.display().to_string()),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("daemon home    {} (did not exist: created, empty)", missing.display())),
        "{stdout}"
    );
    // What the warning says to do works: the key in the file it names, not init again.
    let config = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    assert!(
        warning.contains(&format!("set `home` under [daemon] in {} to that folder", config.display()))
            && !warning.contains("run init again"),
        "{warning}"
    );
    let text = std::fs::read_to_string(&config).unwrap();
    let home_line = format!("home = {:?}", missing.display().to_string());
    assert!(text.contains(&home_line), "{text}");
    let text = text.replace(&home_line, &format!("home = {:?}", w.daemon_home.display().to_string()));
    std::fs::write(&config, text).unwrap();
    std::fs::remove_dir_all(&missing).unwrap();
    // Without DAEMON_HOME (the harness sets one), which would win over the file.
    let out = std::process::Command::new(crate::harness::nymvisor_bin())
        .args(["config", "-o", "json"])
        .env("NYM_HOME_DIR", &w.nym_home)
        .env_remove("DAEMON_HOME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["daemon"]["home"], w.daemon_home.display().to_string());
    let again = w.nymvisor(&["init", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(code(Exit::Config)), "init refuses to run again, as the warning said");

    // A daemon home that is a file is refused, naming it.
    let mut w = World::new();
    let file = w.root.join("a-file");
    std::fs::write(&file, b"").unwrap();
    w.extra_env.push(("DAEMON_HOME".to_owned(), file.display().to_string()));
    let out = w.nymvisor(&["init", w.daemon("1.0.0", "").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{} is not a folder", file.display())), "{stderr}");
}

#[test]
fn init_help_describes_every_option() {
    let w = World::new();
    let out = w.nymvisor(&["init", "--help"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = help.lines().collect();
    let mut options = 0;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let is_option = trimmed.starts_with('-') || trimmed.starts_with("<DAEMON_BINARY>");
        // Options sit 2 to 6 columns in; deeper lines are descriptions and their value lists.
        let indent = line.len() - trimmed.len();
        if !is_option || !(2..=6).contains(&indent) {
            continue;
        }
        options += 1;
        // The description follows on the next line, indented further (clap's long help).
        let next = lines.get(i + 1).copied().unwrap_or_default();
        let described = next.len() - next.trim_start().len() > indent && !next.trim().is_empty();
        assert!(described, "{trimmed:?} has no help line in:\n{help}");
    }
    assert!(options >= 19, "every option of init is listed ({options}):\n{help}");
    for needle in
        ["--daemon-home <DIR>", "--upgrade-data-directory <DIR>", "--allow-download-upgrade-binaries <true|false>"]
    {
        assert!(help.contains(needle), "{needle} in:\n{help}");
    }
}

#[test]
fn a_typo_in_the_config_file_is_named_with_the_key_meant() {
    let w = World::new();
    w.init();
    let path = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("restart_on_failure =", "restart_on_failur =")).unwrap();
    let expected = format!(
        "unknown key `daemon.restart_on_failur` in {}, ignored; did you mean `daemon.restart_on_failure`?",
        path.display()
    );
    let out = w.nymvisor(&["config"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("WARN") && stderr.contains(&expected), "{stderr}");
    // And when the daemon starts, as the first thing said.
    let mut nymvisor = w.start();
    let line = nymvisor.wait_log("restart_on_failur`");
    assert!(line.contains(&expected), "{line}");
    nymvisor.wait_running(&w.status_file());
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

/// `init` as a user who may not write where the daemon's home would go: refused before anything
/// is made or said to be made, naming the folder that refused, its owner, and what to do.
#[test]
fn init_names_the_folder_that_refuses_before_making_anything() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: running nymvisor as another user needs root");
        return;
    }
    let w = World::new();
    let own = w.root.join("nobody-home");
    std::fs::create_dir(&own).unwrap();
    nix::unistd::chown(&own, Some(65534.into()), Some(65534.into())).unwrap();
    let parent = w.root.join("ro");
    std::fs::create_dir(&parent).unwrap();
    std::fs::set_permissions(&parent, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let daemon_home = parent.join("nym-node-home");
    let binary = w.daemon("1.0.0", "");
    let envs = [("NYM_HOME_DIR", own.to_str().unwrap()), ("DAEMON_HOME", daemon_home.to_str().unwrap())];
    let out = w.nymvisor_as_nobody(&["init", binary.to_str().unwrap()], &envs).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains(&format!("cannot create {}: Permission denied", daemon_home.display())), "{stderr}");
    assert!(stderr.contains(&format!("{} belongs to user root (uid 0) (mode 755)", parent.display())), "{stderr}");
    assert!(stderr.contains(&format!("`mkdir -p {} && chown ", daemon_home.display())), "{stderr}");
    assert!(!stderr.contains("creating it empty"), "nothing said to be made: {stderr}");
    assert_eq!(std::fs::read_dir(&own).unwrap().count(), 0, "nothing made");
}

/// A key appended at the end of the file lands in [daemon]: the warning (and `check`'s line)
/// names the key meant in [nymvisor] and where it goes.
#[test]
fn a_key_appended_to_the_wrong_section_is_told_where_it_goes() {
    let w = World::new();
    w.init();
    let path = w.nym_home.join(".nym/nymvisors/instances/nym-node-default/config/config.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("upstream_poling_rate = \"1m\"\n");
    std::fs::write(&path, text).unwrap();
    let fix = "did you mean `nymvisor.upstream_polling_rate` (a key of the `[nymvisor]` table: it must go below the \
               `[nymvisor]` line, before the next table)?";
    let out = w.nymvisor(&["config"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("unknown key `daemon.upstream_poling_rate` in {}, ignored; {fix}", path.display()))
    );
    let out = w.nymvisor(&["check", "-o", "json"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("unknown key"), "said once, as a check line");
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let warning = lines.iter().find(|l| l["check"] == "config" && l["outcome"] == "warn").expect("a warning");
    assert_eq!(warning["fix"], fix);
}
