//! A command line a command does not take ends with exit 2, as the other faces' usage errors
//! do, in every command, configured or not; the reason is on stderr.

use std::process::Output;

use crate::harness::{USAGE, World};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_usage_exits_2_in_every_command() {
    let w = World::new();
    w.init("");
    let app = w.app("v2", "");
    let app = app.to_str().unwrap();
    for (args, says) in [
        (&["plan", "--bogus"][..], "unknown flag --bogus"),
        (&["plan", "cancel"], "needs the upgrade's name"),
        (&["plan", "list", "extra"], "usage: cosmovisor plan"),
        (&["plan", "--output", "yaml"], "--output takes text or json"),
        (&["check", "--bogus"], "usage: cosmovisor check"),
        (&["check", "-o", "yaml"], "--output takes text or json"),
        (&["add-upgrade"], "usage: cosmovisor add-upgrade"),
        (&["add-upgrade", "v2", app, "--nope"], "unknown flag --nope"),
        (&["add-upgrade", "v2", app, "--upgrade-height", "soon"], "is not a height"),
        (&["add-upgrade", "v2", app, "--upgrade-height=0"], "must be above 0"),
        (&["add-batch-upgrade"], "usage: cosmovisor add-batch-upgrade"),
        (&["add-batch-upgrade", "--upgrade-list", "a:b"], "is not name:path:height"),
        (&["init"], "init needs the path"),
        (&["backup", "verify"], "takes one backup"),
        (&["status", "--probe", "maybe"], "--probe takes live or ready"),
        (&["version", "--output", "yaml"], "--output takes text or json"),
        (&["completions", "tcsh"], "is not a shell"),
        (&["config", "--cosmovisor-config"], "needs a file"),
    ] {
        let out = w.cosmovisor(args);
        assert_eq!(out.status.code(), Some(USAGE), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("Error: ") && err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Said before the configuration is read: a usage error is one, whatever the environment.
    let mut unset = World::new();
    unset.set("DAEMON_NAME", "");
    for args in [&["plan", "--bogus"][..], &["check", "extra"], &["add-upgrade", "only-a-name"]] {
        let out = unset.cosmovisor(args);
        assert_eq!(out.status.code(), Some(USAGE), "{args:?}: {}", stderr(&out));
    }
}
