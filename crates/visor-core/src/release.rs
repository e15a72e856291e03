//! Release folders: naming rules and what makes a folder complete.
//!
//! A release name comes from outside (a tag reported by the node, a mapping in a config file, an
//! upgrade name), so it is checked before it touches the file system: it must stay inside the
//! home folder and must not collide with the visor's own entries.

use std::path::{Component, Path, PathBuf};

/// The folder of the visor's own state inside a home.
pub const STATE_DIR: &str = ".visor";
/// The symlink naming the active release.
pub const CURRENT: &str = "current";

/// A release name that would escape its folder or collide with the visor's own entries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("release name `{name}` is not allowed: {why}")]
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

impl ReleaseName {
    /// Checks `name`.
    pub fn new(name: &str) -> Result<Self, ReleaseNameError> {
        let refuse = |why| Err(ReleaseNameError { name: name.to_owned(), why });
        if name.is_empty() {
            return refuse("it is empty");
        }
        if name.contains('\0') {
            return refuse("it contains a NUL byte");
        }
        if name.contains('\\') {
            return refuse("it contains a backslash");
        }
        let path = Path::new(name);
        if path.is_absolute() {
            return refuse("it is an absolute path; give a folder name inside the home folder");
        }
        let mut components = 0;
        for component in path.components() {
            match component {
                Component::Normal(part) => {
                    components += 1;
                    if part.to_string_lossy().starts_with('.') {
                        return refuse("a path component starts with `.`");
                    }
                }
                Component::ParentDir => {
                    return refuse("it contains `..` and would escape the home folder");
                }
                Component::CurDir => return refuse("it contains `.`"),
                Component::RootDir | Component::Prefix(_) => {
                    return refuse("it is an absolute path");
                }
            }
        }
        if components == 0 {
            return refuse("it names no folder");
        }
        if name.ends_with('/') {
            return refuse("it ends with `/`");
        }
        let first = path.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
        if first.as_deref() == Some(CURRENT) {
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
    }

    proptest! {
        #[test]
        fn an_accepted_name_stays_inside_home(name in "[a-z./\\\\]{0,12}") {
            if let Ok(release) = ReleaseName::new(&name) {
                let home = Path::new("/home/visor");
                let dir = release.dir(home);
                prop_assert!(dir.starts_with(home));
                prop_assert!(dir.components().all(|c| matches!(c, Component::Normal(_) | Component::RootDir)));
                prop_assert!(!dir.strip_prefix(home).unwrap().starts_with(STATE_DIR));
            }
        }
    }
}
