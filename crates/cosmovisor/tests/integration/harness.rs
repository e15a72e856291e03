//! The test world of a Cosmos node: `$DAEMON_HOME` with `config/config.toml` naming the app's
//! RPC port, app scripts that run testnode in Cosmos mode, a release server, and the real
//! `cosmovisor` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use testnode::release_server::{Asset, Server, sha256_hex};
pub use testnode::support::{Process, read_jsonl, wait_until};
pub use visor_core::Exit;

pub fn cosmovisor_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cosmovisor"))
}

pub fn testnode_bin() -> PathBuf {
    testnode::support::testnode_beside(&cosmovisor_bin())
}

/// The process exit code of `exit`.
pub fn code(exit: Exit) -> i32 {
    i32::from(exit.code())
}

/// clap's exit code for a usage error (the other faces'); cosmovisor's hand-parsed commands
/// end with it too.
pub const USAGE: i32 = 2;

/// Runs `command` as `nobody` (uid and gid 65534), for a folder another user owns; `None`,
/// having said why, when this test does not run as root (switching users needs it).
pub fn as_nobody(mut command: Command) -> Option<Output> {
    use std::os::unix::process::CommandExt;
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: running cosmovisor as another user needs root");
        return None;
    }
    Some(command.uid(65534).gid(65534).stdin(Stdio::null()).output().unwrap())
}

/// Sets the mode of each folder (the test's temporary folder is private: another user needs
/// 0755 on the way to the home).
pub fn set_modes(folders: &[(&Path, u32)]) {
    use std::os::unix::fs::PermissionsExt;
    for (folder, mode) in folders {
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(*mode)).unwrap();
    }
}

pub struct World {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    /// `$DAEMON_HOME`.
    pub home: PathBuf,
    /// Where the apps record their starts, exits and plans.
    pub records: PathBuf,
    pub rpc_port: u16,
    pub grpc_port: u16,
    pub env: Vec<(String, String)>,
}

use testnode::tooling::free_port;

impl World {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("cosmovisor-it-").tempdir().unwrap();
        let root = dir.path().to_owned();
        let home = root.join("home");
        std::fs::create_dir_all(home.join("config")).unwrap();
        std::fs::create_dir_all(home.join("data")).unwrap();
        let rpc_port = free_port();
        let grpc_port = free_port();
        std::fs::write(home.join("config/config.toml"), format!("[rpc]\nladdr = \"tcp://127.0.0.1:{rpc_port}\"\n"))
            .unwrap();
        let records = root.join("records");
        Self {
            _dir: dir,
            root,
            home,
            records,
            rpc_port,
            grpc_port,
            env: vec![
                ("DAEMON_GRPC_ADDRESS".into(), format!("127.0.0.1:{grpc_port}")),
                ("DAEMON_NAME".into(), "simd".into()),
                ("DAEMON_POLL_INTERVAL".into(), "100ms".into()),
                ("DAEMON_SHUTDOWN_GRACE".into(), "10s".into()),
                ("UNSAFE_SKIP_BACKUP".into(), "true".into()),
            ],
        }
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// The text of an app script of `version`: testnode as a Cosmos app, `extra` appended.
    pub fn app_script(&self, version: &str, extra: &str) -> String {
        format!(
            "#!/bin/sh\nTESTNODE_VERSION={version} exec {} cosmos \"$@\" --records {} --rpc-port {} --grpc-port {} --block-time 40ms {extra}\n",
            testnode_bin().display(),
            self.records.display(),
            self.rpc_port,
            self.grpc_port
        )
    }

    /// An app binary (a script) of `version`.
    pub fn app(&self, version: &str, extra: &str) -> PathBuf {
        let script = self.app_script(version, extra);
        let dir = self.root.join("bin");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("simd-{version}-{}", sha256_hex(script.as_bytes()).get(..8).unwrap()));
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        path
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(cosmovisor_bin());
        command.env_remove("RUST_LOG").env("NO_COLOR", "1");
        for key in KEYS {
            command.env_remove(key);
        }
        command.env("DAEMON_HOME", &self.home);
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    pub fn cosmovisor(&self, args: &[&str]) -> Output {
        self.command().args(args).stdin(Stdio::null()).output().unwrap()
    }

    /// `cosmovisor init` with a genesis app of version v1 that runs with `extra`.
    pub fn init(&self, extra: &str) {
        let out = self.cosmovisor(&["init", self.app("v1", extra).to_str().unwrap()]);
        assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `cosmovisor add-upgrade <name> <app of version>` with extra flags.
    pub fn add_upgrade(&self, name: &str, version: &str, flags: &[&str]) -> Output {
        let app = self.app(version, "");
        let mut args = vec!["add-upgrade", name, app.to_str().unwrap()];
        args.extend_from_slice(flags);
        self.cosmovisor(&args)
    }

    /// `cosmovisor run start --home $DAEMON_HOME` plus `args`.
    pub fn start_with(&self, args: &[&str]) -> Process {
        let mut command = self.command();
        command.args(["run", "start", "--home"]).arg(&self.home).args(args);
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        Process::spawn(command)
    }

    pub fn start(&self) -> Process {
        self.start_with(&[])
    }

    pub fn status_file(&self) -> PathBuf {
        visor_core::Home::new(self.home.join("cosmovisor")).status_file()
    }

    pub fn current(&self) -> Option<String> {
        std::fs::read_link(self.home.join("cosmovisor/current")).ok().map(|p| p.display().to_string())
    }

    pub fn starts(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.records.join("starts.jsonl"))
    }

    pub fn exits(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.records.join("exits.jsonl"))
    }

    pub fn plans(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.records.join("plans.jsonl"))
    }

    /// The chain's height as the app last saved it.
    pub fn height(&self) -> u64 {
        std::fs::read_to_string(self.home.join("data/testnode-height"))
            .ok()
            .and_then(|h| h.trim().parse().ok())
            .unwrap_or(0)
    }

    /// The backups in `DAEMON_DATA_BACKUP_DIR` (the home), by name, without their manifests.
    pub fn backups(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.home)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("data-backup-") && !n.ends_with(".manifest"))
            .collect();
        names.sort();
        names
    }

    /// `cosmovisor backup list --output json`.
    pub fn backup_list(&self) -> Vec<serde_json::Value> {
        let out = self.cosmovisor(&["backup", "list", "--output", "json"]);
        assert!(out.status.success(), "backup list: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
            .unwrap_or_else(|e| panic!("backup list: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    pub fn json(&self, path: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap_or_default()).unwrap_or(serde_json::Value::Null)
    }
}

/// Every variable the face reads, removed from the test's environment first.
pub use cosmovisor::VARIABLES as KEYS;
