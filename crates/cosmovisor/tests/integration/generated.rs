//! The shell completions and man pages under `packaging/` are generated from the description
//! of `cosmovisor`'s command line and current; `cosmovisor completions <shell>` gives an
//! operator the same script, and `help` prints that description.

use std::path::{Path, PathBuf};

use facekit::generated::Shell;

use crate::harness::{Exit, USAGE, World, code, cosmovisor_bin};

fn packaging() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/<face> in the repository");
    root.join("packaging")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_packaged_completions_and_man_pages_are_current() {
    facekit::generated::check_current(cosmovisor::cli(), "cosmovisor", &packaging());
    let man = std::fs::read_to_string(packaging().join("man/cosmovisor.1")).unwrap();
    let environment = man.split(".SH ENVIRONMENT\n").nth(1).expect("an ENVIRONMENT section");
    for variable in cosmovisor::VARIABLES {
        assert!(environment.contains(&format!("\\fB{}\\fR", variable)), "{variable}");
    }
}

#[test]
fn completions_bash_prints_the_packaged_script_and_bash_completes_the_commands_with_it() {
    // No configuration needed: an operator installs completions before anything else.
    let w = World::new();
    let out = w.command().env_remove("DAEMON_HOME").args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let script = stdout(&out);
    for command in ["run", "init", "add-upgrade", "add-batch-upgrade", "prepare-upgrade", "show-upgrade-info", "backup"]
    {
        assert!(script.contains(command), "{command} missing from:\n{script}");
    }
    // What is packaged (checked above).
    assert_eq!(script.as_bytes(), facekit::generated::completions(cosmovisor::cli(), Shell::Bash));

    let complete = |words: &[&str]| facekit::generated::bash_complete(&cosmovisor_bin(), words).unwrap();
    assert_eq!(complete(&["cosmovisor", "add-"]), ["add-upgrade", "add-batch-upgrade"]);
    assert_eq!(complete(&["cosmovisor", "add-batch-upgrade", "--upgrade-f"]), ["--upgrade-file"]);
    assert_eq!(complete(&["cosmovisor", "backup", "list", "--output", "j"]), ["json"]);

    let out = w.cosmovisor(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(USAGE));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"tcsh\" is not a shell") && err.contains("bash, elvish, fish"), "{err}");
}

#[test]
fn help_describes_every_command_and_the_environment() {
    let w = World::new();
    let long = stdout(&w.cosmovisor(&["help"]));
    assert!(long.contains("Usage: cosmovisor [OPTIONS] [COMMAND]"), "{long}");
    for line in ["add-batch-upgrade", "-c, --cosmovisor-config <FILE>", "Environment:", "  DAEMON_SHUTDOWN_GRACE"] {
        assert!(long.contains(line), "{line} missing from:\n{long}");
    }
    assert_eq!(stdout(&w.cosmovisor(&["--help"])), long);
    let short = stdout(&w.cosmovisor(&["-h"]));
    assert!(short.contains("add-upgrade") && !short.contains("DAEMON_SHUTDOWN_GRACE"), "{short}");

    let init = stdout(&w.cosmovisor(&["init", "--help"]));
    assert!(init.contains("Usage: cosmovisor init [OPTIONS] <APP_BINARY>"), "{init}");
    assert_eq!(stdout(&w.cosmovisor(&["help", "init"])), init);
    let verify = stdout(&w.cosmovisor(&["backup", "verify", "--help"]));
    assert!(verify.contains("Usage: cosmovisor backup verify"), "{verify}");
}
