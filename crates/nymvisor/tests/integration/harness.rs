//! The test world of a Nymvisor instance: a Nym home, a daemon home, daemon binaries of chosen
//! versions, an upstream on 127.0.0.1, and the real `nymvisor` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use testnode::release_server::{Asset, Server, sha256_hex};
pub use testnode::support::{Process, alive, read_jsonl, wait_until};

pub fn nymvisor_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nymvisor"))
}

pub fn testnode_bin() -> PathBuf {
    testnode::support::testnode_beside(&nymvisor_bin())
}

pub struct World {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub nym_home: PathBuf,
    pub daemon_home: PathBuf,
    /// The upgrade data folder of the nym-node daemon.
    pub data: PathBuf,
    /// Where testnode records its starts.
    pub records: PathBuf,
    pub server: Server,
    pub extra_env: Vec<(String, String)>,
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("nymvisor-it-").tempdir().unwrap();
        let root = dir.path().to_owned();
        let nym_home = root.join("home");
        let daemon_home = root.join("nym-node-home");
        std::fs::create_dir_all(daemon_home.join("data")).unwrap();
        std::fs::write(daemon_home.join("data/db"), b"the node's data").unwrap();
        let data = nym_home.join(".nym/nymvisors/data/nym-node");
        let records = root.join("records");
        Self {
            _dir: dir,
            root,
            nym_home,
            daemon_home,
            data,
            records,
            server: Server::start(Vec::new()),
            extra_env: Vec::new(),
        }
    }

    /// A nym-node binary reporting `version`, running testnode with `extra` arguments appended.
    pub fn daemon(&self, version: &str, extra: &str) -> PathBuf {
        let script = format!(
            "#!/bin/sh\nTESTNODE_VERSION={version} TESTNODE_BINARY_NAME=nym-node exec {} \"$@\" {extra}\n",
            testnode_bin().display()
        );
        let dir = self.root.join("bin");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("nym-node-{version}-{}", sha256_hex(script.as_bytes()).get(..8).unwrap()));
        std::fs::write(&path, script).unwrap();
        std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&path).unwrap().permissions(), 0o755);
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        path
    }

    fn command(&self) -> Command {
        let mut command = Command::new(nymvisor_bin());
        command
            .env_remove("RUST_LOG")
            .env("NYM_HOME_DIR", &self.nym_home)
            .env("DAEMON_HOME", &self.daemon_home)
            .env("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL", format!("{}/files/upgrade-info.json", self.server.base()))
            .env("NYMVISOR_UPSTREAM_POLLING_RATE", "200ms")
            .env("DAEMON_FAILURE_RESTART_DELAY", "0s")
            .env("DAEMON_SHUTDOWN_GRACE_PERIOD", "5s");
        for key in ["NYMVISOR_ID", "NYMVISOR_CONFIG_PATH", "DAEMON_NAME", "NYMVISOR_UPGRADE_DATA_DIRECTORY"] {
            command.env_remove(key);
        }
        for (k, v) in &self.extra_env {
            command.env(k, v);
        }
        command
    }

    /// Runs a nymvisor command to completion.
    pub fn nymvisor(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// `nymvisor init` with the genesis daemon of version 1.0.0.
    pub fn init(&self) {
        let out = self.nymvisor(&["init", self.daemon("1.0.0", "").to_str().unwrap()]);
        assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `nymvisor run run --home <records>` plus `args`, with extra environment.
    pub fn start_with(&self, args: &[&str], envs: &[(&str, &str)]) -> Process {
        let mut command = self.command();
        command.args(["run", "run", "--home"]).arg(&self.records).args(args);
        for (k, v) in envs {
            command.env(k, v);
        }
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        Process::spawn(command)
    }

    /// `nymvisor run` with its stdout and stderr where the test says (a full disk, a dead pipe).
    pub fn start_raw(&self, stdout: Stdio, stderr: Stdio, envs: &[(&str, &str)]) -> std::process::Child {
        let mut command = self.command();
        command.args(["run", "run", "--home"]).arg(&self.records);
        for (k, v) in envs {
            command.env(k, v);
        }
        command.stdin(Stdio::null()).stdout(stdout).stderr(stderr).spawn().unwrap()
    }

    /// A nymvisor command with extra environment and chosen streams, to completion.
    pub fn nymvisor_with(&self, args: &[&str], envs: &[(&str, &str)], stdout: Stdio) -> Output {
        let mut command = self.command();
        command.args(args).stdout(stdout).stderr(Stdio::piped());
        for (k, v) in envs {
            command.env(k, v);
        }
        command.output().unwrap()
    }

    /// A nymvisor command to completion as user `nobody` (uid and gid 65534), with extra
    /// environment, after making the test's folder enterable by others (0755; the temporary
    /// folder itself is private). `None`, with a note, when this process cannot switch users.
    pub fn nymvisor_as_nobody(&self, args: &[&str], envs: &[(&str, &str)]) -> Option<Output> {
        use std::os::unix::process::CommandExt;
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: running nymvisor as another user needs root");
            return None;
        }
        std::fs::set_permissions(&self.root, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let mut command = self.command();
        command.args(args).uid(65534).gid(65534);
        for (k, v) in envs {
            command.env(k, v);
        }
        Some(command.output().unwrap())
    }

    /// The daemon script for `version` with its own body instead of running testnode.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let dir = self.root.join("bin");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        path
    }

    pub fn start(&self) -> Process {
        self.start_with(&[], &[])
    }

    /// Publishes `binary` for download and an upgrade-info.json announcing it.
    pub fn announce(
        &self,
        name: &str,
        version: &str,
        at: jiff::Timestamp,
        binary: &Path,
        tweak: impl FnOnce(&mut serde_json::Value),
    ) {
        let bytes = std::fs::read(binary).unwrap();
        let file = format!("{name}-nym-node");
        let mut info = serde_json::json!({
            "manual": false,
            "name": name,
            "notes": "test",
            "publishDate": jiff::Timestamp::now().to_string(),
            "version": version,
            "platforms": { platform(): {
                "checksum": sha256_hex(&bytes),
                "checksumAlgorithm": "sha256",
                "url": format!("{}/files/{file}", self.server.base()),
            }},
            "upgradeTime": at.to_string(),
        });
        tweak(&mut info);
        let mut state = self.server.state.lock().unwrap();
        // The same binary served already keeps how it is served (a stall a test set up first).
        let kept = state.files.iter().any(|f| f.name == file && *f.data == bytes);
        state.files.retain(|f| (f.name != file || kept) && f.name != "upgrade-info.json");
        if !kept {
            state.files.push(Asset::new(&file, bytes));
        }
        state.files.push(Asset::new("upgrade-info.json", info.to_string().into_bytes()));
    }

    /// Serves `bytes` at `<base>/files/<name>`.
    pub fn serve_file(&self, name: &str, bytes: Vec<u8>) {
        let mut state = self.server.state.lock().unwrap();
        state.files.retain(|f| f.name != name);
        state.files.push(Asset::new(name, bytes));
    }

    /// Serves `body` as the upstream's upgrade-info.json.
    pub fn serve_upstream(&self, body: &[u8]) {
        let mut state = self.server.state.lock().unwrap();
        state.files.retain(|f| f.name != "upgrade-info.json");
        state.files.push(Asset::new("upgrade-info.json", body.to_vec()));
    }

    /// Waits until the upstream has been asked twice more (so the current answer was seen).
    pub fn wait_polls(&self) {
        let polls = || self.server.seen().iter().filter(|s| s.path.ends_with("/files/upgrade-info.json")).count();
        let before = polls();
        wait_until("the upstream is polled", || polls() >= before + 2);
    }

    pub fn json(&self, path: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap_or_default()).unwrap_or(serde_json::Value::Null)
    }

    /// The plan, once no switch's bookkeeping is in flight.
    pub fn plan(&self) -> serde_json::Value {
        testnode::support::settle_switch(&self.data.join(".visor"));
        self.json(&self.data.join("upgrade-plan.json"))
    }

    /// The history, once no switch's bookkeeping is in flight.
    pub fn history(&self) -> serde_json::Value {
        testnode::support::settle_switch(&self.data.join(".visor"));
        self.json(&self.data.join("upgrade-history.json"))
    }

    /// The status file the engine writes.
    pub fn status_file(&self) -> PathBuf {
        visor_core::Home::new(&self.data).status_file()
    }

    pub fn current(&self) -> Option<String> {
        std::fs::read_link(self.data.join("current")).ok().map(|p| p.display().to_string())
    }

    pub fn starts(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.records.join("starts.jsonl"))
    }

    /// The backups taken for upgrade `name` (not their manifests).
    pub fn backups(&self, name: &str) -> Vec<PathBuf> {
        std::fs::read_dir(self.daemon_home.join("nymvisor/backups").join(name))
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    // Not their manifests, nor a manifest being sealed (a hidden temporary).
                    .filter(|p| {
                        let name = p.file_name().unwrap_or_default().to_string_lossy();
                        !name.ends_with(".manifest") && !name.starts_with('.')
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// This machine's platform key in upgrade-info.json.
pub fn platform() -> String {
    let os = if std::env::consts::OS == "macos" { "darwin" } else { std::env::consts::OS };
    format!("{os}-{}", std::env::consts::ARCH)
}

pub fn in_seconds(s: i64) -> jiff::Timestamp {
    jiff::Timestamp::now() + jiff::SignedDuration::from_secs(s)
}

pub use visor_core::Exit;

/// The exit code of `exit`, as a test compares it.
pub fn code(exit: Exit) -> i32 {
    i32::from(exit.code())
}

/// clap's exit code for a usage error.
pub const USAGE: i32 = 2;
/// What a Rust panic exits with.
pub const PANIC: i32 = 101;
