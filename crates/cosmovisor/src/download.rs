//! A plan's `info` may be the address of a document that lists the binaries (it keeps the chain
//! small). Fetched with the engine's client (bounded, timeouts, no `file://` from the network),
//! checked against the `?checksum=` of its address, and remembered, so a plan re-read on every
//! file change does not fetch it again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use visor_core::stage::{FetchPolicy, client, get_bytes, hash_bytes};

use crate::plan::{Artifact, artifact_in_document, parse_checksum};

/// Largest binaries document read.
const MAX_DOCUMENT: usize = 1 << 20;
/// Longest a binaries document may take.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

static FETCHED: Mutex<Option<HashMap<String, Result<Artifact, String>>>> = Mutex::new(None);

/// What an earlier fetch found in the document at `url`, without fetching: for code that runs
/// inside a runtime or on the run loop (reading a release, writing a staged one).
pub(crate) fn remembered(url: &url::Url, platform: &str) -> Option<Artifact> {
    let key = format!("{url} {platform}");
    FETCHED.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().get(&key).cloned()?.ok()
}

/// The artifact for `platform` that the document at `url` lists.
pub(crate) fn binaries_document(url: &url::Url, platform: &str) -> Result<Artifact, String> {
    let key = format!("{url} {platform}");
    if let Some(found) = FETCHED.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().get(&key) {
        return found.clone();
    }
    let found = fetch(url, platform);
    // Only what was found is remembered: a failure (the server down for a moment) is asked
    // again at the next reading of the plan.
    if found.is_ok() {
        FETCHED.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().insert(key, found.clone());
    }
    found
}

fn fetch(url: &url::Url, platform: &str) -> Result<Artifact, String> {
    // The document chooses the binary and its checksum: it must be vouched for itself.
    let expected = match url.query_pairs().find(|(k, _)| k == "checksum") {
        Some((_, text)) => parse_checksum(&text).map_err(|e| format!("{url}: {e}"))?,
        None => {
            return Err(format!(
                "the binaries document {url} has no ?checksum=sha256:<hex>; the plan must vouch for the document it names"
            ));
        }
    };
    let mut address = url.clone();
    address.set_query(None);
    let policy = FetchPolicy {
        attempts: 2,
        connect_timeout: std::time::Duration::from_secs(10),
        read_timeout: std::time::Duration::from_secs(10),
        ..FetchPolicy::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot fetch {address}: {e}"))?;
    let bytes = runtime
        .block_on(async {
            // A server that trickles bytes must not hold the plan's reading for long.
            tokio::time::timeout(DEADLINE, get_bytes(&client(&policy), &address, &[], &policy, MAX_DOCUMENT)).await
        })
        .map_err(|_| format!("the binaries document {address} did not arrive within {DEADLINE:?}"))?
        .map_err(|e| format!("the binaries document {address}: {e}"))?;
    let actual = hash_bytes(&bytes, expected.algorithm);
    if actual != expected {
        return Err(format!("the binaries document {address} has checksum {actual}, the plan says {expected}"));
    }
    artifact_in_document(&bytes, platform).map_err(|e| format!("the binaries document {address}: {e}"))
}
