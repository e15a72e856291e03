//! The test harness: a temporary home with `testnode` releases, the real `visor` binary, its
//! logs captured line by line, and waits on conditions with deadlines (never fixed sleeps).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use testnode::support::{Process as Visor, alive, read_jsonl, wait_until};

pub fn visor_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_visor"))
}

pub fn testnode_bin() -> PathBuf {
    testnode::support::testnode_beside(&visor_bin())
}

/// A test's world: a home folder, a data folder for testnode's records, the admin socket.
pub struct Env {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub data: PathBuf,
    pub socket: PathBuf,
}

/// Fast settings for tests; each test adds or overrides keys.
pub const FAST_CONFIG: &str = "\
maxNumberOfFirstConnectionRetries = 200
maxNumberOfRestartConnectionRetries = 200
maxNumberOfRestarts = 3
restartsDelaySeconds = 0
stopSignalTimeoutSeconds = 10
pollIntervalMilliseconds = 20
";

impl Env {
    /// An empty world: no home folder yet.
    pub fn empty() -> Self {
        let dir = tempfile::Builder::new().prefix("visor-it-").tempdir().expect("tempdir");
        let root = dir.path().to_owned();
        Self { home: root.join("home"), data: root.join("data"), socket: root.join("vega.sock"), _dir: dir }
    }

    /// A home with `config.toml` (fast settings + `extra`) and a genesis release of version
    /// v0.1.0 that upgrades to v0.2.0 at height `upgrade_at`.
    pub fn with_upgrade(upgrade_at: u64, extra_config: &str) -> Self {
        let env = Self::empty();
        env.write_config(extra_config);
        let args = env.core_args(&["--upgrade-at", &upgrade_at.to_string(), "--release-tag", "v0.2.0"]);
        env.release("genesis", "v0.1.0", &args, None);
        env
    }

    /// Writes `config.toml` = fast settings, then `extra` (later keys win by being unique).
    pub fn write_config(&self, extra: &str) {
        std::fs::create_dir_all(&self.home).unwrap();
        let mut text = String::new();
        for line in FAST_CONFIG.lines() {
            let key = line.split('=').next().unwrap().trim();
            if !extra.lines().any(|l| l.split('=').next().unwrap().trim() == key) {
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str(extra);
        std::fs::write(self.home.join("config.toml"), text).unwrap();
    }

    /// testnode core arguments: records in `data`, the admin socket, 20 ms blocks, then `extra`.
    pub fn core_args(&self, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = ["start", "--home"].map(String::from).to_vec();
        args.push(self.data.display().to_string());
        args.push("--socket".into());
        args.push(self.socket.display().to_string());
        args.extend(["--block-time", "20ms"].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    pub fn data_node_args(&self, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = ["datanode", "start", "--home"].map(String::from).to_vec();
        args.push(self.data.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    /// Creates the release folder `name` in the home: testnode (symlinked) reporting `version`,
    /// and a run configuration with the given core (and data-node) arguments.
    pub fn release(&self, name: &str, version: &str, core: &[String], data_node: Option<&[String]>) -> PathBuf {
        let dir = self.home.join(name);
        self.release_at(&dir, version, core, data_node);
        dir
    }

    /// Like [`Env::release`], into any folder (to prepare a release elsewhere and move it in).
    pub fn release_at(&self, dir: &Path, version: &str, core: &[String], data_node: Option<&[String]>) {
        std::fs::create_dir_all(dir).unwrap();
        let bin = dir.join("testnode");
        if !bin.exists() {
            std::os::unix::fs::symlink(testnode_bin(), &bin).unwrap();
        }
        std::fs::write(dir.join("testnode.version"), version).unwrap();
        std::fs::write(dir.join("run-config.toml"), self.run_config(version, core, data_node)).unwrap();
    }

    pub fn run_config(&self, name: &str, core: &[String], data_node: Option<&[String]>) -> String {
        let mut text = format!(
            "name = {name:?}\n[vega]\n  [vega.binary]\n    path = \"testnode\"\n    args = {core:?}\n  [vega.rpc]\n    socketPath = {:?}\n    httpPath = \"/rpc\"\n",
            self.socket.display().to_string()
        );
        if let Some(dn) = data_node {
            text.push_str(&format!("[data_node]\n  [data_node.binary]\n    path = \"testnode\"\n    args = {dn:?}\n"));
        }
        text
    }

    /// Runs a visor subcommand to completion.
    pub fn visor(&self, args: &[&str]) -> Output {
        Command::new(visor_bin()).args(args).output().expect("run visor")
    }

    /// Runs a visor subcommand to completion as user `nobody` (uid and gid 65534), after making
    /// the test's folders enterable by others (0755; the temporary folder itself is private).
    /// `None`, with a note, when this process is not root and cannot switch users.
    pub fn visor_as_nobody(&self, args: &[&str]) -> Option<Output> {
        use std::os::unix::process::CommandExt;
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: running visor as another user needs root");
            return None;
        }
        let root = self.home.parent().unwrap();
        std::fs::set_permissions(root, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let out = Command::new(visor_bin()).args(args).env("NO_COLOR", "1").uid(65534).gid(65534).output();
        Some(out.expect("run visor as nobody"))
    }

    pub fn status_json(&self) -> serde_json::Value {
        let out = self.visor(&["status", "--home", self.home.to_str().unwrap(), "--output", "json"]);
        assert!(out.status.success(), "visor status failed: {}", String::from_utf8_lossy(&out.stderr));
        let status = serde_json::from_slice(&out.stdout).expect("status json");
        // Every status a test reads follows the published schema.
        testnode::tooling::assert_status_schema(&status);
        status
    }

    /// Waits until `visor status --output json` satisfies `condition` (the running visor writes
    /// its status file in the background), and returns it.
    pub fn wait_status(&self, what: &str, condition: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        let mut last = serde_json::Value::Null;
        wait_until(what, || {
            last = self.status_json();
            condition(&last)
        });
        last
    }

    /// Starts `visor run --home` with extra environment variables.
    pub fn start_visor_with(&self, envs: &[(&str, &str)]) -> Visor {
        let mut command = Command::new(visor_bin());
        command
            .args(["run", "--home"])
            .arg(&self.home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.env_remove("RUST_LOG").env("NO_COLOR", "1");
        for (k, v) in envs {
            command.env(k, v);
        }
        Visor::spawn(command)
    }

    pub fn start_visor(&self) -> Visor {
        self.start_visor_with(&[])
    }

    /// testnode's start records, oldest first.
    pub fn starts(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.data.join("starts.jsonl"))
    }

    pub fn starts_of(&self, role: &str) -> Vec<serde_json::Value> {
        self.starts().into_iter().filter(|s| s["role"] == role).collect()
    }

    /// testnode's exit records.
    pub fn exits(&self) -> Vec<serde_json::Value> {
        read_jsonl(&self.data.join("exits.jsonl"))
    }

    /// The status file the visor writes.
    pub fn status_file(&self) -> PathBuf {
        visor_core::Home::new(&self.home).status_file()
    }

    /// Where `current` points (the link's text).
    pub fn current(&self) -> Option<String> {
        std::fs::read_link(self.home.join("current")).ok().map(|p| p.display().to_string())
    }

    /// The history, once no switch's bookkeeping is in flight.
    pub fn history(&self) -> serde_json::Value {
        testnode::support::settle_switch(&self.home.join(".visor"));
        serde_json::from_slice(&std::fs::read(self.home.join(".visor/history.json")).unwrap_or_default())
            .unwrap_or(serde_json::json!({ "switches": [] }))
    }
}

/// The asset name for this machine, as `vega-{os}-{arch}.zip` expands.
pub fn asset_name() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("vega-{}-{arch}.zip", std::env::consts::OS)
}

/// A release zip as Vega publishes it: the binary at the root (here testnode, reporting
/// `version`), named `vega`.
pub fn vega_zip(version: &str) -> Vec<u8> {
    let binary = std::fs::read(testnode_bin()).unwrap();
    testnode::release_server::zip(&[("vega", 0o755, &binary), ("testnode.version", 0o644, version.as_bytes())])
}

pub fn auto_install_config(server: &testnode::release_server::Server) -> String {
    format!(
        "[autoInstall]\nenabled = true\napiBaseUrl = \"{}\"\ntimeoutSeconds = 5\n[autoInstall.asset]\nname = \"vega-{{os}}-{{arch}}.zip\"\nbinaryName = \"vega\"\n",
        server.base()
    )
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
