//! Sources: whatever tells the visor an upgrade is coming or due. The Vega core's admin RPC is
//! one (announcements and readiness, polled); the upstream of a plan (an HTTP document the face
//! turns into plan entries, polled), the plan file itself (watched) and the chain's height (a
//! CometBFT node's RPC, polled while an upgrade waits for a height) are the others. Download
//! hosts, which only serve releases, live in `stage`.

mod admin_rpc;
mod chain_height;
mod upstream;
pub use upstream::MAX_UPSTREAM;
pub mod vega_resume;

pub use admin_rpc::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus, query_upgrade_status};
pub(crate) use admin_rpc::{parse_answer, spawn_poller};
pub(crate) use chain_height::{parse_status, spawn_height_poll};
pub(crate) use upstream::spawn_upstream;
