//! `[backup]` and `[rollback]` in `config.toml`: our additions, off by default so a Vega
//! Visor configuration means what it meant.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use visor_core::backup::{BackupSettings, BackupSource, DEFAULT_KEEP, Naming, Strategy};

use facekit::toml_file::{FileError, count};

/// `[backup]`: copies of operator-named data folders before each switch.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawBackup {
    #[serde(default)]
    folders: Vec<String>,
    #[serde(default)]
    strategy: Option<String>,
    #[serde(default, with = "count")]
    keep: Option<u64>,
    #[serde(default)]
    dir: Option<String>,
    #[serde(default)]
    restore_on_rollback: Option<bool>,
}

/// `[rollback]`: probation of a new release.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawRollback {
    #[serde(default, with = "count")]
    probation_seconds: Option<u64>,
}

/// Where backups go unless `backup.dir` says otherwise, inside the home.
pub(crate) const DEFAULT_DIR: &str = "backups";

/// The backup settings of `[backup]`; `None` when no folder is named (the default).
pub(crate) fn backup(path: &Path, raw: Option<RawBackup>) -> Result<Option<BackupSettings>, FileError> {
    let Some(raw) = raw else { return Ok(None) };
    let home = path.parent().unwrap_or(Path::new("/"));
    let strategy = match &raw.strategy {
        Some(s) => s.parse::<Strategy>().map_err(|e| FileError::new(path, format!("key `backup.strategy`: {e}")))?,
        None => Strategy::Snapshot,
    };
    if raw.folders.is_empty() || strategy == Strategy::None {
        return Ok(None);
    }
    let mut sources = Vec::new();
    for folder in &raw.folders {
        let p = PathBuf::from(folder);
        if !p.is_absolute() {
            return Err(FileError::new(
                path,
                format!(
                    "key `backup.folders`: {folder:?} is not an absolute path; name each data folder in full, e.g. \"/home/vega/.vega/state\""
                ),
            ));
        }
        if p.starts_with(home) {
            return Err(FileError::new(
                path,
                format!(
                    "key `backup.folders`: {folder:?} is inside the visor's home {}; name the node's data folders, not the releases",
                    home.display()
                ),
            ));
        }
        sources.push(BackupSource { path: p, exclude: Vec::new() });
    }
    let keep = raw.keep.unwrap_or(DEFAULT_KEEP as u64);
    if keep == 0 {
        return Err(FileError::new(
            path,
            "key `backup.keep`: 0 would remove every backup; keep at least 1, or remove the folders to turn backups off",
        ));
    }
    let dir = match raw.dir.filter(|d| !d.trim().is_empty()) {
        Some(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Some(d) => home.join(d),
        None => home.join(DEFAULT_DIR),
    };
    if sources.iter().any(|s| dir.starts_with(&s.path)) {
        return Err(FileError::new(
            path,
            format!("key `backup.dir`: {} is inside a folder it backs up; put the backups elsewhere", dir.display()),
        ));
    }
    Ok(Some(BackupSettings {
        sources,
        dir,
        strategy,
        naming: Naming::PerUpgrade,
        keep: usize::try_from(keep).unwrap_or(usize::MAX),
        restore_on_rollback: raw.restore_on_rollback.unwrap_or(false),
    }))
}

/// The probation of `[rollback]`; `None` (Vega Visor's behaviour) unless a period is given.
pub(crate) fn probation(raw: Option<RawRollback>) -> Option<Duration> {
    raw.and_then(|r| r.probation_seconds).filter(|s| *s > 0).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<BackupSettings>, String> {
        #[derive(Deserialize)]
        struct Wrap {
            backup: Option<RawBackup>,
        }
        let w: Wrap = toml::from_str(text).map_err(|e| e.to_string())?;
        backup(Path::new("/home/vega/visor/config.toml"), w.backup).map_err(|e| e.to_string())
    }

    #[test]
    fn off_unless_folders_are_named_and_checked_when_they_are() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("[backup]\nstrategy = \"copy\"\n").unwrap(), None);
        let s = parse("[backup]\nfolders = [\"/home/vega/.vega/state\"]\n").unwrap().unwrap();
        assert_eq!(s.strategy, Strategy::Snapshot);
        assert_eq!(s.dir, Path::new("/home/vega/visor/backups"));
        assert_eq!(s.keep, DEFAULT_KEEP);
        let s = parse("[backup]\nfolders = [\"/a\", \"/b\"]\nstrategy = \"tar.zst\"\nkeep = 5\ndir = \"/srv/b\"\nrestoreOnRollback = true\n")
            .unwrap()
            .unwrap();
        assert_eq!((s.sources.len(), s.strategy, s.keep, s.restore_on_rollback), (2, Strategy::TarZst, 5, true));
        for (bad, key) in [
            ("folders = [\"relative\"]", "backup.folders"),
            ("folders = [\"/home/vega/visor/genesis\"]", "inside the visor's home"),
            ("folders = [\"/a\"]\nstrategy = \"zip\"", "unknown backup strategy"),
            ("folders = [\"/a\"]\nkeep = 0", "backup.keep"),
            ("folders = [\"/a\"]\ndir = \"/a/b\"", "backup.dir"),
        ] {
            let e = parse(&format!("[backup]\n{bad}\n")).unwrap_err();
            assert!(e.contains(key), "{bad}: {e}");
        }
    }
}
