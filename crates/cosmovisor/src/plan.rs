//! The node's upgrade plans: `data/upgrade-info.json` (written by `x/upgrade` at the plan's
//! height, or by `add-upgrade --upgrade-height`), the batch of manual upgrades
//! (`data/upgrade-info.json.batch`), the copy in each upgrade folder, and the plan's `info`
//! (where to download its binary).
//!
//! All of it is untrusted: the node, a governance proposal or another tool wrote it. Parsing
//! never panics, bounds what it reads, and refuses what Cosmovisor v1.7 refuses (spec S12).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use visor_core::ReleaseName;
use visor_core::stage::Checksum;

/// An upgrade plan, as the node writes it (`{"name","height","info"}`; older SDKs add `time`,
/// proto-JSON writes `height` as a string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Plan {
    pub(crate) name: String,
    pub(crate) height: u64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub(crate) info: String,
}

#[derive(Deserialize)]
struct RawPlan {
    name: Option<String>,
    height: Option<serde_json::Value>,
    #[serde(default)]
    info: Option<String>,
}

impl Plan {
    /// Parses a plan; `recase` lower-cases its name (Cosmovisor's default).
    pub(crate) fn parse(bytes: &[u8], recase: bool) -> Result<Self, String> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err("the file is empty".to_owned());
        }
        let raw: RawPlan = serde_json::from_slice(bytes).map_err(|e| format!("not a plan: {e}"))?;
        raw.into_plan(recase)
    }
}

impl RawPlan {
    fn into_plan(self, recase: bool) -> Result<Plan, String> {
        let name = self.name.filter(|n| !n.trim().is_empty()).ok_or("the plan has no name")?;
        let height = match self.height {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            None => return Err("the plan has no height".to_owned()),
            _ => None,
        }
        .filter(|h| *h > 0)
        .ok_or("the plan's height is not a positive whole number")?;
        let name = if recase { name.to_lowercase() } else { name };
        Ok(Plan { name, height, info: self.info.unwrap_or_default() })
    }
}

/// Parses the batch file: a JSON array of plans.
pub(crate) fn parse_batch(bytes: &[u8], recase: bool) -> Result<Vec<Plan>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let raw: Vec<RawPlan> = serde_json::from_slice(bytes).map_err(|e| format!("not a list of plans: {e}"))?;
    raw.into_iter().enumerate().map(|(i, p)| p.into_plan(recase).map_err(|e| format!("entry {}: {e}", i + 1))).collect()
}

/// The folder name of upgrade `name`: escaped as a URL path segment, as Cosmovisor does
/// (`some spaces` → `some%20spaces`), and a valid release name.
pub(crate) fn folder_name(name: &str) -> Result<String, String> {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+:=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    visor_core::check_file_name(&out).map_err(|e| format!("the upgrade name {name:?} cannot name a folder: {e}"))?;
    Ok(out)
}

/// The release folder of upgrade `name` (`upgrades/<name>`).
pub(crate) fn release_of(name: &str) -> Result<ReleaseName, String> {
    let folder = folder_name(name)?;
    ReleaseName::new(&format!("upgrades/{folder}")).map_err(|e| format!("the upgrade name {name:?}: {e}"))
}

/// Where a plan's binary can be downloaded from, for this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// An address, with the checksum its query names.
    Url { url: url::Url, checksum: Option<Checksum> },
    /// The info is the address of a document that lists the binaries.
    Document(url::Url),
}

/// This host as the plan's keys name it (`linux/amd64`).
pub(crate) fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}/{arch}", std::env::consts::OS)
}

#[derive(Deserialize)]
struct Binaries {
    binaries: BTreeMap<String, String>,
}

/// The artifact for `platform` in a plan's info (or in the document it names): only the host's
/// own entry or `any` is looked at, so a broken entry for another platform cannot stop ours.
pub(crate) fn artifact(info: &str, platform: &str) -> Result<Artifact, String> {
    let info = info.trim();
    if info.is_empty() {
        return Err("the plan's info names no binaries".to_owned());
    }
    if info.starts_with('{') {
        let doc: Binaries =
            serde_json::from_str(info).map_err(|e| format!("the plan's info is not a binaries list: {e}"))?;
        return binary_for(&doc.binaries, platform);
    }
    let url =
        url::Url::parse(info).map_err(|e| format!("the plan's info is neither a binaries list nor an address: {e}"))?;
    network_only(&url, "the plan's info")?;
    Ok(Artifact::Document(url))
}

/// The artifact for `platform` in a downloaded binaries document.
pub(crate) fn artifact_in_document(bytes: &[u8], platform: &str) -> Result<Artifact, String> {
    let doc: Binaries = serde_json::from_slice(bytes).map_err(|e| format!("not a binaries list: {e}"))?;
    binary_for(&doc.binaries, platform)
}

fn binary_for(binaries: &BTreeMap<String, String>, platform: &str) -> Result<Artifact, String> {
    let (key, address) = binaries
        .get_key_value(platform)
        .or_else(|| binaries.get_key_value("any"))
        .ok_or_else(|| format!("the plan has no binary for this host: neither {platform} nor any"))?;
    let mut url = url::Url::parse(address).map_err(|e| format!("binaries.{key} is not an address: {e}"))?;
    network_only(&url, &format!("binaries.{key}"))?;
    let checksum = match url.query_pairs().find(|(k, _)| k == "checksum").map(|(_, v)| v.into_owned()) {
        None => None,
        Some(text) => Some(parse_checksum(&text).map_err(|e| format!("binaries.{key}: {e}"))?),
    };
    // The checksum is ours to check, not the server's to read.
    let rest: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| k != "checksum").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if rest.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(rest);
    }
    Ok(Artifact::Url { url, checksum })
}

/// A chain's plan comes from the network: it may name network addresses only (a `file://`
/// one would let a proposal make the visor read any local file, a device or a FIFO).
fn network_only(url: &url::Url, what: &str) -> Result<(), String> {
    let on_network = url::Url::parse("https://chain.invalid/").expect("a valid address");
    visor_core::stage::check_announced(url, &on_network).map_err(|e| format!("{what}: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{what}: {url} is not an http(s) address"));
    }
    Ok(())
}

/// `sha256:<hex>` or `sha512:<hex>`. MD5 and SHA-1 are broken: refused.
/// Whether the operator accepts MD5 and SHA-1 checksums (`COSMOVISOR_ALLOW_WEAK_CHECKSUMS`): one
/// configuration per process, set where it is loaded, read wherever a plan is.
static ALLOW_WEAK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn allow_weak_checksums(allow: bool) {
    ALLOW_WEAK.store(allow, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn parse_checksum(text: &str) -> Result<Checksum, String> {
    let (kind, _) = text.split_once(':').ok_or_else(|| format!("checksum {text:?} is not <type>:<hex>"))?;
    if matches!(kind.to_ascii_lowercase().as_str(), "md5" | "sha1") {
        if !ALLOW_WEAK.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(format!(
                "{kind} checksums are broken and not accepted; publish a sha256 or sha512 checksum, or set \
                 COSMOVISOR_ALLOW_WEAK_CHECKSUMS=true to accept it knowingly"
            ));
        }
        return Checksum::parse_allowing_weak(text).map_err(|e| e.to_string());
    }
    Checksum::parse(text).map_err(|e| e.to_string())
}

/// The upgrade plans' files of a node's home.
#[derive(Debug, Clone)]
pub(crate) struct Files {
    /// `$DAEMON_HOME`.
    pub(crate) home: PathBuf,
}

impl Files {
    pub(crate) fn upgrade_info(&self) -> PathBuf {
        self.home.join("data/upgrade-info.json")
    }

    pub(crate) fn batch(&self) -> PathBuf {
        self.home.join("data/upgrade-info.json.batch")
    }

    /// Serialises the read-modify-writes of the batch file between `add-batch-upgrade`, `plan
    /// cancel` and a switch's bookkeeping, so none loses another's change. Never waits forever.
    pub(crate) fn lock_batch(&self) -> Result<visor_core::lock::HomeLock, String> {
        let state = visor_core::Home::new(self.home.join("cosmovisor")).state_dir();
        visor_core::ensure_private_dir(&state).map_err(|e| format!("cannot create {}: {e}", state.display()))?;
        let path = state.join("batch.lock");
        visor_core::lock::HomeLock::acquire_within(&path, std::time::Duration::from_secs(10)).map_err(|e| match e {
            visor_core::lock::LockError::Held { .. } => format!(
                "{} stayed locked for 10 s by another cosmovisor command; try again once it is done",
                path.display()
            ),
            other => other.to_string(),
        })
    }

    /// What `add-upgrade --upgrade-height` last wrote into `upgrade-info.json`: a plan found
    /// there byte for byte is ours (due at its height), any other the node's (due now).
    pub(crate) fn written_by_us(&self) -> PathBuf {
        self.home.join("cosmovisor").join(visor_core::release::STATE_DIR).join("manual-upgrade-info.json")
    }
}

/// The plan the current release came from (`cosmovisor/current/upgrade-info.json`), if any.
pub(crate) fn current_plan(root: &Path, recase: bool) -> Option<Plan> {
    let bytes = read_small(&root.join("current").join("upgrade-info.json")).ok().flatten()?;
    Plan::parse(&bytes, recase).ok()
}

/// Whether `plan` is done already, given the plan of the current release: it is the current
/// upgrade (by name, as Cosmovisor compares them), or its height is not above it. A restart
/// never re-applies such a plan nor fires it early.
pub(crate) fn applied(plan: &Plan, current: Option<&Plan>) -> bool {
    current.is_some_and(|done| done.name.eq_ignore_ascii_case(&plan.name) || plan.height <= done.height)
}

/// Reads a file of at most 1 MiB; `None` if it is not there.
pub(crate) fn read_small(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match visor_core::read_bounded(path, 1 << 20) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spec S12, and the variants seen in the wild.
    #[test]
    fn the_parse_table() {
        let ok = |text: &str, recase: bool| Plan::parse(text.as_bytes(), recase);
        assert_eq!(
            ok(r#"{"name":"upgrade1","info":"some info","height":123}"#, true),
            Ok(Plan { name: "upgrade1".into(), height: 123, info: "some info".into() })
        );
        assert_eq!(ok(r#"{"name":"Upgrade2","height":125}"#, true).unwrap().name, "upgrade2");
        assert_eq!(ok(r#"{"name":"Upgrade2","height":125}"#, false).unwrap().name, "Upgrade2");
        assert_eq!(ok(r#"{"name":"v2","height":"77","time":"0001-01-01T00:00:00Z"}"#, true).unwrap().height, 77);
        assert_eq!(ok("{\n  \"name\": \"v2\",\n  \"height\": 5\n}\n", true).unwrap().height, 5);
        for bad in [
            r#"{"name":"upgrade2","info":123,"height":125}"#,
            r#"{"name":"upgrade2","heigh":"123"}"#,
            "",
            "  \n",
            "{}",
            r#"{"name":"upgrade2"}"#,
            r#"{"height":12}"#,
            r#"{"name":"x","height":0}"#,
            r#"{"name":"x","height":-3}"#,
            r#"{"name":"x","height":"ten"}"#,
            r#"{"name":"x","height":12"#,
            r#"["x"]"#,
        ] {
            assert!(ok(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_become_folders_as_cosmovisor_escapes_them() {
        assert_eq!(folder_name("some spaces").unwrap(), "some%20spaces");
        assert_eq!(folder_name("v2.0-rc1").unwrap(), "v2.0-rc1");
        assert_eq!(folder_name("a/b").unwrap(), "a%2Fb");
        assert!(folder_name("..").is_err());
        assert!(folder_name(".hidden").is_err());
        assert_eq!(release_of("v2").unwrap().to_string(), "upgrades/v2");
    }

    #[test]
    fn only_this_hosts_binary_or_any_is_read() {
        let hex = "a".repeat(64);
        let info = format!(
            r#"{{"binaries":{{"linux/amd64":"https://x/appd.zip?checksum=sha256:{hex}","darwin/arm64":"not even a url"}}}}"#
        );
        match artifact(&info, "linux/amd64").unwrap() {
            Artifact::Url { url, checksum } => {
                assert_eq!(url.as_str(), "https://x/appd.zip");
                assert_eq!(checksum.unwrap().to_string(), format!("sha256:{hex}"));
            }
            other => panic!("{other:?}"),
        }
        let any = r#"{"binaries":{"any":"https://x/appd"}}"#;
        assert!(matches!(artifact(any, "linux/arm64").unwrap(), Artifact::Url { checksum: None, .. }));
        let err = artifact(r#"{"binaries":{"darwin/arm64":"https://x"}}"#, "linux/amd64").unwrap_err();
        assert!(err.contains("neither linux/amd64 nor any"), "{err}");
        assert!(matches!(
            artifact("https://x/ref.json?checksum=sha256:00", "linux/amd64").unwrap(),
            Artifact::Document(_)
        ));
        for weak in ["md5:d41d8cd98f00b204e9800998ecf8427e", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"] {
            let info = format!(r#"{{"binaries":{{"any":"https://x/a?checksum={weak}"}}}}"#);
            assert!(artifact(&info, "linux/amd64").unwrap_err().contains("broken"));
        }
        assert!(artifact("", "linux/amd64").is_err());
        for local in ["file:///etc/shadow?checksum=sha256:00", "s3://bucket/appd"] {
            let info = format!(r#"{{"binaries":{{"any":"{local}"}}}}"#);
            assert!(artifact(&info, "linux/amd64").is_err(), "{local}");
            assert!(artifact(local, "linux/amd64").is_err(), "{local}");
        }
        assert!(artifact("some words", "linux/amd64").is_err());
    }

    #[test]
    fn batches_keep_their_order_and_refuse_bad_entries() {
        let b = parse_batch(br#"[{"name":"A","height":10},{"name":"b","height":"20","info":""}]"#, true).unwrap();
        assert_eq!(b.iter().map(|p| (p.name.as_str(), p.height)).collect::<Vec<_>>(), [("a", 10), ("b", 20)]);
        assert!(parse_batch(br#"[{"name":"a"}]"#, true).unwrap_err().contains("entry 1"));
        assert_eq!(parse_batch(b"", true), Ok(Vec::new()));
    }
}
