//! The core's admin endpoint: the connection budget, and what an endpoint that does not answer
//! is said as, and how often.

use super::*;

#[test]
fn the_admin_endpoint_beyond_its_budget_stops_the_node_and_exits() {
    let mut w = World::new(settings(), vega_spec());
    let generation = w.start();
    for _ in 0..3 {
        w.send(Event::Poll { ticket: generation, result: Err(timeout()) });
        assert_eq!(w.state(), &State::Running);
    }
    w.send(Event::Poll { ticket: generation, result: Err(timeout()) });
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::ZERO);
    assert_eq!(w.exited(), Some(Exit::Unreachable));
}

/// An endpoint that never answers is said in the status at once, and again (with the warning
/// in the log) after the grace period and then ever more rarely: not once per poll.
#[test]
fn an_unreachable_admin_endpoint_is_reported_with_backoff() {
    let mut s = settings();
    s.admin.as_mut().unwrap().connection.first = 1000;
    let mut w = World::new(s, vega_spec());
    let generation = w.start();
    let mut published = Vec::new();
    for second in (0..200).step_by(2) {
        w.send(Event::Poll { ticket: generation, result: Err(timeout()) });
        let admin = w.find(|e| if let Effect::Publish(s) = e { Some(s.admin.clone()) } else { None });
        if let Some(Some(admin)) = admin {
            assert_eq!(admin.state, "unreachable");
            assert_eq!(admin.unreachable_since, Some("2026-06-01T12:00:00Z".parse().unwrap()));
            published.push(second);
        }
        w.advance(Duration::from_secs(2));
    }
    assert_eq!(published, [0, 10, 40, 100], "at once, after the grace, then backing off");
    w.send(Event::Poll { ticket: generation, result: Ok(UpgradeStatus { accepted: None, ready: false }) });
    let admin = w.find(|e| if let Effect::Publish(s) = e { s.admin.clone() } else { None });
    assert_eq!(admin.map(|a| a.state), Some("answering".to_owned()));
    assert_eq!(w.state(), &State::Running);
}
