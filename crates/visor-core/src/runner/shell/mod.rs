//! The shell around the machine: it turns the world into [`Event`]s (signals, process exits,
//! admin polls, file changes, timers, workers' results), feeds them to the machine with the
//! time, and carries out the [`Effect`]s it answers with. Effects that take time run as tasks
//! or on threads and come back as events; the only work done on the loop itself is what must
//! happen on this thread (forking the node's processes, whose parent-death signal follows the
//! forking thread) or takes no time (arming a timer, setting a flag).

mod effects;
mod setup;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::event::{Effect, Event, Now, SignalKind, Ticket};
use super::machine::{Machine, Start};
use super::store::Store;
use crate::exit::Exit;
use crate::home::Home;
use crate::lock::HomeLock;
use crate::node::Face;
use crate::status::Status;
use crate::supervise::{ExitedEvent, NodeCgroup, NodeRecord, ProcessHandle, Urgency};
use crate::telemetry::{Reporting, Telemetry};
use crate::watch::watch_files;

/// The node's processes as the shell holds them (the machine knows their roles and PIDs).
struct Node {
    ticket: Ticket,
    processes: Vec<ProcessHandle>,
    poller: Option<tokio::task::JoinHandle<()>>,
}

/// What the shell owns while the loop runs.
struct Shell {
    face: Arc<dyn Face>,
    home: Home,
    events: mpsc::UnboundedSender<Event>,
    exits: mpsc::UnboundedSender<ExitedEvent>,
    store: Store,
    node: Option<Node>,
    cgroup: Option<Arc<NodeCgroup>>,
    tag: Option<String>,
    urgency: watch::Sender<Urgency>,
    polling: watch::Sender<(Duration, Duration, Duration)>,
    upgrade_lock: Option<HomeLock>,
    backup_cancel: Option<Arc<AtomicBool>>,
    upstream: Option<tokio::task::JoinHandle<()>>,
    height_poll: Option<tokio::task::JoinHandle<()>>,
    announcements: Option<tokio::task::JoinHandle<()>>,
    last_status: Option<Status>,
    telemetry: Telemetry,
    /// Set by the machine's last effect.
    exit: Option<Exit>,
}

/// Runs the node of `home` until a signal or a fatal condition; returns how the run ended.
///
/// Call it on a current-thread runtime from the main thread: child processes are forked by
/// the loop's thread and their parent-death signal follows that thread.
pub async fn run<F: Face>(face: F, home: Home, reporting: Reporting) -> Exit {
    let face: Arc<dyn Face> = Arc::new(face);
    // Before anything is spawned: whatever the node's processes leave behind comes back to us.
    crate::supervise::become_subreaper();
    let prepared = match setup::prepare(face.as_ref(), &home).await {
        Ok(prepared) => prepared,
        Err(exit) => return exit,
    };
    let telemetry = match Telemetry::start(&reporting).await {
        Ok(telemetry) => telemetry,
        Err(e) => {
            tracing::error!("{e}");
            return Exit::Config;
        }
    };
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (exits_tx, mut exits) = mpsc::unbounded_channel::<ExitedEvent>();
    let (config_tx, mut config) = mpsc::unbounded_channel();
    let _watch = watch_files(face.watched_files(), face.watch_poll_interval(), config_tx);
    if let Err(e) = spawn_signal_task(events_tx.clone()) {
        tracing::error!(error = e.to_string(), "cannot install signal handlers");
        return Exit::Internal;
    }
    spawn_reaper();
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
    // On disk before anything runs in it: a visor killed right after spawning must not leave
    // the next one a cgroup it does not know about.
    let record = NodeRecord { cgroup: cgroup_dir.clone(), ..NodeRecord::default() };
    if let Err(e) = crate::durable::write_json_atomic(&home.groups_file(), &record) {
        tracing::warn!(path = %home.groups_file().display(), error = e.to_string(), "cannot record the node's cgroup");
    }
    let settings = prepared.settings;
    // Without an admin source nothing is polled: the timing only has to be something.
    let timing = settings
        .admin
        .map_or((Duration::from_secs(3600), Duration::from_secs(3600), Duration::from_secs(5)), |a| a.timing(false));
    let polling = watch::channel(timing).0;
    let pid = std::process::id();
    let start = Start {
        settings,
        current: prepared.current,
        last_switch: prepared.last_switch,
        resume: prepared.resume,
        visor_pid: pid,
        visor_start_time: crate::supervise::proc_start_time(pid as i32).unwrap_or(0),
        hints: face.hints(),
        kept_data: prepared.kept_data,
        chain_height: prepared.chain_height,
        metrics_address: telemetry.metrics_address().map(|a| a.to_string()),
    };
    let mut machine = Machine::new(start, Now::real());
    let mut shell = Shell {
        store: Store::start(&home, Arc::clone(&face), cgroup_dir, events_tx.clone()),
        face,
        home,
        events: events_tx,
        exits: exits_tx,
        node: None,
        cgroup,
        tag: prepared.tag,
        urgency: watch::channel(Urgency::Normal).0,
        polling,
        upgrade_lock: None,
        backup_cancel: None,
        upstream: None,
        height_poll: None,
        announcements: None,
        last_status: None,
        telemetry,
        exit: None,
    };
    // The watchdog is fed by the loop's own turns: a loop that stops turning stops feeding it.
    let mut ticks = shell.telemetry.tick_every().map(|every| {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks
    });
    let _lock = prepared.lock;
    let mut next = Some(Event::Begin);
    let exit = loop {
        if let Some(event) = next.take() {
            shell.telemetry.event(&event);
            let effects = machine.handle(event, Now::real());
            for effect in effects {
                shell.carry_out(effect);
            }
        }
        if let Some(exit) = shell.exit {
            break exit;
        }
        next = tokio::select! {
            Some(event) = events.recv() => Some(shell.intercept(event)),
            Some(exited) = exits.recv() => Some(Event::Exited {
                ticket: Ticket(exited.generation),
                role: exited.role,
                status: crate::supervise::describe_status(&exited.status),
                code: exited.status.code(),
            }),
            Some(()) = config.recv() => Some(Event::ConfigChanged),
            _ = tick(&mut ticks) => {
                shell.telemetry.tick();
                None
            }
        };
    };
    shell.finish(exit).await;
    exit
}

impl Shell {
    /// Bookkeeping of the shell's own handles before the machine hears of an event.
    fn intercept(&mut self, event: Event) -> Event {
        // The next planned upgrade (the first due) is verified ahead; the others when their
        // turn comes: a long queue costs one verification per plan reading, not one each.
        if let Event::PlanRead { result: Ok(planned) } = &event
            && let Some(next) = planned.iter().filter(|p| p.present).min_by_key(|p| p.upgrade.trigger.at())
            && let Some(release) = &next.upgrade.release
        {
            let u = &next.upgrade;
            self.verify_ahead(release.dir(self.home.root()), u.version.clone(), u.identity.clone(), u.checksum.clone());
        }
        if let Event::Stopped { ticket, .. } = &event
            && self.node.as_ref().is_some_and(|n| n.ticket == *ticket)
        {
            self.node = None;
            self.store.groups(Vec::new());
        }
        event
    }

    async fn finish(mut self, exit: Exit) {
        if let Some(node) = self.node.take()
            && let Some(poller) = node.poller
        {
            poller.abort();
        }
        let status = self.last_status.take().unwrap_or_default();
        let Self { store, cgroup, telemetry, .. } = self;
        telemetry.finish();
        drop(cgroup);
        store.finish(status).await;
        tracing::info!(exit_code = exit.code(), reason = exit.to_string(), "{} stopped", crate::lock::program_name());
    }

    /// Carries `effect` out; what takes time answers later with an event.
    fn carry_out(&mut self, effect: Effect) {
        match effect {
            Effect::Resolve { ticket } => self.resolve(ticket),
            Effect::QuerySegment { ticket, data_node } => self.query_segment(ticket, data_node),
            Effect::Launch { ticket, spec } => self.launch(ticket, &spec),
            Effect::StartPoller { ticket, endpoint } => self.start_poller(ticket, endpoint),
            Effect::PollTiming(interval, retry, timeout) => {
                let timing = (interval, retry, timeout);
                self.polling.send_if_modified(|now| std::mem::replace(now, timing) != timing);
            }
            Effect::Stop { ticket, policy } => self.stop(ticket, policy),
            Effect::Urgency(urgency) => {
                self.urgency.send_replace(urgency);
            }
            Effect::Verify { ticket, target, release, room } => self.verify(ticket, target, release, room),
            Effect::LockUpgrade { ticket, path, planned } => self.lock_upgrade(ticket, &path, planned),
            Effect::UnlockUpgrade { remove } => {
                if let Some(lock) = self.upgrade_lock.take()
                    && remove
                {
                    // Removed while still held, as Nymvisor does: its presence means an upgrade
                    // is under way.
                    let _ = std::fs::remove_file(lock.path());
                }
            }
            Effect::Backup { ticket, settings, what } => self.backup(ticket, settings, what),
            Effect::SealBackup { path, settings } => self.seal_backup(path, settings),
            Effect::Restore { ticket, backup, sources } => self.restore(ticket, backup, sources),
            Effect::ReleaseKept => {
                let journal = self.home.restore_journal();
                self.blocking_quiet(move || crate::backup::restore::release_kept(&journal));
            }
            Effect::ShowWork(progress) => self.face.work_progress(&progress),
            Effect::CancelBackup => {
                if let Some(cancel) = &self.backup_cancel {
                    cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            Effect::Switch { ticket, plan, verified } => self.switch(ticket, plan, verified),
            Effect::Stage { ticket, request } => self.stage(ticket, request),
            Effect::ShowProgress(progress) => self.face.staging_progress(&progress),
            Effect::ReportAnnounced(check) => self.report_announced(&check),
            Effect::Arm { ticket, timer, at } => {
                let tx = self.events.clone();
                tokio::spawn(async move {
                    tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
                    let _ = tx.send(Event::Timer { ticket, timer });
                });
            }
            Effect::LoadSettings { origin } => self.load_settings(origin),
            Effect::ReadPlan => self.read_plan(),
            Effect::StartUpstream(settings) => self.start_upstream(settings),
            Effect::StopUpstream => {
                if let Some(task) = self.upstream.take() {
                    task.abort();
                }
            }
            Effect::HandleUpstream { url, body } => self.handle_upstream(url, body),
            Effect::StartHeightPoll(settings) => self.start_height_poll(settings),
            Effect::StartAnnouncements(interval) => self.start_announcements(interval),
            Effect::StopAnnouncements => {
                if let Some(task) = self.announcements.take() {
                    task.abort();
                }
            }
            Effect::StopHeightPoll => {
                if let Some(task) = self.height_poll.take() {
                    task.abort();
                }
            }
            Effect::Persist(cmd) => self.store.apply(cmd),
            Effect::Publish(status) => {
                self.telemetry.publish(&status);
                self.store.publish((*status).clone());
                self.last_status = Some(*status);
            }
            Effect::Observe(observation) => self.telemetry.observe(&observation),
            Effect::Fault(step) => crate::fault::point(step),
            Effect::Exit(exit) => self.exit = Some(exit),
        }
    }
}

/// The next tick, or never when nothing listens.
async fn tick(ticks: &mut Option<tokio::time::Interval>) {
    match ticks {
        Some(ticks) => {
            ticks.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Reaps processes the visor adopted (as a subreaper) when they exit: nobody else waits for
/// them. Runs on SIGCHLD, off the loop.
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
