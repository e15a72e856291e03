//! A data folder made once and lent to one world at a time: renamed into the world and back,
//! so every run backs up the same bytes without copying them first.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::sys::Res;

/// A data folder lent to a world; given back (renamed to where it was) when dropped.
pub(crate) struct Lease {
    template: PathBuf,
    at: PathBuf,
    /// The folder's own entries: whatever else the node wrote in it is removed on the way back.
    own: BTreeSet<OsString>,
    returned: bool,
}

impl Lease {
    /// Moves `template` to `at` (on the same filesystem).
    pub(crate) fn lend(template: &Path, at: &Path) -> Res<Self> {
        let own = std::fs::read_dir(template)
            .map_err(|e| format!("cannot list the data folder {}: {e}", template.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
        }
        std::fs::rename(template, at).map_err(|e| {
            format!(
                "cannot move the data folder {} to {}: {e} (both must be on one filesystem)",
                template.display(),
                at.display()
            )
        })?;
        Ok(Self { template: template.to_owned(), at: at.to_owned(), own, returned: false })
    }

    /// Removes what the run added to the folder and moves it back.
    pub(crate) fn give_back(&mut self) -> Res<()> {
        if self.returned {
            return Ok(());
        }
        let entries = std::fs::read_dir(&self.at).map_err(|e| format!("cannot list {}: {e}", self.at.display()))?;
        for entry in entries.flatten() {
            if self.own.contains(&entry.file_name()) {
                continue;
            }
            let path = entry.path();
            let removed = if entry.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed.map_err(|e| format!("cannot remove {} from the data folder: {e}", path.display()))?;
        }
        std::fs::rename(&self.at, &self.template).map_err(|e| {
            format!("cannot move the data folder back from {} to {}: {e}", self.at.display(), self.template.display())
        })?;
        self.returned = true;
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Err(e) = self.give_back() {
            eprintln!("visor-bench: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lent_folder_comes_back_without_what_the_run_added() {
        let dir = tempfile::tempdir().unwrap();
        let template = dir.path().join("template");
        std::fs::create_dir_all(template.join("store")).unwrap();
        std::fs::write(template.join("store/a"), b"a").unwrap();
        let at = dir.path().join("world/home/data");
        let mut lease = Lease::lend(&template, &at).unwrap();
        assert!(!template.exists() && at.join("store/a").is_file());
        std::fs::write(at.join("upgrade-info.json"), b"{}").unwrap();
        std::fs::create_dir(at.join("extra")).unwrap();
        lease.give_back().unwrap();
        drop(lease);
        assert!(template.join("store/a").is_file());
        assert!(!template.join("upgrade-info.json").exists() && !template.join("extra").exists());
        assert!(!at.exists());
    }
}
