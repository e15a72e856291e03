//! Sources: whatever tells the visor an upgrade is coming or due.

mod admin_rpc;
mod github;

pub(crate) use admin_rpc::parse_answer;
pub use admin_rpc::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus, query_upgrade_status};
pub(crate) use github::fuzz_github;
pub use github::{GithubAsset, GithubError, GithubRepo};
