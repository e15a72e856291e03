//! Sources: whatever tells the visor an upgrade is coming or due.

mod admin_rpc;

pub use admin_rpc::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus, query_upgrade_status};
