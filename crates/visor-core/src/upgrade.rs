//! The upgrade, in the engine's words: what it is (name, version, where its release comes from,
//! what its binary must be) and its trigger, whichever source announced it.

use crate::release::ReleaseName;
use crate::stage::{ArtifactSource, Checksum};

/// When an upgrade is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// When the node says it is ready: a Vega core halted at the upgrade height (announced by
    /// its admin endpoint), or a Cosmos app that wrote its plan down as it halted (in a plan:
    /// due at once).
    NodeReady {
        /// The height it halts at.
        height: u64,
    },
    /// At a time (a time in the past means now).
    At(jiff::Timestamp),
    /// When the chain reaches a height (the node writes it down).
    Height(u64),
    /// Now.
    Now,
}

/// As operators read it in logs: `at 2026-12-08T12:00:00Z`, `at height 60`, `when the node is
/// ready at height 60`, `now`.
impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NodeReady { height } => write!(f, "when the node is ready at height {height}"),
            Self::At(at) => write!(f, "at {at}"),
            Self::Height(h) => write!(f, "at height {h}"),
            Self::Now => f.write_str("now"),
        }
    }
}

impl Trigger {
    /// The time it is due at, for triggers with one (`Now` is any time).
    pub fn at(&self) -> Option<jiff::Timestamp> {
        match self {
            Self::At(at) => Some(*at),
            Self::Now => Some(jiff::Timestamp::MIN),
            Self::NodeReady { .. } | Self::Height(_) => None,
        }
    }

    /// The height it is at, for triggers with one.
    pub fn height(&self) -> Option<u64> {
        match self {
            Self::NodeReady { height } | Self::Height(height) => Some(*height),
            Self::At(_) | Self::Now => None,
        }
    }
}

/// An upgrade a source announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// Its name (Vega: the release tag).
    pub name: String,
    /// The version its binary must report.
    pub version: String,
    /// When it is due.
    pub trigger: Trigger,
    /// The release folder it runs from, when the source names it; else the face's settings map
    /// the version to one.
    pub release: Option<ReleaseName>,
    /// After the switch, stop instead of starting the new release (the operator finishes).
    pub manual: bool,
    /// Where to stage its binary from (`None`: from the face's staging settings), or why it
    /// cannot be downloaded.
    pub artifact: Option<Result<ArtifactSource, String>>,
    /// Build information the binary must match, field by field.
    pub identity: Option<serde_json::Map<String, serde_json::Value>>,
    /// The checksum the binary must have, however it got there (downloaded or by hand).
    pub checksum: Option<Checksum>,
}

impl Upgrade {
    /// An upgrade a node announces by its version, due when the node is ready at `height`.
    pub fn announced(version: &str, height: u64) -> Self {
        Self {
            name: version.to_owned(),
            version: version.to_owned(),
            trigger: Trigger::NodeReady { height },
            release: None,
            manual: false,
            artifact: None,
            identity: None,
            checksum: None,
        }
    }
}
