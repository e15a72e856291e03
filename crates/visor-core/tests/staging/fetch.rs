//! Downloads: resume, retries, timeouts, checksums, size cap, schemes.

use testnode::release_server::{Asset, Server, sha256_hex};
use url::Url;
use visor_core::stage::{Checksum, FetchError, FetchPolicy, Request, client, fetch};

use crate::{data, policy};

async fn get(
    server: &Server,
    name: &str,
    expected: Option<Checksum>,
    policy: &FetchPolicy,
) -> (tempfile::TempDir, Result<Vec<u8>, FetchError>) {
    let dir = tempfile::tempdir().unwrap();
    let request = Request {
        url: Url::parse(&format!("{}/files/{name}", server.base())).unwrap(),
        headers: Vec::new(),
        expected,
        dest: dir.path().join(name),
    };
    let result = fetch(&client(policy), &request, policy, &mut |_, _| {}).await.map(|d| {
        assert!(!dir.path().join(format!("{name}.partial")).exists());
        std::fs::read(d.path).unwrap()
    });
    (dir, result)
}

fn serve(asset: Asset) -> Server {
    let server = Server::start(Vec::new());
    server.state.lock().unwrap().files.push(asset);
    server
}

#[tokio::test]
async fn a_download_cut_in_the_middle_resumes_with_a_range_request() {
    let bytes = data(1 << 20);
    let server = serve(Asset { cut_after: Some(300_000), ..Asset::new("big.bin", bytes.clone()) });
    let expected = Checksum::parse(&sha256_hex(&bytes)).unwrap();
    let (_dir, got) = get(&server, "big.bin", Some(expected), &policy()).await;
    assert_eq!(got.unwrap(), bytes);
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let range = seen[1].range.clone().expect("the retry asks for the rest");
    let from: usize = range.trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap();
    assert!(from > 0 && from <= 300_000, "{range}");
}

#[tokio::test]
async fn a_server_that_cannot_resume_is_read_again_from_the_start() {
    let bytes = data(500_000);
    let server = serve(Asset { cut_after: Some(100_000), no_range: true, ..Asset::new("a.bin", bytes.clone()) });
    let expected = Checksum::parse(&sha256_hex(&bytes)).unwrap();
    let (_dir, got) = get(&server, "a.bin", Some(expected), &policy()).await;
    assert_eq!(got.unwrap(), bytes, "restarted cleanly, hash included");
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff() {
    let bytes = data(10_000);
    let server = serve(Asset { fail_first: 2, ..Asset::new("a.bin", bytes.clone()) });
    let (_dir, got) = get(&server, "a.bin", None, &policy()).await;
    assert_eq!(got.unwrap(), bytes);
    assert_eq!(server.seen().len(), 3, "failed twice, then succeeded");
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let server = serve(Asset { hang: true, ..Asset::new("a.bin", data(10)) });
    let policy = FetchPolicy { attempts: 2, ..policy() };
    let (_dir, got) = get(&server, "a.bin", None, &policy).await;
    let e = got.unwrap_err();
    assert!(matches!(e, FetchError::Network { attempts: 2, .. }), "{e}");
    assert!(e.to_string().contains("timed out"), "{e}");
}

#[tokio::test]
async fn a_checksum_mismatch_deletes_the_download_and_says_both_values() {
    let server = serve(Asset::new("a.bin", data(1000)));
    let wrong = Checksum::parse(&"ab".repeat(32)).unwrap();
    let (dir, got) = get(&server, "a.bin", Some(wrong.clone()), &policy()).await;
    let e = got.unwrap_err().to_string();
    assert!(e.contains(&wrong.to_string()) && e.contains(&sha256_hex(&data(1000))), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left behind");
}

#[tokio::test]
async fn sha512_checksums_are_verified() {
    use sha2::Digest;
    let bytes = data(5000);
    let hex: String = sha2::Sha512::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let server = serve(Asset::new("a.bin", bytes.clone()));
    let (_dir, got) = get(&server, "a.bin", Some(Checksum::parse(&format!("sha512:{hex}")).unwrap()), &policy()).await;
    assert_eq!(got.unwrap(), bytes);
}

#[tokio::test]
async fn downloads_over_the_size_cap_are_refused() {
    let server = serve(Asset::new("a.bin", data(10_000)));
    let policy = FetchPolicy { max_bytes: 4096, ..policy() };
    let (_dir, got) = get(&server, "a.bin", None, &policy).await;
    assert!(matches!(got, Err(FetchError::TooLarge { limit: 4096, .. })));
}

#[tokio::test]
async fn a_404_is_not_retried() {
    let server = Server::start(Vec::new());
    let (_dir, got) = get(&server, "missing.bin", None, &policy()).await;
    assert!(matches!(got, Err(FetchError::Status { status: 404, .. })));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn plain_http_is_refused_beyond_loopback_and_file_urls_work() {
    let policy = policy();
    let dir = tempfile::tempdir().unwrap();
    let request = |url: &str| Request {
        url: Url::parse(url).unwrap(),
        headers: Vec::new(),
        expected: None,
        dest: dir.path().join("out"),
    };
    let e = fetch(&client(&policy), &request("http://downloads.example.com/vega.zip"), &policy, &mut |_, _| {}).await;
    assert!(matches!(e, Err(FetchError::Insecure { .. })));
    let source = dir.path().join("source.bin");
    std::fs::write(&source, data(3000)).unwrap();
    let mut file = request(&format!("file://{}", source.display()));
    file.expected = Some(Checksum::parse(&sha256_hex(&data(3000))).unwrap());
    let got = fetch(&client(&policy), &file, &policy, &mut |_, _| {}).await.unwrap();
    assert!(got.verified);
    assert_eq!(std::fs::read(got.path).unwrap(), data(3000));
}

#[tokio::test]
async fn a_local_copy_must_be_a_regular_file_and_is_never_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    for source in [fifo.clone(), "/dev/zero".into(), dir.path().to_owned()] {
        let request = Request {
            url: Url::from_file_path(&source).unwrap(),
            headers: Vec::new(),
            expected: None,
            dest: dir.path().join("out"),
        };
        let e = fetch(&client(&policy()), &request, &policy(), &mut |_, _| {}).await.unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{}: {e}", source.display());
        assert!(!dir.path().join("out").exists() && !dir.path().join("out.partial").exists());
    }
}

#[test]
fn a_network_source_may_not_name_local_files() {
    let by = Url::parse("https://upstream.example/upgrade-info.json").unwrap();
    let local = Url::parse("file:///dev/zero").unwrap();
    assert!(visor_core::stage::check_announced(&local, &by).unwrap_err().to_string().contains("local files"));
    visor_core::stage::check_announced(&Url::parse("https://x/y").unwrap(), &by).unwrap();
    visor_core::stage::check_announced(&local, &Url::parse("file:///srv/upstream.json").unwrap()).unwrap();
}
