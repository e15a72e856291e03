//! Logs for operators: the daemon's output reaches nymvisor's stdout and stderr byte for byte;
//! nymvisor's own lines are JSON on request (flag or `NYMVISOR_LOG_FORMAT`), without colour
//! off a terminal, and also written to a file, rotated by size, that holds nothing but them.

use std::process::Stdio;

use testnode::raw_output::{INVALID_UTF8, MIB, Raw, has_line, json_lines, long_line, messages, numbered};

use crate::harness::{Exit, World, code, testnode_bin, wait_until};

/// `nymvisor init` with a genesis daemon of version 1.0.0 run with `extra`.
fn init_with(w: &World, extra: &str) {
    let out = w.nymvisor(&["init", w.daemon("1.0.0", extra).to_str().unwrap()]);
    assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn wait_started(w: &World) {
    wait_until("the daemon runs", || !w.starts().is_empty());
}

#[test]
fn a_mebibyte_line_and_invalid_utf8_from_the_daemon_reach_nymvisors_streams_byte_for_byte() {
    let w = World::new();
    init_with(&w, &format!("--print-long-line {MIB} --print-invalid-utf8"));
    let run = Raw::of(w.start_raw(Stdio::piped(), Stdio::piped(), &[]));
    let long = long_line(MIB);
    wait_until("the daemon's output on stdout and stderr", || {
        has_line(&run.stdout(), &long) && has_line(&run.stdout(), INVALID_UTF8) && has_line(&run.stderr(), INVALID_UTF8)
    });
    let (exit, stdout, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    assert_eq!(stdout, [long.as_slice(), INVALID_UTF8].concat(), "stdout is the daemon's output, untouched");
    assert_eq!(stderr.windows(INVALID_UTF8.len()).filter(|w| *w == INVALID_UTF8).count(), 1, "once on stderr");
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(!stderr.contains('\x1b'), "no colour on a pipe: {stderr:?}");
}

#[test]
fn json_lines_on_stderr_are_valid_when_the_daemons_output_goes_elsewhere() {
    let w = World::new();
    // The daemon sends its own output to a file when it runs (not when asked for build-info).
    let daemon_out = w.root.join("daemon.out");
    let testnode = testnode_bin();
    let daemon = w.script(
        "nym-node-quiet",
        &format!(
            "export TESTNODE_VERSION=1.0.0 TESTNODE_BINARY_NAME=nym-node\n\
             [ \"$1\" = run ] && exec {testnode} \"$@\" >>{out} 2>&1\nexec {testnode} \"$@\"",
            testnode = testnode.display(),
            out = daemon_out.display()
        ),
    );
    let out = w.nymvisor(&["init", daemon.to_str().unwrap()]);
    assert!(out.status.success(), "init failed: {}", String::from_utf8_lossy(&out.stderr));
    let run = Raw::of(w.start_raw(Stdio::piped(), Stdio::piped(), &[("NYMVISOR_LOG_FORMAT", "json")]));
    wait_started(&w);
    wait_until("the daemon's output in its own file", || {
        std::fs::read_to_string(&daemon_out).is_ok_and(|t| t.contains("testnode daemon"))
    });
    let (exit, stdout, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    assert!(stdout.is_empty(), "{}", String::from_utf8_lossy(&stdout));
    let (lines, other) = json_lines(&stderr);
    assert_eq!(other, 0, "every line is a JSON object:\n{}", String::from_utf8_lossy(&stderr));
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string() && line["message"].is_string(), "{line}");
    }
    assert!(messages(&lines).iter().any(|m| m == "nymvisor starting"), "{lines:?}");
}

#[test]
fn the_flags_put_the_log_in_a_file_rotated_at_its_size_with_only_nymvisors_lines() {
    let w = World::new();
    w.init();
    let file = w.root.join("logs/nymvisor.log");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // The daemon ends by itself, and with it the run.
    let out = w.nymvisor_with(
        &[
            "--log-format",
            "json",
            "--log-file",
            file.to_str().unwrap(),
            "--log-file-max-size",
            "300",
            "--log-file-keep",
            "2",
            "run",
            "run",
            "--home",
            w.records.to_str().unwrap(),
            "--exit-after",
            "100ms",
        ],
        &[("DAEMON_RESTART_ON_FAILURE", "0")],
        Stdio::piped(),
    );
    assert_eq!(out.status.code(), Some(code(Exit::RestartBudget)));
    let (on_stderr, daemon_lines) = json_lines(&out.stderr);
    assert!(daemon_lines > 0, "the daemon's lines are on stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let mut kept = Vec::new();
    for path in [numbered(&file, 2), numbered(&file, 1), file.clone()] {
        let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (lines, other) = json_lines(&text);
        assert_eq!(other, 0, "only nymvisor's lines in {}:\n{}", path.display(), String::from_utf8_lossy(&text));
        assert!(text.len() <= 300 || lines.len() == 1, "{} holds {} bytes", path.display(), text.len());
        kept.extend(messages(&lines));
    }
    assert!(!numbered(&file, 3).exists(), "two rotated copies are kept");
    let all = messages(&on_stderr);
    assert!(all.len() > kept.len(), "older lines went with the rotation: {all:?}");
    assert_eq!(kept, all[all.len() - kept.len()..], "the newest lines, the very last included");
}

#[test]
fn a_log_file_from_the_environment_that_cannot_be_written_is_said_once() {
    let w = World::new();
    w.init();
    let missing = w.root.join("no-such-folder/nymvisor.log");
    let run = Raw::of(w.start_raw(Stdio::piped(), Stdio::piped(), &[("NYMVISOR_LOG_FILE", missing.to_str().unwrap())]));
    wait_started(&w);
    let (exit, _, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean), "the daemon ran and stopped as usual");
    let stderr = String::from_utf8_lossy(&stderr);
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("cannot be written")).collect();
    assert_eq!(said.len(), 1, "said once:\n{stderr}");
    assert!(said[0].contains(missing.to_str().unwrap()), "{}", said[0]);
    assert!(stderr.contains("nymvisor starting"), "the log goes on on stderr:\n{stderr}");
}

#[test]
fn a_bad_log_variable_is_a_configuration_error_naming_it() {
    let w = World::new();
    w.init();
    for (name, value) in [("NYMVISOR_LOG_FORMAT", "xml"), ("NYMVISOR_LOG_FILE_MAX_SIZE", "big")] {
        let out = w.nymvisor_with(&["run", "run"], &[(name, value)], Stdio::piped());
        assert_eq!(out.status.code(), Some(code(Exit::Config)), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name) && stderr.contains(value), "{stderr}");
        assert!(w.starts().is_empty(), "no daemon started");
    }
}
