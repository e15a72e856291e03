//! Signals to the visor: INT/TERM/QUIT stop the node, then the visor exits; a second one kills.

use nix::sys::signal::Signal;

use crate::harness::{Env, alive};
use crate::harness::{Exit, code};

#[test]
fn int_term_and_quit_stop_the_node_then_the_visor() {
    for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGQUIT] {
        let env = Env::with_upgrade(100_000, "");
        let mut visor = env.start_visor();
        visor.wait_log("testnode core");
        visor.signal(sig);
        assert_eq!(visor.wait_exit(), code(Exit::Clean), "{sig}");
        let logs = visor.logs().join("\n");
        assert!(logs.contains(&format!("signal=\"{}\"", sig.as_str())), "{logs}");
        let exits = env.exits();
        assert_eq!(exits.len(), 1, "the core got its stop signal and exited: {exits:?}");
        assert_eq!(exits[0]["reason"], "signal");
        assert!(!alive(env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32));
        assert_eq!(env.status_json()["running"], false);
    }
}

#[test]
fn a_shutdown_during_the_stop_delay_does_not_wait_it_out() {
    // A stop delay longer than the test's deadline: the shutdown must skip what is left of it.
    let env = Env::with_upgrade(10, "stopDelaySeconds = 600\n");
    env.release("v0.2.0", "v0.2.0", &env.core_args(&[]), None);
    let mut visor = env.start_visor();
    visor.wait_log("waiting before stopping the node");
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert_eq!(env.current().as_deref(), Some("genesis"), "a shutdown during the upgrade stop does not switch");
    assert!(!alive(env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32));
}

#[test]
fn a_second_signal_during_the_grace_period_kills_at_once() {
    let env = Env::empty();
    // A grace period longer than the test's deadline: only the second signal can end it in time.
    env.write_config("stopSignalTimeoutSeconds = 600\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--ignore-sigterm"]), None);
    let mut visor = env.start_visor();
    visor.wait_log("testnode core");
    visor.signal(Signal::SIGTERM);
    visor.wait_log("stopping the node");
    visor.signal(Signal::SIGINT);
    visor.wait_log("second shutdown signal");
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    assert!(!alive(env.starts_of("core")[0]["pid"].as_i64().unwrap() as i32));
}
