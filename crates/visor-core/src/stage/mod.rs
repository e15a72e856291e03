//! Staging: making a release folder complete and verified *before* it is needed, so the switch
//! itself is only stop + rename + spawn.

mod checksum;
mod fetch;
mod github;
mod staging;
mod unpack;

pub use checksum::{Algorithm, Checksum, ChecksumError, hash_bytes, hash_file};
pub use fetch::{Downloaded, FetchError, FetchPolicy, Request, check_announced, check_url, client, fetch, get_bytes};
pub(crate) use github::fuzz_github;
pub use github::{GithubAsset, GithubError, GithubRepo};
pub(crate) use staging::is_staging_name;
pub use staging::{
    ArtifactSource, StageError, StageJob, StagePhase, StageProgress, Staged, StagingSettings, Unverified,
    remove_stale_staging, stage,
};
pub use unpack::{Format, UnpackError, UnpackLimits, detect, find_binary, make_executable, unpack};
