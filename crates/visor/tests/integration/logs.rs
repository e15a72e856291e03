//! Logs for operators: the node's output reaches the visor's stdout and stderr byte for byte;
//! the visor's own lines are JSON on request, coloured only on a terminal, and also written to
//! a file, rotated by size, that holds nothing but them.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use testnode::raw_output::{INVALID_UTF8, MIB, Raw, has_line, json_lines, long_line, messages, numbered};

use crate::harness::{Env, Exit, code, testnode_bin, visor_bin, wait_until};

fn visor(env: &Env, flags: &[&str]) -> Command {
    let mut command = Command::new(visor_bin());
    command.args(flags).args(["run", "--home"]).arg(&env.home).env_remove("RUST_LOG").env_remove("NO_COLOR");
    for name in ["VISOR_LOG_FORMAT", "VISOR_LOG_FILE", "VISOR_LOG_FILE_MAX_SIZE", "VISOR_LOG_FILE_KEEP"] {
        command.env_remove(name);
    }
    command
}

/// A home whose core runs with `extra` arguments.
fn home(extra: &[&str]) -> Env {
    let env = Env::empty();
    env.write_config("");
    env.release("genesis", "v0.1.0", &env.core_args(extra), None);
    env
}

fn wait_running(env: &Env) {
    wait_until("the core runs", || !env.starts_of("core").is_empty());
}

#[test]
fn a_mebibyte_line_and_invalid_utf8_from_the_node_reach_the_visors_streams_byte_for_byte() {
    let env = home(&["--print-long-line", &MIB.to_string(), "--print-invalid-utf8"]);
    let run = Raw::spawn(visor(&env, &[]));
    let long = long_line(MIB);
    wait_until("the node's output on stdout and stderr", || {
        has_line(&run.stdout(), &long) && has_line(&run.stdout(), INVALID_UTF8) && has_line(&run.stderr(), INVALID_UTF8)
    });
    let (exit, stdout, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    // The visor writes nothing of its own on stdout: it is the node's, exactly.
    assert_eq!(stdout, [long.as_slice(), INVALID_UTF8].concat(), "stdout is the node's output, untouched");
    assert!(stderr.windows(INVALID_UTF8.len()).filter(|w| *w == INVALID_UTF8).count() == 1, "once on stderr");
}

#[test]
fn json_lines_on_stderr_are_valid_when_the_nodes_output_goes_elsewhere() {
    let env = home(&[]);
    // The release's core sends its own output to a file (as a unit with StandardOutput= would).
    let node_out = env.data.join("node.out");
    std::fs::create_dir_all(&env.data).unwrap();
    let script = format!(
        "#!/bin/sh\n[ \"$1\" = start ] && exec {} \"$@\" >>{} 2>&1\nexec {} \"$@\"\n",
        testnode_bin().display(),
        node_out.display(),
        testnode_bin().display()
    );
    let binary = env.home.join("genesis/testnode");
    std::fs::remove_file(&binary).unwrap();
    std::fs::write(&binary, script).unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = Raw::spawn(visor(&env, &["--log-format", "json"]));
    wait_running(&env);
    wait_until("the node's output in its own file", || {
        std::fs::read_to_string(&node_out).is_ok_and(|t| t.contains("testnode core"))
    });
    let (exit, stdout, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    assert!(stdout.is_empty(), "{}", String::from_utf8_lossy(&stdout));
    let (lines, other) = json_lines(&stderr);
    assert_eq!(other, 0, "every line is a JSON object:\n{}", String::from_utf8_lossy(&stderr));
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string() && line["message"].is_string(), "{line}");
    }
    // Lists are arrays, numbers are numbers; the visor's version is named as the visor's.
    let started = lines.iter().find(|l| l["message"] == "started process").expect("the start is logged");
    assert!(started["args"].as_array().is_some_and(|a| a.first().is_some_and(|f| f == "start")), "{started}");
    assert!(started["pid"].is_u64(), "{started}");
    let starting = &lines[0];
    assert!(starting["visor_version"].as_str().is_some_and(|v| v.starts_with('v')), "{starting}");
    assert!(starting.get("version").is_none(), "not to be read as the node's version: {starting}");
    let messages = messages(&lines);
    assert!(messages.first().is_some_and(|m| m == "visor starting"), "{messages:?}");
    assert!(messages.last().is_some_and(|m| m == "visor stopped"), "{messages:?}");
}

#[test]
fn the_log_file_holds_the_visors_lines_only_while_stderr_has_the_nodes_too() {
    let env = home(&[]);
    let file = env.data.join("logs/visor.log");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let run = Raw::spawn(visor(&env, &["--log-format", "json", "--log-file", file.to_str().unwrap()]));
    wait_running(&env);
    let (exit, _, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    let (on_stderr, node_lines) = json_lines(&stderr);
    assert!(node_lines > 0, "the node's lines are on stderr:\n{}", String::from_utf8_lossy(&stderr));
    let text = std::fs::read(&file).unwrap();
    let (in_file, other) = json_lines(&text);
    assert_eq!(other, 0, "nothing but the visor's lines:\n{}", String::from_utf8_lossy(&text));
    // Every line, the last ones included (written before the visor exits).
    assert_eq!(messages(&in_file), messages(&on_stderr));
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn the_log_file_is_rotated_at_its_size_keeping_the_newest_copies() {
    let env = home(&[]);
    let file = env.data.join("visor.log");
    std::fs::create_dir_all(&env.data).unwrap();
    // Set through the environment: the flags' variables.
    let mut command = visor(&env, &["--log-format", "json"]);
    command.env("VISOR_LOG_FILE", &file).env("VISOR_LOG_FILE_MAX_SIZE", "300").env("VISOR_LOG_FILE_KEEP", "2");
    let run = Raw::spawn(command);
    wait_running(&env);
    let (exit, _, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean));
    let files = [numbered(&file, 2), numbered(&file, 1), file.clone()];
    let mut kept = Vec::new();
    for path in &files {
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (lines, other) = json_lines(&text);
        assert_eq!(other, 0, "{}", path.display());
        assert!(!lines.is_empty(), "{} is not empty", path.display());
        assert!(text.len() <= 300 || lines.len() == 1, "{} holds {} bytes", path.display(), text.len());
        kept.extend(messages(&lines));
    }
    assert!(!numbered(&file, 3).exists(), "two rotated copies are kept");
    // The newest lines, in order, are the last ones the visor logged.
    let all = messages(&json_lines(&stderr).0);
    assert!(all.len() > kept.len(), "older lines went with the rotation: {all:?}");
    assert_eq!(kept, all[all.len() - kept.len()..]);
}

#[test]
fn no_colour_on_a_pipe_colour_on_a_terminal_unless_no_color() {
    let env = Env::empty();
    let file = env.data.join("visor.log");
    std::fs::create_dir_all(&env.data).unwrap();
    // A home that does not exist: one error line, then the visor ends.
    let command = |extra: &[(&str, &str)]| {
        let mut command = visor(&env, &["--log-file", file.to_str().unwrap()]);
        command.envs(extra.iter().copied());
        command
    };
    let out = command(&[]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(code(Exit::Config)));
    let piped = String::from_utf8_lossy(&out.stderr);
    assert!(piped.contains("the home folder does not exist"), "{piped}");
    assert!(!piped.contains('\x1b'), "no colour on a pipe: {piped:?}");

    let on_terminal = |extra: &[(&str, &str)]| {
        let pty = nix::pty::openpty(None, None).unwrap();
        let mut command = command(extra);
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::from(pty.slave));
        let status = command.status().unwrap();
        drop(command);
        assert_eq!(status.code(), Some(code(Exit::Config)));
        let mut shown = Vec::new();
        // The terminal's end reads until the visor's side is closed (EIO).
        let _ = std::fs::File::from(pty.master).read_to_end(&mut shown);
        String::from_utf8_lossy(&shown).into_owned()
    };
    let coloured = on_terminal(&[]);
    assert!(coloured.contains("the home folder does not exist") && coloured.contains("\x1b["), "{coloured:?}");
    let plain = on_terminal(&[("NO_COLOR", "1")]);
    assert!(plain.contains("the home folder does not exist") && !plain.contains('\x1b'), "{plain:?}");
    // The file never gets colour, whatever stderr is.
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches("the home folder does not exist").count(), 3, "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");
}

#[test]
fn an_unwritable_log_file_is_said_once_and_the_node_runs_on() {
    let env = home(&[]);
    std::fs::create_dir_all(&env.data).unwrap();
    // A link planted where the file goes is never followed.
    let target = env.data.join("precious");
    std::fs::write(&target, "precious\n").unwrap();
    let file = env.data.join("visor.log");
    std::os::unix::fs::symlink(&target, &file).unwrap();
    let run = Raw::spawn(visor(&env, &["--log-file", file.to_str().unwrap()]));
    wait_running(&env);
    let (exit, _, stderr) = run.stop();
    assert_eq!(exit, code(Exit::Clean), "the visor ran and stopped as usual");
    let stderr = String::from_utf8_lossy(&stderr);
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("cannot be written")).collect();
    assert_eq!(said.len(), 1, "said once:\n{stderr}");
    assert!(said[0].contains(file.to_str().unwrap()) && said[0].contains("symbolic link"), "{}", said[0]);
    assert!(stderr.contains("visor stopped"), "the log goes on on stderr:\n{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
}
