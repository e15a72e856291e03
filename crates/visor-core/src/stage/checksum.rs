//! Checksums: parsed from `sha256:<hex>`, `sha512:<hex>` or bare hex (the length tells the
//! algorithm), and computed while a download streams, so verifying costs no extra pass. MD5 and
//! SHA-1 are broken: only [`Checksum::parse_allowing_weak`] takes them, for a face whose operator
//! opted in, and only with their name spelled out.

use sha2::Digest;

/// A supported hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
    /// SHA-1 (broken; only where the operator allowed it).
    Sha1,
    /// MD5 (broken; only where the operator allowed it).
    Md5,
}

impl Algorithm {
    /// The name used in `algo:hex`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
            Self::Sha1 => "sha1",
            Self::Md5 => "md5",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
            Self::Sha1 => 40,
            Self::Md5 => 32,
        }
    }

    /// Whether collisions can be made for it.
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Sha1 | Self::Md5)
    }
}

/// An expected checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Lowercase hex digest.
    pub hex: String,
}

/// A checksum that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid checksum {text:?}: {why}; expected sha256:<64 hex digits>, sha512:<128 hex digits> or bare hex")]
pub struct ChecksumError {
    /// What was given.
    pub text: String,
    /// What is wrong with it.
    pub why: String,
}

impl Checksum {
    /// Parses `algo:hex` or bare hex; MD5 and SHA-1 are refused.
    pub fn parse(text: &str) -> Result<Self, ChecksumError> {
        let parsed = Self::parse_allowing_weak(text)?;
        if parsed.algorithm.is_weak() {
            return Err(ChecksumError {
                text: text.to_owned(),
                why: format!("{} is broken and not accepted", parsed.algorithm.name()),
            });
        }
        Ok(parsed)
    }

    /// Parses like [`Checksum::parse`], and also `md5:<hex>` and `sha1:<hex>` (named, never bare).
    pub fn parse_allowing_weak(text: &str) -> Result<Self, ChecksumError> {
        let error = |why: &str| ChecksumError { text: text.to_owned(), why: why.to_owned() };
        let trimmed = text.trim();
        let (algorithm, hex) = match trimmed.split_once(':') {
            Some((algo, hex)) => {
                let algorithm = match algo.to_ascii_lowercase().as_str() {
                    "sha256" => Algorithm::Sha256,
                    "sha512" => Algorithm::Sha512,
                    "sha1" => Algorithm::Sha1,
                    "md5" => Algorithm::Md5,
                    other => return Err(error(&format!("unsupported algorithm {other:?}"))),
                };
                (algorithm, hex)
            }
            None => match trimmed.len() {
                64 => (Algorithm::Sha256, trimmed),
                128 => (Algorithm::Sha512, trimmed),
                n => return Err(error(&format!("{n} hex digits match no supported algorithm"))),
            },
        };
        if hex.len() % 2 == 1 {
            return Err(error("odd number of hex digits"));
        }
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(error("not hexadecimal"));
        }
        if hex.len() != algorithm.hex_len() {
            return Err(error(&format!(
                "{} takes {} hex digits, got {}",
                algorithm.name(),
                algorithm.hex_len(),
                hex.len()
            )));
        }
        Ok(Self { algorithm, hex: hex.to_ascii_lowercase() })
    }
}

impl std::fmt::Display for Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

/// The checksum of the file at `path`.
pub fn hash_file(path: &std::path::Path, algorithm: Algorithm) -> std::io::Result<Checksum> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Hasher::new(algorithm);
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buffer[..n]);
    }
}

/// The checksum of `bytes` (a small document already in memory).
pub fn hash_bytes(bytes: &[u8], algorithm: Algorithm) -> Checksum {
    let mut hasher = Hasher::new(algorithm);
    hasher.update(bytes);
    hasher.finish()
}

/// A running hash.
#[derive(Clone)]
pub(crate) enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    Sha1(sha1::Sha1),
    Md5(md5::Md5),
}

impl Hasher {
    pub(crate) fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Self::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Self::Sha512(sha2::Sha512::new()),
            Algorithm::Sha1 => Self::Sha1(sha1::Sha1::new()),
            Algorithm::Md5 => Self::Md5(md5::Md5::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(bytes),
            Self::Sha512(h) => h.update(bytes),
            Self::Sha1(h) => h.update(bytes),
            Self::Md5(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Checksum {
        let (algorithm, digest): (Algorithm, Vec<u8>) = match self {
            Self::Sha256(h) => (Algorithm::Sha256, h.finalize().to_vec()),
            Self::Sha512(h) => (Algorithm::Sha512, h.finalize().to_vec()),
            Self::Sha1(h) => (Algorithm::Sha1, h.finalize().to_vec()),
            Self::Md5(h) => (Algorithm::Md5, h.finalize().to_vec()),
        };
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        Checksum { algorithm, hex }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn weak_algorithms_only_when_allowed_and_named() {
        let md5 = format!("md5:{}", "a".repeat(32));
        assert!(Checksum::parse(&md5).unwrap_err().to_string().contains("broken"));
        assert_eq!(Checksum::parse_allowing_weak(&md5).unwrap().algorithm, Algorithm::Md5);
        assert!(Checksum::parse_allowing_weak(&"a".repeat(32)).is_err(), "never by length alone");
        assert_eq!(hash_bytes(b"abc", Algorithm::Md5).hex, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hash_bytes(b"abc", Algorithm::Sha1).hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    use super::*;
    use proptest::prelude::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_prefixed_and_bare_forms() {
        let c = Checksum::parse(&format!("sha256:{}", EMPTY_SHA256.to_uppercase())).unwrap();
        assert_eq!(c.algorithm, Algorithm::Sha256);
        assert_eq!(c.hex, EMPTY_SHA256);
        assert_eq!(Checksum::parse(EMPTY_SHA256).unwrap(), c);
        assert_eq!(Checksum::parse(&"ab".repeat(64)).unwrap().algorithm, Algorithm::Sha512);
    }

    #[test]
    fn refuses_bad_forms_with_the_reason() {
        assert!(Checksum::parse("crc32:abcd").unwrap_err().why.contains("unsupported"));
        assert!(Checksum::parse("sha256:abc").unwrap_err().why.contains("odd"));
        assert!(Checksum::parse(&format!("sha256:{}", "zz".repeat(32))).unwrap_err().why.contains("hexadecimal"));
        assert!(Checksum::parse("sha256:abcd").unwrap_err().why.contains("64"));
        assert!(Checksum::parse("abcd").is_err());
    }

    #[test]
    fn hashes_match_known_values() {
        assert_eq!(Hasher::new(Algorithm::Sha256).finish().hex, EMPTY_SHA256);
        let mut h = Hasher::new(Algorithm::Sha256);
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.finish().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,140}") {
            let _ = Checksum::parse(&text);
        }
    }
}
