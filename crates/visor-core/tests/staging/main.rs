//! Staging against a real GitHub-compatible server on 127.0.0.1: fetching, the releases API,
//! and the whole staging transaction. One file per part.

mod fetch;
mod github;
mod stage;

use std::time::Duration;

use visor_core::stage::FetchPolicy;

/// Quick retries and short timeouts, so failure cases finish fast.
pub fn policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(500),
        attempts: 4,
        backoff: Duration::from_millis(10),
        max_bytes: 1 << 30,
        allow_plain_http: false,
    }
}

/// Bytes that are not all alike, so a misplaced range would be caught.
pub fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}
