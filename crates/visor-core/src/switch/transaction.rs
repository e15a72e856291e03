//! The switch transaction and its recovery.
//!
//! Steps, each durable before the next: journal written → `current` renamed → history record
//! appended → journal removed. A visor killed between any two steps finds the journal at its
//! next start and finishes the switch (the target was verified before the journal was written)
//! or, if the target folder has gone, points `current` back at the release it came from.
//! The history record carries the journal's id, so a switch is never recorded twice.
//!
//! The new node needs only the first two steps ([`commit`]): the rest ([`complete`]: the
//! history, the face's own records, the journal's removal) is bookkeeping the journal already
//! guarantees, and runs after the new node is spawned — never downtime.

use std::io;

use crate::durable::create_dir_durable;
use crate::fault;
use crate::history::{History, HistoryError, SwitchRecord};
use crate::home::{CurrentLink, Home};
use crate::release::ReleaseName;
use crate::switch::journal::Journal;

/// What to switch to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchPlan {
    /// The release running now.
    pub from: Option<ReleaseName>,
    /// The verified release to run next.
    pub to: ReleaseName,
    /// The version the upgrade named.
    pub version: String,
    /// The upgrade height, if any.
    pub height: Option<u64>,
    /// The upgrade's name (Vega: its version).
    pub upgrade: String,
    /// A switch back after a failed probation.
    pub rollback: bool,
    /// The backup taken before it.
    pub backup: Option<crate::backup::BackupReport>,
}

/// A switch could not be made or recovered.
#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    /// File-system failure on the home folder.
    #[error("switch to {to} failed at {step}: {source}; check permissions and free space in the home folder")]
    Io {
        /// The release switched to.
        to: String,
        /// The step.
        step: &'static str,
        /// The cause.
        source: io::Error,
    },
    /// The history cannot be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A hook of the face refused the upgrade before `current` moved.
    #[error("the upgrade to {to} was stopped before the switch: {message}")]
    Hook {
        /// The release switched to.
        to: String,
        /// What the hook said.
        message: String,
    },
    /// An interrupted switch had moved `current` (so the new release may have run on the data)
    /// and its release is no longer complete: neither finishing nor undoing it is safe.
    #[error(
        "the switch to {to} was interrupted after `current` moved, and {to} is no longer complete; the new release \
         may have run on the node's data, so the visor does not go back to {from} by itself: restore {to}'s folder \
         and start again, or, if the data was not migrated, point `current` at {from} and delete the journal {journal}"
    )]
    Incomplete {
        /// The release switched to.
        to: String,
        /// The release switched from.
        from: String,
        /// The journal file.
        journal: String,
    },
    /// The journal of an interrupted switch cannot be read.
    #[error(
        "the switch journal {path} is unreadable ({message}); a switch was interrupted: make sure `current` points at \
         the release that should run, then delete the journal"
    )]
    Journal {
        /// The journal file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// What recovery found and did at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// No switch was in progress.
    Clean,
    /// An interrupted switch was finished.
    RolledForward(Box<SwitchRecord>),
    /// An interrupted switch was undone because its target is gone.
    RolledBack {
        /// The release `current` points at again.
        to: Option<ReleaseName>,
        /// The target that was missing.
        missing: ReleaseName,
    },
}

fn new_id() -> String {
    let now = jiff::Timestamp::now();
    format!("{}-{}", now.as_millisecond(), std::process::id())
}

/// The face's bookkeeping of a switch, run inside the transaction (see `Face::record_switch`).
pub type RecordHook<'a> = &'a dyn Fn(&SwitchRecord) -> Result<(), String>;

/// A switch whose `current` has moved, its bookkeeping still to do ([`complete`]).
#[derive(Debug, Clone)]
pub struct Committed {
    journal: Journal,
    /// The record the history will hold.
    pub record: SwitchRecord,
}

/// Carries out the switch of `plan` whole. The caller has stopped the old node and verified
/// the target.
pub fn switch(home: &Home, plan: &SwitchPlan, record_hook: RecordHook<'_>) -> Result<SwitchRecord, SwitchError> {
    let committed = commit(home, plan)?;
    complete(home, &committed, record_hook)
}

/// The part of the switch the new node waits for: the journal, then `current` moved (each
/// durable before the next). The caller has stopped the old node and verified the target.
pub fn commit(home: &Home, plan: &SwitchPlan) -> Result<Committed, SwitchError> {
    let to = plan.to.to_string();
    let io = |step: &'static str| {
        let to = to.clone();
        move |source| SwitchError::Io { to, step, source }
    };
    create_dir_durable(&home.state_dir()).map_err(io("creating the state folder"))?;
    let journal = Journal {
        id: new_id(),
        from: plan.from.clone(),
        to: plan.to.clone(),
        version: plan.version.clone(),
        height: plan.height,
        started_at: jiff::Timestamp::now(),
        rollback: plan.rollback,
        backup: plan.backup.clone(),
    };
    journal.save(&home.journal_file()).map_err(io("writing the journal"))?;
    fault::point("switch-journal-written");
    home.swap_current(&plan.to, || fault::point("switch-link-created")).map_err(io("moving `current`"))?;
    fault::point("switch-current-moved");
    let record = record_of(&journal, jiff::Timestamp::now());
    Ok(Committed { journal, record })
}

/// The bookkeeping of a committed switch: the history record, the face's own records, then the
/// journal removed. Interrupted, it is finished at the next start from the journal.
pub fn complete(home: &Home, committed: &Committed, record_hook: RecordHook<'_>) -> Result<SwitchRecord, SwitchError> {
    let to = committed.record.to.to_string();
    let io = |step: &'static str| {
        let to = to.clone();
        move |source| SwitchError::Io { to, step, source }
    };
    let record = append_record(home, &committed.journal, Some(&committed.record))?;
    fault::point("switch-history-recorded");
    if let Err(message) = record_hook(&record) {
        // `current` has moved and the node must run: the journal stays, so the next start
        // records the switch again.
        tracing::error!(to, "the switch is done but recording it failed: {message}; it is retried at the next start");
        return Ok(record);
    }
    fault::point("switch-recorded");
    Journal::clear(&home.journal_file()).map_err(io("removing the journal"))?;
    fault::point("switch-journal-cleared");
    Ok(record)
}

/// The history's record of the switch `journal` describes, switched at `at`.
fn record_of(journal: &Journal, at: jiff::Timestamp) -> SwitchRecord {
    SwitchRecord {
        id: journal.id.clone(),
        from: journal.from.clone(),
        to: journal.to.clone(),
        version: journal.version.clone(),
        height: journal.height,
        switched_at: at,
        downtime_ms: None,
        confirmed_at: None,
        rollback: journal.rollback,
        backup: journal.backup.clone(),
    }
}

/// Appends the record of `journal`'s switch (`made`, or one made now), once.
fn append_record(home: &Home, journal: &Journal, made: Option<&SwitchRecord>) -> Result<SwitchRecord, SwitchError> {
    let mut recorded = None;
    History::update(&home.history_file(), |history| {
        if let Some(existing) = history.switches.iter().find(|r| r.id == journal.id) {
            recorded = Some(existing.clone());
            return;
        }
        let record = made.cloned().unwrap_or_else(|| record_of(journal, jiff::Timestamp::now()));
        history.switches.push(record.clone());
        recorded = Some(record);
    })?;
    Ok(recorded.unwrap_or_else(|| record_of(journal, jiff::Timestamp::now())))
}

/// Brings the home to a consistent state before anything starts (DESIGN §5 item 4).
pub fn recover(
    home: &Home,
    release_complete: impl Fn(&ReleaseName) -> bool,
    record_hook: RecordHook<'_>,
) -> Result<Recovery, SwitchError> {
    let io = |step: &'static str| move |source| SwitchError::Io { to: "(recovery)".to_owned(), step, source };
    home.remove_stale_links().map_err(io("removing stale temporary links"))?;
    let journal_path = home.journal_file();
    let journal = Journal::load(&journal_path)
        .map_err(|e| SwitchError::Journal { path: journal_path.display().to_string(), message: e.to_string() })?;
    let Some(journal) = journal else {
        return Ok(Recovery::Clean);
    };
    tracing::warn!(from = journal.from.as_ref().map(ToString::to_string), to = %journal.to, "found an interrupted switch");
    if release_complete(&journal.to) {
        if home.read_current().map_err(io("reading `current`"))? != CurrentLink::Release(journal.to.clone()) {
            home.point_current(&journal.to).map_err(io("moving `current`"))?;
        }
        let record = append_record(home, &journal, None)?;
        if let Err(message) = record_hook(&record) {
            tracing::error!(to = %journal.to, "recording the switch failed again: {message}; fix it, it is retried at the next start");
            return Ok(Recovery::RolledForward(Box::new(record)));
        }
        Journal::clear(&home.journal_file()).map_err(io("removing the journal"))?;
        tracing::info!(to = %journal.to, "finished the interrupted switch");
        Ok(Recovery::RolledForward(Box::new(record)))
    } else {
        // `current` moved: the new release is started as soon as it has, so it may have run.
        if home.read_current().map_err(io("reading `current`"))? == CurrentLink::Release(journal.to.clone()) {
            return Err(SwitchError::Incomplete {
                to: journal.to.to_string(),
                from: journal.from.as_ref().map_or_else(|| "the previous release".to_owned(), ToString::to_string),
                journal: journal_path.display().to_string(),
            });
        }
        if let Some(from) = &journal.from {
            home.point_current(from).map_err(io("moving `current` back"))?;
        }
        // If the switch was already recorded, record that it was undone.
        History::update(&home.history_file(), |history| {
            if let Some(done) = history.switches.iter().find(|r| r.id == journal.id).cloned() {
                history.switches.push(SwitchRecord {
                    id: format!("{}-rollback", journal.id),
                    from: Some(done.to),
                    to: journal.from.clone().unwrap_or_else(|| journal.to.clone()),
                    version: done.version,
                    height: done.height,
                    switched_at: jiff::Timestamp::now(),
                    downtime_ms: None,
                    confirmed_at: None,
                    rollback: true,
                    backup: None,
                });
            }
        })?;
        Journal::clear(&home.journal_file()).map_err(io("removing the journal"))?;
        tracing::warn!(missing = %journal.to, "undid the interrupted switch: its release folder is gone");
        Ok(Recovery::RolledBack { to: journal.from.clone(), missing: journal.to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn setup() -> (tempfile::TempDir, Home) {
        let dir = tempfile::tempdir().unwrap();
        for r in ["genesis", "v2"] {
            fs::create_dir(dir.path().join(r)).unwrap();
        }
        let home = Home::new(dir.path());
        home.point_current(&name("genesis")).unwrap();
        (dir, home)
    }

    fn name(s: &str) -> ReleaseName {
        ReleaseName::new(s).unwrap()
    }

    fn plan() -> SwitchPlan {
        SwitchPlan {
            from: Some(name("genesis")),
            to: name("v2"),
            version: "v2".into(),
            height: Some(10),
            upgrade: "v2".into(),
            rollback: false,
            backup: None,
        }
    }

    #[test]
    fn a_switch_moves_current_and_records_once() {
        let (_dir, home) = setup();
        let record = switch(&home, &plan(), &|_| Ok(())).unwrap();
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(name("v2")));
        assert!(!home.journal_file().exists());
        let history = History::load(&home.history_file()).unwrap();
        assert_eq!(history.switches, vec![record]);
        assert_eq!(recover(&home, |_| true, &|_| Ok(())).unwrap(), Recovery::Clean);
    }

    #[test]
    fn recovery_rolls_forward_from_each_step() {
        // Each state a crash can leave: journal only; journal + current moved; all but cleared.
        for step in 0..3 {
            let (_dir, home) = setup();
            fs::create_dir_all(home.state_dir()).unwrap();
            let journal = Journal {
                id: "j1".into(),
                from: Some(name("genesis")),
                to: name("v2"),
                version: "v2".into(),
                height: Some(10),
                started_at: jiff::Timestamp::UNIX_EPOCH,
                rollback: false,
                backup: None,
            };
            journal.save(&home.journal_file()).unwrap();
            if step >= 1 {
                home.point_current(&name("v2")).unwrap();
            }
            if step >= 2 {
                append_record(&home, &journal, None).unwrap();
            }
            let recovery = recover(&home, |_| true, &|_| Ok(())).unwrap();
            assert!(matches!(recovery, Recovery::RolledForward(ref r) if r.id == "j1"), "step {step}: {recovery:?}");
            assert_eq!(home.read_current().unwrap(), CurrentLink::Release(name("v2")));
            assert_eq!(History::load(&home.history_file()).unwrap().switches.len(), 1, "step {step}");
            assert!(!home.journal_file().exists());
        }
    }

    #[test]
    fn recovery_refuses_to_go_back_once_current_named_a_release_that_is_gone() {
        let (_dir, home) = setup();
        fs::create_dir_all(home.state_dir()).unwrap();
        let journal = Journal {
            id: "j1".into(),
            from: Some(name("genesis")),
            to: name("v2"),
            version: "v2".into(),
            height: None,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            rollback: false,
            backup: None,
        };
        journal.save(&home.journal_file()).unwrap();
        home.point_current(&name("v2")).unwrap();
        let err = recover(&home, |_| false, &|_| Ok(())).unwrap_err();
        assert!(matches!(err, SwitchError::Incomplete { .. }), "{err}");
        assert!(err.to_string().contains("restore v2's folder"), "{err}");
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(name("v2")), "nothing touched");
        assert!(home.journal_file().exists());
    }

    #[test]
    fn recovery_rolls_back_when_the_target_is_gone() {
        let (_dir, home) = setup();
        fs::create_dir_all(home.state_dir()).unwrap();
        let journal = Journal {
            id: "j1".into(),
            from: Some(name("genesis")),
            to: name("v2"),
            version: "v2".into(),
            height: None,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            rollback: false,
            backup: None,
        };
        journal.save(&home.journal_file()).unwrap();
        // Killed before `current` moved (a record from an earlier attempt is undone too).
        append_record(&home, &journal, None).unwrap();
        let recovery = recover(&home, |_| false, &|_| Ok(())).unwrap();
        assert!(matches!(recovery, Recovery::RolledBack { .. }));
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(name("genesis")));
        let switches = History::load(&home.history_file()).unwrap().switches;
        assert_eq!(switches.len(), 2, "the switch and its rollback");
        assert!(switches[1].rollback);
        assert_eq!(switches[1].to, name("genesis"));
    }

    #[test]
    fn a_failing_record_keeps_the_journal_for_the_next_start() {
        let (_dir, home) = setup();
        let record = switch(&home, &plan(), &|_| Err("plan unreadable".to_owned())).unwrap();
        assert_eq!(home.read_current().unwrap(), CurrentLink::Release(name("v2")));
        assert!(home.journal_file().exists());
        let recovered = recover(&home, |_| true, &|_| Ok(())).unwrap();
        assert_eq!(recovered, Recovery::RolledForward(Box::new(record)));
        assert!(!home.journal_file().exists());
        assert_eq!(History::load(&home.history_file()).unwrap().switches.len(), 1);
    }

    #[test]
    fn stale_temporary_links_are_removed() {
        let (dir, home) = setup();
        std::os::unix::fs::symlink("v2", dir.path().join(".current.link-1-0")).unwrap();
        recover(&home, |_| true, &|_| Ok(())).unwrap();
        assert!(!dir.path().join(".current.link-1-0").exists());
    }
}
