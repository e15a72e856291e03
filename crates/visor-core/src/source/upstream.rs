//! The upstream of a plan: an HTTP document polled at an interval; the face turns each answer
//! into plan entries.

use crate::node::UpstreamSettings;
use crate::stage::{FetchError, client, get_bytes};

/// Largest upstream answer accepted (an upgrade-info file is about 1 KiB).
pub const MAX_UPSTREAM: usize = 1 << 20;

/// Polls the upstream until the task is aborted, handing each answer (and its address) to
/// `emit`, which says whether to go on.
pub(crate) fn spawn_upstream(
    settings: UpstreamSettings,
    emit: impl Fn(String, Result<Vec<u8>, FetchError>) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let http = client(&settings.fetch);
        loop {
            let result = get_bytes(&http, &settings.url, &[], &settings.fetch, MAX_UPSTREAM).await;
            if !emit(settings.url.to_string(), result) {
                return;
            }
            tokio::time::sleep(settings.interval).await;
        }
    })
}
