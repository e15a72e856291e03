//! `visor`: a drop-in replacement for Vega Visor on the Visor engine.
//!
//! Parses Vega Visor's command line and files into engine types and runs the engine. Errors
//! meet `anyhow` only here, at the edge.

mod backup_config;
mod check_cmd;
mod config;
mod face;
mod init;
mod plan_cmd;
mod run_config;

/// Entry points for the fuzz targets and property tests of the parsers of untrusted input
/// (not an API: `fuzz/` and the tests are its only users).
#[doc(hidden)]
pub mod fuzz {
    use std::path::Path;

    /// Parses `config.toml` text; errors are fine, panics are not.
    pub fn config(text: &str) -> Result<(), String> {
        crate::config::parse_text(Path::new("/home/config.toml"), text).map(drop).map_err(|e| e.to_string())
    }

    /// Parses `run-config.toml` text of a release folder.
    pub fn run_config(text: &str) -> Result<(), String> {
        crate::run_config::parse(Path::new("/home/v1"), text).map(drop).map_err(|e| e.to_string())
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;
        use testnode::strategies::mutated;

        const CONFIG: &str = "maxNumberOfRestarts = 3\nrestartsDelaySeconds = 18446744073709551615\n\
            stopSignalTimeoutSeconds = 15\npollIntervalMilliseconds = 500\n[upgradeFolders]\n\"v1\" = \"v1\"\n\
            [autoInstall]\nenabled = true\ntimeoutSeconds = 99999999999\n[autoInstall.asset]\nname = \"x-{os}.zip\"\nbinaryName = \"vega\"\n";
        const RUN: &str = "name = \"v1\"\n[vega]\n[vega.binary]\npath = \"vega\"\nargs = [\"node\"]\n\
            [vega.rpc]\nsocketPath = \"/run/vega.sock\"\nhttpPath = \"/rpc\"\n";

        proptest! {
            #[test]
            fn configs_never_panic(text in mutated(CONFIG)) {
                let _ = super::config(&text);
            }

            #[test]
            fn run_configs_never_panic(text in mutated(RUN)) {
                let _ = super::run_config(&text);
            }

            #[test]
            fn any_text_never_panics(text in "\\PC{0,200}") {
                let _ = super::config(&text);
                let _ = super::run_config(&text);
            }
        }
    }
}

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use visor_core::{Exit, Home};

const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));
const HASH: &str = facekit::BUILD.git_hash;

#[derive(Parser)]
#[command(name = "visor", about = "Runs a Vega core and data node and upgrades them automatically", version = VERSION)]
struct Cli {
    #[command(flatten)]
    log: facekit::LogArgs,
    /// Log level (error, warn, info, debug, trace); RUST_LOG overrides it.
    #[arg(long, global = true, default_value = "info")]
    log_level: String,
    #[command(subcommand)]
    command: Command,
}

use facekit::Output;

#[derive(Subcommand)]
enum Command {
    /// Create a new home folder with commented configuration files.
    Init {
        /// The home folder to create (must not exist, or be empty).
        #[arg(long)]
        home: PathBuf,
        /// Also configure a data node.
        #[arg(long)]
        with_data_node: bool,
    },
    /// Run the node of a home folder and upgrade it when the core is ready.
    Run {
        /// The home folder.
        #[arg(long)]
        home: PathBuf,
        /// Serve Prometheus metrics on this address (a port alone listens on 127.0.0.1);
        /// overrides `[metrics] listen` in config.toml.
        #[arg(long, env = "VISOR_METRICS_LISTEN", value_name = "ADDRESS")]
        metrics_listen: Option<String>,
    },
    /// Show what runs, the announced upgrade and the last switch (or watch it, or probe it).
    Status {
        /// The home folder.
        #[arg(long)]
        home: PathBuf,
        #[command(flatten)]
        args: facekit::status::StatusArgs,
    },
    /// Show what will happen next: the release that runs, the announced upgrade, its trigger and
    /// release folder (`plan cancel` explains why Vega upgrades cannot be cancelled here).
    Plan {
        /// The home folder (required; before or after the subcommand).
        #[arg(long, global = true)]
        home: Option<PathBuf>,
        #[command(flatten)]
        args: facekit::plan::PlanArgs,
    },
    /// Check a home without running it: configuration, current release, binaries and their
    /// versions, the core's admin socket, the announced upgrade's release.
    Check {
        /// The home folder.
        #[arg(long)]
        home: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// List, verify or restore the backups taken before switches (`[backup]` in config.toml).
    Backup {
        /// The home folder (required; before or after the subcommand).
        #[arg(long, global = true)]
        home: Option<PathBuf>,
        #[command(subcommand)]
        command: facekit::backups::BackupCommand,
    },
    /// Print the version.
    Version {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print the completion script for a shell.
    ///
    /// Install it where the shell loads completions from, e.g.
    /// `visor completions bash > ~/.local/share/bash-completion/completions/visor`.
    #[command(alias = "completion")]
    Completions(facekit::generated::CompletionsArgs),
}

/// The command line, for the completions and man pages generated from it.
#[doc(hidden)]
pub fn cli() -> clap::Command {
    facekit::LogArgs::name_env(<Cli as clap::CommandFactory>::command(), "VISOR")
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    Ok(std::path::absolute(path)?)
}

fn run(home: &Path, metrics_listen: Option<String>) -> Exit {
    let home = match absolute(home).and_then(|h| Ok(h.canonicalize()?)) {
        Ok(h) if h.is_dir() => h,
        Ok(h) => {
            tracing::error!(home = %h.display(), "the home is not a folder; give the folder `visor init --home` made");
            return Exit::Config;
        }
        Err(e) => {
            // Not there, or not ours to look into: say which.
            let denied = e.downcast_ref::<std::io::Error>().and_then(|io| visor_core::access::explain_denied(home, io));
            match denied {
                Some(why) => tracing::error!(home = %home.display(), "cannot look into the home folder: {why}"),
                None => tracing::error!(
                    home = %home.display(),
                    "the home folder does not exist; create it with `visor init --home {}`",
                    home.display()
                ),
            }
            return Exit::Config;
        }
    };
    tracing::info!(home = %home.display(), visor_version = VERSION, "visor starting");
    let listen = match metrics_listen {
        Some(text) => Some((text, "--metrics-listen or VISOR_METRICS_LISTEN".to_owned())),
        None => config::metrics_listen(&home.join("config.toml"))
            .map(|text| (text, format!("[metrics] listen in {}", home.join("config.toml").display()))),
    };
    let reporting = match facekit::reporting("visor", VERSION, listen) {
        Ok(reporting) => reporting,
        Err(failure) => {
            tracing::error!("{:#}", failure.error);
            return failure.exit;
        }
    };
    let face = face::VegaFace::new(&home);
    match facekit::run_engine(face, Home::new(home), reporting) {
        Ok(exit) => exit,
        Err(failure) => {
            tracing::error!("cannot run the engine: {:#}", failure.error);
            failure.exit
        }
    }
}

fn backup(home: Option<&Path>, command: facekit::backups::BackupCommand) -> Result<Exit, facekit::Failure> {
    let home = home.ok_or_else(|| facekit::Failure {
        error: anyhow::anyhow!("the home folder is missing: give it with --home <folder>"),
        exit: Exit::Config,
    })?;
    let home = absolute(home).map_err(facekit::Failure::config)?;
    let settings = config::load(&home.join("config.toml")).map_err(facekit::Failure::config)?;
    // Backups off: what is in the default folder can still be listed and restored.
    let backups = settings.backup.unwrap_or_else(|| visor_core::backup::BackupSettings {
        sources: Vec::new(),
        ..visor_core::backup::BackupSettings::new(
            PathBuf::new(),
            Vec::new(),
            home.join(backup_config::DEFAULT_DIR),
            visor_core::backup::Naming::PerUpgrade,
        )
    });
    facekit::backups::backup_command(
        &Home::new(home),
        &backups,
        command,
        "systemctl stop visor, or SIGTERM to `visor run`",
    )
}

/// The `visor` command: parses the command line, runs it, and says how it ended.
pub fn main() -> ExitCode {
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&cli().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.log.options("VISOR") {
        Ok(log) => facekit::init_logging(&facekit::LogOptions { level: cli.log_level.clone(), ..log }),
        Err(e) => return facekit::finish(Err(facekit::Failure::config(e))),
    }
    let result = match cli.command {
        Command::Run { home, metrics_listen } => Ok(run(&home, metrics_listen)),
        Command::Init { home, with_data_node } => absolute(&home)
            .and_then(|h| init::init(&h, with_data_node))
            .map(|next_steps| {
                facekit::print_out(&next_steps);
                Exit::Clean
            })
            .map_err(facekit::Failure::config),
        Command::Status { home, args } => {
            absolute(&home).map_err(facekit::Failure::from).and_then(|h| facekit::status::command(&h, &args))
        }
        Command::Backup { home, command } => backup(home.as_deref(), command),
        Command::Plan { home, args } => plan_cmd::command(home.as_deref(), &args),
        Command::Check { home, output } => check_cmd::command(&home, output),
        Command::Version { output } => {
            match output {
                Output::Text => facekit::println_out(&format!("Visor CLI {VERSION} ({HASH})")),
                Output::Json => {
                    facekit::println_out(&serde_json::json!({ "version": VERSION, "hash": HASH }).to_string())
                }
            }
            Ok(Exit::Clean)
        }
        Command::Completions(args) => {
            facekit::generated::print_completions(crate::cli(), &args);
            Ok(Exit::Clean)
        }
    };
    facekit::finish(result)
}

#[cfg(test)]
mod cli_tests {
    #[test]
    fn the_command_line_is_well_formed() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
