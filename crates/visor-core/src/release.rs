//! Release folders: naming rules and what makes a folder complete.
//!
//! A release name comes from outside (a tag reported by the node, a mapping in a config file, an
//! upgrade name), so it is checked before it touches the file system: it must stay inside the
//! home folder and must not collide with the visor's own entries.

use std::path::{Path, PathBuf};

/// The folder of the visor's own state inside a home.
pub const STATE_DIR: &str = ".visor";
/// The symlink naming the active release.
pub const CURRENT: &str = "current";

/// A release name that would escape its folder or collide with the visor's own entries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the name {name:?} is not allowed: {why}")]
pub struct ReleaseNameError {
    /// The refused name.
    pub name: String,
    /// Why it is refused.
    pub why: &'static str,
}

/// A checked release folder name: a relative path of plain components inside the home.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReleaseName(String);

/// Markers in the names of what the visor itself makes beside releases (staging folders,
/// downloads, temporary files): a release name holding one could be taken for a leftover
/// and removed at start.
const RESERVED: &[&str] = &[".staging-", ".tmp", ".partial", ".download", ".link-"];
/// Longest name of one folder (NAME_MAX).
const MAX_COMPONENT: usize = 255;
/// Longest release name in all.
const MAX_NAME: usize = 1024;

/// Checks one component of a name (a folder or a file name) by the rules every name from
/// outside obeys.
fn check_component(part: &str) -> Result<(), &'static str> {
    if part.is_empty() {
        return Err("it has an empty path component");
    }
    if part == "." || part == ".." {
        return Err("it contains `.` or `..` and could leave its folder");
    }
    if part.starts_with('.') {
        return Err("a path component starts with `.`");
    }
    if part.len() > MAX_COMPONENT {
        return Err("a path component is longer than 255 bytes");
    }
    if part.chars().any(char::is_control) {
        return Err("it contains a control character");
    }
    if part.contains('\\') {
        return Err("it contains a backslash");
    }
    if RESERVED.iter().any(|marker| part.contains(marker)) {
        return Err(
            "it contains `.staging-`, `.tmp`, `.partial`, `.download` or `.link-`, which mark the visor's own temporary files",
        );
    }
    Ok(())
}

/// Checks a file name that comes from configuration or from outside (a binary's name, a
/// daemon's name): one plain component, by the same rules as release names.
pub fn check_file_name(name: &str) -> Result<(), ReleaseNameError> {
    let refuse = |why| Err(ReleaseNameError { name: name.to_owned(), why });
    if name.contains('/') {
        return refuse("it contains `/`; give a plain file name");
    }
    if name == CURRENT {
        return refuse("`current` is the visor's symlink to the active release");
    }
    check_component(name).or_else(refuse)
}

impl ReleaseName {
    /// Checks `name`.
    pub fn new(name: &str) -> Result<Self, ReleaseNameError> {
        let refuse = |why| Err(ReleaseNameError { name: name.to_owned(), why });
        if name.is_empty() {
            return refuse("it is empty");
        }
        if name.len() > MAX_NAME {
            return refuse("it is longer than 1024 bytes");
        }
        if name.contains('\0') {
            return refuse("it contains a NUL byte");
        }
        if name.starts_with('/') {
            return refuse("it is an absolute path; give a folder name inside the home folder");
        }
        if name.ends_with('/') {
            return refuse("it ends with `/`");
        }
        // Split by hand: `Path::components` would hide `a//b` and `a/./b`.
        for part in name.split('/') {
            if let Err(why) = check_component(part) {
                return refuse(why);
            }
        }
        if name.split('/').next() == Some(CURRENT) {
            return refuse("`current` is the visor's symlink to the active release");
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder of this release inside `home`.
    pub fn dir(&self, home: &Path) -> PathBuf {
        home.join(&self.0)
    }
}

impl std::fmt::Display for ReleaseName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReleaseName {
    type Error = ReleaseNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<ReleaseName> for String {
    fn from(value: ReleaseName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Component;

    #[test]
    fn accepts_tags_and_nested_folders() {
        for ok in ["v0.74.3", "genesis", "releases/v1.2.3", "v1.0.0-rc.1+build.5"] {
            ReleaseName::new(ok).unwrap();
        }
    }

    #[test]
    fn refuses_escapes_and_own_entries() {
        for bad in
            ["", "..", "../x", "a/../../b", "/abs", "./x", ".visor", "a/.hidden", "current", "current/x", "a\\b", "x/"]
        {
            assert!(ReleaseName::new(bad).is_err(), "{bad:?} should be refused");
        }
        let long = "a".repeat(256);
        for bad in [
            "v1.staging-1-2",
            "upgrades/x.staging-9-9",
            "v1.tmp",
            "v1.partial",
            "a//b",
            "a/./b",
            "v1\nINFO forged",
            "v\u{7f}",
            long.as_str(),
        ] {
            assert!(ReleaseName::new(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn file_names_are_one_plain_component() {
        check_file_name("vega").unwrap();
        check_file_name("nym-node").unwrap();
        for bad in ["", "../../x", "a/b", ".", "..", "x.tmp", "current", ".hidden"] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn an_accepted_name_stays_inside_home(name in "[a-z./\\\\\n-]{0,16}") {
            if let Ok(release) = ReleaseName::new(&name) {
                let home = Path::new("/home/visor");
                let dir = release.dir(home);
                prop_assert!(dir.starts_with(home));
                prop_assert!(dir.components().all(|c| matches!(c, Component::Normal(_) | Component::RootDir)));
                prop_assert!(!dir.strip_prefix(home).unwrap().starts_with(STATE_DIR));
                // Start-up cleanup can never take a release for a leftover.
                for part in name.split('/') {
                    prop_assert!(!crate::stage::is_staging_name(part));
                }
            }
        }
    }
}
