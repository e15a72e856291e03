//! Reading an operator's TOML file into a typed struct with errors that name the file, the key,
//! the bad value and the fix, and warnings for keys nobody reads.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A file that cannot be used: which file, and what is wrong with it and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong, and the fix.
    pub message: String,
}

impl FileError {
    /// An error about `path`.
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        Self { path: path.to_owned(), message: message.into() }
    }
}

/// A parsed file and the keys it holds that are not part of the format.
pub struct Parsed<T> {
    /// The value.
    pub value: T,
    /// Keys nobody reads (dotted paths), to warn about.
    pub unknown: Vec<String>,
}

/// The line and column of byte `offset` in `text` (1-based).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, col)
}

/// Reads and parses `path` (read with a size cap). `empty_hint` says where to find every key.
pub fn load<T: DeserializeOwned>(path: &Path, empty_hint: &str) -> Result<Parsed<T>, FileError> {
    let text = visor_core::read_text_bounded(path).map_err(|e| FileError::new(path, cannot_read(path, &e)))?;
    parse(path, &text, empty_hint)
}

/// "cannot read the file: <why>", and for a refusal whose the folder is and what to do
/// ([`visor_core::access::explain_denied`]).
pub fn cannot_read(path: &Path, error: &std::io::Error) -> String {
    match visor_core::access::explain_denied(path, error) {
        Some(explained) => format!("cannot read the file: {error}; {explained}"),
        None => format!("cannot read the file: {error}"),
    }
}

/// Whether `error` is a refusal (permission denied, a read-only file system), which says
/// nothing about the file and needs another user or other permissions, not an edit.
pub fn is_denied(error: &std::io::Error) -> bool {
    matches!(error.kind(), std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem)
}

/// Parses `text`, read from `path`. Checks first for the usual wrong files (empty, HTML, JSON);
/// errors name the key, the line and the fix.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str, empty_hint: &str) -> Result<Parsed<T>, FileError> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(FileError::new(path, format!("the file is empty; write the configuration into it ({empty_hint})")));
    }
    if trimmed.starts_with('<') {
        return Err(FileError::new(path, "the file looks like HTML, not TOML; replace it with the TOML configuration"));
    }
    if trimmed.starts_with('{') {
        return Err(FileError::new(path, "the file looks like JSON, not TOML; rewrite it in TOML"));
    }
    let syntax = |e: toml::de::Error| {
        let at = e.span().map(|s| line_col(text, s.start));
        let message = e.message().trim().to_owned();
        match at {
            Some((line, col)) => {
                FileError::new(path, format!("invalid TOML at line {line}, column {col}: {message}; fix the syntax"))
            }
            None => FileError::new(path, format!("invalid TOML: {message}; fix the syntax")),
        }
    };
    let de = toml::de::Deserializer::parse(text).map_err(syntax)?;
    let mut unknown = Vec::new();
    // serde_ignored writes `?` for each optional level: drop those from the key path.
    let mut collect = |p: serde_ignored::Path<'_>| {
        unknown.push(p.to_string().split('.').filter(|s| *s != "?").collect::<Vec<_>>().join("."));
    };
    let ignored = serde_ignored::Deserializer::new(de, &mut collect);
    let value = serde_path_to_error::deserialize(ignored).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let at = inner.span().map(|s| line_col(text, s.start));
        let message = inner.message().trim().to_owned();
        let location = at.map(|(l, _)| format!(" (line {l})")).unwrap_or_default();
        FileError::new(path, format!("key `{key}`{location}: {message}; fix the value"))
    })?;
    Ok(Parsed { value, unknown })
}

/// Deserializes a whole number ≥ 0 with a message an operator understands.
pub mod count {
    use serde::de::{self, Deserializer, Visitor};

    struct Count;

    impl Visitor<'_> for Count {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a whole number ≥ 0")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("invalid value {v}, expected a whole number ≥ 0")))
        }
    }

    /// `#[serde(with = "count")]` on an `Option<u64>`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        d.deserialize_u64(Count).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "camelCase")]
    struct Sample {
        #[serde(default, with = "count")]
        max_restarts: Option<u64>,
        #[serde(default)]
        table: Option<Inner>,
    }

    #[derive(serde::Deserialize, Debug)]
    struct Inner {
        #[serde(default)]
        name: Option<String>,
    }

    fn err(text: &str) -> String {
        parse::<Sample>(Path::new("/h/config.toml"), text, "see the docs").err().unwrap().to_string()
    }

    #[test]
    fn errors_name_file_key_value_and_line() {
        let e = err("maxRestarts = -1\n");
        assert!(e.starts_with("/h/config.toml: key `maxRestarts`"), "{e}");
        assert!(e.contains("-1") && e.contains("≥ 0") && e.contains("line 1"), "{e}");
        let e = err("maxRestarts = \"three\"\n");
        assert!(e.contains("maxRestarts") && e.contains("three"), "{e}");
        let e = err("[table]\nname = 5\n");
        assert!(e.contains("`table.name`") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let e = err("maxRestarts = 3\nbroken = [\n");
        assert!(e.contains("invalid TOML at line 2"), "{e}");
    }

    #[test]
    fn wrong_kinds_of_file_are_named() {
        assert!(err("").contains("empty"));
        assert!(err("<html>").contains("HTML"));
        assert!(err("{\"a\":1}").contains("JSON"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_input(text in "\\PC{0,200}") {
            let _ = parse::<Sample>(Path::new("c.toml"), &text, "");
        }

        #[test]
        fn never_panics_on_near_toml(key in "[a-zA-Z.]{1,20}", value in "[-0-9a-z\\[\\]\"{}=., ]{0,20}") {
            let _ = parse::<Sample>(Path::new("c.toml"), &format!("{key} = {value}\n"), "");
        }
    }

    #[test]
    fn unknown_keys_are_collected() {
        let p = parse::<Sample>(Path::new("c.toml"), "maxRestarts = 1\ntypo = 2\n[table]\nnam = \"x\"\n", "").unwrap();
        assert_eq!(p.value.max_restarts, Some(1));
        assert_eq!(p.value.table.and_then(|t| t.name), None);
        let mut unknown = p.unknown;
        unknown.sort();
        assert_eq!(unknown, vec!["table.nam".to_owned(), "typo".to_owned()]);
    }
}
