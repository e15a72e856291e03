//! What `check` asks of the engine: without running the node, is each binary of a release there,
//! executable, and the version it should be; does a visor hold a home's lock; does the node's
//! RPC tell the chain's height. Nothing here writes: no identity is remembered, no lock is
//! taken for longer than a look, no mode is changed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::home::Home;
use crate::identity::{IdentityError, check_build_info, check_vega_version, read_build_info, read_vega_version};
use crate::node::{NodeSpec, Protocol};

/// What is wrong with a binary's file, before it is ever run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    /// Nothing is at its path (or a link there leads nowhere).
    Missing,
    /// Something is there, but not a regular file (a folder, a device).
    NotAFile,
    /// A regular file without any execute bit.
    NotExecutable,
}

/// One binary of a release, as `check` finds it.
#[derive(Debug)]
pub struct BinaryCheck {
    /// The roles that run it (`core`, `data-node`, `daemon`, `app`), joined by `+`.
    pub role: String,
    /// Its path.
    pub path: PathBuf,
    /// What is wrong with its file; it is then not run.
    pub file: Option<FileProblem>,
    /// What it said when asked who it is: the version it reports, or why that failed or does
    /// not match. `None` when it was not asked (its file is wrong).
    pub identity: Option<Result<String, IdentityError>>,
}

/// How long a binary gets to say its version (a Cosmos app's `version` loads no state).
const VERSION_TIMEOUT: Duration = Duration::from_secs(15);

fn file_problem(path: &Path) -> Option<FileProblem> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Err(_) => Some(FileProblem::Missing),
        Ok(meta) if !meta.is_file() => Some(FileProblem::NotAFile),
        Ok(meta) if meta.permissions().mode() & 0o111 == 0 => Some(FileProblem::NotExecutable),
        Ok(_) => None,
    }
}

/// A Cosmos app's `version`: its first line of output (some apps print it on stderr).
async fn read_app_version(binary: &Path) -> Result<String, IdentityError> {
    let run_error = |message: String| IdentityError::Run { binary: binary.to_owned(), message };
    let output = crate::supervise::run_helper(binary, ["version"], VERSION_TIMEOUT)
        .await
        .map_err(|e| run_error(e.to_string()))?;
    if !output.status.success() {
        return Err(run_error(crate::supervise::describe_status(&output.status)));
    }
    let text = [&output.stdout, &output.stderr]
        .iter()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .find_map(|text| text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned));
    text.ok_or_else(|| IdentityError::Unreadable { binary: binary.to_owned(), output: String::new() })
}

/// Checks each binary `spec` runs: its file, then its identity the way the engine verifies a
/// release before switching to it — compared with `expected` (and, for a daemon, the build
/// information `identity` names) when given, else only asked. Nothing is remembered: a check
/// asks every binary itself.
pub async fn check_binaries(
    spec: &NodeSpec,
    expected: Option<&str>,
    identity: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Vec<BinaryCheck> {
    let mut checks: Vec<BinaryCheck> = Vec::new();
    for process in &spec.processes {
        if let Some(seen) = checks.iter_mut().find(|c| c.path == process.program) {
            seen.role = format!("{}+{}", seen.role, process.role);
            continue;
        }
        checks.push(BinaryCheck {
            role: process.role.clone(),
            path: process.program.clone(),
            file: file_problem(&process.program),
            identity: None,
        });
    }
    for check in checks.iter_mut().filter(|c| c.file.is_none()) {
        let binary = check.path.as_path();
        // As root, a binary another user could have put there is not run just to look at it
        // (`run` warns, then runs it at its upgrade; `check` has no reason to run it first).
        let replaceable = crate::verify::others_can_replace(binary);
        if !replaceable.is_empty() {
            check.identity = Some(Err(IdentityError::Run {
                binary: binary.to_owned(),
                message: format!(
                    "not run by check: another user could have replaced it ({}); make it and its folder belong to \
                     root and writable only by root",
                    replaceable.join(", ")
                ),
            }));
            continue;
        }
        check.identity = Some(match (&spec.protocol, expected) {
            (Protocol::Vega { .. }, Some(version)) => {
                check_vega_version(None, binary, version).await.map(|()| version.to_owned())
            }
            (Protocol::Vega { .. }, None) => read_vega_version(binary).await,
            (Protocol::Daemon, Some(version)) => check_build_info(None, binary, version, identity)
                .await
                .map(|info| info.get("build_version").and_then(|v| v.as_str()).unwrap_or(version).to_owned()),
            (Protocol::Daemon, None) => read_build_info(binary).await.and_then(|info| {
                info.get("build_version").and_then(|v| v.as_str()).map(str::to_owned).ok_or_else(|| {
                    IdentityError::Unreadable { binary: binary.to_owned(), output: "no build_version".to_owned() }
                })
            }),
            // The plan names a Cosmos upgrade, not a version: the app's answer is only shown.
            (Protocol::Cosmos, _) => read_app_version(binary).await,
        });
    }
    checks
}

/// Whether a visor holds a home's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// No visor runs on the home.
    Free,
    /// One does; the PID it wrote into the lock file, when readable.
    Held(Option<u32>),
}

/// Looks whether a visor holds `home`'s lock, without taking it: a shared lock tried on a
/// read-only descriptor fails while a visor holds its exclusive one, and is dropped at once
/// otherwise (a visor starting in that instant waits it out, as it waits for a dead holder).
pub fn lock_state(home: &Home) -> std::io::Result<LockState> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let path = home.lock_file();
    let mut file = match std::fs::OpenOptions::new().read(true).custom_flags(nix::libc::O_NOFOLLOW).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LockState::Free),
        Err(e) => return Err(e),
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(LockState::Free),
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = Read::by_ref(&mut file).take(64).read_to_string(&mut text);
            Ok(LockState::Held(text.trim().parse().ok()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Asks a CometBFT RPC (`http://host:port/`) for the chain's height, once, within `timeout`.
pub async fn chain_height(rpc: &url::Url, timeout: Duration) -> Result<u64, String> {
    let url = rpc.join("status").map_err(|e| format!("{rpc} cannot take a path: {e}"))?;
    let policy = crate::stage::FetchPolicy {
        connect_timeout: timeout,
        read_timeout: timeout,
        attempts: 1,
        allow_plain_http: true,
        ..crate::stage::FetchPolicy::default()
    };
    let client = crate::stage::client(&policy);
    let body = crate::stage::get_bytes(&client, &url, &[], &policy, 256 << 10).await.map_err(|e| e.to_string())?;
    crate::source::parse_status(&body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervise::ProcessSpec;

    fn spec(programs: &[(&str, &Path)]) -> NodeSpec {
        NodeSpec {
            processes: programs
                .iter()
                .map(|(role, program)| ProcessSpec {
                    role: (*role).to_owned(),
                    program: program.to_path_buf(),
                    args: vec![],
                })
                .collect(),
            protocol: Protocol::Cosmos,
        }
    }

    #[tokio::test]
    async fn file_problems_are_found_without_running_anything() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let missing = dir.path().join("missing");
        let checks = check_binaries(&spec(&[("a", &plain), ("b", &missing), ("c", dir.path())]), None, None).await;
        let problems: Vec<_> = checks.iter().map(|c| c.file).collect();
        assert_eq!(
            problems,
            [Some(FileProblem::NotExecutable), Some(FileProblem::Missing), Some(FileProblem::NotAFile)]
        );
        assert!(checks.iter().all(|c| c.identity.is_none()), "a wrong file is never run");
    }

    #[tokio::test]
    async fn one_binary_for_two_roles_is_checked_once() {
        let sh = Path::new("/bin/sh");
        let checks = check_binaries(&spec(&[("core", sh), ("data-node", sh)]), None, None).await;
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].role, "core+data-node");
    }

    #[test]
    fn a_held_lock_is_seen_and_a_free_one_stays_free() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        assert_eq!(lock_state(&home).unwrap(), LockState::Free, "no lock file: free");
        std::fs::create_dir_all(home.state_dir()).unwrap();
        let held = crate::lock::HomeLock::acquire(&home.lock_file()).unwrap();
        assert_eq!(lock_state(&home).unwrap(), LockState::Held(Some(std::process::id())));
        drop(held);
        assert_eq!(lock_state(&home).unwrap(), LockState::Free);
        // The look left the lock takeable.
        crate::lock::HomeLock::acquire(&home.lock_file()).unwrap();
    }
}
