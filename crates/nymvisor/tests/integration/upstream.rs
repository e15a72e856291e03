//! A misbehaving upstream: every bad answer is reported, nothing is queued or staged from it,
//! and the daemon keeps running.

use nix::sys::signal::Signal;

use crate::harness::{Asset, Process, World, in_seconds, platform, wait_until};
use crate::harness::{Exit, code};

fn running() -> (World, Process) {
    let w = World::new();
    w.init();
    let nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    (w, nymvisor)
}

fn still_fine(w: &World, nymvisor: &mut Process) {
    assert_eq!(w.starts().len(), 1, "the daemon was never touched");
    assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty());
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn each_malformed_field_is_reported_by_name() {
    let (w, mut nymvisor) = running();
    let good = w.daemon("1.1.0", "");
    for (field, tweak, needle) in [
        ("version", serde_json::json!(null), "field `version`"),
        ("manual", serde_json::json!("yes"), "field `manual`"),
        ("upgradeTime", serde_json::json!("tomorrow"), "field `upgradeTime`"),
        ("platforms", serde_json::json!([]), "field `platforms`"),
    ] {
        w.announce("v1.1.0", "1.1.0", in_seconds(3600), &good, |info| info[field] = tweak.clone());
        let line = nymvisor.wait_log(needle);
        assert!(line.contains("upgrade information") && line.contains("upgrade-info.json"), "{line}");
    }
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &good, |info| {
        info.as_object_mut().unwrap().remove("publishDate");
    });
    nymvisor.wait_log("field `publishDate`");
    still_fine(&w, &mut nymvisor);
}

#[test]
fn odd_length_and_non_hex_checksums_are_refused() {
    let (w, mut nymvisor) = running();
    let good = w.daemon("1.1.0", "");
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &good, |info| {
        info["platforms"][platform()]["checksum"] = "abc".into()
    });
    nymvisor.wait_log("odd number of hex digits");
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &good, |info| {
        info["platforms"][platform()]["checksum"] = "zz".into()
    });
    nymvisor.wait_log("not hexadecimal");
    still_fine(&w, &mut nymvisor);
}

#[test]
fn a_wrong_checksum_stages_nothing() {
    let (w, mut nymvisor) = running();
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &w.daemon("1.1.0", ""), |info| {
        info["platforms"][platform()]["checksum"] = "ab".repeat(32).into();
    });
    let line = nymvisor.wait_log("CANNOT STAGE THE RELEASE");
    assert!(line.contains("checksum mismatch") && line.contains(&"ab".repeat(32)), "{line}");
    assert!(!w.data.join("upgrades/v1.1.0/bin/nym-node").exists());
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn no_download_for_this_platform_is_a_clear_error() {
    let (w, mut nymvisor) = running();
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &w.daemon("1.1.0", ""), |info| {
        let entry = info["platforms"][platform()].clone();
        info["platforms"] = serde_json::json!({ "plan9-mips": entry });
    });
    let line = nymvisor.wait_log("CANNOT DOWNLOAD THE RELEASE");
    assert!(line.contains(&platform()) && line.contains("plan9-mips"), "{line}");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn html_404_and_a_hanging_upstream_are_reported() {
    let (w, mut nymvisor) = running();
    w.serve_upstream(b"<html><body>maintenance</body></html>");
    nymvisor.wait_log("not valid JSON");
    w.server.state.lock().unwrap().files.clear();
    nymvisor.wait_log("HTTP 404");
    w.server.state.lock().unwrap().files.push(Asset { hang: true, ..Asset::new("upgrade-info.json", b"{}".to_vec()) });
    nymvisor.wait_log("timed out");
    still_fine(&w, &mut nymvisor);
}

#[test]
fn upgrade_names_that_would_leave_their_folder_are_refused() {
    let (w, mut nymvisor) = running();
    let good = w.daemon("1.1.0", "");
    for name in ["../../escape", "a/b"] {
        w.announce(name, "1.1.0", in_seconds(3600), &good, |_| {});
        let line = nymvisor.wait_log(&format!("{name:?}"));
        assert!(line.contains("upgrade name refused"), "{line}");
    }
    assert!(!w.data.parent().unwrap().join("escape").exists());
    let out = w.nymvisor(&["add-upgrade", good.to_str().unwrap(), "--upgrade-name", "../x", "--now"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--upgrade-name refused"));
    still_fine(&w, &mut nymvisor);
}

#[test]
fn old_and_performed_versions_are_never_queued_and_a_queued_one_can_be_rescheduled() {
    let (w, mut nymvisor) = running();
    w.announce("v0.9.0", "0.9.0", in_seconds(0), &w.daemon("0.9.0", ""), |_| {});
    w.wait_polls();
    w.announce("v1.0.0", "1.0.0", in_seconds(0), &w.daemon("1.0.0", ""), |_| {});
    w.wait_polls();
    assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty(), "older and equal versions are not queued");
    w.announce("v1.1.0", "1.1.0", in_seconds(3600), &w.daemon("1.1.0", ""), |_| {});
    nymvisor.wait_log("upgrade v1.1.0 (1.1.0) queued");
    w.announce("v1.1.0", "1.1.0", in_seconds(7200), &w.daemon("1.1.0", ""), |_| {});
    nymvisor.wait_log("rescheduled");
    let queued = w.plan()["queuedUp"].clone();
    assert_eq!(queued.as_array().unwrap().len(), 1, "{queued}");
    assert_eq!(queued[0]["version"], "1.1.0");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}
