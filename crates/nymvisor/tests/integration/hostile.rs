//! Hostile input through the real binary: archives an attacker would publish, announcements
//! naming local files, names the visor's cleanup could mistake for its own, absurd times. Each
//! is refused with a clear error; nothing outside the staging folder is written, chmodded or
//! run; the daemon keeps running. The corpus is made here, by the tests.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use nix::sys::signal::Signal;
use testnode::archives::{TarEntry, gzip, gzip_bomb, tar, zip, zip_bomb};

use crate::harness::{Exit, PANIC, code};
use crate::harness::{World, alive, in_seconds, sha256_hex, wait_until};

/// A script outside every folder the visor may write: running it leaves a mark.
fn plant_outside(w: &World) -> std::path::PathBuf {
    let outside = w.root.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let evil = outside.join("evil");
    std::fs::write(&evil, format!("#!/bin/sh\ntouch {}/executed\n", outside.display())).unwrap();
    std::fs::set_permissions(&evil, std::fs::Permissions::from_mode(0o644)).unwrap();
    outside
}

fn assert_outside_untouched(outside: &Path) {
    let mut names: Vec<String> =
        std::fs::read_dir(outside).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["evil"], "nothing was written or run outside");
    let mode = std::fs::metadata(outside.join("evil")).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o644, "nothing outside was chmodded");
}

/// A link target from a staging folder (`<data>/upgrades/<name>.staging-*`) up to the test's
/// root folder, seven levels up.
fn to_root() -> String {
    "../".repeat(7)
}

/// Twelve folders and a link at the bottom that climbs back to the top: each link is harmless
/// on its own, and a second link going through it lands above the folder.
fn chained_links(final_link: &str, final_target_below_root: &str) -> Vec<u8> {
    let deep: String = (0..12).map(|i| format!("x{i}/")).collect();
    let up = format!("{deep}up");
    let up_target = "../".repeat(12);
    let target = format!("{deep}up/{}{final_target_below_root}", to_root());
    zip(&[(&up, 0o120777, up_target.trim_end_matches('/').as_bytes()), (final_link, 0o120777, target.as_bytes())])
}

/// Serves `bytes` as `file` and announces upgrade `name` of `version` downloading it.
fn announce_file(w: &World, name: &str, version: &str, at: jiff::Timestamp, file: &str, bytes: Vec<u8>) {
    let url = format!("{}/files/{file}", w.server.base());
    let checksum = sha256_hex(&bytes);
    w.serve_file(file, bytes);
    w.announce(name, version, at, &w.daemon(version, ""), |info| {
        let platform = crate::harness::platform();
        info["platforms"][&platform]["url"] = url.into();
        info["platforms"][&platform]["checksum"] = checksum.into();
    });
}

fn wait_staging_error(nymvisor: &testnode::support::Process, version: &str, needle: &str) -> String {
    let field = format!("version=\"{version}\"");
    wait_until(&format!("staging {version} is refused with {needle:?}"), || {
        nymvisor.logs().iter().any(|l| l.contains("CANNOT STAGE") && l.contains(&field) && l.contains(needle))
    });
    nymvisor.logs().into_iter().find(|l| l.contains("CANNOT STAGE") && l.contains(&field)).unwrap()
}

#[test]
fn a_corpus_of_hostile_archives_is_refused_and_the_daemon_keeps_running() {
    let w = World::new();
    w.init();
    let outside = plant_outside(&w);
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    let daemon_pid = w.starts()[0]["pid"].as_i64().unwrap() as i32;
    let script = std::fs::read(w.daemon("9.9.9", "")).unwrap();
    let long_name = vec![b'a'; 10 << 20];
    let pax_bomb = vec![b'a'; 10 << 20];
    let link_bomb = vec![b'a'; 10 << 20];
    let good_tar = gzip(&tar(&[TarEntry::file("nym-node", 0o755, &script)]));
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        // Row 2: links through earlier links, to run or write outside.
        ("run-through-links", "a.zip", chained_links("nym-node", "outside/evil"), "followed on disk"),
        ("write-through-links", "a.zip", chained_links("bin", "outside"), "followed on disk"),
        // Row 3: a link whose body never ends, long names and pax headers as bombs.
        ("link-body-bomb", "a.zip", zip(&[("nym-node", 0o120777, &link_bomb)]), "longer than 4096"),
        (
            "long-name-bomb",
            "a.tar.gz",
            gzip(&tar(&[TarEntry { name: b"././@LongLink", kind: b'L', mode: 0o644, link: b"", body: &long_name }])),
            "long name longer than 4096",
        ),
        (
            "pax-bomb",
            "a.tar.gz",
            gzip(&tar(&[TarEntry { name: b"pax", kind: b'x', mode: 0o644, link: b"", body: &pax_bomb }])),
            "pax header longer than",
        ),
        ("gzip-bomb", "a.tar.gz", gzip_bomb(300 << 20), "times its size"),
        ("zip64-bomb", "a.zip", zip_bomb(300 << 20), "times its size"),
        // The usual: escapes, links, devices, duplicates, damage.
        ("absolute-path", "a.tar", tar(&[TarEntry::file("/tmp/evil", 0o644, b"x")]), "absolute path"),
        ("dot-dot", "a.tar", tar(&[TarEntry::file("../../../../../../../outside/x", 0o644, b"x")]), "`..`"),
        ("absolute-link", "a.zip", zip(&[("nym-node", 0o120777, b"/etc/passwd")]), "absolute path"),
        ("hard-link", "a.tar", tar(&[TarEntry::special("nym-node", b'1', "/etc/passwd")]), "hard link"),
        ("device", "a.tar", tar(&[TarEntry::special("tty", b'3', "")]), "device, FIFO or socket"),
        ("fifo", "a.tar", tar(&[TarEntry::special("pipe", b'6', "")]), "device, FIFO or socket"),
        (
            "duplicate",
            "a.tar",
            tar(&[TarEntry::file("nym-node", 0o755, b"one"), TarEntry::file("nym-node", 0o755, b"two")]),
            "appears twice",
        ),
        ("truncated", "a.tar.gz", good_tar[..good_tar.len() / 2].to_vec(), "cannot unpack"),
        ("dangling-link", "a.zip", zip(&[("nym-node", 0o120777, b"nowhere")]), "points to nothing"),
    ];
    for (i, (name, file, bytes, needle)) in cases.into_iter().enumerate() {
        let version = format!("1.1.{i}");
        // Each one earlier than the last, so each is the next upgrade and is staged now.
        announce_file(&w, name, &version, in_seconds(3600 - 10 * i as i64), &format!("{name}-{file}"), bytes);
        let line = wait_staging_error(&nymvisor, &version, needle);
        assert!(line.contains(&format!("{name}-{file}")), "the error names the archive: {line}");
        assert_outside_untouched(&outside);
        assert!(alive(daemon_pid), "the daemon keeps running ({name})");
    }
    // Case-colliding names are two files on Linux; only the exact binary name is taken.
    let version = "1.2.0";
    let script_120 = std::fs::read(w.daemon(version, "")).unwrap();
    let colliding = zip(&[("Nym-node", 0o755, b"not me"), ("nym-node", 0o100777, &script_120)]);
    announce_file(&w, "colliding", version, in_seconds(60), "colliding.zip", colliding);
    let staged = w.data.join("upgrades/colliding/bin/nym-node");
    wait_until("the colliding archive is staged", || staged.is_file());
    assert_eq!(std::fs::read(&staged).unwrap(), script_120);
    // Row 4: a world-writable entry is staged at most rwxr-xr-x.
    let mode = std::fs::metadata(&staged).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o755, "the archive's 0777 is not kept");
    assert_outside_untouched(&outside);
    let leftovers: Vec<_> = std::fs::read_dir(w.data.join("upgrades"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".staging-"))
        .collect();
    // One attempt may be under way (retries go on in the background): its folder and download.
    let attempts: std::collections::BTreeSet<String> =
        leftovers.iter().map(|e| e.file_name().to_string_lossy().trim_end_matches(".download").to_owned()).collect();
    assert!(attempts.len() <= 1, "failed stagings leave nothing: {leftovers:?}");
    assert_eq!(w.starts().len(), 1, "the daemon was never restarted");
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_remote_upstream_cannot_name_local_files() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    wait_until("the daemon records its start", || !w.starts().is_empty());
    for url in ["file:///dev/zero", "file:///etc/passwd"] {
        w.announce("local", "1.1.0", in_seconds(3600), &w.daemon("1.1.0", ""), |info| {
            info["platforms"][crate::harness::platform()]["url"] = url.into();
        });
        let line = nymvisor.wait_log(&format!("refusing {url}"));
        assert!(line.contains("may not name local files"), "{line}");
    }
    assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty(), "the announcement was not queued");
    assert_eq!(w.starts().len(), 1);
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn names_the_cleanup_could_mistake_for_its_own_are_refused() {
    let w = World::new();
    w.init();
    let mut nymvisor = w.start();
    nymvisor.wait_running(&w.status_file());
    for name in ["v2.staging-1-2", "v2.tmp", "v2.partial", "v2\nforged"] {
        w.announce(name, "1.1.0", in_seconds(3600), &w.daemon("1.1.0", ""), |_| {});
        let line = nymvisor.wait_log(&format!("{name:?}"));
        assert!(line.contains("upgrade name refused"), "{line}");
    }
    let out = w.nymvisor(&["add-upgrade", w.daemon("1.1.0", "").to_str().unwrap(), "--upgrade-name", "x.staging-1-2"]);
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--upgrade-name refused"));
    // A folder made by hand whose name only looks like a staging folder is not removed.
    let by_hand = w.data.join("upgrades/keep.staging-notours");
    std::fs::create_dir_all(&by_hand).unwrap();
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
    let mut again = w.start();
    again.wait_running(&w.status_file());
    assert!(by_hand.is_dir(), "only names of the exact shape the visor makes are cleaned up");
    again.signal(Signal::SIGTERM);
    assert_eq!(again.wait_exit(), code(Exit::Clean));
}

#[test]
fn an_upgrade_delay_past_the_end_of_time_is_an_error_not_a_panic() {
    let w = World::new();
    w.init();
    let binary = w.daemon("1.1.0", "");
    for delay in ["20000y", "584942417355y"] {
        let out =
            w.nymvisor(&["add-upgrade", binary.to_str().unwrap(), "--upgrade-name", "far", "--upgrade-delay", delay]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(PANIC), "no panic: {stderr}");
        assert!(!out.status.success());
        assert!(stderr.contains("--upgrade-delay") || stderr.contains("duration"), "{stderr}");
    }
    assert!(w.plan()["queuedUp"].as_array().unwrap().is_empty());
}

#[test]
fn a_backup_folder_reached_through_a_link_into_the_home_never_archives_itself() {
    let w = World::new();
    w.init();
    // Some data worth a few hundred kilobytes compressed, so a self-archiving loop would show.
    let noise: Vec<u8> = (0..2_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(w.daemon_home.join("data/blob"), &noise).unwrap();
    let inside = w.daemon_home.join("data/backups");
    std::fs::create_dir_all(&inside).unwrap();
    let link = w.root.join("backups-link");
    std::os::unix::fs::symlink(&inside, &link).unwrap();
    // A partial archive a killed visor left is removed at start.
    std::fs::create_dir_all(inside.join("old")).unwrap();
    let stale = inside.join("old/backup-2024-01-01-000000000-preupgrade.tar.gz.partial");
    std::fs::write(&stale, b"half").unwrap();
    let link_text = link.to_str().unwrap();
    let mut nymvisor = w.start_with(&[], &[("DAEMON_BACKUP_DATA_DIRECTORY", link_text)]);
    nymvisor.wait_running(&w.status_file());
    assert!(!stale.exists(), "the leftover partial backup is removed at start");
    let out = w.nymvisor(&["add-upgrade", w.daemon("1.2.0", "").to_str().unwrap(), "--upgrade-name", "patch", "--now"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    nymvisor.wait_upgraded(&w.status_file(), "upgrades/patch");
    let archives: Vec<_> = std::fs::read_dir(inside.join("patch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !name.ends_with(".manifest") && !name.starts_with('.')
        })
        .collect();
    assert_eq!(archives.len(), 1, "{archives:?}");
    let size = std::fs::metadata(&archives[0]).unwrap().len();
    assert!(size < 4 * noise.len() as u64, "the backup is the data, not itself again and again: {size} bytes");
    assert!(!archives[0].to_string_lossy().ends_with(".partial"));
    nymvisor.signal(Signal::SIGTERM);
    assert_eq!(nymvisor.wait_exit(), code(Exit::Clean));
}

#[test]
fn absurd_durations_in_the_environment_never_panic() {
    let w = World::new();
    w.init();
    // The largest that humantime accepts is refused later or runs; what it refuses is an error.
    let far = "500000y";
    let mut nymvisor = w.start_with(
        &[],
        &[
            ("DAEMON_SHUTDOWN_GRACE_PERIOD", far),
            ("DAEMON_STARTUP_PERIOD_DURATION", far),
            ("DAEMON_FAILURE_RESTART_DELAY", far),
            ("NYMVISOR_UPSTREAM_POLLING_RATE", far),
        ],
    );
    nymvisor.wait_running(&w.status_file());
    nymvisor.signal(Signal::SIGTERM);
    let exit_code = nymvisor.wait_status().code();
    let logs = nymvisor.logs().join("\n");
    assert_eq!(exit_code, Some(code(Exit::Clean)), "{logs}");
    assert!(!logs.contains("panicked"), "{logs}");
}
