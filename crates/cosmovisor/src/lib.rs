//! `cosmovisor`: a drop-in replacement for Cosmovisor (v1.7) on the Visor engine.
//!
//! # Theory of operation
//!
//! The command line is Cosmovisor's: `run` hands every argument to the app as it is (only
//! `--cosmovisor-config <file>` is taken out, wherever it is), the other commands are parsed
//! here. The configuration is Cosmovisor's environment, optionally under its TOML file
//! (`config`). The face maps the node's files onto the engine: releases are `genesis` and
//! `upgrades/<name>` under `$DAEMON_HOME/cosmovisor`, `current` a relative link; upgrades come
//! from the plan files (`face`): the one the node writes at its height is due once the chain is
//! at that height (at once on a first start, where no height was ever seen), the manual ones
//! when the chain's height (CometBFT `/status`) reaches theirs, with the node started with
//! `--halt-height` so it stops there. The engine stops the node with SIGTERM and a grace, backs
//! `data/` up with the configured strategy (`backups` lists, verifies and restores them), runs
//! the hooks (`hooks`), switches atomically, restarts the app with the same arguments, and ends
//! with the app's own exit code when it exits by itself. `anyhow` only here, at the edge.

mod add_upgrade;
mod backups;
mod check_cmd;
mod cli;
mod commands;
mod config;
mod download;
mod face;
mod go_duration;
mod grpc;
mod hooks;
mod plan;
mod plan_cmd;

/// Every variable the face reads (its tests clear them all from their environment).
pub use config::KEYS as VARIABLES;

/// The command line, described for `help`, the completions and the man pages (never parsed
/// with: see `cli`).
#[doc(hidden)]
pub fn cli() -> clap::Command {
    cli::cli()
}

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use facekit::Failure;
use visor_core::{Exit, Home};

/// Entry points for the fuzz targets and property tests of the parsers of untrusted input
/// (not an API).
#[doc(hidden)]
pub mod fuzz {
    /// A plan file, a batch file, and a plan's info, as the face reads them.
    pub fn plan(bytes: &[u8]) {
        let _ = crate::plan::Plan::parse(bytes, true);
        let _ = crate::plan::parse_batch(bytes, true);
        let text = String::from_utf8_lossy(bytes);
        let _ = crate::plan::artifact(&text, "linux/amd64");
        let _ = crate::plan::artifact_in_document(bytes, "linux/amd64");
        let _ = crate::plan::folder_name(&text);
    }

    /// A Go duration.
    pub fn duration(text: &str) {
        let _ = crate::go_duration::parse_go_duration(text);
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;
        use testnode::strategies::mutated;

        proptest! {
            #[test]
            fn plans_never_panic(text in mutated(r#"{"name":"v2","height":"12","info":"{\"binaries\":{\"any\":\"https://x/a?checksum=sha256:00\"}}"}"#)) {
                super::plan(text.as_bytes());
            }

            #[test]
            fn durations_never_panic(text in "\\PC{0,12}|[0-9.]{1,30}(ns|us|ms|s|m|h){1,3}") {
                super::duration(&text);
            }
        }
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// A command line a command does not take: it ends with exit 2, as the other faces' usage
/// errors (clap's) do, whatever the command.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Usage(pub(crate) String);

/// clap's exit code for a usage error (`Exit` leaves 2 to the command-line parser).
const USAGE_EXIT: u8 = 2;

/// A usage error, for code that returns `anyhow` errors.
pub(crate) fn usage_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(message.into()))
}

/// A usage error, for code that returns failures.
pub(crate) fn usage(message: impl Into<String>) -> Failure {
    Failure::config(Usage(message.into()))
}

/// Whether `failure` is a usage error (anywhere in its chain of causes).
fn is_usage(failure: &Failure) -> bool {
    failure.error.chain().any(|e| e.is::<Usage>())
}

/// The config flag's spellings: `run` extracts the long ones (v1.7 also takes the one-dash
/// form there), the other commands are parsed by cobra, which also takes `-c`.
const LONG_FLAGS: [&str; 2] = ["--cosmovisor-config", "-cosmovisor-config"];

/// What `arg` says about the config flag: `Some(None)` if it is the flag with its value in the
/// next argument, `Some(Some(value))` if it is `flag=value`.
fn config_flag(arg: &str, short_too: bool) -> Option<Option<String>> {
    let short: &[&str] = if short_too { &["-c"] } else { &[] };
    let flags = LONG_FLAGS.iter().chain(short);
    for flag in flags {
        if arg == *flag {
            return Some(None);
        }
        if let Some(value) = arg.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) {
            return Some(Some(value.to_owned()));
        }
    }
    None
}

/// Takes `--cosmovisor-config <file>` or `--cosmovisor-config=<file>` (and, outside `run`,
/// `-c <file>` or `-c=<file>`) out of `args`.
fn take_config_flag(args: &mut Vec<OsString>, short_too: bool) -> Result<Option<PathBuf>, Failure> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].to_string_lossy().into_owned();
        match config_flag(&arg, short_too) {
            Some(None) => {
                args.remove(i);
                if i >= args.len() {
                    return Err(usage(format!("{arg} needs a file")));
                }
                found = Some(PathBuf::from(args.remove(i)));
            }
            Some(Some(value)) => {
                args.remove(i);
                found = Some(PathBuf::from(value));
            }
            None => i += 1,
        }
    }
    Ok(found)
}

/// Reads the configuration as the commands do, saying each unknown key of the file once on
/// stderr (the log is not set up before the configuration is read).
fn load(file: Option<&std::path::Path>, needs_backup_dir: bool) -> Result<config::Config, Failure> {
    let (config, unknown) = load_noting(file, needs_backup_dir);
    for key in &unknown {
        facekit::eprintln_out(&format!("warning: {}", key.message));
    }
    config
}

/// Reads the configuration, and the unknown keys of its file, without saying them.
fn load_noting(
    file: Option<&std::path::Path>,
    needs_backup_dir: bool,
) -> (Result<config::Config, Failure>, Vec<config::UnknownKey>) {
    let (config, unknown) = config::load_noting(file, &env, needs_backup_dir);
    let config = config.map_err(Failure::config).inspect(|c| plan::allow_weak_checksums(c.allow_weak_checksums));
    (config, unknown)
}

fn init_logging(config: Option<&config::Config>) {
    if config.is_some_and(|c| c.disable_logs) {
        return;
    }
    facekit::init_logging(&config.map(log_options).unwrap_or_default());
}

/// The log as the configuration asks: colour unless `COSMOVISOR_COLOR_LOGS=false`, text lines
/// timed as `COSMOVISOR_TIMEFORMAT_LOGS` names, the format and the file of our own variables.
fn log_options(config: &config::Config) -> facekit::LogOptions {
    facekit::LogOptions {
        format: config.log_format,
        color: config.color_logs,
        time: go_time_layout(&config.timeformat_logs),
        file: config.log_file.clone().map(|path| facekit::LogFile {
            path,
            max_size: config.log_file_max_size,
            keep: config.log_file_keep,
        }),
        ..facekit::LogOptions::default()
    }
}

/// The `strftime` format of a Go time layout's name (`COSMOVISOR_TIMEFORMAT_LOGS`); empty: no time.
fn go_time_layout(name: &str) -> facekit::LogTime {
    let format = match name {
        "" => return facekit::LogTime::Off,
        "layout" => "%m/%d %I:%M:%S%p '%y %z",
        "ansic" => "%a %b %e %H:%M:%S %Y",
        "unixdate" => "%a %b %e %H:%M:%S %Z %Y",
        "rubydate" => "%a %b %d %H:%M:%S %z %Y",
        "rfc822" => "%d %b %y %H:%M %Z",
        "rfc822z" => "%d %b %y %H:%M %z",
        "rfc850" => "%A, %d-%b-%y %H:%M:%S %Z",
        "rfc1123" => "%a, %d %b %Y %H:%M:%S %Z",
        "rfc1123z" => "%a, %d %b %Y %H:%M:%S %z",
        "rfc3339" => "%Y-%m-%dT%H:%M:%S%:z",
        "rfc3339nano" => "%Y-%m-%dT%H:%M:%S%.f%:z",
        "kitchen" => "%-I:%M%p",
        // The configuration refuses any other name.
        _ => return facekit::LogTime::Rfc3339,
    };
    facekit::LogTime::Strftime(format.to_owned())
}

fn run(file: Option<PathBuf>, args: Vec<OsString>) -> Result<Exit, Failure> {
    let (config, unknown) = load_noting(file.as_deref(), true);
    for key in &unknown {
        facekit::eprintln_out(&format!("warning: {}", key.message));
    }
    let config = config?;
    init_logging(Some(&config));
    // As Cosmovisor does: from the folder `current` is relative to.
    std::env::set_current_dir(config.root())
        .map_err(|e| Failure::config(anyhow::anyhow!("cannot enter {}: {e}", config.root().display())))?;
    // The plan files are watched through their folder; the node makes it, but may not yet.
    let _ = std::fs::create_dir_all(config.home.join("data"));
    face::settings(&config).map_err(|e| Failure::config(anyhow::anyhow!(e)))?;
    // Said now, not at the height.
    if let Err(e) = hooks::check_custom_preupgrade(&config) {
        tracing::error!("{e}; an upgrade would stop here: fix it before the upgrade height");
    }
    tracing::info!(home = %config.home.display(), name = config.name, cosmovisor_version = env!("CARGO_PKG_VERSION"), "cosmovisor starting");
    let root = config.root();
    let listen = (!config.metrics_listen.is_empty())
        .then(|| (config.metrics_listen.clone(), "COSMOVISOR_METRICS_LISTEN".to_owned()));
    let reporting = facekit::reporting("cosmovisor", env!("CARGO_PKG_VERSION"), listen)?;
    let face = face::CosmosFace::new(file, config, args).supervising(unknown.into_iter().map(|k| k.message).collect());
    facekit::run_engine(face, Home::new(root), reporting)
}

fn main_impl(mut args: Vec<OsString>) -> Result<Exit, Failure> {
    // The global flag may come before the command, in any of cobra's spellings.
    let mut leading = None;
    while let Some(found) = args.first().and_then(|a| config_flag(&a.to_string_lossy(), true)) {
        let flag = args.remove(0);
        leading = Some(match found {
            Some(value) => OsString::from(value),
            None if args.is_empty() => return Err(usage(format!("{} needs a file", flag.to_string_lossy()))),
            None => args.remove(0),
        });
    }
    if let Some(file) = leading {
        if args.is_empty() {
            facekit::print_out(&cli::help(&[], true));
            return Ok(Exit::Clean);
        }
        // Handed on in the form every command extracts, `run` included.
        let mut flag = OsString::from("--cosmovisor-config=");
        flag.push(file);
        args.insert(1.min(args.len()), flag);
    }
    let command = args.first().map(|a| a.to_string_lossy().into_owned());
    match command.as_deref() {
        Some("run") => {
            args.remove(0);
            let file = take_config_flag(&mut args, false)?;
            // `run --help` is the usage of `run`, configured or not; after the app's command
            // (`run start --help`) it is the app's.
            if let Some(flag) = args.first().filter(|a| *a == "--help" || *a == "-h") {
                facekit::print_out(&cli::help(&["run"], flag == "--help"));
                return Ok(Exit::Clean);
            }
            run(file, args)
        }
        None | Some("help" | "--help") => {
            let path: Vec<&str> = args.iter().skip(1).filter_map(|a| a.to_str()).collect();
            facekit::print_out(&cli::help(&path, true));
            Ok(Exit::Clean)
        }
        Some("-h") => {
            facekit::print_out(&cli::help(&[], false));
            Ok(Exit::Clean)
        }
        Some("completions" | "completion") => cli::completions(&args[1..]),
        Some(
            "init" | "version" | "config" | "add-upgrade" | "add-batch-upgrade" | "show-upgrade-info"
            | "prepare-upgrade" | "status" | "backup" | "plan" | "check" | "--version",
        ) => {
            args.remove(0);
            if let Some(flag) = args.iter().find(|a| *a == "--help" || *a == "-h") {
                let path: Vec<&str> = std::iter::once(command.as_deref().unwrap_or_default())
                    .chain(args.iter().take_while(|a| !a.to_string_lossy().starts_with('-')).filter_map(|a| a.to_str()))
                    .collect();
                facekit::print_out(&cli::help(&path, flag == "--help"));
                return Ok(Exit::Clean);
            }
            let file = take_config_flag(&mut args, true)?;
            let command = command.unwrap_or_default();
            commands::dispatch(&command, file, args)
        }
        Some(_) => {
            // Cosmovisor's deprecated form: `cosmovisor <app arguments>`.
            let file = take_config_flag(&mut args, false)?;
            facekit::eprintln_out("running the app without `run` is deprecated; use `cosmovisor run <app arguments>`");
            run(file, args)
        }
    }
}

/// The `cosmovisor` command: parses the command line, runs it, and says how it ended.
pub fn main() -> ExitCode {
    match main_impl(std::env::args_os().skip(1).collect()) {
        Err(failure) if is_usage(&failure) => {
            facekit::eprintln_out(&format!("Error: {:#}", failure.error));
            ExitCode::from(USAGE_EXIT)
        }
        result => facekit::finish(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn go_time_layouts_render_as_go_renders_them() {
        let time = jiff::civil::date(2006, 1, 2).at(15, 4, 5, 120_000_000).to_zoned(jiff::tz::TimeZone::UTC).unwrap();
        for (name, go) in [
            ("kitchen", "3:04PM"),
            ("ansic", "Mon Jan  2 15:04:05 2006"),
            ("unixdate", "Mon Jan  2 15:04:05 UTC 2006"),
            ("rubydate", "Mon Jan 02 15:04:05 +0000 2006"),
            ("rfc822", "02 Jan 06 15:04 UTC"),
            ("rfc822z", "02 Jan 06 15:04 +0000"),
            ("rfc850", "Monday, 02-Jan-06 15:04:05 UTC"),
            ("rfc1123", "Mon, 02 Jan 2006 15:04:05 UTC"),
            ("rfc1123z", "Mon, 02 Jan 2006 15:04:05 +0000"),
            ("layout", "01/02 03:04:05PM '06 +0000"),
            // Go writes Z for UTC; the offset is the same instant.
            ("rfc3339", "2006-01-02T15:04:05+00:00"),
            ("rfc3339nano", "2006-01-02T15:04:05.12+00:00"),
        ] {
            let facekit::LogTime::Strftime(format) = go_time_layout(name) else { panic!("{name}") };
            assert_eq!(time.strftime(&format).to_string(), go, "{name}");
        }
        assert_eq!(go_time_layout(""), facekit::LogTime::Off);
    }

    #[test]
    fn the_config_flag_is_taken_out_in_every_spelling() {
        for (given, short_too, file, rest) in [
            (&["start", "--cosmovisor-config", "f.toml", "--x"][..], false, Some("f.toml"), &["start", "--x"][..]),
            (&["start", "--cosmovisor-config=f.toml"], false, Some("f.toml"), &["start"]),
            (&["-cosmovisor-config=f.toml", "start"], false, Some("f.toml"), &["start"]),
            // `run` hands `-c` to the app, as v1.7 does; the other commands take it.
            (&["start", "-c", "f.toml"], false, None, &["start", "-c", "f.toml"]),
            (&["-c", "f.toml", "--output", "json"], true, Some("f.toml"), &["--output", "json"]),
            (&["-c=f.toml"], true, Some("f.toml"), &[]),
            (&["--cosmovisor-configx=f"], true, None, &["--cosmovisor-configx=f"]),
        ] {
            let mut list = args(given);
            let found = take_config_flag(&mut list, short_too).unwrap();
            assert_eq!(found.as_deref(), file.map(std::path::Path::new), "{given:?}");
            assert_eq!(list, args(rest), "{given:?}");
        }
        assert!(take_config_flag(&mut args(&["start", "--cosmovisor-config"]), false).is_err());
    }
}
