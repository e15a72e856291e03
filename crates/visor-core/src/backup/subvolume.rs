//! btrfs subvolume snapshots: when the data folder is the root of a subvolume and the backup
//! folder is on the same btrfs filesystem, a `snapshot` backup is one snapshot of the whole
//! subvolume — O(1), whatever the number of files — instead of a clone of every file.
//! Detected, never assumed: anything else (another filesystem, a plain folder, a kernel that
//! refuses) falls back to per-file clones.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// The inode number of every subvolume's root folder.
const SUBVOLUME_ROOT_INODE: u64 = 256;
/// The longest snapshot name the ioctl takes.
const NAME_MAX: usize = 4039;

/// `struct btrfs_ioctl_vol_args_v2` (4096 bytes).
#[repr(C)]
struct VolArgsV2 {
    fd: i64,
    transid: u64,
    flags: u64,
    unused: [u64; 4],
    name: [u8; NAME_MAX + 1],
}

nix::ioctl_write_ptr!(snap_create_v2, 0x94, 23, VolArgsV2);

fn is_btrfs(path: &Path) -> bool {
    nix::sys::statfs::statfs(path).is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::BTRFS_SUPER_MAGIC)
}

/// Whether `source` is the root of a btrfs subvolume that could be snapshotted into the folder
/// `dest_parent` (btrfs too; that it is the same filesystem only the snapshot itself can tell).
pub(crate) fn candidate(source: &Path, dest_parent: &Path) -> bool {
    std::fs::symlink_metadata(source).is_ok_and(|m| m.is_dir() && m.ino() == SUBVOLUME_ROOT_INODE)
        && is_btrfs(source)
        && is_btrfs(dest_parent)
}

fn open_dir(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(nix::libc::O_DIRECTORY | nix::libc::O_NOFOLLOW).open(path)
}

/// Snapshots the subvolume `source` as `dest` (writable, so it can be trimmed and removed like
/// a folder). `dest` must not exist.
pub(crate) fn snapshot(source: &Path, dest: &Path) -> io::Result<()> {
    let parent = dest.parent().ok_or_else(|| io::Error::other("the backup has no folder"))?;
    let name = dest.file_name().map(OsStr::as_bytes).unwrap_or_default();
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the backup's name does not fit a snapshot"));
    }
    let (src, dir) = (open_dir(source)?, open_dir(parent)?);
    let mut args =
        VolArgsV2 { fd: i64::from(src.as_raw_fd()), transid: 0, flags: 0, unused: [0; 4], name: [0; NAME_MAX + 1] };
    args.name[..name.len()].copy_from_slice(name);
    // SAFETY: `args` is a valid, fully initialised `btrfs_ioctl_vol_args_v2` that outlives the
    // call, and both descriptors are open for its whole length.
    unsafe { snap_create_v2(dir.as_raw_fd(), &args) }.map_err(io::Error::from)?;
    // The snapshot is on disk once its transaction commits.
    nix::unistd::syncfs(&dir).map_err(io::Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_folders_are_not_candidates() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!candidate(dir.path(), dir.path()));
        assert_eq!(size_of::<VolArgsV2>(), 4096);
    }
}
