//! Backups of named data folders before a switch, listed, verified and restored with `visor
//! backup`, and a release that fails its probation rolled back with its data restored.

use nix::sys::signal::Signal;

use crate::harness::{Env, Exit, code, wait_until};

fn backup_list(env: &Env) -> Vec<serde_json::Value> {
    let out = env.visor(&["backup", "list", "--home", env.home.to_str().unwrap(), "--output", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

/// A home whose core upgrades at height 8, backing up `state/` with `strategy`.
fn with_backup(strategy: &str, extra: &str) -> (Env, std::path::PathBuf) {
    let env = Env::empty();
    let state = env.home.parent().unwrap().join("state");
    std::fs::create_dir_all(state.join("db")).unwrap();
    std::fs::write(state.join("db/blocks"), b"the core's state at the upgrade").unwrap();
    env.write_config(&format!(
        "{extra}\n[backup]\nfolders = [{:?}]\nstrategy = {strategy:?}\n",
        state.display().to_string()
    ));
    let args = env.core_args(&["--upgrade-at", "8", "--release-tag", "v0.2.0"]);
    env.release("genesis", "v0.1.0", &args, None);
    (env, state)
}

#[test]
fn the_named_folders_are_backed_up_before_the_switch_and_restored_by_the_operator() {
    let (env, state) = with_backup("copy", "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    let status = visor.wait_upgraded(&env.status_file(), "v0.2.0");
    let backup = &status["lastSwitch"]["backup"];
    assert_eq!(backup["strategy"], "copy", "{status}");
    assert_eq!(backup["bytes"], 31, "the data's size: {backup}");
    assert!(backup["tookMs"].is_u64() && backup["bytesPerSecond"].is_u64(), "{backup}");
    wait_until("the backup is sealed", || backup_list(&env).first().is_some_and(|b| b["verified"] == "sealed"));
    let listed = backup_list(&env);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["upgrade"], "v0.2.0");
    assert_eq!(listed[0]["release"], "genesis", "the release whose data it holds");
    let home = env.home.to_str().unwrap();
    let verify = env.visor(&["backup", "verify", "latest", "--home", home]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    // The new release changes the data; the operator wants the old back.
    std::fs::write(state.join("db/blocks"), b"migrated").unwrap();
    let refused = env.visor(&["backup", "restore", "latest", "--home", home]);
    assert_eq!(refused.status.code(), Some(code(Exit::Locked)), "not while the visor runs");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("stop it first"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let restored = env.visor(&["backup", "restore", "latest", "--home", home]);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    assert_eq!(std::fs::read(state.join("db/blocks")).unwrap(), b"the core's state at the upgrade");
    let kept: Vec<_> = std::fs::read_dir(state.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("state.pre-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "the replaced data is kept");
    assert_eq!(std::fs::read(kept[0].path().join("db/blocks")).unwrap(), b"migrated");
}

#[test]
fn a_damaged_backup_is_refused_by_verify_and_restore() {
    let (env, state) = with_backup("copy", "");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_upgraded(&env.status_file(), "v0.2.0");
    wait_until("the backup is sealed", || backup_list(&env).first().is_some_and(|b| b["verified"] == "sealed"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let path = backup_list(&env)[0]["path"].as_str().unwrap().to_owned();
    std::fs::write(std::path::Path::new(&path).join("db/blocks"), b"the core's state at the upgradE").unwrap();
    let home = env.home.to_str().unwrap();
    let verify = env.visor(&["backup", "verify", "latest", "--home", home]);
    assert_eq!(verify.status.code(), Some(code(Exit::UpgradeFailed)));
    assert!(
        String::from_utf8_lossy(&verify.stderr).contains("db/blocks"),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    std::fs::write(state.join("db/blocks"), b"current").unwrap();
    let restore = env.visor(&["backup", "restore", "latest", "--home", home]);
    assert!(!restore.status.success());
    assert!(
        String::from_utf8_lossy(&restore.stderr).contains("damaged"),
        "{}",
        String::from_utf8_lossy(&restore.stderr)
    );
    assert_eq!(std::fs::read(state.join("db/blocks")).unwrap(), b"current", "nothing restored");
}

/// A v0.2.0 that changes the data as it starts, then crashes.
fn failing_release(env: &Env, state: &std::path::Path) {
    let mark = state.join("migrated").display().to_string();
    env.release("v0.2.0", "v0.2.0", &env.core_args(&["--mark", &mark, "--crash-at-start"]), None);
}

#[test]
fn a_release_failing_its_probation_is_rolled_back_with_its_data_restored() {
    let (env, state) = with_backup("tar.zst", "maxNumberOfRestarts = 1\n[rollback]\nprobationSeconds = 60\n");
    // restoreOnRollback goes in the [backup] table with the rest.
    let config = std::fs::read_to_string(env.home.join("config.toml")).unwrap();
    std::fs::write(env.home.join("config.toml"), format!("{config}restoreOnRollback = true\n")).unwrap();
    failing_release(&env, &state);
    let mut visor = env.start_visor();
    let status = env.wait_status("rolled back", |s| s["lastSwitch"]["rollback"] == true && s["state"] == "running");
    assert_eq!(status["lastSwitch"]["to"], "genesis");
    assert_eq!(env.current().as_deref(), Some("genesis"));
    assert!(!state.join("migrated").exists(), "the data the failed release changed is restored");
    assert_eq!(std::fs::read(state.join("db/blocks")).unwrap(), b"the core's state at the upgrade");
    // The genesis core waits at the height again; the refused release is not tried again.
    wait_until("genesis runs again", || env.starts_of("core").last().is_some_and(|s| s["version"] == "v0.1.0"));
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let versions: Vec<_> = env.starts_of("core").iter().map(|s| s["version"].as_str().unwrap().to_owned()).collect();
    assert_eq!(versions.iter().filter(|v| *v == "v0.2.0").count(), 2, "the first start and one restart: {versions:?}");
}

#[test]
fn without_restore_on_rollback_the_data_is_left_as_the_failed_release_left_it() {
    let (env, state) = with_backup("copy", "maxNumberOfRestarts = 1\n[rollback]\nprobationSeconds = 60\n");
    failing_release(&env, &state);
    let mut visor = env.start_visor();
    env.wait_status("rolled back", |s| s["lastSwitch"]["rollback"] == true && s["state"] == "running");
    assert_eq!(std::fs::read_to_string(state.join("migrated")).unwrap(), "v0.2.0\nv0.2.0\n");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_restore_killed_at_any_step_converges_at_the_next_start() {
    for (step, restored) in [("restore-journal-written", false), ("restore-swapped", true)] {
        let (env, state) = with_backup("copy", "");
        env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
        let mut visor = env.start_visor();
        visor.wait_upgraded(&env.status_file(), "v0.2.0");
        wait_until("the backup is sealed", || backup_list(&env).first().is_some_and(|b| b["verified"] == "sealed"));
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
        std::fs::write(state.join("db/blocks"), b"migrated").unwrap();
        let mut command = std::process::Command::new(crate::harness::visor_bin());
        command
            .args(["backup", "restore", "latest", "--home", env.home.to_str().unwrap()])
            .env("VISOR_TEST_FAULT", step);
        let out = command.output().unwrap();
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(9), "{step}: killed at the step");
        // The next start finishes or undoes it before the node runs.
        let mut visor = env.start_visor();
        visor.wait_running(&env.status_file());
        let want: &[u8] = if restored { b"the core's state at the upgrade" } else { b"migrated" };
        assert_eq!(std::fs::read(state.join("db/blocks")).unwrap(), want, "{step}");
        let leftovers: Vec<_> = std::fs::read_dir(state.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".restore-"))
            .collect();
        assert!(leftovers.is_empty(), "{step}: no rebuilt tree left: {leftovers:?}");
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), code(Exit::Clean));
    }
}

#[test]
fn the_visor_killed_during_a_backup_leaves_no_partial_and_upgrades_at_the_next_start() {
    let (env, state) = with_backup("copy", "");
    // Enough data that the backup is under way when the test kills the visor.
    let big = vec![5u8; 64 << 20];
    for i in 0..4 {
        std::fs::write(state.join(format!("db/big{i}")), &big).unwrap();
    }
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_own_status(&env.status_file(), "backing up", |s| s["state"] == "backing-up");
    visor.signal(Signal::SIGKILL);
    assert!(visor.wait_status().code().is_none());
    let mut visor = env.start_visor();
    let status = visor.wait_upgraded(&env.status_file(), "v0.2.0");
    assert!(status["lastSwitch"]["backup"].is_object(), "backed up at the next start: {status}");
    let names: Vec<String> = std::fs::read_dir(env.home.join("backups/v0.2.0"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "no partial backup survives a start: {names:?}");
    // A manifest being sealed is a hidden temporary.
    assert_eq!(names.iter().filter(|n| !n.ends_with(".manifest") && !n.starts_with('.')).count(), 1, "{names:?}");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
