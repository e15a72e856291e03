//! Signals while a start is under way: nothing is left running, and the run ends.

use super::*;

#[test]
fn a_signal_before_the_first_plan_reading_ends_the_run_without_a_launch() {
    let mut w = World::new(settings(), daemon_spec());
    w.send(Event::Begin);
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), daemon_spec())) });
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    assert_eq!(w.exited(), Some(Exit::Clean));
    w.send(Event::PlanRead { result: Ok(Vec::new()) });
    assert!(!w.has(|e| matches!(e, Effect::Launch { .. })), "nothing is started after the end");
}

#[test]
fn a_signal_while_the_node_is_spawned_stops_it_once_it_runs() {
    let mut w = World::new(settings(), daemon_spec());
    w.send(Event::Begin);
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::PlanRead { result: Ok(Vec::new()) });
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), daemon_spec())) });
    assert!(w.has(|e| matches!(e, Effect::Launch { .. })));
    w.send(Event::Signal(SignalKind::Shutdown("SIGTERM")));
    let processes = vec![ProcessInfo { role: "daemon".into(), pid: 100, since: w.now.wall }];
    w.send(Event::Launched { ticket, processes, error: None });
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::from_millis(3));
    assert_eq!(w.exited(), Some(Exit::Clean));
}
