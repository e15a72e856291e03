//! The demo: a complete automatic upgrade, genesis → v0.2.0, with `testnode` as the Vega core
//! and data node, in a temporary home. Prints each step and the measured downtime; needs no
//! network. Run it with `./demo.sh` (which builds the release binaries first); `./demo.sh
//! cosmos` shows the Cosmos face instead (`cosmos.rs`).
//!
//! However it ends — done, failed, stopped by SIGINT, SIGTERM or SIGHUP, or its output closed
//! (`visor-demo | head -1`) — it stops the processes it started and removes its temp folder: a
//! [`Guard`] does on drop, and a thread waiting for the stop signals does the same, then exits.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid};
use nix::unistd::Pid;

const UPGRADE_HEIGHT: u64 = 30;
const DEADLINE: Duration = Duration::from_secs(60);

/// How long a supervisor the demo stops has to stop its node and exit before it is killed: more
/// than the supervisors' own default stop timeout (15 s), so they never leave a node behind.
const STOP_GRACE: Duration = Duration::from_secs(20);

/// How often the cleanup looks again at processes it waits for.
const POLL: Duration = Duration::from_millis(10);

const HELP: &str = "\
visor-demo: a complete automatic upgrade by Visor, end to end, on this machine

usage:
  visor-demo           the Vega face: `visor run` upgrades testnode (core and data node)
                       from genesis (v0.1.0) to v0.2.0 at height 30, a block every 100 ms
  visor-demo cosmos    the Cosmos face: `cosmovisor run` learns a governance upgrade from
                       the app's gRPC, downloads and verifies the v2 binary ahead of the
                       height, and switches when the app halts
  visor-demo --help    this help (also -h)

It prints each step as it goes and the measured downtime, in a few seconds. It needs no
network: the node is `testnode`, a fake node, and the download is served on 127.0.0.1.
It runs the binaries beside its own: `visor` (or `cosmovisor`) and `testnode`; `./demo.sh`
builds them (`cargo build --release --workspace --bins`) and runs the demo.

temp folder:
  $TMPDIR/visor-demo-<pid> (Vega) or $TMPDIR/cosmovisor-demo-<pid> (Cosmos), /tmp when
  TMPDIR is unset; the first line printed names it. However the demo ends (done, failed,
  SIGINT, SIGTERM, SIGHUP, or its output closed, as in `visor-demo | head -1`), it stops the
  supervisor (SIGTERM, then SIGKILL after 20 s), and any node left behind, and removes it.

exit status:
  0      the upgrade went through
  1      the demo failed (the reason is on stderr), or its output was closed
  2      usage error: an unknown argument
  128+N  stopped by signal N: 129 (SIGHUP), 130 (SIGINT), 143 (SIGTERM)
";

/// Writes a line on stdout, as `println!` does, but a failed write (stdout is a closed pipe:
/// `visor-demo | head -1`) is an error for the caller's `?` instead of a panic, so the demo
/// ends through its [`Guard`].
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err(|e| format!("cannot write its output ({e})"))
    }};
}

// After `say!`, which it uses: a `macro_rules!` macro is in scope below its definition only.
mod cosmos;

pub(crate) fn step(n: u32, text: &str) -> Result<(), String> {
    say!("\n==> {n}/5  {text}")
}

pub(crate) fn fail(message: &str) -> ExitCode {
    // Not `eprintln!`, which panics when stderr is closed too.
    // Its reader gone (`visor-demo | head`) is no failure of the demo: say what happened.
    let said = if message.starts_with("cannot write its output") {
        format!("demo stopped: its output was closed ({message}); what it started is stopped, its folder removed")
    } else {
        format!("demo failed: {message}")
    };
    let _ = writeln!(std::io::stderr(), "{said}");
    ExitCode::FAILURE
}

/// What the demo must undo however it ends: the processes it started, its temp folder.
struct Session {
    root: PathBuf,
    /// `root` with symlinks resolved, as `/proc/<pid>/exe` names the node copies in it.
    real_root: PathBuf,
    /// The binaries the demo runs (symlinks resolved): a process left behind runs one of them.
    binaries: Vec<PathBuf>,
    children: Mutex<Children>,
}

#[derive(Default)]
struct Children {
    /// The children not yet waited for.
    pids: Vec<Pid>,
    /// Set by the cleanup: no child may start after it.
    closed: bool,
    /// The stop signal that ended the demo: its thread exits the process once cleaned up.
    signal: Option<Signal>,
}

/// Set once by [`begin`]; the signal thread finds the session here.
static SESSION: OnceLock<Session> = OnceLock::new();

/// The demo's session: on drop, stops the processes the demo started and removes its temp folder.
pub(crate) struct Guard(&'static Session);

impl Guard {
    pub(crate) fn root(&self) -> &Path {
        &self.0.root
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.close(None);
        if self.0.children.lock().unwrap_or_else(PoisonError::into_inner).signal.is_some() {
            // A stop signal ended the demo (the children's end may be what brought the main
            // thread here): its thread has cleaned up and exits the process with 128 + the
            // signal, which a return from `main` here must not pre-empt with another status.
            loop {
                std::thread::park();
            }
        }
    }
}

/// Starts the demo's session: its temp folder `$TMPDIR/<prefix>-<pid>`, and a thread that cleans
/// up when a stop signal comes. `binaries` are those it runs.
pub(crate) fn begin(prefix: &str, binaries: &[PathBuf]) -> Result<Guard, String> {
    // First: a stop signal from here on is handled, none kills the demo before it cleans up.
    watch_stop_signals().map_err(|e| format!("cannot handle stop signals: {e}"))?;
    let root = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir(&root).map_err(|e| {
        format!("cannot create the temp folder {}: {e} (remove it if an earlier demo left it)", root.display())
    })?;
    let real_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let binaries = binaries.iter().map(|b| std::fs::canonicalize(b).unwrap_or_else(|_| b.clone())).collect();
    let session = Session { root, real_root, binaries, children: Mutex::default() };
    if let Err(session) = SESSION.set(session) {
        let _ = std::fs::remove_dir_all(&session.root);
        return Err("a demo is already running in this process".to_owned());
    }
    SESSION.get().map(Guard).ok_or_else(|| "the demo's session is missing".to_owned())
}

/// A thread that, on SIGINT, SIGTERM or SIGHUP, cleans up and exits with 128 + the signal.
fn watch_stop_signals() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    // Registered here, before any child starts; the thread only waits. A handler (unlike a
    // blocked signal mask) does not pass on to the children: they get the default at exec.
    let (mut int, mut term, mut hup) = {
        let _entered = runtime.enter();
        (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?, signal(SignalKind::hangup())?)
    };
    std::thread::spawn(move || {
        let signal = runtime.block_on(async {
            tokio::select! {
                _ = int.recv() => Signal::SIGINT,
                _ = term.recv() => Signal::SIGTERM,
                _ = hup.recv() => Signal::SIGHUP,
            }
        });
        if let Some(session) = SESSION.get() {
            session.close(Some(signal));
            let _ = writeln!(
                std::io::stderr(),
                "visor-demo: stopped by {signal}: its processes are stopped and {} is removed",
                session.root.display()
            );
        }
        std::process::exit(128 + signal as i32);
    });
    Ok(())
}

impl Session {
    /// Stops the children (SIGTERM: a supervisor then stops its node; SIGKILL after
    /// [`STOP_GRACE`]), kills any process left behind, removes the temp folder. Once: a second
    /// call (the guard's drop after a signal's, or the reverse) waits for the first and returns.
    /// `signal`: the stop signal that ends the demo, if one does.
    fn close(&self, signal: Option<Signal>) {
        let mut children = self.children.lock().unwrap_or_else(PoisonError::into_inner);
        children.signal = children.signal.or(signal);
        if children.closed {
            return;
        }
        children.closed = true;
        let mut left = std::mem::take(&mut children.pids);
        for pid in &left {
            let _ = kill(*pid, Signal::SIGTERM);
        }
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            // Gone: reaped here, or by `wait` (ECHILD).
            left.retain(|pid| matches!(waitpid(*pid, Some(WaitPidFlag::WNOHANG)), Ok(WaitStatus::StillAlive)));
            if left.is_empty() || Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(POLL);
        }
        for pid in left {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
        }
        // What a supervisor killed above could not stop: its nodes, now orphans, not our children.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let strays = self.strays();
            if strays.is_empty() || Instant::now() >= deadline {
                break;
            }
            for pid in strays {
                let _ = kill(pid, Signal::SIGKILL);
            }
            std::thread::sleep(POLL);
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }

    /// Live processes the demo left behind: their command line names a path in the temp folder,
    /// and they run a binary in it (a release's copy of testnode), one the demo runs, or a shell
    /// (the Cosmos app is a script that execs testnode). A zombie's command line is empty.
    fn strays(&self) -> Vec<Pid> {
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        let mut inside = self.root.as_os_str().as_bytes().to_vec();
        inside.push(b'/');
        let own = std::process::id();
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| *pid != own)
            .filter(|pid| {
                let proc = Path::new("/proc").join(pid.to_string());
                let names_root = std::fs::read(proc.join("cmdline"))
                    .is_ok_and(|cmdline| cmdline.windows(inside.len()).any(|w| w == inside));
                names_root
                    && std::fs::read_link(proc.join("exe")).is_ok_and(|exe| {
                        exe.starts_with(&self.real_root)
                            || self.binaries.contains(&exe)
                            || exe.file_name().is_some_and(|n| ["sh", "dash", "bash"].iter().any(|s| n == *s))
                    })
            })
            .map(|pid| Pid::from_raw(pid as i32))
            .collect()
    }
}

/// Starts `command` as a child that the session stops when the demo ends.
pub(crate) fn spawn(command: &mut Command) -> Result<Child, String> {
    let what = command.get_program().to_string_lossy().into_owned();
    let Some(session) = SESSION.get() else {
        return command.spawn().map_err(|e| format!("cannot start {what}: {e}"));
    };
    let mut children = session.children.lock().unwrap_or_else(PoisonError::into_inner);
    if children.closed {
        return Err("the demo is stopping".to_owned());
    }
    let child = command.spawn().map_err(|e| format!("cannot start {what}: {e}"))?;
    children.pids.push(Pid::from_raw(child.id() as i32));
    Ok(child)
}

/// Waits for a child started by [`spawn`]. It stays a zombie until it is off the session's list,
/// so the cleanup never signals a pid that was reaped and reused meanwhile.
pub(crate) fn wait(child: &mut Child) -> Result<ExitStatus, String> {
    let pid = Pid::from_raw(child.id() as i32);
    while waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) == Err(nix::errno::Errno::EINTR) {}
    let status = match SESSION.get() {
        Some(session) => {
            let mut children = session.children.lock().unwrap_or_else(PoisonError::into_inner);
            children.pids.retain(|p| *p != pid);
            child.wait()
        }
        None => child.wait(),
    };
    status.map_err(|e| format!("cannot wait for a child: {e}"))
}

/// Runs `command` to its end and collects its output, as `Command::output` does, as a child
/// that the session stops when the demo ends.
pub(crate) fn output(command: &mut Command) -> Result<Output, String> {
    let mut child = spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))?;
    let stderr = child.stderr.take();
    // The two pipes read at once: neither can fill up and block the child while the other is read.
    let errors = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut s) = stderr {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let mut stdout = Vec::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_end(&mut stdout);
    }
    let stderr = errors.join().unwrap_or_default();
    let status = wait(&mut child)?;
    Ok(Output { status, stdout, stderr })
}

/// The face the demo shows.
enum Face {
    Vega,
    Cosmos,
}

/// The face the arguments ask for; `None` for help (wherever `--help` is, as nothing runs then).
fn parse_args(args: &[String]) -> Result<Option<Face>, String> {
    if args.iter().any(|a| matches!(a.as_str(), "-h" | "--help" | "help")) {
        return Ok(None);
    }
    match args {
        [] => Ok(Some(Face::Vega)),
        [face] if face == "cosmos" => Ok(Some(Face::Cosmos)),
        [first, ..] => {
            let unexpected = args.get(usize::from(first == "cosmos")).unwrap_or(first);
            Err(format!("unexpected argument {unexpected:?}: the only argument is `cosmos` (see `visor-demo --help`)"))
        }
    }
}

fn run_config(name: &str, testnode_home: &Path, socket: &Path, upgrade: bool) -> String {
    let mut core = vec!["start".to_owned(), "--home".into(), testnode_home.display().to_string()];
    core.extend(["--socket".into(), socket.display().to_string(), "--block-time".into(), "100ms".into()]);
    if upgrade {
        core.extend(["--upgrade-at".into(), UPGRADE_HEIGHT.to_string(), "--release-tag".into(), "v0.2.0".into()]);
        core.extend(["--accept-at".into(), "5".into()]);
    }
    let data_node = ["datanode".to_owned(), "start".into(), "--home".into(), testnode_home.display().to_string()];
    format!(
        "name = {name:?}\n\n[vega]\n  [vega.binary]\n    path = \"testnode\"\n    args = {core:?}\n  [vega.rpc]\n    socketPath = {:?}\n    httpPath = \"/rpc\"\n\n[data_node]\n  [data_node.binary]\n    path = \"testnode\"\n    args = {data_node:?}\n",
        socket.display().to_string()
    )
}

fn make_release(home: &Path, name: &str, version: &str, testnode: &Path, config: &str) -> std::io::Result<()> {
    let dir = home.join(name);
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(testnode, dir.join("testnode"))?;
    std::fs::write(dir.join("testnode.version"), version)?;
    std::fs::write(dir.join("run-config.toml"), config)
}

/// The built binaries `names`, beside the demo's own.
pub(crate) fn built<const N: usize>(names: [&str; N]) -> Result<[PathBuf; N], String> {
    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_owned))
        .ok_or("cannot find where the demo binary lives")?;
    let found = names.map(|n| bin_dir.join(n));
    if let Some(missing) = found.iter().find(|p| !p.exists()) {
        return Err(format!(
            "build the binaries first: `cargo build --release --workspace` ({} missing)",
            missing.display()
        ));
    }
    Ok(found)
}

/// The child's stderr and stdout, line by line, as they come.
pub(crate) fn output_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel::<String>();
    let streams: Vec<Box<dyn Read + Send>> = [
        child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    for stream in streams {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    rx
}

pub(crate) fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("{key}="))? + key.len() + 1;
    line[start..].split_whitespace().next()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match parse_args(&args) {
        Ok(Some(Face::Vega)) => vega(),
        Ok(Some(Face::Cosmos)) => cosmos::main(),
        Ok(None) => match std::io::stdout().write_all(HELP.as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "visor-demo: {e}");
            ExitCode::from(2)
        }
    }
}

fn vega() -> ExitCode {
    let [visor, testnode] = match built(["visor", "testnode"]) {
        Ok(found) => found,
        Err(e) => return fail(&e),
    };
    let session = match begin("visor-demo", &[visor.clone(), testnode.clone()]) {
        Ok(session) => session,
        Err(e) => return fail(&e),
    };
    let root = session.root().to_owned();
    let (home, data, socket) = (root.join("home"), root.join("testnode"), root.join("vega.sock"));
    let result = demo(&root, &visor, &testnode, &home, &data, &socket);
    // Stopped and removed before the verdict is printed.
    drop(session);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn demo(root: &Path, visor: &Path, testnode: &Path, home: &Path, data: &Path, socket: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    say!("visor demo (Vega) in {} (removed when it ends)", root.display())?;
    step(1, &format!("visor init --home {}", home.display()))?;
    let out = output(Command::new(visor).args(["init", "--home"]).arg(home))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    say!("    created config.toml, genesis/ and run-config.toml.example (commented)")?;

    step(2, "two releases, each with testnode as core and data node: genesis (v0.1.0) and v0.2.0")?;
    make_release(home, "genesis", "v0.1.0", testnode, &run_config("genesis", data, socket, true)).map_err(io)?;
    make_release(home, "v0.2.0", "v0.2.0", testnode, &run_config("v0.2.0", data, socket, false)).map_err(io)?;
    say!("    genesis runs v0.1.0; the network has accepted v0.2.0 at height {UPGRADE_HEIGHT} (a block every 100 ms)")?;
    say!("    v0.2.0 is prepared ahead of time, so the switch itself is stop + rename + spawn")?;

    step(3, "visor run: watch it start the node, learn of the upgrade, and carry it out")?;
    let started = Instant::now();
    // Not waited for on an early return: the session's cleanup stops it (SIGTERM, so the
    // visor stops its nodes too).
    let mut child = spawn(
        Command::new(visor)
            .args(["run", "--home"])
            .arg(home)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )?;
    let rx = output_lines(&mut child);
    let mut done = None;
    let mut confirmed = false;
    while done.is_none() || !confirmed {
        let left = DEADLINE.checked_sub(started.elapsed()).ok_or("no upgrade within a minute")?;
        let line = match rx.recv_timeout(left) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => return Err("no upgrade within a minute".to_owned()),
            Err(RecvTimeoutError::Disconnected) => return Err("the visor exited before the upgrade".to_owned()),
        };
        // Show the visor's own lines, trimmed of the timestamp, and the nodes' lines as they are.
        let shown = line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start());
        say!("    │ {shown}")?;
        confirmed |= line.contains("upgrade confirmed");
        if line.contains("upgrade done") {
            done = Some(line);
        }
    }
    let done = done.unwrap_or_default();

    step(4, "visor status")?;
    let out = output(Command::new(visor).args(["status", "--home"]).arg(home))?;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        say!("    {line}")?;
    }

    step(5, "SIGTERM to the visor: it stops the node, then exits")?;
    let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    let status = wait(&mut child)?;
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(2)) {
        say!("    │ {}", line.split_once("Z ").map_or(line.as_str(), |(_, rest)| rest.trim_start()))?;
    }
    say!("    visor exited with {status}")?;

    let starts = std::fs::read_to_string(data.join("starts.jsonl")).unwrap_or_default();
    let new_core = starts.lines().filter(|l| l.contains("\"role\":\"core\"")).nth(1).unwrap_or("(none)");
    let downtime_us: f64 = field(&done, "downtime_us").and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
    let ms = |key: &str| field(&done, key).and_then(|v| v.parse::<f64>().ok()).map_or(f64::NAN, |us| us / 1000.0);
    say!("\nResult")?;
    say!("    upgraded genesis (v0.1.0) -> v0.2.0 at height {UPGRADE_HEIGHT}, core and data node")?;
    say!(
        "    the new core started with: {}",
        new_core.split("\"args\":").nth(1).and_then(|a| a.split("],").next()).unwrap_or("?").to_owned() + "]"
    )?;
    say!(
        "    downtime (stop signal to new node spawned): {:.1} ms = stop {:.1} + wait {:.1} + switch {:.1} + spawn {:.1} ms",
        downtime_us / 1000.0,
        ms("stop_us"),
        ms("waited_us"),
        ms("switch_us"),
        ms("spawn_us"),
    )?;
    std::io::stdout().flush().map_err(|e| format!("cannot write its output ({e})"))?;
    if !status.success() {
        return Err(format!("the visor exited with {status}"));
    }
    Ok(())
}
