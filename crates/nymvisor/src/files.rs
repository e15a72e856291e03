//! Nymvisor's files: where they live and their JSON formats (camelCase for Nymvisor's own
//! documents, snake_case for the daemon's build information, RFC 3339 times). Every file is
//! written atomically; readers ignore unknown keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use url::Url;
use visor_core::stage::Checksum;

use crate::config::Config;

/// The daemon's build information (`--no-banner build-info --output=json`), kept field by field.
pub(crate) type BuildInfo = serde_json::Map<String, serde_json::Value>;

/// Where an upgrade's binary can be downloaded for one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DownloadUrl {
    /// Hex digest; empty when none is published.
    #[serde(deserialize_with = "hex_checksum")]
    pub(crate) checksum: String,
    pub(crate) checksum_algorithm: ChecksumAlgorithm,
    pub(crate) url: Url,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ChecksumAlgorithm {
    Sha256,
    Sha512,
}

fn hex_checksum<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if text.len() % 2 == 1 {
        return Err(serde::de::Error::custom(format!("checksum {text:?} has an odd number of hex digits")));
    }
    if !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(serde::de::Error::custom(format!("checksum {text:?} is not hexadecimal")));
    }
    Ok(text.to_ascii_lowercase())
}

impl DownloadUrl {
    /// The expected checksum, if one is published.
    pub(crate) fn checksum(&self) -> Result<Option<Checksum>, String> {
        if self.checksum.is_empty() {
            return Ok(None);
        }
        let algo = match self.checksum_algorithm {
            ChecksumAlgorithm::Sha256 => "sha256",
            ChecksumAlgorithm::Sha512 => "sha512",
        };
        Checksum::parse(&format!("{algo}:{}", self.checksum)).map(Some).map_err(|e| e.to_string())
    }
}

/// `upgrade-info.json`: one upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpgradeInfo {
    pub(crate) manual: bool,
    pub(crate) name: String,
    pub(crate) notes: String,
    /// The key must be present; its value may be null.
    #[serde(deserialize_with = "required_option")]
    pub(crate) publish_date: Option<Timestamp>,
    pub(crate) version: String,
    pub(crate) platforms: BTreeMap<String, DownloadUrl>,
    pub(crate) upgrade_time: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) binary_details: Option<BuildInfo>,
}

fn required_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

/// This machine's platform key, as Nymvisor names it (`linux-x86_64`, `darwin-aarch64`).
pub(crate) fn platform_key() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    format!("{os}-{}", std::env::consts::ARCH)
}

impl UpgradeInfo {
    /// The download for this machine: its platform's entry, else `any`.
    pub(crate) fn download(&self) -> Result<&DownloadUrl, String> {
        let key = platform_key();
        self.platforms.get(&key).or_else(|| self.platforms.get("any")).ok_or_else(|| {
            let available: Vec<&str> = self.platforms.keys().map(String::as_str).collect();
            format!(
                "upgrade {} has no download for this platform ({key}) and no `any` entry (it has: {})",
                self.name,
                if available.is_empty() { "none".to_owned() } else { available.join(", ") }
            )
        })
    }
}

/// `upgrade-plan.json`: the current upgrade and the queue, earliest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpgradePlan {
    pub(crate) current: UpgradeInfo,
    pub(crate) queued_up: Vec<UpgradeInfo>,
    /// Queued upgrades taken out of the queue without being performed, latest last (an addition
    /// of ours, written only when there is one; Nymvisor ignores it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) dropped: Vec<DroppedUpgrade>,
}

/// A queued upgrade that was dropped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DroppedUpgrade {
    pub(crate) dropped_at: Timestamp,
    pub(crate) reason: String,
    pub(crate) info: UpgradeInfo,
}

/// The dropped upgrades an `upgrade-plan.json` keeps.
pub(crate) const DROPPED_KEPT: usize = 20;

impl UpgradePlan {
    /// Adds `info` (replacing a queued entry of the same name) and keeps the queue sorted.
    pub(crate) fn insert(&mut self, info: UpgradeInfo) {
        self.queued_up.retain(|q| q.name != info.name);
        self.queued_up.push(info);
        self.queued_up.sort_by_key(|q| q.upgrade_time);
    }

    /// Records that `info` left the queue unperformed, for `reason` (the newest
    /// [`DROPPED_KEPT`] are kept).
    pub(crate) fn record_dropped(&mut self, info: UpgradeInfo, reason: String) {
        self.dropped.push(DroppedUpgrade { dropped_at: Timestamp::now(), reason, info });
        let excess = self.dropped.len().saturating_sub(DROPPED_KEPT);
        self.dropped.drain(..excess);
    }
}

/// One entry of `upgrade-history.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryEntry {
    pub(crate) performed_at: Timestamp,
    pub(crate) info: UpgradeInfo,
    /// Set on a rollback entry (an addition of ours; Nymvisor ignores unknown keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rolled_back_from: Option<String>,
    /// The visor's switch id, so a switch finished by recovery is recorded once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) switch_id: Option<String>,
}

/// `upgrade-history.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UpgradeHistory {
    pub(crate) history: Vec<HistoryEntry>,
}

/// `current-version-info.json` in the daemon's home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CurrentVersionInfo {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) upgrade_time: Timestamp,
    pub(crate) binary_details: BuildInfo,
}

/// An upgrade, instance or daemon name: one plain path component, by the engine's rules for
/// every name that comes from outside.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    visor_core::check_file_name(name).map_err(|e| e.to_string())
}

/// The folders and files of one daemon's upgrades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    /// The upgrade data folder (`D`): genesis, upgrades, `current`, plan, history.
    pub(crate) data: PathBuf,
    /// The daemon's name.
    pub(crate) daemon: String,
    /// `<daemon home>/nymvisor`.
    pub(crate) daemon_nymvisor: PathBuf,
}

impl Layout {
    pub(crate) fn new(config: &Config) -> Result<Self, crate::config::ConfigError> {
        let data = match &config.nymvisor.upgrade_data_directory {
            Some(dir) => dir.join(&config.daemon.name),
            None => crate::config::nymvisors_dir()?.join("data").join(&config.daemon.name),
        };
        Ok(Self { data, daemon: config.daemon.name.clone(), daemon_nymvisor: config.daemon.home.join("nymvisor") })
    }

    /// The release folder of upgrade `name` (`genesis` is its own).
    pub(crate) fn release(&self, name: &str) -> String {
        if name == "genesis" { "genesis".to_owned() } else { format!("upgrades/{name}") }
    }

    pub(crate) fn release_dir(&self, name: &str) -> PathBuf {
        self.data.join(self.release(name))
    }

    pub(crate) fn binary(&self, release_dir: &Path) -> PathBuf {
        release_dir.join("bin").join(&self.daemon)
    }

    pub(crate) fn upgrade_info(&self, name: &str) -> PathBuf {
        self.release_dir(name).join("upgrade-info.json")
    }

    pub(crate) fn plan(&self) -> PathBuf {
        self.data.join("upgrade-plan.json")
    }

    pub(crate) fn history(&self) -> PathBuf {
        self.data.join("upgrade-history.json")
    }

    pub(crate) fn upgrade_lock(&self) -> PathBuf {
        self.data.join("upgrade.lock")
    }

    /// Serialises read-modify-write of the plan between processes (`add-upgrade`, `run`).
    pub(crate) fn plan_lock(&self) -> PathBuf {
        self.data.join("upgrade-plan.json.lock")
    }

    pub(crate) fn current_version_info(&self) -> PathBuf {
        self.daemon_nymvisor.join("current-version-info.json")
    }

    /// The name the real Nymvisor writes it under; read when ours is missing.
    pub(crate) fn legacy_current_version_info(&self) -> PathBuf {
        self.daemon_nymvisor.join("current-version.json")
    }
}

/// A file that cannot be read or is not what it should be.
pub(crate) type FileError = facekit::toml_file::FileError;

/// Reads a JSON document, naming the field at fault.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let error = |message: String| FileError::new(path, message);
    let bytes = visor_core::read_bounded(path, visor_core::MAX_DOCUMENT).map_err(|e| {
        error(match crate::config::explain_refused(path, &e) {
            Some(explained) => format!("cannot read: {e}; {explained}"),
            None => format!("cannot read: {e}"),
        })
    })?;
    parse_json(&bytes).map_err(error)
}

/// Parses a JSON document, naming the field at fault.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON ({inner})")
        } else if path == "." {
            inner.to_string()
        } else {
            format!("field `{path}`: {inner}")
        }
    })
}

/// Writes a JSON document atomically (pretty, as Nymvisor writes it).
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        visor_core::create_dir_durable(parent)?;
    }
    let bytes = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    visor_core::write_atomic(path, &bytes, 0o644)
}

/// Whether nothing is at `path` (a file this user may not look at is there, not missing).
pub(crate) fn is_missing(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Reads the current-version info, under our name or the real tool's.
pub(crate) fn read_current_version(layout: &Layout) -> Result<CurrentVersionInfo, FileError> {
    let ours = layout.current_version_info();
    if ours.exists() { read_json(&ours) } else { read_json(&layout.legacy_current_version_info()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = r#"{ "manual": false, "name": "2024.13-magura", "notes": "see release notes",
      "publishDate": "2024-11-20T12:00:00Z", "version": "1.1.10",
      "platforms": { "linux-x86_64": { "checksum": "ABCD", "checksumAlgorithm": "sha256",
          "url": "https://github.com/nymtech/nym/releases/download/x/nym-node" } },
      "upgradeTime": "2024-11-21T12:00:00Z", "binaryDetails": null }"#;

    #[test]
    fn reads_the_documented_upgrade_info() {
        let info: UpgradeInfo = parse_json(INFO.as_bytes()).unwrap();
        assert_eq!(info.version, "1.1.10");
        assert_eq!(info.platforms["linux-x86_64"].checksum, "abcd");
        assert_eq!(info.upgrade_time.to_string(), "2024-11-21T12:00:00Z");
        let back = serde_json::to_string(&info).unwrap();
        assert!(
            back.contains("\"upgradeTime\":\"2024-11-21T12:00:00Z\"")
                && back.contains("\"checksumAlgorithm\":\"sha256\""),
            "{back}"
        );
    }

    #[test]
    fn each_malformed_field_is_named() {
        for (from, to, needle) in [
            (r#""manual": false"#, r#""manual": "no""#, "manual"),
            (r#""version": "1.1.10","#, "", "version"),
            (r#""publishDate": "2024-11-20T12:00:00Z","#, "", "publishDate"),
            (r#""upgradeTime": "2024-11-21T12:00:00Z""#, r#""upgradeTime": "tomorrow""#, "upgradeTime"),
            (r#""checksum": "ABCD""#, r#""checksum": "ABC""#, "odd number"),
            (r#""checksum": "ABCD""#, r#""checksum": "zz""#, "not hexadecimal"),
            (r#""checksumAlgorithm": "sha256""#, r#""checksumAlgorithm": "md5""#, "md5"),
            (r#""url": "https://github.com/nymtech/nym/releases/download/x/nym-node""#, r#""url": "not a url""#, "url"),
        ] {
            let text = INFO.replace(from, to);
            let e = parse_json::<UpgradeInfo>(text.as_bytes()).unwrap_err();
            assert!(e.contains(needle), "{needle}: {e}");
        }
        assert!(parse_json::<UpgradeInfo>(b"<html>").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn names_cannot_escape() {
        for bad in ["", "..", "../x", "a/b", ".hidden"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        check_name("2024.13-magura").unwrap();
    }

    #[test]
    fn platform_or_any() {
        let mut info: UpgradeInfo = parse_json(INFO.as_bytes()).unwrap();
        info.platforms = BTreeMap::new();
        let e = info.download().unwrap_err();
        assert!(e.contains(&platform_key()) && e.contains("none"), "{e}");
        let entry = DownloadUrl {
            checksum: String::new(),
            checksum_algorithm: ChecksumAlgorithm::Sha256,
            url: Url::parse("https://x/y").unwrap(),
        };
        info.platforms.insert("any".into(), entry);
        assert!(info.download().is_ok());
    }
}
