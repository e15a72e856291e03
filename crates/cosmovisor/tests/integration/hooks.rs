//! The hooks before the switch: the operator's script and the app's `pre-upgrade`.

use crate::harness::{Exit, World, code, read_jsonl};

#[test]
fn the_custom_script_runs_in_the_home_with_the_name_and_height() {
    let mut w = World::new();
    w.set("COSMOVISOR_CUSTOM_PREUPGRADE", "preupgrade.sh");
    w.set("DAEMON_RESTART_AFTER_UPGRADE", "false");
    w.init("--plan-name v2 --plan-height 5");
    w.add_upgrade("v2", "v2", &[]);
    let script = w.home.join("cosmovisor/preupgrade.sh");
    std::fs::write(&script, "#!/bin/sh\necho OK > \"upgrade_name_$1_height_$2\"\necho \"PWD=$PWD\"\n").unwrap();
    let mut visor = w.start();
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert!(w.home.join("upgrade_name_v2_height_5").is_file(), "{:?}", visor.logs());
    assert_eq!(w.current().as_deref(), Some("upgrades/v2"));
}

#[test]
fn a_missing_or_failing_script_stops_the_upgrade_with_current_unchanged() {
    let mut w = World::new();
    w.set("COSMOVISOR_CUSTOM_PREUPGRADE", "missing.sh");
    w.init("--plan-name v2 --plan-height 5");
    w.add_upgrade("v2", "v2", &[]);
    let mut visor = w.start();
    assert_eq!(visor.wait_exit(), code(Exit::UpgradeFailed));
    assert!(visor.logs().iter().any(|l| l.contains("missing.sh")), "{:?}", visor.logs());
    assert_eq!(w.current().as_deref(), Some("genesis"));
}

#[test]
fn app_pre_upgrade_exit_codes() {
    // (codes the new binary's pre-upgrade exits with, retries allowed, switched?)
    for (codes, retries, switched) in
        [("0", "0", true), ("1", "0", true), ("30", "0", false), ("31,31,0", "2", true), ("31,0", "0", false)]
    {
        let mut w = World::new();
        w.set("DAEMON_PREUPGRADE_MAX_RETRIES", retries);
        w.set("DAEMON_RESTART_AFTER_UPGRADE", "false");
        w.init("--plan-name v2 --plan-height 5");
        let app = w.app("v2", &format!("--pre-upgrade-codes {codes}"));
        assert!(w.cosmovisor(&["add-upgrade", "v2", app.to_str().unwrap()]).status.success());
        let mut visor = w.start();
        let exit = visor.wait_exit();
        let calls = read_jsonl(&w.records.join("pre-upgrade.jsonl")).len();
        if switched {
            assert_eq!(exit, code(Exit::Clean), "codes {codes}: {:?}", visor.logs());
            assert_eq!(w.current().as_deref(), Some("upgrades/v2"), "codes {codes}");
        } else {
            assert_eq!(exit, code(Exit::UpgradeFailed), "codes {codes}: {:?}", visor.logs());
            assert_eq!(w.current().as_deref(), Some("genesis"), "codes {codes}: refused before the switch");
        }
        let expected = match codes {
            "31,31,0" => 3,
            "31,0" => 1,
            _ => 1,
        };
        assert_eq!(calls, expected, "codes {codes}");
    }
}

#[test]
fn a_pre_upgrade_status_the_convention_does_not_name_continues_the_upgrade_with_a_warning() {
    let mut w = World::new();
    w.set("DAEMON_RESTART_AFTER_UPGRADE", "false");
    w.init("--plan-name v2 --plan-height 5");
    let app = w.app("v2", "--pre-upgrade-codes 2");
    assert!(w.cosmovisor(&["add-upgrade", "v2", app.to_str().unwrap()]).status.success());
    let mut visor = w.start();
    assert_eq!(visor.wait_exit(), code(Exit::Clean), "{:?}", visor.logs());
    assert_eq!(w.current().as_deref(), Some("upgrades/v2"), "switched, as Cosmovisor does");
    assert_eq!(read_jsonl(&w.records.join("pre-upgrade.jsonl")).len(), 1, "not tried again");
    let warning = visor.wait_log("pre-upgrade ended with a status the convention does not name");
    assert!(warning.contains("WARN") && warning.contains("exit status: 2"), "{warning}");
}
