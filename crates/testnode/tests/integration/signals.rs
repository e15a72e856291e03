//! A testnode stops in order on a stop signal that comes at any moment after its start is
//! recorded: the visor's tests signal the node as soon as they see it start, and a node killed
//! by the signal's default action there would look like a visor that killed it.

use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use nix::sys::signal::Signal;
use testnode::support::{DEADLINE, alive, read_jsonl, signal, wait_until};

/// How many times each node is started and signalled at once: the gap this closes was a few
/// milliseconds wide, so a single try would seldom fall into it.
const TRIES: usize = 20;

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
    // A spin, not `wait_until`: its growing pauses would signal long after the gap has closed.
    let start = Instant::now();
    while read_jsonl(&records.join("starts.jsonl")).is_empty() {
        assert!(start.elapsed() < DEADLINE, "testnode {args:?} recorded no start within {DEADLINE:?}");
        std::thread::yield_now();
    }
    signal(child.id() as i32, sig);
    let status = child.wait().expect("testnode ends");
    (status, read_jsonl(&records.join("exits.jsonl")))
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

/// Kills the process it names when the test ends, passed or failed: a grandchild that held its
/// stop signals sleeps for an hour.
struct KillOnDrop(i32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        signal(self.0, Signal::SIGKILL);
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
    let read_pid = || std::fs::read_to_string(&pid_file).ok().and_then(|s| s.trim().parse::<i32>().ok());
    wait_until("the grandchild runs", || read_pid().is_some());
    let grandchild = read_pid().unwrap_or_default();
    let _cleanup = KillOnDrop(grandchild);
    // As a visor stops a node: the stop signal to the whole group.
    signal(-(core.id() as i32), Signal::SIGTERM);
    core.wait().expect("the core ends");
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    wait_until("the grandchild stopped by its group's SIGTERM (it must not hold the signal)", || !alive(grandchild));
}
