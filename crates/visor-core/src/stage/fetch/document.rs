//! Small documents over HTTP (an API's answer, an upstream's plan, a checksum list, a node's
//! status): whole in memory, bounded in size, and with a deadline on the whole answer.

use std::time::Duration;

use reqwest::StatusCode;
use url::Url;

use super::{FetchError, FetchPolicy, check_url, describe, header_map};

/// Fetches a small document (an API answer, an upgrade-info file) into memory: timeouts,
/// retries with backoff on network errors and 5xx, anything but 200 refused, at most `max`
/// bytes.
pub async fn get_bytes(
    client: &reqwest::Client,
    url: &Url,
    headers: &[(String, String)],
    policy: &FetchPolicy,
    max: usize,
) -> Result<Vec<u8>, FetchError> {
    check_url(url, policy.allow_plain_http)?;
    let shown = url.to_string();
    let mut delay = policy.backoff;
    let mut last = String::new();
    // A server that sends a byte now and then resets every read deadline: each attempt, the
    // whole answer included, gets a deadline of its own (documents are small).
    let whole = policy.connect_timeout + policy.read_timeout;
    for attempt in 1..=policy.attempts.max(1) {
        if attempt > 1 {
            tracing::debug!(url = shown, attempt, error = last, "request failed, retrying");
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
        match tokio::time::timeout(whole, get_once(client, url, headers, max)).await {
            Ok(Ok(body)) => return Ok(body),
            Ok(Err(Tried::Final(e))) => return Err(e),
            Ok(Err(Tried::Again(why))) => last = why,
            Err(_) => last = format!("no complete answer within {} s", whole.as_secs()),
        }
    }
    Err(FetchError::Network { url: shown, attempts: policy.attempts.max(1), message: last })
}

/// How one attempt of `get_bytes` failed.
enum Tried {
    /// Worth another attempt.
    Again(String),
    /// Not: the answer says no.
    Final(FetchError),
}

async fn get_once(
    client: &reqwest::Client,
    url: &Url,
    headers: &[(String, String)],
    max: usize,
) -> Result<Vec<u8>, Tried> {
    let shown = url.to_string();
    let mut response =
        client.get(url.clone()).headers(header_map(headers)).send().await.map_err(|e| Tried::Again(describe(&e)))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(Tried::Again(format!("HTTP {status}")));
    }
    if status != StatusCode::OK {
        return Err(Tried::Final(FetchError::Status { url: shown, status: status.as_u16() }));
    }
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(Tried::Final(FetchError::TooLarge { url: shown, limit: max as u64 }));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > max {
                    return Err(Tried::Final(FetchError::TooLarge { url: shown, limit: max as u64 }));
                }
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(Tried::Again(describe(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::client;

    /// A server that drips one byte at a time, each within the read deadline, never holds a
    /// request past the attempt's whole deadline.
    #[test]
    fn a_dripping_answer_ends_at_the_whole_deadline() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = Url::parse(&format!("http://{}/u.json", listener.local_addr().unwrap())).unwrap();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let (mut socket, _) = listener.accept().await.unwrap();
                // The request first, then the answer, a byte at a time.
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n").await;
                loop {
                    if socket.write_all(b"x").await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            let policy = FetchPolicy {
                connect_timeout: Duration::from_millis(300),
                read_timeout: Duration::from_millis(300),
                attempts: 1,
                ..FetchPolicy::default()
            };
            let started = std::time::Instant::now();
            let result = get_bytes(&client(&policy), &url, &[], &policy, 1 << 20).await;
            let error = result.unwrap_err().to_string();
            assert!(error.contains("no complete answer within"), "{error}");
            assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        });
    }
}
