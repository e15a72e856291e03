//! `cosmovisor`: a drop-in replacement for Cosmovisor (v1.7) on the Visor engine.
//!
//! # Theory of operation
//!
//! The command line is Cosmovisor's: `run` hands every argument to the app as it is (only
//! `--cosmovisor-config <file>` is taken out, wherever it is), the other commands are parsed
//! here. The configuration is Cosmovisor's environment, optionally under its TOML file
//! (`config`). The face maps the node's files onto the engine: releases are `genesis` and
//! `upgrades/<name>` under `$DAEMON_HOME/cosmovisor`, `current` a relative link; upgrades come
//! from the plan files (`face`): the one the node writes at its height is due at once, the
//! manual ones when the chain's height (CometBFT `/status`) reaches theirs, with the node
//! started with `--halt-height` so it stops there. The engine stops the node with SIGTERM and
//! a grace, backs `data/` up, runs the hooks (`hooks`), switches atomically, restarts the app
//! with the same arguments, and ends with the app's own exit code when it exits by itself.
//! `anyhow` only here, at the edge.

mod commands;
mod config;
mod download;
mod face;
mod go_duration;
mod grpc;
mod hooks;
mod plan;

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

const USAGE: &str = "\
cosmovisor runs a Cosmos SDK app and upgrades it at its upgrade heights.

Usage:
  cosmovisor run <app arguments...>         run the app (every argument goes to it as it is)
  cosmovisor init <path to the app binary>  create $DAEMON_HOME/cosmovisor with it as genesis
  cosmovisor add-upgrade <name> <binary> [--force] [--upgrade-height H]
  cosmovisor add-batch-upgrade --upgrade-list name:binary:height,... | --upgrade-file <csv>
  cosmovisor prepare-upgrade                download the chain's planned binary now (node's gRPC)
  cosmovisor show-upgrade-info              print data/upgrade-info.json
  cosmovisor config                         print the configuration in use
  cosmovisor status [--output json]         what runs, what is planned, the last switch
  cosmovisor version [--output json] [--cosmovisor-only]
  cosmovisor help

Global flag:
  -c, --cosmovisor-config <file>            read the configuration from this TOML file
                                            (the environment overrides it)

Configuration comes from the environment: DAEMON_HOME and DAEMON_NAME are required; see
`cosmovisor config` for every variable and docs/cosmovisor.md for what each does.
";

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// Takes `--cosmovisor-config <file>` (and, outside `run`, `-c <file>`) out of `args`.
fn take_config_flag(args: &mut Vec<OsString>, short_too: bool) -> Result<Option<PathBuf>, Failure> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].to_string_lossy().into_owned();
        let long = ["--cosmovisor-config", "-cosmovisor-config"];
        if long.contains(&arg.as_str()) || (short_too && arg == "-c") {
            args.remove(i);
            if i >= args.len() {
                return Err(Failure { error: anyhow::anyhow!("{arg} needs a file"), exit: Exit::Config });
            }
            found = Some(PathBuf::from(args.remove(i)));
            continue;
        }
        if let Some(value) = long.iter().find_map(|l| arg.strip_prefix(&format!("{l}="))) {
            found = Some(PathBuf::from(value));
            args.remove(i);
            continue;
        }
        i += 1;
    }
    Ok(found)
}

fn load(file: Option<&std::path::Path>, needs_backup_dir: bool) -> Result<config::Config, Failure> {
    config::load(file, &env, needs_backup_dir).map_err(Failure::config)
}

fn init_logging(config: Option<&config::Config>) {
    if config.is_some_and(|c| c.disable_logs) {
        return;
    }
    facekit::init_logging(facekit::LogFormat::Text, "info");
}

fn run(file: Option<PathBuf>, args: Vec<OsString>) -> Result<Exit, Failure> {
    let config = load(file.as_deref(), true)?;
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
    tracing::info!(home = %config.home.display(), name = config.name, "cosmovisor starting");
    let root = config.root();
    facekit::run_engine(face::CosmosFace::new(file, config, args), Home::new(root))
}

fn main_impl(mut args: Vec<OsString>) -> Result<Exit, Failure> {
    // The global flag may come before the command.
    let mut leading = None;
    while args.first().is_some_and(|a| ["-c", "--cosmovisor-config"].contains(&a.to_string_lossy().as_ref())) {
        args.remove(0);
        if args.is_empty() {
            return Err(Failure { error: anyhow::anyhow!("--cosmovisor-config needs a file"), exit: Exit::Config });
        }
        leading = Some(PathBuf::from(args.remove(0)));
    }
    if let Some(file) = leading {
        args.insert(1.min(args.len()), OsString::from(format!("--cosmovisor-config={}", file.display())));
    }
    let command = args.first().map(|a| a.to_string_lossy().into_owned());
    match command.as_deref() {
        Some("run") => {
            args.remove(0);
            let file = take_config_flag(&mut args, false)?;
            run(file, args)
        }
        None | Some("help" | "--help" | "-h") => {
            facekit::print_out(USAGE);
            Ok(Exit::Clean)
        }
        Some(
            "init" | "version" | "config" | "add-upgrade" | "add-batch-upgrade" | "show-upgrade-info"
            | "prepare-upgrade" | "status" | "--version",
        ) => {
            args.remove(0);
            if args.iter().any(|a| a == "--help" || a == "-h") {
                facekit::print_out(USAGE);
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
    facekit::finish(main_impl(std::env::args_os().skip(1).collect()))
}
