//! `cosmovisor backup list [--output json] | verify <backup> | restore <backup>`: the backups
//! of `data/` in `DAEMON_DATA_BACKUP_DIR`, through the face kit (the same command every face
//! has). Parsed by hand like the other commands: Cosmovisor's command line is not clap's.
//!
//! With backups off (`UNSAFE_SKIP_BACKUP`, or the strategy `none`) the folder is still
//! listed, verified and restored from: backups taken before they were turned off stay useful.

use std::path::Path;

use anyhow::{anyhow, bail};
use facekit::backups::{BackupCommand, backup_command};
use facekit::{Failure, Output};
use visor_core::{Exit, Home};

const USAGE: &str = "usage: cosmovisor backup list [--output json] | verify <backup> | restore <backup> \
                     (<backup> as `backup list` names it, or latest)";

/// How the visor this command may have to wait for is stopped.
const STOP_HINT: &str = "systemctl stop <its unit>, or SIGTERM to `cosmovisor run`";

/// Parses the arguments after `backup`.
fn parse(args: &[String]) -> anyhow::Result<BackupCommand> {
    let Some((command, rest)) = args.split_first() else { bail!("{USAGE}") };
    match (command.as_str(), rest) {
        ("list", rest) => {
            let mut output = Output::Text;
            let mut i = 0;
            while i < rest.len() {
                let value = match rest[i].as_str() {
                    "--output" | "-o" => {
                        i += 1;
                        rest.get(i).map(String::as_str)
                    }
                    other => match other.strip_prefix("--output=").or_else(|| other.strip_prefix("-o=")) {
                        Some(v) => Some(v),
                        None => bail!("backup list: unknown argument {other:?}; {USAGE}"),
                    },
                };
                output = match value {
                    Some("json") => Output::Json,
                    Some("text") => Output::Text,
                    other => bail!("--output takes text or json, not {other:?}"),
                };
                i += 1;
            }
            Ok(BackupCommand::List { output })
        }
        ("verify", [backup]) => Ok(BackupCommand::Verify { backup: backup.clone() }),
        ("restore", [backup]) => Ok(BackupCommand::Restore { backup: backup.clone() }),
        ("verify" | "restore", _) => bail!("backup {command} takes one backup; {USAGE}"),
        (other, _) => bail!("unknown backup command {other:?}; {USAGE}"),
    }
}

/// Runs `cosmovisor backup …`.
pub(crate) fn run(file: Option<&Path>, args: &[String]) -> Result<Exit, Failure> {
    // Every refusal of the parser is a usage error.
    let command = parse(args).map_err(|e| crate::usage(format!("{e:#}")))?;
    let config = crate::load(file, false)?;
    crate::init_logging(Some(&config));
    let settings = crate::face::backup_settings(&config);
    if !settings.dir.is_absolute() {
        return Err(Failure::config(anyhow!(
            "DAEMON_DATA_BACKUP_DIR {:?} must be an absolute path: set it to the folder the backups are in",
            settings.dir.display().to_string()
        )));
    }
    // The home the run uses: its lock says whether a visor runs, its journal makes a restore
    // converge.
    backup_command(&Home::new(config.root()), &settings, command, STOP_HINT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_subcommands_and_their_flags() {
        assert!(matches!(parse(&args("list")).unwrap(), BackupCommand::List { output: Output::Text }));
        for json in ["list --output json", "list -o json", "list --output=json"] {
            assert!(matches!(parse(&args(json)).unwrap(), BackupCommand::List { output: Output::Json }), "{json}");
        }
        assert!(
            matches!(parse(&args("verify latest")).unwrap(), BackupCommand::Verify { backup } if backup == "latest")
        );
        assert!(matches!(
            parse(&args("restore data-backup-2025-1-2")).unwrap(),
            BackupCommand::Restore { backup } if backup == "data-backup-2025-1-2"
        ));
        for bad in ["", "verify", "restore a b", "list --output yaml", "list --all", "prune"] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
