//! The commands besides `run`: `init`, `add-upgrade`, `add-batch-upgrade`, `show-upgrade-info`,
//! `config`, `status`, `version`, `prepare-upgrade` (and `backup`, in `backups`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use facekit::Failure;
use visor_core::{Exit, Home, ReleaseName};

use crate::add_upgrade::{add_batch_upgrade, add_upgrade, batch_flag, parse_add_upgrade};
use crate::config::{self, Config};
use crate::plan::{Files, read_small, release_of};

pub(crate) fn dispatch(command: &str, file: Option<PathBuf>, args: Vec<OsString>) -> Result<Exit, Failure> {
    let args: Vec<String> = args.into_iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let file = file.as_deref();
    match command {
        "backup" => return crate::backups::run(file, &args),
        "plan" => return crate::plan_cmd::run(file, &args),
        "check" => return crate::check_cmd::run(file, &args),
        _ => {}
    }
    let result = match command {
        "init" => init(file, &args).map_err(Failure::config),
        "add-upgrade" => {
            // The command line first: a usage error is said as one, configured or not.
            let request = parse_add_upgrade(&args).map_err(Failure::config)?;
            with_config(file, |c| add_upgrade(c, request))
        }
        "add-batch-upgrade" => {
            let (flag, value) = batch_flag(&args).map_err(Failure::config)?;
            with_config(file, |c| add_batch_upgrade(c, flag, value))
        }
        "show-upgrade-info" => with_config(file, show_upgrade_info),
        "config" => with_config(file, print_config),
        "status" => return status(file, &args),
        "version" => version(file, &args, false),
        // `--version` needs no configuration, as everywhere: cosmovisor's own version.
        "--version" => version(file, &args, true),
        "prepare-upgrade" => with_config(file, prepare_upgrade),
        other => Err(crate::usage(format!("unknown command {other:?}; see `cosmovisor help`"))),
    };
    result.map(|()| Exit::Clean)
}

/// `status [--output json] [--watch [--interval D]] [--probe live|ready]`.
fn status(file: Option<&Path>, args: &[String]) -> Result<Exit, Failure> {
    let mut request =
        facekit::status::StatusArgs { output: output_of(args).map_err(Failure::config)?, ..Default::default() };
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (args[i].as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| {
                    i += 1;
                    args.get(i).cloned()
                })
                .ok_or_else(|| crate::usage(format!("{flag} needs {what}")))
        };
        match flag {
            "--watch" => request.watch = true,
            "--interval" => {
                let text = value("a duration such as 2s")?;
                request.interval = humantime::parse_duration(&text)
                    .map_err(|e| crate::usage(format!("--interval: {text:?} is not a duration such as 2s: {e}")))?;
            }
            "--probe" => {
                request.probe = Some(match value("live or ready")?.as_str() {
                    "live" => facekit::status::Probe::Live,
                    "ready" => facekit::status::Probe::Ready,
                    other => return Err(crate::usage(format!("--probe takes live or ready, not {other:?}"))),
                });
            }
            _ => {}
        }
        i += 1;
    }
    let config = crate::load(file, false)?;
    facekit::status::command(&config.root(), &request)
}

fn with_config(file: Option<&Path>, f: impl FnOnce(&Config) -> anyhow::Result<()>) -> Result<(), Failure> {
    let config = crate::load(file, false)?;
    crate::init_logging(Some(&config));
    f(&config).map_err(Failure::config)
}

fn output_of(args: &[String]) -> anyhow::Result<facekit::Output> {
    Ok(if json_output(args)? { facekit::Output::Json } else { facekit::Output::Text })
}

fn json_output(args: &[String]) -> anyhow::Result<bool> {
    let mut json = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--output" | "-o" => {
                i += 1;
                json = match args.get(i).map(String::as_str) {
                    Some("json") => true,
                    Some("text") => false,
                    Some(other) => {
                        return Err(crate::usage_error(format!("--output takes text or json, not {other:?}")));
                    }
                    None => return Err(crate::usage_error("--output needs text or json")),
                };
            }
            "--output=json" | "-o=json" => json = true,
            "--output=text" | "-o=text" => json = false,
            _ => {}
        }
        i += 1;
    }
    Ok(json)
}

/// `what` failed on `path` because of `error`: a refusal is explained (the folder that refused,
/// its owner, the user we run as, the fix).
pub(crate) fn io_failure(what: String, path: &Path, error: std::io::Error) -> anyhow::Error {
    match visor_core::access::explain_denied(path, &error) {
        Some(why) => anyhow!("{what}: {why}"),
        None => anyhow::Error::new(error).context(what),
    }
}

/// The largest binary `init` and `add-upgrade` copy.
const MAX_BINARY: u64 = 2 << 30;

/// Copies the binary at `from` to `to` (0755) through a temporary file and a rename.
pub(crate) fn install_binary(from: &Path, to: &Path) -> anyhow::Result<()> {
    let meta = std::fs::metadata(from).with_context(|| format!("cannot read the binary {}", from.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file: give the path of the app's binary", from.display());
    }
    let dir = to.parent().ok_or_else(|| anyhow!("{} has no folder", to.display()))?;
    visor_core::create_dir_durable(dir).map_err(|e| io_failure(format!("cannot create {}", dir.display()), dir, e))?;
    // Through the engine's atomic writer: an exclusive temporary under an unpredictable name,
    // never a link planted at a guessable one, the exact mode, fsync, rename.
    let bytes =
        visor_core::read_bounded(from, MAX_BINARY).with_context(|| format!("cannot read {}", from.display()))?;
    visor_core::write_atomic(to, &bytes, 0o755)
        .map_err(|e| io_failure(format!("cannot install {}", to.display()), to, e))
}

fn init(file: Option<&Path>, args: &[String]) -> anyhow::Result<()> {
    let exe = match args {
        [exe] if !exe.is_empty() => PathBuf::from(exe),
        [] => return Err(crate::usage_error("init needs the path of the app's binary: cosmovisor init <path>")),
        [_] => return Err(crate::usage_error("the path of the app's binary is empty: cosmovisor init <path>")),
        _ => {
            return Err(crate::usage_error(format!("init takes one path, got {}: cosmovisor init <path>", args.len())));
        }
    };
    let home = std::env::var("DAEMON_HOME")
        .map_err(|_| anyhow!("DAEMON_HOME is not set: set it to the node's home folder"))?;
    let home = PathBuf::from(home);
    if !home.is_absolute() {
        bail!("DAEMON_HOME {} must be an absolute path", home.display());
    }
    let meta = std::fs::metadata(&exe).with_context(|| format!("the binary {} cannot be read", exe.display()))?;
    if meta.is_dir() {
        bail!("{} is a folder: give the path of the app's binary", exe.display());
    }
    let root = home.join("cosmovisor");
    std::fs::create_dir_all(&root).map_err(|e| io_failure(format!("cannot create {}", root.display()), &root, e))?;
    let config = crate::load(file, false).map_err(|f| f.error)?;
    crate::init_logging(Some(&config));
    let root = config.root();
    let genesis_bin = root.join("genesis/bin");
    if genesis_bin.exists() && !genesis_bin.is_dir() {
        bail!("{} exists and is not a folder; move it aside", genesis_bin.display());
    }
    let current = root.join("current");
    if let Ok(m) = std::fs::symlink_metadata(&current)
        && !m.file_type().is_symlink()
    {
        bail!("{} exists and is not a link; move it aside", current.display());
    }
    std::fs::create_dir_all(&genesis_bin).with_context(|| format!("cannot create {}", genesis_bin.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        for dir in [root.join("genesis"), genesis_bin.clone()] {
            let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o750));
        }
    }
    let binary = genesis_bin.join(&config.name);
    let binary_kept = binary.exists();
    if binary_kept {
        tracing::info!(binary = %binary.display(), "the genesis binary is there already; kept");
    } else {
        install_binary(&exe, &binary)?;
        tracing::info!(binary = %binary.display(), "installed the genesis binary");
    }
    let home_ = Home::new(&root);
    if std::fs::symlink_metadata(&current).is_err() {
        home_
            .point_current(&ReleaseName::new("genesis")?)
            .with_context(|| format!("cannot create {}", current.display()))?;
    }
    let config_file = root.join("config.toml");
    let config_kept = config_file.exists();
    if config_kept {
        tracing::info!(file = %config_file.display(), "the configuration file is there already; kept");
    } else {
        visor_core::write_atomic(&config_file, config::to_toml(&config).as_bytes(), 0o644)
            .with_context(|| format!("cannot write {}", config_file.display()))?;
    }
    facekit::print_out(&init_summary(&config, &exe, binary_kept, config_kept));
    Ok(())
}

/// The operator's reference.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/cosmovisor.md");

/// What `init` made and what the operator does next.
fn init_summary(config: &Config, exe: &Path, binary_kept: bool, config_kept: bool) -> String {
    let (root, home, name) = (config.root(), config.home.display(), &config.name);
    let binary = if binary_kept { "there already, kept".to_owned() } else { format!("copied from {}", exe.display()) };
    let file = if config_kept { "there already, kept" } else { "every setting, as the environment gave them" };
    let upgrades = if config.allow_download {
        "     With DAEMON_ALLOW_DOWNLOAD_BINARIES=true, the binary a governance plan names is downloaded and\n     \
         checked as soon as the plan is known. To provide one by hand:"
    } else {
        "     Provide each upgrade's binary ahead of its height (DAEMON_ALLOW_DOWNLOAD_BINARIES is false):"
    };
    let rows = [
        (format!("genesis/bin/{name}"), format!("the genesis binary ({binary})")),
        ("current -> genesis".to_owned(), "the binary that runs".to_owned()),
        ("config.toml".to_owned(), file.to_owned()),
    ];
    let width = rows.iter().map(|(what, _)| what.len()).max().unwrap_or(0);
    let made: String = rows.iter().map(|(what, why)| format!("  {what:<width$}  {why}\n")).collect();
    format!(
        "cosmovisor is set up in {root}:
{made}
Next steps:
  1. Give cosmovisor the same settings wherever it runs (a service's environment), at least:
       DAEMON_HOME={home} DAEMON_NAME={name}
     or the file: cosmovisor run --cosmovisor-config {config_file} <app args>
  2. Start the app under cosmovisor, with the app's own arguments after `run`:
       cosmovisor run start --home {home}
     As a service: packaging/systemd/cosmovisor.service and cosmovisor.env.
  3. Upgrades: at an upgrade height the app halts and writes data/upgrade-info.json; cosmovisor then
     runs upgrades/<plan name>/bin/{name}.
{upgrades}
       cosmovisor add-upgrade <plan name> /path/to/{name}
  4. Check the setup without running the app: cosmovisor check
     See what runs: cosmovisor status; what is planned, by height: cosmovisor plan;
     the settings in use: cosmovisor config

Every variable and command: docs/cosmovisor.md ({DOCS})
",
        root = root.display(),
        config_file = root.join("config.toml").display(),
    )
}

/// Downloads and verifies the binary of the chain's governance plan into its upgrade folder,
/// as the running visor would (and does, by itself, as soon as the plan is known).
fn prepare_upgrade(config: &Config) -> anyhow::Result<()> {
    let plan =
        crate::grpc::current_plan(&config.grpc_address, std::time::Duration::from_secs(10), !config.disable_recase)
            .map_err(|e| anyhow!(e))?;
    let Some(plan) = plan else {
        facekit::println_out("No active upgrade plan found");
        return Ok(());
    };
    let release = release_of(&plan.name).map_err(|e| anyhow!(e))?;
    let dir = release.dir(&config.root());
    let face = crate::face::CosmosFace::new(None, config.clone(), Vec::new());
    if dir.join("bin").join(&config.name).is_file() {
        facekit::println_out(&format!(
            "upgrade {} at height {} is prepared already: {}",
            plan.name,
            plan.height,
            dir.display()
        ));
        return Ok(());
    }
    let source = face.artifact(&plan).map_err(|e| anyhow!("upgrade {}: {e}", plan.name))?;
    let job = visor_core::stage::StageJob {
        home: Home::new(config.root()),
        release,
        version: plan.name.clone(),
        source,
        identity: None,
        settings: crate::face::staging_settings(config),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let staged = runtime.block_on(visor_core::stage::stage(&job, &face, &mut |_| {}))?;
    facekit::println_out(&format!(
        "prepared upgrade {} at height {}: {} ({})",
        plan.name,
        plan.height,
        dir.display(),
        staged.checksum
    ));
    Ok(())
}

fn show_upgrade_info(config: &Config) -> anyhow::Result<()> {
    let path = Files { home: config.home.clone() }.upgrade_info();
    let bytes =
        read_small(&path).map_err(|e| anyhow!(e))?.ok_or_else(|| anyhow!("{} does not exist", path.display()))?;
    facekit::print_out(&String::from_utf8_lossy(&bytes));
    if !bytes.ends_with(b"\n") {
        facekit::println_out("");
    }
    Ok(())
}

fn print_config(config: &Config) -> anyhow::Result<()> {
    let mut out = String::from("Configurable Values:\n");
    for (key, value) in config::values(config) {
        out.push_str(&format!("  {key}: {value}\n"));
    }
    let root = config.root();
    out.push_str("Derived Values:\n");
    let rpc = config.rpc().map_or_else(|e| e, |u| u.to_string());
    for (key, value) in [
        ("Node RPC", PathBuf::from(rpc)),
        ("Root Dir", root.clone()),
        ("Upgrade Dir", root.join("upgrades")),
        ("Genesis Bin", root.join("genesis/bin").join(&config.name)),
        ("Monitored File", Files { home: config.home.clone() }.upgrade_info()),
        ("Data Backup Dir", config.data_backup_dir.clone()),
    ] {
        out.push_str(&format!("  {key:>15}: {}\n", value.display()));
    }
    facekit::print_out(&out);
    Ok(())
}

/// `version`: cosmovisor's version, then the app's; `--version` (`own_only`) and
/// `--cosmovisor-only`: cosmovisor's alone, which needs no configuration.
fn version(file: Option<&Path>, args: &[String], own_only: bool) -> Result<(), Failure> {
    let json = json_output(args).map_err(Failure::config)?;
    let only = own_only || args.iter().any(|a| a == "--cosmovisor-only");
    let own = env!("CARGO_PKG_VERSION");
    if only {
        facekit::println_out(&if json {
            serde_json::json!({ "cosmovisor_version": own }).to_string()
        } else {
            format!("cosmovisor version: {own}")
        });
        return Ok(());
    }
    // Ours first, as Cosmovisor prints it: said even when the app's cannot be.
    if !json {
        facekit::println_out(&format!("cosmovisor version: {own}"));
    }
    let config = crate::load(file, false).map_err(|f| Failure {
        error: f.error.context(
            "cannot ask the app for its version without the configuration (`cosmovisor version --cosmovisor-only` \
             prints cosmovisor's alone)",
        ),
        exit: f.exit,
    })?;
    let binary = config.root().join("current/bin").join(&config.name);
    let app_args: &[&str] = if json { &["version", "--long", "--output", "json"] } else { &["version"] };
    let out = visor_core::supervise::run_helper_blocking(&binary, app_args, std::time::Duration::from_secs(30))
        .with_context(|| format!("cannot run {} version", binary.display()))?;
    if !out.status.success() {
        return Err(anyhow!(
            "{} version failed ({}): {}",
            binary.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if json {
        let app: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        facekit::println_out(&serde_json::json!({ "cosmovisor_version": own, "app_version": app }).to_string());
    } else {
        facekit::println_out(&text);
    }
    Ok(())
}
