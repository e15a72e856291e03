//! The transitions a Cosmos node adds: upgrades due at a chain height (with the node halted
//! there), a halt height that changes, and a run that ends with the node's own exit code.

use super::*;
use crate::node::ChainHeightSettings;

fn cosmos_spec() -> NodeSpec {
    NodeSpec {
        processes: vec![ProcessSpec { role: "app".into(), program: "/bin/simd".into(), args: vec!["start".into()] }],
        protocol: Protocol::Cosmos,
    }
}

fn cosmos_settings() -> Settings {
    Settings {
        admin: None,
        chain_height: Some(ChainHeightSettings {
            rpc: "http://127.0.0.1:26657/".parse().unwrap(),
            interval: Duration::from_secs(1),
            fallback: None,
        }),
        ends_with_node: true,
        restart: RestartPolicy { max_restarts: 0, ..settings().restart },
        ..settings()
    }
}

fn at_height(name_: &str, height: u64) -> Planned {
    let mut p = planned(name_, name_, jiff::Timestamp::MIN);
    p.upgrade.trigger = Trigger::Height(height);
    p
}

fn launched_args(w: &World) -> Vec<String> {
    w.find(|e| if let Effect::Launch { spec, .. } = e { Some(spec.clone()) } else { None }).expect("launch").processes
        [0]
    .args
    .iter()
    .map(|a| a.to_string_lossy().into_owned())
    .collect()
}

#[test]
fn an_upgrade_at_a_height_halts_the_node_there_and_is_due_when_the_chain_reaches_it() {
    let mut w = World::new(cosmos_settings(), cosmos_spec());
    w.send(Event::Begin);
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), cosmos_spec())) });
    w.send(Event::PlanRead { result: Ok(vec![at_height("manual1", 20)]) });
    assert!(w.has(|e| matches!(e, Effect::StartHeightPoll(_))), "the height is polled while an upgrade waits for it");
    assert_eq!(launched_args(&w), ["start", "--halt-height=20"]);
    let processes = vec![ProcessInfo { role: "app".into(), pid: 100, since: w.now.wall }];
    w.send(Event::Launched { ticket, processes, error: None });
    w.send(Event::ChainHeight { result: Ok(19) });
    assert_eq!(w.state(), &State::Running, "never early");
    w.send(Event::ChainHeight { result: Err("connection refused".into()) });
    assert_eq!(w.state(), &State::Running, "an unanswered poll changes nothing");
    w.send(Event::ChainHeight { result: Ok(20) });
    let target = w.find(|e| if let Effect::Verify { target, .. } = e { Some(target.clone()) } else { None });
    let target = target.expect("verified at the height");
    assert_eq!((target.name.as_str(), target.height), ("manual1", Some(20)));
}

#[test]
fn only_start_takes_the_halt_height_and_an_operators_lower_one_stands() {
    let spec = |args: &[&str]| NodeSpec {
        processes: vec![ProcessSpec {
            role: "app".into(),
            program: "/bin/simd".into(),
            args: args.iter().map(Into::into).collect(),
        }],
        protocol: Protocol::Cosmos,
    };
    let args = |s: &NodeSpec| s.processes[0].args.iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>();
    let mut version = spec(&["version"]);
    assert!(!version.halt_at(20));
    assert_eq!(args(&version), ["version"]);
    let mut lower = spec(&["start", "--halt-height", "10", "--home", "/h"]);
    lower.halt_at(20);
    assert_eq!(args(&lower), ["start", "--home", "/h", "--halt-height=10"]);
    let mut higher = spec(&["start", "--halt-height=30"]);
    higher.halt_at(20);
    assert_eq!(args(&higher), ["start", "--halt-height=20"]);
}

#[test]
fn a_new_lowest_height_restarts_the_node_with_it_without_counting_a_restart() {
    let mut w = World::new(cosmos_settings(), cosmos_spec());
    w.start();
    w.send(Event::PlanRead { result: Ok(vec![at_height("later", 50)]) });
    let stop = w.stop_ticket();
    assert!(matches!(w.state(), State::Stopping { why: StopWhy::Respawn, .. }));
    w.stopped(stop, Duration::from_millis(5));
    let ticket =
        w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).expect("started again");
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), cosmos_spec())) });
    assert_eq!(launched_args(&w), ["start", "--halt-height=50"]);
    // The same plan read again changes nothing.
    let processes = vec![ProcessInfo { role: "app".into(), pid: 101, since: w.now.wall }];
    w.send(Event::Launched { ticket, processes, error: None });
    w.send(Event::PlanRead { result: Ok(vec![at_height("later", 50)]) });
    assert_eq!(w.state(), &State::Running);
    assert!(!w.machine.restarts.restarted(), "a respawn is not a restart");
}

#[test]
fn the_node_ending_by_itself_ends_the_run_with_its_own_code() {
    let mut w = World::new(cosmos_settings(), cosmos_spec());
    let generation = w.start();
    w.send(Event::Exited { ticket: generation, role: "app".into(), status: "exit status 0".into(), code: Some(0) });
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::ZERO);
    assert_eq!(w.exited(), Some(Exit::Clean));

    let mut w = World::new(cosmos_settings(), cosmos_spec());
    let generation = w.start();
    w.send(Event::Exited { ticket: generation, role: "app".into(), status: "exit status 3".into(), code: Some(3) });
    let stop = w.stop_ticket();
    w.stopped(stop, Duration::ZERO);
    assert_eq!(w.exited(), None, "not before the plan it may have written is read");
    w.send(Event::PlanRead { result: Ok(Vec::new()) });
    assert_eq!(w.exited(), Some(Exit::Node(3)));
}

fn node_written(name_: &str, height: u64) -> Planned {
    let mut p = planned(name_, name_, jiff::Timestamp::MIN);
    p.upgrade.trigger = Trigger::NodeReady { height };
    p
}

fn cosmos_world(chain_height: Option<u64>) -> World {
    let mut w = World::new(cosmos_settings(), cosmos_spec());
    w.machine = Machine::new(
        Start {
            settings: cosmos_settings(),
            current: Some(name("genesis")),
            last_switch: None,
            resume: None,
            visor_pid: 42,
            visor_start_time: 1,
            hints: Default::default(),
            kept_data: false,
            metrics_address: None,
            chain_height,
        },
        w.now,
    );
    w
}

#[test]
fn a_plan_the_node_wrote_with_its_binary_present_is_applied_before_the_first_launch() {
    let mut w = cosmos_world(None);
    w.send(Event::Begin);
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), cosmos_spec())) });
    w.send(Event::PlanRead { result: Ok(vec![node_written("v2", 40)]) });
    assert!(!w.has(|e| matches!(e, Effect::Launch { .. })), "the old release is not started");
    assert_eq!(w.state().name(), "waiting-for-release");
    let target = w.find(|e| if let Effect::Verify { target, .. } = e { Some(target.clone()) } else { None });
    assert_eq!(target.expect("checked, then switched").name, "v2");
}

#[test]
fn a_plan_above_the_height_last_seen_is_not_due_until_the_chain_gets_there() {
    let mut w = cosmos_world(Some(30));
    w.send(Event::Begin);
    let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
    w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), cosmos_spec())) });
    w.send(Event::PlanRead { result: Ok(vec![node_written("v2", 40)]) });
    assert!(w.has(|e| matches!(e, Effect::Launch { .. })), "written ahead (or left over): the node runs");
    assert!(w.has(|e| matches!(e, Effect::StartHeightPoll(_))), "and the height is watched");
    let processes = vec![ProcessInfo { role: "app".into(), pid: 100, since: w.now.wall }];
    w.send(Event::Launched { ticket, processes, error: None });
    w.send(Event::ChainHeight { result: Ok(39) });
    assert_eq!(w.state(), &State::Running, "never early");
    w.send(Event::ChainHeight { result: Ok(40) });
    assert!(w.has(|e| matches!(e, Effect::Verify { .. })), "due at its height");
}

#[test]
fn the_node_ending_at_the_height_of_its_plan_is_upgraded_not_ended() {
    let mut w = cosmos_world(Some(39));
    let generation = {
        w.send(Event::Begin);
        let ticket = w.find(|e| if let Effect::Resolve { ticket } = e { Some(*ticket) } else { None }).unwrap();
        w.send(Event::Resolved { ticket, result: Ok((Some(name("genesis")), cosmos_spec())) });
        w.send(Event::PlanRead { result: Ok(Vec::new()) });
        let processes = vec![ProcessInfo { role: "app".into(), pid: 100, since: w.now.wall }];
        w.send(Event::Launched { ticket, processes, error: None });
        ticket
    };
    // The app writes its plan and exits at once; its RPC goes with it.
    w.send(Event::Exited { ticket: generation, role: "app".into(), status: "exit status 1".into(), code: Some(1) });
    assert!(w.has(|e| matches!(e, Effect::ReadPlan)), "the plan is read before deciding");
    let stop = w.stop_ticket();
    w.send(Event::PlanRead { result: Ok(vec![node_written("v2", 40)]) });
    w.stopped(stop, Duration::from_millis(1));
    assert!(w.exited().is_none(), "not the app's exit code: {:?}", w.effects);
    assert!(w.has(|e| matches!(e, Effect::Verify { .. })), "upgraded instead");
}
