//! `nymvisor`: a drop-in replacement for Nymvisor on the Visor engine.
//!
//! Parses Nymvisor's command line, environment variables and files into engine types and runs
//! the engine; `anyhow` only here, at the edge. The daemon's upgrades come from a plan
//! (`upgrade-plan.json`) fed by an upstream poller and `add-upgrade`; the engine stages each
//! binary as soon as it is queued, and at its time backs up, switches and restarts, rolling back
//! if the new binary keeps failing during its startup period.

mod add_upgrade;
mod check_cmd;
mod config;
mod daemon;
mod env;
mod face;
mod files;
mod init;
mod plan;
mod plan_cmd;

/// Entry points for the fuzz targets and property tests of the parsers of untrusted input
/// (not an API: `fuzz/` and the tests are its only users).
#[doc(hidden)]
pub mod fuzz {
    use std::path::Path;

    /// Parses `config.toml` text with the given environment; errors are fine, panics are not.
    pub fn config(text: &str, env: &[(&str, &str)]) -> Result<(), String> {
        let env =
            crate::env::Env::from_lookup(|name| env.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned()))
                .map_err(|e| e.to_string())?;
        crate::config::parse(Path::new("/nym/config.toml"), text, &env).map(drop).map_err(|e| e.to_string())
    }

    /// What an upstream answers (`upgrade-info.json`), as the face reads it.
    pub fn upgrade_info(bytes: &[u8]) -> Result<(), String> {
        let info: crate::files::UpgradeInfo = crate::files::parse_json(bytes)?;
        crate::files::check_name(&info.name)?;
        let download = info.download()?;
        download.checksum()?;
        Ok(())
    }

    /// `upgrade-plan.json`.
    pub fn plan(bytes: &[u8]) -> Result<(), String> {
        crate::files::parse_json::<crate::files::UpgradePlan>(bytes).map(drop)
    }

    /// `upgrade-history.json` and `current-version-info.json`.
    pub fn history(bytes: &[u8]) -> Result<(), String> {
        let history = crate::files::parse_json::<crate::files::UpgradeHistory>(bytes).map(drop);
        let current = crate::files::parse_json::<crate::files::CurrentVersionInfo>(bytes).map(drop);
        history.or(current)
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;
        use testnode::strategies::mutated;

        const INFO: &str = r#"{"manual":false,"name":"v2","notes":"","publishDate":null,"version":"1.2.0",
            "platforms":{"linux-x86_64":{"checksum":"ab","checksumAlgorithm":"sha256","url":"https://x/y"}},
            "upgradeTime":"9999-12-31T23:59:59Z"}"#;
        const CONFIG: &str = "[nymvisor]\nid = \"nym-node-default\"\nupstream_polling_rate = \"1h\"\n\
            [daemon]\nname = \"nym-node\"\nhome = \"/h\"\nshutdown_grace_period = \"10s\"\n";

        proptest! {
            #[test]
            fn upgrade_infos_never_panic(text in mutated(INFO)) {
                let _ = super::upgrade_info(text.as_bytes());
                let _ = super::plan(text.as_bytes());
                let _ = super::history(text.as_bytes());
            }

            #[test]
            fn configs_never_panic(
                text in mutated(CONFIG),
                grace in "\\PC{0,12}|[0-9]{1,25}(ns|s|y|d)",
                checksum in "\\PC{0,6}",
            ) {
                let env = [("DAEMON_SHUTDOWN_GRACE_PERIOD", grace.as_str()), ("DAEMON_ENFORCE_DOWNLOAD_CHECKSUM", checksum.as_str())];
                let _ = super::config(&text, &env);
            }
        }
    }
}

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use visor_core::{Exit, Home};

use crate::files::{BuildInfo, Layout};

pub(crate) use facekit::Output;

#[derive(Parser)]
#[command(name = "nymvisor", about = "Runs a Nym binary and upgrades it automatically")]
struct Cli {
    /// A .env file whose variables are loaded (overriding the environment) before anything else.
    #[arg(short = 'c', long)]
    config_env_file: Option<PathBuf>,
    #[command(flatten)]
    log: facekit::LogArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Initialise an instance for a daemon binary.
    Init {
        #[command(flatten)]
        args: Box<init::InitArgs>,
        /// Format of the configuration printed at the end (text adds the next steps).
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Run the daemon with the given arguments, and upgrade it as planned.
    Run {
        /// Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1);
        /// overrides `metrics_listen` in the [nymvisor] section of the config file.
        #[arg(long, env = "NYMVISOR_METRICS_LISTEN", value_name = "ADDRESS")]
        metrics_listen: Option<String>,
        /// Arguments passed to the daemon as they are.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        daemon_args: Vec<OsString>,
    },
    /// Queue an upgrade by hand, or attach a binary to a queued one.
    AddUpgrade(add_upgrade::AddUpgradeArgs),
    /// Show the configuration in use (after the environment overrides).
    Config {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Show what runs, the queued upgrade and the last switch (or watch it, or probe it).
    Status(facekit::status::StatusArgs),
    /// Show what will happen next: the current release and each queued upgrade, its time and
    /// binary; or cancel a queued upgrade (`plan cancel <name>`).
    Plan(facekit::plan::PlanArgs),
    /// Check the instance without running the daemon: configuration, files, binaries and their
    /// build information, queued upgrades, the upstream.
    Check {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Show nymvisor's build information.
    BuildInfo {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// List, verify or restore the backups taken before upgrades.
    Backup {
        #[command(subcommand)]
        command: facekit::backups::BackupCommand,
    },
    /// Show the build information of the daemon's current binary.
    DaemonBuildInfo {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the completion script for a shell.
    ///
    /// Install it where the shell loads completions from, e.g.
    /// `nymvisor completions bash > ~/.local/share/bash-completion/completions/nymvisor`.
    Completions(facekit::generated::CompletionsArgs),
}

/// The command line, for the completions and man pages generated from it (`--version` without
/// the build's facts, which `main` adds).
#[doc(hidden)]
pub fn cli() -> clap::Command {
    facekit::LogArgs::name_env(Cli::command(), "NYMVISOR").version(env!("CARGO_PKG_VERSION"))
}

/// nymvisor's own build information, in the daemons' format.
fn own_build_info() -> BuildInfo {
    let mut info = BuildInfo::new();
    for (key, value) in [
        ("binary_name", "nymvisor"),
        ("build_timestamp", facekit::BUILD.build_timestamp),
        ("build_version", env!("CARGO_PKG_VERSION")),
        ("commit_sha", facekit::BUILD.git_hash),
        ("commit_timestamp", facekit::BUILD.commit_timestamp),
        ("commit_branch", facekit::BUILD.commit_branch),
        ("rustc_version", facekit::BUILD.rustc_version),
        ("rustc_channel", facekit::BUILD.rustc_channel),
        ("cargo_profile", facekit::BUILD.profile),
        ("cargo_triple", facekit::BUILD.target),
    ] {
        info.insert(key.to_owned(), value.into());
    }
    info
}

fn print_build_info(info: &BuildInfo, output: Output) {
    match output {
        Output::Text => facekit::print_out(&daemon::display(info)),
        Output::Json => facekit::println_out(&serde_json::Value::Object(info.clone()).to_string()),
    }
}

fn init_logging(disabled: bool, log: &facekit::LogOptions) {
    if !disabled {
        facekit::init_logging(log);
    }
}

use facekit::Failure;

fn config_error(e: impl Into<anyhow::Error>) -> Failure {
    Failure::config(e)
}

/// Finds and reads the configuration, then sets up the log as it says and logs what was odd in
/// the file (unknown keys).
fn load_config(log: &facekit::LogOptions) -> Result<(PathBuf, config::Config, env::Env), Failure> {
    let env = env::Env::read().map_err(config_error)?;
    let path = config::discover(&env).map_err(config_error)?;
    let (config, warnings) = config::load_reporting(&path, &env).map_err(config_error)?;
    init_logging(config.nymvisor.disable_logs, log);
    for warning in warnings {
        tracing::warn!("{}", warning.message());
    }
    Ok((path, config, env))
}

fn run(daemon_args: Vec<OsString>, metrics_listen: Option<String>, log: &facekit::LogOptions) -> Result<Exit, Failure> {
    let (path, config, _) = load_config(log)?;
    let layout = Layout::new(&config).map_err(config_error)?;
    if files::is_missing(&layout.plan()) {
        return Err(config_error(anyhow::anyhow!(
            "{} is missing: run `nymvisor init` for this daemon first",
            layout.plan().display()
        )));
    }
    tracing::info!(config = %path.display(), data = %layout.data.display(), daemon = config.daemon.name, nymvisor_version = env!("CARGO_PKG_VERSION"), "nymvisor starting");
    match files::read_current_version(&layout) {
        Ok(current) => tracing::info!(name = current.name, version = current.version, "current version"),
        Err(e) => tracing::warn!("no current-version information: {e}"),
    }
    let listen = match metrics_listen {
        Some(text) => Some((text, "--metrics-listen or NYMVISOR_METRICS_LISTEN".to_owned())),
        None => {
            config.nymvisor.metrics_listen.clone().map(|text| (text, format!("metrics_listen in {}", path.display())))
        }
    };
    let reporting = facekit::reporting("nymvisor", env!("CARGO_PKG_VERSION"), listen)?;
    let face = face::NymFace::new(path, config, layout.clone(), daemon_args);
    facekit::run_engine(face, Home::new(layout.data), reporting)
}

fn main_impl(cli: Cli) -> Result<Exit, Failure> {
    if let Some(file) = &cli.config_env_file {
        dotenvy::from_path_override(file)
            .map_err(|e| config_error(anyhow::anyhow!("cannot load the environment file {}: {e}", file.display())))?;
    }
    // After the .env file: its variables count.
    let log = cli.log.options("NYMVISOR").map_err(config_error)?;
    match cli.command {
        Command::Run { daemon_args, metrics_listen } => run(daemon_args, metrics_listen, &log),
        Command::Init { args, output } => {
            let env = env::Env::read().map_err(config_error)?;
            init_logging(env.disable_logs.unwrap_or(args.disable_nymvisor_logs), &log);
            let made = init::init(&args, &env).map_err(config_error)?;
            match output {
                Output::Text => facekit::print_out(&(config::display(&made.config) + &made.next_steps())),
                Output::Json => facekit::println_out(&config::to_json(&made.config).to_string()),
            }
            Ok(Exit::Clean)
        }
        Command::AddUpgrade(args) => {
            let (_, config, _) = load_config(&log)?;
            let info = add_upgrade::add_upgrade(&args, &config).map_err(config_error)?;
            match args.output {
                // Whole seconds: the fraction says nothing to plan by.
                Output::Text => facekit::println_out(&format!(
                    "upgrade {} ({}) planned for {:.0}",
                    info.name, info.version, info.upgrade_time
                )),
                Output::Json => facekit::println_out(&serde_json::to_string(&info)?),
            }
            Ok(Exit::Clean)
        }
        Command::Config { output } => {
            let (_, config, _) = load_config(&log)?;
            match output {
                Output::Text => facekit::print_out(&config::display(&config)),
                Output::Json => facekit::println_out(&config::to_json(&config).to_string()),
            }
            Ok(Exit::Clean)
        }
        Command::Backup { command } => {
            let (_, config, _) = load_config(&log)?;
            let layout = Layout::new(&config).map_err(config_error)?;
            // With backups off, what the folder holds can still be listed and restored.
            let mut listing = config;
            listing.daemon.unsafe_skip_backup = false;
            listing.daemon.backup_strategy = config::DEFAULT_STRATEGY;
            let settings = face::settings(&listing, &layout)
                .backup
                .ok_or_else(|| config_error(anyhow::anyhow!("no backup folder")))?;
            facekit::backups::backup_command(
                &Home::new(layout.data),
                &settings,
                command,
                "systemctl stop nymvisor, or SIGTERM to `nymvisor run`",
            )
        }
        Command::Status(args) => {
            let (_, config, _) = load_config(&log)?;
            let layout = Layout::new(&config).map_err(config_error)?;
            facekit::status::command(&layout.data, &args)
        }
        Command::Plan(args) => plan_cmd::command(&args, &log),
        Command::Check { output } => check_cmd::command(output, &log),
        Command::BuildInfo { output } => {
            print_build_info(&own_build_info(), output);
            Ok(Exit::Clean)
        }
        Command::DaemonBuildInfo { output } => {
            let (_, config, _) = load_config(&log)?;
            let layout = Layout::new(&config).map_err(config_error)?;
            let binary = layout.binary(&layout.data.join("current"));
            let info = daemon::build_info_blocking(&binary).map_err(anyhow::Error::msg)?;
            print_build_info(&info, output);
            Ok(Exit::Clean)
        }
        Command::Completions(args) => {
            facekit::generated::print_completions(crate::cli(), &args);
            Ok(Exit::Clean)
        }
    }
}

/// The `nymvisor` command: parses the command line, runs it, and says how it ended.
pub fn main() -> ExitCode {
    let long_version: &'static str = Box::leak(daemon::display(&own_build_info()).into_boxed_str());
    let command = cli().long_version(long_version);
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    facekit::finish(main_impl(cli))
}
