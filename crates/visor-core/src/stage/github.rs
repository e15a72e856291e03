//! GitHub releases: finds a release by tag and one of its assets by name, through every page
//! of the REST API (`/repos/{owner}/{repo}/releases`, then `/releases/{id}/assets`), with the
//! asset's digest when GitHub reports one. Works with GitHub Enterprise and mirrors through
//! the API base URL.

use serde::Deserialize;
use url::Url;

use super::{Checksum, FetchError, FetchPolicy, check_announced, get_bytes};

/// A repository's releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRepo {
    /// The API base, e.g. `https://api.github.com`.
    pub api: Url,
    /// The owner.
    pub owner: String,
    /// The repository.
    pub repo: String,
    /// A token for the rate limit (from `GITHUB_TOKEN`).
    pub token: Option<String>,
}

/// A release asset to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubAsset {
    /// Its name.
    pub name: String,
    /// The API address that serves its bytes with `Accept: application/octet-stream`.
    pub url: Url,
    /// Its size as GitHub reports it.
    pub size: u64,
    /// Its digest, when GitHub reports one or the release publishes a checksums file.
    pub digest: Option<Checksum>,
    /// Where the digest came from (the API, or the checksums file's name).
    pub digest_from: Option<String>,
}

/// Why the release or the asset could not be found.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// No release has the tag.
    #[error(
        "release {tag} not found in {owner}/{repo} (looked through {count} releases at {api}); check the tag, \
         the repository's owner and name in the configuration"
    )]
    ReleaseNotFound {
        /// The tag looked for.
        tag: String,
        /// The owner.
        owner: String,
        /// The repository.
        repo: String,
        /// Releases seen.
        count: usize,
        /// The API base.
        api: String,
    },
    /// The release has no asset with the name.
    #[error(
        "release {tag} of {owner}/{repo} has no asset named {asset:?} (it has: {available}); fix the asset's name in the configuration"
    )]
    AssetNotFound {
        /// The tag.
        tag: String,
        /// The owner.
        owner: String,
        /// The repository.
        repo: String,
        /// The asset looked for.
        asset: String,
        /// The assets it has.
        available: String,
    },
    /// The API could not be reached or refused.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The API answered something unexpected.
    #[error("{url} answered something that is not the GitHub releases API: {message}")]
    BadAnswer {
        /// The address.
        url: String,
        /// What was wrong.
        message: String,
    },
}

#[derive(Deserialize)]
struct ApiRelease {
    id: u64,
    tag_name: String,
}

#[derive(Deserialize)]
struct ApiAsset {
    name: String,
    url: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    digest: Option<String>,
}

const PER_PAGE: usize = 100;
/// Pages looked through at most (10,000 releases or assets).
const MAX_PAGES: usize = 100;
/// Largest API answer accepted.
const MAX_ANSWER: usize = 16 << 20;
/// Largest checksums file read.
const MAX_SUMS: usize = 1 << 20;

/// Feeds a fuzzer's bytes to every parser of GitHub answers.
pub(crate) fn fuzz_github(body: &[u8]) {
    let _ = serde_json::from_slice::<Vec<ApiRelease>>(body);
    let _ = serde_json::from_slice::<Vec<ApiAsset>>(body);
    let _ = checksum_in(body, "vega-linux-amd64.zip");
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = is_checksums_file(text, "vega-linux-amd64.zip");
    }
}

/// Whether an asset named `name` is a checksums file that may list `asset`.
fn is_checksums_file(name: &str, asset: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let generic = ["sha256sums", "sha256sums.txt", "checksums.txt", "checksums.sha256", "sha256sum.txt"];
    generic.contains(&lower.as_str())
        || [".sha256", ".sha256sum", ".sha256.txt"]
            .iter()
            .any(|ext| lower == format!("{}{ext}", asset.to_ascii_lowercase()))
}

/// The SHA-256 of `asset` in a checksums file: `<hex>  <name>` (or `<hex> *<name>`) lines, or a
/// file holding only the digest (`<asset>.sha256`).
fn checksum_in(body: &[u8], asset: &str) -> Option<Checksum> {
    let text = std::str::from_utf8(body).ok()?;
    let parse = |hex: &str| Checksum::parse(&format!("sha256:{hex}")).ok();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let all: Vec<&str> = lines.by_ref().take(100_000).collect();
    if let [only] = all.as_slice()
        && !only.contains(char::is_whitespace)
    {
        return parse(only);
    }
    all.iter().find_map(|line| {
        let (hex, name) = line.split_once(char::is_whitespace)?;
        let name = name.trim_start().trim_start_matches('*');
        let name = name.rsplit('/').next().unwrap_or(name);
        (name == asset).then(|| parse(hex)).flatten()
    })
}

impl GithubRepo {
    /// An address the API answered with: parsed, and never a local file.
    fn asset_url(&self, text: &str) -> Result<Url, GithubError> {
        let url =
            Url::parse(text).map_err(|e| GithubError::BadAnswer { url: text.to_owned(), message: e.to_string() })?;
        check_announced(&url, &self.api)?;
        Ok(url)
    }

    fn endpoint(&self, path: &str, page: usize) -> Result<Url, GithubError> {
        let base = self.api.as_str().trim_end_matches('/');
        let text = format!("{base}/repos/{}/{}/{path}?per_page={PER_PAGE}&page={page}", self.owner, self.repo);
        Url::parse(&text).map_err(|e| GithubError::BadAnswer { url: text, message: e.to_string() })
    }

    /// Headers for API requests: the JSON media type, the API version, the token.
    pub fn headers(&self, accept: &str) -> Vec<(String, String)> {
        let mut headers = vec![("accept".to_owned(), accept.to_owned())];
        headers.push(("x-github-api-version".to_owned(), "2022-11-28".to_owned()));
        if let Some(token) = &self.token {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        headers
    }

    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        url: Url,
        policy: &FetchPolicy,
    ) -> Result<Vec<T>, GithubError> {
        let body = get_bytes(client, &url, &self.headers("application/vnd.github+json"), policy, MAX_ANSWER).await?;
        serde_json::from_slice(&body)
            .map_err(|e| GithubError::BadAnswer { url: url.to_string(), message: e.to_string() })
    }

    /// Finds the asset `asset` of the release tagged `tag`.
    pub async fn find_asset(
        &self,
        client: &reqwest::Client,
        tag: &str,
        asset: &str,
        policy: &FetchPolicy,
    ) -> Result<GithubAsset, GithubError> {
        let mut release_id = None;
        let mut count = 0;
        for page in 1..=MAX_PAGES {
            let releases: Vec<ApiRelease> = self.get_page(client, self.endpoint("releases", page)?, policy).await?;
            count += releases.len();
            if let Some(found) = releases.iter().find(|r| r.tag_name == tag) {
                release_id = Some(found.id);
                break;
            }
            if releases.is_empty() {
                break;
            }
        }
        let Some(id) = release_id else {
            return Err(GithubError::ReleaseNotFound {
                tag: tag.to_owned(),
                owner: self.owner.clone(),
                repo: self.repo.clone(),
                count,
                api: self.api.to_string(),
            });
        };
        let mut all: Vec<ApiAsset> = Vec::new();
        for page in 1..=MAX_PAGES {
            let assets: Vec<ApiAsset> =
                self.get_page(client, self.endpoint(&format!("releases/{id}/assets"), page)?, policy).await?;
            if assets.is_empty() {
                break;
            }
            all.extend(assets);
        }
        if let Some(found) = all.iter().find(|a| a.name == asset) {
            let url = self.asset_url(&found.url)?;
            let mut digest = match found.digest.as_deref().filter(|d| !d.is_empty()) {
                Some(d) => Some(Checksum::parse(d).map_err(|e| GithubError::BadAnswer {
                    url: url.to_string(),
                    message: format!("asset {asset}: {e}"),
                })?),
                None => None,
            };
            let mut digest_from = digest.as_ref().map(|_| "the release API".to_owned());
            if digest.is_none() {
                // Older releases have no digest in the API; many publish a checksums file.
                for sums in all.iter().filter(|a| is_checksums_file(&a.name, asset)) {
                    let sums_url = self.asset_url(&sums.url)?;
                    let body =
                        get_bytes(client, &sums_url, &self.headers("application/octet-stream"), policy, MAX_SUMS)
                            .await?;
                    match checksum_in(&body, asset) {
                        Some(found) => {
                            digest = Some(found);
                            digest_from = Some(sums.name.clone());
                            break;
                        }
                        None => tracing::debug!(file = sums.name, asset, "the checksums file does not name the asset"),
                    }
                }
            }
            return Ok(GithubAsset { name: found.name.clone(), url, size: found.size, digest, digest_from });
        }
        let names: Vec<String> = all.into_iter().map(|a| a.name).collect();
        let available = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
        Err(GithubError::AssetNotFound {
            tag: tag.to_owned(),
            owner: self.owner.clone(),
            repo: self.repo.clone(),
            asset: asset.to_owned(),
            available,
        })
    }
}
