//! testnode's admin endpoint speaks the Vega core's wire format exactly (gorilla/rpc json
//! codec over HTTP/1.1 on a unix socket), so the visor is tested against the real protocol.
//! This test also makes `cargo test --workspace` build the `testnode` binary that the visor's
//! integration tests run.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(socket: &Path, extra: &[&str]) -> Node {
    let child = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(["start", "--socket"])
        .arg(socket)
        .args(["--block-time", "20ms"])
        .args(extra)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while UnixStream::connect(socket).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "admin socket never appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
    Node(child)
}

/// One raw HTTP/1.1 exchange; returns (status code, body).
fn exchange(socket: &Path, method: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut stream = UnixStream::connect(socket).unwrap();
    write!(
        stream,
        "{method} /rpc HTTP/1.1\r\nHost: unix\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

const STATUS: &str = r#"{"method":"protocolupgrade.UpgradeStatus","params":[null],"id":3667690688976448817}"#;

#[test]
fn answers_upgrade_status_as_json_rpc_1_0() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("vega.sock");
    let _node = start(&socket, &["--upgrade-at", "5", "--release-tag", "v0.74.0"]);
    let start = Instant::now();
    loop {
        let (code, body) = exchange(&socket, "POST", "application/json", STATUS);
        assert_eq!(code, 200);
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["id"], 3667690688976448817u64, "id echoed");
        assert!(json["error"].is_null());
        assert!(json.get("jsonrpc").is_none(), "JSON-RPC 1.0 has no jsonrpc member");
        let result = &json["result"];
        if result["ReadyToUpgrade"] == true {
            assert_eq!(result["AcceptedReleaseInfo"]["VegaReleaseTag"], "v0.74.0");
            assert_eq!(result["AcceptedReleaseInfo"]["UpgradeBlockHeight"], 5);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never ready: {body}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn rejects_like_gorilla_rpc() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("vega.sock");
    let _node = start(&socket, &[]);
    assert_eq!(exchange(&socket, "GET", "application/json", "").0, 405);
    assert_eq!(exchange(&socket, "POST", "text/plain", STATUS).0, 415);
    assert_eq!(exchange(&socket, "POST", "application/json;charset=UTF-8", STATUS).0, 200);
    let (code, body) =
        exchange(&socket, "POST", "application/json", r#"{"method":"nope.Method","params":[null],"id":1}"#);
    assert_eq!(code, 400);
    assert!(body.contains("can't find service"), "{body}");
}

#[test]
fn answers_version_and_build_info() {
    let out = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(["version", "--output", "json"])
        .env("TESTNODE_VERSION", "v9.9.9")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "v9.9.9");
    let out = Command::new(env!("CARGO_BIN_EXE_testnode"))
        .args(["--no-banner", "build-info", "--output=json"])
        .env("TESTNODE_VERSION", "v1.2.3")
        .env("TESTNODE_BINARY_NAME", "nym-node")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["binary_name"], "nym-node");
    assert_eq!(json["build_version"], "1.2.3");
}
