//! `add-upgrade --upgrade-height` next to a plan in `data/upgrade-info.json`: a plan already
//! applied (the node never removes the file) is replaced without `--force`; a pending one is
//! refused. Every check comes before any write, so a refused command leaves nothing behind and
//! its retry needs no `--force`.

use nix::sys::signal::Signal;

use crate::harness::{Exit, World, code};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn after_a_governance_upgrade_its_plan_file_does_not_block_the_next_manual_upgrade() {
    let w = World::new();
    w.init("--plan-name v2 --plan-height 8");
    assert!(w.add_upgrade("v2", "v2", &[]).status.success());
    let mut visor = w.start();
    visor.wait_upgraded(&w.status_file(), "upgrades/v2");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let left = w.json(&w.home.join("data/upgrade-info.json"));
    assert_eq!(left["name"], "v2", "the node's plan stays in data/");
    let plan = w.cosmovisor(&["plan", "--output", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["upgrades"], serde_json::json!([]), "nothing is pending: {plan}");

    let out = w.add_upgrade("v3", "v3", &["--upgrade-height", "150"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.starts_with("upgrade v3 planned at height 150"), "{said}");
    assert!(said.contains("replaces upgrade v2 at height 8") && said.contains("applied already"), "{said}");
    assert_eq!(w.json(&w.home.join("data/upgrade-info.json")), serde_json::json!({ "name": "v3", "height": 150 }));
    let plan = w.cosmovisor(&["plan", "--output", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["upgrades"][0]["name"], "v3", "{plan}");
    assert_eq!(plan["upgrades"][0]["trigger"]["height"], 150, "{plan}");
}

#[test]
fn a_pending_plan_is_refused_before_anything_is_written_so_the_retry_needs_no_force() {
    let w = World::new();
    w.init("");
    let info = w.home.join("data/upgrade-info.json");
    std::fs::write(&info, r#"{"name":"gov1","height":500}"#).unwrap();
    let folder = w.home.join("cosmovisor/upgrades/v3");

    let out = w.add_upgrade("v3", "v3", &["--upgrade-height", "150"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = text(&out.stderr);
    assert!(err.contains("holds upgrade gov1 at height 500, written by the node"), "{err}");
    assert!(err.contains("use --force to replace it"), "{err}");
    assert!(!folder.exists(), "nothing copied before the refusal");

    // The operator deals with the node's plan; the same command then works as it is.
    std::fs::remove_file(&info).unwrap();
    let out = w.add_upgrade("v3", "v3", &["--upgrade-height", "150"]);
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", text(&out.stderr));
    assert!(folder.join("bin/simd").is_file());

    // Our own plan, still pending: refused the same way, naming it as ours.
    let out = w.add_upgrade("v4", "v4", &["--upgrade-height", "200"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = text(&out.stderr);
    assert!(err.contains("holds upgrade v3 at height 150, planned with add-upgrade --upgrade-height"), "{err}");
    assert!(!w.home.join("cosmovisor/upgrades/v4").exists());

    // A binary that is not there: refused before the plan is touched.
    let out = w.cosmovisor(&["add-upgrade", "v5", "/no/such/simd", "--upgrade-height", "300", "--force"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(text(&out.stderr).contains("cannot read the binary /no/such/simd"), "{}", text(&out.stderr));
    assert!(!w.home.join("cosmovisor/upgrades/v5").exists());
    assert_eq!(w.json(&info), serde_json::json!({ "name": "v3", "height": 150 }), "untouched");
}

#[test]
fn a_batch_with_one_bad_entry_copies_no_binary() {
    let w = World::new();
    w.init("");
    let list = format!("good:{}:10,bad:/no/such/simd:20", w.app("v2", "").display());
    let out = w.cosmovisor(&["add-batch-upgrade", "--upgrade-list", &list]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let err = text(&out.stderr);
    assert!(err.contains("upgrade bad") && err.contains("/no/such/simd"), "{err}");
    assert!(!w.home.join("cosmovisor/upgrades/good").exists(), "the good entry waits for the list to be right");
    assert!(!w.home.join("data/upgrade-info.json.batch").exists());
}
