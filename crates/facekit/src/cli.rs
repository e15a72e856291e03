//! What every face's command line shares: the output format, running the engine, and ending
//! with the right exit code.

use std::process::ExitCode;

use visor_core::telemetry::Reporting;
use visor_core::{Exit, Face, Home};

/// How a command prints what it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// For people (`human` is accepted too).
    #[value(alias = "human")]
    Text,
    /// One JSON document.
    Json,
}

/// An error at a face's edge and the exit code it ends with.
#[derive(Debug)]
pub struct Failure {
    /// What failed.
    pub error: anyhow::Error,
    /// How the command ends.
    pub exit: Exit,
}

impl Failure {
    /// A configuration error (exit 3).
    pub fn config(error: impl Into<anyhow::Error>) -> Self {
        Self { error: error.into(), exit: Exit::Config }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self { error: error.into(), exit: Exit::Internal }
    }
}

/// Ends a command: the exit code of its outcome, and the error on stderr.
pub fn finish(result: Result<Exit, Failure>) -> ExitCode {
    crate::log::flush_log_file();
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(failure) => {
            crate::eprintln_out(&format!("Error: {:#}", failure.error));
            ExitCode::from(failure.exit.code())
        }
    }
}

/// Runs the engine for `face` on `home` on a current-thread runtime (the node's processes are
/// forked by this thread, and their parent-death signal follows it).
pub fn run_engine<F: Face>(face: F, home: Home, reporting: Reporting) -> Result<Exit, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(runtime.block_on(visor_core::run(face, home, reporting)))
}

/// What a run reports besides its files: the metrics endpoint, if the operator set its address
/// (`listen`: the text and where it was set, to name it in errors), and the build's labels.
pub fn reporting(face: &str, version: &str, listen: Option<(String, String)>) -> Result<Reporting, Failure> {
    let (metrics_listen, metrics_setting) = match listen {
        Some((text, setting)) => {
            let addr = visor_core::telemetry::parse_listen(&text).map_err(|e| {
                Failure::config(anyhow::anyhow!("the metrics listen address ({setting}) is invalid: {e}"))
            })?;
            (Some(addr), setting)
        }
        None => (None, String::new()),
    };
    Ok(Reporting {
        metrics_listen,
        metrics_setting,
        build: visor_core::telemetry::BuildLabels {
            face: face.to_owned(),
            version: version.to_owned(),
            git_hash: crate::BUILD.git_hash.to_owned(),
        },
    })
}
