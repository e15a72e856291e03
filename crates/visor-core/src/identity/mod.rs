//! Identity checks: does a release's binary say it is the version the upgrade expects?
//!
//! Vega binaries answer `version --output json` with `{"version":"v0.74.3","hash":"..."}`.
//! What a binary answered is remembered by the file's identity ([`Memory`]), so a binary is run
//! once, however often its release is verified.

mod memory;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use memory::Facts;
pub use memory::Memory;

/// What `binary` said before, as it is now (on a blocking thread: a file is read).
pub(crate) async fn recall(memory: Option<&Memory>, binary: &Path) -> Option<Facts> {
    let (memory, binary) = (memory?.clone(), binary.to_owned());
    tokio::task::spawn_blocking(move || memory.recall(&binary)).await.ok().flatten()
}

/// Adds what `binary` said (on a blocking thread: a file is written and synced).
pub(crate) async fn remember(memory: Option<&Memory>, binary: &Path, learn: impl FnOnce(&mut Facts) + Send + 'static) {
    let Some(memory) = memory.cloned() else { return };
    let binary = binary.to_owned();
    let _ = tokio::task::spawn_blocking(move || memory.remember(&binary, learn)).await;
}

/// A binary is not what the release expects.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// It could not be run or did not answer in time.
    #[error("cannot ask {binary} for its version: {message}")]
    Run {
        /// The binary.
        binary: PathBuf,
        /// What failed.
        message: String,
    },
    /// Its answer is not the expected JSON.
    #[error("{binary} printed {output:?} where its version information was expected; is it the right binary?")]
    Unreadable {
        /// The binary.
        binary: PathBuf,
        /// What it printed (shortened).
        output: String,
    },
    /// Its build information differs from the one the upgrade names.
    #[error(
        "{binary} has {field} = {found}, but the upgrade expects {expected}; provide the binary the upgrade describes"
    )]
    BuildMismatch {
        /// The binary.
        binary: PathBuf,
        /// The differing field.
        field: String,
        /// What the binary reports.
        found: String,
        /// What the upgrade expects.
        expected: String,
    },
    /// It names another version.
    #[error(
        "{binary} reports version {found}, but the release is {expected}; put the {expected} binary in the release folder"
    )]
    Mismatch {
        /// The binary.
        binary: PathBuf,
        /// What it reported.
        found: String,
        /// The release tag.
        expected: String,
    },
}

/// How long a binary gets to print its version.
const VERSION_TIMEOUT: Duration = Duration::from_secs(15);

/// Versions match when equal after dropping a leading `v` and `+build` metadata, which does
/// not change what the binary is (Vega compares strings exactly and refuses `v1.2.3+dev`).
pub(crate) fn same_version(a: &str, b: &str) -> bool {
    fn core(v: &str) -> &str {
        let v = v.trim();
        let v = v.strip_prefix('v').unwrap_or(v);
        v.split('+').next().unwrap_or(v)
    }
    core(a) == core(b)
}

/// Runs `binary args` as a helper; anything but a successful exit is an error.
async fn ask(binary: &Path, args: &[&str]) -> Result<std::process::Output, IdentityError> {
    let run_error = |message: String| IdentityError::Run { binary: binary.to_owned(), message };
    let output =
        crate::supervise::run_helper(binary, args, VERSION_TIMEOUT).await.map_err(|e| run_error(e.to_string()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(run_error(format!(
            "{}: {}",
            crate::supervise::describe_status(&output.status),
            stderr.trim().chars().take(200).collect::<String>()
        )));
    }
    Ok(output)
}

/// Runs `binary version --output json` (unless `memory` has its answer) and compares the
/// answer with `expected`.
pub async fn check_vega_version(memory: Option<&Memory>, binary: &Path, expected: &str) -> Result<(), IdentityError> {
    let found = match recall(memory, binary).await.and_then(|f| f.version) {
        Some(found) => found,
        None => {
            let found = read_vega_version(binary).await?;
            let learned = found.clone();
            remember(memory, binary, move |f| f.version = Some(learned)).await;
            found
        }
    };
    if same_version(&found, expected) {
        Ok(())
    } else {
        Err(IdentityError::Mismatch { binary: binary.to_owned(), found, expected: expected.to_owned() })
    }
}

/// Runs `binary version --output json` and returns the version it reports.
pub async fn read_vega_version(binary: &Path) -> Result<String, IdentityError> {
    let output = ask(binary, &["version", "--output", "json"]).await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    parse_version_answer(&stdout).ok_or_else(|| IdentityError::Unreadable {
        binary: binary.to_owned(),
        output: stdout.chars().take(200).collect(),
    })
}

/// The version in a `version --output json` answer. Some builds print log lines before the
/// JSON: the last line that parses counts.
pub(crate) fn parse_version_answer(stdout: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Version {
        version: String,
    }
    stdout.lines().rev().find_map(|line| serde_json::from_str::<Version>(line.trim()).ok()).map(|v| v.version)
}

/// The build information in a `build-info --output=json` answer: the last JSON object line
/// that has a `build_version`.
pub(crate) fn parse_build_info(stdout: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line.trim()).ok())
        .filter(|m| m.contains_key("build_version"))
}

/// Nym binaries answer `--no-banner build-info --output=json` with their build information.
pub const BUILD_INFO_ARGS: [&str; 3] = ["--no-banner", "build-info", "--output=json"];

/// Runs `binary --no-banner build-info --output=json` and returns the JSON object it prints.
pub async fn read_build_info(binary: &Path) -> Result<serde_json::Map<String, serde_json::Value>, IdentityError> {
    let output = ask(binary, &BUILD_INFO_ARGS).await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    parse_build_info(&stdout).ok_or_else(|| IdentityError::Unreadable {
        binary: binary.to_owned(),
        output: stdout.chars().take(200).collect(),
    })
}

/// Checks a binary's build information (asked unless `memory` has it): `build_version` must be
/// `version`, and every field of `expected` (when given) must be equal.
pub async fn check_build_info(
    memory: Option<&Memory>,
    binary: &Path,
    version: &str,
    expected: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<serde_json::Map<String, serde_json::Value>, IdentityError> {
    let info = match recall(memory, binary).await.and_then(|f| f.build_info) {
        Some(info) => info,
        None => {
            let info = read_build_info(binary).await?;
            let learned = info.clone();
            remember(memory, binary, move |f| f.build_info = Some(learned)).await;
            info
        }
    };
    let found = info.get("build_version").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    if !same_version(&found, version) {
        return Err(IdentityError::Mismatch { binary: binary.to_owned(), found, expected: version.to_owned() });
    }
    if let Some(expected) = expected {
        for (key, want) in expected {
            let got = info.get(key).cloned().unwrap_or(serde_json::Value::Null);
            if &got != want {
                return Err(IdentityError::BuildMismatch {
                    binary: binary.to_owned(),
                    field: key.clone(),
                    found: got.to_string(),
                    expected: want.to_string(),
                });
            }
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::same_version;

    #[test]
    fn build_metadata_and_leading_v_do_not_matter() {
        assert!(same_version("v0.74.3", "v0.74.3"));
        assert!(same_version("0.74.3", "v0.74.3"));
        assert!(same_version("v0.74.3+dev", "v0.74.3"));
        assert!(!same_version("v0.74.3-rc1", "v0.74.3"));
        assert!(!same_version("v0.74.4", "v0.74.3"));
    }
}
