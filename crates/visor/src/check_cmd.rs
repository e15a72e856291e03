//! `visor check`: a Vega home checked without running it — `config.toml` read as `run` reads
//! it, `current` and its release, each binary (there, executable, the version it reports), the
//! core's admin socket, the announced upgrade's release, auto-install, and whether a visor runs.

use std::path::Path;
use std::time::Duration;

use facekit::check::{BinaryFixes, Checks, block_on};
use facekit::{Failure, Output};
use visor_core::source::{AdminEndpoint, AdminError, query_upgrade_status};
use visor_core::stage::ArtifactSource;
use visor_core::{CurrentLink, Exit, Home, NodeSpec, Settings};

use crate::run_config::RUN_CONFIG;

/// How long the admin endpoint gets to answer (it answers in microseconds when it runs).
const ADMIN_TIMEOUT: Duration = Duration::from_secs(2);

/// `visor check --home DIR [--output json]`.
pub(crate) fn command(home: &Path, output: Output) -> Result<Exit, Failure> {
    let home = Home::new(std::path::absolute(home)?);
    let mut checks = Checks::new();
    let root = home.root().display().to_string();
    match std::fs::metadata(home.root()) {
        Ok(meta) if meta.is_dir() => {}
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            let fix = visor_core::access::explain_denied(home.root(), &e)
                .unwrap_or_else(|| format!("check that {root} is the home folder, and that this user may enter it"));
            checks.fail("home", format!("cannot look at {root}: {e}"), fix);
            return checks.finish(output);
        }
        _ => {
            checks.fail(
                "home",
                format!("{root} is not a folder"),
                format!("create it with `visor init --home {root}`"),
            );
            return checks.finish(output);
        }
    }
    let config = home.root().join("config.toml");
    let settings = match crate::config::load_reporting(&config) {
        Ok((settings, unknown)) => {
            if unknown.is_empty() {
                checks.ok("config", format!("{} is valid", config.display()));
            } else {
                let s = if unknown.len() == 1 { "" } else { "s" };
                checks.ok("config", format!("{} is valid, but for the unknown key{s} below", config.display()));
            }
            for key in unknown {
                checks.warn("config", key.detail, key.fix);
            }
            Some(settings)
        }
        Err(e) => {
            match facekit::check::refused(&config) {
                Some((error, explained)) => {
                    checks.fail("config", format!("cannot read {}: {error}", config.display()), explained);
                }
                None => checks.fail(
                    "config",
                    e.to_string(),
                    format!(
                        "edit {} at the key or line named; `visor init --home <a new folder>` writes a config.toml \
                         whose comments explain every key and its default",
                        config.display()
                    ),
                ),
            }
            None
        }
    };
    checks.lock(&home);
    let live = facekit::plan::Live::read(&home);
    // The node counts as up when the visor says its processes run: its socket must answer then.
    let node_up = live.status.as_ref().is_some_and(|s| !s.processes.is_empty() && s.state == "running");
    if let Some((label, dir)) = current(&mut checks, &home) {
        let check = format!("release {label}");
        if let Some(spec) = release(&mut checks, &check, &dir, None)
            && let Some(admin) = spec.admin()
        {
            admin_socket(&mut checks, admin, &dir.join(RUN_CONFIG), node_up);
        }
    }
    if let Some(settings) = &settings {
        upgrades(&mut checks, &home, &live, settings);
        auto_install(&mut checks, settings);
    }
    checks.finish(output)
}

/// `current`: where it points and whether that folder is there. Returns the release to check.
fn current(checks: &mut Checks, home: &Home) -> Option<(String, std::path::PathBuf)> {
    let root = home.root();
    let genesis = root.join("genesis");
    match home.read_current() {
        Ok(CurrentLink::Release(name)) => {
            let dir = name.dir(root);
            match std::fs::metadata(&dir) {
                Ok(meta) if meta.is_dir() => {
                    checks.ok("current", format!("current -> {name}"));
                    Some((name.to_string(), dir))
                }
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    let fix = visor_core::access::explain_denied(&dir, &e).unwrap_or_else(|| {
                        format!("check the release folder {} (the error names what)", dir.display())
                    });
                    checks.fail("current", format!("current -> {name}, which cannot be looked at: {e}"), fix);
                    None
                }
                _ => {
                    checks.fail(
                        "current",
                        format!("current -> {name}, which does not exist; `visor run` refuses to start"),
                        format!(
                            "put the release folder {} back, or point current at an existing release (ln -sfn <folder> {})",
                            dir.display(),
                            home.current().display()
                        ),
                    );
                    None
                }
            }
        }
        Ok(CurrentLink::Missing) if genesis.is_dir() => {
            checks.ok("current", "not there yet: the first `visor run` points it at genesis");
            Some(("genesis".to_owned(), genesis))
        }
        Ok(CurrentLink::Missing) => {
            checks.fail(
                "current",
                format!("neither current nor genesis is in {}", root.display()),
                format!("run `visor init --home {}` and fill in genesis/{RUN_CONFIG}", root.display()),
            );
            None
        }
        Ok(CurrentLink::Directory) => {
            checks.ok("current", "current is a folder (not a link); the first switch moves it aside");
            Some(("current".to_owned(), home.current()))
        }
        Ok(CurrentLink::Outside(target)) => {
            checks.warn(
                "current",
                format!("current points outside the home, at {}", target.display()),
                "move that release into the home and point current at it: the visor switches only between its own \
                 folders",
            );
            // Resolved against the disk, as `run` does (a relative link is relative to its own
            // folder, not to where this command runs).
            home.current_dir().ok().filter(|dir| dir.is_dir()).map(|dir| ("current".to_owned(), dir))
        }
        Err(e) => {
            let link = home.current();
            let is_link = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
            let fix = match visor_core::access::explain_denied(&link, &e) {
                Some(explained) => explained,
                None if is_link => format!(
                    "current is a link, but it cannot be read: check the home folder {} and its file system",
                    root.display()
                ),
                None => format!(
                    "replace it with a link to the release that runs, e.g. `ln -sfn genesis {}` (the visor writes \
                     relative links)",
                    link.display()
                ),
            };
            checks.fail("current", format!("cannot read {}: {e}", link.display()), fix);
            None
        }
    }
}

/// The release folder `dir`: its run configuration (what `visor init` left to fill in named key
/// by key, unknown keys warned about), then its binaries (of version `expected` when given).
/// Returns what it runs when its configuration reads.
fn release(checks: &mut Checks, check: &str, dir: &Path, expected: Option<&str>) -> Option<NodeSpec> {
    let file = dir.join(RUN_CONFIG);
    if let Some(raw) = crate::run_config::read_raw(dir) {
        let unfilled = crate::run_config::unfilled(&raw);
        for u in &unfilled {
            checks.fail(
                check,
                format!("key `{}` in {} {}", u.key, file.display(), u.problem),
                format!("edit {}: {}", file.display(), u.fix),
            );
        }
        if !unfilled.is_empty() {
            return None;
        }
    }
    let spec = match crate::run_config::read_reporting(dir) {
        Ok((spec, unknown)) => {
            for key in unknown {
                checks.warn(check, key.detail, key.fix);
            }
            spec
        }
        Err(e) => {
            match facekit::check::refused(&file) {
                Some((error, explained)) => {
                    checks.fail(check, format!("cannot read {}: {error}", file.display()), explained);
                }
                None => checks.fail(
                    check,
                    e.to_string(),
                    format!("edit {} as the message says (its comments explain every key)", e.path.display()),
                ),
            }
            return None;
        }
    };
    let path_fix = format!(
        "set `path` under [vega.binary] (or [data_node.binary]) in {} to the binary (absolute, or relative to the \
         release folder), or put the binary there",
        file.display()
    );
    let identity_fix = format!(
        "put the {} binary in {} (or map the tag to the right folder in upgradeFolders)",
        expected.unwrap_or("right"),
        dir.display()
    );
    let fixes = BinaryFixes { path: &path_fix, identity: &identity_fix, makes_executable: false };
    match block_on(visor_core::check::check_binaries(&spec, expected, None)) {
        Ok(binaries) => checks.binaries(check, &binaries, &fixes),
        Err(e) => checks.fail(check, format!("cannot run the binaries' checks: {e}"), "try again"),
    }
    Some(spec)
}

/// The core's admin socket: there, a socket, answering. The core creates it only while it runs:
/// with no node up, not reachable is a warning.
fn admin_socket(checks: &mut Checks, admin: &AdminEndpoint, run_config: &Path, node_up: bool) {
    const CHECK: &str = "admin socket";
    let socket = admin.socket.display();
    let key = format!("`vega.rpc.socketPath` in {}", run_config.display());
    let match_fix = format!("make {key} the core's `[Admin.Server] SocketPath` (in the core's config.toml)");
    let absent = |checks: &mut Checks, what: String| {
        if node_up {
            checks.fail(CHECK, format!("{what}, yet the core runs"), match_fix.clone());
        } else {
            checks.warn(
                CHECK,
                format!("{what}: not reachable (the core is not running?)"),
                format!("nothing to do if the core is not running; if it is, {match_fix}"),
            );
        }
    };
    match std::fs::symlink_metadata(&admin.socket) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            // The socket's folder is the core's: never to be given away to whoever checks.
            let fix = if facekit::toml_file::is_denied(&e) {
                "run check as the user the visor and the core run as (this user may not look into the socket's \
                 folder)"
                    .to_owned()
            } else {
                match_fix.clone()
            };
            checks.fail(CHECK, format!("cannot look at {socket} ({key}): {e}"), fix);
        }
        Err(_) => {
            let parent = admin.socket.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(parent) = parent.filter(|p| !p.is_dir()) {
                checks.fail(
                    CHECK,
                    format!("{socket} ({key}): its folder {} does not exist, so the core cannot listen there", parent.display()),
                    match_fix.clone(),
                );
                return;
            }
            absent(checks, format!("{socket} ({key}) does not exist"));
        }
        Ok(meta) if !std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()) => {
            checks.fail(CHECK, format!("{socket} ({key}) is not a socket"), match_fix.clone());
        }
        Ok(_) => match block_on(query_upgrade_status(admin, ADMIN_TIMEOUT)) {
            Ok(Ok(status)) => {
                let what = match (&status.accepted, status.ready) {
                    (Some(r), true) => format!("release {} accepted at height {}, and the core is ready for it", r.tag, r.height),
                    (Some(r), false) => format!("release {} accepted at height {}", r.tag, r.height),
                    (None, _) => "no upgrade accepted".to_owned(),
                };
                checks.ok(CHECK, format!("{socket} answers: {what}"));
            }
            Ok(Err(AdminError::Connect { .. })) => absent(checks, format!("nothing listens on {socket} ({key})")),
            Ok(Err(e @ AdminError::BadAnswer { .. })) => checks.fail(
                CHECK,
                e.to_string(),
                format!(
                    "make `vega.rpc.httpPath` ({}) in {} the core's `[Admin.Server] HTTPPath` (usually /rpc), and check \
                     the socket is the core's",
                    admin.http_path,
                    run_config.display()
                ),
            ),
            Ok(Err(e)) => absent(checks, e.to_string()),
            Err(e) => checks.fail(CHECK, format!("cannot ask {socket}: {e}"), "try again"),
        },
    }
}

/// The announced upgrade's release (seen by the running visor): there and right, or to be
/// downloaded.
fn upgrades(checks: &mut Checks, home: &Home, live: &facekit::plan::Live, settings: &Settings) {
    let Some(status) = &live.status else {
        checks.ok("upgrades", "none known: the core announces upgrades while `visor run` runs it");
        return;
    };
    let Some(pending) = &status.pending else {
        checks.ok("upgrades", "none announced by the core");
        return;
    };
    let check = format!("upgrade {}", pending.version);
    let folder = match settings.release_for(&pending.version) {
        Ok(folder) => folder,
        Err(e) => {
            checks.fail(
                &check,
                e.to_string(),
                format!("map the tag {} to a folder in upgradeFolders", pending.version),
            );
            return;
        }
    };
    let dir = folder.dir(home.root());
    let present = match std::fs::metadata(&dir) {
        Ok(meta) => meta.is_dir(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            let fix = visor_core::access::explain_denied(&dir, &e)
                .unwrap_or_else(|| format!("check the release folder {} (the error names what)", dir.display()));
            checks.fail(&check, format!("cannot look at the release folder {}: {e}", dir.display()), fix);
            return;
        }
    };
    if present {
        release(checks, &check, &dir, Some(&pending.version));
    } else if settings.staging.is_some() {
        checks.ok(&check, format!("release folder {folder} is missing; autoInstall downloads it before the height"));
    } else {
        checks.fail(
            &check,
            format!("release folder {} for the announced upgrade is missing, and autoInstall is off", dir.display()),
            format!(
                "put the release folder in place ({RUN_CONFIG} and the binaries) before height {}, or turn on \
                 [autoInstall] in config.toml",
                pending.height.map_or_else(|| "the upgrade".to_owned(), |h| h.to_string())
            ),
        );
    }
}

fn auto_install(checks: &mut Checks, settings: &Settings) {
    match settings.staging.as_ref().and_then(|s| s.source.as_ref()) {
        Some(ArtifactSource::Github { repo, asset }) => checks.ok(
            "autoInstall",
            format!("on: releases come from {}/{} on {}, asset {asset}", repo.owner, repo.repo, repo.api),
        ),
        _ => checks.ok("autoInstall", "off: put each release folder in place before its upgrade"),
    }
}
