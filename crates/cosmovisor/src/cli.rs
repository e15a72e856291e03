//! `cosmovisor`'s command line described as a clap `Command`: what `help` prints, and what the
//! shell completions and man pages are generated from.
//!
//! It describes, and never parses: Cosmovisor's line is not clap-shaped (`run` hands every
//! argument to the app, `--cosmovisor-config` is taken out wherever it is, and cobra's flag
//! spellings differ), so `lib.rs`, `commands.rs` and `backups.rs` parse it by hand. When a
//! command or flag changes there, it changes here too; the packaged completions and man pages
//! then fail their test until regenerated.

use std::ffi::OsString;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgGroup, Args as _, Command, Subcommand as _, ValueEnum as _, ValueHint};
use facekit::Failure;
use facekit::generated::{CompletionsArgs, Shell};
use visor_core::Exit;

const ABOUT: &str = "Runs a Cosmos SDK app and upgrades it at its upgrade heights";

const LONG_ABOUT: &str = "\
Runs a Cosmos SDK app and upgrades it at its upgrade heights: a drop-in replacement for \
Cosmovisor v1.7, with the same environment variables, folders, files and commands.

The binaries live under $DAEMON_HOME/cosmovisor: genesis/bin/$DAEMON_NAME, \
upgrades/<name>/bin/$DAEMON_NAME, and current, the link to the one that runs. An upgrade's \
binary is staged and verified as soon as its plan is known; at the upgrade height the app is \
stopped, data/ backed up, current switched and the app started again with the same arguments.

`cosmovisor <app arguments>` without `run` still runs the app, with a deprecation warning.";

/// What each variable of the configuration does, in the order `config` prints them.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("DAEMON_HOME", "The node's home folder, absolute (required); it must hold cosmovisor/, made by `init`."),
    ("DAEMON_NAME", "The file name of the app's binary under every bin/ (required)."),
    ("DAEMON_ALLOW_DOWNLOAD_BINARIES", "Download a plan's binary when its folder is missing (default false)."),
    (
        "DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM",
        "Accepted for compatibility: a download always needs a ?checksum= (default false).",
    ),
    (
        "DAEMON_RESTART_AFTER_UPGRADE",
        "Start the new binary with the same arguments after the switch; false: exit 0 after it (default true).",
    ),
    ("DAEMON_RESTART_DELAY", "Waited before the node is stopped for an upgrade (default 0s)."),
    (
        "DAEMON_SHUTDOWN_GRACE",
        "How long after SIGTERM the app is killed (default 15s; unset or 0 mean 15s: Cosmovisor kills at once).",
    ),
    (
        "DAEMON_POLL_INTERVAL",
        "How often the chain's height is polled while a manual upgrade waits (default 300ms); the plan files are \
         watched by file events.",
    ),
    (
        "DAEMON_DATA_BACKUP_DIR",
        "An existing absolute folder the backups of data/ go to, as data-backup-<Y>-<M>-<D> (default $DAEMON_HOME).",
    ),
    ("UNSAFE_SKIP_BACKUP", "No backup of data/ before a switch, whatever the strategy (default false)."),
    ("DAEMON_PREUPGRADE_MAX_RETRIES", "Extra attempts when the app's `pre-upgrade` exits with 31 (default 0)."),
    (
        "DAEMON_GRPC_ADDRESS",
        "The node's gRPC (plaintext), asked for the chain's governance plan (default localhost:9090).",
    ),
    ("COSMOVISOR_DISABLE_LOGS", "No log lines of our own; the app's output is untouched (default false)."),
    ("COSMOVISOR_COLOR_LOGS", "Colour in our own text lines on a terminal; false turns it off (default true)."),
    (
        "COSMOVISOR_TIMEFORMAT_LOGS",
        "The time on our own text lines: one of Go's layout names, or empty for none (default kitchen).",
    ),
    ("COSMOVISOR_LOG_FORMAT", "Our own log lines as text or json, one object a line (default text)."),
    (
        "COSMOVISOR_LOG_FILE",
        "Also write our own log lines (never the app's output) to this file, rotated by size (default none).",
    ),
    (
        "COSMOVISOR_LOG_FILE_MAX_SIZE",
        "Rotate the log file before it grows past this size: bytes, or with KiB, MiB, GiB (default 100MiB).",
    ),
    ("COSMOVISOR_LOG_FILE_KEEP", "How many rotated log files to keep, FILE.1 the newest (default 5)."),
    (
        "COSMOVISOR_CUSTOM_PREUPGRADE",
        "A script in $DAEMON_HOME/cosmovisor run with the upgrade's name and height before the switch (default none).",
    ),
    ("COSMOVISOR_DISABLE_RECASE", "Keep the plan name's case for upgrades/<name> (default false: lower-cased)."),
    (
        "COSMOVISOR_RPC_ADDRESS",
        "The node's CometBFT RPC, for the chain's height (default rpc.laddr of config/config.toml).",
    ),
    ("COSMOVISOR_RESTART_ON_FAILURE", "Restart an app that fails by itself, within its budget (default false)."),
    (
        "COSMOVISOR_MAX_RESTARTS",
        "The restart budget: failures within 10 minutes; a 10-minute run starts it afresh (default 5).",
    ),
    (
        "COSMOVISOR_RESTART_ON_FAILURE_DELAY",
        "The first wait before a restart, doubling with each one up to 5 minutes (default 5s).",
    ),
    (
        "COSMOVISOR_ROLLBACK_ON_FAILURE",
        "Switch back to the previous binary when the new one spends its restart budget within its probation \
         (default false).",
    ),
    ("COSMOVISOR_PROBATION", "How long after a switch a failure means rollback (default 60s)."),
    (
        "COSMOVISOR_BACKUP_STRATEGY",
        "How data/ is backed up: snapshot (clones where the filesystem can, copies otherwise), copy, tar.zst, \
         tar.gz or none (default snapshot).",
    ),
    (
        "COSMOVISOR_BACKUP_KEEP",
        "The newest backups kept; older ones the visor took are removed once a new one is sealed (default 2).",
    ),
    (
        "COSMOVISOR_ROLLBACK_RESTORE_DATA",
        "A rollback also restores the backup taken before the failed upgrade; needs \
         COSMOVISOR_ROLLBACK_ON_FAILURE=true and backups on (default false).",
    ),
    (
        "COSMOVISOR_ALLOW_WEAK_CHECKSUMS",
        "Accept md5: and sha1: checksums in a plan's addresses (broken algorithms; default false).",
    ),
    (
        "COSMOVISOR_METRICS_LISTEN",
        "Serve Prometheus metrics on this address; a port alone listens on 127.0.0.1 (default: no metrics).",
    ),
];

const ENVIRONMENT_INTRO: &str = "The configuration is the environment (the lower-cased names are the keys \
    of the --cosmovisor-config file, which the environment overrides). Booleans are true or false, durations \
    Go durations (300ms, 1m30s); an empty variable counts as unset. `cosmovisor config` prints the values in use.";

/// `-c, --cosmovisor-config <FILE>`; `run` takes only the long spelling (it hands `-c` to the
/// app, as v1.7 does).
fn config_arg(short_too: bool) -> Arg {
    let arg = Arg::new("cosmovisor-config")
        .long("cosmovisor-config")
        .value_name("FILE")
        .value_hint(ValueHint::FilePath)
        .help("Read the configuration from this TOML file; the environment overrides it");
    if short_too { arg.short('c') } else { arg }
}

fn output_arg() -> Arg {
    Arg::new("output")
        .short('o')
        .long("output")
        .value_name("FORMAT")
        .value_parser(PossibleValuesParser::new(["text", "json"]))
        .default_value("text")
        .help("How to print")
}

/// A subcommand other than `run`: takes the config flag in both spellings.
fn command(name: &'static str, about: &'static str) -> Command {
    Command::new(name).about(about).arg(config_arg(true))
}

/// The whole command line.
pub(crate) fn cli() -> Command {
    let run = Command::new("run")
        .about("Run the app with the given arguments and upgrade it at its upgrade heights")
        .long_about(
            "Run the app with the given arguments and upgrade it at its upgrade heights. Every argument goes to \
             the app as it is (-c included); only --cosmovisor-config <FILE> is taken out, wherever it is. \
             --help or -h right after run prints this usage; after the app's command it is the app's (run start \
             --help). The app runs in $DAEMON_HOME/cosmovisor.\n\n\
             Manual upgrades (add-upgrade --upgrade-height, add-batch-upgrade) halt the app at their height with \
             --halt-height, which is added only when the app's first argument is start: with a wrapper first (run \
             my-wrapper start), the app may produce blocks past the height before it is stopped, and a warning \
             says so.",
        )
        // `run --help` is handled by hand (`run start --help` is the app's).
        .disable_help_flag(true)
        .arg(config_arg(false))
        .arg(
            Arg::new("app-args")
                .value_name("APP_ARGS")
                .num_args(0..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true)
                .help("The app's arguments, e.g. start --home $DAEMON_HOME"),
        );
    // The about after the subcommands: they bring their enum's own.
    let backup = facekit::backups::BackupCommand::augment_subcommands(Command::new("backup"))
        .about("List, verify or restore the backups of data/ taken before switches")
        .arg(config_arg(true))
        .subcommand_required(true);
    // The about after the arguments: they bring their struct's own.
    let completions = CompletionsArgs::augment_args(Command::new("completions"))
        .about("Print the completion script for a shell")
        .long_about(
            "Print the completion script for a shell.\n\nInstall it where the shell loads completions from, e.g.\n\
             `cosmovisor completions bash > ~/.local/share/bash-completion/completions/cosmovisor`.",
        )
        .alias("completion");
    Command::new("cosmovisor")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        // `-V` would run the app (the deprecated form); `--version` is `version`.
        .disable_version_flag(true)
        .arg(config_arg(true))
        .arg(
            Arg::new("version")
                .long("version")
                .action(ArgAction::SetTrue)
                .help("Print cosmovisor's version (no configuration needed; `version` adds the app's)"),
        )
        .after_help("Configuration comes from the environment: `cosmovisor help` lists every variable.")
        .after_long_help(facekit::generated::environment_help(ENVIRONMENT_INTRO, ENVIRONMENT))
        .subcommand(run)
        .subcommand(
            command("init", "Create $DAEMON_HOME/cosmovisor with this binary as genesis").arg(
                Arg::new("binary")
                    .value_name("APP_BINARY")
                    .required(true)
                    .value_hint(ValueHint::FilePath)
                    .help("The app's binary, copied to genesis/bin/$DAEMON_NAME"),
            ),
        )
        .subcommand(
            command("add-upgrade", "Add an upgrade's binary, and with a height plan it as a manual upgrade")
                .arg(
                    Arg::new("name").value_name("NAME").required(true).help("The upgrade's name, as its plan names it"),
                )
                .arg(
                    Arg::new("binary")
                        .value_name("BINARY")
                        .required(true)
                        .value_hint(ValueHint::FilePath)
                        .help("The binary, copied to upgrades/<name>/bin/$DAEMON_NAME"),
                )
                .arg(
                    Arg::new("force")
                        .long("force")
                        .action(ArgAction::SetTrue)
                        .help("Replace the binary, and a pending data/upgrade-info.json"),
                )
                .arg(
                    Arg::new("upgrade-height")
                        .long("upgrade-height")
                        .value_name("HEIGHT")
                        .value_parser(clap::value_parser!(u64).range(1..))
                        .help(
                            "Also write data/upgrade-info.json: the upgrade is applied when the chain reaches HEIGHT",
                        ),
                ),
        )
        .subcommand(
            command("add-batch-upgrade", "Add several manual upgrades: their binaries and heights")
                .arg(
                    Arg::new("upgrade-list")
                        .long("upgrade-list")
                        .value_name("NAME:BINARY:HEIGHT,...")
                        .help("The upgrades, comma-separated"),
                )
                .arg(
                    Arg::new("upgrade-file")
                        .long("upgrade-file")
                        .value_name("FILE")
                        .value_hint(ValueHint::FilePath)
                        .help("A CSV file without a header: name,binary,height per line"),
                )
                .group(ArgGroup::new("upgrades").args(["upgrade-list", "upgrade-file"]).required(true)),
        )
        .subcommand(command(
            "prepare-upgrade",
            "Download and verify the binary of the chain's planned upgrade now (asks the node's gRPC)",
        ))
        .subcommand(command("show-upgrade-info", "Print data/upgrade-info.json"))
        .subcommand(command("config", "Print the configuration in use and the folders derived from it"))
        .subcommand(
            // The about after the options: they bring their struct's own.
            facekit::status::StatusArgs::augment_args(Command::new("status"))
                .about("Show what runs, what is planned and staged, and the last switch (or watch it, or probe it)")
                .arg(config_arg(true)),
        )
        .subcommand(backup)
        .subcommand(
            // The about after the options: they bring their struct's own.
            facekit::plan::PlanArgs::augment_args(Command::new("plan"))
                .about(
                    "Show what will happen next: the current release, each planned upgrade, its height and binary; \
                     or cancel a manual upgrade",
                )
                .arg(config_arg(true)),
        )
        .subcommand(
            command(
                "check",
                "Check the configuration, folders, binaries, plan files and the node's RPC and gRPC without running \
                 the app",
            )
            .arg(output_arg()),
        )
        .subcommand(
            command("version", "Print cosmovisor's version, then the app's").arg(output_arg()).arg(
                Arg::new("cosmovisor-only")
                    .long("cosmovisor-only")
                    .action(ArgAction::SetTrue)
                    .help("Print cosmovisor's version only"),
            ),
        )
        .subcommand(completions)
}

/// The help of the command at `path` (`[]` for cosmovisor's own, `["backup", "list"]`), long
/// (`help`, `--help`) or short (`-h`); the top one if `path` names no command.
pub(crate) fn help(path: &[&str], long: bool) -> String {
    let mut cli = cli();
    cli.build();
    let mut command = &mut cli;
    for name in path {
        if command.find_subcommand(name).is_none() {
            break;
        }
        command = command.find_subcommand_mut(name).unwrap_or_else(|| unreachable!("found above"));
    }
    if long { command.render_long_help() } else { command.render_help() }.to_string()
}

/// `cosmovisor completions <shell>`.
pub(crate) fn completions(args: &[OsString]) -> Result<Exit, Failure> {
    let args: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let shells = || Shell::value_variants().iter().map(Shell::to_string).collect::<Vec<_>>().join(", ");
    match args.as_slice() {
        [flag] if flag == "--help" || flag == "-h" => {
            facekit::print_out(&help(&["completions"], flag == "--help"));
            Ok(Exit::Clean)
        }
        [name] => {
            let shell = Shell::from_str(name, true).map_err(|_| {
                crate::usage(format!("{name:?} is not a shell completions are made for: use one of {}", shells()))
            })?;
            facekit::generated::print_completions(cli(), &CompletionsArgs { shell });
            Ok(Exit::Clean)
        }
        _ => Err(crate::usage(format!(
            "completions takes one shell: cosmovisor completions <{}>",
            shells().replace(", ", "|")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_is_well_formed() {
        cli().debug_assert();
    }

    #[test]
    fn every_variable_the_face_reads_is_described_once() {
        let described: Vec<&str> = ENVIRONMENT.iter().map(|(name, _)| *name).collect();
        for key in crate::config::KEYS {
            assert_eq!(
                described.iter().filter(|d| *d == key).count(),
                1,
                "{key} is read by the face: describe it once in ENVIRONMENT (cli.rs), for `help` and the man page"
            );
        }
        for name in described {
            assert!(crate::config::KEYS.contains(&name), "{name} is described but the face does not read it");
        }
    }

    #[test]
    fn every_command_the_parser_takes_is_described() {
        let cli = cli();
        for name in [
            "run",
            "init",
            "add-upgrade",
            "add-batch-upgrade",
            "prepare-upgrade",
            "show-upgrade-info",
            "config",
            "status",
            "backup",
            "plan",
            "check",
            "version",
            "completions",
        ] {
            assert!(cli.find_subcommand(name).is_some(), "{name}");
        }
        assert!(help(&["backup", "verify"], true).contains("latest"));
        assert!(help(&["no-such-command"], false).contains("add-upgrade"));
    }
}
