//! Spawning a node's process straight into its cgroup: `clone3(CLONE_INTO_CGROUP)`.
//!
//! A process that moves itself into a cgroup (a write to `cgroup.procs` between fork and exec)
//! takes the kernel's cgroup write lock, which waits out an RCU grace period: 15–20 ms on a VM
//! (measured here), all of it downtime when the node is the new release of an upgrade. A process
//! born in the cgroup takes only the read side of that lock. Where `clone3` is refused (an old
//! kernel, a seccomp filter), the caller falls back to the move — and after `cgroup.kill` was
//! used on the cgroup, whose kill sequence the kernel then holds against every child cloned
//! into it (each is killed at birth; seen on 6.18), while a child that moves in is not.
//!
//! Between `clone3` and `execve` the child runs on a copy of the visor's memory with only the
//! calling thread: it does nothing but async-signal-safe system calls on data prepared before
//! the clone, and reports a failed exec through a close-on-exec pipe.

use std::ffi::{CString, OsStr, OsString};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::libc;

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// `struct clone_args` of `clone3(2)`, up to `cgroup` (version 2, 88 bytes).
#[repr(C)]
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

/// A process born in the cgroup, and the descriptor that says when it ends.
pub(crate) struct Born {
    pub(crate) pid: i32,
    pub(crate) pidfd: OwnedFd,
}

/// `clone3` itself was refused (an old kernel, a seccomp filter): the caller moves the child in
/// instead. Carried inside an `io::Error`, so it is never confused with the program's own
/// failure to start (whose errno can be the same).
#[derive(Debug, thiserror::Error)]
#[error("clone3 into the cgroup is refused: {0}")]
pub(crate) struct Refused(io::Error);

/// Whether `e` says `clone3` itself was refused (see [`Refused`]).
pub(crate) fn unsupported(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Refused>())
}

fn cstring(s: &OsStr) -> io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in an argument"))
}

/// Starts `program args` with the environment `env`, stdin from /dev/null, in a process group of
/// its own, with a parent-death signal, inside the cgroup whose folder `cgroup_dir` is open.
pub(crate) fn spawn(
    program: &std::path::Path,
    args: &[OsString],
    env: &[(OsString, OsString)],
    cgroup_dir: RawFd,
    parent: i32,
) -> io::Result<Born> {
    // Everything the child touches is made now: it must not allocate.
    let program_c = cstring(program.as_os_str())?;
    let mut argv_c = vec![program_c.clone()];
    for a in args {
        argv_c.push(cstring(a)?);
    }
    let envp_c: Vec<CString> = env
        .iter()
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in the environment"))
        })
        .collect::<io::Result<_>>()?;
    let mut argv: Vec<*const libc::c_char> = argv_c.iter().map(|c| c.as_ptr()).collect();
    argv.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = envp_c.iter().map(|c| c.as_ptr()).collect();
    envp.push(std::ptr::null());
    let devnull = std::fs::File::open("/dev/null")?;
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 just returned these two descriptors, owned by nobody else.
    let (mut err_read, err_write) = unsafe { (std::fs::File::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    let mut pidfd: RawFd = -1;
    let args = CloneArgs {
        flags: CLONE_PIDFD | CLONE_INTO_CGROUP,
        pidfd: &raw mut pidfd as u64,
        exit_signal: libc::SIGCHLD as u64,
        cgroup: cgroup_dir as u64,
        ..CloneArgs::default()
    };
    let (stdin, err_fd) = (devnull.as_raw_fd(), err_write.as_raw_fd());
    // SAFETY: clone3 with fork semantics (no CLONE_VM, no stack given): the child gets a copy of
    // this thread's memory and runs only `child`, which makes async-signal-safe calls on data
    // prepared above and ends in execve or _exit.
    let pid = unsafe { libc::syscall(libc::SYS_clone3, &raw const args, size_of::<CloneArgs>()) };
    if pid == 0 {
        // SAFETY: in the child, see above.
        unsafe { child(program_c.as_ptr(), argv.as_ptr(), envp.as_ptr(), stdin, err_fd, parent) }
    }
    if pid < 0 {
        let e = io::Error::last_os_error();
        let refused = matches!(
            e.raw_os_error(),
            Some(libc::ENOSYS | libc::EPERM | libc::EINVAL | libc::EOPNOTSUPP | libc::E2BIG)
        );
        return Err(if refused { io::Error::other(Refused(e)) } else { e });
    }
    drop(err_write);
    // SAFETY: CLONE_PIDFD stored a new descriptor there for the child just made.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    let born = Born { pid: pid as i32, pidfd };
    // The exec's outcome: end of file once the program runs (the pipe closes on exec), or the
    // child's errno.
    let mut errno = [0u8; 4];
    match err_read.read(&mut errno) {
        Ok(0) => Ok(born),
        Ok(_) => {
            let _ = wait(&born.pidfd);
            Err(io::Error::from_raw_os_error(i32::from_ne_bytes(errno)))
        }
        Err(e) => {
            let _ = wait(&born.pidfd);
            Err(e)
        }
    }
}

/// The child between clone and exec.
///
/// # Safety
/// Only in the child of a fork-like clone; every pointer is valid, prepared before the clone.
unsafe fn child(
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    stdin: RawFd,
    err_fd: RawFd,
    parent: i32,
) -> ! {
    // SAFETY: async-signal-safe calls on valid data, per the function's contract.
    unsafe fn fail(err_fd: RawFd) -> ! {
        // SAFETY: async-signal-safe calls; `bytes` lives on this stack.
        unsafe {
            let errno = *libc::__errno_location();
            let bytes = errno.to_ne_bytes();
            libc::write(err_fd, bytes.as_ptr().cast(), bytes.len());
            libc::_exit(127)
        }
    }
    unsafe {
        if libc::setpgid(0, 0) != 0 {
            fail(err_fd);
        }
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
            fail(err_fd);
        }
        // The visor died before the signal was armed: do not run an orphan node.
        if libc::getppid() != parent {
            *libc::__errno_location() = libc::ESRCH;
            fail(err_fd);
        }
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&raw mut empty);
        if libc::sigprocmask(libc::SIG_SETMASK, &raw const empty, std::ptr::null_mut()) != 0 {
            fail(err_fd);
        }
        // Rust ignores SIGPIPE; an ignored signal stays ignored across exec.
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        if libc::dup2(stdin, 0) < 0 {
            fail(err_fd);
        }
        libc::execve(program, argv, envp);
        fail(err_fd)
    }
}

/// Reaps the process of `pidfd`, waiting for it to end.
pub(crate) fn wait(pidfd: &OwnedFd) -> io::Result<ExitStatus> {
    reap(pidfd, 0).map(Option::unwrap_or_default)
}

/// Reaps the process of `pidfd` if it has ended (`None` if not yet: a tracer can hold a zombie
/// back from its parent after the pidfd said it ended). Never blocks.
pub(crate) fn try_wait(pidfd: &OwnedFd) -> io::Result<Option<ExitStatus>> {
    reap(pidfd, libc::WNOHANG)
}

fn reap(pidfd: &OwnedFd, flags: libc::c_int) -> io::Result<Option<ExitStatus>> {
    loop {
        // SAFETY: `info` is written by waitid before it is read (zeroed: `si_pid` stays 0 when
        // WNOHANG finds nothing to reap).
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let r = unsafe {
            libc::waitid(libc::P_PIDFD, pidfd.as_raw_fd() as libc::id_t, &raw mut info, libc::WEXITED | flags)
        };
        if r == 0 {
            // SAFETY: waitid filled (or left zeroed) a SIGCHLD siginfo.
            if unsafe { info.si_pid() } == 0 {
                return Ok(None);
            }
            let (code, status) = unsafe { (info.si_code, info.si_status()) };
            let raw = match code {
                libc::CLD_EXITED => (status & 0xff) << 8,
                libc::CLD_DUMPED => (status & 0x7f) | 0x80,
                _ => status & 0x7f,
            };
            return Ok(Some(ExitStatus::from_raw(raw)));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(OsString, OsString)> {
        std::env::vars_os().collect()
    }

    /// A cgroup of this test's own, when the machine lets it make one.
    fn cgroup() -> Option<(crate::supervise::NodeCgroup, OwnedFd)> {
        let cgroup = crate::supervise::NodeCgroup::create().ok()?;
        let dir = std::fs::File::open(cgroup.dir()).ok()?;
        Some((cgroup, dir.into()))
    }

    #[test]
    fn a_process_is_born_in_the_cgroup_and_its_status_is_read() {
        let Some((cgroup, dir)) = cgroup() else {
            eprintln!("skipped: no cgroup can be made here");
            return;
        };
        let parent = std::process::id() as i32;
        let sh = std::path::Path::new("/bin/sh");
        let args = ["-c", "grep -q \"$1\" /proc/self/cgroup && exit 7", "sh"].map(OsString::from).to_vec();
        let mut args = args;
        args.push(cgroup.dir().file_name().unwrap().to_owned());
        let born = match spawn(sh, &args, &env(), dir.as_raw_fd(), parent) {
            Err(e) if unsupported(&e) => {
                eprintln!("skipped: clone3 is refused here ({e})");
                return;
            }
            other => other.unwrap(),
        };
        assert_eq!(wait(&born.pidfd).unwrap().code(), Some(7), "it ran inside the cgroup");
    }

    #[test]
    fn a_program_refused_by_exec_is_its_own_error_not_a_refused_clone() {
        let Some((_cgroup, dir)) = cgroup() else { return };
        let parent = std::process::id() as i32;
        let plain = tempfile::NamedTempFile::new().unwrap();
        match spawn(plain.path(), &[], &env(), dir.as_raw_fd(), parent) {
            Err(e) if unsupported(&e) && e.to_string().contains("clone3") => {
                eprintln!("skipped: clone3 is refused here ({e})");
            }
            Err(e) => {
                assert!(!unsupported(&e), "an exec failure is not clone3's: {e}");
                assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
            }
            Ok(_) => panic!("a file without the execute bit ran"),
        }
    }

    #[test]
    fn a_program_that_cannot_run_is_an_error_with_its_cause() {
        let Some((_cgroup, dir)) = cgroup() else { return };
        let parent = std::process::id() as i32;
        match spawn(std::path::Path::new("/nonexistent/node"), &[], &env(), dir.as_raw_fd(), parent) {
            Err(e) if unsupported(&e) => {}
            Err(e) => assert_eq!(e.kind(), io::ErrorKind::NotFound),
            Ok(_) => panic!("a missing program ran"),
        }
    }
}
