//! Paths resolved against the disk, inside one folder, never following a link.
//!
//! A staging or release folder holds what an archive put there, and an archive is untrusted: a
//! name like `bin/vega` may cross a link an earlier entry made. Text checks on such names cannot
//! see what is on disk, so every file the visor creates, renames, chmods or runs inside such a
//! folder is reached through a [`Confined`] handle: an open descriptor of the folder, from which
//! each component is opened with `O_NOFOLLOW` (a link anywhere on the way is an error, never a
//! detour). Links an archive holds are checked where they point on disk, with the kernel's
//! `openat2(RESOLVE_BENEATH)`, or the same walk done here on kernels without it.
//!
//! Built on `nix` (already the engine's system-call crate) rather than a capability crate:
//! `cap-std` resolves links *inside* its folder, while the rule here is to follow none, and it
//! would bring its own stack of crates for the handful of calls needed.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, ResolveFlag};
use nix::sys::stat::{FileStat, Mode, SFlag};

/// Links followed at most while checking where one points (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// The longest link target read from disk (PATH_MAX).
pub(crate) const MAX_LINK_TARGET: usize = 4096;

/// An open folder; every path given to it is relative and stays inside.
#[derive(Debug)]
pub struct Confined {
    fd: OwnedFd,
    path: PathBuf,
}

/// What is at a path inside a [`Confined`] folder, without following a link there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link.
    Link,
    /// A device, FIFO or socket.
    Other,
}

fn kind_of(stat: &FileStat) -> Kind {
    match SFlag::from_bits_truncate(stat.st_mode & SFlag::S_IFMT.bits()) {
        SFlag::S_IFREG => Kind::File,
        SFlag::S_IFDIR => Kind::Dir,
        SFlag::S_IFLNK => Kind::Link,
        _ => Kind::Other,
    }
}

/// The plain components of `rel`; anything else (`..`, `/`, empty) is refused.
pub(crate) fn plain_components(rel: &Path) -> io::Result<Vec<&OsStr>> {
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} is not a plain relative path", rel.display()),
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "an empty path names no file"));
    }
    Ok(parts)
}

pub(crate) fn dir_flags() -> OFlag {
    OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC
}

/// A link on the way: say so in words, not as "too many levels of symbolic links".
pub(crate) fn through_link(rel: &Path, errno: Errno) -> io::Error {
    match errno {
        Errno::ELOOP | Errno::ENOTDIR => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} would be reached through a link or a file", rel.display()),
        ),
        other => other.into(),
    }
}

impl Confined {
    /// Opens the folder `path`; `path` itself may not be a link.
    pub fn open(path: &Path) -> io::Result<Self> {
        let fd = nix::fcntl::open(path, dir_flags(), Mode::empty())?;
        Ok(Self { fd, path: path.to_owned() })
    }

    /// The folder's path (for messages).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the folder `parts` (empty: the root), creating missing folders with `mode` when
    /// `create` is set.
    fn walk(&self, parts: &[&OsStr], create: Option<u32>, rel: &Path) -> io::Result<OwnedFd> {
        let mut at = self.fd.try_clone()?;
        for part in parts {
            let next = match nix::fcntl::openat(&at, *part, dir_flags(), Mode::empty()) {
                Err(Errno::ENOENT) if create.is_some() => {
                    let mode = create.unwrap_or(0o755);
                    match nix::sys::stat::mkdirat(&at, *part, Mode::from_bits_truncate(mode)) {
                        Ok(()) | Err(Errno::EEXIST) => {}
                        Err(e) => return Err(e.into()),
                    }
                    let fd =
                        nix::fcntl::openat(&at, *part, dir_flags(), Mode::empty()).map_err(|e| through_link(rel, e))?;
                    // The umask must not decide a release folder's mode.
                    nix::sys::stat::fchmod(&fd, Mode::from_bits_truncate(mode))?;
                    fd
                }
                other => other.map_err(|e| through_link(rel, e))?,
            };
            at = next;
        }
        Ok(at)
    }

    fn parent_and_leaf<'p>(&self, rel: &'p Path, create: Option<u32>) -> io::Result<(OwnedFd, &'p OsStr)> {
        let parts = plain_components(rel)?;
        let (leaf, parents) = parts.split_last().ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok((self.walk(parents, create, rel)?, leaf))
    }

    /// Creates the folder `rel` and its parents (mode `mode`, whatever the umask).
    pub fn create_dir_all(&self, rel: &Path, mode: u32) -> io::Result<()> {
        let parts = plain_components(rel)?;
        self.walk(&parts, Some(mode), rel).map(drop)
    }

    /// Creates the new file `rel` (its parents too) with exactly `mode`; fails if anything,
    /// a link included, is there already.
    pub fn create_file(&self, rel: &Path, mode: u32) -> io::Result<File> {
        let (parent, leaf) = self.parent_and_leaf(rel, Some(0o755))?;
        let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = nix::fcntl::openat(&parent, leaf, flags, Mode::from_bits_truncate(mode & 0o777))?;
        nix::sys::stat::fchmod(&fd, Mode::from_bits_truncate(mode & 0o777))?;
        Ok(File::from(fd))
    }

    /// Creates the link `rel` → `target` (parents too).
    pub fn symlink(&self, rel: &Path, target: &Path) -> io::Result<()> {
        let (parent, leaf) = self.parent_and_leaf(rel, Some(0o755))?;
        nix::unistd::symlinkat(target, &parent, leaf)?;
        Ok(())
    }

    /// What is at `rel`, not following a link there (`None`: nothing).
    pub fn kind(&self, rel: &Path) -> io::Result<Option<Kind>> {
        let (parent, leaf) = match self.parent_and_leaf(rel, None) {
            Ok(found) => found,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match nix::sys::stat::fstatat(&parent, leaf, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(kind_of(&stat))),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens the regular file `rel` for reading; a link, folder, FIFO or device is refused
    /// (a FIFO is never waited on).
    pub fn open_file(&self, rel: &Path) -> io::Result<File> {
        let (parent, leaf) = self.parent_and_leaf(rel, None)?;
        let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
        let fd = nix::fcntl::openat(&parent, leaf, flags, Mode::empty()).map_err(|e| through_link(rel, e))?;
        let stat = nix::sys::stat::fstat(&fd)?;
        if kind_of(&stat) != Kind::File {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a regular file", rel.display()),
            ));
        }
        Ok(File::from(fd))
    }

    /// Sets the mode of the regular file `rel` to exactly `mode` (through the open file, so a
    /// link put there meanwhile is never followed).
    pub fn set_mode(&self, rel: &Path, mode: u32) -> io::Result<()> {
        let file = self.open_file(rel)?;
        nix::sys::stat::fchmod(file.as_fd(), Mode::from_bits_truncate(mode & 0o7777))?;
        Ok(())
    }

    /// The mode bits of the regular file `rel`.
    pub fn mode(&self, rel: &Path) -> io::Result<u32> {
        let file = self.open_file(rel)?;
        Ok(nix::sys::stat::fstat(file.as_fd())?.st_mode & 0o7777)
    }

    /// Moves `from` to `to` inside the folder (parents of `to` created); never replaces.
    pub fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (from_dir, from_leaf) = self.parent_and_leaf(from, None)?;
        let (to_dir, to_leaf) = self.parent_and_leaf(to, Some(0o755))?;
        nix::fcntl::renameat2(&from_dir, from_leaf, &to_dir, to_leaf, nix::fcntl::RenameFlags::RENAME_NOREPLACE)?;
        Ok(())
    }

    /// Whether the link (or path) `rel`, followed on disk, ends at an existing entry inside
    /// the folder. Errors say why not: outside, nothing there, a loop.
    pub fn check_resolves_inside(&self, rel: &Path) -> io::Result<()> {
        let how = nix::fcntl::OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        match nix::fcntl::openat2(&self.fd, rel, how) {
            Ok(_) => Ok(()),
            // Kernels before 5.6, or a seccomp filter that hides the call.
            Err(Errno::ENOSYS | Errno::EPERM) => self.resolve_by_hand(rel),
            Err(e) => Err(describe_resolve(rel, e)),
        }
    }

    /// The walk `openat2(RESOLVE_BENEATH)` does, in user space: each link's target replaces it,
    /// and a `..` above the folder, an absolute target or a missing entry ends the walk.
    pub(crate) fn resolve_by_hand(&self, rel: &Path) -> io::Result<()> {
        let mut pending: Vec<OsString> = rel.components().rev().map(|c| c.as_os_str().to_owned()).collect();
        let mut at: Vec<OsString> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.as_bytes() {
                b"" | b"." => continue,
                b"/" => return Err(describe_resolve(rel, Errno::EXDEV)),
                b".." => {
                    if at.pop().is_none() {
                        return Err(describe_resolve(rel, Errno::EXDEV));
                    }
                    continue;
                }
                _ => {}
            }
            let dir = {
                let refs: Vec<&OsStr> = at.iter().map(OsString::as_os_str).collect();
                self.walk(&refs, None, rel)?
            };
            let stat = nix::sys::stat::fstatat(&dir, part.as_os_str(), AtFlags::AT_SYMLINK_NOFOLLOW)
                .map_err(|e| describe_resolve(rel, e))?;
            match kind_of(&stat) {
                Kind::Link => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(describe_resolve(rel, Errno::ELOOP));
                    }
                    let target = nix::fcntl::readlinkat(&dir, part.as_os_str())?;
                    if target.len() > MAX_LINK_TARGET {
                        return Err(describe_resolve(rel, Errno::ENAMETOOLONG));
                    }
                    let target = PathBuf::from(target);
                    if target.is_absolute() {
                        return Err(describe_resolve(rel, Errno::EXDEV));
                    }
                    pending.extend(target.components().rev().map(|c| c.as_os_str().to_owned()));
                }
                Kind::Dir => at.push(part),
                Kind::File | Kind::Other if pending.iter().all(|p| p.is_empty() || p == ".") => at.push(part),
                Kind::File | Kind::Other => return Err(describe_resolve(rel, Errno::ENOTDIR)),
            }
        }
        Ok(())
    }
}

fn describe_resolve(rel: &Path, errno: Errno) -> io::Error {
    let why = match errno {
        Errno::EXDEV => "points outside its folder",
        Errno::ENOENT => "points to nothing",
        Errno::ELOOP => "is a loop of links",
        Errno::ENOTDIR => "goes through a file as if it were a folder",
        Errno::ENAMETOOLONG => "has an over-long target",
        _ => return io::Error::other(format!("{}: {errno}", rel.display())),
    };
    io::Error::new(io::ErrorKind::InvalidInput, format!("{} {why}", rel.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn setup() -> (tempfile::TempDir, PathBuf, Confined) {
        let top = tempfile::tempdir().unwrap();
        let root = top.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let confined = Confined::open(&root).unwrap();
        (top, root, confined)
    }

    #[test]
    fn never_writes_through_a_link() {
        let (top, root, c) = setup();
        std::os::unix::fs::symlink(top.path(), root.join("up")).unwrap();
        let e = c.create_file(Path::new("up/evil"), 0o644).unwrap_err();
        assert!(e.to_string().contains("through a link"), "{e}");
        assert!(!top.path().join("evil").exists());
        assert!(c.create_dir_all(Path::new("up/d"), 0o755).is_err());
        assert!(c.create_file(Path::new("../evil"), 0o644).is_err());
        assert!(c.create_file(Path::new("/evil"), 0o644).is_err());
        // The link itself is not a file to open or chmod.
        std::fs::write(top.path().join("target"), b"x").unwrap();
        std::os::unix::fs::symlink(top.path().join("target"), root.join("l")).unwrap();
        assert!(c.set_mode(Path::new("l"), 0o777).is_err());
        assert_eq!(std::fs::metadata(top.path().join("target")).unwrap().permissions().mode() & 0o777, 0o644);
        assert_eq!(c.kind(Path::new("l")).unwrap(), Some(Kind::Link));
    }

    #[test]
    fn modes_do_not_depend_on_the_umask() {
        let (_top, root, c) = setup();
        let old = nix::sys::stat::umask(Mode::empty());
        let file = c.create_file(Path::new("a/b/f"), 0o750);
        nix::sys::stat::umask(old);
        drop(file.unwrap());
        assert_eq!(std::fs::metadata(root.join("a/b/f")).unwrap().permissions().mode() & 0o777, 0o750);
        assert_eq!(std::fs::metadata(root.join("a")).unwrap().permissions().mode() & 0o777, 0o755);
    }

    #[test]
    fn chained_links_are_judged_where_they_land() {
        let (_top, root, c) = setup();
        // x0/x1/up -> ../.. lands at the root: fine. x0/x1/up/.. lands above it.
        std::fs::create_dir_all(root.join("x0/x1")).unwrap();
        std::os::unix::fs::symlink("../..", root.join("x0/x1/up")).unwrap();
        std::os::unix::fs::symlink("x0/x1/up/../etc", root.join("bin")).unwrap();
        std::os::unix::fs::symlink("x0/x1/up/x0", root.join("ok")).unwrap();
        std::os::unix::fs::symlink("missing", root.join("dangling")).unwrap();
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        for check in [Confined::check_resolves_inside, Confined::resolve_by_hand] {
            check(&c, Path::new("x0/x1/up")).unwrap();
            check(&c, Path::new("ok")).unwrap();
            let e = check(&c, Path::new("bin")).unwrap_err().to_string();
            assert!(e.contains("outside"), "{e}");
            assert!(check(&c, Path::new("dangling")).unwrap_err().to_string().contains("nothing"));
            assert!(check(&c, Path::new("loop")).unwrap_err().to_string().contains("loop"));
        }
    }

    #[test]
    fn open_file_refuses_fifos_without_waiting() {
        let (_top, root, c) = setup();
        nix::unistd::mkfifo(&root.join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
        assert!(c.open_file(Path::new("fifo")).unwrap_err().to_string().contains("not a regular file"));
    }

    #[test]
    fn rename_never_replaces() {
        let (_top, root, c) = setup();
        drop(c.create_file(Path::new("a"), 0o644).unwrap());
        drop(c.create_file(Path::new("b"), 0o644).unwrap());
        assert!(c.rename(Path::new("a"), Path::new("b")).is_err());
        c.rename(Path::new("a"), Path::new("bin/a")).unwrap();
        assert!(root.join("bin/a").is_file());
    }
}
