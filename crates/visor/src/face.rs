//! The Vega face: Vega Visor's files mapped onto the engine.

use std::path::{Path, PathBuf};

use visor_core::stage::StageProgress;
use visor_core::{Face, FaceError, NodeSpec, Settings};

use crate::run_config::RUN_CONFIG;
use facekit::ProgressDisplay;

pub(crate) struct VegaFace {
    home: PathBuf,
    config: PathBuf,
    progress: ProgressDisplay,
}

impl VegaFace {
    pub(crate) fn new(home: &Path) -> Self {
        Self { home: home.to_owned(), config: home.join("config.toml"), progress: ProgressDisplay::new() }
    }
}

impl Face for VegaFace {
    fn load_settings(&self) -> Result<Settings, FaceError> {
        Ok(crate::config::load(&self.config)?)
    }

    fn hints(&self) -> visor_core::Hints {
        visor_core::Hints {
            map_release: "map the tag to a folder in upgradeFolders".to_owned(),
            connection_budget: [
                "maxNumberOfFirstConnectionRetries".to_owned(),
                "maxNumberOfRestartConnectionRetries".to_owned(),
            ],
            provide_release: "put the release folder in place".to_owned(),
            create_home: "run `visor init --home {home}` or create it".to_owned(),
            binary_path: "fix `path` under `[vega.binary]` or `[data_node.binary]` in the release's run-config.toml"
                .to_owned(),
            admin_endpoint:
                "check that `vega.rpc.socketPath` in {release}/run-config.toml is the core's `[Admin.Server] \
                             SocketPath` (in the core's config.toml), and that the core runs with its admin server on"
                    .to_owned(),
            ..visor_core::Hints::default()
        }
    }

    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError> {
        Ok(crate::run_config::read(dir)?)
    }

    fn watched_files(&self) -> Vec<PathBuf> {
        vec![self.config.clone()]
    }

    /// The staged release's `run-config.toml`, made from the running release's.
    fn write_release(&self, dir: &Path, version: &str, binary: &Path) -> Result<(), FaceError> {
        let current = self.home.join("current").join(RUN_CONFIG);
        let text = crate::run_config::for_staged_release(&current, version, binary)?;
        visor_core::write_atomic(&dir.join(RUN_CONFIG), text.as_bytes(), 0o600)?;
        Ok(())
    }

    fn staging_progress(&self, progress: &StageProgress) {
        self.progress.update(progress);
    }

    fn work_progress(&self, progress: &visor_core::backup::WorkProgress) {
        self.progress.work(progress);
    }
}
