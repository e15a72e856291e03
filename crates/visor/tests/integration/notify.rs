//! systemd's `Type=notify`: READY once the node runs, STATUS as things change, WATCHDOG while
//! the loop turns, STOPPING and more time for the stop.

use nix::sys::signal::Signal;
use testnode::tooling::NotifySocket;

use crate::harness::{Env, Exit, code};

#[test]
fn the_service_manager_hears_ready_status_watchdog_and_stopping_in_order() {
    let env = Env::with_upgrade(100_000, "");
    let mut socket = NotifySocket::bind(env.home.parent().unwrap());
    let (key, value) = socket.env();
    let mut visor = env.start_visor_with(&[(key, &value), ("WATCHDOG_USEC", "200000")]);
    socket.wait_for("READY=1");
    // Pinged at half the period, from the run loop.
    socket.wait_count("WATCHDOG=1", 3);
    // Said once the core's admin endpoint announced it (a poll that came before the core
    // listened is retried 2 s later).
    socket.wait_for("STATUS=running genesis; upgrade to v0.2.0 at height 100000");
    // Starting, then ready with the node running, then what comes next.
    let starting = socket.position("STATUS=starting genesis").expect("the start said");
    let ready = socket.position("READY=1").unwrap();
    let running = socket.position("STATUS=running genesis").expect("running said");
    let upgrade =
        socket.position("STATUS=running genesis; upgrade to v0.2.0 at height 100000").expect("the upgrade said");
    assert!(starting < ready && ready < running && running < upgrade, "{:#?}", socket.received);
    // The node does not inherit the visor's socket.
    let core = &env.starts_of("core")[0];
    assert_eq!(core["serviceEnv"], serde_json::json!([]), "{core}");

    visor.signal(Signal::SIGTERM);
    socket.wait_for("STOPPING=1");
    socket.wait_for("EXTEND_TIMEOUT_USEC=");
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
    let stopping = socket.position("STOPPING=1").unwrap();
    assert!(stopping > ready);
    assert!(
        socket.received[stopping..].iter().any(|l| l.starts_with("EXTEND_TIMEOUT_USEC=")),
        "the stop asks for more time: {:#?}",
        socket.received
    );
}

#[test]
fn without_a_notify_socket_nothing_changes() {
    let env = Env::with_upgrade(100_000, "");
    let mut visor = env.start_visor_with(&[("WATCHDOG_USEC", "200000")]);
    visor.wait_running(&env.status_file());
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}

#[test]
fn a_visor_waiting_to_restart_its_node_says_so() {
    let env = Env::with_upgrade(100_000, "restartsDelaySeconds = 60\n");
    env.release("genesis", "v0.1.0", &env.core_args(&["--crash-first", "1"]), None);
    let mut socket = NotifySocket::bind(env.home.parent().unwrap());
    let (key, value) = socket.env();
    let mut visor = env.start_visor_with(&[(key, &value)]);
    socket.wait_until("the restart delay told", |r| r.iter().any(|l| l.starts_with("STATUS=restart-delay genesis")));
    assert!(socket.position("READY=1").is_some());
    visor.signal(Signal::SIGTERM);
    assert_eq!(visor.wait_exit(), code(Exit::Clean));
}
