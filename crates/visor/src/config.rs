//! `config.toml`: the visor's own configuration, with Vega Visor's keys and our additions.
//!
//! Every key has a documented default: a key left out is never a silent zero (Vega Visor turns
//! a missing `maxNumberOfFirstConnectionRetries` into "exit on the first failed poll").

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;
use serde::Deserialize;
use url::Url;
use visor_core::stage::{
    ArtifactSource, FetchPolicy, GithubRepo, StagingSettings, UnpackLimits, Unverified, check_url,
};
use visor_core::supervise::{RestartPolicy, StopPolicy};
use visor_core::{AdminSettings, ConnectionBudget, ReleaseName, Settings};

use facekit::suggest::UnknownKey;
use facekit::toml_file::{self, FileError, count};

/// Defaults, as `visor init` writes them and as a missing key means.
pub(crate) mod defaults {
    pub(crate) const FIRST_CONNECTION_RETRIES: u64 = 175_000;
    pub(crate) const RESTART_CONNECTION_RETRIES: u64 = 10;
    pub(crate) const MAX_RESTARTS: u64 = 3;
    pub(crate) const RESTARTS_DELAY_SECONDS: u64 = 5;
    pub(crate) const RESTARTS_WINDOW_SECONDS: u64 = 3600;
    pub(crate) const STOP_DELAY_SECONDS: u64 = 0;
    pub(crate) const STOP_SIGNAL_TIMEOUT_SECONDS: u64 = 15;
    pub(crate) const POLL_INTERVAL_MILLISECONDS: u64 = 500;
    /// While an upgrade is announced: the core halts at its height, and the time until it is
    /// seen ready is the chain's downtime (ours).
    pub(crate) const ANNOUNCED_POLL_INTERVAL_MILLISECONDS: u64 = 20;
    pub(crate) const REPOSITORY_OWNER: &str = "vegaprotocol";
    pub(crate) const REPOSITORY: &str = "vega";
    pub(crate) const API_BASE_URL: &str = "https://api.github.com";
    pub(crate) const ASSET_NAME: &str = "vega-{os}-{arch}.zip";
    pub(crate) const TIMEOUT_SECONDS: u64 = 30;
    /// Failed polls are retried at Vega Visor's fixed cadence, so the connection budgets keep
    /// meaning the same wall-clock time (175000 × 2 s ≈ 4 days).
    pub(crate) const RETRY_INTERVAL_MILLISECONDS: u64 = 2000;
    pub(crate) const REQUEST_TIMEOUT_MILLISECONDS: u64 = 5000;
}

const MIN_POLL_INTERVAL_MILLISECONDS: u64 = 10;

/// Where an operator finds every key.
pub(crate) const INIT_HINT: &str = "`visor init` shows every key";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default, with = "count")]
    max_number_of_first_connection_retries: Option<u64>,
    #[serde(default, with = "count")]
    max_number_of_restart_connection_retries: Option<u64>,
    #[serde(default, with = "count")]
    max_number_of_restarts: Option<u64>,
    #[serde(default, with = "count")]
    restarts_delay_seconds: Option<u64>,
    #[serde(default, with = "count")]
    restarts_window_seconds: Option<u64>,
    #[serde(default, with = "count")]
    stop_delay_seconds: Option<u64>,
    #[serde(default, with = "count")]
    stop_signal_timeout_seconds: Option<u64>,
    #[serde(default, with = "count")]
    poll_interval_milliseconds: Option<u64>,
    #[serde(default, with = "count")]
    announced_poll_interval_milliseconds: Option<u64>,
    #[serde(default)]
    upgrade_folders: BTreeMap<String, String>,
    #[serde(default)]
    auto_install: Option<RawAutoInstall>,
    #[serde(default)]
    backup: Option<crate::backup_config::RawBackup>,
    #[serde(default)]
    rollback: Option<crate::backup_config::RawRollback>,
    #[serde(default)]
    metrics: Option<RawMetrics>,
}

#[derive(Debug, Default, Deserialize)]
struct RawMetrics {
    /// Serve Prometheus metrics here (unset: off).
    #[serde(default)]
    listen: Option<String>,
}

/// `[metrics] listen`, read on its own: the run's reporting is set up once, before the engine
/// reads the rest (a file that cannot be read says so then).
pub(crate) fn metrics_listen(path: &Path) -> Option<String> {
    let text = visor_core::read_text_bounded(path).ok()?;
    let raw: Raw = toml::from_str(&text).ok()?;
    raw.metrics?.listen.filter(|l| !l.trim().is_empty())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAutoInstall {
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    api_base_url: Option<String>,
    #[serde(default, with = "count")]
    timeout_seconds: Option<u64>,
    #[serde(default)]
    allow_plain_http: Option<bool>,
    #[serde(default)]
    allow_unverified: Option<bool>,
    #[serde(default)]
    repository_owner: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    asset: Option<RawAsset>,
    /// The format before Vega v0.71; refused with the rewrite.
    #[serde(default)]
    assets: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAsset {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    binary_name: Option<String>,
}

fn legacy_assets_fix(assets: &toml::Value) -> String {
    let vega = assets.get("vega");
    let field = |k: &str| vega.and_then(|v| v.get(k)).and_then(|v| v.as_str()).map(str::to_owned);
    let name = field("asset_name").or_else(|| field("assset_name")).unwrap_or_else(crate::init::default_asset_name);
    let binary = field("binary_name").unwrap_or_else(|| "vega".to_owned());
    format!(
        "key `autoInstall.assets`: this table is the format of Vega Visor before v0.71 and is not read any more; \
         replace the whole [autoInstall.assets] table (and its sub-tables) with:\n\n[autoInstall.asset]\n  name = {name:?}\n  binaryName = {binary:?}\n"
    )
}

/// Reads `path`. Unknown keys are logged as warnings. The GitHub token comes from
/// `GITHUB_TOKEN`.
pub(crate) fn load(path: &Path) -> Result<Settings, FileError> {
    let (settings, unknown) = load_reporting(path)?;
    for key in unknown {
        tracing::warn!("{}", key.message());
    }
    Ok(settings)
}

/// Reads `path` as [`load`] does, and returns its unknown keys (each with the key likely meant)
/// instead of logging them: `check` shows each as a line of its own.
pub(crate) fn load_reporting(path: &Path) -> Result<(Settings, Vec<UnknownKey>), FileError> {
    let parsed = toml_file::load::<Raw>(path, INIT_HINT)?;
    let token = std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.trim().is_empty());
    from_raw(path, parsed, token)
}

/// Parses the configuration `text` (as if read from `path`), without a token.
pub(crate) fn parse_text(path: &Path, text: &str) -> Result<Settings, FileError> {
    from_raw(path, toml_file::parse::<Raw>(path, text, INIT_HINT)?, None).map(|(settings, _)| settings)
}

/// `{os}` and `{arch}` in an asset name, as Vega's release assets spell them.
pub(crate) fn expand_asset_name(template: &str) -> String {
    let (os, arch) = crate::init::host_os_arch();
    template.replace("{os}", os).replace("{arch}", arch)
}

fn staging(path: &Path, auto: RawAutoInstall, token: Option<String>) -> Result<Option<StagingSettings>, FileError> {
    if !auto.enabled.unwrap_or(false) {
        return Ok(None);
    }
    let asset = auto.asset.unwrap_or_default();
    let Some(template) = asset.name.filter(|n| !n.trim().is_empty()) else {
        return Err(FileError::new(
            path,
            "key `autoInstall.asset.name` is missing: auto-install needs the release asset to fetch, \
             e.g. name = \"vega-{os}-{arch}.zip\" (or set autoInstall.enabled = false)",
        ));
    };
    let asset_name = expand_asset_name(&template);
    let allow_plain_http = auto.allow_plain_http.unwrap_or(false);
    let api_text = auto.api_base_url.unwrap_or_else(|| defaults::API_BASE_URL.to_owned());
    let api = Url::parse(&api_text).map_err(|e| {
        FileError::new(
            path,
            format!("key `autoInstall.apiBaseUrl`: {api_text:?} is not a URL ({e}); e.g. \"https://api.github.com\""),
        )
    })?;
    if api.scheme() == "file" {
        return Err(FileError::new(path, "key `autoInstall.apiBaseUrl`: must be an https address"));
    }
    check_url(&api, allow_plain_http).map_err(|e| {
        FileError::new(path, format!("key `autoInstall.apiBaseUrl`: {e} (autoInstall.allowPlainHttp = true)"))
    })?;
    let owner = auto.repository_owner.unwrap_or_else(|| defaults::REPOSITORY_OWNER.to_owned());
    let repo = auto.repository.unwrap_or_else(|| defaults::REPOSITORY.to_owned());
    for (key, value) in [("autoInstall.repositoryOwner", &owner), ("autoInstall.repository", &repo)] {
        if value.is_empty() || value.contains('/') || value.contains("..") {
            return Err(FileError::new(path, format!("key `{key}`: {value:?} is not a GitHub name")));
        }
    }
    let timeout = Duration::from_secs(auto.timeout_seconds.unwrap_or(defaults::TIMEOUT_SECONDS).max(1));
    let binary_name = asset.binary_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| asset_name.clone());
    visor_core::check_file_name(&binary_name).map_err(|e| {
        FileError::new(
            path,
            format!("key `autoInstall.asset.binaryName`: {e}; give the plain file name of the binary, e.g. \"vega\""),
        )
    })?;
    Ok(Some(StagingSettings {
        source: Some(ArtifactSource::Github { repo: GithubRepo { api, owner, repo, token }, asset: asset_name }),
        binary_name,
        fetch: FetchPolicy {
            connect_timeout: timeout.min(Duration::from_secs(10)),
            read_timeout: timeout,
            allow_plain_http,
            ..FetchPolicy::default()
        },
        limits: UnpackLimits::default(),
        unverified: if auto.allow_unverified.unwrap_or(false) {
            Unverified::Allow
        } else {
            Unverified::Refuse {
                hint: "publish the release with GitHub's asset digests or a SHA256SUMS file, or set \
                       autoInstall.allowUnverified = true in config.toml to run it unverified"
                    .to_owned(),
            }
        },
    }))
}

fn from_raw(
    path: &Path,
    parsed: toml_file::Parsed<Raw>,
    token: Option<String>,
) -> Result<(Settings, Vec<UnknownKey>), FileError> {
    let raw = parsed.value;
    let auto = raw.auto_install.unwrap_or_default();
    if let Some(assets) = &auto.assets {
        return Err(FileError::new(path, legacy_assets_fix(assets)));
    }
    let unknown: Vec<String> = parsed.unknown.into_iter().filter(|k| !k.starts_with("autoInstall.assets")).collect();
    let unknown = facekit::suggest::describe_unknown_keys::<Raw>(path, &unknown);
    let poll = raw.poll_interval_milliseconds.unwrap_or(defaults::POLL_INTERVAL_MILLISECONDS);
    if poll < MIN_POLL_INTERVAL_MILLISECONDS {
        return Err(FileError::new(
            path,
            format!(
                "key `pollIntervalMilliseconds`: {poll} is too small; use at least {MIN_POLL_INTERVAL_MILLISECONDS} (default {})",
                defaults::POLL_INTERVAL_MILLISECONDS
            ),
        ));
    }
    let announced = raw.announced_poll_interval_milliseconds.unwrap_or(defaults::ANNOUNCED_POLL_INTERVAL_MILLISECONDS);
    if announced < MIN_POLL_INTERVAL_MILLISECONDS {
        return Err(FileError::new(
            path,
            format!(
                "key `announcedPollIntervalMilliseconds`: {announced} is too small; use at least {MIN_POLL_INTERVAL_MILLISECONDS} (default {})",
                defaults::ANNOUNCED_POLL_INTERVAL_MILLISECONDS
            ),
        ));
    }
    let mut release_folders = BTreeMap::new();
    for (tag, folder) in raw.upgrade_folders {
        let name = ReleaseName::new(&folder).map_err(|e| {
            FileError::new(path, format!("key `upgradeFolders.{tag}`: {e}; give a folder name inside the home folder"))
        })?;
        release_folders.insert(tag, name);
    }
    let window = raw.restarts_window_seconds.unwrap_or(defaults::RESTARTS_WINDOW_SECONDS);
    let settings = Settings {
        restart: RestartPolicy {
            max_delay: None,
            max_restarts: raw.max_number_of_restarts.unwrap_or(defaults::MAX_RESTARTS),
            delay: Duration::from_secs(raw.restarts_delay_seconds.unwrap_or(defaults::RESTARTS_DELAY_SECONDS)),
            window: (window > 0).then(|| Duration::from_secs(window)),
            reset_after: None,
        },
        stop: StopPolicy {
            delay: Duration::from_secs(raw.stop_delay_seconds.unwrap_or(defaults::STOP_DELAY_SECONDS)),
            signal: Signal::SIGTERM,
            grace: Duration::from_secs(
                raw.stop_signal_timeout_seconds.unwrap_or(defaults::STOP_SIGNAL_TIMEOUT_SECONDS),
            ),
        },
        admin: Some(AdminSettings {
            connection: ConnectionBudget {
                first: raw.max_number_of_first_connection_retries.unwrap_or(defaults::FIRST_CONNECTION_RETRIES),
                after_restart: raw
                    .max_number_of_restart_connection_retries
                    .unwrap_or(defaults::RESTART_CONNECTION_RETRIES),
            },
            poll_interval: Duration::from_millis(poll),
            announced_interval: Duration::from_millis(announced),
            retry_interval: Duration::from_millis(defaults::RETRY_INTERVAL_MILLISECONDS),
            request_timeout: Duration::from_millis(defaults::REQUEST_TIMEOUT_MILLISECONDS),
        }),
        release_folders,
        staging: staging(path, auto, token)?,
        upstream: None,
        backup: crate::backup_config::backup(path, raw.backup)?,
        upgrade_lock: None,
        probation: crate::backup_config::probation(raw.rollback),
        restart_after_upgrade: true,
        chain_height: None,
        ends_with_node: false,
        announcements: None,
    };
    Ok((settings, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<VisorConfig, String> {
        let path = Path::new("/home/v/config.toml");
        toml_file::parse::<Raw>(path, text, INIT_HINT)
            .and_then(|p| from_raw(path, p, None))
            .map(|(settings, _)| VisorConfig { settings })
            .map_err(|e| e.to_string())
    }

    #[derive(Debug)]
    struct VisorConfig {
        settings: Settings,
    }

    fn github(c: &VisorConfig) -> (&GithubRepo, &str) {
        match &c.settings.staging.as_ref().expect("auto-install enabled").source {
            Some(ArtifactSource::Github { repo, asset }) => (repo, asset.as_str()),
            _ => panic!("not github"),
        }
    }

    #[test]
    fn auto_install_maps_to_github_staging() {
        let c = parse("[autoInstall]\nenabled = true\n[autoInstall.asset]\nname = \"vega-{os}-{arch}.zip\"\nbinaryName = \"vega\"\n").unwrap();
        let (repo, asset) = github(&c);
        assert_eq!(repo.api.as_str(), "https://api.github.com/");
        assert_eq!((repo.owner.as_str(), repo.repo.as_str()), ("vegaprotocol", "vega"));
        assert_eq!(asset, crate::init::default_asset_name());
        assert_eq!(c.settings.staging.as_ref().unwrap().binary_name, "vega");
        let c = parse("[autoInstall]\nenabled = true\napiBaseUrl = \"http://127.0.0.1:9000\"\ntimeoutSeconds = 2\n[autoInstall.asset]\nname = \"vega\"\n").unwrap();
        let staging = c.settings.staging.as_ref().unwrap();
        assert_eq!(staging.fetch.read_timeout, Duration::from_secs(2));
        assert_eq!(staging.binary_name, "vega", "without binaryName the asset itself is the binary");
    }

    #[test]
    fn auto_install_errors_name_the_key() {
        let e = parse("[autoInstall]\nenabled = true\n").unwrap_err();
        assert!(e.contains("autoInstall.asset.name"), "{e}");
        let e = parse("[autoInstall]\nenabled = true\napiBaseUrl = \"http://mirror.example.com\"\n[autoInstall.asset]\nname = \"x\"\n").unwrap_err();
        assert!(e.contains("autoInstall.apiBaseUrl") && e.contains("plain http"), "{e}");
        let e = parse("[autoInstall]\nenabled = true\napiBaseUrl = \"not a url\"\n[autoInstall.asset]\nname = \"x\"\n")
            .unwrap_err();
        assert!(e.contains("autoInstall.apiBaseUrl"), "{e}");
        assert!(parse("[autoInstall]\nenabled = false\n").unwrap().settings.staging.is_none());
    }

    #[test]
    fn missing_keys_take_documented_defaults() {
        let c = parse("maxNumberOfRestarts = 3\n").unwrap();
        assert_eq!(c.settings.admin.unwrap().connection.first, 175_000);
        assert_eq!(c.settings.admin.unwrap().connection.after_restart, 10);
        assert_eq!(c.settings.stop.grace, Duration::from_secs(15));
        assert_eq!(c.settings.restart.delay, Duration::from_secs(5));
        assert_eq!(c.settings.admin.unwrap().poll_interval, Duration::from_millis(500));
        assert!(c.settings.staging.is_none(), "no [autoInstall] means manual mode");
    }

    #[test]
    fn init_defaults_round_trip() {
        let text = crate::init::config_toml();
        let c = parse(&text).unwrap();
        assert_eq!(c.settings.admin.unwrap().connection.first, defaults::FIRST_CONNECTION_RETRIES);
        assert_eq!(c.settings.restart.max_restarts, defaults::MAX_RESTARTS);
        assert!(c.settings.release_folders.is_empty(), "no placeholder mapping");
        assert_eq!(github(&c).1, crate::init::default_asset_name());
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = parse("stopSignalTimeoutSeconds = -5\n").unwrap_err();
        assert!(e.contains("/home/v/config.toml") && e.contains("stopSignalTimeoutSeconds") && e.contains("-5"), "{e}");
        let e = parse("maxNumberOfRestarts = \"3\"\n").unwrap_err();
        assert!(e.contains("maxNumberOfRestarts"), "{e}");
        let e = parse("pollIntervalMilliseconds = 1\n").unwrap_err();
        assert!(e.contains("pollIntervalMilliseconds") && e.contains("at least"), "{e}");
        let e = parse("[autoInstall]\nenabled = \"yes\"\n").unwrap_err();
        assert!(e.contains("autoInstall.enabled"), "{e}");
    }

    #[test]
    fn escaping_folders_are_refused() {
        let e = parse("[upgradeFolders]\n\"v1\" = \"../elsewhere\"\n").unwrap_err();
        assert!(e.contains("upgradeFolders.v1") && e.contains(".."), "{e}");
        let e = parse("[upgradeFolders]\n\"v1\" = \"/abs\"\n").unwrap_err();
        assert!(e.contains("absolute"), "{e}");
    }

    #[test]
    fn legacy_assets_table_says_how_to_rewrite() {
        let e = parse("[autoInstall]\nenabled = true\n[autoInstall.assets.vega]\nasset_name = \"vega-linux-amd64.zip\"\nbinary_name = \"vega\"\n")
            .unwrap_err();
        assert!(e.contains("[autoInstall.asset]") && e.contains("name = \"vega-linux-amd64.zip\""), "{e}");
        assert!(e.contains("binaryName = \"vega\""), "{e}");
    }

    #[test]
    fn every_key_is_known_to_the_suggestions() {
        let keys = facekit::suggest::keys_of::<Raw>();
        for key in [
            "maxNumberOfRestarts",
            "announcedPollIntervalMilliseconds",
            "upgradeFolders",
            "autoInstall.asset.binaryName",
            "autoInstall.allowUnverified",
            "backup.restoreOnRollback",
            "rollback.probationSeconds",
            "metrics.listen",
        ] {
            assert!(keys.contains(&key.to_owned()), "{key} missing from {keys:?}");
        }
        let known = || keys.iter().map(String::as_str);
        assert_eq!(facekit::suggest::closest("maxNumberOfRestart", known()), Some("maxNumberOfRestarts"));
        assert_eq!(facekit::suggest::closest("backup.folder", known()), Some("backup.folders"));
    }

    #[test]
    fn a_key_appended_below_the_last_table_is_told_where_it_goes() {
        let path = Path::new("/home/v/config.toml");
        let text = format!("{}maxNumberOfRestart = 5\n", crate::init::config_toml());
        let (_, unknown) = from_raw(path, toml_file::parse::<Raw>(path, &text, INIT_HINT).unwrap(), None).unwrap();
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert_eq!(
            unknown[0].detail,
            "unknown key `autoInstall.asset.maxNumberOfRestart` in /home/v/config.toml, ignored"
        );
        assert_eq!(
            unknown[0].fix,
            "did you mean `maxNumberOfRestarts` (a top-level key: it must go above the first `[table]` line)?"
        );
    }

    #[test]
    fn zero_window_means_forever() {
        let c = parse("restartsWindowSeconds = 0\n").unwrap();
        assert_eq!(c.settings.restart.window, None);
    }
}
