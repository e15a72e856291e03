//! What the visor says while an upgrade waits, as an operator reads it: one consistent story
//! when the release is staged and prepared by hand at once, nothing stale in `status` after the
//! upgrade, and the downtime that names the wait for the release apart from the switch.

use nix::sys::signal::Signal;
use testnode::release_server::{Release, Server};

use crate::harness::{Env, auto_install_config, wait_until};
use crate::harness::{Exit, code};

fn field(line: &str, name: &str) -> u64 {
    let start = line.find(&format!(" {name}=")).unwrap_or_else(|| panic!("{name} in {line}")) + name.len() + 2;
    line[start..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn a_release_staged_and_prepared_by_hand_is_one_story_and_leaves_nothing_stale() {
    // autoInstall is on (as `init` sets it) but the release is not published: staging fails,
    // and the operator prepares the folder by hand.
    let server = Server::start(vec![Release { tag: "v0.1.0".into(), assets: Vec::new() }]);
    let env = Env::with_upgrade(10, &auto_install_config(&server));
    let mut visor = env.start_visor();
    let staging = visor.wait_log("its release folder is missing and the visor stages it");
    assert!(staging.contains("a complete folder put there by hand is used instead"), "{staging}");
    let error = visor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(error.contains("release v0.2.0 not found"), "{error}");
    assert!(error.contains("or put the release folder in place"), "{error}");
    env.wait_status("waiting for the release", |s| s["state"] == "waiting-for-release");
    let status = env.status_json();
    assert_eq!(status["staging"]["phase"], "failed", "{status}");

    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let logs = visor.logs().join("\n");
    assert!(
        !logs.contains("upgrade announced, but its release folder is missing"),
        "no second, different instruction:\n{logs}"
    );

    // The failed staging of the release now running is over: status does not show it.
    let status = env.wait_status("the upgrade done", |s| s["release"] == "v0.2.0");
    assert!(status["staging"].is_null(), "{status}");

    // The downtime says what it was made of: the wait for the folder, not the switch.
    let done = visor.wait_log("upgrade done");
    let (waited, switch, spawn) = (field(&done, "waited_us"), field(&done, "switch_us"), field(&done, "spawn_us"));
    assert!(waited > switch + spawn, "{done}");
    assert!(field(&done, "downtime_us") >= waited + switch + spawn, "{done}");
    let said = visor.wait_log("of the downtime, the wait for the release");
    assert!(said.contains("the switch and the new node's spawn took"), "{said}");
    assert!(!done.contains("Some("), "no debug formatting: {done}");
    let switched = visor.wait_log("switched `current`");
    assert!(switched.contains("from=genesis") || switched.contains("from=\"genesis\""), "{switched}");
    assert!(!switched.contains("Some("), "{switched}");

    wait_until("the new core runs", || env.starts_of("core").len() == 2);
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    // Values with spaces are quoted, so a text line still parses as key=value.
    let stopped = visor.wait_log("visor stopped");
    assert!(stopped.contains("reason=\"clean shutdown\""), "{stopped}");
}

/// A mistyped home is an error, not "not running, no release".
#[test]
fn status_of_a_home_that_does_not_exist_says_so() {
    let env = Env::empty();
    let out = env.visor(&["status", "--home", env.home.join("typo").to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("is not a folder (does not exist, or cannot be read): check the home's path"), "{stderr}");
}

/// A home the visor's user cannot write: the error names the folder, its owner, the user the
/// visor runs as, and the two ways out. Run as `nobody` (needs root to switch users).
#[test]
fn an_unwritable_home_is_explained_with_its_owner_and_the_fix() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: switching to another user needs root");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(&[]), None);
    // Others may read and enter, not write (the temp folder itself is private).
    let root = env.home.parent().unwrap();
    for dir in [root, env.home.as_path(), &env.home.join("genesis")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = std::process::Command::new(crate::harness::visor_bin())
        .args(["run", "--home"])
        .arg(&env.home)
        .env("NO_COLOR", "1")
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "a setup to fix, not restarted in a loop: {stderr}");
    let line = stderr.lines().find(|l| l.contains("cannot create the visor's state folder")).expect(&stderr);
    assert!(line.contains(&format!("{} belongs to user root (uid 0)", env.home.display())), "{line}");
    assert!(line.contains("this runs as user") && line.contains("uid 65534"), "{line}");
    assert!(line.contains("chown -R ") && line.contains(&env.home.display().to_string()), "{line}");
    assert!(!env.home.join(".visor").exists());
}

/// A home whose files are root's (0600 files in 0755 folders, the state folder 0700), looked at
/// by another user: `status`, `check` and `init` say whose each refusing folder or file is, the
/// user they run as and what to do; never that a file is missing, never to move state aside.
#[test]
fn another_users_home_is_explained_not_called_missing_or_broken() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(&[]), None);
    let state = env.home.join(".visor");
    std::fs::create_dir(&state).unwrap();
    std::fs::write(state.join("history.json"), "{\"version\":1,\"switches\":[]}").unwrap();
    let mode =
        |path: &std::path::Path, mode: u32| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    mode(&state, 0o700).unwrap();
    for file in [env.home.join("config.toml"), env.home.join("genesis/run-config.toml")] {
        mode(&file, 0o600).unwrap();
    }
    for dir in [&env.home, &env.home.join("genesis")] {
        mode(dir, 0o755).unwrap();
    }
    let home = env.home.to_str().unwrap();
    let Some(out) = env.visor_as_nobody(&["status", "--home", home]) else { return };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "the setup's to fix: {stderr}");
    let line = stderr.lines().find(|l| l.contains("cannot read the switch history")).expect(&stderr);
    assert!(line.contains(&format!("{} belongs to user root (uid 0) (mode 700)", state.display())), "{line}");
    assert!(
        line.contains("this runs as user") && line.contains("uid 65534") && line.contains("run it as root"),
        "{line}"
    );
    assert!(!stderr.contains("aside"), "a refused read says nothing about the history: {stderr}");

    let out = env.visor_as_nobody(&["check", "--home", home, "--output", "json"]).unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let line = |check: &str| lines.iter().find(|l| l["check"] == check).cloned().expect(check);
    let config = line("config");
    assert_eq!(config["outcome"], "fail");
    let detail = config["detail"].as_str().unwrap();
    assert!(detail.starts_with("cannot read ") && detail.contains("config.toml: Permission denied"), "{config}");
    let fix = config["fix"].as_str().unwrap();
    assert!(
        fix.contains("config.toml (mode 600) and its folder") && fix.contains("belong to user root (uid 0)"),
        "{fix}"
    );
    assert!(fix.contains("uid 65534") && !fix.contains("as said"), "{fix}");
    let lock = line("lock");
    assert!(lock["fix"].as_str().unwrap().contains(&format!("{} belongs to user root", state.display())), "{lock}");
    let release = line("release genesis");
    assert!(release["detail"].as_str().unwrap().contains("run-config.toml: Permission denied"), "{release}");
    assert!(!release["detail"].as_str().unwrap().contains("missing"), "there, not missing: {release}");
    assert!(release["fix"].as_str().unwrap().contains("belong to user root (uid 0)"), "{release}");

    // A home in a folder this user may not write: named, with what to do, and nothing made.
    let parent = env.home.parent().unwrap().join("ro");
    std::fs::create_dir(&parent).unwrap();
    mode(&parent, 0o755).unwrap();
    let new_home = parent.join("home");
    let out = env.visor_as_nobody(&["init", "--home", new_home.to_str().unwrap()]).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains(&format!("cannot create {}: Permission denied", new_home.display())), "{stderr}");
    assert!(stderr.contains(&format!("{} belongs to user root (uid 0) (mode 755)", parent.display())), "{stderr}");
    assert!(stderr.contains(&format!("`mkdir -p {} && chown ", new_home.display())), "{stderr}");
    assert!(!stderr.contains("chown -R"), "a folder above the home is never to be given away: {stderr}");
    assert!(!new_home.exists());
}

/// `visor run` on a home its user may not enter says so, not that the home does not exist.
#[test]
fn run_on_a_home_the_user_may_not_enter_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::empty();
    env.write_config("");
    // The home sits in a folder only root may enter.
    let inner = env.home.join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::set_permissions(&env.home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let Some(out) = env.visor_as_nobody(&["run", "--home", inner.to_str().unwrap()]) else { return };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stderr}");
    assert!(stderr.contains("cannot look into the home folder"), "{stderr}");
    assert!(stderr.contains("belongs to user root (uid 0)") && stderr.contains("uid 65534"), "{stderr}");
    assert!(!stderr.contains("does not exist"), "{stderr}");
}
