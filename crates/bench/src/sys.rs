//! What the measurements need of the system: processes started and stopped with deadlines,
//! their records, clocks, and what `/proc` says about a process.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub(crate) type Res<T> = Result<T, String>;

/// How long any one step of a measurement may take before the measurement fails.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

/// Wall-clock microseconds since the epoch, as `testnode` writes them in its records.
pub(crate) fn now_micros() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// Polls `check` until it gives a value, for at most `timeout`.
pub(crate) fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Res<T> {
    let start = Instant::now();
    let mut pause = Duration::from_micros(500);
    loop {
        if let Some(v) = check() {
            return Ok(v);
        }
        if start.elapsed() > timeout {
            return Err(format!("timed out after {timeout:?} waiting for {what}"));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
}

/// Reads at most `limit` bytes of `path` (a record or status file written by another process).
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(limit).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// The JSON lines of `path` that parse (a line being written is skipped).
pub(crate) fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    let bytes = read_bounded(path, 16 << 20).unwrap_or_default();
    String::from_utf8_lossy(&bytes).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// A JSON document written by another process, if it is whole.
pub(crate) fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_slice(&read_bounded(path, 4 << 20)?).ok()
}

/// A port on 127.0.0.1 that was free a moment ago.
pub(crate) fn free_port() -> Res<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))
}

/// Sends `signal` to `pid`; a process already gone is not an error.
pub(crate) fn signal(pid: i32, sig: Signal) {
    let _ = kill(Pid::from_raw(pid), sig);
}

/// Makes `path` executable by its owner and readable by all.
pub(crate) fn write_executable(path: &Path, text: &str) -> Res<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {} executable: {e}", path.display()))
}

/// Runs `cmd` to completion; its output when it fails.
pub(crate) fn run(what: &str, cmd: &mut Command) -> Res<()> {
    let out =
        cmd.stdin(Stdio::null()).output().map_err(|e| format!("cannot run {what} ({:?}): {e}", cmd.get_program()))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed with {}: {}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim(),
        String::from_utf8_lossy(&out.stdout).trim()
    ))
}

/// A long-running process (a supervisor) with its output in a log file; killed when dropped.
pub(crate) struct Daemon {
    name: String,
    child: Child,
    log: PathBuf,
    exited: bool,
}

impl Daemon {
    /// Starts `cmd` with stdin from /dev/null and stdout and stderr appended to `log`.
    pub(crate) fn spawn(name: &str, cmd: &mut Command, log: &Path) -> Res<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("cannot open the log {}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| format!("cannot share the log {}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({:?}): {e}", cmd.get_program()))?;
        Ok(Self { name: name.to_owned(), child, log: log.to_owned(), exited: false })
    }

    pub(crate) fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// An error naming the daemon and the end of its log.
    pub(crate) fn failure(&self, what: &str) -> String {
        let bytes = std::fs::read(&self.log).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(2000)..]).into_owned();
        format!("{}: {what}; the end of its log ({}):\n{}", self.name, self.log.display(), text.trim_end())
    }

    /// `Err` when it has exited.
    pub(crate) fn check(&mut self) -> Res<()> {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.exited = true;
                Err(self.failure(&format!("exited early with {status}")))
            }
            _ => Ok(()),
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`; waits until it is gone.
    pub(crate) fn stop(&mut self, grace: Duration) -> Res<()> {
        if self.exited {
            return Ok(());
        }
        signal(self.pid(), Signal::SIGTERM);
        let deadline = Instant::now() + grace;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    self.exited = true;
                    return Err(self.failure(&format!("did not stop within {grace:?} of SIGTERM; killed")));
                }
            }
        }
        self.exited = true;
        Ok(())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if !self.exited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What `/proc` says about a process and its threads at one moment.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProcSample {
    pub(crate) rss_kib: u64,
    pub(crate) hwm_kib: u64,
    pub(crate) threads: u64,
    /// utime + stime, in clock ticks (the process and its threads).
    pub(crate) ticks: u64,
    /// Time on a CPU in nanoseconds, summed over the threads (`schedstat`: finer than ticks).
    pub(crate) cpu_ns: u64,
    /// Voluntary context switches summed over the threads: how often a thread went to sleep
    /// after being woken.
    pub(crate) wakeups: u64,
    /// Each thread's id, time on a CPU (ns) and voluntary context switches: threads come and go
    /// (a runtime's idle helpers end after a while), so growth is counted thread by thread.
    pub(crate) tasks: Vec<(u64, u64, u64)>,
}

impl ProcSample {
    /// What the threads of `later` did since `self`: (CPU ns, wake-ups), counting a thread new
    /// since `self` from zero and leaving out what threads that ended did after `self`.
    pub(crate) fn growth(&self, later: &Self) -> (u64, u64) {
        later.tasks.iter().fold((0, 0), |(cpu, wake), (tid, c, w)| {
            let (c0, w0) = self.tasks.iter().find(|t| t.0 == *tid).map_or((0, 0), |t| (t.1, t.2));
            (cpu + c.saturating_sub(c0), wake + w.saturating_sub(w0))
        })
    }
}

fn status_field(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// Samples process `pid` (its threads read one by one: a thread may come or go meanwhile).
pub(crate) fn sample(pid: i32) -> Res<ProcSample> {
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let read = |p: &Path| {
        read_bounded(p, 64 << 10)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .ok_or_else(|| format!("cannot read {} (has the process ended?)", p.display()))
    };
    let status = read(&proc.join("status"))?;
    let stat = read(&proc.join("stat"))?;
    // The fields after the command name, which may hold spaces and parentheses.
    let after = stat.rfind(')').map(|i| &stat[i + 2..]).ok_or_else(|| format!("/proc/{pid}/stat is malformed"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let mut sample = ProcSample {
        rss_kib: status_field(&status, "VmRSS:").unwrap_or(0),
        hwm_kib: status_field(&status, "VmHWM:").unwrap_or(0),
        threads: status_field(&status, "Threads:").unwrap_or(0),
        // utime and stime are fields 14 and 15 of stat; `after` starts at field 3.
        ticks: tick(11) + tick(12),
        ..ProcSample::default()
    };
    let tasks = std::fs::read_dir(proc.join("task")).map_err(|e| format!("cannot list /proc/{pid}/task: {e}"))?;
    for task in tasks.flatten() {
        let dir = task.path();
        let Some(tid) = task.file_name().to_str().and_then(|t| t.parse::<u64>().ok()) else { continue };
        let wakeups = read(&dir.join("status")).ok().and_then(|s| status_field(&s, "voluntary_ctxt_switches:"));
        let cpu = read(&dir.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()));
        let (cpu, wakeups) = (cpu.unwrap_or(0), wakeups.unwrap_or(0));
        sample.cpu_ns += cpu;
        sample.wakeups += wakeups;
        sample.tasks.push((tid, cpu, wakeups));
    }
    Ok(sample)
}

/// Clock ticks per second (`getconf CLK_TCK`); 100 on every Linux we run on.
pub(crate) fn ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a constant.
    let n = unsafe { nix::libc::sysconf(nix::libc::_SC_CLK_TCK) };
    if n > 0 { n as f64 } else { 100.0 }
}

/// The first line `cmd args` prints on stdout (or stderr), if it runs.
pub(crate) fn first_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).stdin(Stdio::null()).output().ok()?;
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    let line = String::from_utf8_lossy(&text).lines().next().unwrap_or("").trim().to_owned();
    (!line.is_empty()).then_some(line)
}

/// `name` on `$PATH`, if it is there.
pub(crate) fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_counted_thread_by_thread_so_an_ended_thread_takes_nothing_back() {
        let before = ProcSample { tasks: vec![(1, 100, 10), (2, 500, 50)], ..ProcSample::default() };
        // Thread 2 ended, thread 3 is new.
        let after = ProcSample { tasks: vec![(1, 130, 12), (3, 40, 4)], ..ProcSample::default() };
        assert_eq!(before.growth(&after), (70, 6));
    }

    #[test]
    fn this_process_can_be_sampled() {
        let s = sample(std::process::id() as i32).unwrap();
        assert!(s.rss_kib > 0 && s.threads >= 1 && !s.tasks.is_empty(), "{s:?}");
    }
}
