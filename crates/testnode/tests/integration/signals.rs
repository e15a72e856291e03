//! A testnode stops in order on a stop signal that comes at any moment after its start is
//! recorded: the visor's tests signal the node as soon as they see it start, and a node killed
//! by the signal's default action there would look like a visor that killed it.

use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// How many times each node is started and signalled at once: the gap this closes was a few
/// milliseconds wide, so a single try would seldom fall into it.
const TRIES: usize = 20;

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Starts the node `args` describes, signals it with `sig` the moment its start record appears
/// in `records`, and returns how it ended and what it recorded.
fn signalled_at_start(
    args: &[&str],
    records: &Path,
    sig: Signal,
) -> (std::process::ExitStatus, Vec<serde_json::Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("testnode runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while lines(&records.join("starts.jsonl")).is_empty() {
        assert!(Instant::now() < deadline, "testnode {args:?} recorded no start within 30 s");
        std::thread::yield_now();
    }
    kill(Pid::from_raw(child.id() as i32), sig).expect("signal testnode");
    let status = child.wait().expect("testnode ends");
    (status, lines(&records.join("exits.jsonl")))
}

#[test]
fn a_stop_signal_right_after_the_start_record_stops_the_node_in_order() {
    for sig in [Signal::SIGTERM, Signal::SIGINT] {
        for _ in 0..TRIES {
            let dir = tempfile::tempdir().unwrap();
            let home = dir.path().to_str().unwrap();
            for (role, args) in [
                ("core", vec!["start", "--home", home, "--block-time", "20ms"]),
                ("app", vec!["cosmos", "start", "--home", home, "--records", home]),
            ] {
                let _ = std::fs::remove_file(dir.path().join("starts.jsonl"));
                let _ = std::fs::remove_file(dir.path().join("exits.jsonl"));
                let (status, exits) = signalled_at_start(&args, dir.path(), sig);
                assert_eq!(status.signal(), None, "the {role} was killed by {sig} instead of stopping: {status}");
                assert_eq!(exits.len(), 1, "the {role} recorded its stop on {sig}: {exits:?}");
                // The core records why it stopped, the app which signal stopped it.
                let said = if role == "core" { &exits[0]["reason"] } else { &exits[0]["signal"] };
                let expected = if role == "core" { "signal" } else { sig.as_str() };
                assert_eq!(said, expected, "{role} on {sig}: {exits:?}");
            }
        }
    }
}

#[test]
fn the_grandchild_a_core_forks_stops_with_its_process_group() {
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().unwrap();
    let mut core = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(["start", "--fork-grandchild", "--home"])
        .arg(dir.path())
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("testnode runs");
    let pid_file = dir.path().join("grandchild.pid");
    let deadline = Instant::now() + Duration::from_secs(30);
    let grandchild = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse::<i32>().ok()) {
            break pid;
        }
        assert!(Instant::now() < deadline, "no grandchild within 30 s");
        std::thread::sleep(Duration::from_millis(5));
    };
    // As a visor stops a node: the stop signal to the whole group.
    kill(Pid::from_raw(-(core.id() as i32)), Signal::SIGTERM).expect("signal the group");
    core.wait().expect("the core ends");
    let deadline = Instant::now() + Duration::from_secs(30);
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    let running = || {
        std::fs::read_to_string(format!("/proc/{grandchild}/stat"))
            .is_ok_and(|s| s.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
    };
    while running() {
        if Instant::now() > deadline {
            let _ = kill(Pid::from_raw(grandchild), Signal::SIGKILL);
            panic!("the grandchild outlived its group's SIGTERM by 30 s: it still held the signal");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
