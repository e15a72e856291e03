//! Fetching an artifact: `https://`, `file://`, and plain `http://` only to loopback addresses
//! (or with an explicit opt-in). Connect and read timeouts on every request; retries with
//! backoff on network errors and 5xx; an interrupted download resumes with an HTTP Range
//! request; a size cap; the checksum is computed while the bytes stream.
//!
//! Downloads are written to `<dest>.partial` and renamed to `dest` once complete and verified;
//! a mismatching download is deleted. The file is not fsync'd here: whoever keeps it (staging)
//! syncs what it keeps, once.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, HeaderMap, HeaderName, HeaderValue, RANGE};
use url::Url;

use super::checksum::{Algorithm, Checksum, Hasher};

mod document;
mod sink;
pub use document::get_bytes;
use sink::Sink;

/// Limits and timing of network access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Deadline to establish a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of an answer.
    pub read_timeout: Duration,
    /// Attempts per request (the first one included).
    pub attempts: u32,
    /// Wait before the first retry; doubles after each.
    pub backoff: Duration,
    /// Largest download accepted.
    pub max_bytes: u64,
    /// Accept plain `http://` to any host, not only loopback addresses.
    pub allow_plain_http: bool,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(500),
            max_bytes: 2 << 30,
            allow_plain_http: false,
        }
    }
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL's scheme is not allowed.
    #[error("refusing {url}: {why}")]
    Insecure {
        /// The URL.
        url: String,
        /// Why.
        why: String,
    },
    /// The server refused the request (not retried).
    #[error("{url} answered HTTP {status}{}", hint(*status))]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The network failed on every attempt.
    #[error("cannot download {url} after {attempts} attempt(s): {message}")]
    Network {
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        message: String,
    },
    /// The download is larger than allowed.
    #[error("{url} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The bytes are not the expected ones; the download was deleted.
    #[error("checksum mismatch for {url}: expected {expected}, got {actual}; the download was deleted")]
    Mismatch {
        /// The URL.
        url: String,
        /// The expected checksum.
        expected: String,
        /// What the bytes hash to.
        actual: String,
    },
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => "; check the access token",
        403 | 429 => "; the API's rate limit may be spent: set GITHUB_TOKEN, or wait",
        404 => "; check the name and the address",
        _ => "",
    }
}

/// A completed download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Where the bytes are.
    pub path: PathBuf,
    /// How many.
    pub bytes: u64,
    /// Their checksum (the expected algorithm, SHA-256 when none was expected).
    pub checksum: Checksum,
    /// Whether it was checked against an expected value.
    pub verified: bool,
}

/// Whether `url` may be used: https, file, or http to loopback (or with the opt-in).
pub fn check_url(url: &Url, allow_plain_http: bool) -> Result<(), FetchError> {
    let refuse = |why: &str| Err(FetchError::Insecure { url: url.to_string(), why: why.to_owned() });
    match url.scheme() {
        "https" | "file" => Ok(()),
        "http" if allow_plain_http || is_loopback(url) => Ok(()),
        "http" => refuse("plain http is only used for loopback addresses; use https, or opt in to plain http"),
        other => refuse(&format!("the `{other}` scheme is not supported; use https or file")),
    }
}

/// Whether `url`, announced by the source at `by` (an upstream, a release API), may be used:
/// a source on the network may name only network addresses. A `file://` address there would
/// let whoever controls the upstream make the visor read any local file, a device or a FIFO.
/// Local sources (a `file://` upstream the operator set up) may name local files.
pub fn check_announced(url: &Url, by: &Url) -> Result<(), FetchError> {
    if url.scheme() == "file" && by.scheme() != "file" {
        return Err(FetchError::Insecure {
            url: url.to_string(),
            why: format!("it was announced by {by}, and a source on the network may not name local files"),
        });
    }
    Ok(())
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Builds the HTTP client every fetch shares: timeouts, a user agent, and a redirect policy
/// that applies the scheme rules to every hop.
pub fn client(policy: &FetchPolicy) -> reqwest::Client {
    let allow_http = policy.allow_plain_http;
    reqwest::Client::builder()
        .connect_timeout(policy.connect_timeout)
        .read_timeout(policy.read_timeout)
        .user_agent(concat!("visor/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if let Err(e) = check_url(attempt.url(), allow_http) {
                attempt.error(e.to_string())
            } else {
                attempt.follow()
            }
        }))
        .build()
        .unwrap_or_default()
}

/// One download: where from, with which headers, what it must hash to, where to.
#[derive(Debug, Clone)]
pub struct Request {
    /// The address.
    pub url: Url,
    /// Extra headers (Accept, Authorization).
    pub headers: Vec<(String, String)>,
    /// The expected checksum, if known.
    pub expected: Option<Checksum>,
    /// The final file.
    pub dest: PathBuf,
}

fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v.as_str())) {
            map.insert(k, v);
        }
    }
    map
}

/// Progress of a download: bytes so far and the total when known.
pub type Progress<'a> = &'a mut (dyn FnMut(u64, Option<u64>) + Send);

/// Downloads `request`, verifying it if a checksum is expected.
pub async fn fetch(
    client: &reqwest::Client,
    request: &Request,
    policy: &FetchPolicy,
    progress: Progress<'_>,
) -> Result<Downloaded, FetchError> {
    check_url(&request.url, policy.allow_plain_http)?;
    let algorithm = request.expected.as_ref().map_or(Algorithm::Sha256, |c| c.algorithm);
    let partial = partial_path(&request.dest);
    let (bytes, checksum) = if request.url.scheme() == "file" {
        copy_file(&request.url, &partial, algorithm, policy.max_bytes, progress)?
    } else {
        download(client, request, &partial, algorithm, policy, progress).await?
    };
    let url = request.url.to_string();
    if let Some(expected) = request.expected.as_ref().filter(|e| **e != checksum) {
        let _ = fs::remove_file(&partial);
        return Err(FetchError::Mismatch { url, expected: expected.to_string(), actual: checksum.to_string() });
    }
    fs::rename(&partial, &request.dest).map_err(|source| io_error(&request.dest, source))?;
    Ok(Downloaded { path: request.dest.clone(), bytes, checksum, verified: request.expected.is_some() })
}

fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    dest.with_file_name(name)
}

fn io_error(path: &Path, source: std::io::Error) -> FetchError {
    FetchError::Io { path: path.display().to_string(), source }
}

fn copy_file(
    url: &Url,
    partial: &Path,
    algorithm: Algorithm,
    max: u64,
    progress: Progress<'_>,
) -> Result<(u64, Checksum), FetchError> {
    let source = url
        .to_file_path()
        .map_err(|()| FetchError::Insecure { url: url.to_string(), why: "not a local file path".to_owned() })?;
    // Non-blocking open: a FIFO must be refused, not waited on.
    let mut input = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(&source)
        .map_err(|e| io_error(&source, e))?;
    let meta = input.metadata().map_err(|e| io_error(&source, e))?;
    if !meta.is_file() {
        return Err(FetchError::Insecure {
            url: url.to_string(),
            why: "it is not a regular file (a device, FIFO or folder); name the release file itself".to_owned(),
        });
    }
    let total = Some(meta.len());
    if meta.len() > max {
        return Err(FetchError::TooLarge { url: url.to_string(), limit: max });
    }
    let _ = fs::remove_file(partial);
    let mut output =
        OpenOptions::new().write(true).create_new(true).mode(0o600).open(partial).map_err(|e| io_error(partial, e))?;
    let mut hasher = Hasher::new(algorithm);
    let mut buffer = vec![0u8; 256 * 1024];
    let mut done = 0u64;
    loop {
        let n = input.read(&mut buffer).map_err(|e| io_error(&source, e))?;
        if n == 0 {
            break;
        }
        done += n as u64;
        if done > max {
            drop(output);
            let _ = fs::remove_file(partial);
            return Err(FetchError::TooLarge { url: url.to_string(), limit: max });
        }
        hasher.update(&buffer[..n]);
        output.write_all(&buffer[..n]).map_err(|e| io_error(partial, e))?;
        progress(done, total);
    }
    Ok((done, hasher.finish()))
}

/// The result of one attempt.
enum Attempt {
    Done,
    /// Failed in a way worth retrying; what arrived is kept.
    Retry(String),
}

async fn download(
    client: &reqwest::Client,
    request: &Request,
    partial: &Path,
    algorithm: Algorithm,
    policy: &FetchPolicy,
    progress: Progress<'_>,
) -> Result<(u64, Checksum), FetchError> {
    let url = request.url.to_string();
    let _ = fs::remove_file(partial);
    let file =
        OpenOptions::new().write(true).create_new(true).mode(0o600).open(partial).map_err(|e| io_error(partial, e))?;
    let mut sink = Sink::start(file, algorithm).map_err(|e| io_error(partial, e))?;
    let mut have = 0u64;
    let mut delay = policy.backoff;
    let mut last_error = String::new();
    let mut outcome = None;
    for attempt in 1..=policy.attempts.max(1) {
        if attempt > 1 {
            tracing::warn!(
                url,
                attempt,
                retry_in_ms = delay.as_millis() as u64,
                error = last_error,
                "download failed, retrying"
            );
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
        match one_attempt(client, request, &mut sink, &mut have, policy, progress).await {
            Ok(Attempt::Done) => {
                outcome = Some(Ok(()));
                break;
            }
            Ok(Attempt::Retry(message)) => last_error = message,
            Err(e) => {
                outcome = Some(Err(e));
                break;
            }
        }
    }
    // The writer's own error (disk full, ...) explains a failure better than the network's.
    let written = sink.finish().map_err(|e| io_error(partial, e));
    match outcome {
        Some(Ok(())) => written,
        Some(Err(e)) => {
            written?;
            Err(e)
        }
        None => {
            written?;
            Err(FetchError::Network { url, attempts: policy.attempts.max(1), message: last_error })
        }
    }
}

async fn one_attempt(
    client: &reqwest::Client,
    request: &Request,
    sink: &mut Sink,
    have: &mut u64,
    policy: &FetchPolicy,
    progress: Progress<'_>,
) -> Result<Attempt, FetchError> {
    let url = request.url.to_string();
    let writer_stopped = || FetchError::Io {
        path: request.dest.display().to_string(),
        source: std::io::Error::other("the download writer stopped"),
    };
    let mut builder = client.get(request.url.clone()).headers(header_map(&request.headers));
    if *have > 0 {
        builder = builder.header(RANGE, format!("bytes={have}-"));
    }
    let mut response = match builder.send().await {
        Ok(r) => r,
        Err(e) => return Ok(Attempt::Retry(describe(&e))),
    };
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Ok(Attempt::Retry(format!("HTTP {status}")));
    }
    let resumed = status == StatusCode::PARTIAL_CONTENT
        && response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(&format!("bytes {have}-")));
    if status == StatusCode::RANGE_NOT_SATISFIABLE || (status.is_success() && !resumed && *have > 0) {
        tracing::info!(url, "the server does not resume this download; starting over");
        if !sink.restart().await {
            return Err(writer_stopped());
        }
        *have = 0;
        if status == StatusCode::RANGE_NOT_SATISFIABLE {
            return Ok(Attempt::Retry("HTTP 416".to_owned()));
        }
    } else if !status.is_success() {
        return Err(FetchError::Status { url, status: status.as_u16() });
    } else if resumed {
        tracing::info!(url, from_byte = *have, "resuming the download");
    }
    let total = response.content_length().map(|len| len + *have);
    if total.is_some_and(|t| t > policy.max_bytes) {
        return Err(FetchError::TooLarge { url, limit: policy.max_bytes });
    }
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                *have += chunk.len() as u64;
                if *have > policy.max_bytes {
                    return Err(FetchError::TooLarge { url, limit: policy.max_bytes });
                }
                if !sink.send(chunk).await {
                    return Err(writer_stopped());
                }
                progress(*have, total);
            }
            Ok(None) => break,
            Err(e) => return Ok(Attempt::Retry(describe(&e))),
        }
    }
    if total.is_some_and(|t| *have < t) {
        return Ok(Attempt::Retry(format!("connection closed after {have} of {} bytes", total.unwrap_or(0))));
    }
    Ok(Attempt::Done)
}

fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        "transfer failed".to_owned()
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Measures the rate of a transfer for progress reports.
#[derive(Debug)]
pub struct Rate {
    start: Instant,
}

impl Rate {
    /// Starts measuring.
    pub fn start() -> Self {
        Self { start: Instant::now() }
    }

    /// Bytes per second for `bytes` so far.
    pub fn per_second(&self, bytes: u64) -> u64 {
        let secs = self.start.elapsed().as_secs_f64();
        if secs > 0.0 { (bytes as f64 / secs) as u64 } else { 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_rules() {
        let ok = |u: &str, opt: bool| check_url(&Url::parse(u).unwrap(), opt).is_ok();
        assert!(ok("https://api.github.com/x", false));
        assert!(ok("file:///tmp/x", false));
        assert!(ok("http://127.0.0.1:8080/x", false));
        assert!(ok("http://[::1]:8080/x", false));
        assert!(ok("http://localhost/x", false));
        assert!(!ok("http://example.com/x", false));
        assert!(ok("http://example.com/x", true));
        assert!(!ok("ftp://example.com/x", true));
    }
}
