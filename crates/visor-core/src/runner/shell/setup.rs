//! What happens before the loop: the state folder, the lock, leftovers of a previous visor
//! (its processes, temporary files, staging folders), recovery of an interrupted switch, and a
//! valid `current`.

use crate::durable::ensure_private_dir;
use crate::exit::Exit;
use crate::history::{History, SwitchRecord};
use crate::home::{CurrentLink, Home};
use crate::lock::{HomeLock, LockError};
use crate::node::{Face, Settings};
use crate::release::ReleaseName;
use crate::runner::machine::Resume;
use crate::stage::remove_stale_staging;
use crate::supervise::{read_records, sweep_orphans};
use crate::switch::{Recovery, recover};
use crate::verify::check_binaries;

/// What setup found.
pub(super) struct Prepared {
    pub(super) lock: HomeLock,
    pub(super) settings: Settings,
    pub(super) tag: Option<String>,
    pub(super) current: Option<ReleaseName>,
    pub(super) last_switch: Option<SwitchRecord>,
    pub(super) resume: Option<Resume>,
    /// A restore's replaced data is still kept.
    pub(super) kept_data: bool,
    pub(super) chain_height: Option<u64>,
}

/// Makes the home ready to run: every step before the node may start.
pub(super) async fn prepare(face: &dyn Face, home: &Home) -> Result<Prepared, Exit> {
    if let Err(e) = ensure_private_dir(&home.state_dir()) {
        let explained = crate::access::explain_denied(&home.state_dir(), &e);
        // A home the visor may not write is the operator's setup to fix, not a fault: exit 3,
        // which a unit does not restart in a loop.
        let exit = if explained.is_some() { Exit::Config } else { Exit::Internal };
        let why = explained.unwrap_or_else(|| {
            "the home folder must be writable by the visor's user (a read-only mount, or another owner?)".to_owned()
        });
        tracing::error!(
            folder = %home.state_dir().display(),
            error = e.to_string(),
            "cannot create the visor's state folder: {why}"
        );
        return Err(exit);
    }
    let lock = HomeLock::acquire(&home.lock_file()).map_err(|e| {
        tracing::error!("{e}");
        match e {
            LockError::Held { .. } => Exit::Locked,
            LockError::Io { .. } => Exit::Internal,
        }
    })?;
    let settings = face.load_settings().map_err(|e| {
        tracing::error!("{e}");
        Exit::Config
    })?;
    let tag = crate::supervise::node_tag(&home.state_dir());
    let swept = sweep_orphans(&read_records(&home.groups_file()), tag.as_deref()).await;
    if swept > 0 {
        tracing::warn!(groups = swept, "killed processes a previous visor left running");
    }
    remove_stale_temporaries(home, &settings);
    face.remove_leftovers();
    // Release folders sit in the home or one level down (`upgrades/<name>`, mapped folders).
    let mut staging_dirs = vec![home.root().to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(home.root()) {
        staging_dirs.extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
    }
    staging_dirs.extend(settings.release_folders.values().filter_map(|r| r.dir(home.root()).parent().map(Into::into)));
    remove_stale_staging(&staging_dirs);
    let hook = |record: &SwitchRecord| face.record_switch(record).map_err(|e| e.to_string());
    let recovery = recover(home, |name| release_complete(face, home, name), &hook).map_err(|e| {
        tracing::error!("{e}");
        match e {
            crate::switch::SwitchError::Incomplete { .. } => Exit::Config,
            _ => Exit::Internal,
        }
    })?;
    if let Recovery::RolledBack { missing, .. } = &recovery {
        tracing::warn!(missing = %missing, "the upgrade will be retried when the node asks for it again");
    }
    ensure_current(face, home)?;
    let history = History::load(&home.history_file()).map_err(|e| {
        tracing::error!("{e}");
        Exit::Internal
    })?;
    let last_switch = history.last().cloned();
    let current = match home.read_current() {
        Ok(CurrentLink::Release(name)) => Some(name),
        _ => None,
    };
    let resume = last_switch
        .as_ref()
        .filter(|r| r.confirmed_at.is_none() && !r.rollback && Some(&r.to) == current.as_ref())
        .map(|r| Resume { record_id: r.id.clone(), height: r.height });
    // A restore a killed visor or command left is finished or undone before the node starts.
    let kept_data = crate::backup::recover_restore(&home.restore_journal()).is_some();
    let chain_height = crate::status::read_status(&home.status_file()).and_then(|s| s.chain_height);
    Ok(Prepared { lock, settings, tag, current, last_switch, resume, kept_data, chain_height })
}

/// Whether `name` is a complete release (for recovery of an interrupted switch).
fn release_complete(face: &dyn Face, home: &Home, name: &ReleaseName) -> bool {
    let dir = name.dir(home.root());
    dir.is_dir() && face.read_release(&dir).is_ok_and(|spec| check_binaries(face, &spec).is_ok())
}

/// `current` → `genesis` when `current` is missing or dangling. Genesis is read first, so an
/// invalid run configuration is reported before the link is made.
fn ensure_current(face: &dyn Face, home: &Home) -> Result<(), Exit> {
    let link = home.read_current().map_err(|e| {
        tracing::error!(path = %home.current().display(), error = e.to_string(), "cannot read `current`");
        Exit::Internal
    })?;
    let resolves = home.current_dir().is_ok_and(|d| d.is_dir());
    match link {
        CurrentLink::Release(_) | CurrentLink::Outside(_) | CurrentLink::Directory if resolves => {
            if matches!(link, CurrentLink::Directory) {
                tracing::warn!(
                    "`current` is a real folder, not a symlink; it is used as is and moved aside at the next upgrade"
                );
            }
            return Ok(());
        }
        CurrentLink::Missing => {}
        _ => {
            // Falling back to genesis here would run an old release on newer chain data.
            let target = std::fs::read_link(home.current()).map(|t| t.display().to_string()).unwrap_or_default();
            tracing::error!(
                current = %home.current().display(),
                target,
                "`current` points to a folder that does not exist; restore that release folder, or point `current` at the release to run (ln -sfn FOLDER {})",
                home.current().display()
            );
            return Err(Exit::Config);
        }
    }
    let genesis = ReleaseName::new("genesis").expect("a valid name");
    if !genesis.dir(home.root()).is_dir() {
        tracing::error!(
            home = %home.root().display(),
            "the home folder has no `genesis` release folder and no valid `current`; {}",
            face.hints().create_home.replace("{home}", &home.root().display().to_string())
        );
        return Err(Exit::Config);
    }
    if let Err(e) = face.read_release(&genesis.dir(home.root())) {
        tracing::error!("{e}");
        return Err(Exit::Config);
    }
    home.point_current(&genesis).map_err(|e| {
        tracing::error!(error = e.to_string(), "cannot point `current` at genesis");
        Exit::Internal
    })?;
    tracing::info!("`current` now points at genesis");
    Ok(())
}

/// Temporary files of atomic writes a killed visor left in its state folder and its home, and
/// partial backups.
fn remove_stale_temporaries(home: &Home, settings: &Settings) {
    for dir in [home.state_dir(), home.root().to_path_buf()] {
        crate::durable::remove_stale_temporaries(&dir);
    }
    if let Some(backup) = &settings.backup {
        crate::backup::remove_partials(&backup.dir, &backup.naming);
        for source in &backup.sources {
            let journal = crate::backup::restore::read_journal(&home.restore_journal());
            crate::backup::restore::remove_stale_restores(&source.path, journal.as_ref());
        }
    }
}
