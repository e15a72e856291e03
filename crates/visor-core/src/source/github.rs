//! GitHub releases: finds a release by tag and one of its assets by name, through every page
//! of the REST API (`/repos/{owner}/{repo}/releases`, then `/releases/{id}/assets`), with the
//! asset's digest when GitHub reports one. Works with GitHub Enterprise and mirrors through
//! the API base URL.

use serde::Deserialize;
use url::Url;

use crate::stage::{Checksum, FetchError, FetchPolicy, get_bytes};

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
    /// Its digest, when GitHub reports one.
    pub digest: Option<Checksum>,
}

/// Why the release or the asset could not be found.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    /// No release has the tag.
    #[error(
        "release {tag} not found in {owner}/{repo} (looked through {count} releases at {api}); check the tag, \
         autoInstall.repositoryOwner and autoInstall.repository"
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
        "release {tag} of {owner}/{repo} has no asset named {asset:?} (it has: {available}); fix autoInstall.asset.name"
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

impl GithubRepo {
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
        let mut names = Vec::new();
        for page in 1..=MAX_PAGES {
            let assets: Vec<ApiAsset> =
                self.get_page(client, self.endpoint(&format!("releases/{id}/assets"), page)?, policy).await?;
            if assets.is_empty() {
                break;
            }
            if let Some(found) = assets.iter().find(|a| a.name == asset) {
                let url = Url::parse(&found.url)
                    .map_err(|e| GithubError::BadAnswer { url: found.url.clone(), message: e.to_string() })?;
                let digest = match found.digest.as_deref().filter(|d| !d.is_empty()) {
                    Some(d) => Some(Checksum::parse(d).map_err(|e| GithubError::BadAnswer {
                        url: url.to_string(),
                        message: format!("asset {asset}: {e}"),
                    })?),
                    None => None,
                };
                return Ok(GithubAsset { name: found.name.clone(), url, size: found.size, digest });
            }
            names.extend(assets.into_iter().map(|a| a.name));
        }
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
