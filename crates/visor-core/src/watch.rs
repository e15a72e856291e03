//! Watching files for changes: inotify on the parent folder, with a polling fallback.
//!
//! Watching the folder (not the file) sees every way an editor saves: in place, or a temporary
//! file renamed over the original, which replaces the inode a file watch would be stuck on.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

/// Keeps the watch alive; dropping it stops watching.
pub(crate) enum FileWatch {
    Notify(#[expect(dead_code, reason = "held for its Drop")] notify::RecommendedWatcher),
    Poll(#[expect(dead_code, reason = "held for its Drop")] tokio::task::JoinHandle<()>),
}

/// The fallback polling interval unless the face gives its own: a change is seen within it.
pub(crate) const POLL: Duration = Duration::from_millis(500);

/// Sends `()` on `tx` whenever one of `files` may have changed; without file events, looks every
/// `poll`.
pub(crate) fn watch_files(files: Vec<PathBuf>, poll: Duration, tx: mpsc::UnboundedSender<()>) -> FileWatch {
    match notify_watch(&files, tx.clone()) {
        Ok(w) => FileWatch::Notify(w),
        Err(e) => {
            tracing::warn!(
                error = e.to_string(),
                interval_ms = poll.as_millis() as u64,
                "file events unavailable, polling instead"
            );
            FileWatch::Poll(tokio::spawn(poll_watch(files, poll, tx)))
        }
    }
}

fn notify_watch(files: &[PathBuf], tx: mpsc::UnboundedSender<()>) -> notify::Result<notify::RecommendedWatcher> {
    let names: Vec<PathBuf> = files.to_vec();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
        Ok(event) => {
            if event.paths.iter().any(|p| names.iter().any(|n| p == n)) && !event.kind.is_access() {
                let _ = tx.send(());
            }
        }
        Err(_) => {
            let _ = tx.send(());
        }
    })?;
    let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    dirs.dedup();
    for dir in dirs {
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
    }
    Ok(watcher)
}

fn fingerprint(path: &Path) -> Option<(SystemTime, u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len(), m.ino()))
}

async fn poll_watch(files: Vec<PathBuf>, poll: Duration, tx: mpsc::UnboundedSender<()>) {
    let mut last: Vec<_> = files.iter().map(|f| fingerprint(f)).collect();
    loop {
        tokio::time::sleep(poll).await;
        let now: Vec<_> = files.iter().map(|f| fingerprint(f)).collect();
        if now != last {
            last = now;
            if tx.send(()).is_err() {
                return;
            }
        }
    }
}
