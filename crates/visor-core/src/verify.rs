//! Verifying a release: is a folder complete, runnable and the expected version? Runs while the
//! old node still runs (and on a staged folder before it gets its final name), so none of it is
//! downtime.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::identity::{IdentityError, Memory, check_build_info, check_vega_version, recall, remember};
use crate::node::{Face, NodeSpec, Protocol};
use crate::source::vega_resume::binaries;
use crate::stage::{Checksum, hash_file};

/// Why a release is not ready to run.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// The folder is missing.
    #[error("release folder {0} does not exist")]
    MissingFolder(String),
    /// The face cannot read it.
    #[error("{0}")]
    Unreadable(String),
    /// A binary is missing; the second part is where the face takes its path from.
    #[error("binary {0} does not exist; put the release's binary there{1}")]
    MissingBinary(String, String),
    /// A binary is not an executable file.
    #[error("{0} is not an executable file; run `chmod +x {0}`{1}")]
    NotExecutable(String, String),
    /// A binary is another version.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// There is no room for the backup taken before the switch: the node is not stopped.
    #[error("{0}")]
    NoRoom(String),
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

/// What a verified release was on disk: each binary's identity (device, inode, size, change
/// time). The switch compares it again just before the journal, so a folder moved, replaced or
/// rewritten after the verification (during the stop's grace period, say) is never switched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fingerprint(Vec<(std::path::PathBuf, u64, u64, u64, i64, i64)>);

/// The fingerprint of `spec`'s binaries as they are now.
pub(crate) fn fingerprint(spec: &NodeSpec) -> std::io::Result<Fingerprint> {
    use std::os::unix::fs::MetadataExt;
    let mut parts = Vec::new();
    for binary in binaries(spec) {
        let meta = std::fs::metadata(binary)?;
        parts.push((binary.to_owned(), meta.dev(), meta.ino(), meta.len(), meta.ctime(), meta.ctime_nsec()));
    }
    Ok(Fingerprint(parts))
}

/// Checks, against the disk and at the last moment, that the release in `dir` is still the one
/// verified: the folder is there, the face reads it, its binaries are executable files with the
/// fingerprint taken at verification (when given).
pub(crate) fn recheck(face: &dyn Face, dir: &Path, verified: Option<&Fingerprint>) -> Result<(), String> {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Err(format!("release folder {} is gone", dir.display()));
    }
    let spec = face.read_release(dir).map_err(|e| e.to_string())?;
    check_binaries(face, &spec).map_err(|e| e.to_string())?;
    if let Some(verified) = verified {
        let now = fingerprint(&spec).map_err(|e| format!("{}: {e}", dir.display()))?;
        if &now != verified {
            return Err(format!("the binaries in {} changed after they were verified", dir.display()));
        }
    }
    Ok(())
}

/// Warns when a visor running as root is about to run a binary someone else could have replaced:
/// writable by others, or owned (it or its folder) by another user.
pub(crate) fn warn_if_others_can_replace(spec: &NodeSpec) {
    for binary in binaries(spec) {
        let why = others_can_replace(binary);
        if !why.is_empty() {
            tracing::warn!(
                binary = %binary.display(),
                "the visor runs as root, and another user could have replaced this binary ({}); make it and its folder belong to root and writable only by root",
                why.join(", ")
            );
        }
    }
}

/// Why another user could have replaced `binary`, which a process running as root is about to
/// run: it is writable by others, or it or its folder belongs to another user. Empty when
/// not running as root.
pub(crate) fn others_can_replace(binary: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let mut why = Vec::new();
    if !nix::unistd::geteuid().is_root() {
        return why;
    }
    if let Ok(meta) = std::fs::metadata(binary) {
        if meta.mode() & 0o002 != 0 {
            why.push("it is writable by every user".to_owned());
        } else if meta.mode() & 0o020 != 0 && meta.gid() != 0 {
            why.push(format!("it is writable by group {}", meta.gid()));
        }
        if meta.uid() != 0 {
            why.push(format!("it belongs to user {}", meta.uid()));
        }
    }
    if let Some(parent) = binary.parent()
        && let Ok(meta) = std::fs::metadata(parent)
    {
        if meta.mode() & 0o002 != 0 && meta.mode() & 0o1000 == 0 {
            why.push(format!("its folder {} is writable by every user", parent.display()));
        }
        if meta.uid() != 0 {
            why.push(format!("its folder {} belongs to user {}", parent.display(), meta.uid()));
        }
    }
    why
}

/// Checks that every binary of `spec` is an executable regular file; `face` says where the
/// paths come from.
pub(crate) fn check_binaries(face: &dyn Face, spec: &NodeSpec) -> Result<(), PreflightError> {
    for binary in binaries(spec) {
        let shown = binary.display().to_string();
        let path_hint = || {
            let hint = face.hints().binary_path;
            if hint.is_empty() { String::new() } else { format!(", or {hint}") }
        };
        let meta = std::fs::metadata(binary).map_err(|_| PreflightError::MissingBinary(shown.clone(), path_hint()))?;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            return Err(PreflightError::NotExecutable(shown, path_hint()));
        }
    }
    Ok(())
}

/// Full check of the release in `dir` for `version` (and, for daemons, the build information
/// the upgrade names).
pub(crate) async fn preflight(
    face: &dyn Face,
    memory: Option<&Memory>,
    dir: &Path,
    version: &str,
    identity: Option<&serde_json::Map<String, serde_json::Value>>,
    checksum: Option<&Checksum>,
) -> Result<NodeSpec, PreflightError> {
    if !dir.is_dir() {
        return Err(PreflightError::MissingFolder(dir.display().to_string()));
    }
    let spec = face.read_release(dir).map_err(|e| PreflightError::Unreadable(e.to_string()))?;
    check_binaries(face, &spec)?;
    if let Some(expected) = checksum {
        for binary in binaries(&spec) {
            let name = expected.algorithm.name().to_owned();
            let known = recall(memory, binary).await.and_then(|f| f.hashes.get(&name).cloned());
            let actual = match known {
                Some(hex) => hex,
                None => {
                    let (path, algorithm) = (binary.to_owned(), expected.algorithm);
                    let actual = tokio::task::spawn_blocking(move || hash_file(&path, algorithm))
                        .await
                        .map_err(|e| PreflightError::Unreadable(e.to_string()))?
                        .map_err(|e| PreflightError::Unreadable(format!("{}: {e}", binary.display())))?;
                    let (name, hex) = (name.clone(), actual.hex.clone());
                    remember(memory, binary, move |f| {
                        f.hashes.insert(name, hex);
                    })
                    .await;
                    actual.hex
                }
            };
            if actual != expected.hex {
                return Err(PreflightError::Checksum {
                    binary: binary.display().to_string(),
                    expected: expected.to_string(),
                    actual: format!("{name}:{actual}"),
                });
            }
        }
    }
    match spec.protocol {
        Protocol::Vega { .. } => {
            for binary in binaries(&spec) {
                check_vega_version(memory, binary, version).await?;
            }
        }
        Protocol::Daemon => {
            for binary in binaries(&spec) {
                check_build_info(memory, binary, version, identity).await?;
            }
        }
        // A Cosmos app names no version to check: its upgrade is named by the plan.
        Protocol::Cosmos => {}
    }
    Ok(spec)
}
