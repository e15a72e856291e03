//! Explaining a refused file operation: which folder refused, whose it is, who the visor runs
//! as, and the two ways out. "Permission denied (os error 13)" alone sends an operator guessing.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Why `path` cannot be written by this process, and what to do; for an error about `path`
/// whose cause is `error`. `None` when `error` is not a refusal.
pub fn explain_denied(path: &Path, error: &std::io::Error) -> Option<String> {
    use std::io::ErrorKind;
    if !matches!(error.kind(), ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem)
        && error.raw_os_error() != Some(nix::libc::EROFS)
    {
        return None;
    }
    // The nearest folder that exists is the one that refused.
    let folder = path.ancestors().find(|a| a.symlink_metadata().is_ok_and(|m| m.is_dir()))?;
    let me = nix::unistd::geteuid();
    let name = |uid: u32| {
        nix::unistd::User::from_uid(uid.into())
            .ok()
            .flatten()
            .map_or_else(|| format!("uid {uid}"), |u| format!("{} (uid {uid})", u.name))
    };
    if error.raw_os_error() == Some(nix::libc::EROFS) {
        return Some(format!("{} is on a read-only file system: put the home on a writable one", folder.display()));
    }
    let meta = folder.metadata().ok()?;
    Some(format!(
        "{} belongs to user {} (mode {:o}) and this runs as user {}: run it as {}, or give the folder to this user \
         (`chown -R {} {}`)",
        folder.display(),
        name(meta.uid()),
        meta.mode() & 0o7777,
        name(me.as_raw()),
        name(meta.uid()),
        nix::unistd::User::from_uid(me).ok().flatten().map_or_else(|| me.to_string(), |u| u.name),
        folder.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::explain_denied;

    #[test]
    fn only_refusals_are_explained_and_the_refusing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(explain_denied(dir.path(), &other), None);
        let denied = std::io::Error::from_raw_os_error(nix::libc::EACCES);
        let said = explain_denied(&dir.path().join("a/b"), &denied).unwrap();
        assert!(said.starts_with(&format!("{} belongs to user", dir.path().display())), "{said}");
        assert!(said.contains("chown -R"), "{said}");
        let read_only = std::io::Error::from_raw_os_error(nix::libc::EROFS);
        assert!(explain_denied(dir.path(), &read_only).unwrap().contains("read-only file system"));
    }
}
