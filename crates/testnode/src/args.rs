//! testnode's arguments. Hand-parsed: a real node's run configuration carries flags testnode
//! does not know (`--tendermint-home`, `--nodewallet-passphrase-file`), which it must accept.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AdminMode {
    Ok,
    Hang,
    Garbage,
    Http500,
    Error,
}

#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) command: Vec<String>,
    pub(crate) output: Option<String>,
    pub(crate) home: Option<PathBuf>,
    pub(crate) socket: Option<PathBuf>,
    pub(crate) http_path: String,
    pub(crate) block_time: Duration,
    pub(crate) upgrade_at: Option<u64>,
    pub(crate) release_tag: Option<String>,
    pub(crate) accept_at: u64,
    pub(crate) snapshot_height: Option<u64>,
    pub(crate) ignore_sigterm: bool,
    pub(crate) stop_delay: Option<Duration>,
    pub(crate) fork_grandchild: bool,
    /// The grandchild leaves the process group (`setsid`), as daemonizing nodes do.
    pub(crate) setsid: bool,
    pub(crate) crash_at_start: bool,
    pub(crate) crash_first: Option<usize>,
    pub(crate) exit_after: Option<Duration>,
    pub(crate) exit_on_file: Option<PathBuf>,
    /// A file to append "<version>\n" to at start, before anything else (a release that
    /// changes its data as it starts: a migration).
    pub(crate) mark: Option<PathBuf>,
    pub(crate) exit_code: u8,
    pub(crate) admin_mode: AdminMode,
    pub(crate) flood: bool,
    pub(crate) hold_port: Option<u16>,
    pub(crate) print: Print,
}

/// Output printed at start on request, to show that it reaches the visor's streams untouched.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Print {
    /// One line of this many bytes (and a newline) on stdout.
    pub(crate) long_line: Option<usize>,
    /// Bytes that are not UTF-8, as a line on stdout and on stderr.
    pub(crate) invalid_utf8: bool,
}

pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {text:?} (use e.g. 50ms, 2s)");
    let (number, unit) = text.find(|c: char| !c.is_ascii_digit()).map_or((text, "ms"), |i| text.split_at(i));
    let n: u64 = number.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(bad()),
    }
}

pub(crate) fn parse(argv: &[String]) -> Result<Options, String> {
    let mut o = Options {
        command: Vec::new(),
        output: None,
        home: None,
        socket: None,
        http_path: "/rpc".to_owned(),
        block_time: Duration::from_millis(100),
        upgrade_at: None,
        release_tag: None,
        accept_at: 1,
        snapshot_height: None,
        ignore_sigterm: false,
        stop_delay: None,
        fork_grandchild: false,
        setsid: false,
        crash_at_start: false,
        crash_first: None,
        exit_after: None,
        exit_on_file: None,
        mark: None,
        exit_code: 0,
        admin_mode: AdminMode::Ok,
        flood: false,
        hold_port: None,
        print: Print::default(),
    };
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg, None),
        };
        let mut value = || -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            argv.get(i).cloned().ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: {v:?} is not a number"));
        match flag {
            "--output" | "-o" => o.output = Some(value()?),
            "--home" => o.home = Some(PathBuf::from(value()?)),
            "--socket" => o.socket = Some(PathBuf::from(value()?)),
            "--http-path" => o.http_path = value()?,
            "--block-time" => o.block_time = parse_duration(&value()?)?,
            "--upgrade-at" => o.upgrade_at = Some(number(value()?)?),
            "--release-tag" => o.release_tag = Some(value()?),
            "--accept-at" => o.accept_at = number(value()?)?,
            "--snapshot.load-from-block-height" => o.snapshot_height = Some(number(value()?)?),
            "--ignore-sigterm" => o.ignore_sigterm = true,
            "--stop-delay" => o.stop_delay = Some(parse_duration(&value()?)?),
            "--fork-grandchild" => o.fork_grandchild = true,
            "--setsid-grandchild" => {
                o.fork_grandchild = true;
                o.setsid = true;
            }
            "--setsid" => o.setsid = true,
            "--crash-at-start" => o.crash_at_start = true,
            "--crash-first" => o.crash_first = Some(number(value()?)? as usize),
            "--exit-after" => o.exit_after = Some(parse_duration(&value()?)?),
            "--exit-on-file" => o.exit_on_file = Some(PathBuf::from(value()?)),
            "--mark" => o.mark = Some(PathBuf::from(value()?)),
            "--exit-code" => o.exit_code = number(value()?)?.min(255) as u8,
            "--admin-mode" => {
                o.admin_mode = match value()?.as_str() {
                    "ok" => AdminMode::Ok,
                    "hang" => AdminMode::Hang,
                    "garbage" => AdminMode::Garbage,
                    "http500" => AdminMode::Http500,
                    "error" => AdminMode::Error,
                    other => return Err(format!("unknown --admin-mode {other:?}")),
                }
            }
            "--flood" => o.flood = true,
            "--hold-port" => o.hold_port = Some(number(value()?)? as u16),
            "--print-long-line" => o.print.long_line = Some(number(value()?)? as usize),
            "--print-invalid-utf8" => o.print.invalid_utf8 = true,
            "--no-banner" => {}
            _ if flag.starts_with('-') => {
                // Unknown flags of a real node are accepted; a following value is skipped when
                // it does not look like a flag or a command.
                if inline.is_none() && argv.get(i + 1).is_some_and(|v| !v.starts_with('-') && !is_command(v)) {
                    i += 1;
                }
            }
            _ => o.command.push(arg.to_owned()),
        }
        i += 1;
    }
    Ok(o)
}

fn is_command(word: &str) -> bool {
    matches!(
        word,
        "start"
            | "run"
            | "datanode"
            | "version"
            | "build-info"
            | "network-history"
            | "latest-history-segment"
            | "grandchild"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Options {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn parses_core_flags_and_skips_unknown_ones() {
        let o = p(&[
            "start",
            "--home",
            "/h",
            "--tendermint-home",
            "/tm",
            "--snapshot.load-from-block-height",
            "30",
            "--block-time=50ms",
        ]);
        assert_eq!(o.command, vec!["start"]);
        assert_eq!(o.home, Some(PathBuf::from("/h")));
        assert_eq!(o.snapshot_height, Some(30));
        assert_eq!(o.block_time, Duration::from_millis(50));
    }

    #[test]
    fn parses_nested_commands() {
        let o = p(&["datanode", "network-history", "latest-history-segment", "--output", "json", "--home", "/dn"]);
        assert_eq!(o.command, vec!["datanode", "network-history", "latest-history-segment"]);
        assert_eq!(o.output.as_deref(), Some("json"));
        let o = p(&["--no-banner", "build-info", "--output=json"]);
        assert_eq!(o.command, vec!["build-info"]);
    }
}
