//! The Vega face's world: a home with `config.toml` (the defaults, plus what the setup asks),
//! a genesis release whose core halts at an upgrade height, and the next release staged.

use std::path::{Path, PathBuf};
use std::process::Command;

use testnode::datagen::Rng;

use super::{Face, Setup, Tool, clean};
use crate::sys::{DEADLINE, Res, read_jsonl, wait_for};

pub(super) struct Vega {
    bin: PathBuf,
    home: PathBuf,
    records: PathBuf,
    metrics: bool,
}

impl Vega {
    pub(super) fn prepare(
        tool: &Tool,
        setup: &Setup,
        root: &Path,
        records: &Path,
        data: &Path,
        rng: &mut Rng,
    ) -> Res<Self> {
        let home = root.join("home");
        let socket = root.join("vega.sock");
        // Every key at its default; the visor refuses an empty file, so one default is spelled out.
        let mut config = String::from("stopDelaySeconds = 0\n");
        if setup.crash_restarts {
            // No delay and a budget no run spends; a window of a second so kills never add up.
            config.push_str("maxNumberOfRestarts = 1000000\nrestartsDelaySeconds = 0\nrestartsWindowSeconds = 1\n");
            config.push_str("maxNumberOfRestartConnectionRetries = 1000000\n");
        }
        if setup.data.is_some() || setup.strategy.is_some() {
            let strategy = setup.strategy.as_deref().unwrap_or("snapshot");
            config.push_str(&format!(
                "\n[backup]\nfolders = [{:?}]\nstrategy = {strategy:?}\n",
                data.display().to_string()
            ));
        }
        let io = |e: std::io::Error| format!("cannot write the Vega home {}: {e}", home.display());
        std::fs::create_dir_all(&home).map_err(io)?;
        std::fs::write(home.join("config.toml"), config).map_err(io)?;
        let mut core = vec!["start".to_owned(), "--home".into(), records.display().to_string()];
        core.extend([
            "--socket".into(),
            socket.display().to_string(),
            "--block-time".into(),
            setup.block_time().into(),
        ]);
        let mut genesis = core.clone();
        if setup.upgrade {
            // With 20 ms blocks the core halts 0.3–0.8 s after it starts: anywhere in the
            // visor's poll interval, as the height is drawn per world.
            let height = 15 + rng.below(26);
            genesis.extend(["--upgrade-at".into(), height.to_string(), "--release-tag".into(), "v0.2.0".into()]);
            genesis.extend(["--accept-at".into(), "2".into()]);
            release(&home.join("v0.2.0"), "v0.2.0", &core, &socket, &setup.testnode)?;
        }
        release(&home.join("genesis"), "v0.1.0", &genesis, &socket, &setup.testnode)?;
        Ok(Self { bin: tool.bin.clone(), home, records: records.to_owned(), metrics: setup.metrics && !tool.peer })
    }
}

/// A release folder: testnode (linked), its version, and a run configuration.
fn release(dir: &Path, version: &str, core: &[String], socket: &Path, testnode: &Path) -> Res<()> {
    let io = |e: std::io::Error| format!("cannot write the release {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(io)?;
    std::os::unix::fs::symlink(testnode, dir.join("testnode")).map_err(io)?;
    std::fs::write(dir.join("testnode.version"), version).map_err(io)?;
    let config = format!(
        "name = {version:?}\n[vega]\n  [vega.binary]\n    path = \"testnode\"\n    args = {core:?}\n  [vega.rpc]\n    socketPath = {:?}\n    httpPath = \"/rpc\"\n",
        socket.display().to_string()
    );
    std::fs::write(dir.join("run-config.toml"), config).map_err(io)
}

impl Face for Vega {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean(&mut cmd).args(["run", "--home"]).arg(&self.home);
        if self.metrics {
            cmd.env("VISOR_METRICS_LISTEN", "0");
        }
        cmd
    }

    fn trigger(&self, _: &mut Rng) -> Res<u64> {
        // The core halts at the height by itself; when it did is in its record.
        let ready = self.records.join("ready.jsonl");
        wait_for("the core to reach its upgrade height", DEADLINE, || {
            read_jsonl(&ready).first().and_then(|r| r["atMicros"].as_u64())
        })
    }

    fn status_file(&self) -> Option<PathBuf> {
        Some(visor_core::Home::new(&self.home).status_file())
    }
}
