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
    let folder = nearest_folder(path)?;
    let me = nix::unistd::geteuid();
    let name = describe_user;
    if error.raw_os_error() == Some(nix::libc::EROFS) {
        return Some(format!("{} is on a read-only file system: put the home on a writable one", folder.display()));
    }
    let meta = folder.metadata().ok()?;
    let user = user_name(me.as_raw());
    // A file that is there (a configuration, a state file): its own owner and mode matter as
    // much as its folder's, and are said first.
    if folder != path
        && let Ok(file) = path.symlink_metadata()
    {
        let owners = if file.uid() == meta.uid() {
            format!(
                "{} (mode {:o}) and its folder {} (mode {:o}) belong to user {}",
                path.display(),
                file.mode() & 0o7777,
                folder.display(),
                meta.mode() & 0o7777,
                name(meta.uid())
            )
        } else {
            format!(
                "{} (mode {:o}) belongs to user {}, its folder {} (mode {:o}) to user {}",
                path.display(),
                file.mode() & 0o7777,
                name(file.uid()),
                folder.display(),
                meta.mode() & 0o7777,
                name(meta.uid())
            )
        };
        return Some(format!(
            "{owners}, and this runs as user {}: run it as {}, or give the folder to this user (`chown -R {user} {}`)",
            name(me.as_raw()),
            name(file.uid()),
            folder.display()
        ));
    }
    Some(format!(
        "{} belongs to user {} (mode {:o}) and this runs as user {}: run it as {}, or give the folder to this user \
         (`chown -R {user} {}`)",
        folder.display(),
        name(meta.uid()),
        meta.mode() & 0o7777,
        name(me.as_raw()),
        name(meta.uid()),
        folder.display()
    ))
}

/// The nearest folder of `path` (itself, or an ancestor) that exists: where a file or folder
/// at `path` would be made.
pub fn nearest_folder(path: &Path) -> Option<&Path> {
    path.ancestors().find(|a| a.symlink_metadata().is_ok_and(|m| m.is_dir()))
}

/// Whether this process may make files and folders at `path`: the nearest folder that exists
/// lets it write and enter (asked of the kernel, for the user this runs as). The refusal when it
/// does not, for [`explain_making`].
pub fn may_make(path: &Path) -> Result<(), std::io::Error> {
    use nix::unistd::AccessFlags;
    let Some(folder) = nearest_folder(path) else { return Ok(()) };
    nix::unistd::access(folder, AccessFlags::W_OK | AccessFlags::X_OK).map_err(std::io::Error::from)
}

/// Why `path`, which a command makes as part of the folder `root` (a home it creates), cannot be
/// made, and what to do; `None` when `error` is not a refusal. When the folder that refused is
/// `root` or inside it, [`explain_denied`]; when it is above `root` (`/opt`, `/var/lib`, a home
/// folder: not the visor's), never to give that folder away, but to make `root` as its owner and
/// give only `root` to this user, or to choose a place this user may write.
pub fn explain_making(root: &Path, path: &Path, error: &std::io::Error) -> Option<String> {
    let said = explain_denied(path, error)?;
    let folder = nearest_folder(path)?;
    if folder.starts_with(root) || error.raw_os_error() == Some(nix::libc::EROFS) {
        return Some(said);
    }
    let me = nix::unistd::geteuid();
    let meta = folder.metadata().ok()?;
    let owner = user_name(meta.uid());
    let user = user_name(me.as_raw());
    Some(format!(
        "{} belongs to user {} (mode {:o}) and this runs as user {}, so {} cannot be made in it: make it as {} and \
         give it to this user (`mkdir -p {} && chown {user} {}`), or choose a folder this user may write",
        folder.display(),
        describe_user(meta.uid()),
        meta.mode() & 0o7777,
        describe_user(me.as_raw()),
        root.display(),
        owner,
        root.display(),
        root.display()
    ))
}

/// Why `path`, inside the folder `root` that is the visor's (its instances folder, a home),
/// cannot be used, and what to do; `None` when `error` is not a refusal. When the folder that
/// refused is `root` or inside it, [`explain_denied`]; when it is above `root` (a user's home
/// folder: not the visor's to give away), to run as its owner, or `otherwise`.
pub fn explain_denied_within(root: &Path, path: &Path, error: &std::io::Error, otherwise: &str) -> Option<String> {
    let said = explain_denied(path, error)?;
    let folder = nearest_folder(path)?;
    if folder.starts_with(root) || error.raw_os_error() == Some(nix::libc::EROFS) {
        return Some(said);
    }
    let meta = folder.metadata().ok()?;
    Some(format!(
        "{} belongs to user {} (mode {:o}) and this runs as user {}: run it as {}, or {otherwise}",
        folder.display(),
        describe_user(meta.uid()),
        meta.mode() & 0o7777,
        describe_user(nix::unistd::geteuid().as_raw()),
        describe_user(meta.uid()),
    ))
}

/// `root (uid 0)`.
fn describe_user(uid: u32) -> String {
    nix::unistd::User::from_uid(uid.into())
        .ok()
        .flatten()
        .map_or_else(|| format!("uid {uid}"), |u| format!("{} (uid {uid})", u.name))
}

/// `root`, or the number of a user without a name.
fn user_name(uid: u32) -> String {
    nix::unistd::User::from_uid(uid.into()).ok().flatten().map_or_else(|| uid.to_string(), |u| u.name)
}

#[cfg(test)]
mod tests {
    use super::{explain_denied, explain_denied_within, explain_making};

    #[test]
    fn only_refusals_are_explained_and_the_refusing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(explain_denied(dir.path(), &other), None);
        let denied = std::io::Error::from_raw_os_error(nix::libc::EACCES);
        let said = explain_denied(&dir.path().join("a/b"), &denied).unwrap();
        assert!(said.starts_with(&format!("{} belongs to user", dir.path().display())), "{said}");
        assert!(said.contains("chown -R"), "{said}");
        // A file that is there is named with its folder.
        std::fs::write(dir.path().join("config.toml"), b"").unwrap();
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o644);
        std::fs::set_permissions(dir.path().join("config.toml"), mode).unwrap();
        let said = explain_denied(&dir.path().join("config.toml"), &denied).unwrap();
        let file =
            format!("{}/config.toml (mode 644) and its folder {} (mode", dir.path().display(), dir.path().display());
        assert!(said.starts_with(&file) && said.contains(") belong to user "), "{said}");
        let read_only = std::io::Error::from_raw_os_error(nix::libc::EROFS);
        assert!(explain_denied(dir.path(), &read_only).unwrap().contains("read-only file system"));
    }

    #[test]
    fn a_folder_above_the_one_made_is_never_given_away() {
        let dir = tempfile::tempdir().unwrap();
        let denied = std::io::Error::from_raw_os_error(nix::libc::EACCES);
        let root = dir.path().join("home");
        let said = explain_making(&root, &root.join("genesis"), &denied).unwrap();
        assert!(said.starts_with(&format!("{} belongs to user", dir.path().display())), "{said}");
        assert!(said.contains(&format!("so {} cannot be made in it", root.display())), "{said}");
        assert!(said.contains(&format!("`mkdir -p {0} && chown ", root.display())), "{said}");
        assert!(!said.contains("chown -R"), "{said}");
        // The home itself refusing: it is the operator's to give.
        std::fs::create_dir(&root).unwrap();
        let said = explain_making(&root, &root.join("genesis"), &denied).unwrap();
        assert!(said.contains("chown -R "), "{said}");
        assert!(said.starts_with(&format!("{} belongs to user", root.display())), "{said}");
        // Above the visor's own folder: run as its owner, or what the face says.
        let inner = root.join("instances");
        let said = explain_denied_within(&inner, &inner.join("x"), &denied, "set NYM_HOME_DIR").unwrap();
        assert!(said.starts_with(&format!("{} belongs to user", root.display())), "{said}");
        assert!(said.ends_with(", or set NYM_HOME_DIR") && !said.contains("chown"), "{said}");
    }
}
