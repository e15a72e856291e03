//! The Nym face's world: a Nym home initialised with a genesis daemon (testnode through a
//! script reporting its version), the daemon's home, and an upstream on 127.0.0.1 that announces
//! nothing. The upgrade is `add-upgrade --now`, run by another process as an operator would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testnode::datagen::Rng;

use super::{Face, Setup, Tool, clean};
use crate::sys::{Res, now_micros, run, write_executable};

pub(super) struct Nym {
    bin: PathBuf,
    nym_home: PathBuf,
    daemon_home: PathBuf,
    records: PathBuf,
    bins: PathBuf,
    testnode: PathBuf,
    env: Vec<(String, String)>,
}

impl Nym {
    pub(super) fn prepare(tool: &Tool, setup: &Setup, root: &Path, records: &Path) -> Res<Self> {
        let daemon_home = root.join("daemon-home");
        std::fs::create_dir_all(&daemon_home).map_err(|e| format!("cannot make {}: {e}", daemon_home.display()))?;
        let mut env = vec![("DAEMON_ABSOLUTE_UPSTREAM_UPGRADE_URL".to_owned(), setup.upstream.clone())];
        let mut set = |k: &str, v: &str| env.push((k.to_owned(), v.to_owned()));
        if setup.metrics && !tool.peer {
            set("NYMVISOR_METRICS_LISTEN", "0");
        }
        if let Some(s) = &setup.strategy {
            set("DAEMON_BACKUP_STRATEGY", s);
        }
        if setup.crash_restarts {
            set("DAEMON_FAILURE_RESTART_DELAY", "0s");
            set("DAEMON_MAX_STARTUP_FAILURES", "1000000");
            // Only failures in quick succession count: a second apart never adds up.
            set("DAEMON_STARTUP_PERIOD_DURATION", "1s");
        }
        let world = Self {
            bin: tool.bin.clone(),
            nym_home: root.join("home"),
            daemon_home,
            records: records.to_owned(),
            bins: root.join("bin"),
            testnode: setup.testnode.clone(),
            env,
        };
        std::fs::create_dir_all(&world.bins).map_err(|e| format!("cannot make {}: {e}", world.bins.display()))?;
        let genesis = world.daemon("1.0.0")?;
        run("nymvisor init", world.nymvisor().arg("init").arg(&genesis))?;
        for i in 0..setup.queued {
            // Queued an hour ahead: known, staged, not due.
            let binary = world.daemon(&format!("1.{}.0", i + 1))?;
            run(
                "nymvisor add-upgrade (queued)",
                world
                    .nymvisor()
                    .arg("add-upgrade")
                    .arg(&binary)
                    .args(["--upgrade-name", &format!("queued-{i}")])
                    .args(["--upgrade-delay", "1h"]),
            )?;
        }
        Ok(world)
    }

    /// A nym-node binary: a script that runs testnode as a daemon reporting `version`.
    fn daemon(&self, version: &str) -> Res<PathBuf> {
        let path = self.bins.join(format!("nym-node-{version}"));
        let script = format!(
            "#!/bin/sh\nTESTNODE_VERSION={version} TESTNODE_BINARY_NAME=nym-node exec {} \"$@\"\n",
            self.testnode.display()
        );
        write_executable(&path, &script)?;
        Ok(path)
    }

    fn nymvisor(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean(&mut cmd).env("NYM_HOME_DIR", &self.nym_home).env("DAEMON_HOME", &self.daemon_home);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

impl Face for Nym {
    fn command(&self) -> Command {
        let mut cmd = self.nymvisor();
        cmd.args(["run", "run", "--home"]).arg(&self.records);
        cmd
    }

    fn trigger(&self, rng: &mut Rng) -> Res<u64> {
        // At a moment unrelated to the visor's own timers.
        std::thread::sleep(Duration::from_millis(rng.below(300)));
        let binary = self.daemon("2.0.0")?;
        run(
            "nymvisor add-upgrade --now",
            self.nymvisor().arg("add-upgrade").arg(&binary).args(["--upgrade-name", "now", "--now"]),
        )?;
        // Written: the command has saved the plan and ended.
        Ok(now_micros())
    }

    fn status_file(&self) -> Option<PathBuf> {
        Some(visor_core::Home::new(self.nym_home.join(".nym/nymvisors/data/nym-node")).status_file())
    }
}
