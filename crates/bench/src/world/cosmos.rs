//! The Cosmos face's world: `$DAEMON_HOME` with the app's RPC port in `config/config.toml`, a
//! genesis app (testnode through a script) whose chain has a governance plan at a height, and
//! the plan's binary already in `upgrades/<name>/bin`. The app writes `upgrade-info.json` at the
//! height, as `x/upgrade` does, and halts.

use std::path::{Path, PathBuf};
use std::process::Command;

use testnode::datagen::Rng;

use super::{Face, Setup, Tool, clean};
use crate::sys::{DEADLINE, Res, free_port, read_jsonl, run, wait_for, write_executable};

pub(super) struct Cosmos {
    bin: PathBuf,
    home: PathBuf,
    records: PathBuf,
    env: Vec<(String, String)>,
}

impl Cosmos {
    pub(super) fn prepare(tool: &Tool, setup: &Setup, root: &Path, records: &Path, rng: &mut Rng) -> Res<Self> {
        let home = root.join("home");
        let (rpc, grpc) = (free_port()?, free_port()?);
        let io = |e: std::io::Error| format!("cannot write the Cosmos home {}: {e}", home.display());
        std::fs::create_dir_all(home.join("config")).map_err(io)?;
        std::fs::create_dir_all(home.join("data")).map_err(io)?;
        std::fs::write(home.join("config/config.toml"), format!("[rpc]\nladdr = \"tcp://127.0.0.1:{rpc}\"\n"))
            .map_err(io)?;
        let mut env = vec![
            ("DAEMON_NAME".to_owned(), "simd".to_owned()),
            ("DAEMON_GRPC_ADDRESS".to_owned(), format!("127.0.0.1:{grpc}")),
        ];
        let mut set = |k: &str, v: &str| env.push((k.to_owned(), v.to_owned()));
        if setup.metrics && !tool.peer {
            set("COSMOVISOR_METRICS_LISTEN", "0");
        }
        if let Some(s) = &setup.strategy {
            set("COSMOVISOR_BACKUP_STRATEGY", s);
        }
        if setup.crash_restarts {
            set("COSMOVISOR_RESTART_ON_FAILURE", "true");
            set("COSMOVISOR_RESTART_ON_FAILURE_DELAY", "0s");
            set("COSMOVISOR_MAX_RESTARTS", "1000000");
        }
        let world = Self { bin: tool.bin.clone(), home: home.clone(), records: records.to_owned(), env };
        let app = |version: &str, extra: &str| {
            format!(
                "#!/bin/sh\nTESTNODE_VERSION={version} exec {} cosmos \"$@\" --records {} --rpc-port {rpc} --grpc-port {grpc} --block-time {} {extra}\n",
                setup.testnode.display(),
                records.display(),
                setup.block_time(),
            )
        };
        let genesis = root.join("simd-v1");
        let plan = if setup.upgrade {
            // The height is drawn per world: the moment the plan is written is unrelated to the
            // visor's timers.
            format!("--plan-name v2 --plan-height {} --plan-info ''", 10 + rng.below(21))
        } else {
            String::new()
        };
        write_executable(&genesis, &app("v1", &plan))?;
        run("cosmovisor init", world.cosmovisor().arg("init").arg(&genesis))?;
        if setup.upgrade {
            // Staged: the plan's binary is in place before the height.
            let dir = home.join("cosmovisor/upgrades/v2/bin");
            std::fs::create_dir_all(&dir).map_err(io)?;
            write_executable(&dir.join("simd"), &app("v2", ""))?;
        }
        Ok(world)
    }

    fn cosmovisor(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean(&mut cmd).env("DAEMON_HOME", &self.home);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

impl Face for Cosmos {
    fn command(&self) -> Command {
        let mut cmd = self.cosmovisor();
        cmd.args(["run", "start", "--home"]).arg(&self.home);
        cmd
    }

    fn trigger(&self, _: &mut Rng) -> Res<u64> {
        // The app writes upgrade-info.json at the height by itself; the record is made once the
        // file is whole.
        let plans = self.records.join("plans.jsonl");
        wait_for("the app to write upgrade-info.json", DEADLINE, || {
            read_jsonl(&plans).first().and_then(|r| r["atMicros"].as_u64())
        })
    }

    fn status_file(&self) -> Option<PathBuf> {
        Some(visor_core::Home::new(self.home.join("cosmovisor")).status_file())
    }
}
