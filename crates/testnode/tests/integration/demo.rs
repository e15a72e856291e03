//! `visor-demo` as an operator meets it: its help, a usage error, and that however it ends —
//! stopped by a signal midway, or its output closed (`visor-demo | head -1`) — it leaves no
//! process and no temp folder behind. Each run gets a TMPDIR of its own, so the test sees
//! exactly what the demo left in it, and which processes still name it.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// A whole demo takes a few seconds; this bounds a run on a loaded machine.
const DEADLINE: Duration = Duration::from_secs(90);

fn demo_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_visor-demo"))
}

/// The demo runs `visor`, `cosmovisor` and `testnode` from beside itself. `cargo test
/// --workspace` builds them there; `cargo test -p testnode` builds only `testnode`, so the
/// supervisors are built here when missing (once per test binary).
fn supervisors_built() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let demo = demo_bin();
        let dir = demo.parent().expect("the demo's folder");
        let missing: Vec<&str> = ["visor", "cosmovisor"].into_iter().filter(|b| !dir.join(b).exists()).collect();
        if missing.is_empty() {
            return;
        }
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo.arg("build").arg("--manifest-path").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"));
        for bin in &missing {
            cargo.args(["-p", bin]);
        }
        match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                cargo.arg("--release");
            }
            Some(profile) => {
                cargo.args(["--profile", profile]);
            }
        }
        let mut build = cargo.spawn().expect("cargo starts");
        // Bounded: the build waits for other builds' locks on a busy machine, but not forever.
        let status = wait_exit(&mut build, Duration::from_secs(30 * 60));
        assert!(
            status.success() && missing.iter().all(|b| dir.join(b).exists()),
            "{missing:?} missing beside {}: build them with `cargo build --workspace` (cargo said {status})",
            demo.display()
        );
    });
}

/// Waits for `child` to end; kills it and fails if it takes longer than `within`.
fn wait_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if start.elapsed() > within {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pid {} still running after {within:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Live processes (pid and command line) whose command line names `dir`. A zombie's command
/// line is empty: it is gone, only not yet reaped.
fn processes_naming(dir: &Path) -> Vec<(u32, String)> {
    let dir = dir.as_os_str().as_bytes();
    let own = std::process::id();
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != own)
        .filter_map(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            cmdline.windows(dir.len()).any(|w| w == dir).then(|| {
                let shown = cmdline.split(|b| *b == 0).map(String::from_utf8_lossy).collect::<Vec<_>>().join(" ");
                (pid, shown)
            })
        })
        .collect()
}

/// What is left in the demo's TMPDIR, and who still names it: both must be empty.
fn assert_nothing_left(tmp: &Path, what: &str) {
    assert_eq!(processes_naming(tmp), Vec::new(), "{what}: processes left behind");
    let left: Vec<PathBuf> = std::fs::read_dir(tmp).expect("TMPDIR").flatten().map(|e| e.path()).collect();
    assert_eq!(left, Vec::<PathBuf>::new(), "{what}: the temp folder is left behind");
}

fn run_to_end(args: &[&str], tmp: &Path) -> Output {
    let mut child = Command::new(demo_bin())
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("visor-demo starts");
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let out = std::thread::spawn(move || read_all(stdout));
    let err = std::thread::spawn(move || read_all(stderr));
    let status = wait_exit(&mut child, DEADLINE);
    Output { status, stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") }
}

fn read_all(stream: Option<impl Read>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(mut s) = stream {
        let _ = s.read_to_end(&mut buf);
    }
    buf
}

/// A demo run, started and followed until it printed a line containing `marker`.
struct Running {
    child: Child,
    /// Its stdout so far, to the marker.
    lines: Vec<String>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

/// Starts the demo (`args`) with `tmp` as TMPDIR and reads its stdout until a line contains
/// `marker`. Then its stdout is closed (`close`: as `| head` does, without reading further) or
/// read to the end on a thread.
fn start_until(args: &[&str], tmp: &Path, marker: &'static str, close: bool) -> Running {
    supervisors_built();
    let mut child = Command::new(demo_bin())
        .args(args)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("visor-demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take();
    let stderr = std::thread::spawn(move || read_all(stderr));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            let seen = line.contains(marker);
            let _ = tx.send(line);
            if seen && close {
                // Returning drops the pipe's read end: the demo's next write fails (EPIPE).
                return;
            }
        }
    });
    let start = Instant::now();
    let mut lines = Vec::new();
    loop {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let seen = line.contains(marker);
                lines.push(line);
                if seen {
                    return Running { child, lines, stderr };
                }
            }
            Err(e) => {
                let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
                let status = wait_exit(&mut child, DEADLINE);
                let stderr = String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned();
                panic!(
                    "no line with {marker:?} ({e}); exited with {status}; stdout:\n{}\nstderr:\n{stderr}",
                    lines.join("\n")
                );
            }
        }
    }
}

impl Running {
    /// Waits for the demo to end: its status and its stderr.
    fn finish(mut self) -> (ExitStatus, String) {
        let status = wait_exit(&mut self.child, DEADLINE);
        let stderr = String::from_utf8_lossy(&self.stderr.join().unwrap_or_default()).into_owned();
        (status, stderr)
    }

    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).expect("signal the demo");
    }
}

/// The temp folder the demo named on its first line, and that it is in `tmp`.
fn named_temp_folder(first: &str, tmp: &Path) -> PathBuf {
    let folder = first.split(" in ").nth(1).and_then(|rest| rest.split(" (").next()).map(PathBuf::from);
    let folder = folder.unwrap_or_else(|| panic!("the first line names no temp folder: {first:?}"));
    assert_eq!(folder.parent(), Some(tmp), "the temp folder is in TMPDIR: {first:?}");
    folder
}

#[test]
fn help_says_what_it_does_and_runs_nothing() {
    for args in [&["--help"][..], &["-h"], &["cosmos", "--help"]] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = run_to_end(args, tmp.path());
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {}", out.status);
        for said in [
            "visor-demo cosmos",
            "needs no\nnetwork",
            "$TMPDIR/visor-demo-<pid>",
            "$TMPDIR/cosmovisor-demo-<pid>",
            "exit status",
            "143 (SIGTERM)",
            "usage error",
            "cargo build --release",
        ] {
            assert!(help.contains(said), "{args:?}: the help says {said:?}:\n{help}");
        }
        assert!(out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_nothing_left(tmp.path(), &format!("{args:?}"));
    }
}

#[test]
fn an_unknown_argument_is_a_usage_error() {
    for (args, named) in [(&["--frobnicate"][..], "--frobnicate"), (&["cosmos", "fast"], "fast")] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = run_to_end(args, tmp.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(named) && stderr.contains("visor-demo --help"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert_nothing_left(tmp.path(), &format!("{args:?}"));
    }
}

#[test]
fn sigterm_while_the_node_runs_stops_everything_and_removes_the_temp_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // The visor runs, and has started the core: the supervisor and a node to stop.
    let run = start_until(&[], tmp.path(), "testnode core v0.1.0 started", false);
    let folder = named_temp_folder(&run.lines[0], tmp.path());
    assert!(folder.is_dir());
    assert!(!processes_naming(&folder).is_empty(), "the visor and its nodes run in the temp folder");
    run.signal(Signal::SIGTERM);
    let (status, stderr) = run.finish();
    assert_eq!(status.code(), Some(128 + 15), "exit status 128 + SIGTERM; stderr: {stderr}");
    assert!(stderr.contains("stopped by SIGTERM"), "says why it stopped: {stderr}");
    assert_nothing_left(tmp.path(), "after SIGTERM");
}

#[test]
fn sigint_while_the_cosmos_app_runs_stops_everything_and_removes_the_temp_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = start_until(&["cosmos"], tmp.path(), "testnode app v1 started", false);
    let folder = named_temp_folder(&run.lines[0], tmp.path());
    assert!(!processes_naming(&folder).is_empty(), "cosmovisor and the app run in the temp folder");
    run.signal(Signal::SIGINT);
    let (status, stderr) = run.finish();
    assert_eq!(status.code(), Some(128 + 2), "exit status 128 + SIGINT; stderr: {stderr}");
    assert_nothing_left(tmp.path(), "after SIGINT");
}

#[test]
fn sighup_once_the_temp_folder_exists_removes_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = start_until(&[], tmp.path(), "==> 2/5", false);
    assert!(named_temp_folder(&run.lines[0], tmp.path()).is_dir());
    run.signal(Signal::SIGHUP);
    let (status, stderr) = run.finish();
    assert_eq!(status.code(), Some(128 + 1), "exit status 128 + SIGHUP; stderr: {stderr}");
    assert_nothing_left(tmp.path(), "after SIGHUP");
}

#[test]
fn output_closed_after_the_first_line_ends_it_cleanly() {
    // `visor-demo | head -1`.
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = start_until(&[], tmp.path(), "visor demo", true);
    named_temp_folder(&run.lines[0], tmp.path());
    let (status, stderr) = run.finish();
    assert_eq!(status.code(), Some(1), "a failure, not a panic (101): {stderr}");
    assert!(stderr.contains("demo stopped: its output was closed") && !stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("demo failed"), "a closed pipe is not a failure of the demo: {stderr}");
    assert_nothing_left(tmp.path(), "after its output closed");
}

#[test]
fn output_closed_while_the_cosmos_app_runs_stops_everything_and_removes_the_temp_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = start_until(&["cosmos"], tmp.path(), "testnode app v1 started", true);
    let folder = named_temp_folder(&run.lines[0], tmp.path());
    assert!(folder.is_dir());
    let (status, stderr) = run.finish();
    assert_eq!(status.code(), Some(1), "a failure, not a panic (101): {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_nothing_left(tmp.path(), "after its output closed");
}
