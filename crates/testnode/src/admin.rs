//! The Vega core's admin endpoint as gorilla/rpc serves it: POST only (405 otherwise),
//! `application/json` only (415), JSON-RPC 1.0 answers (`result`, `error`, `id`; no `jsonrpc`).

use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;

use crate::Chain;
use crate::args::AdminMode;

pub(crate) fn listen(
    socket: &Path,
    http_path: String,
    mode: AdminMode,
    chain: Arc<Mutex<Chain>>,
) -> std::io::Result<()> {
    // The real core removes a stale socket before listening.
    let _ = std::fs::remove_file(socket);
    if let Some(parent) = socket.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let listener = UnixListener::bind(socket)?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (chain, http_path) = (Arc::clone(&chain), http_path.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let (chain, http_path) = (Arc::clone(&chain), http_path.clone());
                    async move { Ok::<_, Infallible>(answer(req, &http_path, mode, &chain).await) }
                });
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    Ok(())
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_owned())));
    *r.status_mut() = status;
    r.headers_mut().insert("content-type", "text/plain; charset=utf-8".parse().expect("header"));
    r
}

fn json(body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    r.headers_mut().insert("content-type", "application/json; charset=utf-8".parse().expect("header"));
    r.headers_mut().insert("x-content-type-options", "nosniff".parse().expect("header"));
    r
}

async fn answer(
    req: Request<Incoming>,
    http_path: &str,
    mode: AdminMode,
    chain: &Mutex<Chain>,
) -> Response<Full<Bytes>> {
    match mode {
        AdminMode::Hang => std::future::pending::<()>().await,
        AdminMode::Http500 => return text(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"),
        AdminMode::Garbage => {
            return text(StatusCode::OK, "<html>this is not the admin endpoint</html>");
        }
        AdminMode::Ok | AdminMode::Error => {}
    }
    if req.uri().path() != http_path {
        return text(StatusCode::NOT_FOUND, "404 page not found\n");
    }
    if req.method() != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "rpc: POST method required, received GET\n");
    }
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    let base = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if base != "application/json" {
        return text(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("rpc: unrecognized Content-Type: {content_type}\n"));
    }
    let Ok(body) = req.into_body().collect().await.map(|b| b.to_bytes()) else {
        return text(StatusCode::BAD_REQUEST, "rpc: cannot read the body\n");
    };
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return text(StatusCode::BAD_REQUEST, "rpc: malformed request\n");
    };
    let id = request.get("id").cloned();
    let method = request.get("method").and_then(|m| m.as_str()).unwrap_or("");
    if method != "protocolupgrade.UpgradeStatus" {
        let service = method.split('.').next().unwrap_or("");
        return text(StatusCode::BAD_REQUEST, &format!("rpc: can't find service \"{service}\"\n"));
    }
    let Some(id) = id.filter(|i| !i.is_null()) else {
        // A request without an id is a notification: no body.
        return text(StatusCode::OK, "");
    };
    if mode == AdminMode::Error {
        return json(serde_json::json!({ "result": null, "error": "the node is not ready to answer", "id": id }));
    }
    let c = chain.lock().expect("chain");
    let accepted =
        c.accepted().map(|(tag, height)| serde_json::json!({ "VegaReleaseTag": tag, "UpgradeBlockHeight": height }));
    json(serde_json::json!({
        "result": { "AcceptedReleaseInfo": accepted, "ReadyToUpgrade": c.ready },
        "error": null,
        "id": id,
    }))
}
