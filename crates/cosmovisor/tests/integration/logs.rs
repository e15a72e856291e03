//! Logs for operators: the app's output reaches cosmovisor's stdout and stderr byte for byte;
//! cosmovisor's own lines are JSON with `COSMOVISOR_LOG_FORMAT=json`, coloured only on a
//! terminal and never with `COSMOVISOR_COLOR_LOGS=false`, timed as `COSMOVISOR_TIMEFORMAT_LOGS`
//! says, and also written to a file, rotated by size, that holds nothing but them.

use std::io::Read;
use std::process::{Command, Stdio};

use testnode::raw_output::{INVALID_UTF8, MIB, Raw, has_line, json_lines, long_line, messages, numbered};

use crate::harness::{Exit, World, code, wait_until};

/// `cosmovisor run start --home $DAEMON_HOME` plus `args`.
fn run(w: &World, args: &[&str]) -> Command {
    let mut command = w.command();
    command.args(["run", "start", "--home"]).arg(&w.home).args(args);
    command
}

#[test]
fn a_mebibyte_line_and_invalid_utf8_from_the_app_reach_cosmovisors_streams_byte_for_byte() {
    let w = World::new();
    w.init(&format!("--print-long-line {MIB} --print-invalid-utf8"));
    let running = Raw::spawn(run(&w, &[]));
    let long = long_line(MIB);
    wait_until("the app's output on stdout and stderr", || {
        has_line(&running.stdout(), &long)
            && has_line(&running.stdout(), INVALID_UTF8)
            && has_line(&running.stderr(), INVALID_UTF8)
    });
    let (exit, stdout, stderr) = running.stop();
    assert_eq!(exit, code(Exit::Clean));
    assert_eq!(stdout, [long.as_slice(), INVALID_UTF8].concat(), "stdout is the app's output, untouched");
    assert_eq!(stderr.windows(INVALID_UTF8.len()).filter(|w| *w == INVALID_UTF8).count(), 1, "once on stderr");
}

#[test]
fn json_lines_on_stderr_are_valid_when_the_apps_output_goes_elsewhere() {
    let w = World::new();
    w.init("");
    // The genesis app sends its own output to a file when it runs.
    let app_out = w.root.join("app.out");
    let app = w.home.join("cosmovisor/genesis/bin/simd");
    let script = w.app_script("v1", "").replacen(
        "#!/bin/sh\n",
        &format!("#!/bin/sh\nif [ \"$1\" = start ]; then exec >>{} 2>&1; fi\n", app_out.display()),
        1,
    );
    std::fs::write(&app, script).unwrap();
    let running = Raw::spawn({
        let mut command = run(&w, &[]);
        command.env("COSMOVISOR_LOG_FORMAT", "json");
        command
    });
    wait_until("the app runs", || !w.starts().is_empty());
    wait_until("the app's output in its own file", || {
        std::fs::read_to_string(&app_out).is_ok_and(|t| t.contains("testnode app"))
    });
    let (exit, stdout, stderr) = running.stop();
    assert_eq!(exit, code(Exit::Clean));
    assert!(stdout.is_empty(), "{}", String::from_utf8_lossy(&stdout));
    let (lines, other) = json_lines(&stderr);
    assert_eq!(other, 0, "every line is a JSON object:\n{}", String::from_utf8_lossy(&stderr));
    for line in &lines {
        assert!(line["timestamp"].is_string() && line["level"].is_string() && line["message"].is_string(), "{line}");
    }
    assert!(messages(&lines).iter().any(|m| m == "cosmovisor starting"), "{lines:?}");
}

#[test]
fn the_config_files_keys_put_the_log_in_a_file_rotated_at_its_size_with_only_cosmovisors_lines() {
    let w = World::new();
    w.init("");
    let file = w.root.join("cosmovisor.log");
    let config = w.root.join("cosmovisor.toml");
    std::fs::write(
        &config,
        format!(
            "cosmovisor_log_format = \"json\"\ncosmovisor_log_file = {:?}\ncosmovisor_log_file_max_size = \"200\"\n\
             cosmovisor_log_file_keep = 1\n",
            file.display()
        ),
    )
    .unwrap();
    let out = w.cosmovisor(&[
        &format!("--cosmovisor-config={}", config.display()),
        "run",
        "start",
        "--home",
        w.home.to_str().unwrap(),
        "--crash-at-start",
    ]);
    assert_eq!(out.status.code(), Some(1), "the app's own status: {}", String::from_utf8_lossy(&out.stderr));
    let (on_stderr, app_lines) = json_lines(&out.stderr);
    assert!(app_lines > 0, "the app's lines are on stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let mut kept = Vec::new();
    for path in [numbered(&file, 1), file.clone()] {
        let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (lines, other) = json_lines(&text);
        assert_eq!(other, 0, "only cosmovisor's lines in {}:\n{}", path.display(), String::from_utf8_lossy(&text));
        assert!(text.len() <= 200 || lines.len() == 1, "{} holds {} bytes", path.display(), text.len());
        kept.extend(messages(&lines));
    }
    assert!(!numbered(&file, 2).exists(), "one rotated copy is kept");
    let all = messages(&on_stderr);
    assert!(all.len() > kept.len(), "older lines went with the rotation: {all:?}");
    assert_eq!(kept, all[all.len() - kept.len()..], "the newest lines, the very last included");
    // `config` shows the values in use.
    let out = w.cosmovisor(&["config", &format!("--cosmovisor-config={}", config.display())]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("COSMOVISOR_LOG_FILE_MAX_SIZE: 200\n") && shown.contains("COSMOVISOR_LOG_FORMAT: json"),
        "{shown}"
    );
}

/// A run of an app that crashes at start with stderr on a terminal; what the terminal showed.
fn on_a_terminal(w: &World, envs: &[(&str, &str)]) -> String {
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut command = run(w, &["--crash-at-start"]);
    command.env_remove("NO_COLOR").envs(envs.iter().copied());
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::from(pty.slave));
    let status = command.status().unwrap();
    drop(command);
    assert_eq!(status.code(), Some(1), "the app's own status");
    let mut shown = Vec::new();
    // The terminal's end reads until every writer is gone (EIO).
    let _ = std::fs::File::from(pty.master).read_to_end(&mut shown);
    String::from_utf8_lossy(&shown).into_owned()
}

#[test]
fn colour_only_on_a_terminal_and_never_with_color_logs_false() {
    let w = World::new();
    w.init("");
    let coloured = on_a_terminal(&w, &[]);
    assert!(coloured.contains("cosmovisor starting") && coloured.contains("\x1b["), "{coloured:?}");
    let plain = on_a_terminal(&w, &[("COSMOVISOR_COLOR_LOGS", "false")]);
    assert!(plain.contains("cosmovisor starting") && !plain.contains('\x1b'), "{plain:?}");
    let out = run(&w, &["--crash-at-start"]).env_remove("NO_COLOR").output().unwrap();
    let piped = String::from_utf8_lossy(&out.stderr);
    assert!(piped.contains("cosmovisor starting") && !piped.contains('\x1b'), "no colour on a pipe: {piped:?}");
}

#[test]
fn text_lines_are_timed_as_timeformat_logs_says() {
    let w = World::new();
    w.init("");
    let starting = |envs: &[(&str, &str)]| {
        let out = run(&w, &["--crash-at-start"]).envs(envs.iter().copied()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        stderr
            .lines()
            .find(|l| l.contains("cosmovisor starting"))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{stderr}"))
    };
    // Kitchen time by default, as Cosmovisor's: `3:04PM INFO ...`.
    let kitchen = starting(&[]);
    let (time, rest) = kitchen.split_once(' ').unwrap();
    assert!(time.ends_with("AM") || time.ends_with("PM"), "{kitchen}");
    assert!(time[..time.len() - 2].split(':').all(|n| n.parse::<u8>().is_ok()), "{kitchen}");
    assert!(rest.trim_start().starts_with("INFO"), "{kitchen}");
    // Empty: no time at all.
    let untimed = starting(&[("COSMOVISOR_TIMEFORMAT_LOGS", "")]);
    assert!(untimed.trim_start().starts_with("INFO"), "{untimed}");
    let rfc3339 = starting(&[("COSMOVISOR_TIMEFORMAT_LOGS", "rfc3339")]);
    let time = rfc3339.split(' ').next().unwrap();
    assert!(time.parse::<jiff::Timestamp>().is_ok(), "{rfc3339}");
}
