//! The visor as PID 1 of a PID namespace, as a container runs it: every orphan that ends in the
//! namespace is reaped (the node's, and those of a shell an operator entered with), and SIGTERM
//! from outside stops the node in order before the visor exits cleanly.
//!
//! Runs under `unshare --pid --fork --mount-proc` where the machine allows PID namespaces (root,
//! or unprivileged user namespaces); skips, saying so, elsewhere. The namespace is watched from
//! outside through `/proc/<pid>/ns/pid` and the `NSpid` lines of `/proc/<pid>/status`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use nix::sys::signal::Signal;

use testnode::support::signal;

use crate::harness::{Env, Exit, Visor, alive, code, visor_bin, wait_until};

/// How this machine lets a test make a PID namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Privilege {
    /// Root: a PID namespace of its own.
    Root,
    /// Not root: inside a user namespace of its own first.
    UserNamespace,
}

impl Privilege {
    /// `unshare`'s options for a PID namespace with its own `/proc` (the visor reads it).
    fn unshare_args(self) -> &'static [&'static str] {
        match self {
            Self::Root => &["--pid", "--fork", "--mount-proc"],
            Self::UserNamespace => &["--user", "--map-root-user", "--pid", "--fork", "--mount-proc"],
        }
    }

    /// `nsenter`'s options to run a command in the PID namespace of `pid`, with its `/proc`.
    fn nsenter_args(self, pid: i32) -> Vec<String> {
        let mut args = vec!["--target".to_owned(), pid.to_string()];
        if self == Self::UserNamespace {
            args.extend(["--user", "--preserve-credentials"].map(String::from));
        }
        args.extend(["--pid", "--mount"].map(String::from));
        args
    }
}

/// Whether PID namespaces can be made here, probed once with a trivial command.
fn pid_namespaces() -> Option<Privilege> {
    static PROBED: OnceLock<Option<Privilege>> = OnceLock::new();
    *PROBED.get_or_init(|| {
        let works = |p: Privilege| {
            Command::new("unshare")
                .args(p.unshare_args())
                .arg("true")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let found = [Privilege::Root, Privilege::UserNamespace].into_iter().find(|&p| works(p));
        if found.is_none() {
            eprintln!(
                "skipped: this machine lets this user make no PID namespace (`unshare --pid --fork --mount-proc true` \
                 failed as it is and inside a user namespace); run as root or enable user namespaces"
            );
        }
        found
    })
}

/// How the visor's session is set up in its namespace.
#[derive(Debug, Clone, Copy)]
enum Session {
    /// A session and process group of its own, as container runtimes start PID 1 (runc calls
    /// `setsid`).
    Own,
    /// The process group of the test, which lies outside the namespace: `unshare --fork` as it is.
    Inherited,
}

/// One process of the namespace, as seen from outside.
#[derive(Debug)]
struct Member {
    /// Its PID outside.
    pid: i32,
    /// Its PID inside.
    inner: i32,
    /// Its parent's PID outside.
    ppid: i32,
    /// R, S, Z, ...
    state: char,
    /// Its command line, arguments joined by spaces.
    command: String,
}

/// A visor running as PID 1 of a namespace of its own.
struct Namespace {
    /// The `unshare` process: it ends with the visor's exit code.
    unshare: Visor,
    /// The visor's PID outside the namespace.
    init: i32,
    /// The namespace (`pid:[inode]`).
    id: String,
    privilege: Privilege,
}

impl Namespace {
    fn start(env: &Env, privilege: Privilege, session: Session, envs: &[(&str, &str)]) -> Self {
        let mut command = Command::new("unshare");
        // --kill-child: if the test dies, so does everything in the namespace.
        command.args(privilege.unshare_args()).arg("--kill-child");
        if let Session::Own = session {
            command.arg("setsid");
        }
        command
            .arg(visor_bin())
            .args(["run", "--home"])
            .arg(&env.home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1");
        for (k, v) in envs {
            command.env(k, v);
        }
        let unshare = Visor::spawn(command);
        let parent = unshare.pid();
        let mut init = None;
        wait_until("the visor runs as PID 1 of its namespace", || {
            init = children_of(parent).into_iter().find(|&pid| inner_pid(pid) == Some(1));
            init.is_some()
        });
        let init = init.unwrap_or_default();
        let id =
            std::fs::read_link(format!("/proc/{init}/ns/pid")).expect("the visor's namespace").display().to_string();
        Self { unshare, init, id, privilege }
    }

    fn members(&self) -> Vec<Member> {
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read_link(format!("/proc/{pid}/ns/pid")).is_ok_and(|l| l.display().to_string() == self.id)
            })
            .filter_map(member)
            .collect()
    }

    fn zombies(&self) -> Vec<Member> {
        self.members().into_iter().filter(|m| m.state == 'Z').collect()
    }

    /// The PID outside of the namespace's process `inner`.
    fn outer(&self, inner: i32) -> Option<i32> {
        self.members().into_iter().find(|m| m.inner == inner).map(|m| m.pid)
    }

    /// Runs `script` with `sh` in the namespace from outside, as `docker exec` or `kubectl exec`
    /// do, and waits for the shell to end. `own_session`: in a session of its own, as runc starts
    /// them; else in the test's process group, which lies outside the namespace.
    fn exec(&self, script: &str, own_session: bool) {
        let shell: &[&str] = if own_session { &["setsid", "sh", "-c"] } else { &["sh", "-c"] };
        let status = Command::new("nsenter")
            .args(self.privilege.nsenter_args(self.init))
            .args(shell)
            .arg(script)
            .stdin(Stdio::null())
            .status()
            .expect("run nsenter");
        assert!(status.success(), "nsenter into the visor's namespace failed: {status}");
    }

    /// Runs `visor status --home <home> <args>` in the namespace, as a container's health check
    /// or a Kubernetes exec probe does; returns its exit code and what it printed.
    fn status(&self, env: &Env, args: &[&str]) -> (i32, String) {
        let out = Command::new("nsenter")
            .args(self.privilege.nsenter_args(self.init))
            .arg(visor_bin())
            .args(["status", "--home"])
            .arg(&env.home)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run nsenter");
        let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code().unwrap_or(-1), printed)
    }

    /// The visor's status file, once the visor inside wrote it as PID 1.
    fn wait_status(&self, env: &Env, what: &str, condition: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let mut found = serde_json::Value::Null;
        wait_until(what, || {
            found = std::fs::read(env.status_file())
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .filter(|s: &serde_json::Value| s["visorPid"] == 1)
                .unwrap_or_default();
            condition(&found)
        });
        found
    }
}

fn children_of(parent: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let parent = parent.to_string();
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| status_field(pid, "PPid:").is_some_and(|p| p == parent))
        .collect()
}

/// The PID of `pid` inside its own namespace (the last field of `NSpid`).
fn inner_pid(pid: i32) -> Option<i32> {
    status_field(pid, "NSpid:")?.split_whitespace().last()?.parse().ok()
}

fn status_field(pid: i32, key: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_owned())
}

fn member(pid: i32) -> Option<Member> {
    let command = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    Some(Member {
        pid,
        inner: inner_pid(pid)?,
        ppid: status_field(pid, "PPid:")?.parse().ok()?,
        state: status_field(pid, "State:")?.chars().next()?,
        command: String::from_utf8_lossy(&command).split('\0').filter(|a| !a.is_empty()).collect::<Vec<_>>().join(" "),
    })
}

/// The PID testnode's grandchild wrote (its PID inside the namespace).
fn grandchild(data: &Path) -> Option<i32> {
    std::fs::read_to_string(data.join("grandchild.pid")).ok()?.trim().parse().ok()
}

/// Both ways the visor follows the node: its own cgroup where the machine allows one, and
/// parentage (`VISOR_CGROUP=off`), where being the namespace's reaper matters most.
const TRACKING: [&[(&str, &str)]; 2] = [&[], &[("VISOR_CGROUP", "off")]];

/// Orphans made by a shell entered from outside: eight that stay until killed, eight that end
/// by themselves at once. Their shell ends first, so each is handed to PID 1.
const ORPHANS: &str = "for i in 1 2 3 4 5 6 7 8; do sleep 600 & sleep 0 & done; exit 0";

fn reaps_every_orphan_and_stops_in_order(privilege: Privilege, session: Session) {
    for tracking in TRACKING {
        let env = Env::empty();
        env.write_config("stopSignalTimeoutSeconds = 10\nmaxNumberOfRestarts = 5\n");
        // The core forks a grandchild that leaves its process group, as a daemonizing node does.
        env.release("genesis", "v0.1.0", &env.core_args(&["--setsid-grandchild"]), None);
        let mut ns = Namespace::start(&env, privilege, session, tracking);
        ns.wait_status(&env, "the node running under the visor as PID 1", |s| {
            s["state"] == "running" && s["processes"].as_array().is_some_and(|p| !p.is_empty())
        });

        // The probes a container's health check and Kubernetes run, from inside.
        for probe in ["live", "ready"] {
            let (exit, printed) = ns.status(&env, &["--probe", probe]);
            assert_eq!(exit, 0, "--probe {probe} inside the namespace ({tracking:?}): {printed}");
        }

        // The node's orphans: the core dies, its grandchild is handed to PID 1, the visor stops
        // it with the rest of the node and must reap it before starting the node again.
        wait_until("the grandchild runs", || grandchild(&env.data).is_some_and(|g| ns.outer(g).is_some()));
        let first = ns.outer(grandchild(&env.data).unwrap_or_default()).unwrap_or_default();
        let core = ns.outer(env.starts_of("core")[0]["pid"].as_i64().unwrap_or_default() as i32).unwrap_or_default();
        assert!(core > 0 && first > 0, "the core and its grandchild are in the namespace: {:?}", ns.members());
        signal(core, Signal::SIGKILL);
        wait_until("the core restarted", || env.starts_of("core").len() == 2);
        ns.wait_status(&env, "the restarted node running", |s| s["state"] == "running" && s["restarts"] == 1);
        wait_until("the first grandchild stopped and reaped", || !Path::new(&format!("/proc/{first}")).exists());

        // Orphans of shells entered from outside, which the node knows nothing of: one in a
        // session of its own, one in a process group the namespace cannot see.
        for own_session in [true, false] {
            ns.exec(ORPHANS, own_session);
            let mut adopted = Vec::new();
            wait_until("the shell's children that outlived it", || {
                adopted = ns.members().into_iter().filter(|m| m.command == "sleep 600").collect();
                adopted.len() == 8
            });
            for orphan in &adopted {
                assert_eq!(orphan.ppid, ns.init, "an orphan is adopted by PID 1: {orphan:?}");
                signal(orphan.pid, Signal::SIGKILL);
            }
            wait_until("every orphan that ended reaped by PID 1", || {
                ns.zombies().is_empty() && !ns.members().iter().any(|m| m.command.starts_with("sleep"))
            });
        }

        // SIGTERM from outside: PID 1 gets only the signals it handles, and the visor handles it.
        let node_now = ns.outer(env.starts_of("core")[1]["pid"].as_i64().unwrap_or_default() as i32);
        let second = grandchild(&env.data).and_then(|g| ns.outer(g));
        signal(ns.init, Signal::SIGTERM);
        assert_eq!(
            ns.unshare.wait_exit(),
            code(Exit::Clean),
            "the visor as PID 1 exits cleanly on SIGTERM ({tracking:?})"
        );
        let exits: Vec<_> = env.exits().into_iter().filter(|e| e["role"] == "core").collect();
        assert_eq!(
            exits.last().map(|e| e["reason"].clone()),
            Some("signal".into()),
            "the core got its stop signal and exited by itself, before the namespace went: {exits:?}"
        );
        let logs = ns.unshare.logs().join("\n");
        assert!(logs.contains("signal=\"SIGTERM\"") && logs.contains("node stopped"), "{logs}");
        for pid in [node_now, second].into_iter().flatten() {
            assert!(!alive(pid), "process {pid} of the node outlived the visor");
        }
    }
}

#[test]
fn as_pid_1_the_visor_reaps_every_orphan_and_stops_in_order_on_sigterm() {
    let Some(privilege) = pid_namespaces() else { return };
    reaps_every_orphan_and_stops_in_order(privilege, Session::Own);
}

#[test]
fn as_pid_1_the_visor_stops_in_order_on_sigint_and_sigquit_too() {
    let Some(privilege) = pid_namespaces() else { return };
    for sig in [Signal::SIGINT, Signal::SIGQUIT] {
        let env = Env::with_upgrade(100_000, "");
        let mut ns = Namespace::start(&env, privilege, Session::Own, &[]);
        ns.wait_status(&env, "the node running under the visor as PID 1", |s| s["state"] == "running");
        // The visor says `running` once it spawned the core; the core handles its stop signal
        // from the line it prints.
        ns.unshare.wait_log("testnode core");
        signal(ns.init, sig);
        assert_eq!(ns.unshare.wait_exit(), code(Exit::Clean), "{sig}");
        let exits = env.exits();
        assert_eq!(exits.len(), 1, "the core got its stop signal and exited by itself ({sig}): {exits:?}");
        assert_eq!(exits[0]["reason"], "signal");
    }
}

#[test]
fn as_pid_1_in_a_process_group_outside_its_namespace_the_visor_still_reaps_every_orphan() {
    let Some(privilege) = pid_namespaces() else { return };
    reaps_every_orphan_and_stops_in_order(privilege, Session::Inherited);
}
