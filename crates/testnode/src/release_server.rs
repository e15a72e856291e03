//! A GitHub-compatible release server on 127.0.0.1, for tests: the releases API (paginated),
//! release assets (paginated, with digests), downloads with Range support behind a redirect,
//! and misbehaviour on request (fail the first N downloads, cut a download in the middle,
//! hang, refuse Range).
//!
//! Routes, as `api.github.com` and its download host answer them:
//! - `GET /repos/{owner}/{repo}/releases?per_page&page`
//! - `GET /repos/{owner}/{repo}/releases/{id}/assets?per_page&page`
//! - `GET /repos/{owner}/{repo}/releases/assets/{id}` (`Accept: application/octet-stream` → 302)
//! - `GET /download/{tag}/{name}` (the bytes)
//! - `GET /files/{name}` (plain files, for upgrade-info style URLs)

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// One downloadable file and how it misbehaves.
#[derive(Debug, Clone, Default)]
pub struct Asset {
    /// The asset name.
    pub name: String,
    /// The bytes.
    pub data: Arc<Vec<u8>>,
    /// The `digest` the API reports (`sha256:<hex>`); `None` reports null.
    pub digest: Option<String>,
    /// Answer HTTP 500 to this many download requests first.
    pub fail_first: u32,
    /// Close the first download after this many bytes of the body.
    pub cut_after: Option<usize>,
    /// Never answer download requests.
    pub hang: bool,
    /// Ignore Range headers (always send the whole file with 200).
    pub no_range: bool,
    /// Send this many bytes of the body, then hold the rest back until the gate is opened
    /// (a slow download a test controls).
    pub stall_after: Option<(usize, Arc<std::sync::atomic::AtomicBool>)>,
}

impl Asset {
    /// An asset with the SHA-256 digest of its bytes.
    pub fn new(name: &str, data: Vec<u8>) -> Self {
        let digest = Some(format!("sha256:{}", sha256_hex(&data)));
        Self { name: name.to_owned(), data: Arc::new(data), digest, ..Self::default() }
    }
}

/// A release.
#[derive(Debug, Clone, Default)]
pub struct Release {
    /// The tag.
    pub tag: String,
    /// Its assets.
    pub assets: Vec<Asset>,
}

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Path and query.
    pub path: String,
    /// The Range header, if any.
    pub range: Option<String>,
    /// The Authorization header, if any.
    pub authorization: Option<String>,
}

/// What the server serves; tests change it while it runs.
#[derive(Debug, Default)]
pub struct State {
    /// Releases, newest first (as GitHub lists them).
    pub releases: Vec<Release>,
    /// Largest page the API returns, whatever `per_page` asks.
    pub page_size: usize,
    /// Plain files under `/files/`.
    pub files: Vec<Asset>,
    /// Every request, in order.
    pub seen: Vec<Seen>,
    /// Downloads served per asset name (for `fail_first` and `cut_after`).
    pub downloads: std::collections::HashMap<String, u32>,
}

/// A running server; it stops when dropped.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What it serves.
    pub state: Arc<Mutex<State>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// Starts a server on 127.0.0.1 with a free port, on its own thread.
    pub fn start(releases: Vec<Release>) -> Self {
        let state = Arc::new(Mutex::new(State { releases, page_size: 100, ..State::default() }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&state);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else { continue };
                        let state = Arc::clone(&served);
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |req| {
                                let state = Arc::clone(&state);
                                async move { Ok::<_, Infallible>(answer(req, addr, &state).await) }
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = rx => {}
                }
            });
        });
        Self { addr, state, _shutdown: tx }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("state").seen.clone()
    }
}

/// A response body made of parts; an `Err` part aborts the connection mid-body, a missing
/// end never finishes (a hang).
pub struct Parts {
    parts: VecDeque<Result<Bytes, std::io::Error>>,
    hang: bool,
    /// The parts after the first wait until this is set.
    gate: Option<Arc<std::sync::atomic::AtomicBool>>,
    sent_first: bool,
    length: Option<u64>,
    /// Before an error part, a pause that lets the bytes before it reach the client.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for Parts {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if matches!(self.parts.front(), Some(Err(_))) {
            let pause =
                self.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(std::time::Duration::from_millis(100))));
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        if self.sent_first
            && let Some(gate) = &self.gate
            && !gate.load(std::sync::atomic::Ordering::SeqCst)
        {
            let pause =
                self.pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(std::time::Duration::from_millis(10))));
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.sent_first = true;
        match self.parts.pop_front() {
            Some(Ok(bytes)) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
            None if self.hang => Poll::Pending,
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.length.map_or_else(SizeHint::default, SizeHint::with_exact)
    }
}

fn body(bytes: impl Into<Bytes>) -> Parts {
    let bytes = bytes.into();
    Parts {
        length: Some(bytes.len() as u64),
        parts: VecDeque::from([Ok(bytes)]),
        hang: false,
        pause: None,
        gate: None,
        sent_first: false,
    }
}

fn respond(status: StatusCode, body_parts: Parts, headers: &[(&str, String)]) -> Response<Parts> {
    let mut r = Response::new(body_parts);
    *r.status_mut() = status;
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) =
            (hyper::header::HeaderName::try_from(*k), hyper::header::HeaderValue::try_from(v.as_str()))
        {
            r.headers_mut().insert(name, value);
        }
    }
    r
}

fn json(value: serde_json::Value) -> Response<Parts> {
    respond(StatusCode::OK, body(value.to_string()), &[("content-type", "application/json; charset=utf-8".to_owned())])
}

fn not_found() -> Response<Parts> {
    respond(
        StatusCode::NOT_FOUND,
        body(r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#),
        &[("content-type", "application/json".to_owned())],
    )
}

fn query(req: &Request<Incoming>, key: &str) -> Option<usize> {
    req.uri().query()?.split('&').find_map(|kv| kv.strip_prefix(&format!("{key}="))?.parse().ok())
}

fn asset_json(
    base: &str,
    owner_repo: &str,
    release_id: usize,
    index: usize,
    tag: &str,
    a: &Asset,
) -> serde_json::Value {
    let id = release_id * 1000 + index;
    serde_json::json!({
        "id": id,
        "name": a.name,
        "size": a.data.len(),
        "content_type": if a.name.ends_with(".zip") { "application/zip" } else { "application/octet-stream" },
        "digest": a.digest,
        "url": format!("{base}/repos/{owner_repo}/releases/assets/{id}"),
        "browser_download_url": format!("{base}/download/{tag}/{}", a.name),
    })
}

fn page<T: Clone>(items: &[T], req: &Request<Incoming>, page_size: usize) -> Vec<T> {
    let per_page = query(req, "per_page").unwrap_or(30).clamp(1, page_size.max(1));
    let page = query(req, "page").unwrap_or(1).max(1);
    items.iter().skip((page - 1) * per_page).take(per_page).cloned().collect()
}

async fn answer(req: Request<Incoming>, addr: SocketAddr, state: &Mutex<State>) -> Response<Parts> {
    let base = format!("http://{addr}");
    let path = req.uri().path().to_owned();
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let range = header("range");
    {
        let mut s = state.lock().expect("state");
        let path_and_query = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
        s.seen.push(Seen { path: path_and_query, range: range.clone(), authorization: header("authorization") });
    }
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["repos", owner, repo, "releases"] => {
            let s = state.lock().expect("state");
            let owner_repo = format!("{owner}/{repo}");
            let all: Vec<serde_json::Value> = s
                .releases
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    // Like GitHub, the list embeds only some assets; the rest are on the assets pages.
                    let assets: Vec<_> = r
                        .assets
                        .iter()
                        .enumerate()
                        .take(s.page_size.min(2))
                        .map(|(j, a)| asset_json(&base, &owner_repo, i + 1, j, &r.tag, a))
                        .collect();
                    serde_json::json!({ "id": i + 1, "tag_name": r.tag, "name": r.tag, "draft": false, "prerelease": false, "assets": assets })
                })
                .collect();
            json(serde_json::Value::Array(page(&all, &req, s.page_size)))
        }
        ["repos", owner, repo, "releases", id, "assets"] => {
            let s = state.lock().expect("state");
            let Some((i, r)) = id.parse::<usize>().ok().and_then(|id| Some((id, s.releases.get(id.checked_sub(1)?)?)))
            else {
                return not_found();
            };
            let owner_repo = format!("{owner}/{repo}");
            let all: Vec<_> =
                r.assets.iter().enumerate().map(|(j, a)| asset_json(&base, &owner_repo, i, j, &r.tag, a)).collect();
            json(serde_json::Value::Array(page(&all, &req, s.page_size)))
        }
        ["repos", _, _, "releases", "assets", id] => {
            let s = state.lock().expect("state");
            let Some(id) = id.parse::<usize>().ok() else { return not_found() };
            let Some(release) = s.releases.get((id / 1000).wrapping_sub(1)) else { return not_found() };
            let Some(asset) = release.assets.get(id % 1000) else { return not_found() };
            if header("accept").is_some_and(|a| a.contains("application/octet-stream")) {
                let location = format!("{base}/download/{}/{}", release.tag, asset.name);
                respond(StatusCode::FOUND, body(""), &[("location", location)])
            } else {
                json(serde_json::json!({ "id": id, "name": asset.name }))
            }
        }
        ["download", tag, name] => {
            let asset = {
                let s = state.lock().expect("state");
                s.releases
                    .iter()
                    .filter(|r| r.tag == *tag)
                    .flat_map(|r| r.assets.iter())
                    .find(|a| a.name == *name)
                    .cloned()
            };
            match asset {
                Some(asset) => serve_bytes(state, &asset, range).await,
                None => not_found(),
            }
        }
        ["files", name] => {
            let asset = state.lock().expect("state").files.iter().find(|a| a.name == *name).cloned();
            match asset {
                Some(asset) => serve_bytes(state, &asset, range).await,
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

async fn serve_bytes(state: &Mutex<State>, asset: &Asset, range: Option<String>) -> Response<Parts> {
    let served = {
        let mut s = state.lock().expect("state");
        let n = s.downloads.entry(asset.name.clone()).or_insert(0);
        *n += 1;
        *n
    };
    if asset.hang {
        std::future::pending::<()>().await;
    }
    if served <= asset.fail_first {
        return respond(StatusCode::INTERNAL_SERVER_ERROR, body("temporary failure"), &[]);
    }
    let len = asset.data.len();
    let start = range
        .filter(|_| !asset.no_range)
        .and_then(|r| r.strip_prefix("bytes=")?.strip_suffix('-')?.parse::<usize>().ok());
    let (status, from, mut headers) = match start {
        Some(s) if s >= len => {
            return respond(
                StatusCode::RANGE_NOT_SATISFIABLE,
                body(""),
                &[("content-range", format!("bytes */{len}"))],
            );
        }
        Some(s) => (StatusCode::PARTIAL_CONTENT, s, vec![("content-range", format!("bytes {s}-{}/{len}", len - 1))]),
        None => (StatusCode::OK, 0, Vec::new()),
    };
    headers.push(("accept-ranges", "bytes".to_owned()));
    headers.push(("content-type", "application/octet-stream".to_owned()));
    let rest = Bytes::copy_from_slice(&asset.data[from..]);
    let first_download = served == asset.fail_first + 1;
    let parts = match asset.cut_after {
        Some(cut) if first_download && cut < rest.len() => Parts {
            length: Some(rest.len() as u64),
            parts: VecDeque::from([Ok(rest.slice(..cut)), Err(std::io::Error::other("cut on purpose"))]),
            hang: false,
            pause: None,
            gate: None,
            sent_first: false,
        },
        _ => match &asset.stall_after {
            Some((at, gate)) if *at < rest.len() => Parts {
                length: Some(rest.len() as u64),
                parts: VecDeque::from([Ok(rest.slice(..*at)), Ok(rest.slice(*at..))]),
                hang: false,
                pause: None,
                gate: Some(Arc::clone(gate)),
                sent_first: false,
            },
            _ => body(rest),
        },
    };
    respond(status, parts, &headers)
}

/// SHA-256 of `data` in hex (tests compute expected checksums with it).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// A zip archive holding `files` (name, unix mode, bytes); names ending in `/` are folders.
pub fn zip(files: &[(&str, u32, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut cursor);
        for (name, mode, data) in files {
            let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
            if name.ends_with('/') {
                w.add_directory(*name, options).expect("zip dir");
            } else if mode & 0o170000 == 0o120000 {
                w.add_symlink(*name, std::str::from_utf8(data).expect("link target"), options).expect("zip link");
            } else {
                w.start_file(*name, options).expect("zip file");
                w.write_all(data).expect("zip write");
            }
        }
        w.finish().expect("zip finish");
    }
    cursor.into_inner()
}
