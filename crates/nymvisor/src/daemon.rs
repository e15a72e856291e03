//! The daemon contract: `<binary> --no-banner build-info --output=json` prints its build
//! information. Used by the commands that run outside the engine (init, add-upgrade, ...).

use std::path::Path;
use std::time::Duration;

use crate::files::BuildInfo;

const TIMEOUT: Duration = Duration::from_secs(15);

/// Runs the binary's build-info command through the engine's bounded helper (deadline, output
/// caps, its process group killed after) and parses its answer.
pub(crate) fn build_info_blocking(binary: &Path) -> Result<BuildInfo, String> {
    let shown = binary.display();
    let output = visor_core::supervise::run_helper_blocking(binary, visor_core::BUILD_INFO_ARGS, TIMEOUT)
        .map_err(|e| format!("`{shown} --no-banner build-info --output=json` gave no usable answer: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr: String = stderr.trim().chars().take(500).collect();
        return Err(format!("`{shown} --no-banner build-info --output=json` failed ({}): {stderr}", output.status));
    }
    stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<BuildInfo>(l.trim()).ok())
        .filter(|m| m.contains_key("build_version") && m.contains_key("binary_name"))
        .ok_or_else(|| {
            format!(
                "{shown} printed {:?}, not its build information; is it a Nym binary?",
                stdout.chars().take(200).collect::<String>()
            )
        })
}

/// A field of the build information as text.
pub(crate) fn field<'a>(info: &'a BuildInfo, key: &str) -> &'a str {
    info.get(key).and_then(|v| v.as_str()).unwrap_or_default()
}

/// Copies `source` to `dest` durably (temporary file, fsync, rename), executable.
pub(crate) fn install_binary(source: &Path, dest: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if let Some(parent) = dest.parent() {
        visor_core::create_dir_durable(parent)?;
    }
    let tmp = temp_binary(dest);
    // A leftover (or a link planted there) is removed, never written through.
    match std::fs::remove_file(&tmp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut input = std::fs::File::open(source)?;
    // a+x as the guide says, but never writable by others: a root visor runs this file.
    let mode = (input.metadata()?.permissions().mode() | 0o111) & 0o755;
    let result = (|| {
        let mut out = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
        std::io::copy(&mut input, &mut out)?;
        out.set_permissions(std::fs::Permissions::from_mode(mode))?;
        out.sync_all()?;
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    visor_core::sync_dir(dest.parent().unwrap_or(Path::new(".")))
}

/// Where [`install_binary`] writes before the rename; removed at start if a crash left it.
pub(crate) fn temp_binary(dest: &Path) -> std::path::PathBuf {
    dest.with_extension("tmp")
}

/// The text form of build information: a blank line, then labels padded to 20 columns.
pub(crate) fn display(info: &BuildInfo) -> String {
    let rows = [
        ("Binary Name:", "binary_name"),
        ("Build Timestamp:", "build_timestamp"),
        ("Build Version:", "build_version"),
        ("Commit SHA:", "commit_sha"),
        ("Commit Date:", "commit_timestamp"),
        ("Commit Branch:", "commit_branch"),
        ("rustc Version:", "rustc_version"),
        ("rustc Channel:", "rustc_channel"),
        ("cargo Profile:", "cargo_profile"),
    ];
    let mut text = String::from("\n");
    for (label, key) in rows {
        text.push_str(&format!("{label:<20}{}\n", field(info, key)));
    }
    text
}
