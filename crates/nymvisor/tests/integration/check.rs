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
