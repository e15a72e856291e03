//! The classic process supervisors the visors are compared with, each running the same child
//! (`testnode run`) with its fastest settings.

use std::path::{Path, PathBuf};
use std::process::Command;

use testnode::datagen::Rng;

use super::{Face, Setup, Tool, clean};
use crate::sys::{Res, write_executable};

/// supervisord in the foreground: restart at once, a start counts as successful at once
/// (`startsecs=0`: no backoff state), no retry limit that a run could reach.
pub(super) struct Supervisord {
    bin: PathBuf,
    config: PathBuf,
}

impl Supervisord {
    pub(super) fn prepare(tool: &Tool, setup: &Setup, root: &Path, records: &Path) -> Res<Self> {
        let config = root.join("supervisord.conf");
        let text = format!(
            "[supervisord]\nnodaemon=true\nlogfile={root}/supervisord.log\npidfile={root}/supervisord.pid\nchildlogdir={root}\n\
             \n[program:node]\ncommand={testnode} run --home {records}\nautostart=true\nautorestart=true\nstartsecs=0\n\
             startretries=1000000\nstopsignal=TERM\nstopwaitsecs=10\nstopasgroup=true\nkillasgroup=true\n\
             stdout_logfile={root}/node.log\nredirect_stderr=true\n",
            root = root.display(),
            testnode = setup.testnode.display(),
            records = records.display(),
        );
        std::fs::write(&config, text).map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        Ok(Self { bin: tool.bin.clone(), config })
    }
}

impl Face for Supervisord {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean(&mut cmd).args(["-n", "-c"]).arg(&self.config);
        cmd
    }

    fn trigger(&self, _: &mut Rng) -> Res<u64> {
        Err("supervisord does not upgrade nodes".into())
    }

    fn status_file(&self) -> Option<PathBuf> {
        None
    }
}

/// `runsv` on one service folder whose `run` script execs the child: runit restarts a service
/// as soon as it exits (but waits a second when it ran for less than one).
pub(super) struct Runit {
    bin: PathBuf,
    service: PathBuf,
}

impl Runit {
    pub(super) fn prepare(tool: &Tool, setup: &Setup, root: &Path, records: &Path) -> Res<Self> {
        let service = root.join("service");
        std::fs::create_dir_all(&service).map_err(|e| format!("cannot make {}: {e}", service.display()))?;
        let script = format!(
            "#!/bin/sh\nexec {} run --home {} >>{}/node.log 2>&1\n",
            setup.testnode.display(),
            records.display(),
            root.display()
        );
        write_executable(&service.join("run"), &script)?;
        Ok(Self { bin: tool.bin.clone(), service })
    }
}

impl Face for Runit {
    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        clean(&mut cmd).arg(&self.service);
        cmd
    }

    fn trigger(&self, _: &mut Rng) -> Res<u64> {
        Err("runit does not upgrade nodes".into())
    }

    fn status_file(&self) -> Option<PathBuf> {
        None
    }
}
