//! The one gRPC call a Cosmos visor makes, `cosmos.upgrade.v1beta1.Query/CurrentPlan`, served
//! over plaintext HTTP/2 the way the SDK's gRPC server answers it: a length-prefixed protobuf
//! `QueryCurrentPlanResponse` and `grpc-status: 0` in the trailers. Encoded by hand: testnode is
//! the fake, and three fields are all there is.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

/// The plan served (`None`: no plan).
pub(crate) type Served = Arc<Option<(String, u64, String)>>;

fn varint(mut n: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn field_bytes(tag: u64, bytes: &[u8], out: &mut Vec<u8>) {
    varint((tag << 3) | 2, out);
    varint(bytes.len() as u64, out);
    out.extend_from_slice(bytes);
}

/// `QueryCurrentPlanResponse { plan: Plan { name = 1, height = 3, info = 4 } }`.
fn encode(plan: &Option<(String, u64, String)>) -> Vec<u8> {
    let mut message = Vec::new();
    if let Some((name, height, info)) = plan {
        let mut p = Vec::new();
        field_bytes(1, name.as_bytes(), &mut p);
        varint(3 << 3, &mut p);
        varint(*height, &mut p);
        field_bytes(4, info.as_bytes(), &mut p);
        field_bytes(1, &p, &mut message);
    }
    let mut framed = vec![0u8];
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(&message);
    framed
}

pub(crate) fn listen(port: u16, plan: Served) -> std::io::Result<()> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))?;
    let listener = socket.listen(64)?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let plan = Arc::clone(&plan);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let plan = Arc::clone(&plan);
                    async move {
                        let known = request.uri().path() == "/cosmos.upgrade.v1beta1.Query/CurrentPlan";
                        let _ = request.into_body().collect().await;
                        let mut trailers = hyper::HeaderMap::new();
                        let (status, body) = if known { ("0", encode(&plan)) } else { ("12", Vec::new()) };
                        trailers.insert("grpc-status", status.parse().expect("header"));
                        let body = Full::new(Bytes::from(body))
                            .map_err(|never: Infallible| match never {})
                            .with_trailers(async move { Some(Ok::<_, Infallible>(trailers)) });
                        let response = Response::builder()
                            .header("content-type", "application/grpc")
                            .body(body)
                            .expect("response");
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(())
}
