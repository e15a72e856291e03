//! Loop-mounted filesystems for the tests of clones and snapshots (XFS, btrfs), made in a
//! temporary file where the machine allows it (root, the mkfs tool, loop devices), and
//! unmounted when dropped. Where it does not, the test says so on stderr and is skipped.

use std::fs::File;
use std::process::Command;

/// A loop-mounted filesystem, unmounted when dropped.
pub(crate) struct LoopFs {
    _image: tempfile::TempDir,
    pub(crate) mount: tempfile::TempDir,
    mounted: bool,
}

fn run(cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!("skipped: {cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
            false
        }
        Err(e) => {
            eprintln!("skipped: cannot run {cmd:?}: {e}");
            false
        }
    }
}

impl LoopFs {
    /// Makes a 300 MiB filesystem of `kind` (`xfs`, `btrfs`) and mounts it; `None` where this
    /// cannot be done.
    pub(crate) fn mount(kind: &str) -> Option<Self> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: mounting a loop {kind} needs root");
            return None;
        }
        let (image, mount) = (tempfile::tempdir().ok()?, tempfile::tempdir().ok()?);
        let img = image.path().join("fs.img");
        File::create(&img).and_then(|f| f.set_len(300 << 20)).ok()?;
        let mut fs = Self { _image: image, mount, mounted: false };
        let made = match kind {
            "btrfs" => run(Command::new("mkfs.btrfs").args(["-q", "-f"]).arg(&img)),
            _ => run(Command::new(format!("mkfs.{kind}")).arg("-q").arg(&img)),
        };
        if !made {
            return None;
        }
        fs.mounted = run(Command::new("mount").args(["-o", "loop"]).arg(&img).arg(fs.mount.path()));
        fs.mounted.then_some(fs)
    }

    /// Runs `btrfs <args>` (a subvolume made for a test); false, said on stderr, where it fails.
    pub(crate) fn btrfs(args: &[&std::ffi::OsStr]) -> bool {
        run(Command::new("btrfs").args(args))
    }
}

impl Drop for LoopFs {
    fn drop(&mut self) {
        if self.mounted {
            let status = Command::new("umount").arg(self.mount.path()).status();
            if !status.is_ok_and(|s| s.success()) {
                let _ = Command::new("umount").arg("-l").arg(self.mount.path()).status();
            }
        }
    }
}
