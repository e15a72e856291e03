//! The staging transaction: a release folder appears complete and verified, or not at all.

use std::path::{Path, PathBuf};

use testnode::release_server::{Asset, Release, Server, zip};
use url::Url;
use visor_core::source::AdminEndpoint;
use visor_core::stage::GithubRepo;
use visor_core::stage::{
    ArtifactSource, StageError, StageJob, StagingSettings, UnpackLimits, remove_stale_staging, stage,
};
use visor_core::supervise::ProcessSpec;
use visor_core::{Face, FaceError, Home, NodeSpec, Protocol, ReleaseName, Settings};

use crate::policy;

/// A face whose release is "the binary named in `binary-path`".
struct TestFace;

impl Face for TestFace {
    fn load_settings(&self) -> Result<Settings, FaceError> {
        Err("not used".into())
    }

    fn read_release(&self, dir: &Path) -> Result<NodeSpec, FaceError> {
        let binary = std::fs::read_to_string(dir.join("binary-path"))?;
        Ok(NodeSpec {
            processes: vec![ProcessSpec { role: "core".into(), program: dir.join(binary.trim()), args: Vec::new() }],
            protocol: Protocol::Vega {
                admin: AdminEndpoint { socket: "/nonexistent".into(), http_path: "/rpc".into() },
            },
        })
    }

    fn watched_files(&self) -> Vec<PathBuf> {
        Vec::new()
    }

    fn write_release(&self, dir: &Path, _version: &str, binary: &Path) -> Result<(), FaceError> {
        Ok(std::fs::write(dir.join("binary-path"), binary.display().to_string())?)
    }
}

/// A binary that answers `version --output json` like a Vega binary of `version`.
fn fake_vega(version: &str) -> Vec<u8> {
    format!("#!/bin/sh\nif [ \"$1\" = version ]; then echo '{{\"version\":\"{version}\",\"hash\":\"x\"}}'; fi\n")
        .into_bytes()
}

struct World {
    _dir: tempfile::TempDir,
    home: Home,
    server: Server,
}

fn world(assets: Vec<Asset>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let home = Home::new(dir.path().join("home"));
    std::fs::create_dir_all(home.root()).unwrap();
    let server = Server::start(vec![Release { tag: "v1.0.0".into(), assets }]);
    World { _dir: dir, home, server }
}

async fn stage_asset(w: &World, asset: &str, binary: &str, limits: UnpackLimits) -> Result<(), StageError> {
    let repo =
        GithubRepo { api: Url::parse(&w.server.base()).unwrap(), owner: "o".into(), repo: "r".into(), token: None };
    let job = StageJob {
        home: w.home.clone(),
        release: ReleaseName::new("v1.0.0").unwrap(),
        version: "v1.0.0".into(),
        source: ArtifactSource::Github { repo, asset: asset.into() },
        identity: None,
        settings: StagingSettings {
            source: None,
            binary_name: binary.into(),
            fetch: policy(),
            limits,
            unverified: visor_core::stage::Unverified::Refuse { hint: "publish one".into() },
        },
    };
    stage(&job, &TestFace, &mut |_| {}).await.map(|_| ())
}

/// Everything in the home folder (and its parent), to show nothing stray was left.
fn entries(w: &World) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(w.home.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn stages_a_zip_with_the_binary_in_a_subfolder() {
    let archive = zip(&[
        ("vega-linux/", 0o755, b""),
        ("vega-linux/vega", 0o644, &fake_vega("v1.0.0")),
        ("LICENSE", 0o644, b"MIT"),
    ]);
    let w = world(vec![Asset::new("vega-linux-amd64.zip", archive)]);
    stage_asset(&w, "vega-linux-amd64.zip", "vega", UnpackLimits::default()).await.unwrap();
    assert_eq!(entries(&w), vec!["v1.0.0"], "only the final folder, no staging leftovers");
    let release = w.home.root().join("v1.0.0");
    assert_eq!(std::fs::read_to_string(release.join("binary-path")).unwrap(), "vega-linux/vega");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(release.join("vega-linux/vega")).unwrap().permissions(),
    );
    assert_eq!(mode & 0o111, 0o111, "the binary was made executable");
}

#[tokio::test]
async fn a_plain_binary_asset_is_the_binary() {
    let w = world(vec![Asset::new("vega-linux-amd64", fake_vega("v1.0.0"))]);
    stage_asset(&w, "vega-linux-amd64", "vega-linux-amd64", UnpackLimits::default()).await.unwrap();
    assert!(w.home.root().join("v1.0.0/vega-linux-amd64").is_file());
}

#[tokio::test]
async fn a_digest_mismatch_leaves_nothing() {
    let archive = zip(&[("vega", 0o755, &fake_vega("v1.0.0"))]);
    let asset = Asset { digest: Some(format!("sha256:{}", "0".repeat(64))), ..Asset::new("vega.zip", archive) };
    let w = world(vec![asset]);
    let e = stage_asset(&w, "vega.zip", "vega", UnpackLimits::default()).await.unwrap_err();
    assert!(e.to_string().contains("checksum mismatch") && e.to_string().contains(&"0".repeat(64)), "{e}");
    assert!(entries(&w).is_empty(), "{:?}", entries(&w));
}

#[tokio::test]
async fn zip_slip_and_escaping_links_are_refused() {
    for (name, mode, body) in
        [("../../evil", 0o644, &b"x"[..]), ("link", 0o120777, &b"/etc/passwd"[..]), ("d/up", 0o120777, &b"../../x"[..])]
    {
        let archive = zip(&[("vega", 0o755, &fake_vega("v1.0.0")), (name, mode, body)]);
        let w = world(vec![Asset::new("vega.zip", archive)]);
        let e = stage_asset(&w, "vega.zip", "vega", UnpackLimits::default()).await.unwrap_err();
        assert!(matches!(e, StageError::Unpack(_)), "{name}: {e}");
        assert!(entries(&w).is_empty(), "{name}: {:?}", entries(&w));
        assert!(!w.home.root().parent().unwrap().join("evil").exists());
    }
}

#[tokio::test]
async fn an_oversized_archive_is_refused() {
    let archive = zip(&[("vega", 0o755, &fake_vega("v1.0.0")), ("blob", 0o644, &vec![0u8; 200_000])]);
    let w = world(vec![Asset::new("vega.zip", archive)]);
    let limits = UnpackLimits { max_entries: 100, max_bytes: 100_000, ..UnpackLimits::default() };
    let e = stage_asset(&w, "vega.zip", "vega", limits).await.unwrap_err();
    assert!(e.to_string().contains("more than 100000 bytes"), "{e}");
    assert!(entries(&w).is_empty());
}

#[tokio::test]
async fn a_binary_of_another_version_is_refused_before_the_folder_gets_its_name() {
    let archive = zip(&[("vega", 0o755, &fake_vega("v0.9.0"))]);
    let w = world(vec![Asset::new("vega.zip", archive)]);
    let e = stage_asset(&w, "vega.zip", "vega", UnpackLimits::default()).await.unwrap_err();
    assert!(e.to_string().contains("reports version v0.9.0"), "{e}");
    assert!(entries(&w).is_empty());
}

#[tokio::test]
async fn an_archive_without_the_binary_says_what_was_looked_for() {
    let archive = zip(&[("README", 0o644, b"x")]);
    let w = world(vec![Asset::new("vega.zip", archive)]);
    let e = stage_asset(&w, "vega.zip", "vega", UnpackLimits::default()).await.unwrap_err();
    assert!(e.to_string().contains("contains no file named \"vega\""), "{e}");
}

#[tokio::test]
async fn a_folder_made_by_hand_meanwhile_is_kept() {
    let archive = zip(&[("vega", 0o755, &fake_vega("v1.0.0"))]);
    let w = world(vec![Asset::new("vega.zip", archive)]);
    std::fs::create_dir(w.home.root().join("v1.0.0")).unwrap();
    std::fs::write(w.home.root().join("v1.0.0/mine"), b"operator's").unwrap();
    stage_asset(&w, "vega.zip", "vega", UnpackLimits::default()).await.unwrap();
    assert!(w.home.root().join("v1.0.0/mine").exists());
    assert_eq!(entries(&w), vec!["v1.0.0"]);
}

#[test]
fn stale_staging_folders_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("v1.staging-12-34")).unwrap();
    std::fs::write(dir.path().join("v1.staging-12-34.download"), b"x").unwrap();
    std::fs::create_dir(dir.path().join("v1")).unwrap();
    assert_eq!(remove_stale_staging(&[dir.path().to_owned()]), 2);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, vec![std::ffi::OsString::from("v1")]);
}
