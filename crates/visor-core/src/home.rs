//! The home folder: where releases, the `current` link and the visor's state live.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::durable::{sync_dir, temp_sibling};
use crate::release::{CURRENT, ReleaseName, STATE_DIR};

/// A visor home folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    root: PathBuf,
}

/// Where `current` points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrentLink {
    /// No `current` entry.
    Missing,
    /// A symlink to a release folder inside the home.
    Release(ReleaseName),
    /// A symlink to somewhere outside the home (made by hand), kept as is.
    Outside(PathBuf),
    /// A real directory named `current` (accepted, as Vega Visor does).
    Directory,
}

impl Home {
    /// A home at `root`, which should be absolute.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The `current` link.
    pub fn current(&self) -> PathBuf {
        self.root.join(CURRENT)
    }

    /// The visor's own state folder.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// The lock file that keeps one visor per home.
    pub fn lock_file(&self) -> PathBuf {
        self.state_dir().join("visor.lock")
    }

    /// The switch journal: present only while a switch is in progress.
    pub fn journal_file(&self) -> PathBuf {
        self.state_dir().join("switch.json")
    }

    /// The journal of a restore: present while one is in progress, or while the data it
    /// replaced is kept until the node has come up on the restored data.
    pub fn restore_journal(&self) -> PathBuf {
        self.state_dir().join("restore.json")
    }

    /// The record of switches.
    pub fn history_file(&self) -> PathBuf {
        self.state_dir().join("history.json")
    }

    /// What the running visor reports about itself.
    pub fn status_file(&self) -> PathBuf {
        self.state_dir().join("status.json")
    }

    /// The process groups of the running node, for the orphan sweep.
    pub fn groups_file(&self) -> PathBuf {
        self.state_dir().join("groups.json")
    }

    /// Reads where `current` points.
    pub fn read_current(&self) -> io::Result<CurrentLink> {
        let link = self.current();
        let meta = match fs::symlink_metadata(&link) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(CurrentLink::Missing),
            Err(e) => return Err(e),
        };
        if meta.is_dir() {
            return Ok(CurrentLink::Directory);
        }
        if !meta.file_type().is_symlink() {
            return Err(io::Error::other(format!("{} is neither a symlink nor a folder", link.display())));
        }
        let target = fs::read_link(&link)?;
        // Vega Visor writes absolute targets, we write relative ones: accept both.
        let relative = if target.is_absolute() {
            match target.strip_prefix(&self.root) {
                Ok(rel) => rel.to_owned(),
                Err(_) => return Ok(CurrentLink::Outside(target)),
            }
        } else {
            target.clone()
        };
        match relative.to_str().map(ReleaseName::new) {
            Some(Ok(name)) => Ok(CurrentLink::Release(name)),
            _ => Ok(CurrentLink::Outside(target)),
        }
    }

    /// The folder `current` resolves to.
    pub fn current_dir(&self) -> io::Result<PathBuf> {
        fs::canonicalize(self.current())
    }

    /// Points `current` at `release` atomically: a temporary symlink renamed over `current`,
    /// then fsync of the home folder. There is never an instant without a valid `current`.
    pub fn point_current(&self, release: &ReleaseName) -> io::Result<()> {
        self.swap_current(release, || {})
    }

    /// [`Home::point_current`], calling `between` after the temporary link exists and before
    /// it replaces `current` (the crash tests stop the visor there).
    pub(crate) fn swap_current(&self, release: &ReleaseName, between: impl FnOnce()) -> io::Result<()> {
        let link = self.current();
        if let Ok(CurrentLink::Directory) = self.read_current() {
            // rename(2) cannot replace a directory with a symlink: move it aside, never delete it.
            let aside = self.root.join(format!("current.replaced-{}", jiff::Timestamp::now().as_second()));
            tracing::warn!(from = %link.display(), to = %aside.display(), "moving the real `current` folder aside");
            fs::rename(&link, &aside)?;
        }
        let tmp = temp_sibling(&link, "link");
        std::os::unix::fs::symlink(release.as_str(), &tmp)?;
        between();
        if let Err(e) = fs::rename(&tmp, &link) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        sync_dir(&self.root)
    }

    /// Removes temporary links a killed visor left behind.
    pub fn remove_stale_links(&self) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(&format!(".{CURRENT}.link-")) {
                fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            sync_dir(&self.root)?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_current_and_reads_both_link_styles() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        for name in ["genesis", "v1"] {
            fs::create_dir(dir.path().join(name)).unwrap();
        }
        assert_eq!(home.read_current().unwrap(), CurrentLink::Missing);
        let genesis = ReleaseName::new("genesis").unwrap();
        home.point_current(&genesis).unwrap();
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(genesis));
        let v1 = ReleaseName::new("v1").unwrap();
        home.point_current(&v1).unwrap();
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(v1.clone()));
        assert_eq!(home.current_dir().unwrap(), fs::canonicalize(dir.path().join("v1")).unwrap());

        // An absolute target, as Vega Visor writes it.
        fs::remove_file(home.current()).unwrap();
        std::os::unix::fs::symlink(dir.path().join("v1"), home.current()).unwrap();
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(v1));
    }

    #[test]
    fn a_real_current_folder_is_moved_aside_not_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::new(dir.path());
        fs::create_dir_all(dir.path().join("current")).unwrap();
        fs::write(dir.path().join("current/keep"), b"x").unwrap();
        fs::create_dir(dir.path().join("v1")).unwrap();
        home.point_current(&ReleaseName::new("v1").unwrap()).unwrap();
        let aside: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("current.replaced-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert!(dir.path().join(&aside[0]).join("keep").exists());
    }
}
