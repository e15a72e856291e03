//! The ways of backing up a folder that the measurements compare (`visor-backup-bench`, the
//! `visor-bench` harness): the engine's strategies and `cp -a`, `tar czf`, `tar --zstd`, each
//! timed up to its output being on disk.

use std::fs;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use visor_core::backup::{self, BackupFor, BackupSettings, Naming, Progress, Strategy};

/// One way of backing up a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Take(Strategy),
    CpA,
    TarCzf,
    TarZstd,
}

/// One run of a method.
pub struct Ran {
    pub took: Duration,
    /// The backup: a folder or an archive.
    pub output: PathBuf,
    /// The strategy the engine used (a snapshot that had to copy says `copy`); empty for the tools.
    pub wrote: String,
}

impl Method {
    pub fn label(self) -> String {
        match self {
            Self::Take(Strategy::Snapshot) => "visor `snapshot` (the default)".into(),
            Self::Take(s) => format!("visor `{s}`"),
            Self::CpA => "`cp -a`".into(),
            Self::TarCzf => "`tar czf`".into(),
            Self::TarZstd => "`tar --zstd`".into(),
        }
    }

    /// Whether its time is the compressor's (the same on any filesystem).
    pub fn cpu_bound(self) -> bool {
        matches!(self, Self::TarCzf | Self::TarZstd | Self::Take(Strategy::TarZst | Strategy::TarGz))
    }

    /// Why the method cannot run here, if it cannot.
    pub fn missing(self) -> Option<String> {
        let has = |tool: &str| {
            Command::new(tool)
                .arg("--version")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        match self {
            Self::Take(_) => None,
            Self::CpA => (!has("cp")).then(|| "`cp` not found".into()),
            Self::TarCzf => (!has("tar") || !has("gzip")).then(|| "`tar` or `gzip` not found".into()),
            Self::TarZstd => {
                let help = Command::new("tar").arg("--help").output().map(|o| o.stdout).unwrap_or_default();
                (!has("zstd") || !String::from_utf8_lossy(&help).contains("--zstd"))
                    .then(|| "`zstd` or a `tar` with `--zstd` not found".into())
            }
        }
    }

    /// Backs `source` up into `out_dir` (which must exist and be empty) once, timed up to its
    /// output being on disk: `take` fsyncs what it writes, so the tools' output is synced too.
    /// `stop` cancels an engine backup.
    pub fn run(self, source: &Path, out_dir: &Path, stop: &AtomicBool) -> Result<Ran, String> {
        let started = Instant::now();
        let (output, wrote) = match self {
            Self::Take(strategy) => {
                let mut settings =
                    BackupSettings::new(source.to_owned(), vec![], out_dir.join("backups"), Naming::PerUpgrade);
                settings.strategy = strategy;
                let report = backup::take(
                    &settings,
                    &BackupFor { upgrade: "bench".into(), release: None },
                    stop,
                    &Progress::default(),
                )
                .map_err(|e| e.to_string())?;
                (report.path, report.strategy.name().to_owned())
            }
            Self::CpA => {
                let dst = out_dir.join("copy");
                run_cmd(Command::new("cp").arg("-a").arg(source).arg(&dst))?;
                syncfs(out_dir);
                (dst, String::new())
            }
            Self::TarCzf | Self::TarZstd => {
                let (name, flags): (&str, &[&str]) =
                    if self == Self::TarCzf { ("out.tgz", &["czf"]) } else { ("out.tar.zst", &["--zstd", "-cf"]) };
                let dst = out_dir.join(name);
                run_cmd(Command::new("tar").args(flags).arg(&dst).arg("-C").arg(source).arg("."))?;
                syncfs(out_dir);
                (dst, String::new())
            }
        };
        Ok(Ran { took: started.elapsed(), output, wrote })
    }
}

/// Runs a command to completion; its stderr is the error when it fails.
pub fn run_cmd(cmd: &mut Command) -> Result<(), String> {
    let out =
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Writes out everything dirty on the filesystem holding `path`.
pub fn syncfs(path: &Path) {
    if let Ok(f) = fs::File::open(path) {
        let _ = nix::unistd::syncfs(f.as_fd());
    }
}
