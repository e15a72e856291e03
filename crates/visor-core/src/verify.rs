//! Verifying a release: is a folder complete, runnable and the expected version? Runs while the
//! old node still runs (and on a staged folder before it gets its final name), so none of it is
//! downtime.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::identity::{IdentityError, check_build_info, check_vega_version};
use crate::node::{Face, NodeSpec, Protocol};
use crate::resume::binaries;
use crate::stage::{Checksum, hash_file};

/// Why a release is not ready to run.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// The folder is missing.
    #[error("release folder {0} does not exist; create it with the release's binaries and run configuration")]
    MissingFolder(String),
    /// The face cannot read it.
    #[error("{0}")]
    Unreadable(String),
    /// A binary is missing.
    #[error("binary {0} does not exist; put the release's binary there or fix the path in the run configuration")]
    MissingBinary(String),
    /// A binary is not an executable file.
    #[error("{0} is not an executable file; run `chmod +x {0}` or fix the path in the run configuration")]
    NotExecutable(String),
    /// A binary is another version.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// A binary does not have the checksum its upgrade publishes.
    #[error("{binary} has checksum {actual}, but its upgrade publishes {expected}; replace the binary")]
    Checksum {
        /// The binary.
        binary: String,
        /// The published checksum.
        expected: String,
        /// The binary's.
        actual: String,
    },
}

/// Checks that every binary of `spec` is an executable regular file.
pub(crate) fn check_binaries(spec: &NodeSpec) -> Result<(), PreflightError> {
    for binary in binaries(spec) {
        let shown = binary.display().to_string();
        let meta = std::fs::metadata(binary).map_err(|_| PreflightError::MissingBinary(shown.clone()))?;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            return Err(PreflightError::NotExecutable(shown));
        }
    }
    Ok(())
}

/// Full check of the release in `dir` for `version` (and, for daemons, the build information
/// the upgrade names).
pub(crate) async fn preflight(
    face: &dyn Face,
    dir: &Path,
    version: &str,
    identity: Option<&serde_json::Map<String, serde_json::Value>>,
    checksum: Option<&Checksum>,
) -> Result<NodeSpec, PreflightError> {
    if !dir.is_dir() {
        return Err(PreflightError::MissingFolder(dir.display().to_string()));
    }
    let spec = face.read_release(dir).map_err(|e| PreflightError::Unreadable(e.to_string()))?;
    check_binaries(&spec)?;
    if let Some(expected) = checksum {
        for binary in binaries(&spec) {
            let (path, algorithm) = (binary.to_owned(), expected.algorithm);
            let actual = tokio::task::spawn_blocking(move || hash_file(&path, algorithm))
                .await
                .map_err(|e| PreflightError::Unreadable(e.to_string()))?
                .map_err(|e| PreflightError::Unreadable(format!("{}: {e}", binary.display())))?;
            if &actual != expected {
                return Err(PreflightError::Checksum {
                    binary: binary.display().to_string(),
                    expected: expected.to_string(),
                    actual: actual.to_string(),
                });
            }
        }
    }
    match spec.protocol {
        Protocol::Vega { .. } => {
            for binary in binaries(&spec) {
                check_vega_version(binary, version).await?;
            }
        }
        Protocol::Daemon => {
            for binary in binaries(&spec) {
                check_build_info(binary, version, identity).await?;
            }
        }
    }
    Ok(spec)
}
