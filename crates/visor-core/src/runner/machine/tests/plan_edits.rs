//! Upgrades from a face's plan: edited or withdrawn while under way, and a release not ready
//! when due.

use super::*;

#[test]
fn a_plan_edited_while_its_upgrade_is_verified_is_not_done_then() {
    let mut w = World::new(settings(), daemon_spec());
    w.start();
    let due_at = w.now.wall;
    w.send(Event::PlanRead { result: Ok(vec![planned("u1", "1.1.0", due_at)]) });
    let armed = w.armed();
    w.fire(|t| *t == Timer::Due, &armed);
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .expect("verified when due");
    // Meanwhile the operator moves the upgrade a day later.
    let later = due_at + jiff::SignedDuration::from_hours(24);
    w.send(Event::PlanRead { result: Ok(vec![planned("u1", "1.1.0", later)]) });
    w.send(Event::Verified { ticket, target, result: Ok((name("upgrades/u1"), daemon_spec())) });
    assert_eq!(w.state(), &State::Running, "not now");
    assert!(!w.has(|e| matches!(e, Effect::Stop { .. })));
}

/// A `plan cancel` that took the upgrade lock first: once the lock is the visor's, the plan
/// no longer holds the upgrade, so nothing stops and the plan is read again.
#[test]
fn an_upgrade_withdrawn_from_the_plan_under_its_lock_is_not_done() {
    let mut s = settings();
    s.upgrade_lock = Some("/data/upgrade.lock".into());
    let mut w = World::new(s, daemon_spec());
    w.start();
    w.send(Event::PlanRead { result: Ok(vec![planned("u1", "1.1.0", w.now.wall)]) });
    let armed = w.armed();
    w.fire(|t| *t == Timer::Due, &armed);
    let (ticket, target) = w
        .find(|e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None })
        .unwrap();
    w.send(Event::Verified { ticket, target, result: Ok((name("upgrades/u1"), daemon_spec())) });
    let (ticket, planned) =
        w.find(|e| {
            if let Effect::LockUpgrade { ticket, planned, .. } = e { Some((*ticket, planned.clone())) } else { None }
        })
        .expect("the lock is asked for");
    assert_eq!(planned, Some(("u1".to_owned(), "1.1.0".to_owned())), "with what the plan must still hold");
    w.send(Event::UpgradeLocked { ticket, result: Err(crate::runner::event::LockRefused::Withdrawn) });
    assert_eq!(w.state(), &State::Running);
    assert!(!w.has(|e| matches!(e, Effect::Stop { .. })));
    assert!(w.has(|e| matches!(e, Effect::ReadPlan)), "the plan is read again");
}

#[test]
fn a_due_release_not_ready_keeps_the_daemon_running_and_backs_off() {
    let mut w = World::new(settings(), daemon_spec());
    w.start();
    w.send(Event::PlanRead { result: Ok(vec![planned("u1", "1.1.0", w.now.wall)]) });
    let mut delays = Vec::new();
    for _ in 0..4 {
        let armed = w.armed();
        w.fire(|t| *t == Timer::Due, &armed);
        let (ticket, target) = w
            .find(
                |e| if let Effect::Verify { ticket, target, .. } = e { Some((*ticket, target.clone())) } else { None },
            )
            .unwrap();
        w.send(Event::Verified {
            ticket,
            target,
            result: Err(crate::PreflightError::MissingBinary("/x".into(), String::new())),
        });
        assert_eq!(w.state(), &State::Running);
        let (_, _, at) = w.armed().into_iter().find(|(_, t, _)| *t == Timer::Due).unwrap();
        delays.push((at - w.now.instant).as_secs());
    }
    assert_eq!(delays, [2, 4, 8, 16]);
}
