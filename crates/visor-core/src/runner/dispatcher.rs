//! The dispatcher: the only owner of the run's mutable state.
//!
//! It `select!`s over events (signals, process exits, admin polls, config changes, timers and
//! worker results) and reacts with short, non-blocking steps. Anything slow (stopping a node,
//! verifying a release, moving `current`, asking the data node for its segment) runs as its own
//! task and reports back with an event tagged by the node's generation, so late answers about a
//! node that is already gone are recognised and dropped.

mod plan;
mod probation;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};

use super::state::{State, StopWhy, Target};
use crate::backup::{BackupError, BackupReport};
use crate::durable::ensure_private_dir;
use crate::exit::Exit;
use crate::history::{History, SwitchRecord};
use crate::home::{CurrentLink, Home};
use crate::lock::{HomeLock, LockError};
use crate::node::{Face, NodeSpec, Settings};
use crate::release::ReleaseName;
use crate::resume::{SegmentError, add_snapshot_flag, latest_segment_height};
use crate::source::{AcceptedRelease, AdminError, UpgradeStatus, query_upgrade_status};
use crate::stage::{StageError, StageJob, StagePhase, StageProgress, Staged, remove_stale_staging, stage};
use crate::status::{PendingStatus, ProcessStatus, StagingStatus, Status, StatusWriter};
use crate::supervise::{
    ExitedEvent, GroupRecord, NodeCgroup, NodeRecord, ProcessHandle, RecordKeeper, RestartBudget, RestartDecision,
    StopPolicy, StopReport, Urgency, describe_status, proc_start_time, read_records, spawn, stop_all, sweep_orphans,
};
use crate::switch::{Recovery, SwitchError, SwitchPlan, recover, switch};
use crate::verify::{PreflightError, check_binaries, preflight};
use crate::watch::{FileWatch, watch_files};

/// How often a missing or invalid release is checked again while waiting for it.
const RECHECK: Duration = Duration::from_secs(1);
/// How often the wait for a release is reported in the log.
const WAIT_LOG: Duration = Duration::from_secs(5);
/// Editors write in several steps: reload once things settle.
const RELOAD_DEBOUNCE: Duration = Duration::from_millis(10);
/// The first wait before staging is tried again; doubles up to `STAGE_RETRY_MAX`.
const STAGE_RETRY: Duration = Duration::from_secs(2);
const STAGE_RETRY_MAX: Duration = Duration::from_secs(300);
/// How often a missing release folder of an announced upgrade is reported again.
const ANNOUNCE_REMINDER: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
enum SignalKind {
    Shutdown(&'static str),
    Reload,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartKind {
    First,
    CrashRestart,
    AfterUpgrade,
}

enum Event {
    Signal(SignalKind),
    Poll {
        generation: u64,
        result: Result<UpgradeStatus, AdminError>,
    },
    Prepared {
        generation: u64,
        result: Result<Option<u64>, SegmentError>,
    },
    Stopped {
        generation: u64,
        report: StopReport,
    },
    Verified {
        seq: u64,
        target: Target,
        result: Result<(ReleaseName, NodeSpec), PreflightError>,
    },
    /// A worker task panicked: a bug; the visor ends rather than wait forever for its answer.
    WorkerPanicked {
        worker: &'static str,
        message: String,
    },
    Switched {
        result: Result<SwitchRecord, SwitchError>,
        took: Duration,
    },
    /// The release changed between its verification and the switch: nothing was switched.
    SwitchRefused(String),
    RestartDue {
        generation: u64,
    },
    StageProgress(StageProgress),
    Staged {
        version: String,
        result: Result<Staged, StageError>,
    },
    StageRetry {
        version: String,
    },
    /// The timer of a planned upgrade fired.
    Due {
        seq: u64,
    },
    Upstream {
        url: String,
        result: Result<Vec<u8>, crate::stage::FetchError>,
    },
    UpstreamHandled(Result<String, String>),
    BackedUp(Result<BackupReport, BackupError>),
    ProbationOver {
        record_id: String,
    },
    Recheck,
    ReloadDue,
}

/// A node that was started: what it runs and its processes.
struct Node {
    /// A daemon of a plan (keeps running while a due release is not ready) rather than a Vega
    /// core (halted at the upgrade point).
    daemon: bool,
    processes: Vec<ProcessHandle>,
    poller: Option<tokio::task::JoinHandle<()>>,
}

/// The upgrade a freshly switched release came from, until the new node proves healthy.
#[derive(Debug, Clone)]
struct Resume {
    record_id: String,
    height: Option<u64>,
}

/// An upgrade whose release is not ready while the node is stopped.
struct Wait {
    target: Target,
    reason: String,
    logged: Option<Instant>,
    checking: bool,
}

/// Staging of an announced release.
struct Staging {
    release: ReleaseName,
    running: bool,
    retry_scheduled: bool,
    status: StagingStatus,
}

/// Measures of the switch in progress, to report the downtime once the new node runs.
#[derive(Debug, Clone, Copy)]
struct Downtime {
    stop_signal_at: Instant,
    stop_took: Duration,
}

struct Runner {
    face: Arc<dyn Face>,
    home: Home,
    _lock: HomeLock,
    _watch: FileWatch,
    settings: Settings,
    /// The settings taken at the last (re)start, for the keys that apply then.
    active: Settings,
    state: State,
    detail: Option<String>,
    generation: u64,
    node: Option<Node>,
    prepared: Option<NodeSpec>,
    stop_why: Option<StopWhy>,
    restarts: RestartBudget,
    poll_failures: u64,
    pending: Option<AcceptedRelease>,
    announce_reported: Option<Instant>,
    resume: Option<Resume>,
    exit_requested: Option<Exit>,
    shutdown_signals: u32,
    wait: Option<Wait>,
    staging: Option<Staging>,
    plan: Vec<crate::node::PlannedUpgrade>,
    due_seq: u64,
    due_reported: Option<String>,
    due_logged: Option<Instant>,
    /// Versions rolled back in this run: not tried again.
    refused: Vec<String>,
    upstream: Option<tokio::task::JoinHandle<()>>,
    probation: Option<probation::Probation>,
    upgrade_lock: Option<HomeLock>,
    backup_cancel: Option<Arc<AtomicBool>>,
    /// The upgrade between the stop and the end of the switch.
    switching: Option<(Target, ReleaseName)>,
    /// When the running node was spawned.
    launched_at: Option<Instant>,
    /// Consecutive checks of a due upgrade whose release was not ready (for the backoff).
    due_attempts: u32,
    downtime: Option<Downtime>,
    /// The release the node was last started from (what really ran, even if an operator moved
    /// `current` by hand meanwhile).
    ran: Option<ReleaseName>,
    /// Backups failed in a row (the retries back off).
    backup_failures: u32,
    /// The tag every process of the node carries in its environment.
    tag: Option<String>,
    last_switch: Option<SwitchRecord>,
    reload_pending: bool,
    urgency: watch::Sender<Urgency>,
    /// Numbers verifications, so a late answer to an older one is dropped.
    verify_seq: u64,
    polling: watch::Sender<(Duration, Duration, Duration)>,
    status: StatusWriter,
    /// The node's processes on disk, for the orphan sweep of a later visor.
    records: RecordKeeper,
    /// The node's own cgroup, when the visor can make one (reused by every start).
    cgroup: Option<Arc<NodeCgroup>>,
    events_tx: mpsc::UnboundedSender<Event>,
    exits_tx: mpsc::UnboundedSender<ExitedEvent>,
}

/// The first retry of an upgrade whose backup failed; doubles up to the max.
const BACKUP_RETRY: Duration = Duration::from_secs(60);
const BACKUP_RETRY_MAX: Duration = Duration::from_secs(3600);

/// Runs the node of `home` until a signal or a fatal condition; returns how the run ended.
///
/// Call it on a current-thread runtime from the main thread: child processes are forked by
/// the dispatcher's thread and their parent-death signal follows that thread.
pub async fn run<F: Face>(face: F, home: Home) -> Exit {
    let (events_tx, events) = mpsc::unbounded_channel();
    let (exits_tx, exits) = mpsc::unbounded_channel();
    let (config_tx, config_rx) = mpsc::unbounded_channel();
    // Before anything is spawned: whatever the node's processes leave behind comes back to us.
    crate::supervise::become_subreaper();
    let mut runner = match Runner::setup(Arc::new(face), home, events_tx, exits_tx, config_tx).await {
        Ok(runner) => runner,
        Err(exit) => return exit,
    };
    let exit = runner.main_loop(events, exits, config_rx).await;
    runner.finish_cleanup(exit).await;
    exit
}

impl Runner {
    async fn setup(
        face: Arc<dyn Face>,
        home: Home,
        events_tx: mpsc::UnboundedSender<Event>,
        exits_tx: mpsc::UnboundedSender<ExitedEvent>,
        config_tx: mpsc::UnboundedSender<()>,
    ) -> Result<Self, Exit> {
        if let Err(e) = ensure_private_dir(&home.state_dir()) {
            tracing::error!(
                folder = %home.state_dir().display(),
                error = %e,
                "cannot create the visor's state folder: the home folder must be writable by the visor's user (a read-only mount, or another owner?)"
            );
            return Err(Exit::Internal);
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
        remove_stale_temporaries(&home, &settings);
        face.remove_leftovers();
        // Release folders sit in the home or one level down (`upgrades/<name>`, mapped folders).
        let mut staging_dirs = vec![home.root().to_path_buf()];
        if let Ok(entries) = std::fs::read_dir(home.root()) {
            staging_dirs
                .extend(entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
        }
        staging_dirs
            .extend(settings.release_folders.values().filter_map(|r| r.dir(home.root()).parent().map(Into::into)));
        remove_stale_staging(&staging_dirs);
        let hook = |record: &SwitchRecord| face.record_switch(record).map_err(|e| e.to_string());
        let recovery = recover(&home, |name| release_complete(face.as_ref(), &home, name), &hook).map_err(|e| {
            tracing::error!("{e}");
            Exit::Internal
        })?;
        if let Recovery::RolledBack { missing, .. } = &recovery {
            tracing::warn!(missing = %missing, "the upgrade will be retried when the node asks for it again");
        }
        ensure_current(face.as_ref(), &home)?;
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
        let watch = watch_files(face.watched_files(), config_tx);
        spawn_signal_task(events_tx.clone()).map_err(|e| {
            tracing::error!(error = %e, "cannot install signal handlers");
            Exit::Internal
        })?;
        let polling = watch::channel((settings.poll_interval, settings.retry_interval, settings.request_timeout)).0;
        let status = StatusWriter::start(home.status_file(), "status file");
        let cgroup = match NodeCgroup::create() {
            Ok(cgroup) => {
                tracing::info!(cgroup = %cgroup.dir().display(), "the node runs in a cgroup of its own");
                Some(Arc::new(cgroup))
            }
            Err(why) => {
                tracing::info!(reason = why, "no cgroup for the node; its processes are tracked by parentage");
                None
            }
        };
        let cgroup_dir = cgroup.as_ref().map(|c| c.dir().to_owned());
        // On disk before anything runs in it: a visor killed right after spawning must not
        // leave the next one a cgroup it does not know about.
        let record = NodeRecord { cgroup: cgroup_dir.clone(), ..NodeRecord::default() };
        if let Err(e) = crate::durable::write_json_atomic(&home.groups_file(), &record) {
            tracing::warn!(path = %home.groups_file().display(), error = %e, "cannot record the node's cgroup");
        }
        let records = RecordKeeper::start(home.groups_file(), cgroup_dir);
        spawn_reaper();
        Ok(Self {
            face,
            _lock: lock,
            _watch: watch,
            active: settings.clone(),
            settings,
            state: State::Starting,
            detail: None,
            generation: 0,
            node: None,
            prepared: None,
            stop_why: None,
            restarts: RestartBudget::default(),
            poll_failures: 0,
            pending: None,
            announce_reported: None,
            resume,
            exit_requested: None,
            shutdown_signals: 0,
            wait: None,
            staging: None,
            plan: Vec::new(),
            due_seq: 0,
            due_reported: None,
            due_logged: None,
            refused: Vec::new(),
            upstream: None,
            probation: None,
            upgrade_lock: None,
            backup_cancel: None,
            switching: None,
            launched_at: None,
            due_attempts: 0,
            downtime: None,
            ran: None,
            backup_failures: 0,
            tag,
            last_switch,
            reload_pending: false,
            urgency: watch::channel(Urgency::Normal).0,
            verify_seq: 0,
            polling,
            status,
            records,
            cgroup,
            events_tx,
            exits_tx,
            home,
        })
    }

    async fn main_loop(
        &mut self,
        mut events: mpsc::UnboundedReceiver<Event>,
        mut exits: mpsc::UnboundedReceiver<ExitedEvent>,
        mut config: mpsc::UnboundedReceiver<()>,
    ) -> Exit {
        self.reload_plan();
        self.start_upstream();
        self.start_node(StartKind::First);
        // A visor restarted during a probation keeps watching the new release.
        if let Some(record) = self.last_switch.clone().filter(|r| {
            r.confirmed_at.is_none()
                && !r.rollback
                && r.from.is_some()
                && Some(&r.to) == self.current_release().as_ref()
        }) {
            self.begin_probation(&record);
        }
        loop {
            if let State::Done(exit) = self.state {
                return exit;
            }
            tokio::select! {
                Some(event) = events.recv() => self.on_event(event),
                Some(exited) = exits.recv() => self.on_exited(exited),
                Some(()) = config.recv() => self.on_config_event(),
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Signal(kind) => self.on_signal(kind),
            Event::Poll { generation, result } => self.on_poll(generation, result),
            Event::Prepared { generation, result } => self.on_prepared(generation, result),
            Event::Stopped { generation, report } => self.on_stopped(generation, report),
            Event::Verified { seq, target, result } => {
                if seq == self.verify_seq {
                    self.on_verified(target, result);
                }
            }
            Event::WorkerPanicked { worker, message } => {
                tracing::error!(worker, message, "internal error: a worker failed; stopping the visor");
                self.finish(Exit::Internal);
            }
            Event::Switched { result, took } => self.on_switched(result, took),
            Event::SwitchRefused(reason) => self.on_switch_refused(&reason),
            Event::RestartDue { generation } => {
                if generation == self.generation && self.state == State::RestartDelay {
                    self.start_node(StartKind::CrashRestart);
                }
            }
            Event::Recheck => self.recheck_release(),
            Event::StageProgress(progress) => self.on_stage_progress(&progress),
            Event::Staged { version, result } => self.on_staged(version, result),
            Event::Due { seq } => self.on_due(seq),
            Event::Upstream { url, result } => self.on_upstream(url, result),
            Event::UpstreamHandled(result) => self.on_upstream_handled(result),
            Event::BackedUp(result) => self.on_backed_up(result),
            Event::ProbationOver { record_id } => self.on_probation_over(&record_id),
            Event::StageRetry { version } => {
                if let Some(staging) = self.staging.as_mut().filter(|s| s.status.version == version) {
                    staging.retry_scheduled = false;
                }
                self.maybe_stage(&version);
            }
            Event::ReloadDue => {
                self.reload_pending = false;
                self.reload("file change");
            }
        }
    }

    // ----- starting -----------------------------------------------------------------------

    fn start_node(&mut self, kind: StartKind) {
        self.generation += 1;
        self.set_state(State::Starting, None);
        self.active = self.settings.clone();
        self.poll_failures = 0;
        let spec = self
            .home
            .current_dir()
            .map_err(|e| format!("cannot resolve {}: {e}", self.home.current().display()))
            .and_then(|dir| self.face.read_release(&dir).map_err(|e| e.to_string()))
            .and_then(|spec| check_binaries(&spec).map(|()| spec).map_err(|e| e.to_string()));
        let spec = match spec {
            Ok(spec) => spec,
            Err(message) => {
                // Not the node failing: its release is gone or broken (moved, deleted, a bad
                // edit). Restarting would only spend the budget; say so and stop, as at start.
                tracing::error!(
                    "{message}; the active release cannot be started: restore the folder `current` names, or point \
                     `current` at a complete release, then start the visor again"
                );
                self.finish(Exit::Config);
                return;
            }
        };
        self.ran = self.current_release();
        crate::verify::warn_if_others_can_replace(&spec);
        if let (StartKind::CrashRestart, Some(data_node)) = (kind, spec.vega_data_node().cloned()) {
            // The core must resume where the data node's history ends; ask before starting
            // anything (the data node's store is locked while it runs).
            self.prepared = Some(spec);
            let (tx, generation) = (self.events_tx.clone(), self.generation);
            tokio::spawn(async move {
                let result = latest_segment_height(&data_node).await;
                let _ = tx.send(Event::Prepared { generation, result });
            });
            return;
        }
        let snapshot = self.resume.as_ref().and_then(|r| r.height);
        self.launch(spec, snapshot);
    }

    fn on_prepared(&mut self, generation: u64, result: Result<Option<u64>, SegmentError>) {
        if generation != self.generation || self.state != State::Starting {
            return;
        }
        let Some(spec) = self.prepared.take() else {
            return;
        };
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        match result {
            Ok(Some(height)) => {
                tracing::info!(height, "data node's latest history segment found; the core resumes from it");
                self.launch(spec, Some(height));
            }
            Ok(None) => {
                tracing::info!("data node has no history segment yet; the core starts without a snapshot height");
                self.launch(spec, None);
            }
            Err(e) => {
                tracing::error!("{e}");
                self.on_failure();
            }
        }
    }

    fn launch(&mut self, mut spec: NodeSpec, snapshot: Option<u64>) {
        let daemon = matches!(spec.protocol, crate::node::Protocol::Daemon);
        if let (Some(height), true) = (snapshot, spec.vega_core().is_some())
            && add_snapshot_flag(&mut spec.processes[0].args, height)
        {
            tracing::info!(height, "the core loads the snapshot at the upgrade height");
        }
        let mut processes = Vec::new();
        for process in &spec.processes {
            match spawn(process, self.generation, self.exits_tx.clone(), self.cgroup.as_deref(), self.tag.as_deref()) {
                Ok(handle) => {
                    tracing::info!(
                        role = process.role,
                        pid = handle.pid,
                        program = %process.program.display(),
                        args = ?process.args,
                        "started process"
                    );
                    processes.push(handle);
                }
                Err(e) => {
                    tracing::error!("{e}");
                    self.node = Some(Node { daemon, processes, poller: None });
                    self.write_groups();
                    self.begin_stop(StopWhy::Crash);
                    return;
                }
            }
        }
        let poller = spec.admin().cloned().map(|endpoint| self.start_poller(endpoint));
        self.node = Some(Node { daemon, processes, poller });
        self.launched_at = Some(Instant::now());
        self.write_groups();
        self.set_state(State::Running, None);
        self.arm_due();
    }

    fn start_poller(&self, endpoint: crate::source::AdminEndpoint) -> tokio::task::JoinHandle<()> {
        let (tx, generation) = (self.events_tx.clone(), self.generation);
        let mut timing = self.polling.subscribe();
        tokio::spawn(async move {
            let mut ok = true;
            loop {
                let (interval, retry, timeout) = *timing.borrow_and_update();
                tokio::time::sleep(if ok { interval } else { retry.max(interval) }).await;
                let result = query_upgrade_status(&endpoint, timeout).await;
                ok = result.is_ok();
                if tx.send(Event::Poll { generation, result }).is_err() {
                    return;
                }
            }
        })
    }

    // ----- the admin endpoint ------------------------------------------------------------

    fn on_poll(&mut self, generation: u64, result: Result<UpgradeStatus, AdminError>) {
        if generation != self.generation || !matches!(self.state, State::Running | State::Verifying) {
            return;
        }
        match result {
            Err(e) => {
                let (budget, key) = if self.restarts.restarted() {
                    (self.active.connection.after_restart, "maxNumberOfRestartConnectionRetries")
                } else {
                    (self.active.connection.first, "maxNumberOfFirstConnectionRetries")
                };
                if self.poll_failures >= budget {
                    tracing::error!(
                        failures = self.poll_failures + 1,
                        budget,
                        error = %e,
                        "the core's admin endpoint stayed unreachable beyond the connection budget ({key}); stopping"
                    );
                    self.request_exit(Exit::Unreachable);
                    return;
                }
                self.poll_failures += 1;
                tracing::info!(attempts_left = budget - self.poll_failures, error = %e, "waiting for the core's admin endpoint");
            }
            Ok(status) => {
                if self.poll_failures > 0 {
                    tracing::info!(after_failures = self.poll_failures, "the core's admin endpoint answers");
                }
                self.poll_failures = 0;
                self.confirm_upgrade();
                if status.accepted != self.pending {
                    if status.accepted.is_none() {
                        tracing::info!("no upgrade is announced any more");
                    }
                    self.pending = status.accepted.clone();
                    self.announce_reported = None;
                    self.publish();
                }
                self.report_announced();
                if let (true, State::Running, Some(release)) = (status.ready, &self.state, status.accepted) {
                    self.on_ready(release);
                }
            }
        }
    }

    /// The first answer of an upgraded node ends its resume-from-upgrade period.
    fn confirm_upgrade(&mut self) {
        let Some(resume) = self.resume.take() else {
            return;
        };
        let path = self.home.history_file();
        let now = jiff::Timestamp::now().to_string();
        if let Some(last) = self.last_switch.as_mut().filter(|r| r.id == resume.record_id) {
            last.confirmed_at = Some(now.clone());
        }
        tracing::info!("the upgraded node answers: upgrade confirmed");
        tokio::task::spawn_blocking(move || {
            if let Err(e) = History::update(&path, |h| {
                if let Some(r) = h.find_mut(&resume.record_id) {
                    r.confirmed_at = Some(now);
                }
            }) {
                tracing::warn!(error = %e, "cannot record the upgrade's confirmation in the history");
            }
        });
        self.publish();
    }

    /// Says what an announced upgrade needs: once when it is announced, and again every
    /// minute while its release folder is missing.
    fn report_announced(&mut self) {
        let Some(release) = self.pending.clone() else { return };
        if self.announce_reported.is_some_and(|t| t.elapsed() < ANNOUNCE_REMINDER) {
            return;
        }
        let first = self.announce_reported.is_none();
        self.announce_reported = Some(Instant::now());
        self.maybe_stage(&release.tag);
        match self.settings.release_for(&release.tag) {
            Err(e) => tracing::error!(
                version = release.tag,
                height = release.height,
                "upgrade announced, but {e}; map the tag to a folder in upgradeFolders"
            ),
            Ok(name) => {
                let dir = name.dir(self.home.root());
                if !dir.is_dir() {
                    tracing::warn!(
                        version = release.tag,
                        height = release.height,
                        folder = %dir.display(),
                        "upgrade announced, but its release folder is missing: prepare it before the upgrade height"
                    );
                } else if first {
                    tracing::info!(version = release.tag, height = release.height, folder = %dir.display(), "upgrade announced; its release folder is present");
                }
            }
        }
    }

    fn on_ready(&mut self, release: AcceptedRelease) {
        tracing::info!(version = release.tag, height = release.height, "the core is ready to upgrade");
        let target = Target { version: release.tag, height: Some(release.height), ..Target::default() };
        self.set_state(State::Verifying, Some(format!("verifying the release {}", target.version)));
        self.spawn_verify(target);
    }

    fn spawn_verify(&mut self, target: Target) {
        self.verify_seq += 1;
        let seq = self.verify_seq;
        let release = match target.release.clone().map_or_else(|| self.settings.release_for(&target.version), Ok) {
            Ok(name) => name,
            Err(e) => {
                let result = Err(PreflightError::Unreadable(format!("{e}; map the tag to a folder in upgradeFolders")));
                let _ = self.events_tx.send(Event::Verified { seq, target, result });
                return;
            }
        };
        let face = Arc::clone(&self.face);
        let dir = release.dir(self.home.root());
        self.spawn_worker("verify", async move {
            let result =
                preflight(face.as_ref(), &dir, &target.version, target.identity.as_ref(), target.checksum.as_ref())
                    .await
                    .map(|spec| (release, spec));
            let mut target = target;
            if let Ok((_, spec)) = &result {
                target.fingerprint = crate::verify::fingerprint(spec).ok();
            }
            Event::Verified { seq, target, result }
        });
    }

    /// Runs `work` as a task and delivers the event it ends with. A panic is reported too, so
    /// no state waits forever for an answer that will not come.
    fn spawn_worker(&self, worker: &'static str, work: impl Future<Output = Event> + Send + 'static) {
        let tx = self.events_tx.clone();
        let handle = tokio::spawn(work);
        tokio::spawn(async move {
            let event = handle.await.unwrap_or_else(|e| Event::WorkerPanicked { worker, message: e.to_string() });
            let _ = tx.send(event);
        });
    }

    fn on_verified(&mut self, target: Target, result: Result<(ReleaseName, NodeSpec), PreflightError>) {
        match (&self.state, result) {
            (State::Verifying, Ok(_)) if target.release.is_some() && !self.still_due(&target) => {
                tracing::info!(
                    version = target.version,
                    "the upgrade was moved or removed meanwhile; not doing it now"
                );
                self.set_state(State::Running, None);
                self.arm_due();
            }
            (State::Verifying, Ok((release, _))) => {
                if let Some(path) = self.settings.upgrade_lock.clone() {
                    match HomeLock::acquire(&path) {
                        Ok(lock) => self.upgrade_lock = Some(lock),
                        Err(e) => {
                            self.due_not_ready(&target, &e.to_string());
                            return;
                        }
                    }
                }
                tracing::info!(version = target.version, folder = %release, "release verified; stopping the node to upgrade");
                self.due_reported = None;
                self.begin_stop(StopWhy::Upgrade { target, release });
            }
            (State::Verifying, Err(e)) if self.node.as_ref().is_some_and(|n| n.daemon) => {
                self.due_not_ready(&target, &e.to_string());
            }
            (State::Verifying, Err(e)) => {
                tracing::error!(version = target.version, "the upgrade's release is not ready: {e}");
                tracing::warn!("stopping the node (it is halted at the upgrade point) until the release is ready");
                self.begin_stop(StopWhy::AwaitRelease { target });
            }
            (State::Waiting, Ok((release, _))) => {
                tracing::info!(version = target.version, folder = %release, "the release is ready now");
                self.wait = None;
                self.begin_switch(target, release);
            }
            (State::Waiting, Err(e)) => {
                let reason = e.to_string();
                let Some(wait) = self.wait.as_mut() else {
                    return;
                };
                wait.checking = false;
                let changed = wait.reason != reason;
                if changed || wait.logged.is_none_or(|t| t.elapsed() >= WAIT_LOG) {
                    tracing::warn!(version = wait.target.version, height = ?wait.target.height, "node stopped, waiting for the release: {reason}");
                    wait.logged = Some(Instant::now());
                }
                wait.reason = reason.clone();
                self.detail = Some(reason);
                self.publish();
                self.schedule(RECHECK, Event::Recheck);
            }
            _ => {}
        }
    }

    fn recheck_release(&mut self) {
        if self.state != State::Waiting {
            return;
        }
        let Some(wait) = self.wait.as_mut() else {
            return;
        };
        if wait.checking {
            return;
        }
        wait.checking = true;
        let target = wait.target.clone();
        self.spawn_verify(target);
    }

    // ----- staging ------------------------------------------------------------------------

    /// Whether the upgrade to `version` is still wanted (announced, or awaited).
    fn wants(&self, version: &str) -> bool {
        self.pending.as_ref().is_some_and(|p| p.tag == version)
            || self.wait.as_ref().is_some_and(|w| w.target.version == version)
            || (self.planned(version).is_some() && !self.refused.iter().any(|r| r == version))
    }

    /// Starts staging `version` if the face can, its folder is missing and nothing is under
    /// way for it already.
    fn maybe_stage(&mut self, version: &str) {
        if !self.wants(version) {
            return;
        }
        let planned = self.planned(version).cloned();
        // One staging at a time, for the earliest planned upgrade: a later one (or a retry of
        // one that is no longer the earliest) waits its turn instead of taking the slot.
        if planned.is_some()
            && self.pending.as_ref().is_none_or(|p| p.tag != version)
            && self.wait.as_ref().is_none_or(|w| w.target.version != version)
            && self.earliest_to_stage().is_none_or(|p| p.version != version)
        {
            return;
        }
        // Without staging settings only a plan's reason not to download is worth reporting.
        let settings = match self.settings.staging.clone() {
            Some(settings) => Some(settings),
            None if planned.as_ref().is_some_and(|p| p.artifact.is_err()) => None,
            None => return,
        };
        let release = match &planned {
            Some(p) => p.release.clone(),
            None => match self.settings.release_for(version) {
                Ok(name) => name,
                Err(_) => return,
            },
        };
        if !self.face.needs_staging(&release.dir(self.home.root())) {
            return;
        }
        let (source, identity) = match planned.map(|p| (p.artifact, p.identity)) {
            Some((Ok(source), identity)) => (source, identity),
            Some((Err(why), _)) => {
                if self.staging.as_ref().is_none_or(|s| s.status.version != version) {
                    tracing::error!(version, folder = %release, "CANNOT DOWNLOAD THE RELEASE: {why}; provide its binary (add-upgrade), or fix the upgrade information");
                    self.staging = Some(Staging {
                        release: release.clone(),
                        running: false,
                        retry_scheduled: false,
                        status: StagingStatus {
                            version: version.to_owned(),
                            folder: release.to_string(),
                            phase: "failed".to_owned(),
                            bytes: 0,
                            total: None,
                            attempt: 0,
                            error: Some(why),
                            checksum: None,
                            verified: false,
                        },
                    });
                    self.publish();
                }
                return;
            }
            None => match settings.as_ref().and_then(|s| s.source.clone()) {
                Some(source) => (source, None),
                None => return,
            },
        };
        let Some(settings) = settings else { return };
        let attempt = match &self.staging {
            Some(s) if s.status.version == version && (s.running || s.retry_scheduled) => return,
            Some(s) if s.status.version == version => s.status.attempt + 1,
            _ => 1,
        };
        tracing::info!(version, folder = %release, attempt, "staging the release ahead of the upgrade");
        self.staging = Some(Staging {
            release: release.clone(),
            running: true,
            retry_scheduled: false,
            status: StagingStatus {
                version: version.to_owned(),
                folder: release.to_string(),
                phase: "resolving".to_owned(),
                bytes: 0,
                total: None,
                attempt,
                error: None,
                checksum: None,
                verified: false,
            },
        });
        self.publish();
        let job =
            StageJob { home: self.home.clone(), release, version: version.to_owned(), source, identity, settings };
        let (face, tx) = (Arc::clone(&self.face), self.events_tx.clone());
        // Its own thread and runtime: hashing, writing and unpacking never touch the dispatcher.
        let spawned = std::thread::Builder::new().name("staging".to_owned()).spawn(move || {
            let version = job.version.clone();
            let progress_tx = tx.clone();
            let mut progress = move |p: StageProgress| {
                let _ = progress_tx.send(Event::StageProgress(p));
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
            let _ = tx.send(Event::Staged { version, result });
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the staging thread");
            if let Some(s) = self.staging.as_mut() {
                s.running = false;
            }
        }
    }

    fn on_stage_progress(&mut self, progress: &StageProgress) {
        self.face.staging_progress(progress);
        let Some(staging) = self.staging.as_mut().filter(|s| s.status.version == progress.version) else { return };
        staging.status.phase = phase_name(progress.phase).to_owned();
        if progress.phase == StagePhase::Downloading {
            staging.status.bytes = progress.bytes;
            staging.status.total = progress.total;
        }
        self.publish();
    }

    fn on_staged(&mut self, version: String, result: Result<Staged, StageError>) {
        let Some(staging) = self.staging.as_mut().filter(|s| s.status.version == version) else { return };
        staging.running = false;
        match result {
            Ok(staged) => {
                staging.status.phase = "staged".to_owned();
                staging.status.error = None;
                staging.status.bytes = staged.bytes;
                staging.status.checksum = Some(staged.checksum.to_string());
                staging.status.verified = staged.verified;
                tracing::info!(
                    version,
                    folder = %staging.release,
                    bytes = staged.bytes,
                    checksum = %staged.checksum,
                    verified = staged.verified,
                    download_ms = staged.download.as_millis() as u64,
                    took_ms = staged.took.as_millis() as u64,
                    "release staged ahead of the upgrade"
                );
                self.face.staging_progress(&StageProgress {
                    version: version.clone(),
                    phase: StagePhase::Staged,
                    bytes: staged.bytes,
                    total: Some(staged.bytes),
                    bytes_per_second: 0,
                });
                if self.state == State::Waiting {
                    self.recheck_release();
                }
                // The next planned release, if any, is staged in its turn.
                self.stage_planned();
            }
            Err(e) => {
                let attempt = staging.status.attempt;
                let delay = STAGE_RETRY.saturating_mul(1 << (attempt.saturating_sub(1)).min(8)).min(STAGE_RETRY_MAX);
                staging.status.phase = "failed".to_owned();
                staging.status.error = Some(e.to_string());
                staging.retry_scheduled = true;
                tracing::error!(version, attempt, retry_in_s = delay.as_secs(), "CANNOT STAGE THE RELEASE: {e}");
                self.face.staging_progress(&StageProgress {
                    version: version.clone(),
                    phase: StagePhase::Failed,
                    bytes: 0,
                    total: None,
                    bytes_per_second: 0,
                });
                self.schedule(delay, Event::StageRetry { version });
            }
        }
        self.publish();
    }

    // ----- stopping -----------------------------------------------------------------------

    fn begin_stop(&mut self, why: StopWhy) {
        let policy = match why {
            StopWhy::Upgrade { .. } | StopWhy::AwaitRelease { .. } => self.active.stop,
            StopWhy::Crash | StopWhy::Exit(_) => StopPolicy { delay: Duration::ZERO, ..self.active.stop },
        };
        let processes = match self.node.as_mut() {
            Some(node) => {
                if let Some(poller) = node.poller.take() {
                    poller.abort();
                }
                node.processes.clone()
            }
            None => Vec::new(),
        };
        tracing::info!(reason = why.describe(), grace_ms = policy.grace.as_millis() as u64, "stopping the node");
        self.stop_why = Some(why);
        self.urgency.send_replace(match self.shutdown_signals {
            0 => Urgency::Normal,
            1 => Urgency::SkipDelay,
            _ => Urgency::KillNow,
        });
        let urgency = self.urgency.subscribe();
        let generation = self.generation;
        let cgroup = self.cgroup.clone();
        self.spawn_worker("stop", async move {
            let report = stop_all(&processes, policy, urgency, cgroup.as_deref()).await;
            Event::Stopped { generation, report }
        });
        self.set_state(State::Stopping, None);
    }

    fn on_stopped(&mut self, generation: u64, report: StopReport) {
        if generation != self.generation || self.state != State::Stopping {
            return;
        }
        let stopped_at = Instant::now();
        self.node = None;
        self.write_groups();
        tracing::info!(took_ms = report.took.as_millis() as u64, killed = report.killed, "node stopped");
        let Some(why) = self.stop_why.take() else {
            return;
        };
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        let downtime = Downtime { stop_signal_at: stopped_at - report.took, stop_took: report.took };
        match why {
            StopWhy::Crash => self.on_failure(),
            StopWhy::Exit(exit) => self.finish(exit),
            StopWhy::Upgrade { target, release } => {
                crate::fault::point("switch-node-stopped");
                self.downtime = Some(downtime);
                match self.settings.backup.clone() {
                    Some(settings) => self.begin_backup(settings, target, release),
                    None => self.begin_switch(target, release),
                }
            }
            StopWhy::AwaitRelease { target } => {
                // The node is down from now on: the wait for the release is downtime too.
                self.downtime = Some(downtime);
                self.maybe_stage(&target.version);
                self.wait = Some(Wait { target, reason: String::new(), logged: None, checking: false });
                self.set_state(State::Waiting, None);
                self.recheck_release();
            }
        }
    }

    fn on_failure(&mut self) {
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        let ran_for = self.launched_at.take().map(|t| t.elapsed());
        match self.restarts.on_failure(&self.active.restart, Instant::now(), ran_for) {
            RestartDecision::Restart { delay, remaining } => {
                tracing::warn!(
                    delay_ms = delay.as_millis() as u64,
                    remaining_restarts = remaining,
                    "restarting the node"
                );
                self.set_state(State::RestartDelay, Some(format!("restart in {} ms", delay.as_millis())));
                self.schedule(delay, Event::RestartDue { generation: self.generation });
            }
            RestartDecision::GiveUp { restarts } => {
                if self.try_rollback() {
                    return;
                }
                tracing::error!(restarts, "the node keeps failing and its restart budget is spent");
                self.finish(Exit::RestartBudget);
            }
        }
    }

    // ----- switching ----------------------------------------------------------------------

    fn begin_backup(&mut self, settings: crate::backup::BackupSettings, target: Target, release: ReleaseName) {
        let name = target.release.as_ref().map_or_else(|| target.version.clone(), ToString::to_string);
        let name = name.rsplit('/').next().unwrap_or(&name).to_owned();
        let dest = crate::backup::archive_path(&settings, &name);
        tracing::info!(source = %settings.source.display(), archive = %dest.display(), "backing up the node's data before the switch");
        let cancel = Arc::new(AtomicBool::new(false));
        self.backup_cancel = Some(Arc::clone(&cancel));
        self.switching = Some((target, release));
        self.set_state(State::BackingUp, Some(format!("backing up to {}", dest.display())));
        self.spawn_worker("backup", async move {
            let done = tokio::task::spawn_blocking(move || crate::backup::backup(&settings, &dest, &cancel));
            match done.await {
                Ok(result) => Event::BackedUp(result),
                Err(e) => Event::WorkerPanicked { worker: "backup", message: e.to_string() },
            }
        });
    }

    fn on_backed_up(&mut self, result: Result<BackupReport, BackupError>) {
        self.backup_cancel = None;
        let Some((target, release)) = self.switching.take() else { return };
        match result {
            Ok(report) => {
                self.backup_failures = 0;
                tracing::info!(
                    archive = %report.path.display(),
                    files = report.files,
                    bytes = report.bytes,
                    took_ms = report.took.as_millis() as u64,
                    "backup done"
                );
                crate::fault::point("switch-backed-up");
                if let Some(exit) = self.exit_requested {
                    self.upgrade_lock = None;
                    self.finish(exit);
                    return;
                }
                self.begin_switch(target, release);
            }
            Err(BackupError::Cancelled { read }) => {
                tracing::info!(read_bytes = read, "backup cancelled; the upgrade will happen at the next start");
                self.upgrade_lock = None;
                self.finish(self.exit_requested.unwrap_or(Exit::Clean));
            }
            Err(e) => {
                // Each retry stops the node again: back off, so a backup that cannot succeed
                // does not restart the node every minute forever.
                self.backup_failures = self.backup_failures.saturating_add(1);
                let delay = BACKUP_RETRY.saturating_mul(1 << (self.backup_failures - 1).min(6)).min(BACKUP_RETRY_MAX);
                tracing::error!(
                    version = target.version,
                    attempt = self.backup_failures,
                    retry_in_s = delay.as_secs(),
                    "{e}; the upgrade is not done: the old release starts again and the backup is retried later"
                );
                self.upgrade_lock = None;
                self.downtime = None;
                self.start_node(StartKind::CrashRestart);
                if self.state == State::Running {
                    self.detail = Some(format!(
                        "upgrade {}: backup failed (attempt {}), retrying in {} s: {e}",
                        target.version,
                        self.backup_failures,
                        delay.as_secs()
                    ));
                    self.publish();
                }
                self.due_seq += 1;
                self.schedule(delay, Event::Due { seq: self.due_seq });
            }
        }
    }

    fn begin_switch(&mut self, target: Target, release: ReleaseName) {
        let current = self.current_release();
        let from = match (&self.ran, &current) {
            (Some(ran), Some(now)) if ran != now => {
                tracing::warn!(ran = %ran, current = %now, "`current` was moved by hand while the node ran; the switch is recorded from the release that ran");
                Some(ran.clone())
            }
            (Some(ran), None) => Some(ran.clone()),
            _ => current,
        };
        let plan = SwitchPlan {
            from,
            to: release.clone(),
            version: target.version.clone(),
            height: target.height,
            rollback: target.rollback,
        };
        self.switching = Some((target, release));
        self.set_state(State::Switching, None);
        let (home, face) = (self.home.clone(), Arc::clone(&self.face));
        let verified = self.switching.as_ref().and_then(|(t, _)| t.fingerprint.clone());
        self.spawn_worker("switch", async move {
            let switched = tokio::task::spawn_blocking(move || {
                // Check, then act: the release as it is on disk now, just before the journal.
                crate::verify::recheck(face.as_ref(), &plan.to.dir(home.root()), verified.as_ref())?;
                let start = Instant::now();
                let hook = |record: &SwitchRecord| face.record_switch(record).map_err(|e| e.to_string());
                let result = switch(&home, &plan, &hook);
                Ok((result, start.elapsed()))
            });
            match switched.await {
                Ok(Ok((result, took))) => Event::Switched { result, took },
                Ok(Err(reason)) => Event::SwitchRefused(reason),
                Err(e) => Event::WorkerPanicked { worker: "switch", message: e.to_string() },
            }
        });
    }

    /// The target changed after it was verified: do what the face does when a release is not
    /// ready. A planned daemon upgrade restarts the old release and retries; a Vega core, halted
    /// at the upgrade point, waits for the release with the node stopped.
    fn on_switch_refused(&mut self, reason: &str) {
        let Some((mut target, release)) = self.switching.take() else { return };
        tracing::error!(version = target.version, folder = %release, "not switching: {reason}");
        self.upgrade_lock = None;
        target.fingerprint = None;
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        if target.release.is_some() {
            self.downtime = None;
            self.start_node(StartKind::CrashRestart);
            if self.state == State::Running {
                self.due_not_ready(&target, reason);
            }
        } else {
            self.wait = Some(Wait { target, reason: reason.to_owned(), logged: None, checking: false });
            self.set_state(State::Waiting, None);
            self.recheck_release();
        }
    }

    fn on_switched(&mut self, result: Result<SwitchRecord, SwitchError>, took: Duration) {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                tracing::error!("{e}");
                self.finish(Exit::UpgradeFailed);
                return;
            }
        };
        tracing::info!(
            from = ?record.from.as_ref().map(ToString::to_string),
            to = %record.to,
            version = record.version,
            took_ms = took.as_millis() as u64,
            "switched `current`"
        );
        if let Some(lock) = self.upgrade_lock.take() {
            // Removed while still held, as Nymvisor does: its presence means an upgrade is under way.
            let _ = std::fs::remove_file(lock.path());
        }
        let target = self.switching.take().map(|(t, _)| t).unwrap_or_default();
        self.restarts.reset();
        self.pending = None;
        if !record.rollback && record.height.is_some() {
            self.resume = Some(Resume { record_id: record.id.clone(), height: record.height });
        }
        self.last_switch = Some(record.clone());
        self.reload_plan();
        if let Some(exit) = self.exit_requested {
            self.finish(exit);
            return;
        }
        if !record.rollback && (target.manual || !self.settings.restart_after_upgrade) {
            let why = if target.manual { "the upgrade is manual" } else { "restart after upgrade is off" };
            tracing::warn!(release = %record.to, "switched; the new release is not started because {why}: finish the upgrade and start the visor again");
            self.finish(Exit::Clean);
            return;
        }
        self.start_node(StartKind::AfterUpgrade);
        self.begin_probation(&record);
        crate::fault::point("switch-node-started");
        let (Some(downtime), State::Running) = (self.downtime.take(), &self.state) else {
            self.publish();
            return;
        };
        let total = downtime.stop_signal_at.elapsed();
        let downtime_ms = total.as_millis() as u64;
        tracing::info!(
            downtime_ms,
            downtime_us = total.as_micros() as u64,
            stop_ms = downtime.stop_took.as_millis() as u64,
            switch_and_spawn_us = total.saturating_sub(downtime.stop_took).as_micros() as u64,
            "upgrade done"
        );
        if let Some(last) = self.last_switch.as_mut() {
            last.downtime_ms = Some(downtime_ms);
            let (path, id) = (self.home.history_file(), last.id.clone());
            tokio::task::spawn_blocking(move || {
                if let Err(e) = History::update(&path, |h| {
                    if let Some(r) = h.find_mut(&id) {
                        r.downtime_ms = Some(downtime_ms);
                    }
                }) {
                    tracing::warn!(error = %e, "cannot record the downtime in the history");
                }
            });
        }
        self.publish();
    }

    // ----- signals, exits, config -----------------------------------------------------------

    fn on_signal(&mut self, kind: SignalKind) {
        let name = match kind {
            SignalKind::Reload => {
                self.reload("SIGHUP");
                return;
            }
            SignalKind::Shutdown(name) => name,
        };
        self.shutdown_signals += 1;
        self.exit_requested.get_or_insert(Exit::Clean);
        match self.state {
            State::Running | State::Verifying => {
                tracing::info!(signal = name, "shutdown requested: stopping the node");
                self.begin_stop(StopWhy::Exit(Exit::Clean));
            }
            State::Stopping if self.shutdown_signals >= 2 => {
                tracing::warn!(signal = name, "second shutdown signal: killing the node now");
                self.urgency.send_replace(Urgency::KillNow);
            }
            State::Stopping => {
                tracing::info!(signal = name, "shutdown requested: the node is already stopping");
                self.urgency.send_if_modified(|u| {
                    let raised = *u < Urgency::SkipDelay;
                    *u = (*u).max(Urgency::SkipDelay);
                    raised
                });
            }
            State::Starting if self.prepared.is_some() => {
                // Nothing runs yet: only the data node's query, which dies with the visor.
                tracing::info!(signal = name, "shutdown requested before the node started");
                self.prepared = None;
                self.finish(Exit::Clean);
            }
            State::RestartDelay | State::Waiting => {
                tracing::info!(signal = name, "shutdown requested");
                self.finish(Exit::Clean);
            }
            State::BackingUp => {
                tracing::info!(signal = name, "shutdown requested: cancelling the backup");
                if let Some(cancel) = &self.backup_cancel {
                    cancel.store(true, Ordering::Relaxed);
                }
            }
            State::Starting | State::Switching => {
                tracing::info!(signal = name, "shutdown requested: finishing the current step first");
            }
            State::Done(_) => {}
        }
    }

    fn on_exited(&mut self, exited: ExitedEvent) {
        if exited.generation != self.generation {
            return;
        }
        let status = describe_status(&exited.status);
        match self.state {
            State::Running | State::Verifying => {
                tracing::error!(
                    role = exited.role,
                    status,
                    "process stopped unexpectedly; stopping the rest of the node"
                );
                self.begin_stop(StopWhy::Crash);
            }
            _ => tracing::debug!(role = exited.role, status, "process exited"),
        }
    }

    fn request_exit(&mut self, exit: Exit) {
        self.exit_requested = Some(exit);
        if self.node.is_some() && self.state != State::Stopping {
            self.begin_stop(StopWhy::Exit(exit));
        } else if self.node.is_none() {
            self.finish(exit);
        }
    }

    fn on_config_event(&mut self) {
        if !self.reload_pending {
            self.reload_pending = true;
            self.schedule(RELOAD_DEBOUNCE, Event::ReloadDue);
        }
    }

    fn reload(&mut self, origin: &'static str) {
        match self.face.load_settings() {
            Ok(settings) => {
                if settings != self.settings {
                    tracing::info!(origin, "configuration reloaded");
                } else {
                    tracing::debug!(origin, "configuration re-read, nothing changed");
                }
                self.polling.send_replace((settings.poll_interval, settings.retry_interval, settings.request_timeout));
                let upstream_changed = settings.upstream != self.settings.upstream;
                self.settings = settings;
                if upstream_changed {
                    self.start_upstream();
                }
            }
            Err(e) => tracing::error!(origin, "configuration not reloaded, keeping the previous settings: {e}"),
        }
        self.reload_plan();
    }

    // ----- helpers ------------------------------------------------------------------------

    fn schedule(&self, after: Duration, event: Event) {
        let tx = self.events_tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let _ = tx.send(event);
        });
    }

    fn finish(&mut self, exit: Exit) {
        self.set_state(State::Done(exit), None);
    }

    async fn finish_cleanup(mut self, exit: Exit) {
        self.node = None;
        let document = self.status_document();
        let Self { status, records, cgroup, .. } = self;
        records.finish().await;
        drop(cgroup);
        status.finish(document).await;
        tracing::info!(exit_code = exit.code(), reason = %exit, "visor stopped");
    }

    fn set_state(&mut self, state: State, detail: Option<String>) {
        self.state = state;
        self.detail = detail;
        self.publish();
    }

    fn status_document(&self) -> Status {
        let release = match self.home.read_current() {
            // What runs, not what `current` was moved to by hand meanwhile.
            _ if self.node.is_some() && self.ran.is_some() => self.ran.as_ref().map(ToString::to_string),
            Ok(CurrentLink::Release(name)) => Some(name.to_string()),
            Ok(CurrentLink::Directory) => Some("current (a folder)".to_owned()),
            Ok(CurrentLink::Outside(path)) => Some(path.display().to_string()),
            _ => None,
        };
        let processes = self
            .node
            .iter()
            .flat_map(|n| &n.processes)
            .filter(|p| p.exit_status().is_none())
            .map(|p| ProcessStatus {
                role: p.role.clone(),
                pid: p.pid,
                since: jiff::Timestamp::try_from(p.since).map(|t| t.to_string()).unwrap_or_default(),
            })
            .collect();
        let pending = self
            .pending
            .as_ref()
            .map(|p| {
                let folder = self.settings.release_for(&p.tag).ok();
                PendingStatus {
                    version: p.tag.clone(),
                    height: Some(p.height),
                    at: None,
                    name: None,
                    folder_present: folder.as_ref().is_some_and(|f| f.dir(self.home.root()).is_dir()),
                    folder: folder.map(|f| f.to_string()),
                }
            })
            .or_else(|| {
                self.next_planned().map(|p| PendingStatus {
                    version: p.version.clone(),
                    height: None,
                    at: Some(p.at.to_string()),
                    name: Some(p.name.clone()),
                    folder_present: !self.face.needs_staging(&p.release.dir(self.home.root())),
                    folder: Some(p.release.to_string()),
                })
            });
        let pid = std::process::id();
        Status {
            version: 1,
            visor_pid: if matches!(self.state, State::Done(_)) { 0 } else { pid },
            visor_start_time: proc_start_time(pid as i32).unwrap_or(0),
            state: self.state.name().to_owned(),
            detail: self.detail.clone(),
            release,
            processes,
            pending,
            staging: self.staging.as_ref().map(|s| s.status.clone()),
            restarts: self.restarts.clone().used(&self.active.restart, Instant::now()),
            last_switch: self.last_switch.clone(),
            updated_at: jiff::Timestamp::now().to_string(),
        }
    }

    fn publish(&self) {
        self.status.publish(self.status_document());
    }

    /// Records the running groups for the orphan sweep of a later visor.
    fn write_groups(&self) {
        let records: Vec<GroupRecord> = self
            .node
            .iter()
            .flat_map(|n| &n.processes)
            .filter_map(|p| {
                Some(GroupRecord { role: p.role.clone(), pgid: p.pgid(), start_time: proc_start_time(p.pid as i32)? })
            })
            .collect();
        self.records.publish(records);
    }
}

impl StopWhy {
    fn describe(&self) -> &'static str {
        match self {
            Self::Crash => "a process stopped unexpectedly",
            Self::Upgrade { .. } => "upgrade",
            Self::AwaitRelease { .. } => "upgrade point reached, release not ready",
            Self::Exit(Exit::Clean) => "shutdown",
            Self::Exit(_) => "fatal condition",
        }
    }
}

fn phase_name(phase: StagePhase) -> &'static str {
    match phase {
        StagePhase::Resolving => "resolving",
        StagePhase::Downloading => "downloading",
        StagePhase::Unpacking => "unpacking",
        StagePhase::Verifying => "verifying",
        StagePhase::Staged => "staged",
        StagePhase::Failed => "failed",
    }
}

/// Whether `name` is a complete release (for recovery of an interrupted switch).
fn release_complete(face: &dyn Face, home: &Home, name: &ReleaseName) -> bool {
    let dir = name.dir(home.root());
    dir.is_dir() && face.read_release(&dir).is_ok_and(|spec| check_binaries(&spec).is_ok())
}

/// `current` → `genesis` when `current` is missing or dangling. Genesis is read first, so an
/// invalid run configuration is reported before the link is made.
fn ensure_current(face: &dyn Face, home: &Home) -> Result<(), Exit> {
    let link = home.read_current().map_err(|e| {
        tracing::error!(path = %home.current().display(), error = %e, "cannot read `current`");
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
            "the home folder has no `genesis` release folder and no valid `current`; run `visor init --home {}` or create it",
            home.root().display()
        );
        return Err(Exit::Config);
    }
    if let Err(e) = face.read_release(&genesis.dir(home.root())) {
        tracing::error!("{e}");
        return Err(Exit::Config);
    }
    home.point_current(&genesis).map_err(|e| {
        tracing::error!(error = %e, "cannot point `current` at genesis");
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
        crate::backup::remove_partials(&backup.dir);
    }
}

/// Reaps processes the visor adopted (as a subreaper) when they exit: nobody else waits for
/// them. Runs on SIGCHLD, off the dispatcher.
fn spawn_reaper() {
    let Ok(mut child) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child()) else { return };
    tokio::spawn(async move {
        while child.recv().await.is_some() {
            let _ = tokio::task::spawn_blocking(crate::supervise::reap_adopted).await;
        }
    });
}

fn spawn_signal_task(tx: mpsc::UnboundedSender<Event>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind as Kind, signal};
    let mut int = signal(Kind::interrupt())?;
    let mut term = signal(Kind::terminate())?;
    let mut quit = signal(Kind::quit())?;
    let mut hup = signal(Kind::hangup())?;
    tokio::spawn(async move {
        loop {
            let kind = tokio::select! {
                _ = int.recv() => SignalKind::Shutdown("SIGINT"),
                _ = term.recv() => SignalKind::Shutdown("SIGTERM"),
                _ = quit.recv() => SignalKind::Shutdown("SIGQUIT"),
                _ = hup.recv() => SignalKind::Reload,
            };
            if tx.send(Event::Signal(kind)).is_err() {
                return;
            }
        }
    });
    Ok(())
}
