//! Short-lived helper commands the visor runs itself (`version --output json`, `build-info`,
//! the data node's history-segment query), for every face. A helper's answer is untrusted
//! input, so everything about it is bounded:
//!
//! - it runs in its own process group with a parent-death signal, like the node's processes;
//! - its output is read as it comes, at most 1 MiB on stdout and 64 KiB on stderr: past that the
//!   group is killed and the answer refused (an endless `version` must not exhaust memory);
//! - it has a deadline, after which the group is killed;
//! - once it exits, its output may trail in for a moment; a background process it left holding
//!   the pipe is not waited for, and what is left of its group is killed.

use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

/// Most bytes read from a helper's stdout.
pub const MAX_HELPER_STDOUT: usize = 1 << 20;
/// Most bytes read from a helper's stderr.
pub const MAX_HELPER_STDERR: usize = 64 << 10;
/// How long output may still arrive after the helper exited.
const DRAIN: Duration = Duration::from_millis(200);

/// One output stream, read on a thread of its own into a shared buffer.
struct Stream {
    buffer: Arc<Mutex<Vec<u8>>>,
    /// Set by the reader when the stream ended (EOF or error) or went over its cap.
    state: Arc<Mutex<StreamState>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StreamState {
    Open,
    Closed,
    Overflow,
}

impl Stream {
    fn start(mut pipe: impl Read + Send + 'static, max: usize) -> Self {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Mutex::new(StreamState::Open));
        let (b, s) = (Arc::clone(&buffer), Arc::clone(&state));
        std::thread::spawn(move || {
            let mut chunk = [0u8; 16 * 1024];
            let end = loop {
                match pipe.read(&mut chunk) {
                    Ok(0) | Err(_) => break StreamState::Closed,
                    Ok(n) => {
                        let mut buffer = b.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                        if buffer.len() + n > max {
                            break StreamState::Overflow;
                        }
                        buffer.extend_from_slice(&chunk[..n]);
                    }
                }
            };
            *s.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = end;
        });
        Self { buffer, state }
    }

    fn state(&self) -> StreamState {
        *self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.buffer.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

fn kill_group(pgid: i32) {
    let _ = super::unix::signal_group(pgid, Signal::SIGKILL);
}

/// Runs `program args` to completion with its output captured and bounded, killing its group
/// after `timeout`. Blocks the calling thread; from async code use `run_helper`.
pub fn run_helper_blocking<I, S>(program: &Path, args: I, timeout: Duration) -> io::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_helper_blocking_in(program, args, None, timeout)
}

/// [`run_helper_blocking`] in the folder `dir` (a hook's working folder).
pub fn run_helper_blocking_in<I, S>(
    program: &Path,
    args: I,
    dir: Option<&Path>,
    timeout: Duration,
) -> io::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    for var in super::SERVICE_MANAGER_ENV {
        command.env_remove(var);
    }
    let parent = nix::unistd::getpid();
    // SAFETY: the hook only makes async-signal-safe system calls (prctl, getppid, sigprocmask).
    unsafe {
        command.pre_exec(move || super::unix::pre_exec(parent));
    }
    let mut child = super::descendants::spawn_registered(|| super::process::retrying_busy(|| command.spawn()))?;
    let pid = child.id() as i32;
    let _registered = Registered(pid);
    let stdout = Stream::start(child.stdout.take().expect("piped stdout"), MAX_HELPER_STDOUT);
    let stderr = Stream::start(child.stderr.take().expect("piped stderr"), MAX_HELPER_STDERR);
    let started = Instant::now();
    let mut exited_at = None;
    let mut pause = Duration::from_micros(200);
    let status = loop {
        for (stream, name, max) in
            [(&stdout, "its output", MAX_HELPER_STDOUT), (&stderr, "its error output", MAX_HELPER_STDERR)]
        {
            if stream.state() == StreamState::Overflow {
                kill_group(pid);
                let _ = child.wait();
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("it printed more than {max} bytes on {name}; an answer is a few lines"),
                ));
            }
        }
        if exited_at.is_none()
            && let Some(status) = child.try_wait()?
        {
            exited_at = Some((Instant::now(), status));
        }
        if let Some((at, status)) = exited_at {
            let drained = stdout.state() != StreamState::Open && stderr.state() != StreamState::Open;
            if drained || at.elapsed() >= DRAIN {
                break status;
            }
        } else if started.elapsed() >= timeout {
            kill_group(pid);
            let _ = child.wait();
            return Err(io::Error::new(io::ErrorKind::TimedOut, format!("no answer within {} s", timeout.as_secs())));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    // Whatever it left running in its group (holding the pipe or not) ends with it.
    kill_group(pid);
    Ok(Output { status, stdout: stdout.take(), stderr: stderr.take() })
}

/// Forgets the helper's PID once it is waited for.
struct Registered(i32);

impl Drop for Registered {
    fn drop(&mut self) {
        super::descendants::unregister_spawned(self.0);
    }
}

/// [`run_helper_blocking`] on a blocking thread.
pub(crate) async fn run_helper<I, S>(program: &Path, args: I, timeout: Duration) -> io::Result<Output>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let program = program.to_owned();
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    tokio::task::spawn_blocking(move || run_helper_blocking(&program, &args, timeout))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(format!("the helper's thread failed: {e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> io::Result<Output> {
        run_helper_blocking(Path::new("/bin/sh"), ["-c", script], Duration::from_secs(10))
    }

    #[test]
    fn an_endless_answer_is_cut_and_refused() {
        let e = sh("exec yes").unwrap_err();
        assert!(e.to_string().contains("more than 1048576 bytes"), "{e}");
    }

    #[test]
    fn a_large_answer_is_read_whole() {
        let out = sh("head -c 300000 /dev/zero | tr '\\0' 'a'; echo").unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout.len(), 300_001);
    }

    #[test]
    fn a_background_process_holding_the_pipe_is_not_waited_for() {
        let started = Instant::now();
        let out = sh("sleep 30 & echo '{\"version\":\"v1\"}'").unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "{\"version\":\"v1\"}");
        // Not a timing assertion on the visor: the sleep would hold the pipe for 30 s.
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn a_hung_helper_is_killed_at_its_deadline() {
        let e = run_helper_blocking(Path::new("/bin/sh"), ["-c", "sleep 30"], Duration::from_millis(100)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    }
}
