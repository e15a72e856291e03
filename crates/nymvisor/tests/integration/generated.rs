//! The shell completions and man pages under `packaging/` are generated from `nymvisor`'s
//! command line and current, and `nymvisor completions <shell>` gives an operator the same
//! script.

use std::path::{Path, PathBuf};
use std::process::Command;

use facekit::generated::Shell;

use crate::harness::{Exit, code, nymvisor_bin};

fn packaging() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/<face> in the repository");
    root.join("packaging")
}

#[test]
fn the_packaged_completions_and_man_pages_are_current() {
    facekit::generated::check_current(nymvisor::cli(), "nymvisor", &packaging());
}

#[test]
fn completions_bash_prints_the_packaged_script_and_bash_completes_the_commands_with_it() {
    // No configuration needed: an operator installs completions before anything else.
    let out = Command::new(nymvisor_bin()).args(["completions", "bash"]).env_clear().output().unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).unwrap();
    for command in ["init", "run", "add-upgrade", "config", "build-info", "daemon-build-info", "backup"] {
        assert!(script.contains(command), "{command} missing from:\n{script}");
    }
    // What is packaged (checked above).
    assert_eq!(script.as_bytes(), facekit::generated::completions(nymvisor::cli(), Shell::Bash));

    let complete = |words: &[&str]| facekit::generated::bash_complete(&nymvisor_bin(), words).unwrap();
    assert_eq!(complete(&["nymvisor", "add-"]), ["add-upgrade"]);
    assert!(complete(&["nymvisor", "add-upgrade", "--upgrade-"]).contains(&"--upgrade-name".to_owned()));
}
