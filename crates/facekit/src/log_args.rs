//! The log's settings as an operator gives them: the flags every face with a clap command line
//! shares (`--log-format`, `--log-file`, `--log-file-max-size`, `--log-file-keep`), each
//! falling back to the face's environment variable (`<PREFIX>_LOG_FORMAT`, …), and the parsers
//! a face whose settings come from elsewhere (Cosmovisor's variables and file) uses for them.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::log::{LogFormat, LogOptions};
use crate::log_file::{DEFAULT_KEEP, DEFAULT_MAX_SIZE, LogFile, MAX_KEEP};

/// The log flags, flattened into a face's command line (`#[command(flatten)]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct LogArgs {
    /// The supervisor's own log lines: readable text (colour on a terminal), or one JSON object per line.
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Also write the supervisor's own log lines (never the node's output) to this file, rotated by size.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Rotate the log file before it grows past this size: bytes, or a number with KiB, MiB or GiB [default: 100MiB].
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size)]
    pub log_file_max_size: Option<u64>,
    /// How many rotated log files to keep: PATH.1 (the newest) to PATH.N [default: 5].
    #[arg(long, global = true, value_name = "N", value_parser = parse_keep)]
    pub log_file_keep: Option<usize>,
}

/// A log setting from the environment that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}; fix or unset it")]
pub struct LogSettingError {
    /// The variable.
    pub name: String,
    /// What it holds.
    pub value: String,
    /// Why it cannot be used, and the accepted forms.
    pub problem: String,
}

/// The flags' names, and the suffix of the variable each falls back to.
const FLAGS: [(&str, &str); 4] = [
    ("log_format", "LOG_FORMAT"),
    ("log_file", "LOG_FILE"),
    ("log_file_max_size", "LOG_FILE_MAX_SIZE"),
    ("log_file_keep", "LOG_FILE_KEEP"),
];

impl LogArgs {
    /// Names the environment variables (`<prefix>_LOG_FORMAT`, …) in the flags' help.
    pub fn name_env(mut command: clap::Command, prefix: &str) -> clap::Command {
        for (id, suffix) in FLAGS {
            command = command.mut_arg(id, |arg| {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                arg.help(format!("{help} [env: {prefix}_{suffix}]"))
            });
        }
        command
    }

    /// The log's options: each flag given, else its variable `<prefix>_…` (empty is unset),
    /// else its default. The level is `info` (a face with a level flag sets its own).
    pub fn options(&self, prefix: &str) -> Result<LogOptions, LogSettingError> {
        self.options_from(prefix, |name| std::env::var_os(name))
    }

    /// [`LogArgs::options`] with the environment given by `env`.
    pub fn options_from(
        &self,
        prefix: &str,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<LogOptions, LogSettingError> {
        let var = |suffix: &str| {
            let name = format!("{prefix}_{suffix}");
            env(&name).filter(|v| !v.is_empty()).map(|value| (name, value))
        };
        let format = match self.log_format {
            Some(format) => format,
            None => parsed(var("LOG_FORMAT"), parse_log_format)?.unwrap_or(LogFormat::Text),
        };
        let path = self.log_file.clone().or_else(|| var("LOG_FILE").map(|(_, v)| PathBuf::from(v)));
        let max_size = match self.log_file_max_size {
            Some(size) => size,
            None => parsed(var("LOG_FILE_MAX_SIZE"), parse_size)?.unwrap_or(DEFAULT_MAX_SIZE),
        };
        let keep = match self.log_file_keep {
            Some(keep) => keep,
            None => parsed(var("LOG_FILE_KEEP"), parse_keep)?.unwrap_or(DEFAULT_KEEP),
        };
        Ok(LogOptions { format, file: path.map(|path| LogFile { path, max_size, keep }), ..LogOptions::default() })
    }
}

/// A variable's value, parsed by `parse`.
fn parsed<T>(
    var: Option<(String, OsString)>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, LogSettingError> {
    var.map(|(name, value)| {
        let value = value.to_string_lossy().into_owned();
        parse(&value).map_err(|problem| LogSettingError { name, value, problem })
    })
    .transpose()
}

/// `text` or `json`, any case.
pub fn parse_log_format(text: &str) -> Result<LogFormat, String> {
    LogFormat::from_str(text.trim(), true).map_err(|_| format!("{text:?} is not a log format: use text or json"))
}

/// A size in bytes: a plain number, or one with `KiB`, `MiB`, `GiB` (or `K`, `M`, `G`; powers
/// of 1024) or `KB`, `MB`, `GB` (powers of 1000); at least 1 byte.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("{text:?} is not a size: use bytes, or a number with KiB, MiB or GiB (e.g. 100MiB)");
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(bad()),
    };
    match number.checked_mul(unit) {
        Some(0) => Err(format!("{text:?}: a log file of at most 0 bytes would hold nothing; give at least 1 byte")),
        Some(size) => Ok(size),
        None => Err(format!("{text:?} is too large")),
    }
}

/// How many rotated files to keep: 0 to [`MAX_KEEP`].
pub fn parse_keep(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n <= MAX_KEEP => Ok(n),
        Ok(_) => Err(format!("{text:?} is too many: at most {MAX_KEEP} rotated files are kept")),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

/// A size as [`parse_size`] reads it back: in the largest binary unit that divides it.
pub fn format_size(size: u64) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if size != 0 && size.trailing_zeros() >= shift {
            return format!("{}{unit}", size >> shift);
        }
    }
    size.to_string()
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches, Parser};

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        log: LogArgs,
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        Run,
    }

    fn parse(args: &[&str]) -> Result<LogArgs, clap::Error> {
        let command = LogArgs::name_env(Cli::command(), "VISOR");
        let matches = command.try_get_matches_from(args)?;
        Ok(Cli::from_arg_matches(&matches)?.log)
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn sizes_are_bytes_or_binary_or_decimal_units() {
        for (text, size) in [
            ("1", 1),
            ("4096", 4096),
            ("10MiB", 10 << 20),
            ("1GiB", 1 << 30),
            ("2 kib", 2048),
            ("3K", 3072),
            ("5MB", 5_000_000),
            ("100mib", 100 << 20),
        ] {
            assert_eq!(parse_size(text), Ok(size), "{text}");
        }
        for text in ["", "0", "MiB", "1.5MiB", "-1", "10 TiB", "99999999999999999999GiB", "18446744073709551615GiB"] {
            assert!(parse_size(text).is_err(), "{text}");
        }
        for size in [1, 1000, 1024, 10 << 20, 3 << 30, (1 << 20) + 1] {
            assert_eq!(parse_size(&format_size(size)), Ok(size), "{size}");
        }
        assert_eq!(format_size(DEFAULT_MAX_SIZE), "100MiB");
    }

    #[test]
    fn a_flag_wins_over_its_variable_and_the_variable_over_the_default() {
        let vars = env(&[
            ("VISOR_LOG_FORMAT", "JSON"),
            ("VISOR_LOG_FILE", "/var/log/visor.log"),
            ("VISOR_LOG_FILE_MAX_SIZE", "1MiB"),
            ("VISOR_LOG_FILE_KEEP", "2"),
        ]);
        let options = parse(&["visor", "run"]).unwrap().options_from("VISOR", &vars).unwrap();
        assert_eq!(options.format, LogFormat::Json);
        assert_eq!(options.file, Some(LogFile { path: "/var/log/visor.log".into(), max_size: 1 << 20, keep: 2 }));
        let args =
            parse(&["visor", "run", "--log-format", "text", "--log-file", "/l", "--log-file-max-size=10KiB"]).unwrap();
        let options = args.options_from("VISOR", &vars).unwrap();
        assert_eq!(options.format, LogFormat::Text);
        assert_eq!(options.file, Some(LogFile { path: "/l".into(), max_size: 10 << 10, keep: 2 }));
        // Nothing given: text to stderr, no file; the file's defaults when only its path is.
        assert_eq!(parse(&["visor", "run"]).unwrap().options_from("VISOR", env(&[])).unwrap(), LogOptions::default());
        let options = parse(&["visor", "run", "--log-file", "/l"]).unwrap().options_from("VISOR", env(&[])).unwrap();
        assert_eq!(options.file, Some(LogFile::new("/l".into())));
        // Another face's variables are not this face's.
        let options = parse(&["visor", "run"]).unwrap().options_from("NYMVISOR", &vars).unwrap();
        assert_eq!(options, LogOptions::default());
    }

    #[test]
    fn a_bad_variable_names_itself_and_a_bad_flag_is_a_usage_error() {
        let e =
            LogArgs::default().options_from("NYMVISOR", env(&[("NYMVISOR_LOG_FILE_MAX_SIZE", "huge")])).unwrap_err();
        assert!(e.to_string().starts_with("NYMVISOR_LOG_FILE_MAX_SIZE: \"huge\" is not a size"), "{e}");
        let e = LogArgs::default().options_from("X", env(&[("X_LOG_FORMAT", "xml")])).unwrap_err();
        assert!(e.to_string().contains("text or json"), "{e}");
        let e = LogArgs::default().options_from("X", env(&[("X_LOG_FILE_KEEP", "100000")])).unwrap_err();
        assert!(e.to_string().contains("at most 1000"), "{e}");
        assert!(LogArgs::default().options_from("X", env(&[("X_LOG_FORMAT", "")])).is_ok(), "empty is unset");
        for args in [&["visor", "run", "--log-file-max-size", "0"][..], &["visor", "run", "--log-format", "xml"]] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn the_help_names_the_variables_and_the_flags_are_global() {
        let mut command = LogArgs::name_env(Cli::command(), "NYMVISOR");
        command.build();
        let help = command.render_long_help().to_string();
        for name in
            ["NYMVISOR_LOG_FORMAT", "NYMVISOR_LOG_FILE]", "NYMVISOR_LOG_FILE_MAX_SIZE", "NYMVISOR_LOG_FILE_KEEP"]
        {
            assert!(help.contains(name), "{name}: {help}");
        }
        let args = parse(&["visor", "run", "--log-format", "json"]).unwrap();
        assert_eq!(args.log_format, Some(LogFormat::Json), "after the subcommand too");
    }
}
