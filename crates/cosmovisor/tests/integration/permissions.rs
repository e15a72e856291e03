//! Folders cosmovisor's user cannot read are said as such — the folder that refused, its owner,
//! the user cosmovisor runs as, and the fix — never as missing. Run as `nobody` (switching
//! users needs root; skipped otherwise).

use crate::harness::{Exit, World, as_nobody, code, set_modes};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_home_only_its_owner_can_enter_is_refused_not_missing_in_every_command() {
    let w = World::new();
    w.init("");
    let app = w.app("v2", "");
    set_modes(&[(&w.root, 0o755), (&w.home, 0o700)]);
    let home = w.home.display().to_string();
    for args in [
        &["config"][..],
        &["plan"],
        &["status"],
        &["show-upgrade-info"],
        &["add-upgrade", "v2", app.to_str().unwrap(), "--upgrade-height", "150"],
        &["run", "start"],
    ] {
        let mut command = w.command();
        command.args(args);
        let Some(out) = as_nobody(command) else { return };
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code(Exit::Config)), "{args:?}: {err}");
        assert!(!err.contains("has no cosmovisor/ folder"), "{args:?}: the folder is there: {err}");
        assert!(
            err.contains(&format!(
                "DAEMON_HOME: {home}/cosmovisor cannot be read: {home} belongs to user root (uid 0) (mode 700)"
            )),
            "{args:?}: {err}"
        );
        assert!(err.contains("this runs as user") && err.contains("uid 65534"), "{args:?}: {err}");
        assert!(err.contains("chown -R ") && err.contains(&home), "{args:?}: {err}");
    }

    // `check`: one failing line, on one line.
    let mut command = w.command();
    command.args(["check", "--output", "json"]);
    let Some(out) = as_nobody(command) else { return };
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let config = lines.iter().find(|l| l["check"] == "config").unwrap();
    assert_eq!(config["outcome"], "fail", "{config}");
    let detail = config["detail"].as_str().unwrap();
    assert!(detail.contains("cannot be read") && detail.contains("belongs to user root"), "{detail}");
    assert!(!detail.contains('\n'), "one line: {detail:?}");
}

#[test]
fn check_says_a_release_folder_it_cannot_read_cannot_be_read_not_that_it_is_gone() {
    let w = World::new();
    w.init("");
    assert!(w.add_upgrade("v4", "v4", &[]).status.success());
    let current = w.home.join("cosmovisor/current");
    std::fs::remove_file(&current).unwrap();
    std::os::unix::fs::symlink("upgrades/v4", &current).unwrap();
    let root = w.home.join("cosmovisor");
    set_modes(&[
        (&w.root, 0o755),
        (&w.home, 0o755),
        (&w.home.join("data"), 0o755),
        (&root, 0o755),
        (&root.join("upgrades"), 0o750),
    ]);
    let mut command = w.command();
    command.args(["check", "--output", "json"]);
    let Some(out) = as_nobody(command) else { return };
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let line = lines.iter().find(|l| l["check"] == "current").unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(line["outcome"], "fail", "{line}");
    let (detail, fix) = (line["detail"].as_str().unwrap(), line["fix"].as_str().unwrap());
    assert_eq!(detail, "current -> upgrades/v4, which cannot be read (it may exist)");
    let upgrades = root.join("upgrades");
    assert!(fix.starts_with(&format!("{} belongs to user root (uid 0) (mode 750)", upgrades.display())), "{fix}");
    assert!(fix.contains("uid 65534") && fix.contains("chown -R"), "{fix}");

    // The text form says the same, and never "does not exist" or "put it back".
    let mut command = w.command();
    command.arg("check");
    let Some(out) = as_nobody(command) else { return };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL  current") && text.contains("which cannot be read"), "{text}");
    assert!(!text.contains("does not exist") && !text.contains("put "), "{text}");
}
