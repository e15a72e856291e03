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

static FETCHED: Mutex<Option<HashMap<String, Result<Artifact, String>>>> = Mutex::new(None);

/// The artifact for `platform` that the document at `url` lists.
pub(crate) fn binaries_document(url: &url::Url, platform: &str) -> Result<Artifact, String> {
    let key = format!("{url} {platform}");
    if let Some(found) = FETCHED.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().get(&key) {
        return found.clone();
    }
    let found = fetch(url, platform);
    FETCHED.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_default().insert(key, found.clone());
    found
}

fn fetch(url: &url::Url, platform: &str) -> Result<Artifact, String> {
    let expected = match url.query_pairs().find(|(k, _)| k == "checksum") {
        Some((_, text)) => Some(parse_checksum(&text).map_err(|e| format!("{url}: {e}"))?),
        None => None,
    };
    let mut address = url.clone();
    address.set_query(None);
    let policy = FetchPolicy { attempts: 2, ..FetchPolicy::default() };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot fetch {address}: {e}"))?;
    let bytes = runtime
        .block_on(get_bytes(&client(&policy), &address, &[], &policy, MAX_DOCUMENT))
        .map_err(|e| format!("the binaries document {address}: {e}"))?;
    if let Some(expected) = expected {
        let actual = hash_bytes(&bytes, expected.algorithm);
        if actual != expected {
            return Err(format!("the binaries document {address} has checksum {actual}, the plan says {expected}"));
        }
    }
    artifact_in_document(&bytes, platform).map_err(|e| format!("the binaries document {address}: {e}"))
}
