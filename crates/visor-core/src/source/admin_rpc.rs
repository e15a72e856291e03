//! The Vega core's admin endpoint: HTTP/1.1 POST over a unix socket, JSON-RPC 1.0 body
//! (gorilla/rpc `json` codec: no `jsonrpc` member, one-element `params`, `error` a string or
//! null), method `protocolupgrade.UpgradeStatus`.
//!
//! One connection per poll: a poll every few hundred milliseconds costs less than keeping a
//! connection whose server may have been restarted, and every request has a deadline.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::net::UnixStream;

/// Where the core's admin server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminEndpoint {
    /// The unix socket.
    pub socket: PathBuf,
    /// The HTTP path of the JSON-RPC handler.
    pub http_path: String,
}

/// The release the network agreed to upgrade to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcceptedRelease {
    /// The release tag, e.g. `v0.74.3`.
    pub tag: String,
    /// The block height of the upgrade.
    pub height: u64,
}

/// The answer of `protocolupgrade.UpgradeStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeStatus {
    /// The accepted release, if any (an empty tag means none).
    pub accepted: Option<AcceptedRelease>,
    /// Whether the core has stopped at the upgrade height and waits to be replaced.
    pub ready: bool,
}

/// A failed poll. Every kind counts against the connection budget.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Nothing listens on the socket (yet).
    #[error("cannot connect to the admin socket {socket}: {source}")]
    Connect {
        /// The socket.
        socket: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The exchange failed at the HTTP level.
    #[error("admin request to {socket} failed: {message}")]
    Http {
        /// The socket.
        socket: PathBuf,
        /// What failed.
        message: String,
    },
    /// No answer within the deadline.
    #[error("admin endpoint {socket} did not answer within {timeout_ms} ms")]
    Timeout {
        /// The socket.
        socket: PathBuf,
        /// The deadline.
        timeout_ms: u64,
    },
    /// An answer that is not a valid JSON-RPC result.
    #[error("admin endpoint {socket} answered {what}")]
    BadAnswer {
        /// The socket.
        socket: PathBuf,
        /// What was wrong with it.
        what: String,
    },
}

/// Answers above this size are refused: the real one is about 150 bytes.
const MAX_ANSWER: usize = 64 * 1024;

#[derive(Deserialize)]
struct RpcResponse {
    result: Option<RpcResult>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RpcResult {
    #[serde(rename = "AcceptedReleaseInfo")]
    accepted: Option<RpcRelease>,
    #[serde(rename = "ReadyToUpgrade")]
    ready: bool,
}

#[derive(Deserialize)]
struct RpcRelease {
    #[serde(rename = "VegaReleaseTag")]
    tag: String,
    #[serde(rename = "UpgradeBlockHeight")]
    height: u64,
}

/// Parses the body of an answer.
pub(crate) fn parse_answer(body: &[u8]) -> Result<UpgradeStatus, String> {
    let response: RpcResponse = serde_json::from_slice(body).map_err(|e| {
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        format!("something that is not a JSON-RPC answer ({e}): {shown:?}")
    })?;
    if let Some(error) = response.error.filter(|e| !e.is_null()) {
        return Err(format!("an error: {error}"));
    }
    let result = response.result.ok_or("no result and no error")?;
    if result.ready && result.accepted.as_ref().is_none_or(|r| r.tag.is_empty()) {
        return Err("ready to upgrade without naming the release".to_owned());
    }
    let accepted =
        result.accepted.filter(|r| !r.tag.is_empty()).map(|r| AcceptedRelease { tag: r.tag, height: r.height });
    Ok(UpgradeStatus { accepted, ready: result.ready })
}

/// Polls `endpoint` until the task is aborted, at the timing `timing` says (interval, interval
/// after a failure, request deadline), handing each answer to `emit` (which says whether to go
/// on).
pub(crate) fn spawn_poller(
    endpoint: AdminEndpoint,
    mut timing: tokio::sync::watch::Receiver<(Duration, Duration, Duration)>,
    emit: impl Fn(Result<UpgradeStatus, AdminError>) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ok = true;
        loop {
            let (interval, retry, timeout) = *timing.borrow_and_update();
            let wait = if ok { interval } else { retry.max(interval) };
            // A new timing (an upgrade announced: poll fast) applies at once, not after the
            // wait the old one began.
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = timing.changed() => {
                    if changed.is_ok() {
                        continue;
                    }
                    tokio::time::sleep(wait).await;
                }
            }
            let result = query_upgrade_status(&endpoint, timeout).await;
            ok = result.is_ok();
            if !emit(result) {
                return;
            }
        }
    })
}

/// Asks the core for its upgrade status, giving up after `timeout`.
pub async fn query_upgrade_status(endpoint: &AdminEndpoint, timeout: Duration) -> Result<UpgradeStatus, AdminError> {
    match tokio::time::timeout(timeout, exchange(endpoint)).await {
        Ok(result) => result,
        Err(_) => Err(AdminError::Timeout { socket: endpoint.socket.clone(), timeout_ms: timeout.as_millis() as u64 }),
    }
}

async fn exchange(endpoint: &AdminEndpoint) -> Result<UpgradeStatus, AdminError> {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let socket = &endpoint.socket;
    let http = |message: String| AdminError::Http { socket: socket.clone(), message };
    let stream =
        UnixStream::connect(socket).await.map_err(|source| AdminError::Connect { socket: socket.clone(), source })?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| http(e.to_string()))?;
    let driver = tokio::spawn(connection);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let body = format!(r#"{{"method":"protocolupgrade.UpgradeStatus","params":[null],"id":{id}}}"#);
    let request = Request::builder()
        .method(Method::POST)
        .uri(&endpoint.http_path)
        .header(hyper::header::HOST, "unix")
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| http(e.to_string()))?;
    let result = async {
        let response = sender.send_request(request).await.map_err(|e| http(e.to_string()))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| http(format!("cannot read the answer: {e}")))?
            .to_bytes();
        if status != StatusCode::OK {
            let text = String::from_utf8_lossy(&body[..body.len().min(120)]).trim().to_owned();
            return Err(AdminError::BadAnswer { socket: socket.clone(), what: format!("HTTP {status}: {text:?}") });
        }
        parse_answer(&body).map_err(|what| AdminError::BadAnswer { socket: socket.clone(), what })
    }
    .await;
    driver.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_states() {
        let none = br#"{"result":{"AcceptedReleaseInfo":{"VegaReleaseTag":"","UpgradeBlockHeight":0},"ReadyToUpgrade":false},"error":null,"id":1}"#;
        assert_eq!(parse_answer(none).unwrap(), UpgradeStatus { accepted: None, ready: false });
        let before_first_block =
            br#"{"result":{"AcceptedReleaseInfo":null,"ReadyToUpgrade":false},"error":null,"id":1}"#;
        assert_eq!(parse_answer(before_first_block).unwrap(), UpgradeStatus { accepted: None, ready: false });
        let ready = br#"{"result":{"AcceptedReleaseInfo":{"VegaReleaseTag":"v0.74.0","UpgradeBlockHeight":1008000},"ReadyToUpgrade":true},"error":null,"id":42}"#;
        let status = parse_answer(ready).unwrap();
        assert!(status.ready);
        assert_eq!(status.accepted, Some(AcceptedRelease { tag: "v0.74.0".into(), height: 1_008_000 }));
    }

    #[test]
    fn refuses_errors_and_garbage() {
        assert!(parse_answer(br#"{"result":null,"error":"rpc: can't find service","id":1}"#).is_err());
        assert!(parse_answer(b"<html>").is_err());
        assert!(
            parse_answer(br#"{"result":{"AcceptedReleaseInfo":null,"ReadyToUpgrade":true},"error":null,"id":1}"#)
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_any_answer(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse_answer(&body);
        }
    }
}
