//! Sources: whatever tells the visor an upgrade is coming or due.

mod admin_rpc;
mod github;

pub use admin_rpc::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus, query_upgrade_status};
pub use github::{GithubAsset, GithubError, GithubRepo};
