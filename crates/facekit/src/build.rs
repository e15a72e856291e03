//! How this build was made, recorded once by the kit's build script.

/// The build's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildInfo {
    /// The package version (`0.1.0`).
    pub version: &'static str,
    pub git_hash: &'static str,
    pub commit_timestamp: &'static str,
    pub commit_branch: &'static str,
    pub build_timestamp: &'static str,
    pub rustc_version: &'static str,
    pub rustc_channel: &'static str,
    pub profile: &'static str,
    pub target: &'static str,
}

/// This build.
pub const BUILD: BuildInfo = BuildInfo {
    version: env!("CARGO_PKG_VERSION"),
    git_hash: env!("VISOR_GIT_HASH"),
    commit_timestamp: env!("VISOR_COMMIT_TIMESTAMP"),
    commit_branch: env!("VISOR_COMMIT_BRANCH"),
    build_timestamp: env!("VISOR_BUILD_TIMESTAMP"),
    rustc_version: env!("VISOR_RUSTC_VERSION"),
    rustc_channel: env!("VISOR_RUSTC_CHANNEL"),
    profile: env!("VISOR_PROFILE"),
    target: env!("VISOR_TARGET"),
};
