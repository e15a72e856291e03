//! The metrics endpoint: `GET /metrics` over HTTP/1.1, OpenMetrics text.
//!
//! Whoever can reach the address can connect, so a connection is bounded like any untrusted
//! input: a few at a time, a deadline for the request's head, no request body read, and only
//! one path answered.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::registry::Registry;

/// The metrics endpoint cannot be served.
#[derive(Debug, thiserror::Error)]
#[error("cannot serve metrics on {addr} (set by {setting}): {source}; free the address or choose another")]
pub struct MetricsError {
    addr: SocketAddr,
    setting: String,
    source: std::io::Error,
}

/// Connections served at once; more wait for the listener's backlog.
const MAX_CONNECTIONS: usize = 16;
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub(super) async fn serve(
    addr: SocketAddr,
    setting: &str,
    registry: Arc<Registry>,
) -> Result<(tokio::task::JoinHandle<()>, SocketAddr), MetricsError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| MetricsError {
        addr,
        setting: setting.to_owned(),
        source,
    })?;
    let local = listener.local_addr().unwrap_or(addr);
    tracing::info!(address = %local, "serving metrics at http://{local}/metrics");
    if !local.ip().is_loopback() {
        tracing::warn!(address = %local, "the metrics endpoint is reachable from other hosts: it has no authentication");
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let task = tokio::spawn(async move {
        loop {
            let Ok(permit) = Arc::clone(&slots).acquire_owned().await else { return };
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors, most likely: wait rather than spin.
                    tracing::debug!(error = e.to_string(), "cannot accept a metrics connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let registry = Arc::clone(&registry);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let registry = Arc::clone(&registry);
                    async move { Ok::<_, std::convert::Infallible>(answer(&request, &registry)) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .max_buf_size(16 * 1024)
                    .keep_alive(false)
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
                // A scrape that stalls is cut off; the head has its own deadline above.
                let _ = tokio::time::timeout(Duration::from_secs(30), connection).await;
                drop(permit);
            });
        }
    });
    Ok((task, local))
}

fn answer(request: &Request<hyper::body::Incoming>, registry: &Registry) -> Response<Full<Bytes>> {
    let reply = |code: StatusCode, content_type: &str, body: String| {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = code;
        if let Ok(value) = content_type.parse() {
            response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
        }
        response
    };
    match (request.method(), request.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics") => {
            reply(StatusCode::OK, CONTENT_TYPE, super::metrics::encode(registry))
        }
        (_, "/metrics") => reply(StatusCode::METHOD_NOT_ALLOWED, "text/plain", "use GET\n".to_owned()),
        _ => reply(StatusCode::NOT_FOUND, "text/plain", "not found: the metrics are at /metrics\n".to_owned()),
    }
}
