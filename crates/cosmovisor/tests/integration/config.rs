//! The environment and the configuration file, as v1.7 reads them.

use crate::harness::{Exit, World, code};

#[test]
fn every_configuration_error_is_reported_at_once() {
    let mut w = World::new();
    w.init("");
    w.set("DAEMON_NAME", "");
    w.set("UNSAFE_SKIP_BACKUP", "truee");
    w.set("DAEMON_POLL_INTERVAL", "300");
    let out = w.cosmovisor(&["run", "start"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in ["DAEMON_NAME", "UNSAFE_SKIP_BACKUP", "DAEMON_POLL_INTERVAL"] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let mut w = World::new();
    w.set("DAEMON_NAME", "simd");
    let out = w.cosmovisor(&["run", "start"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cosmovisor init"), "a home without cosmovisor/");
}

#[test]
fn the_config_file_is_read_with_the_flag_and_the_environment_wins() {
    let mut w = World::new();
    w.init("");
    let file = w.home.join("cosmovisor/config.toml");
    assert!(file.is_file(), "init writes the configuration");
    let text = std::fs::read_to_string(&file).unwrap().replace("daemon_name = \"simd\"", "daemon_name = \"fromfile\"");
    std::fs::write(&file, text).unwrap();
    w.env.retain(|(k, _)| k != "DAEMON_NAME");
    let out = w.cosmovisor(&["config", "--cosmovisor-config", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("DAEMON_NAME: fromfile"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    w.set("DAEMON_NAME", "simd");
    let out = w.cosmovisor(&["-c", file.to_str().unwrap(), "config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DAEMON_NAME: simd") && text.contains("Derived Values:"), "{text}");
}

#[test]
fn the_config_flag_with_an_equals_sign_before_the_command_is_taken_out() {
    let mut w = World::new();
    w.init("");
    let file = w.home.join("cosmovisor/config.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("daemon_name = \"simd\"", "daemon_name = \"fromfile\"");
    std::fs::write(&file, text).unwrap();
    w.env.retain(|(k, _)| k != "DAEMON_NAME");
    for flag in [format!("--cosmovisor-config={}", file.display()), format!("-c={}", file.display())] {
        let out = w.cosmovisor(&[&flag, "config"]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("DAEMON_NAME: fromfile"), "{flag}: {text}");
    }
    // `run` too: the file names the binary, the app gets only its own arguments.
    std::fs::rename(w.home.join("cosmovisor/genesis/bin/simd"), w.home.join("cosmovisor/genesis/bin/fromfile"))
        .unwrap();
    let out = w.cosmovisor(&[&format!("--cosmovisor-config={}", file.display()), "run", "start", "--crash-at-start"]);
    assert_eq!(out.status.code(), Some(1), "the app's own status: {}", String::from_utf8_lossy(&out.stderr));
    let args = w.starts()[0]["args"].clone();
    assert_eq!(args[1], "start", "{args}");
    assert!(!args.to_string().contains("cosmovisor-config"), "{args}");
}

#[test]
fn the_backup_variables_are_checked_and_shown() {
    let mut w = World::new();
    w.init("");
    let out = w.cosmovisor(&["config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in
        ["COSMOVISOR_BACKUP_STRATEGY: snapshot", "COSMOVISOR_BACKUP_KEEP: 2", "COSMOVISOR_ROLLBACK_RESTORE_DATA: false"]
    {
        assert!(text.contains(line), "{line}: {text}");
    }
    w.set("COSMOVISOR_BACKUP_STRATEGY", "zip");
    w.set("COSMOVISOR_BACKUP_KEEP", "0");
    w.set("COSMOVISOR_ROLLBACK_RESTORE_DATA", "yes");
    let out = w.cosmovisor(&["run", "start"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "COSMOVISOR_BACKUP_STRATEGY",
        "tar.zst",
        "COSMOVISOR_BACKUP_KEEP",
        "UNSAFE_SKIP_BACKUP",
        "ROLLBACK_RESTORE_DATA",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    // Restoring data on a rollback needs the rollback and the backup.
    w.set("COSMOVISOR_BACKUP_STRATEGY", "TAR.ZST");
    w.set("COSMOVISOR_BACKUP_KEEP", "3");
    w.set("COSMOVISOR_ROLLBACK_RESTORE_DATA", "true");
    let out = w.cosmovisor(&["config"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(err.contains("COSMOVISOR_ROLLBACK_ON_FAILURE=true") && err.contains("backups are off"), "{err}");
    w.set("COSMOVISOR_ROLLBACK_ON_FAILURE", "true");
    w.set("UNSAFE_SKIP_BACKUP", "false");
    let out = w.cosmovisor(&["config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("COSMOVISOR_BACKUP_STRATEGY: tar.zst") && text.contains("COSMOVISOR_BACKUP_KEEP: 3"),
        "{text}"
    );
}

#[test]
fn a_typo_in_the_config_file_is_named_with_the_key_meant() {
    let mut w = World::new();
    w.init("");
    let file = w.home.join("cosmovisor/config.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace("daemon_poll_interval =", "daemon_pol_interval =");
    std::fs::write(&file, format!("{text}DAEMON_RESTART_DELAI = \"1s\"\nzzz = 1\n")).unwrap();
    w.env.retain(|(k, _)| k != "DAEMON_POLL_INTERVAL");
    let out = w.cosmovisor(&["-c", file.to_str().unwrap(), "config"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let shown = file.display();
    for line in [
        format!("warning: unknown key `daemon_pol_interval` in {shown}, ignored; did you mean `daemon_poll_interval`?"),
        format!(
            "warning: unknown key `DAEMON_RESTART_DELAI` in {shown}, ignored; did you mean `DAEMON_RESTART_DELAY`?"
        ),
        format!("warning: unknown key `zzz` in {shown}, ignored; check its spelling"),
    ] {
        assert!(stderr.contains(&line), "{line:?} missing from:\n{stderr}");
    }
}
