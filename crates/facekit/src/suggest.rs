//! "Did you mean": a misspelt configuration key (or variable) named with its likely fix, rather
//! than only "ignored".
//!
//! The known keys of a file come from the type it is read into ([`keys_of`]): the names serde
//! asks for, walked table by table, so a key added to a face's struct is known here at once and
//! no list can fall behind. A close match is one a typo makes: a letter dropped, added, changed
//! or two swapped (at most one edit in three letters of the key), a different case or `_`/`-`
//! (`max_number_of_restarts` for `maxNumberOfRestarts`), in the key's own table or in any
//! other (top-level keys first among equals): a key appended at the end of a file lands in its
//! last table (`echo 'maxNumberOfRestart = 5' >> config.toml` makes
//! `autoInstall.asset.maxNumberOfRestart`), and the message then says where the key meant goes.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

/// The known name closest to `unknown`, when one is close enough to be what was meant.
///
/// Names are dotted paths (`autoInstall.asset.name`). The nearest name wins (the same name in
/// another table is nearer than a typo in its own); between names as near, one in the unknown
/// one's own table, then a top-level one, then one in a shallower table.
pub fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let (parent, leaf) = split(unknown);
    let (parent, leaf) = (normalize(parent), normalize(leaf));
    let limit = (leaf.chars().count() / 3).max(1);
    known
        .into_iter()
        .filter(|k| *k != unknown)
        .filter_map(|k| {
            let (k_parent, k_leaf) = split(k);
            let distance = strsim::damerau_levenshtein(&leaf, &normalize(k_leaf));
            if distance > limit {
                return None;
            }
            let rank = if normalize(k_parent) == parent {
                (distance, 0, 0)
            } else {
                let depth = if k_parent.is_empty() { 0 } else { k_parent.split('.').count() };
                (distance, 1, depth)
            };
            Some((rank, k))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, k)| k)
}

/// `(table, key)` of a dotted name; the table is empty at the top.
fn split(name: &str) -> (&str, &str) {
    name.rsplit_once('.').unwrap_or(("", name))
}

/// Case and word separators do not tell keys apart for a suggestion.
fn normalize(name: &str) -> String {
    name.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

/// An unknown key of a file and the key likely meant, for a warning or a `check` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// What was found: "unknown key `k` in FILE, ignored".
    pub detail: String,
    /// What to do: the key meant and where it goes, or to check the spelling.
    pub fix: String,
}

impl UnknownKey {
    /// The unknown key `key` of `file`, among the `known` keys of the file.
    pub fn new<'a>(key: &str, file: &Path, known: impl IntoIterator<Item = &'a str>) -> Self {
        let known: Vec<&str> = known.into_iter().collect();
        let detail = format!("unknown key `{key}` in {}, ignored", file.display());
        let fix = match closest(key, known.iter().copied()) {
            Some(meant) => format!("did you mean `{meant}`{}?", placement(key, meant, &known)),
            None => "check its spelling".to_owned(),
        };
        Self { detail, fix }
    }

    /// The one-line warning: what was found, then the fix.
    pub fn message(&self) -> String {
        format!("{}; {}", self.detail, self.fix)
    }
}

/// Where `meant` goes, when it is not in the table `unknown` was found in (empty when it is).
fn placement(unknown: &str, meant: &str, known: &[&str]) -> String {
    let (parent, _) = split(unknown);
    let (meant_parent, _) = split(meant);
    if normalize(parent) == normalize(meant_parent) {
        return String::new();
    }
    let prefix = format!("{meant}.");
    if known.iter().any(|k| k.starts_with(&prefix)) {
        return format!(" (a table: it is written `[{meant}]`)");
    }
    if meant_parent.is_empty() {
        " (a top-level key: it must go above the first `[table]` line)".to_owned()
    } else {
        format!(
            " (a key of the `[{meant_parent}]` table: it must go below the `[{meant_parent}]` line, before the next table)"
        )
    }
}

/// The warning for the unknown key `key` of `file`: ignored, and the likely fix.
pub fn unknown_key<'a>(key: &str, file: &Path, known: impl IntoIterator<Item = &'a str>) -> String {
    UnknownKey::new(key, file, known).message()
}

/// Logs a warning for each of the `unknown` keys of `file`, which is read as a `T`.
pub fn warn_unknown_keys<T: for<'de> Deserialize<'de>>(file: &Path, unknown: &[String]) {
    for message in unknown_keys::<T>(file, unknown) {
        tracing::warn!("{message}");
    }
}

/// The warnings for the `unknown` keys of `file`, which is read as a `T` (for a caller that
/// reads its configuration before its log is set up).
pub fn unknown_keys<T: for<'de> Deserialize<'de>>(file: &Path, unknown: &[String]) -> Vec<String> {
    describe_unknown_keys::<T>(file, unknown).iter().map(UnknownKey::message).collect()
}

/// The `unknown` keys of `file`, which is read as a `T`, each with its fix (for `check`).
pub fn describe_unknown_keys<T: for<'de> Deserialize<'de>>(file: &Path, unknown: &[String]) -> Vec<UnknownKey> {
    if unknown.is_empty() {
        return Vec::new();
    }
    let known = keys_of::<T>();
    unknown.iter().map(|key| UnknownKey::new(key, file, known.iter().map(String::as_str))).collect()
}

/// Every key of a file read as a `T`, as dotted paths (a table and each key in it), in the
/// names serde reads (renames applied). Maps (free-form keys) and values that are not tables
/// add none below themselves.
pub fn keys_of<T: for<'de> Deserialize<'de>>() -> Vec<String> {
    let found = RefCell::new(Found::default());
    // Depth-first over the tables: each pass descends one route of field indices and lists the
    // fields of the table it ends in.
    let mut routes = vec![Vec::new()];
    while let Some(route) = routes.pop() {
        found.borrow_mut().end = None;
        // The walk always ends in an error (nothing is ever built): only what it saw counts.
        let _ = T::deserialize(walk::Walk { route: &route, prefix: String::new(), found: &found });
        let end = found.borrow().end;
        if let Some(fields) = end
            && route.len() < walk::MAX_DEPTH
        {
            routes.extend((0..fields).map(|i| [route.as_slice(), &[i]].concat()));
        }
    }
    found.into_inner().keys.into_iter().collect()
}

#[derive(Default)]
struct Found {
    keys: BTreeSet<String>,
    /// How many fields the table at the end of the route has (none: not a table).
    end: Option<usize>,
}

mod walk {
    use std::cell::RefCell;

    use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};

    use super::Found;

    /// Deeper tables than this are not walked (a type that contains itself).
    pub(super) const MAX_DEPTH: usize = 8;

    /// The end of a walk: nothing is deserialized, only the names are looked at.
    #[derive(Debug)]
    pub(super) struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the walk over the keys ends here")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Self
        }
    }

    /// A deserializer that answers a struct's request for its fields by naming one of them
    /// (the next index of the route) and walking into its value.
    pub(super) struct Walk<'r> {
        pub(super) route: &'r [usize],
        pub(super) prefix: String,
        pub(super) found: &'r RefCell<Found>,
    }

    impl Walk<'_> {
        fn key(&self, field: &str) -> String {
            if self.prefix.is_empty() { field.to_owned() } else { format!("{}.{field}", self.prefix) }
        }
    }

    impl<'de> Deserializer<'de> for Walk<'_> {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
            visitor.visit_some(self)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Stop> {
            visitor.visit_newtype_struct(self)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Stop> {
            let mut found = self.found.borrow_mut();
            found.keys.extend(fields.iter().map(|f| self.key(f)));
            let Some((&next, rest)) = self.route.split_first() else {
                found.end = Some(fields.len());
                return Err(Stop);
            };
            drop(found);
            let field = fields.get(next).ok_or(Stop)?;
            let value = Walk { route: rest, prefix: self.key(field), found: self.found };
            visitor.visit_map(One { key: Some(field), value: Some(value) })
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
            unit_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    /// A table holding the one field the route goes through.
    struct One<'r> {
        key: Option<&'static str>,
        value: Option<Walk<'r>>,
    }

    impl<'de> MapAccess<'de> for One<'_> {
        type Error = Stop;

        fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Stop> {
            match self.key.take() {
                Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
                None => Ok(None),
            }
        }

        fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Stop> {
            seed.deserialize(self.value.take().ok_or(Stop)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "only the names are read")]
    struct Sample {
        max_number_of_restarts: Option<u64>,
        restarts_delay_seconds: u64,
        #[serde(default)]
        auto_install: Option<Inner>,
        folders: std::collections::BTreeMap<String, String>,
        #[serde(with = "crate::toml_file::count")]
        keep: Option<u64>,
        boxed: Box<Leaf>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "only the names are read")]
    struct Inner {
        enabled: bool,
        asset: Leaf,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[expect(dead_code, reason = "only the names are read")]
    struct Leaf {
        name: String,
        binary_name: Option<String>,
    }

    #[test]
    fn every_key_of_every_table_is_known() {
        let keys = keys_of::<Sample>();
        for key in [
            "maxNumberOfRestarts",
            "restartsDelaySeconds",
            "autoInstall",
            "autoInstall.enabled",
            "autoInstall.asset",
            "autoInstall.asset.name",
            "autoInstall.asset.binaryName",
            "folders",
            "keep",
            "boxed.binaryName",
        ] {
            assert!(keys.contains(&key.to_owned()), "{key} missing from {keys:?}");
        }
        assert_eq!(keys.len(), 12, "{keys:?}");
    }

    #[test]
    fn typos_get_their_fix_and_strangers_none() {
        let keys = keys_of::<Sample>();
        let known = || keys.iter().map(String::as_str);
        assert_eq!(closest("maxNumberOfRestart", known()), Some("maxNumberOfRestarts"));
        assert_eq!(closest("max_number_of_restarts", known()), Some("maxNumberOfRestarts"));
        assert_eq!(closest("restartsDelaySecodns", known()), Some("restartsDelaySeconds"));
        assert_eq!(closest("autoInstall.enabeld", known()), Some("autoInstall.enabled"));
        assert_eq!(closest("autoInstal", known()), Some("autoInstall"));
        assert_eq!(closest("autoInstall.asset.nmae", known()), Some("autoInstall.asset.name"));
        assert_eq!(closest("enabled", known()), Some("autoInstall.enabled"), "the right key in the wrong table");
        assert_eq!(closest("typo", known()), None);
        assert_eq!(closest("restarts", known()), None, "too far from anything");
    }

    #[test]
    fn a_key_appended_into_the_last_table_finds_the_key_of_another_table() {
        let keys = keys_of::<Sample>();
        let known = || keys.iter().map(String::as_str);
        // `echo 'maxNumberOfRestart = 5' >> config.toml` after an [autoInstall.asset] table.
        assert_eq!(closest("autoInstall.asset.maxNumberOfRestart", known()), Some("maxNumberOfRestarts"));
        assert_eq!(closest("autoInstall.kep", known()), Some("keep"), "a top-level key, one letter off");
        assert_eq!(closest("boxed.enabeld", known()), Some("autoInstall.enabled"));
        // Between names as near, its own table's.
        assert_eq!(closest("autoInstall.asset.nam", known()), Some("autoInstall.asset.name"));
        let file = Path::new("/home/v/config.toml");
        assert_eq!(
            unknown_key("autoInstall.asset.maxNumberOfRestart", file, known()),
            "unknown key `autoInstall.asset.maxNumberOfRestart` in /home/v/config.toml, ignored; did you mean \
             `maxNumberOfRestarts` (a top-level key: it must go above the first `[table]` line)?"
        );
        let fix = UnknownKey::new("boxed.enabeld", file, known()).fix;
        assert_eq!(
            fix,
            "did you mean `autoInstall.enabled` (a key of the `[autoInstall]` table: it must go below the \
             `[autoInstall]` line, before the next table)?"
        );
        let fix = UnknownKey::new("boxed.autoInstal", file, known()).fix;
        assert_eq!(fix, "did you mean `autoInstall` (a table: it is written `[autoInstall]`)?");
        assert_eq!(UnknownKey::new("autoInstall.enabeld", file, known()).fix, "did you mean `autoInstall.enabled`?");
    }

    #[test]
    fn the_message_names_the_key_the_file_and_the_fix() {
        let known = ["maxNumberOfRestarts"];
        let file = Path::new("/home/v/config.toml");
        assert_eq!(
            unknown_key("maxNumberOfRestart", file, known),
            "unknown key `maxNumberOfRestart` in /home/v/config.toml, ignored; did you mean `maxNumberOfRestarts`?"
        );
        assert_eq!(
            unknown_key("zzz", file, known),
            "unknown key `zzz` in /home/v/config.toml, ignored; check its spelling"
        );
    }

    #[test]
    fn a_type_that_contains_itself_ends() {
        #[derive(Deserialize)]
        #[expect(dead_code, reason = "only the names are read")]
        struct Node {
            next: Option<Box<Self>>,
        }
        let keys = keys_of::<Node>();
        assert_eq!(keys.len(), walk::MAX_DEPTH + 1, "{keys:?}");
    }
}
