//! Helpers for tests that run real processes: output captured line by line, waits on
//! conditions with deadlines (never fixed sleeps), liveness of PIDs.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// How long any single condition may take before the test fails. Generous: CI has two cores
/// and runs tests in parallel.
pub const DEADLINE: Duration = Duration::from_secs(40);

/// Polls `condition` until it holds, failing the test after `DEADLINE`.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    while !condition() {
        assert!(start.elapsed() < DEADLINE, "timed out after {DEADLINE:?} waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Whether `pid` is a live (non-zombie) process.
pub fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rfind(')').and_then(|i| stat[i + 2..].chars().next()).is_some_and(|state| state != 'Z'),
        Err(_) => false,
    }
}

pub fn signal(pid: i32, sig: Signal) {
    let _ = nix::sys::signal::kill(Pid::from_raw(pid), sig);
}

pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// A running process with its output captured line by line; killed with SIGKILL if the test
/// drops it while it runs.
pub struct Process {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
    exit: Option<std::process::ExitStatus>,
    spawned_at: jiff::Timestamp,
}

impl Process {
    pub fn spawn(mut command: Command) -> Self {
        let spawned_at = jiff::Timestamp::now();
        let mut child = command.spawn().expect("start the process");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for stream in [
            Box::new(child.stderr.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().unwrap()),
        ] {
            let lines = Arc::clone(&lines);
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    eprintln!("| {line}");
                    lines.lock().unwrap().push(line);
                }
            }));
        }
        Self { child, lines, readers, exit: None, spawned_at }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The status file at `path` if this process (a visor) wrote it.
    pub fn own_status(&self, path: &Path) -> Option<serde_json::Value> {
        let status: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        (status["visorPid"] == self.pid()).then_some(status)
    }

    /// Waits until this visor's status file says `what`; returns the status.
    pub fn wait_own_status(
        &self,
        path: &Path,
        what: &str,
        condition: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let mut found = None;
        wait_until(what, || {
            found = self.own_status(path).filter(&condition);
            found.is_some()
        });
        found.unwrap_or_default()
    }

    /// Waits until this visor's status file says its node runs.
    pub fn wait_running(&self, path: &Path) -> serde_json::Value {
        self.wait_own_status(path, "the visor's node running", |s| {
            s["state"] == "running" && s["processes"].as_array().is_some_and(|p| !p.is_empty())
        })
    }

    /// Waits until this visor has switched to `release` and started it: its status shows the
    /// switch, made since this process started, with its downtime, and the new node running.
    pub fn wait_upgraded(&self, path: &Path, release: &str) -> serde_json::Value {
        let since = self.spawned_at;
        self.wait_own_status(path, &format!("the upgrade to {release} done"), |s| {
            let last = &s["lastSwitch"];
            last["to"] == release
                && last["downtimeMs"].is_u64()
                && last["switchedAt"]
                    .as_str()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .is_some_and(|t| t >= since)
                && s["release"] == release
                && s["processes"].as_array().is_some_and(|p| !p.is_empty())
        })
    }

    pub fn logs(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    pub fn count(&self, needle: &str) -> usize {
        self.lines.lock().unwrap().iter().filter(|l| l.contains(needle)).count()
    }

    /// Waits for a log line containing `needle`; returns it.
    pub fn wait_log(&self, needle: &str) -> String {
        self.wait_logs(needle, 1).swap_remove(0)
    }

    /// Waits until `n` log lines contain `needle`; returns them.
    pub fn wait_logs(&self, needle: &str, n: usize) -> Vec<String> {
        let start = Instant::now();
        loop {
            let found: Vec<String> =
                self.lines.lock().unwrap().iter().filter(|l| l.contains(needle)).cloned().collect();
            if found.len() >= n {
                return found;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {n} log line(s) with {needle:?}; got {}:\n{}",
                found.len(),
                self.logs().join("\n")
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn signal(&self, sig: Signal) {
        signal(self.pid(), sig);
    }

    /// Waits for the visor to exit; returns its exit code (panics if killed by a signal).
    pub fn wait_exit(&mut self) -> i32 {
        let status = self.wait_status();
        status.code().unwrap_or_else(|| panic!("the process was killed: {status:?}\n{}", self.logs().join("\n")))
    }

    pub fn wait_status(&mut self) -> std::process::ExitStatus {
        self.wait_status_draining(Duration::from_secs(2))
    }

    /// Waits for the process to exit without waiting for its output to end (a process it left
    /// holding the pipes, which a soak's next visor kills, must not slow every round).
    pub fn wait_status_undrained(&mut self) -> std::process::ExitStatus {
        self.wait_status_draining(Duration::ZERO)
    }

    fn wait_status_draining(&mut self, drain: Duration) -> std::process::ExitStatus {
        if let Some(status) = self.exit {
            return status;
        }
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                self.exit = Some(status);
                // The pipes close when the visor and its children are gone; a leftover process
                // holding them open must not hang the test, so the wait is bounded.
                let drained = Instant::now();
                while !self.readers.iter().all(std::thread::JoinHandle::is_finished) && drained.elapsed() < drain {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return status;
            }
            assert!(start.elapsed() < DEADLINE, "the process did not exit in time:\n{}", self.logs().join("\n"));
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.exit.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A small, seedable generator for soak tests (xorshift64*): `VISOR_SOAK_SEED` replays a run,
/// and every run prints its seed.
pub struct SoakRng(u64);

impl SoakRng {
    pub fn from_env() -> Self {
        let seed = std::env::var("VISOR_SOAK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        eprintln!("kill soak seed: VISOR_SOAK_SEED={seed}");
        Self(seed)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// How many kills a soak makes: `VISOR_SOAK_KILLS`, else 30 (as in CI).
pub fn soak_kills() -> usize {
    std::env::var("VISOR_SOAK_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(30)
}

/// The PIDs listed one per line in `file` that are still alive.
pub fn live_pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .filter(|&p| alive(p))
        .collect()
}

/// What a kill soak needs of one face: a fresh chain of upgrades, a visor started on it, and the
/// invariants checked after each restart.
pub trait SoakChain {
    /// Starts the visor on this chain with the extra environment `envs`.
    fn start(&self, envs: &[(&str, &str)]) -> Process;
    /// Checks every invariant once the restarted visor runs (`running` is its pid, `None`
    /// after the last stop); true once the whole chain is applied.
    fn check(&mut self, kill: usize, running: Option<i32>) -> bool;
    /// Waits until the chain's last upgrade has been applied.
    fn wait_complete(&self);
    /// The status file the visor writes.
    fn status_file(&self) -> std::path::PathBuf;
}

/// SIGKILLs the visor at random instants (each below `pause_ms`) during chains of upgrades made by
/// `chain`, restarting it after each kill and checking the chain's invariants, until
/// `soak_kills()` kills; every other chain follows the node by parentage instead of a cgroup.
/// Each chain must still complete and end with a clean exit (`clean` is that exit code).
pub fn kill_soak<C: SoakChain>(pause_ms: u64, clean: i32, mut chain: impl FnMut() -> C) {
    let mut rng = SoakRng::from_env();
    let total = soak_kills();
    let (mut kill, mut chains) = (0, 0);
    while kill < total {
        let tracking: &[(&str, &str)] = if chains % 2 == 0 { &[] } else { &[("VISOR_CGROUP", "off")] };
        chains += 1;
        let mut c = chain();
        let mut visor = c.start(tracking);
        loop {
            // A random instant: while it waits, stops, backs up, switches, starts, or runs.
            std::thread::sleep(Duration::from_millis(rng.below(pause_ms)));
            visor.signal(Signal::SIGKILL);
            assert!(visor.wait_status_undrained().code().is_none(), "the visor was killed");
            kill += 1;
            visor = c.start(tracking);
            visor.wait_running(&c.status_file());
            if c.check(kill, Some(visor.pid())) || kill >= total {
                break;
            }
        }
        c.wait_complete();
        visor.signal(Signal::SIGTERM);
        assert_eq!(visor.wait_exit(), clean, "a clean exit after the chain");
        c.check(kill, None);
    }
}

/// The `testnode` binary beside a face's binary: `cargo test --workspace` builds it there.
pub fn testnode_beside(face: &Path) -> std::path::PathBuf {
    let path = face.with_file_name("testnode");
    assert!(
        path.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (or `cargo build -p testnode` first)",
        path.display()
    );
    path
}

/// Waits (at most 10 s, without failing) until no switch of the home whose state folder is
/// `state_dir` is in flight: a switch's bookkeeping (history, a face's plan) follows the new
/// node's spawn, and its journal goes last. Reads of that bookkeeping call this first.
pub fn settle_switch(state_dir: &Path) {
    let journal = state_dir.join("switch.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while journal.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}
