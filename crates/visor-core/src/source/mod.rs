//! Sources: whatever tells the visor an upgrade is coming or due. The Vega core's admin RPC is
//! one (announcements and readiness, polled); the upstream of a plan (an HTTP document the face
//! turns into plan entries, polled) and the plan file itself (watched) are the others. Download
//! hosts, which only serve releases, live in `stage`.

mod admin_rpc;
mod upstream;
pub mod vega_resume;

pub use admin_rpc::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus, query_upgrade_status};
pub(crate) use admin_rpc::{parse_answer, spawn_poller};
pub(crate) use upstream::spawn_upstream;
