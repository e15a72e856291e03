//! What the operator's tools see, for the tests: a Prometheus scrape, systemd's notify socket,
//! the status document's schema.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One scrape: the status code, the content type and the body.
pub struct Scrape {
    pub code: u16,
    pub content_type: String,
    pub body: String,
}

/// `GET path` over plain HTTP/1.1 (what Prometheus does), or why it failed.
pub fn get(addr: SocketAddr, path: &str) -> Result<Scrape, String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/openmetrics-text\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8(raw).map_err(|e| e.to_string())?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no end of headers")?;
    let code = head.split(' ').nth(1).and_then(|c| c.parse().ok()).ok_or("no status code")?;
    let content_type = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim()))
        .unwrap_or_default()
        .to_owned();
    Ok(Scrape { code, content_type, body: body.to_owned() })
}

/// Where the visor writing `status_file` serves its metrics, once it says (tests ask for port 0,
/// so no two tests can race for a port).
pub fn metrics_address(status_file: &Path) -> SocketAddr {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status: Option<serde_json::Value> =
            std::fs::read(status_file).ok().and_then(|b| serde_json::from_slice(&b).ok());
        if let Some(addr) = status.as_ref().and_then(|s| s["metrics"].as_str()) {
            return addr.parse().expect("the status holds host:port");
        }
        assert!(Instant::now() < deadline, "no metrics address in {}", status_file.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Scrapes `/metrics` at `addr` once it answers (the visor binds it as it starts).
pub fn scrape(addr: SocketAddr) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match get(addr, "/metrics") {
            Ok(s) if s.code == 200 => {
                assert!(s.content_type.starts_with("application/openmetrics-text"), "{}", s.content_type);
                return Metrics::parse(&s.body);
            }
            other if Instant::now() > deadline => panic!("no metrics at {addr}: {:?}", other.map(|s| s.code)),
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Scrapes until `condition` holds for the metrics.
pub fn wait_metrics(addr: SocketAddr, what: &str, condition: impl Fn(&Metrics) -> bool) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let metrics = scrape(addr);
        if condition(&metrics) {
            return metrics;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}; last scrape:\n{}", metrics.text);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A scrape, parsed: each sample by its series (`name{label="v",…}` as written).
pub struct Metrics {
    pub samples: BTreeMap<String, f64>,
    pub text: String,
}

impl Metrics {
    /// Parses OpenMetrics text strictly enough to fail a test on a malformed line.
    pub fn parse(text: &str) -> Self {
        assert!(text.ends_with("# EOF\n"), "OpenMetrics text ends with # EOF:\n{text}");
        let mut samples = BTreeMap::new();
        for line in text.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample without a value: {line}"));
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("not a number in {line}"));
            assert!(samples.insert(series.to_owned(), value).is_none(), "a series twice: {series}");
        }
        Self { samples, text: text.to_owned() }
    }

    /// The value of exactly this series.
    pub fn get(&self, series: &str) -> Option<f64> {
        self.samples.get(series).copied()
    }

    /// The series of metric `name` (any labels) and their values.
    pub fn family(&self, name: &str) -> Vec<(&str, f64)> {
        self.samples
            .iter()
            .filter(|(k, _)| *k == name || k.starts_with(&format!("{name}{{")))
            .map(|(k, v)| (k.as_str(), *v))
            .collect()
    }

    /// The one series of `name` whose value is 1 (a state set), if any.
    pub fn set_member(&self, name: &str) -> Option<&str> {
        self.family(name).into_iter().find(|(_, v)| *v == 1.0).map(|(k, _)| k)
    }
}

/// Checks the text with `promtool check metrics` when the machine has promtool (nothing is
/// installed for it); `false` when it is not there.
pub fn promtool_check(text: &str) -> bool {
    let Ok(mut child) = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("note: promtool is not installed; the metrics were checked by the test's own parser only");
        return false;
    };
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// A socket that plays systemd's end of `Type=notify`: pass [`NotifySocket::env`] to the visor.
pub struct NotifySocket {
    socket: UnixDatagram,
    path: PathBuf,
    pub received: Vec<String>,
}

impl NotifySocket {
    pub fn bind(dir: &Path) -> Self {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        Self { socket, path, received: Vec::new() }
    }

    /// `NOTIFY_SOCKET` for the visor.
    pub fn env(&self) -> (&'static str, String) {
        ("NOTIFY_SOCKET", self.path.display().to_string())
    }

    /// Reads datagrams until one holds the line `line` (each datagram may hold several lines),
    /// and returns every line received so far, in order.
    pub fn wait_for(&mut self, line: &str) -> &[String] {
        self.wait_count(line, 1)
    }

    /// Reads datagrams until the line `line` (or, when it ends in `=`, a line starting with it)
    /// was received `n` times in all.
    pub fn wait_count(&mut self, line: &str, n: usize) -> &[String] {
        let matches = |l: &String| if line.ends_with('=') { l.starts_with(line) } else { l == line };
        self.wait_until(line, |received| received.iter().filter(|l| matches(l)).count() >= n)
    }

    /// Reads datagrams until `done` holds for the lines received so far.
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&[String]) -> bool) -> &[String] {
        let line = what;
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut buf = vec![0u8; 64 * 1024];
        while !done(&self.received) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no {line:?} on the notify socket; received: {:#?}", self.received);
            self.socket.set_read_timeout(Some(left)).unwrap();
            match self.socket.recv(&mut buf) {
                Ok(n) => {
                    let text = String::from_utf8(buf[..n].to_vec()).expect("notify messages are text");
                    self.received.extend(text.lines().map(str::to_owned));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("notify socket: {e}"),
            }
        }
        &self.received
    }

    /// The position of the first line equal to `line`, or starting with it when it ends in `=`.
    pub fn position(&self, line: &str) -> Option<usize> {
        self.received.iter().position(|l| if line.ends_with('=') { l.starts_with(line) } else { l == line })
    }
}

/// The schema `status --output json` follows.
pub fn status_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/status.schema.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Validates a `status --output json` document against `docs/status.schema.json`.
pub fn assert_status_schema(document: &serde_json::Value) {
    let schema = status_schema();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("docs/status.schema.json is not a valid schema: {e}"));
    let errors: Vec<String> =
        validator.iter_errors(document).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "the status does not follow docs/status.schema.json:\n{}\n{document:#}",
        errors.join("\n")
    );
}
