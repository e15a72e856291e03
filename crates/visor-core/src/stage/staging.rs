//! The staging transaction: a release is built in `<name>.staging-*` next to its final folder
//! (artifact resolved, downloaded and verified, unpacked, the binary found, the face's release
//! files written, the binary's identity checked), every file and folder fsync'd, and only then
//! renamed to its final name (DESIGN §5 item 3). A folder with the final name is trusted as is;
//! a staging folder never is, and is removed on failure and at start.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use url::Url;

use super::checksum::Checksum;
use super::fetch::{self, FetchError, FetchPolicy, Request};
use super::github::{GithubError, GithubRepo};
use super::unpack::{self, Format, UnpackError, UnpackLimits};
use crate::confine::Confined;
use crate::durable::{sync_dir, sync_parent};
use crate::home::Home;
use crate::node::Face;
use crate::release::{ReleaseName, check_file_name};
use crate::verify::{PreflightError, preflight};

/// Where a release's artifact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactSource {
    /// An asset of a GitHub release whose tag is the upgrade's version.
    Github {
        /// The repository.
        repo: GithubRepo,
        /// The asset's name.
        asset: String,
    },
    /// A direct address.
    Url {
        /// The address.
        url: Url,
        /// The expected checksum.
        checksum: Option<Checksum>,
    },
}

/// How a face wants releases staged; part of the settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagingSettings {
    /// Where artifacts come from, unless the upgrade names its own.
    pub source: Option<ArtifactSource>,
    /// The binary to find in the artifact.
    pub binary_name: String,
    /// Network limits.
    pub fetch: FetchPolicy,
    /// Archive limits.
    pub limits: UnpackLimits,
    /// What to do with an artifact that has no published checksum.
    pub unverified: Unverified,
}

/// An artifact without a published checksum (DESIGN: checksums are mandatory by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unverified {
    /// Refused; the text tells the operator how to publish one or to opt out (in the face's
    /// words).
    Refuse {
        /// How to fix it.
        hint: String,
    },
    /// Staged anyway (the operator opted out), with a warning.
    Allow,
}

/// One release to stage.
#[derive(Debug, Clone)]
pub struct StageJob {
    /// The home.
    pub home: Home,
    /// The release folder to create.
    pub release: ReleaseName,
    /// The version (Vega: the release tag).
    pub version: String,
    /// Where the artifact comes from.
    pub source: ArtifactSource,
    /// Build information the binary must match (daemons).
    pub identity: Option<serde_json::Map<String, serde_json::Value>>,
    /// How.
    pub settings: StagingSettings,
}

/// Where staging is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StagePhase {
    /// Looking the artifact up.
    Resolving,
    /// Downloading and hashing it.
    Downloading,
    /// Unpacking it.
    Unpacking,
    /// Checking the binary and syncing the folder.
    Verifying,
    /// Done: the release folder has its final name.
    Staged,
    /// Failed (a retry may follow).
    Failed,
}

/// A progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageProgress {
    /// The version being staged.
    pub version: String,
    /// The phase.
    pub phase: StagePhase,
    /// Bytes downloaded.
    pub bytes: u64,
    /// Bytes to download, when known.
    pub total: Option<u64>,
    /// Download rate so far.
    pub bytes_per_second: u64,
}

/// A staged release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// The release folder.
    pub release: ReleaseName,
    /// Where the artifact came from.
    pub url: String,
    /// Its size.
    pub bytes: u64,
    /// Its checksum.
    pub checksum: Checksum,
    /// Whether the checksum was checked against a published one.
    pub verified: bool,
    /// Time spent downloading and verifying.
    pub download: Duration,
    /// Time spent in all.
    pub took: Duration,
    /// The folder appeared meanwhile (made by hand): it was kept and nothing was staged.
    pub already_present: bool,
}

/// Why staging failed. Nothing is left behind but the reason.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The GitHub lookup failed.
    #[error(transparent)]
    Github(#[from] GithubError),
    /// The download failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The archive was refused.
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    /// No checksum is published and the operator did not opt out.
    #[error("{artifact} has no published checksum, and an unverified binary is not run; {hint}")]
    Unverified {
        /// The artifact.
        artifact: String,
        /// How to fix it.
        hint: String,
    },
    /// The artifact has no such binary.
    #[error("{artifact} contains no file named {binary:?}; fix the binary name in the configuration")]
    NoBinary {
        /// The artifact.
        artifact: String,
        /// The binary looked for.
        binary: String,
    },
    /// The face could not write the release's files.
    #[error("cannot write the release files of {release}: {message}")]
    Release {
        /// The release.
        release: String,
        /// What failed.
        message: String,
    },
    /// The staged release does not verify.
    #[error("the staged release {release} does not verify: {source}")]
    Verify {
        /// The release.
        release: String,
        /// Why.
        source: PreflightError,
    },
    /// Local I/O.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StageError + '_ {
    move |source| StageError::Io { path: path.display().to_string(), source }
}

/// The marker in the names of staging folders and downloads.
const STAGING: &str = ".staging-";

/// Whether `name` has exactly the shape of a staging folder or download this visor makes:
/// `<leaf>.staging-<pid>-<nanos>`, optionally `.download`. No release name can have it
/// ([`ReleaseName`] refuses the marker), so nothing but leftovers ever matches.
pub(crate) fn is_staging_name(name: &str) -> bool {
    let Some((leaf, rest)) = name.rsplit_once(STAGING) else { return false };
    let rest = rest.strip_suffix(".download").unwrap_or(rest);
    let Some((pid, nanos)) = rest.split_once('-') else { return false };
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    !leaf.is_empty() && digits(pid) && digits(nanos)
}

/// Removes staging folders and downloads a killed visor left in `dirs`.
pub fn remove_stale_staging(dirs: &[PathBuf]) -> usize {
    let mut removed = 0;
    for dir in dirs {
        let Ok(entries) = fs::read_dir(dir) else { continue };
        for entry in entries.flatten() {
            if !is_staging_name(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            // `remove_dir_all` does not follow links; a link at the name is removed itself.
            let result = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match result {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "removed a stale staging folder");
                    removed += 1;
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = e.to_string(), "cannot remove a stale staging folder")
                }
            }
        }
    }
    removed
}

/// Removes the staging folder and download on every way out but success.
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
        }
    }
}

/// Creates the new folder `dir` with exactly `mode`, whatever the umask.
fn make_dir(dir: &Path, mode: u32) -> Result<(), StageError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new().mode(mode).create(dir).map_err(io_error(dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(mode)).map_err(io_error(dir))
}

/// Fsyncs every file and folder under `root`, and `root` itself.
fn sync_tree(root: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            fs::File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(root)
}

/// Stages `job`. `progress` hears about each phase and, while downloading, about the bytes.
pub async fn stage(
    job: &StageJob,
    face: &dyn Face,
    progress: &mut (dyn FnMut(StageProgress) + Send),
) -> Result<Staged, StageError> {
    let started = Instant::now();
    let final_dir = job.release.dir(job.home.root());
    let version = job.version.clone();
    let report = |progress: &mut (dyn FnMut(StageProgress) + Send), phase| {
        progress(StageProgress { version: version.clone(), phase, bytes: 0, total: None, bytes_per_second: 0 });
    };
    let client = fetch::client(&job.settings.fetch);
    report(progress, StagePhase::Resolving);
    let (request_url, headers, expected, artifact_name) = match &job.source {
        ArtifactSource::Github { repo, asset } => {
            let found = repo.find_asset(&client, &job.version, asset, &job.settings.fetch).await?;
            tracing::info!(
                version = job.version,
                asset = found.name,
                size = found.size,
                digest = found.digest.as_ref().map(ToString::to_string),
                digest_from = found.digest_from,
                "found the release asset"
            );
            (found.url, repo.headers("application/octet-stream"), found.digest, found.name)
        }
        ArtifactSource::Url { url, checksum } => {
            let name = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("artifact").to_owned();
            (url.clone(), Vec::new(), checksum.clone(), name)
        }
    };
    if expected.is_none() {
        match &job.settings.unverified {
            Unverified::Refuse { hint } => {
                return Err(StageError::Unverified { artifact: request_url.to_string(), hint: hint.clone() });
            }
            Unverified::Allow => tracing::warn!(
                url = %request_url,
                "staging an artifact that has no published checksum, as configured: nothing proves it is the release"
            ),
        }
    }
    let parent = final_dir.parent().unwrap_or(job.home.root()).to_path_buf();
    fs::create_dir_all(&parent).map_err(io_error(&parent))?;
    let leaf = final_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let unique = format!("{leaf}{STAGING}{}-{}", std::process::id(), started.elapsed().as_nanos());
    let staging = parent.join(&unique);
    let download_dir = parent.join(format!("{unique}.download"));
    let _cleanup = Cleanup(vec![staging.clone(), download_dir.clone()]);
    make_dir(&staging, 0o755)?;
    make_dir(&download_dir, 0o700)?;

    // The name comes from a server or an announcement: only a plain file name is used, and
    // only for its extension (which tells the archive format).
    let file_name = artifact_name.rsplit('/').next().filter(|n| check_file_name(n).is_ok()).unwrap_or("artifact");
    let artifact_file = download_dir.join(file_name);
    let request = Request { url: request_url.clone(), headers, expected, dest: artifact_file.clone() };
    let rate = fetch::Rate::start();
    let download_started = Instant::now();
    let mut last_report: Option<Instant> = None;
    let version = job.version.clone();
    // The first bytes are reported at once (they tell the size), then five times a second.
    let mut on_bytes = |bytes: u64, total: Option<u64>| {
        if last_report.is_none_or(|t| t.elapsed() >= Duration::from_millis(200)) || total == Some(bytes) {
            last_report = Some(Instant::now());
            progress(StageProgress {
                version: version.clone(),
                phase: StagePhase::Downloading,
                bytes,
                total,
                bytes_per_second: rate.per_second(bytes),
            });
        }
    };
    let downloaded = fetch::fetch(&client, &request, &job.settings.fetch, &mut on_bytes).await?;
    let download = download_started.elapsed();
    tracing::info!(
        version = job.version,
        url = %request_url,
        bytes = downloaded.bytes,
        checksum = %downloaded.checksum,
        verified = downloaded.verified,
        took_ms = download.as_millis() as u64,
        "downloaded the release artifact"
    );

    report(progress, StagePhase::Unpacking);
    let format = unpack::detect(&artifact_file).map_err(io_error(&artifact_file))?;
    let binary_name = &job.settings.binary_name;
    check_file_name(binary_name).map_err(|e| StageError::NoBinary {
        artifact: artifact_name.clone(),
        binary: format!("{binary_name} ({e})"),
    })?;
    if format == Format::Plain {
        let target = staging.join(binary_name);
        fs::rename(&artifact_file, &target).map_err(io_error(&target))?;
    } else {
        unpack::unpack(&artifact_file, format, &staging, job.settings.limits)?;
    }
    let relative = unpack::find_binary(&staging, binary_name)
        .ok_or_else(|| StageError::NoBinary { artifact: artifact_name.clone(), binary: binary_name.clone() })?;
    let confined = Confined::open(&staging).map_err(io_error(&staging))?;
    unpack::make_executable(&confined, &relative).map_err(io_error(&staging.join(&relative)))?;
    face.write_release(&staging, &job.version, &relative)
        .map_err(|e| StageError::Release { release: job.release.to_string(), message: e.to_string() })?;

    report(progress, StagePhase::Verifying);
    // Remembered: when the upgrade is due, the release is looked at, not run again.
    let memory = crate::identity::Memory::in_state_dir(&job.home.state_dir());
    preflight(face, Some(&memory), &staging, &job.version, job.identity.as_ref(), None)
        .await
        .map_err(|source| StageError::Verify { release: job.release.to_string(), source })?;
    sync_tree(&staging).map_err(io_error(&staging))?;
    let staged = |already_present| Staged {
        release: job.release.clone(),
        url: request_url.to_string(),
        bytes: downloaded.bytes,
        checksum: downloaded.checksum.clone(),
        verified: downloaded.verified,
        download,
        took: started.elapsed(),
        already_present,
    };
    if final_dir.exists() && !face.needs_staging(&final_dir) {
        tracing::info!(folder = %final_dir.display(), "the release folder appeared meanwhile; keeping it");
        return Ok(staged(true));
    }
    crate::fault::point("stage-before-rename");
    if final_dir.exists() {
        // An incomplete folder (metadata without its binary): swap it for the staged one in
        // one step; the old one then sits at the staging name and is removed with it.
        nix::fcntl::renameat2(
            nix::fcntl::AT_FDCWD,
            &staging,
            nix::fcntl::AT_FDCWD,
            &final_dir,
            nix::fcntl::RenameFlags::RENAME_EXCHANGE,
        )
        .map_err(|e| StageError::Io { path: final_dir.display().to_string(), source: e.into() })?;
    } else {
        fs::rename(&staging, &final_dir).map_err(io_error(&final_dir))?;
    }
    sync_parent(&final_dir).map_err(io_error(&final_dir))?;
    report(progress, StagePhase::Staged);
    Ok(staged(false))
}
