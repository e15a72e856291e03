//! The configuration's rules, as v1.7 has them, and our additions.

use super::*;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned())
}

fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("cosmovisor")).unwrap();
    dir
}

#[test]
fn strict_booleans_and_every_error_at_once() {
    let dir = home();
    let h = dir.path().to_str().unwrap();
    let ok = load(None, &env(&[("DAEMON_HOME", h), ("DAEMON_NAME", "gaiad"), ("UNSAFE_SKIP_BACKUP", "TRUE")]), true);
    assert!(ok.unwrap().unsafe_skip_backup);
    let ok = load(None, &env(&[("DAEMON_HOME", h), ("DAEMON_NAME", "gaiad"), ("UNSAFE_SKIP_BACKUP", "faLSe")]), true);
    assert!(!ok.unwrap().unsafe_skip_backup);
    let bad = load(
        None,
        &env(&[
            ("DAEMON_HOME", "relative"),
            ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "truee"),
            ("UNSAFE_SKIP_BACKUP", "wrong"),
            ("DAEMON_POLL_INTERVAL", "5"),
            ("DAEMON_RESTART_DELAY", "x"),
            ("DAEMON_DATA_BACKUP_DIR", "rel"),
        ]),
        true,
    )
    .unwrap_err();
    assert_eq!(bad.0.len(), 7, "{bad}");
    let nothing = load(None, &env(&[]), true).unwrap_err();
    assert_eq!(nothing.0.len(), 2, "{nothing}");
}

#[test]
fn the_home_must_hold_cosmovisor_and_skip_backup_makes_the_backup_dir_irrelevant() {
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().to_str().unwrap();
    let e = load(None, &env(&[("DAEMON_HOME", h), ("DAEMON_NAME", "gaiad")]), true).unwrap_err();
    assert!(e.to_string().contains("cosmovisor init"), "{e}");
    let dir = home();
    let h = dir.path().to_str().unwrap();
    for backup in ["", "rel", "/does/not/exist"] {
        let vars = [
            ("DAEMON_HOME", h),
            ("DAEMON_NAME", "gaiad"),
            ("UNSAFE_SKIP_BACKUP", "true"),
            ("DAEMON_DATA_BACKUP_DIR", backup),
        ];
        assert!(load(None, &env(&vars), true).is_ok(), "{backup}");
        let vars = [("DAEMON_HOME", h), ("DAEMON_NAME", "gaiad"), ("DAEMON_DATA_BACKUP_DIR", backup)];
        assert!(load(None, &env(&vars), true).is_err(), "{backup}");
    }
}

#[test]
fn the_file_under_the_environment_with_nanoseconds_or_strings() {
    let dir = home();
    let file = dir.path().join("cosmovisor/config.toml");
    std::fs::write(
        &file,
        format!(
            "daemon_home = {:?}\ndaemon_name = \"simd\"\ndaemon_poll_interval = 1000000000\n\
             daemon_shutdown_grace = \"2s\"\nunsafe_skip_backup = true\nnot_a_key = 1\n",
            dir.path().to_str().unwrap()
        ),
    )
    .unwrap();
    let c = load(Some(&file), &env(&[("DAEMON_NAME", "gaiad")]), true).unwrap();
    assert_eq!(c.name, "gaiad", "the environment overrides the file");
    assert_eq!(c.poll_interval, Duration::from_secs(1));
    assert_eq!(c.shutdown_grace, Duration::from_secs(2));
    assert!(c.unsafe_skip_backup);
    // What init writes reads back the same.
    std::fs::write(&file, to_toml(&c)).unwrap();
    assert_eq!(load(Some(&file), &env(&[]), true).unwrap(), c);
}

#[test]
fn the_rpc_comes_from_the_nodes_config() {
    let dir = home();
    let mut c = load(None, &env(&[("DAEMON_HOME", dir.path().to_str().unwrap()), ("DAEMON_NAME", "g")]), true).unwrap();
    assert_eq!(c.rpc().unwrap().as_str(), "http://127.0.0.1:26657/");
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(dir.path().join("config/config.toml"), "[rpc]\nladdr = \"tcp://127.0.0.1:36657\"\n").unwrap();
    assert_eq!(c.rpc().unwrap().as_str(), "http://127.0.0.1:36657/");
    c.rpc_address = "http://10.0.0.1:1".into();
    assert_eq!(c.rpc().unwrap().as_str(), "http://10.0.0.1:1/");
}

#[test]
fn the_backup_variables_in_the_environment_and_the_file() {
    let dir = home();
    let h = dir.path().to_str().unwrap();
    let base = [("DAEMON_HOME", h), ("DAEMON_NAME", "gaiad")];
    let c = load(None, &env(&base), true).unwrap();
    assert_eq!((c.backup_strategy, c.backup_keep, c.rollback_restore_data), (Strategy::Snapshot, 2, false));
    assert!(c.backups_on());
    let with = |extra: &[(&'static str, &'static str)]| {
        let vars: Vec<(&str, &str)> = base.iter().copied().chain(extra.iter().copied()).collect();
        load(None, &env(&vars), true)
    };
    assert!(!with(&[("COSMOVISOR_BACKUP_STRATEGY", "none")]).unwrap().backups_on());
    assert!(!with(&[("UNSAFE_SKIP_BACKUP", "true"), ("COSMOVISOR_BACKUP_STRATEGY", "copy")]).unwrap().backups_on());
    assert_eq!(with(&[("COSMOVISOR_BACKUP_STRATEGY", "Tar.Gz")]).unwrap().backup_strategy, Strategy::TarGz);
    // Backups off: the backup folder is not checked, as with UNSAFE_SKIP_BACKUP.
    assert!(with(&[("COSMOVISOR_BACKUP_STRATEGY", "none"), ("DAEMON_DATA_BACKUP_DIR", "rel")]).is_ok());
    let e = with(&[("COSMOVISOR_BACKUP_STRATEGY", "zfs"), ("COSMOVISOR_BACKUP_KEEP", "0")]).unwrap_err();
    assert_eq!(e.0.len(), 2, "{e}");
    assert!(e.0[0].contains("UNSAFE_SKIP_BACKUP") && e.0[1].contains("snapshot, copy, tar.zst"), "{e}");
    let e = with(&[("COSMOVISOR_ROLLBACK_RESTORE_DATA", "true"), ("UNSAFE_SKIP_BACKUP", "true")]).unwrap_err();
    assert_eq!(e.0.len(), 2, "needs the rollback and the backups: {e}");
    let c = with(&[("COSMOVISOR_ROLLBACK_RESTORE_DATA", "TRUE"), ("COSMOVISOR_ROLLBACK_ON_FAILURE", "true")]).unwrap();
    assert!(c.rollback_restore_data);
    assert!(with(&[("COSMOVISOR_ROLLBACK_RESTORE_DATA", "yes")]).is_err(), "a strict boolean");

    let file = dir.path().join("cosmovisor/config.toml");
    std::fs::write(
        &file,
        "cosmovisor_backup_strategy = \"tar.zst\"\ncosmovisor_backup_keep = 4\n\
         cosmovisor_rollback_on_failure = true\ncosmovisor_rollback_restore_data = true\n",
    )
    .unwrap();
    let c = load(Some(&file), &env(&base), true).unwrap();
    assert_eq!((c.backup_strategy, c.backup_keep, c.rollback_restore_data), (Strategy::TarZst, 4, true));
    let written = to_toml(&c);
    assert!(written.contains("cosmovisor_backup_keep = 4\n"), "a number, as the file has it: {written}");
    std::fs::write(&file, written).unwrap();
    assert_eq!(load(Some(&file), &env(&[]), true).unwrap(), c);
}
