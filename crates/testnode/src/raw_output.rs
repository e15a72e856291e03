//! A process's output kept byte for byte, for the tests of the node's output passing through
//! a visor untouched (the line-based `support::Process` keeps UTF-8 lines only), and what
//! `testnode --print-long-line` and `--print-invalid-utf8` write.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use nix::sys::signal::Signal;

/// What `testnode --print-invalid-utf8` writes on stdout and on stderr.
pub const INVALID_UTF8: &[u8] = b"invalid utf-8 <\x80\xff\xfe\xc3( \xc0\xaf \xed\xa0\x80> end\n";
pub const MIB: usize = 1 << 20;

/// What `testnode --print-long-line n` writes on stdout.
pub fn long_line(n: usize) -> Vec<u8> {
    let mut line: Vec<u8> = (0..n).map(|i| b'a' + (i % 23) as u8).collect();
    line.push(b'\n');
    line
}

/// Whether `bytes` holds `line` (which ends with a newline) as a whole line.
pub fn has_line(bytes: &[u8], line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    bytes.split(|b| *b == b'\n').any(|l| l == line)
}

/// A visor with its stdout and stderr kept byte for byte.
pub struct Raw {
    child: Child,
    out: Arc<Mutex<Vec<u8>>>,
    err: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Raw {
    /// Spawns `command` with its output piped.
    pub fn spawn(mut command: Command) -> Self {
        Self::of(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
    }

    /// Keeps the output of `child`, spawned with its stdout and stderr piped.
    pub fn of(mut child: Child) -> Self {
        let (out, err) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let streams: [(Box<dyn Read + Send>, _); 2] = [
            (Box::new(child.stdout.take().unwrap()), Arc::clone(&out)),
            (Box::new(child.stderr.take().unwrap()), Arc::clone(&err)),
        ];
        let readers = streams
            .into_iter()
            .map(|(mut stream, into)| {
                std::thread::spawn(move || {
                    let mut buf = vec![0; 64 << 10];
                    while let Ok(n @ 1..) = stream.read(&mut buf) {
                        into.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                })
            })
            .collect();
        Self { child, out, err, readers }
    }

    pub fn stdout(&self) -> Vec<u8> {
        self.out.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> Vec<u8> {
        self.err.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit code and everything written, once the streams are closed.
    pub fn stop(mut self) -> (i32, Vec<u8>, Vec<u8>) {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).unwrap();
        let status = self.child.wait().unwrap();
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        (status.code().expect("an exit, not a signal"), self.stdout(), self.stderr())
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `bytes` that are JSON objects, and the number of those that are not.
pub fn json_lines(bytes: &[u8]) -> (Vec<serde_json::Value>, usize) {
    let mut objects = Vec::new();
    let mut other = 0;
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(v) if v.is_object() => objects.push(v),
            _ => other += 1,
        }
    }
    (objects, other)
}

pub fn messages(lines: &[serde_json::Value]) -> Vec<String> {
    lines.iter().map(|l| l["message"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The `n`th rotated copy of a log file.
pub fn numbered(file: &Path, n: usize) -> PathBuf {
    PathBuf::from(format!("{}.{n}", file.display()))
}
