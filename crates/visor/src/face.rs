//! The Vega face: Vega Visor's files mapped onto the engine.

use std::path::{Path, PathBuf};

use visor_core::{Face, FaceError, NodeSpec, Settings};

pub(crate) struct VegaFace {
    config: PathBuf,
}

impl VegaFace {
    pub(crate) fn new(home: &Path) -> Self {
        Self { config: home.join("config.toml") }
    }
}

impl Face for VegaFace {
    fn load_settings(&self) -> Result<Settings, FaceError> {
        Ok(crate::config::load(&self.config)?.settings)
    }

    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError> {
        Ok(crate::run_config::read(dir)?)
    }

    fn watched_files(&self) -> Vec<PathBuf> {
        vec![self.config.clone()]
    }
}
