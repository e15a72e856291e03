//! `add-upgrade` and `add-batch-upgrade`: an upgrade's binary put in place and its plan
//! written, everything checked before anything is written.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use visor_core::Home;

use crate::commands::{install_binary, io_failure};
use crate::config::Config;
use crate::plan::{Files, Plan, parse_batch, read_small, release_of};

pub(crate) struct AddUpgrade {
    name: String,
    binary: PathBuf,
    force: bool,
    height: Option<u64>,
}

pub(crate) fn parse_add_upgrade(args: &[String]) -> anyhow::Result<AddUpgrade> {
    const USAGE: &str = "usage: cosmovisor add-upgrade <name> <path to the binary> [--force] [--upgrade-height H]";
    let mut positional = Vec::new();
    let (mut force, mut height) = (false, None);
    let height_of = |v: &str| match v.parse::<u64>() {
        Ok(0) => Err(crate::usage_error("--upgrade-height must be above 0")),
        Ok(h) => Ok(Some(h)),
        Err(_) => Err(crate::usage_error(format!("--upgrade-height {v:?} is not a height; {USAGE}"))),
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        match arg {
            "--force" => force = true,
            "--upgrade-height" => {
                i += 1;
                let v = args
                    .get(i)
                    .ok_or_else(|| crate::usage_error(format!("--upgrade-height needs a height; {USAGE}")))?;
                height = height_of(v)?;
            }
            a if a.starts_with("--upgrade-height=") => height = height_of(&a["--upgrade-height=".len()..])?,
            a if a.starts_with('-') => {
                return Err(crate::usage_error(format!(
                    "unknown flag {a}; add-upgrade takes --force and --upgrade-height; {USAGE}"
                )));
            }
            a => positional.push(a.to_owned()),
        }
        i += 1;
    }
    let [name, binary] = positional.as_slice() else {
        return Err(crate::usage_error(USAGE));
    };
    Ok(AddUpgrade { name: name.clone(), binary: PathBuf::from(binary), force, height })
}

/// `add-upgrade`: everything is checked before anything is written, so a refusal leaves the
/// home as it was and the same command can simply be run again.
pub(crate) fn add_upgrade(config: &Config, a: AddUpgrade) -> anyhow::Result<()> {
    let name = if config.disable_recase { a.name.clone() } else { a.name.to_lowercase() };
    let target = upgrade_binary(config, &name)?;
    check_source(&a.binary)?;
    if std::fs::symlink_metadata(&target).is_ok() && !a.force {
        bail!("{} exists already; use --force to replace it", target.display());
    }
    let files = Files { home: config.home.clone() };
    let replaced = match a.height {
        Some(_) => {
            let replaced = replaceable_plan(config, &files, a.force)?;
            // The plan can be written: else the binary would be copied for nothing, and the
            // retry refused for it.
            let data = config.home.join("data");
            let folder = if data.exists() { data } else { config.home.clone() };
            if let Err(e) = nix::unistd::access(&folder, nix::unistd::AccessFlags::W_OK) {
                let what = format!("cannot write the plan into {}", folder.display());
                return Err(io_failure(what, &folder, std::io::Error::from(e)));
            }
            replaced
        }
        None => None,
    };
    install_binary(&a.binary, &target)?;
    let Some(height) = a.height else {
        facekit::println_out(&format!("upgrade {name} binary added"));
        return Ok(());
    };
    let info = files.upgrade_info();
    let bytes = serde_json::to_vec(&Plan { name: name.clone(), height, info: String::new() })?;
    // Remembered first: the running visor must never take our plan for the node's (due now).
    let ours = files.written_by_us();
    visor_core::ensure_private_dir(ours.parent().unwrap_or(Path::new("/")))?;
    visor_core::write_atomic(&ours, &bytes, 0o600)?;
    visor_core::create_dir_durable(info.parent().unwrap_or(Path::new("/")))?;
    visor_core::write_atomic(&info, &bytes, 0o600)
        .map_err(|e| io_failure(format!("cannot write {}", info.display()), &info, e))?;
    let replaced = replaced
        .map(|(plan, why)| {
            format!(" (it replaces upgrade {} at height {} in {}: {why})", plan.name, plan.height, info.display())
        })
        .unwrap_or_default();
    facekit::println_out(&format!("upgrade {name} planned at height {height}{replaced}"));
    Ok(())
}

/// The plan in `data/upgrade-info.json` that a new one may replace, and why it may: one the
/// current release came from, or one the chain has passed, is done; a pending one (the node's,
/// waiting for its binary, or ours, waiting for its height) is replaced only with `force`.
/// `None` when there is no plan there.
fn replaceable_plan(config: &Config, files: &Files, force: bool) -> anyhow::Result<Option<(Plan, String)>> {
    let info = files.upgrade_info();
    let Some(bytes) = read_small(&info).map_err(|e| anyhow!(e))? else { return Ok(None) };
    let recase = !config.disable_recase;
    let plan = match Plan::parse(&bytes, recase) {
        Ok(plan) => plan,
        Err(_) if force => return Ok(None),
        Err(e) => bail!("{} is not a plan ({e}); look at it, then use --force to replace it", info.display()),
    };
    let current = crate::plan::current_plan(&config.root(), recase);
    if crate::plan::applied(&plan, current.as_ref()) {
        return Ok(Some((plan, "applied already: the current release came from it".to_owned())));
    }
    // The height the running (or last) visor saw: a plan below it is behind the chain.
    let chain = visor_core::status::read_status(&Home::new(config.root()).status_file()).and_then(|s| s.chain_height);
    if let Some(chain) = chain.filter(|c| *c > plan.height) {
        return Ok(Some((plan, format!("done: the chain is past its height (at {chain})"))));
    }
    if force {
        return Ok(Some((plan, "pending, replaced with --force".to_owned())));
    }
    let ours = read_small(&files.written_by_us()).ok().flatten().is_some_and(|w| w == bytes);
    let whose = if ours {
        "planned with add-upgrade --upgrade-height and not applied yet"
    } else {
        "written by the node for the chain's upgrade, which is not applied yet"
    };
    bail!(
        "{} holds upgrade {} at height {}, {whose}; `cosmovisor plan` shows it; use --force to replace it",
        info.display(),
        plan.name,
        plan.height
    )
}

/// Where upgrade `name`'s binary goes.
fn upgrade_binary(config: &Config, name: &str) -> anyhow::Result<PathBuf> {
    let release = release_of(name).map_err(|e| anyhow!(e))?;
    Ok(release.dir(&config.root()).join("bin").join(&config.name))
}

/// The binary to copy is a file this user can read.
fn check_source(binary: &Path) -> anyhow::Result<()> {
    let meta = std::fs::metadata(binary).with_context(|| format!("cannot read the binary {}", binary.display()))?;
    if !meta.is_file() {
        bail!("{} is not a file: give the path of the app's binary", binary.display());
    }
    std::fs::File::open(binary).with_context(|| format!("cannot read the binary {}", binary.display()))?;
    Ok(())
}

/// The one flag of `add-batch-upgrade` and its value: `--flag value` or `--flag=value`, as
/// cobra takes them.
pub(crate) fn batch_flag(args: &[String]) -> anyhow::Result<(&str, &str)> {
    const USAGE: &str =
        "usage: cosmovisor add-batch-upgrade --upgrade-list name:binary:height,... | --upgrade-file <csv>";
    let usage = |message: String| Err(crate::usage_error(message));
    match args {
        [flag, value] if !value.starts_with('-') => match flag.as_str() {
            f @ ("--upgrade-list" | "--upgrade-file") => Ok((f, value)),
            _ => usage(USAGE.to_owned()),
        },
        [one] => match one.split_once('=') {
            Some((f @ ("--upgrade-list" | "--upgrade-file"), value)) if !value.is_empty() => Ok((f, value)),
            Some((f @ ("--upgrade-list" | "--upgrade-file"), _)) => usage(format!("{f} needs a value; {USAGE}")),
            _ => usage(USAGE.to_owned()),
        },
        _ if args.iter().any(|a| a.starts_with("--upgrade-list"))
            && args.iter().any(|a| a.starts_with("--upgrade-file")) =>
        {
            usage(format!("--upgrade-list and --upgrade-file cannot be used together; {USAGE}"))
        }
        _ => usage(USAGE.to_owned()),
    }
}

/// `add-batch-upgrade`: every entry is checked (its name, its binary) before any binary is
/// copied, so a refusal leaves the home as it was.
pub(crate) fn add_batch_upgrade(config: &Config, flag: &str, value: &str) -> anyhow::Result<()> {
    let entries: Vec<(String, PathBuf, u64)> = match flag {
        "--upgrade-list" => {
            parse_entries(value.split(','), "--upgrade-list").map_err(|e| crate::usage_error(format!("{e:#}")))?
        }
        _ => {
            let text =
                visor_core::read_text_bounded(Path::new(value)).with_context(|| format!("cannot read {value}"))?;
            parse_entries(text.lines().map(|l| l.replacen(',', ":", 2)), value)?
        }
    };
    let recase = !config.disable_recase;
    let mut checked = Vec::with_capacity(entries.len());
    for (name, binary, height) in entries {
        let name = if recase { name.to_lowercase() } else { name };
        let target = upgrade_binary(config, &name)?;
        check_source(&binary).with_context(|| format!("upgrade {name}"))?;
        checked.push((name, binary, height, target));
    }
    let files = Files { home: config.home.clone() };
    let _batch_lock = files.lock_batch().map_err(|e| anyhow!(e))?;
    let mut batch = match read_small(&files.batch()).map_err(|e| anyhow!(e))? {
        Some(bytes) => parse_batch(&bytes, recase).map_err(|e| anyhow!("{}: {e}", files.batch().display()))?,
        None => Vec::new(),
    };
    for (name, binary, height, target) in checked {
        install_binary(&binary, &target)?;
        batch.retain(|p| p.name != name);
        batch.push(Plan { name, height, info: String::new() });
    }
    batch.sort_by_key(|p| p.height);
    visor_core::create_dir_durable(&config.home.join("data"))?;
    visor_core::write_atomic(&files.batch(), &serde_json::to_vec(&batch)?, 0o600)?;
    for p in &batch {
        facekit::println_out(&format!("upgrade {} planned at height {}", p.name, p.height));
    }
    Ok(())
}

fn parse_entries(
    lines: impl Iterator<Item = impl AsRef<str>>,
    source: &str,
) -> anyhow::Result<Vec<(String, PathBuf, u64)>> {
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line.as_ref().trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ':').map(str::trim);
        let (Some(name), Some(path), Some(height)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("{source}, entry {}: {line:?} is not name:path:height", i + 1);
        };
        let height = height
            .parse::<u64>()
            .ok()
            .filter(|h| *h > 0)
            .ok_or_else(|| anyhow!("{source}, entry {}: {height:?} is not a height", i + 1))?;
        out.push((name.to_owned(), PathBuf::from(path), height));
    }
    Ok(out)
}
