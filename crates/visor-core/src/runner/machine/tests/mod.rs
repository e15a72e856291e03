//! Every transition of the run loop, with a fake clock: events in, effects out, no I/O.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::{Machine, Start};
use crate::backup::{BackupError, BackupSettings};
use crate::exit::Exit;
use crate::history::SwitchRecord;
use crate::node::{AdminSettings, ConnectionBudget, NodeSpec, Protocol, Settings};
use crate::release::ReleaseName;
use crate::runner::event::{Effect, Event, Now, Planned, ProcessInfo, SignalKind, StoreCmd, Ticket, Timer};
use crate::runner::state::{State, StopWhy};
use crate::source::{AcceptedRelease, AdminEndpoint, AdminError, UpgradeStatus};
use crate::supervise::{ProcessSpec, RestartPolicy, StopPolicy, StopReport, Urgency};
use crate::switch::SwitchError;
use crate::upgrade::{Trigger, Upgrade};

fn name(n: &str) -> ReleaseName {
    ReleaseName::new(n).unwrap()
}

fn settings() -> Settings {
    Settings {
        restart: RestartPolicy {
            max_delay: None,
            max_restarts: 2,
            delay: Duration::from_secs(5),
            window: Some(Duration::from_secs(3600)),
            reset_after: None,
        },
        stop: StopPolicy { delay: Duration::ZERO, signal: Signal::SIGTERM, grace: Duration::from_secs(10) },
        admin: Some(AdminSettings {
            connection: ConnectionBudget { first: 3, after_restart: 3 },
            poll_interval: Duration::from_millis(500),
            announced_interval: Duration::from_millis(20),
            retry_interval: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
        }),
        release_folders: Default::default(),
        staging: None,
        upstream: None,
        backup: None,
        upgrade_lock: None,
        probation: None,
        restart_after_upgrade: true,
        chain_height: None,
        ends_with_node: false,
        announcements: None,
    }
}

fn vega_spec() -> NodeSpec {
    NodeSpec {
        processes: vec![ProcessSpec { role: "core".into(), program: "/bin/vega".into(), args: vec!["start".into()] }],
        protocol: Protocol::Vega { admin: AdminEndpoint { socket: "/run/vega.sock".into(), http_path: "/rpc".into() } },
    }
}

fn daemon_spec() -> NodeSpec {
    NodeSpec {
        processes: vec![ProcessSpec { role: "daemon".into(), program: "/bin/nym-node".into(), args: vec![] }],
        protocol: Protocol::Daemon,
    }
}

fn record(id: &str, from: &str, to: &str, rollback: bool) -> SwitchRecord {
    SwitchRecord {
        id: id.into(),
        from: Some(name(from)),
        to: name(to),
        version: to.into(),
        height: if rollback { None } else { Some(100) },
        switched_at: "2026-01-01T00:00:00Z".parse().unwrap(),
        downtime_ms: None,
        confirmed_at: None,
        rollback,
        backup: None,
    }
}

/// A machine with a fake clock, and what it asked for last.
struct World {
    machine: Machine,
    now: Now,
    effects: Vec<Effect>,
    spec: NodeSpec,
    /// The plan the face's files hold, as the last reading said.
    plan: Vec<Planned>,
}

impl World {
    fn new(settings: Settings, spec: NodeSpec) -> Self {
        let now = Now { instant: Instant::now(), wall: "2026-06-01T12:00:00Z".parse().unwrap() };
        let start = Start {
            settings,
            current: Some(name("genesis")),
            last_switch: None,
            resume: None,
            visor_pid: 42,
            visor_start_time: 1,
            hints: Default::default(),
            kept_data: false,
            metrics_address: None,
            chain_height: None,
        };
        Self { machine: Machine::new(start, now), now, effects: Vec::new(), spec, plan: Vec::new() }
    }

    fn send(&mut self, event: Event) -> &[Effect] {
        if let Event::PlanRead { result: Ok(plan) } = &event {
            self.plan.clone_from(plan);
        }
        self.effects = self.machine.handle(event, self.now);
        &self.effects
    }

    fn advance(&mut self, by: Duration) {
        self.now.instant += by;
        self.now.wall += jiff::SignedDuration::try_from(by).unwrap();
    }

    fn state(&self) -> &State {
        self.machine.state()
    }

    fn find<T>(&self, pick: impl Fn(&Effect) -> Option<T>) -> Option<T> {
        self.effects.iter().find_map(pick)
    }

    fn has(&self, pick: impl Fn(&Effect) -> bool) -> bool {
        self.effects.iter().any(pick)
    }

    fn exited(&self) -> Option<Exit> {
        self.find(|e| if let Effect::Exit(x) = e { Some(*x) } else { None })
    }

    /// Fires the last armed timer of this kind, moving the clock to its time.
    fn fire(&mut self, kind: fn(&Timer) -> bool, armed: &[(Ticket, Timer, Instant)]) -> &[Effect] {
        let (ticket, timer, at) = armed.iter().rev().find(|(_, t, _)| kind(t)).cloned().expect("timer armed");
        if at > self.now.instant {
            self.advance(at - self.now.instant);
        }
        self.send(Event::Timer { ticket, timer })
    }

    fn armed(&self) -> Vec<(Ticket, Timer, Instant)> {
        self.effects
            .iter()
            .filter_map(|e| {
                if let Effect::Arm { ticket, timer, at } = e { Some((*ticket, timer.clone(), *at)) } else { None }
            })
            .collect()
    }

    /// Begin → resolve → launch → running; returns the node's generation.
    fn start(&mut self) -> Ticket {
        self.send(Event::Begin);
        let mut begun = std::mem::take(&mut self.effects);
        self.send(Event::PlanRead { result: Ok(Vec::new()) });
        begun.append(&mut self.effects);
        self.effects = begun;
        self.run_start()
    }

    /// Carries a start that was asked for through to a running node.
    fn run_start(&mut self) -> Ticket {
        let ticket =
            self.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).expect("resolve");
        let spec = self.spec.clone();
        self.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), spec)) });
        assert!(self.has(|e| matches!(e, Effect::Launch { .. })), "{:?}", self.effects);
        let processes = vec![ProcessInfo { role: "core".into(), pid: 100, since: self.now.wall }];
        self.send(Event::Launched { ticket, processes, error: None });
        assert_eq!(self.state(), &State::Running);
        ticket
    }

    fn stop_ticket(&self) -> Ticket {
        self.find(|e| if let Effect::Stop { ticket, .. } = e { Some(*ticket) } else { None }).expect("stop")
    }

    fn stopped(&mut self, ticket: Ticket, took: Duration) -> &[Effect] {
        self.send(Event::Stopped { ticket, report: StopReport { took, killed: false } })
    }

    fn crash(&mut self, generation: Ticket) {
        self.send(Event::Exited {
            ticket: generation,
            role: "core".into(),
            status: "exit status 1".into(),
            code: Some(1),
        });
        let stop = self.stop_ticket();
        assert!(self.has(|e| matches!(e, Effect::ReadPlan)), "the plan is read after the node's own exit");
        self.stopped(stop, Duration::from_millis(1));
        // The decision waits for that reading: the files say what they said.
        let plan = self.plan.clone();
        self.send(Event::PlanRead { result: Ok(plan) });
    }
}

fn timeout() -> AdminError {
    AdminError::Timeout { socket: "/run/vega.sock".into(), timeout_ms: 5000 }
}

fn ready(tag: &str) -> UpgradeStatus {
    UpgradeStatus { accepted: Some(AcceptedRelease { tag: tag.into(), height: 100 }), ready: true }
}

#[test]
fn an_announced_upgrade_is_polled_fast_until_it_is_no_longer_announced() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    let timing = |w: &World| w.find(|e| if let Effect::PollTiming(i, ..) = e { Some(*i) } else { None });
    let announced = UpgradeStatus { accepted: Some(AcceptedRelease { tag: "v2".into(), height: 100 }), ready: false };
    w.send(Event::Poll { ticket: generation, result: Ok(announced.clone()) });
    assert_eq!(timing(&w), Some(Duration::from_millis(20)), "the core halts at the height: noticed within 20 ms");
    w.effects.clear();
    w.send(Event::Poll { ticket: generation, result: Ok(announced) });
    assert_eq!(timing(&w), None, "said once");
    w.send(Event::Poll { ticket: generation, result: Ok(UpgradeStatus { accepted: None, ready: false }) });
    assert_eq!(timing(&w), Some(Duration::from_millis(500)), "back to the configured interval");
}

#[test]
fn a_first_start_resolves_launches_and_polls_the_core() {
    let mut w = World::new(settings(), vega_spec());
    w.send(Event::Begin);
    assert!(w.has(|e| matches!(e, Effect::ReadPlan)));
    assert!(w.has(|e| matches!(e, Effect::Resolve { .. })));
    assert!(matches!(w.state(), State::Starting { .. }));
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    let spec = w.spec.clone();
    // The first launch waits for the first reading of the plan (it may add a halt height).
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), spec)) });
    assert!(!w.has(|e| matches!(e, Effect::Launch { .. })));
    w.send(Event::PlanRead { result: Ok(Vec::new()) });
    assert!(w.has(|e| matches!(e, Effect::Launch { .. })));
    // The poller was asked for with the launch.
    assert!(w.has(|e| matches!(e, Effect::StartPoller { .. })));
    let processes = vec![ProcessInfo { role: "core".into(), pid: 100, since: w.now.wall }];
    w.send(Event::Launched { ticket, processes, error: None });
    assert_eq!(w.state(), &State::Running);
}

#[test]
fn a_crash_without_a_delay_restarts_at_once_without_a_timer() {
    let mut s = settings();
    s.restart.delay = Duration::ZERO;
    let mut w = World::new(s, daemon_spec());
    let generation = w.start();
    w.effects.clear();
    w.crash(generation);
    assert!(matches!(w.state(), State::Starting { .. }), "{:?}", w.state());
    assert!(!w.armed().iter().any(|(_, t, _)| *t == Timer::Restart));
    assert!(w.has(|e| matches!(e, Effect::Resolve { .. })));
}

#[test]
fn a_crash_restarts_after_the_delay_and_the_budget_ends_the_run() {
    let mut w = World::new(settings(), daemon_spec());
    let mut generation = w.start();
    for remaining in [1, 0] {
        w.crash(generation);
        assert!(matches!(w.state(), State::RestartDelay { .. }), "{remaining}");
        let armed = w.armed();
        let (_, _, at) = armed.iter().find(|(_, t, _)| *t == Timer::Restart).cloned().unwrap();
        assert_eq!(at - w.now.instant, Duration::from_secs(5), "the configured delay, on the fake clock");
        w.fire(|t| *t == Timer::Restart, &armed);
        generation = w.run_start();
    }
    w.crash(generation);
    assert_eq!(w.exited(), Some(Exit::RestartBudget));
    assert_eq!(w.state(), &State::Done(Exit::RestartBudget));
}

#[test]
fn restarts_older_than_the_window_stop_counting() {
    let mut w = World::new(settings(), daemon_spec());
    let mut generation = w.start();
    for _ in 0..6 {
        w.crash(generation);
        assert!(matches!(w.state(), State::RestartDelay { .. }), "never spent: each crash is two hours apart");
        let armed = w.armed();
        w.fire(|t| *t == Timer::Restart, &armed);
        generation = w.run_start();
        w.advance(Duration::from_secs(7200));
    }
}

#[test]
fn a_stale_result_is_dropped() {
    let mut w = World::new(settings(), daemon_spec());
    let generation = w.start();
    // An exit of an older generation, a stop nobody asked for, a verification never requested.
    w.send(Event::Exited {
        ticket: Ticket(generation.0 + 100),
        role: "core".into(),
        status: "killed".into(),
        code: None,
    });
    assert_eq!(w.state(), &State::Running);
    w.send(Event::Stopped { ticket: generation, report: StopReport { took: Duration::ZERO, killed: false } });
    assert_eq!(w.state(), &State::Running);
    w.send(Event::Verified {
        ticket: Ticket(999),
        target: Default::default(),
        result: Ok((name("v2"), daemon_spec())),
    });
    assert_eq!(w.state(), &State::Running);
    assert!(w.effects.is_empty(), "{:?}", w.effects);
}

#[test]
fn a_second_signal_during_the_stop_kills_at_once() {
    let mut w = World::new(settings(), vega_spec());
    w.start();
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    assert!(matches!(w.state(), State::Stopping { why: StopWhy::Exit(Exit::Clean), .. }));
    assert_eq!(w.state().name(), "shutting-down");
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    assert!(w.has(|e| matches!(e, Effect::Urgency(Urgency::KillNow))));
    let stop = match w.state() {
        State::Stopping { ticket, .. } => *ticket,
        other => panic!("{other:?}"),
    };
    w.stopped(stop, Duration::from_millis(3));
    assert_eq!(w.exited(), Some(Exit::Clean));
}

fn planned(name_: &str, version: &str, at: jiff::Timestamp) -> Planned {
    Planned {
        upgrade: Upgrade {
            name: name_.into(),
            version: version.into(),
            release: Some(name(&format!("upgrades/{name_}"))),
            trigger: Trigger::At(at),
            manual: false,
            artifact: Some(Err("downloads are off".into())),
            identity: None,
            checksum: None,
        },
        present: true,
    }
}

/// Ready → verified → stopped → switched → the new node runs; returns the switch's ticket.
fn upgrade_to_v2(w: &mut World, generation: Ticket) {
    w.send(Event::Poll { ticket: generation, result: Ok(ready("v2")) });
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .expect("verify");
    w.send(Event::Verified { ticket, target, result: Ok((name("v2"), vega_spec())) });
    let stop = w.stop_ticket();
    w.advance(Duration::from_millis(4));
    w.stopped(stop, Duration::from_millis(4));
}

#[test]
fn an_upgrade_reports_the_downtime_from_the_stop_signal_to_the_spawn() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).expect("switch");
    w.advance(Duration::from_millis(2));
    w.send(Event::Switched {
        ticket: switch,
        result: Ok(record("s1", "genesis", "v2", false)),
        took: Duration::from_millis(2),
    });
    assert!(w.has(|e| matches!(e, Effect::UnlockUpgrade { remove: true })));
    let resolve = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket: resolve, result: Ok((Some(name("v2")), vega_spec())) });
    w.advance(Duration::from_millis(1));
    w.send(Event::Launched { ticket: resolve, processes: vec![], error: None });
    let ms = w.find(|e| if let Effect::Persist(StoreCmd::Downtime { ms, .. }) = e { Some(*ms) } else { None });
    assert_eq!(ms, Some(7), "4 ms stop + 2 ms switch + 1 ms spawn");
    let phases = w
        .find(|e| if let Effect::Observe(crate::telemetry::Observation::UpgradeDone(p)) = e { Some(*p) } else { None })
        .expect("the phases observed");
    let ms = Duration::from_millis;
    assert_eq!((phases.total, phases.stop, phases.switch, phases.spawn), (ms(7), ms(4), ms(2), ms(1)));
}

#[test]
fn a_release_missing_at_the_trigger_is_waited_for_with_the_node_stopped() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    w.send(Event::Poll { ticket: generation, result: Ok(ready("v2")) });
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .unwrap();
    w.send(Event::Verified { ticket, target, result: Err(crate::PreflightError::MissingFolder("/h/v2".into())) });
    assert!(matches!(w.state(), State::Stopping { why: StopWhy::AwaitRelease { .. }, .. }));
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::from_millis(2));
    assert!(matches!(w.state(), State::Waiting(_)));
    for _ in 0..3 {
        let (ticket, target) = w
            .find(
                |e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None },
            )
            .expect("checked again");
        w.send(Event::Verified { ticket, target, result: Err(crate::PreflightError::MissingFolder("/h/v2".into())) });
        let armed = w.armed();
        w.fire(|t| *t == Timer::Recheck, &armed);
    }
    // The operator provides it: the switch follows, with the wait counted as downtime.
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .unwrap();
    w.send(Event::Verified { ticket, target, result: Ok((name("v2"), vega_spec())) });
    assert!(matches!(w.state(), State::Switching(s) if s.downtime.is_some()));
}

#[test]
fn a_signal_during_the_backup_cancels_it_and_ends_the_run() {
    let mut s = settings();
    s.backup = Some(BackupSettings::new("/data".into(), vec![], "/backups".into(), crate::backup::Naming::PerUpgrade));
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let backup = w.find(|e| if let Effect::Backup { ticket, .. } = e { Some(*ticket) } else { None }).expect("backup");
    assert!(matches!(w.state(), State::BackingUp(_)));
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    assert!(w.has(|e| matches!(e, Effect::CancelBackup)));
    w.send(Event::BackedUp { ticket: backup, result: Err(BackupError::Cancelled { read: 10 }) });
    assert_eq!(w.exited(), Some(Exit::Clean));
    assert!(!w.has(|e| matches!(e, Effect::Switch { .. })), "nothing switched");
}

#[test]
fn a_failed_backup_restarts_the_old_node_and_backs_off() {
    let mut s = settings();
    s.backup = Some(BackupSettings::new("/data".into(), vec![], "/backups".into(), crate::backup::Naming::PerUpgrade));
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let backup = w.find(|e| if let Effect::Backup { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    let error = BackupError::Write { path: "/backups/x".into(), error: std::io::Error::other("disk full") };
    w.send(Event::BackedUp { ticket: backup, result: Err(error) });
    assert!(w.has(|e| matches!(e, Effect::Resolve { .. })), "the old release starts again");
    w.run_start();
    let armed = w.armed();
    let (_, _, at) = armed.iter().find(|(_, t, _)| *t == Timer::Due).cloned().expect("retry armed after the start");
    assert_eq!(at - w.now.instant, Duration::from_secs(60));
}

#[test]
fn a_config_reload_mid_switch_does_not_disturb_it() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    assert!(matches!(w.state(), State::Switching(_)));
    let mut changed = settings();
    if let Some(admin) = changed.admin.as_mut() {
        admin.poll_interval = Duration::from_millis(100);
        admin.announced_interval = Duration::from_millis(100);
    }
    w.send(Event::SettingsLoaded { result: Ok(changed), origin: "SIGHUP" });
    assert!(matches!(w.state(), State::Switching(_)), "the switch goes on");
    assert!(w.has(|e| matches!(e, Effect::PollTiming(i, _, _) if *i == Duration::from_millis(100))));
    w.send(Event::SettingsLoaded { result: Err("bad key".into()), origin: "file change" });
    assert!(matches!(w.state(), State::Switching(_)));
}

#[test]
fn a_crash_during_probation_that_spends_the_budget_rolls_back() {
    let mut s = settings();
    s.probation = Some(Duration::from_secs(120));
    s.restart.max_restarts = 0;
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Switched { ticket: switch, result: Ok(record("s1", "genesis", "v2", false)), took: Duration::ZERO });
    let generation = w.run_start();
    w.advance(Duration::from_secs(10));
    w.crash(generation);
    let plan =
        w.find(|e| if let Effect::Switch { plan, .. } = e { Some(plan.clone()) } else { None }).expect("switched back");
    assert!(plan.rollback && plan.to == name("genesis"), "{plan:?}");
    assert_eq!(w.state().name(), "rolling-back");
}

#[test]
fn probation_is_passed_only_by_an_unbroken_run() {
    let mut s = settings();
    s.probation = Some(Duration::from_secs(120));
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Switched { ticket: switch, result: Ok(record("s1", "genesis", "v2", false)), took: Duration::ZERO });
    let probation = w.armed();
    let generation = w.run_start();
    // A crash at 100 s and a restart: the period starts again from the restart.
    w.advance(Duration::from_secs(100));
    w.crash(generation);
    let armed = w.armed();
    w.fire(|t| *t == Timer::Restart, &armed);
    w.run_start();
    w.fire(|t| *t == Timer::Probation, &probation);
    assert!(!w.has(|e| matches!(e, Effect::Persist(StoreCmd::Confirm { .. }))), "not yet");
    let again = w.armed();
    w.fire(|t| *t == Timer::Probation, &again);
    assert!(w.has(|e| matches!(e, Effect::Persist(StoreCmd::Confirm { .. }))), "{:?}", w.effects);
}

#[test]
fn a_signal_during_probation_stops_the_node_and_ends_the_run() {
    let mut s = settings();
    s.probation = Some(Duration::from_secs(120));
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Switched { ticket: switch, result: Ok(record("s1", "genesis", "v2", false)), took: Duration::ZERO });
    w.run_start();
    w.send(Event::Signal(SignalKind::Shutdown("SIGINT")));
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::ZERO);
    assert_eq!(w.exited(), Some(Exit::Clean));
}

#[test]
fn a_target_changed_before_the_switch_restarts_the_old_daemon() {
    let mut w = World::new(settings(), daemon_spec());
    w.start();
    w.send(Event::PlanRead { result: Ok(vec![planned("u1", "1.1.0", w.now.wall)]) });
    let armed = w.armed();
    w.fire(|t| *t == Timer::Due, &armed);
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .unwrap();
    w.send(Event::Verified { ticket, target, result: Ok((name("upgrades/u1"), daemon_spec())) });
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::ZERO);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::SwitchRefused { ticket: switch, reason: "release folder /x is gone".into() });
    w.run_start();
    assert!(w.armed().iter().any(|(_, t, _)| *t == Timer::Due), "retried");
}

#[test]
fn a_failed_switch_ends_the_run_as_an_upgrade_failure() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    upgrade_to_v2(&mut w, generation);
    let switch = w.find(|e| if let Effect::Switch { ticket, .. } = e { Some(*ticket) } else { None }).unwrap();
    let error = SwitchError::Io { to: "v2".into(), step: "test", source: std::io::Error::other("EIO") };
    w.send(Event::Switched { ticket: switch, result: Err(error), took: Duration::ZERO });
    assert_eq!(w.exited(), Some(Exit::UpgradeFailed));
}

#[test]
fn the_active_release_missing_at_a_restart_is_a_configuration_error() {
    let mut w = World::new(settings(), daemon_spec());
    let generation = w.start();
    w.crash(generation);
    let armed = w.armed();
    w.fire(|t| *t == Timer::Restart, &armed);
    let resolve = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket: resolve, result: Err("cannot resolve /h/current".into()) });
    assert_eq!(w.exited(), Some(Exit::Config));
}

mod admin;
mod backups;
mod cosmos;
mod plan_edits;
mod starting;
