//! The chain's height, from the node's CometBFT RPC (`GET /status`): what an upgrade due at a
//! height waits for. Polled only while such an upgrade is pending.
//!
//! At a halt, CometBFT has saved the block the app refused to run, so `latest_block_height`
//! is the plan's height. The answer is untrusted input: bounded, and a height that is not a
//! number (as a JSON string, CometBFT's way, or as a number) is an error, never a panic.

use std::time::Duration;

use serde::Deserialize;

use crate::node::ChainHeightSettings;
use crate::stage::{FetchPolicy, client, get_bytes};

/// Largest `/status` answer read (a real one is about 2 KiB).
const MAX_STATUS: usize = 256 << 10;

#[derive(Deserialize)]
struct Answer {
    result: Option<Status>,
    // The app's own `status` prints it without the JSON-RPC envelope (older SDKs as
    // `SyncInfo`).
    #[serde(alias = "SyncInfo")]
    sync_info: Option<SyncInfo>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(alias = "SyncInfo")]
    sync_info: SyncInfo,
}

#[derive(Deserialize)]
struct SyncInfo {
    latest_block_height: serde_json::Value,
}

/// The height in a CometBFT `/status` answer.
pub(crate) fn parse_status(body: &[u8]) -> Result<u64, String> {
    let answer: Answer = serde_json::from_slice(body).map_err(|e| format!("not a CometBFT status answer: {e}"))?;
    let sync = answer
        .result
        .map(|r| r.sync_info)
        .or(answer.sync_info)
        .ok_or("the answer has no sync_info.latest_block_height")?;
    match &sync.latest_block_height {
        serde_json::Value::String(s) => s.parse::<u64>().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| format!("latest_block_height {} is not a height", sync.latest_block_height))
}

/// The fallback command is run at most this often (it is a process spawn).
const FALLBACK_EVERY: Duration = Duration::from_secs(5);

/// Runs the fallback command and reads the height it prints.
async fn height_by_command(
    program: &std::path::Path,
    args: &[std::ffi::OsString],
    deadline: Duration,
) -> Result<u64, String> {
    let (program, args) = (program.to_owned(), args.to_vec());
    let shown = program.display().to_string();
    let out = tokio::task::spawn_blocking(move || crate::supervise::run_helper_blocking(&program, &args, deadline))
        .await
        .map_err(|e| format!("{shown} status: {e}"))?
        .map_err(|e| format!("{shown} status: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown} status failed ({})", out.status));
    }
    // Some apps print their status on stderr.
    parse_status(&out.stdout).or_else(|_| parse_status(&out.stderr)).map_err(|e| format!("{shown} status: {e}"))
}

/// Polls the height until the task is aborted, handing each result to `emit`, which says
/// whether to go on.
pub(crate) fn spawn_height_poll(
    settings: ChainHeightSettings,
    emit: impl Fn(Result<u64, String>) -> bool + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // The node's own RPC, named by the operator's files: plain HTTP is what it serves.
        let deadline = settings.interval.clamp(Duration::from_millis(500), Duration::from_secs(5));
        let policy = FetchPolicy {
            connect_timeout: deadline,
            read_timeout: deadline,
            attempts: 1,
            allow_plain_http: true,
            ..FetchPolicy::default()
        };
        let http = client(&policy);
        let url = match settings.rpc.join("status") {
            Ok(url) => url,
            Err(e) => {
                emit(Err(format!("the RPC address {} has no /status: {e}", settings.rpc)));
                return;
            }
        };
        let mut fallback_at: Option<tokio::time::Instant> = None;
        loop {
            let mut result = get_bytes(&http, &url, &[], &policy, MAX_STATUS)
                .await
                .map_err(|e| e.to_string())
                .and_then(|body| parse_status(&body).map_err(|e| format!("{url}: {e}")));
            if let (Err(rpc), Some((program, args))) = (&result, &settings.fallback)
                && fallback_at.is_none_or(|t| t.elapsed() >= FALLBACK_EVERY)
            {
                fallback_at = Some(tokio::time::Instant::now());
                result = height_by_command(program, args, deadline.max(Duration::from_secs(10)))
                    .await
                    .map_err(|e| format!("{rpc}; and {e}"));
            }
            if !emit(result) {
                return;
            }
            tokio::time::sleep(settings.interval).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::parse_status;

    #[test]
    fn heights_as_strings_or_numbers_and_garbage_refused() {
        assert_eq!(
            parse_status(br#"{"jsonrpc":"2.0","id":-1,"result":{"sync_info":{"latest_block_height":"42"}}}"#),
            Ok(42)
        );
        assert_eq!(parse_status(br#"{"result":{"sync_info":{"latest_block_height":7}}}"#), Ok(7));
        assert_eq!(parse_status(br#"{"sync_info":{"latest_block_height":"9"}}"#), Ok(9));
        assert_eq!(parse_status(br#"{"NodeInfo":{},"SyncInfo":{"latest_block_height":"11"}}"#), Ok(11));
        for bad in [
            &b"{}"[..],
            b"",
            b"[1]",
            br#"{"result":{"sync_info":{"latest_block_height":"-1"}}}"#,
            br#"{"result":{"sync_info":{"latest_block_height":null}}}"#,
        ] {
            assert!(parse_status(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
