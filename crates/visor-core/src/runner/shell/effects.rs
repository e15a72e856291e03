//! How each effect is carried out: workers that report back with an event.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::{Node, Shell};
use std::path::PathBuf;

use crate::backup::{BackupFor, BackupSettings, Progress};
use crate::home::CurrentLink;
use crate::identity::Memory;
use crate::lock::HomeLock;
use crate::node::{NodeSpec, UpstreamSettings};
use crate::release::ReleaseName;
use crate::runner::event::{AnnouncedCheck, Event, LockRefused, Planned, ProcessInfo, StageRequest, Ticket};
use crate::runner::state::Target;
use crate::source::vega_resume::latest_segment_height;
use crate::source::{AdminEndpoint, spawn_height_poll, spawn_poller, spawn_upstream};
use crate::stage::{StageError, StageJob, StageProgress, stage};
use crate::supervise::{GroupRecord, ProcessSpec, StopPolicy, proc_start_time, spawn, stop_all};
use crate::switch::{SwitchPlan, commit, complete};
use crate::verify::{Fingerprint, check_binaries, preflight};

impl Shell {
    /// Runs `work` as a task and delivers the event it ends with. A panic is reported too, so
    /// no state waits forever for an answer that will not come.
    fn worker(&self, worker: &'static str, work: impl Future<Output = Event> + Send + 'static) {
        let tx = self.events.clone();
        let handle = tokio::spawn(work);
        tokio::spawn(async move {
            let event = handle.await.unwrap_or_else(|e| Event::WorkerPanicked { worker, message: e.to_string() });
            let _ = tx.send(event);
        });
    }

    /// [`Shell::worker`] for blocking work, on a blocking thread.
    fn blocking(&self, worker: &'static str, work: impl FnOnce() -> Event + Send + 'static) {
        self.worker(worker, async move {
            tokio::task::spawn_blocking(work)
                .await
                .unwrap_or_else(|e| Event::WorkerPanicked { worker, message: e.to_string() })
        });
    }

    pub(super) fn resolve(&self, ticket: Ticket) {
        let (home, face) = (self.home.clone(), Arc::clone(&self.face));
        self.blocking("resolve", move || {
            let result = home
                .current_dir()
                .map_err(|e| format!("cannot resolve {}: {e}", home.current().display()))
                .and_then(|dir| face.read_release(&dir).map_err(|e| e.to_string()))
                .and_then(|spec| check_binaries(face.as_ref(), &spec).map(|()| spec).map_err(|e| e.to_string()))
                .map(|spec| {
                    crate::verify::warn_if_others_can_replace(&spec);
                    let release = match home.read_current() {
                        Ok(CurrentLink::Release(name)) => Some(name),
                        _ => None,
                    };
                    (release, spec)
                });
            Event::Resolved { ticket, result }
        });
    }

    pub(super) fn query_segment(&self, ticket: Ticket, data_node: ProcessSpec) {
        self.worker("segment", async move {
            let result = latest_segment_height(&data_node).await;
            Event::Segment { ticket, result }
        });
    }

    /// Forks the node's processes here, on the loop's thread (their parent-death signal
    /// follows it), and records their groups before they can fork.
    pub(super) fn launch(&mut self, ticket: Ticket, spec: &NodeSpec) {
        let mut handles = Vec::new();
        let mut error = None;
        for process in &spec.processes {
            match spawn(process, ticket.0, self.exits.clone(), self.cgroup.as_deref(), self.tag.as_deref()) {
                Ok(handle) => {
                    tracing::info!(
                        role = process.role,
                        pid = handle.pid,
                        program = %process.program.display(),
                        args = %crate::logged::List(&process.args),
                        "started process"
                    );
                    handles.push(handle);
                }
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
        let groups: Vec<GroupRecord> = handles
            .iter()
            .filter_map(|p| {
                Some(GroupRecord { role: p.role.clone(), pgid: p.pgid(), start_time: proc_start_time(p.pid as i32)? })
            })
            .collect();
        self.store.groups(groups);
        let processes = handles
            .iter()
            .map(|h| ProcessInfo {
                role: h.role.clone(),
                pid: h.pid,
                since: jiff::Timestamp::try_from(h.since).unwrap_or_else(|_| jiff::Timestamp::now()),
            })
            .collect();
        if let Some(old) = self.node.replace(Node { ticket, processes: handles, poller: None })
            && let Some(poller) = old.poller
        {
            poller.abort();
        }
        let _ = self.events.send(Event::Launched { ticket, processes, error });
    }

    pub(super) fn start_poller(&mut self, ticket: Ticket, endpoint: AdminEndpoint) {
        let tx = self.events.clone();
        let task = spawn_poller(endpoint, self.polling.subscribe(), move |result| {
            tx.send(Event::Poll { ticket, result }).is_ok()
        });
        match self.node.as_mut().filter(|n| n.ticket == ticket) {
            Some(node) => node.poller = Some(task),
            None => task.abort(),
        }
    }

    pub(super) fn stop(&mut self, ticket: Ticket, policy: StopPolicy) {
        let processes = match self.node.as_mut().filter(|n| n.ticket == ticket) {
            Some(node) => {
                if let Some(poller) = node.poller.take() {
                    poller.abort();
                }
                node.processes.clone()
            }
            None => Vec::new(),
        };
        let urgency = self.urgency.subscribe();
        let cgroup = self.cgroup.clone();
        self.worker("stop", async move {
            let report = stop_all(&processes, policy, urgency, cgroup.as_deref()).await;
            Event::Stopped { ticket, report }
        });
    }

    pub(super) fn verify(&self, ticket: Ticket, target: Target, release: ReleaseName, room: Option<BackupSettings>) {
        let face = Arc::clone(&self.face);
        let dir = release.dir(self.home.root());
        let memory = Memory::in_state_dir(&self.home.state_dir());
        self.worker("verify", async move {
            let mut result = preflight(
                face.as_ref(),
                Some(&memory),
                &dir,
                &target.version,
                target.identity.as_ref(),
                target.checksum.as_ref(),
            )
            .await
            .map(|spec| (release, spec));
            if let (Ok(_), Some(settings)) = (&result, room) {
                // Reads the whole tree's metadata: a blocking thread.
                let checked = tokio::task::spawn_blocking(move || {
                    crate::backup::check_room(&settings, &AtomicBool::new(false)).map(|room| (settings, room))
                })
                .await;
                match checked {
                    Ok(Ok((settings, room))) => tracing::debug!(
                        need_mib = room.need >> 20,
                        free_mib = room.free >> 20,
                        dir = %settings.dir.display(),
                        "room for the backup"
                    ),
                    Ok(Err(e)) => result = Err(crate::PreflightError::NoRoom(e.to_string())),
                    Err(e) => {
                        result =
                            Err(crate::PreflightError::NoRoom(format!("checking the room for the backup failed: {e}")))
                    }
                }
            }
            let mut target = target;
            if let Ok((_, spec)) = &result {
                target.fingerprint = crate::verify::fingerprint(spec).ok();
            }
            Event::Verified { ticket, target, result }
        });
    }

    /// A non-blocking `flock`: answered at once. With the lock held, a planned upgrade is
    /// looked for in the face's plan once more (a small file): a cancel that took the lock
    /// before has had its say, and one after finds the lock held.
    pub(super) fn lock_upgrade(&mut self, ticket: Ticket, path: &std::path::Path, planned: Option<(String, String)>) {
        let result = match HomeLock::acquire(path) {
            Ok(lock) => {
                let still_planned = planned.is_none_or(|(name, version)| match self.face.read_plan() {
                    Ok(plan) => plan.iter().any(|u| u.name == name && u.version == version),
                    // Unreadable now: the verification read it; the switch's own checks follow.
                    Err(_) => true,
                });
                if still_planned {
                    self.upgrade_lock = Some(lock);
                    Ok(())
                } else {
                    Err(LockRefused::Withdrawn)
                }
            }
            Err(e) => Err(LockRefused::Held(e.to_string())),
        };
        let _ = self.events.send(Event::UpgradeLocked { ticket, result });
    }

    pub(super) fn backup(&mut self, ticket: Ticket, settings: BackupSettings, what: BackupFor) {
        let cancel = Arc::new(AtomicBool::new(false));
        self.backup_cancel = Some(Arc::clone(&cancel));
        let progress = Arc::new(Progress::default());
        self.report_progress(Arc::clone(&progress), move |done, total| Event::BackupProgress { ticket, done, total });
        self.blocking("backup", move || {
            let result = crate::backup::take(&settings, &what, &cancel, &progress);
            // Ends the progress reports.
            drop(progress);
            Event::BackedUp { ticket, result }
        });
    }

    /// Sends `event(done, total)` every second while `progress` is shared with a worker.
    fn report_progress(&self, progress: Arc<Progress>, event: impl Fn(u64, u64) -> Event + Send + 'static) {
        let tx = self.events.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
            tick.tick().await;
            loop {
                tick.tick().await;
                if Arc::strong_count(&progress) == 1 {
                    break;
                }
                let (done, total) = progress.read();
                if tx.send(event(done, total)).is_err() {
                    break;
                }
            }
        });
    }

    /// Seals the backup at `path` from a thread of idle I/O priority, so reading it back does
    /// not compete with the new node; then prunes to the newest backups.
    pub(super) fn seal_backup(&self, path: PathBuf, settings: BackupSettings) {
        self.blocking("seal", move || {
            // A thread of its own: its idle I/O class ends with it, and never reaches a pooled
            // thread a later backup would run on.
            let sealing = std::thread::spawn(move || {
                crate::supervise::lower_io_priority();
                let result =
                    crate::backup::seal(&path, 2, &AtomicBool::new(false)).map(|_| ()).map_err(|e| e.to_string());
                if result.is_ok() {
                    crate::backup::prune(&settings.dir, &settings.naming, settings.keep.max(1));
                }
                Event::Sealed { path, result }
            });
            sealing.join().unwrap_or_else(|_| Event::WorkerPanicked {
                worker: "seal",
                message: "the sealing thread panicked".into(),
            })
        });
    }

    pub(super) fn restore(&self, ticket: Ticket, backup: PathBuf, sources: Vec<PathBuf>) {
        let journal = self.home.restore_journal();
        let progress = Arc::new(Progress::default());
        self.report_progress(Arc::clone(&progress), move |done, total| Event::BackupProgress { ticket, done, total });
        self.blocking("restore", move || {
            let result = crate::backup::restore(&backup, &sources, &journal, &AtomicBool::new(false), &progress)
                .map_err(|e| e.to_string());
            drop(progress);
            Event::Restored { ticket, result }
        });
    }

    /// Blocking work whose end nobody waits for (its effect is logged).
    pub(super) fn blocking_quiet(&self, work: impl FnOnce() + Send + 'static) {
        tokio::task::spawn_blocking(work);
    }

    pub(super) fn switch(&self, ticket: Ticket, plan: SwitchPlan, verified: Option<Fingerprint>) {
        let (home, face, events) = (self.home.clone(), Arc::clone(&self.face), self.events.clone());
        // The switch appends to the history: it takes its turn with the store's other writes.
        self.store.run_on_history("switch", move || {
            // Check, then act: the release as it is on disk now, just before the journal.
            if let Err(reason) = crate::verify::recheck(face.as_ref(), &plan.to.dir(home.root()), verified.as_ref()) {
                return Some(Event::SwitchRefused { ticket, reason });
            }
            if let (Ok(CurrentLink::Release(now)), Some(ran)) = (home.read_current(), &plan.from)
                && &now != ran
            {
                tracing::warn!(ran = %ran, current = %now, "`current` was moved by hand while the node ran; the switch is recorded from the release that ran");
            }
            let start = std::time::Instant::now();
            let dir = plan.to.dir(home.root());
            if let Err(e) = face.before_switch(&dir, &plan.upgrade, plan.height) {
                let error = crate::switch::SwitchError::Hook { to: plan.to.to_string(), message: e.to_string() };
                return Some(Event::Switched { ticket, result: Err(error), took: start.elapsed() });
            }
            let committed = match commit(&home, &plan) {
                Ok(committed) => committed,
                Err(e) => return Some(Event::Switched { ticket, result: Err(e), took: start.elapsed() }),
            };
            // `current` has moved: the new node is started while the bookkeeping is done. What
            // reads the bookkeeping (the plan) takes its turn on this lane after it.
            let record = committed.record.clone();
            let _ = events.send(Event::Switched { ticket, result: Ok(record), took: start.elapsed() });
            let hook = |record: &crate::history::SwitchRecord| face.record_switch(record).map_err(|e| e.to_string());
            if let Err(e) = complete(&home, &committed, &hook) {
                tracing::error!("{e}; the switch is recorded at the next start");
            }
            None
        });
    }

    /// Stages on a thread and runtime of its own: hashing, writing and unpacking never touch
    /// the loop. A folder that is there already (made by hand) is used as is.
    pub(super) fn stage(&self, ticket: Ticket, request: StageRequest) {
        if !self.face.needs_staging(&request.release.dir(self.home.root())) {
            let _ = self.events.send(Event::StageNotNeeded { ticket });
            return;
        }
        let _ = self.events.send(Event::StageStarted { ticket });
        let job = StageJob {
            home: self.home.clone(),
            release: request.release,
            version: request.version,
            source: request.source,
            identity: request.identity,
            settings: request.settings,
        };
        let (face, tx) = (Arc::clone(&self.face), self.events.clone());
        let spawned = std::thread::Builder::new().name("staging".to_owned()).spawn(move || {
            let progress_tx = tx.clone();
            let mut progress = move |progress: StageProgress| {
                let _ = progress_tx.send(Event::StageProgress { ticket, progress });
            };
            let work = std::panic::AssertUnwindSafe(|| {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                Ok::<_, std::io::Error>(runtime.block_on(stage(&job, face.as_ref(), &mut progress)))
            });
            let result = match std::panic::catch_unwind(work) {
                Ok(Ok(result)) => result,
                Ok(Err(e)) => Err(StageError::Io { path: "(staging runtime)".to_owned(), source: e }),
                Err(_) => Err(StageError::Io {
                    path: "(staging)".to_owned(),
                    source: std::io::Error::other("staging panicked"),
                }),
            };
            let _ = tx.send(Event::Staged { ticket, result });
        });
        if let Err(e) = spawned {
            let _ = self.events.send(Event::Staged {
                ticket,
                result: Err(StageError::Io { path: "(staging thread)".to_owned(), source: e }),
            });
        }
    }

    /// Says what an announced upgrade needs (a look at its folder).
    /// Verifies the release of an upgrade before it is due: the answers of its binaries are
    /// remembered, so when it is due the release is looked at, not run. A failure is said now,
    /// while there is time to fix it.
    pub(super) fn verify_ahead(
        &self,
        dir: PathBuf,
        version: String,
        identity: Option<serde_json::Map<String, serde_json::Value>>,
        checksum: Option<crate::stage::Checksum>,
    ) {
        let face = Arc::clone(&self.face);
        let memory = Memory::in_state_dir(&self.home.state_dir());
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            match preflight(face.as_ref(), Some(&memory), &dir, &version, identity.as_ref(), checksum.as_ref()).await {
                Ok(_) => tracing::debug!(
                    version,
                    folder = %dir.display(),
                    took_ms = started.elapsed().as_millis() as u64,
                    "the coming upgrade's release is verified ahead"
                ),
                Err(e) => tracing::warn!(
                    version,
                    folder = %dir.display(),
                    "the coming upgrade's release does not verify: {e}; fix it before the upgrade is due"
                ),
            }
        });
    }

    pub(super) fn report_announced(&self, check: &AnnouncedCheck) {
        match &check.folder {
            Err(e) => tracing::error!(version = check.version, height = check.height, "upgrade announced, but {e}"),
            Ok(name) => {
                let dir = name.dir(self.home.root());
                if let (false, Some(staging)) = (dir.is_dir(), &check.staging) {
                    tracing::info!(
                        version = check.version,
                        height = check.height,
                        folder = %dir.display(),
                        "upgrade announced; its release folder is missing and the visor stages it: {staging}; a complete \
                         folder put there by hand is used instead"
                    );
                } else if !dir.is_dir() {
                    tracing::warn!(
                        version = check.version,
                        height = check.height,
                        folder = %dir.display(),
                        "upgrade announced, but its release folder is missing: {} before the upgrade height",
                        self.face.hints().provide_release.replace("{name}", &check.version)
                    );
                } else {
                    if check.first {
                        tracing::info!(version = check.version, height = check.height, folder = %dir.display(), "upgrade announced; its release folder is present");
                    }
                    self.verify_ahead(dir, check.version.clone(), None, None);
                }
            }
        }
    }

    pub(super) fn load_settings(&self, origin: &'static str) {
        let face = Arc::clone(&self.face);
        self.blocking("settings", move || Event::SettingsLoaded {
            result: face.load_settings().map_err(|e| e.to_string()),
            origin,
        });
    }

    /// Reads the plan, and looks which planned releases are complete already. On the history
    /// lane: a switch's bookkeeping (which updates a face's plan) is done before it is read.
    pub(super) fn read_plan(&self) {
        let (face, root) = (Arc::clone(&self.face), self.home.root().to_owned());
        self.store.run_on_history("plan", move || {
            let result = face.read_plan().map_err(|e| e.to_string()).map(|plan| {
                plan.into_iter()
                    .map(|upgrade| Planned {
                        present: upgrade.release.as_ref().is_some_and(|r| !face.needs_staging(&r.dir(&root))),
                        upgrade,
                    })
                    .collect()
            });
            Some(Event::PlanRead { result })
        });
    }

    /// Polls the upstream for as long as the visor runs (restarted when its settings change).
    pub(super) fn start_upstream(&mut self, settings: UpstreamSettings) {
        if let Some(task) = self.upstream.take() {
            task.abort();
        }
        let tx = self.events.clone();
        self.upstream =
            Some(spawn_upstream(settings, move |url, result| tx.send(Event::Upstream { url, result }).is_ok()));
    }

    /// Asks the face what its chain announces, at `interval`, until told to stop.
    pub(super) fn start_announcements(&mut self, interval: std::time::Duration) {
        if let Some(task) = self.announcements.take() {
            task.abort();
        }
        let (tx, face) = (self.events.clone(), Arc::clone(&self.face));
        self.announcements = Some(tokio::spawn(async move {
            loop {
                // The node is only starting when this begins: its first answer is worth one
                // interval's wait, not a warning.
                tokio::time::sleep(interval).await;
                let face = Arc::clone(&face);
                let result = tokio::task::spawn_blocking(move || face.announced_upgrade().map_err(|e| e.to_string()))
                    .await
                    .unwrap_or_else(|e| Err(format!("the announcement source failed: {e}")));
                if tx.send(Event::Announced { result }).is_err() {
                    return;
                }
            }
        }));
    }

    /// Polls the chain's height until told to stop (restarted when its settings change).
    pub(super) fn start_height_poll(&mut self, settings: crate::node::ChainHeightSettings) {
        if let Some(task) = self.height_poll.take() {
            task.abort();
        }
        let tx = self.events.clone();
        self.height_poll =
            Some(spawn_height_poll(settings, move |result| tx.send(Event::ChainHeight { result }).is_ok()));
    }

    pub(super) fn handle_upstream(&self, url: String, body: Vec<u8>) {
        let face = Arc::clone(&self.face);
        self.blocking("upstream", move || Event::UpstreamHandled {
            result: face.upstream_answered(&body, &url).map_err(|e| format!("{url}: {e}")),
        });
    }
}
