//! The backups in a backup folder: listed newest first, and pruned to the newest few.
//!
//! A backup the visor took has a manifest beside it; only those are ever removed. Backups
//! without one (taken by the peer tool before the visor replaced it) are listed, as not
//! verifiable, and left alone.

use std::fs;
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, manifest_path, read_header};
use super::take::remove_any;
use super::{Naming, Strategy};

/// One backup in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupEntry {
    /// The backup (a folder or an archive).
    pub path: PathBuf,
    /// How operators name it: its path inside the backup folder.
    pub id: String,
    /// Its manifest's header; `None` for a backup the visor did not take (or whose manifest
    /// cannot be read: `problem` says why).
    pub manifest: Option<Manifest>,
    /// Why its manifest could not be read.
    pub problem: Option<String>,
    /// When it was taken (from the manifest, else the file's time).
    pub created_at: Option<jiff::Timestamp>,
    /// Bytes it holds: the archive's size, or the data a folder holds.
    pub size: u64,
}

impl BackupEntry {
    /// Its strategy, when known.
    pub fn strategy(&self) -> Option<Strategy> {
        self.manifest.as_ref().map(|m| m.strategy)
    }

    /// Whether it was sealed (every file hashed after it was taken).
    pub fn sealed(&self) -> bool {
        self.manifest.as_ref().is_some_and(|m| m.digest.is_some())
    }
}

/// Whether `name` looks like a backup of this naming (with or without a manifest).
pub(crate) fn is_backup_name(name: &str, naming: &Naming) -> bool {
    if name.ends_with(".manifest") || name.ends_with("-.partial") || name.starts_with('.') {
        return false;
    }
    match naming {
        Naming::PerUpgrade => name.starts_with("backup-") && name.contains("-preupgrade"),
        Naming::Dated { prefix } => name.strip_prefix(prefix.as_str()).is_some_and(|rest| rest.starts_with('-')),
    }
}

/// The backups in `dir`, newest first.
pub fn list(dir: &Path, naming: &Naming) -> std::io::Result<Vec<BackupEntry>> {
    let mut candidates = Vec::new();
    let top = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    for entry in top.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_backup_name(&name, naming) {
            candidates.push((path, name));
        } else if matches!(naming, Naming::PerUpgrade) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            for inner in fs::read_dir(&path).into_iter().flatten().flatten() {
                let inner_name = inner.file_name().to_string_lossy().into_owned();
                if is_backup_name(&inner_name, naming) {
                    candidates.push((inner.path(), format!("{name}/{inner_name}")));
                }
            }
        }
    }
    let mut out: Vec<BackupEntry> = candidates
        .into_iter()
        .map(|(path, id)| {
            let manifest_file = manifest_path(&path);
            let (manifest, problem) = if manifest_file.exists() {
                match read_header(&manifest_file) {
                    Ok(m) => (Some(m), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            } else {
                (None, Some("no manifest: not taken by the visor".to_owned()))
            };
            let meta = fs::symlink_metadata(&path).ok();
            let created_at = manifest.as_ref().map(|m| m.created_at).or_else(|| {
                meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| jiff::Timestamp::try_from(t).ok())
            });
            let size = match (&manifest, &meta) {
                (Some(m), Some(meta)) if meta.is_file() => {
                    meta.len().max(if m.strategy.is_tree() { m.bytes } else { 0 })
                }
                (Some(m), _) => m.bytes,
                (None, Some(meta)) if meta.is_file() => meta.len(),
                _ => 0,
            };
            BackupEntry { path, id, manifest, problem, created_at, size }
        })
        .collect();
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(out)
}

/// Finds the backup `id` (as [`list`] names it, or `latest`) in `dir`.
pub fn find(dir: &Path, naming: &Naming, id: &str) -> std::io::Result<Option<BackupEntry>> {
    let all = list(dir, naming)?;
    Ok(if id == "latest" {
        all.into_iter().find(|b| b.manifest.is_some())
    } else {
        all.into_iter().find(|b| b.id == id || b.path == Path::new(id))
    })
}

/// Whether `path` is the visor's own: not a link, and owned by the visor's user (the backup
/// folder may be in the node's home, where the node can plant names).
pub(crate) fn owned_by_us(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink() && m.uid() == nix::unistd::geteuid().as_raw())
}

/// Keeps the newest `keep` backups the visor took in `dir` and removes the older ones (with
/// their manifests, and a per-upgrade folder left empty). Returns what it removed.
pub fn prune(dir: &Path, naming: &Naming, keep: usize) -> Vec<PathBuf> {
    let Ok(all) = list(dir, naming) else { return Vec::new() };
    let mut removed = Vec::new();
    let ours = |b: &BackupEntry| b.manifest.is_some() && owned_by_us(&b.path) && owned_by_us(&manifest_path(&b.path));
    for old in all.into_iter().filter(ours).skip(keep) {
        super::take::make_removable(&old.path);
        remove_any(&old.path);
        if fs::symlink_metadata(&old.path).is_ok() {
            tracing::warn!(backup = %old.path.display(), "cannot remove an old backup; remove it by hand");
            continue;
        }
        let _ = fs::remove_file(manifest_path(&old.path));
        tracing::info!(backup = %old.path.display(), keep, "removed an old backup");
        if let Some(parent) = old.path.parent()
            && parent != dir
        {
            // Only if empty.
            let _ = fs::remove_dir(parent);
        }
        removed.push(old.path);
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::{FORMAT, write};

    fn manifest(at: &str) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            version: 1,
            strategy: Strategy::TarGz,
            created_at: at.parse().unwrap(),
            upgrade: "v2".into(),
            release: None,
            sources: vec![],
            entries: 0,
            bytes: 0,
            took_ms: 1,
            digest: None,
            sealed_at: None,
        }
    }

    #[test]
    fn lists_newest_first_and_prunes_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let naming = Naming::PerUpgrade;
        for (i, at) in ["2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z", "2024-01-02T00:00:00Z"].iter().enumerate() {
            let b = dir.path().join(format!("v{i}/backup-{i}-preupgrade.tar.gz"));
            fs::create_dir_all(b.parent().unwrap()).unwrap();
            fs::write(&b, b"x").unwrap();
            write(&manifest_path(&b), &manifest(at), &[]).unwrap();
        }
        fs::write(dir.path().join("v0/backup-old-preupgrade.tar.gz"), b"peer's").unwrap();
        let all = list(dir.path(), &naming).unwrap();
        let ids: Vec<_> = all.iter().filter(|b| b.manifest.is_some()).map(|b| b.id.as_str()).collect();
        assert_eq!(
            ids,
            ["v1/backup-1-preupgrade.tar.gz", "v2/backup-2-preupgrade.tar.gz", "v0/backup-0-preupgrade.tar.gz"]
        );
        let peer = all.iter().find(|b| b.manifest.is_none()).unwrap();
        assert_eq!(peer.id, "v0/backup-old-preupgrade.tar.gz");
        assert!(peer.problem.as_deref().unwrap().contains("no manifest"));
        let removed = prune(dir.path(), &naming, 1);
        assert_eq!(removed.len(), 2);
        assert!(dir.path().join("v0/backup-old-preupgrade.tar.gz").exists(), "not the visor's: kept");
        assert!(!dir.path().join("v2").exists(), "an emptied folder goes too");
        assert_eq!(find(dir.path(), &naming, "latest").unwrap().unwrap().id, "v1/backup-1-preupgrade.tar.gz");
    }
}
