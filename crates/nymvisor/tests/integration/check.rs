//! `nymvisor check`: the instance validated without running the daemon, one line per check
//! with its fix, exit 0 unless something failed.

use crate::harness::{Exit, World, code, in_seconds};

fn check_with(w: &World, envs: &[(&str, &str)]) -> (i32, Vec<serde_json::Value>) {
    let out = w.nymvisor_with(&["check", "--output", "json"], envs, std::process::Stdio::piped());
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("check -o json: {e}: {} {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap(), lines)
}

fn check(w: &World) -> (i32, Vec<serde_json::Value>) {
    check_with(w, &[])
}

fn line<'a>(lines: &'a [serde_json::Value], check: &str) -> &'a serde_json::Value {
    lines.iter().find(|l| l["check"] == check).unwrap_or_else(|| panic!("no {check} line in {lines:#?}"))
}

fn detail(line: &serde_json::Value) -> &str {
    line["detail"].as_str().unwrap()
}

/// An instance with one upgrade queued by hand and an upstream announcing another.
fn instance() -> World {
    let w = World::new();
    w.init();
    let out = w.nymvisor(&[
        "add-upgrade",
        w.daemon("1.1.0", "").to_str().unwrap(),
        "--upgrade-name",
        "patch",
        "--upgrade-delay",
        "1h",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    w.announce("next", "1.5.0", in_seconds(7200), &w.daemon("1.5.0", ""), |_| {});
    w
}

#[test]
fn a_good_instance_checks_all_ok_in_text_and_json() {
    let w = instance();
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert!(lines.iter().all(|l| l["outcome"] == "ok" && l["fix"].is_null()), "{lines:#?}");
    assert!(detail(line(&lines, "release genesis")).contains("reports version 1.0.0"));
    assert!(detail(line(&lines, "upgrade patch")).contains("reports version 1.1.0"));
    assert!(detail(line(&lines, "upstream")).contains("announces next (version 1.5.0)"));
    assert_eq!(detail(line(&lines, "lock")), "no visor runs on this home");
    let out = w.nymvisor(&["check"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok    upgrade-plan.json") && text.ends_with("0 warnings, 0 failed\n"), "{text}");
}

#[test]
fn a_missing_or_wrong_binary_fails_with_how_to_provide_it() {
    let w = instance();
    let binary = w.data.join("upgrades/patch/bin/nym-node");
    std::fs::remove_file(&binary).unwrap();
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let patch = line(&lines, "upgrade patch");
    assert_eq!(patch["outcome"], "fail");
    assert!(detail(patch).contains("cannot be downloaded"), "{patch}");
    assert!(
        patch["fix"].as_str().unwrap().contains("add-upgrade <binary> --upgrade-name patch --add-binary"),
        "{patch}"
    );

    // Another version in its place: both versions named.
    std::fs::copy(w.daemon("1.3.0", ""), &binary).unwrap();
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let patch = line(&lines, "upgrade patch");
    assert!(detail(patch).contains("reports version 1.3.0, but the release is 1.1.0"), "{patch}");
    assert!(patch["fix"].as_str().unwrap().contains(&binary.display().to_string()), "{patch}");
    let out = w.nymvisor(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL  upgrade patch") && text.contains("fix: put the nym-node binary of version 1.1.0"),
        "{text}"
    );
}

#[test]
fn an_unreachable_upstream_is_a_warning_naming_the_variable() {
    let w = instance();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{closed}/upgrade-info.json");
    let (exit, lines) = check_with(&w, &[("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL", &url)]);
    assert_eq!(exit, code(Exit::Clean), "a warning only: {lines:#?}");
    let upstream = line(&lines, "upstream");
    assert_eq!(upstream["outcome"], "warn");
    assert!(detail(upstream).contains(&url), "{upstream}");
    assert!(upstream["fix"].as_str().unwrap().contains("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL"), "{upstream}");
}

#[test]
fn a_broken_plan_or_environment_fails() {
    let w = instance();
    let (exit, lines) = check_with(&w, &[("DAEMON_SHUTDOWN_GRACE_PERIOD", "soon")]);
    assert_eq!(exit, code(Exit::Config));
    let environment = &lines[0];
    assert_eq!(environment["outcome"], "fail");
    assert!(environment.to_string().contains("DAEMON_SHUTDOWN_GRACE_PERIOD"), "{lines:#?}");

    std::fs::write(w.data.join("upgrade-plan.json"), "{\"current\": 3}").unwrap();
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let plan = line(&lines, "upgrade-plan.json");
    assert!(detail(plan).contains("upgrade-plan.json") && detail(plan).contains("current"), "{plan}");
}

/// The command of a fix (between backticks), run with `binary` for `<binary>`.
fn run_fix(w: &World, fix: &str, binary: &std::path::Path) -> std::process::Output {
    let command = fix.split('`').nth(1).unwrap_or_else(|| panic!("a command in {fix}"));
    let args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(|a| if a == "<binary>" { binary.display().to_string() } else { a.to_owned() })
        .collect();
    assert!(command.starts_with("nymvisor "), "{command}");
    w.nymvisor(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A missing binary's fix is a command that works: `--add-binary` while the upgrade's folder
/// holds its upgrade-info.json, else the upgrade queued again at the same time.
#[test]
fn the_fix_for_a_missing_binary_is_a_command_that_works() {
    let w = instance();
    let binary = w.daemon("1.1.0", "");
    let plan_time = || w.plan()["queuedUp"][0]["upgradeTime"].as_str().unwrap().to_owned();
    let due = plan_time();

    // Only the binary gone: attached again with --add-binary.
    std::fs::remove_file(w.data.join("upgrades/patch/bin/nym-node")).unwrap();
    let (_, lines) = check(&w);
    let fix = line(&lines, "upgrade patch")["fix"].as_str().unwrap().to_owned();
    assert!(fix.contains("--add-binary") && fix.contains("version 1.1.0"), "{fix}");
    let out = run_fix(&w, &fix, &binary);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{fix}: {}", String::from_utf8_lossy(&out.stderr));
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert!(detail(line(&lines, "upgrade patch")).contains("reports version 1.1.0"));

    // The whole folder gone (no upgrade-info.json: --add-binary would refuse): queued again,
    // due at the same second.
    std::fs::remove_dir_all(w.data.join("upgrades/patch")).unwrap();
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Config));
    let fix = line(&lines, "upgrade patch")["fix"].as_str().unwrap().to_owned();
    assert!(!fix.contains("--add-binary") && fix.contains("--force") && fix.contains("--upgrade-time "), "{fix}");
    let plan = w.nymvisor(&["plan", "--output", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let said = plan["upgrades"][0]["releaseDetail"].as_str().unwrap().to_owned();
    assert!(said.ends_with(&format!("{}`", fix.split('`').nth(1).unwrap())), "plan says the same: {said}");
    let out = run_fix(&w, &fix, &binary);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{fix}: {}", String::from_utf8_lossy(&out.stderr));
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "{lines:#?}");
    assert_eq!(plan_time().get(..19), due.get(..19), "the same time, to the second");
}

/// A queued upgrade to an older version than the one that runs is a warning with what to do.
#[test]
fn a_queued_downgrade_is_a_warning() {
    let w = instance();
    let out = w.nymvisor(&[
        "add-upgrade",
        w.daemon("0.9.0", "").to_str().unwrap(),
        "--upgrade-name",
        "old",
        "--upgrade-delay",
        "30m",
    ]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let (exit, lines) = check(&w);
    assert_eq!(exit, code(Exit::Clean), "a warning: {lines:#?}");
    let warning = lines
        .iter()
        .find(|l| l["check"] == "upgrade old" && l["outcome"] == "warn")
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(
        detail(warning).starts_with("upgrade old (0.9.0) is a downgrade: 1.0.0 runs now; it will be performed at ")
    );
    assert!(warning["fix"].as_str().unwrap().contains("`nymvisor plan cancel old`"), "{warning}");
}

/// An instance of another user (its folders 0700): check, plan and status say whose the folder
/// that refused is and what to do, never to run `nymvisor init`.
#[test]
fn another_users_instance_is_explained_never_answered_with_init() {
    let w = instance();
    let Some(out) = w.nymvisor_as_nobody(&["check", "--output", "json"], &[]) else { return };
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let config = line(&lines, "config");
    let instances = w.nym_home.join(".nym/nymvisors/instances");
    assert_eq!(
        detail(config),
        format!("cannot list the instances in {}: Permission denied (os error 13)", instances.display())
    );
    let fix = config["fix"].as_str().unwrap();
    assert!(fix.starts_with(&format!("{} belongs to user root (uid 0) (mode 700)", w.nym_home.display())), "{fix}");
    assert!(
        fix.contains("uid 65534") && fix.contains("run it as root (uid 0)") && fix.contains("NYM_HOME_DIR"),
        "{fix}"
    );
    assert!(!fix.contains("run `nymvisor init`"), "{fix}");
    for args in [&["plan"][..], &["status"]] {
        let out = w.nymvisor_as_nobody(args, &[]).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code(Exit::Config)), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot list the instances") && stderr.contains("belongs to user root"), "{stderr}");
        assert!(!stderr.contains("run `nymvisor init`"), "{args:?}: {stderr}");
    }
    // Named by its id: the configuration file is what cannot be read.
    let out = w.nymvisor_as_nobody(&["check"], &[("NYMVISOR_ID", "nym-node-default")]).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(code(Exit::Config)), "{stdout}");
    assert!(stdout.contains("config.toml: Permission denied") && stdout.contains("run it as root"), "{stdout}");
    assert!(!stdout.contains("run `nymvisor init`"), "{stdout}");
}
