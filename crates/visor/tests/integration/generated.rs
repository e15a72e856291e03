//! The shell completions and man pages under `packaging/` are generated from `visor`'s command
//! line and current, and `visor completions <shell>` gives an operator the same script.

use std::path::{Path, PathBuf};
use std::process::Command;

use facekit::generated::Shell;

use crate::harness::{Exit, code, visor_bin};

fn packaging() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("crates/<face> in the repository");
    root.join("packaging")
}

#[test]
fn the_packaged_completions_and_man_pages_are_current() {
    facekit::generated::check_current(visor::cli(), "visor", &packaging());
}

#[test]
fn completions_bash_prints_the_packaged_script_and_bash_completes_the_commands_with_it() {
    let out = Command::new(visor_bin()).args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Clean)), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).unwrap();
    for command in ["init", "run", "status", "backup", "version", "completions"] {
        assert!(script.contains(command), "{command} missing from:\n{script}");
    }
    // What is packaged (checked above).
    assert_eq!(script.as_bytes(), facekit::generated::completions(visor::cli(), Shell::Bash));

    let complete = |words: &[&str]| facekit::generated::bash_complete(&visor_bin(), words).unwrap();
    assert_eq!(complete(&["visor", "ba"]), ["backup"]);
    assert!(complete(&["visor", "run", "--h"]).contains(&"--home".to_owned()));
    assert_eq!(complete(&["visor", "backup", "ver"]), ["verify"]);
    // Vega Visor's cobra spelling works too.
    let out = Command::new(visor_bin()).args(["completion", "zsh"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("#compdef visor"));
}
