//! The GitHub releases API: every page, missing names, digests, the token.

use testnode::release_server::{Asset, Release, Server};
use url::Url;
use visor_core::stage::client;
use visor_core::stage::{GithubError, GithubRepo};

use crate::policy;

fn repo(server: &Server, token: Option<&str>) -> GithubRepo {
    GithubRepo {
        api: Url::parse(&server.base()).unwrap(),
        owner: "vegaprotocol".into(),
        repo: "vega".into(),
        token: token.map(str::to_owned),
    }
}

fn releases() -> Vec<Release> {
    (0..5)
        .map(|r| Release {
            tag: format!("v0.7{r}.0"),
            assets: (0..5).map(|a| Asset::new(&format!("asset-{a}.zip"), vec![r as u8, a as u8])).collect(),
        })
        .collect()
}

#[tokio::test]
async fn finds_a_release_and_an_asset_on_later_pages() {
    let server = Server::start(releases());
    server.state.lock().unwrap().page_size = 2;
    let found = repo(&server, Some("s3cret"))
        .find_asset(&client(&policy()), "v0.74.0", "asset-4.zip", &policy())
        .await
        .unwrap();
    assert_eq!(found.name, "asset-4.zip");
    assert!(found.digest.is_some(), "the digest GitHub reports is kept");
    let seen = server.seen();
    assert!(seen.iter().any(|s| s.path.contains("/releases?") && s.path.contains("page=3")), "{seen:?}");
    assert!(seen.iter().any(|s| s.path.contains("/assets?") && s.path.contains("page=3")), "{seen:?}");
    assert!(seen.iter().all(|s| s.authorization.as_deref() == Some("Bearer s3cret")));
}

#[tokio::test]
async fn a_missing_release_names_the_tag_and_the_repository() {
    let server = Server::start(releases());
    let e = repo(&server, None).find_asset(&client(&policy()), "v9.9.9", "asset-1.zip", &policy()).await.unwrap_err();
    assert!(matches!(e, GithubError::ReleaseNotFound { count: 5, .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("v9.9.9") && text.contains("vegaprotocol/vega"), "{text}");
}

#[tokio::test]
async fn a_missing_asset_names_what_was_looked_for_and_what_exists() {
    let server = Server::start(releases());
    server.state.lock().unwrap().page_size = 2;
    let e = repo(&server, None)
        .find_asset(&client(&policy()), "v0.71.0", "vega-linux-arm64.zip", &policy())
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("\"vega-linux-arm64.zip\"") && text.contains("asset-0.zip") && text.contains("asset-4.zip"),
        "{text}"
    );
}
