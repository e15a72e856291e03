//! `run-config.toml`: what one release runs. Read at every (re)start and when a release is
//! verified, never cached.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use visor_core::source::AdminEndpoint;
use visor_core::supervise::ProcessSpec;
use visor_core::{NodeSpec, Protocol};

use facekit::suggest::UnknownKey;
use facekit::toml_file::{self, FileError};

/// The file name inside each release folder.
pub(crate) const RUN_CONFIG: &str = "run-config.toml";

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct RawRunConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vega: Option<RawRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) data_node: Option<RawRole>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct RawRole {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) binary: Option<RawBinary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rpc: Option<RawRpc>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct RawBinary {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawRpc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) socket_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) http_path: Option<String>,
}

/// The run configuration of a staged release, made from the one running now: the new name,
/// the new binary for the core and the data node, and the data node run through the `vega`
/// binary's `datanode` subcommand (its first argument becomes `datanode start` unless it
/// already is `datanode`). Everything else is copied.
pub(crate) fn for_staged_release(current: &Path, version: &str, binary: &Path) -> Result<String, FileError> {
    let parsed = toml_file::load::<RawRunConfig>(current, crate::config::INIT_HINT)?;
    let mut config = parsed.value;
    let binary = binary.to_string_lossy().into_owned();
    config.name = Some(version.to_owned());
    config.vega.get_or_insert_with(RawRole::default).binary.get_or_insert_with(RawBinary::default).path =
        Some(binary.clone());
    if let Some(data_node) = config.data_node.as_mut() {
        let b = data_node.binary.get_or_insert_with(RawBinary::default);
        b.path = Some(binary);
        if let Some(args) = b.args.as_mut().filter(|a| !a.is_empty() && a[0] != "datanode") {
            args.splice(0..1, ["datanode".to_owned(), "start".to_owned()]);
        }
    }
    let body = toml::to_string(&config)
        .map_err(|e| FileError::new(current, format!("cannot write a run configuration from it: {e}")))?;
    Ok(format!(
        "# Run configuration of {version}, made by `visor` when it staged the release, from {}.\n{body}",
        current.display()
    ))
}

fn non_empty<'a>(path: &Path, key: &str, value: Option<&'a String>, fix: &str) -> Result<&'a str, FileError> {
    match value.map(|s| s.trim()) {
        Some(v) if !v.is_empty() => Ok(v),
        Some(_) => Err(FileError::new(path, format!("key `{key}` is empty; {fix}"))),
        None => Err(FileError::new(path, format!("key `{key}` is missing; {fix}"))),
    }
}

fn process(file: &Path, dir: &Path, table: &str, role: &str, raw: Option<&RawRole>) -> Result<ProcessSpec, FileError> {
    let binary = raw.and_then(|r| r.binary.as_ref());
    let program = non_empty(
        file,
        &format!("{table}.binary.path"),
        binary.and_then(|b| b.path.as_ref()),
        "set it to the binary to run, absolute or relative to the release folder",
    )?;
    let program = PathBuf::from(program);
    let program = if program.is_absolute() { program } else { dir.join(program) };
    let args = binary.and_then(|b| b.args.clone()).unwrap_or_default().into_iter().map(OsString::from).collect();
    Ok(ProcessSpec { role: role.to_owned(), program, args })
}

/// Reads the run configuration of the release folder `dir`. Unknown keys are logged as
/// warnings.
pub(crate) fn read(dir: &Path) -> Result<NodeSpec, FileError> {
    let (spec, unknown) = read_reporting(dir)?;
    for key in unknown {
        tracing::warn!("{}", key.message());
    }
    Ok(spec)
}

/// Reads the run configuration of the release folder `dir` as [`read`] does, and returns its
/// unknown keys instead of logging them (`check` shows each as a line of its own).
pub(crate) fn read_reporting(dir: &Path) -> Result<(NodeSpec, Vec<UnknownKey>), FileError> {
    let file = dir.join(RUN_CONFIG);
    match std::fs::metadata(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(FileError::new(
                &file,
                "missing: every release folder needs a run configuration (see `visor init`)",
            ));
        }
        // Not "missing": a file this user may not look at is another problem, with another fix.
        Err(e) => return Err(FileError::new(&file, toml_file::cannot_read(&file, &e))),
        Ok(_) => {}
    }
    let text =
        visor_core::read_text_bounded(&file).map_err(|e| FileError::new(&file, toml_file::cannot_read(&file, &e)))?;
    parse_reporting(dir, &text)
}

/// Parses the run configuration `text` of the release folder `dir`. Unknown keys are logged.
pub(crate) fn parse(dir: &Path, text: &str) -> Result<NodeSpec, FileError> {
    let (spec, unknown) = parse_reporting(dir, text)?;
    for key in unknown {
        tracing::warn!("{}", key.message());
    }
    Ok(spec)
}

/// The placeholder arguments `visor init` writes for the core, to be replaced by the real ones.
pub(crate) const PLACEHOLDER_ARGS: [&str; 3] = ["arg1", "arg2", "..."];

/// A value `visor init` wrote for the operator to fill in that is still there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unfilled {
    /// The key (`vega.binary.args`).
    pub(crate) key: String,
    /// What is wrong with its value.
    pub(crate) problem: String,
    /// What to put there.
    pub(crate) fix: String,
}

impl std::fmt::Display for Unfilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "key `{}` {}; {}", self.key, self.problem, self.fix)
    }
}

/// The values of `raw` that are still what `visor init` wrote for the operator to fill in: the
/// placeholder arguments, an empty (or missing) admin socket.
pub(crate) fn unfilled(raw: &RawRunConfig) -> Vec<Unfilled> {
    let mut found = Vec::new();
    let placeholder = |args: &[String]| args.iter().any(|a| PLACEHOLDER_ARGS.contains(&a.as_str()));
    for (table, role, role_name) in
        [("vega", raw.vega.as_ref(), "the core"), ("data_node", raw.data_node.as_ref(), "the data node")]
    {
        if let Some(args) = role.and_then(|r| r.binary.as_ref()).and_then(|b| b.args.as_ref())
            && placeholder(args)
        {
            found.push(Unfilled {
                key: format!("{table}.binary.args"),
                problem: format!("still holds the placeholders `visor init` wrote ({args:?})"),
                fix: format!(
                    "set it to {role_name}'s arguments, one element per argument, e.g. [\"start\", \"--home\", \
                     \"/home/vega/vega_home\"] (the arguments you start it with by hand)"
                ),
            });
        }
    }
    if let Some(vega) = raw.vega.as_ref() {
        let socket = vega.rpc.as_ref().and_then(|r| r.socket_path.as_deref()).map(str::trim);
        if socket.is_none_or(str::is_empty) {
            found.push(Unfilled {
                key: "vega.rpc.socketPath".to_owned(),
                problem: if socket.is_none() { "is missing" } else { "is empty" }.to_owned(),
                fix: "set it to the core's admin socket, [Admin.Server] SocketPath in the core's config.toml"
                    .to_owned(),
            });
        }
    }
    found
}

/// Reads the raw run configuration of the release folder `dir` (for `check`, which says what
/// is still to fill in key by key), or `None` when it does not read.
pub(crate) fn read_raw(dir: &Path) -> Option<RawRunConfig> {
    let file = dir.join(RUN_CONFIG);
    toml_file::load::<RawRunConfig>(&file, crate::config::INIT_HINT).ok().map(|p| p.value)
}

/// Parses the run configuration `text` of the release folder `dir`, and returns its unknown
/// keys.
pub(crate) fn parse_reporting(dir: &Path, text: &str) -> Result<(NodeSpec, Vec<UnknownKey>), FileError> {
    let file = dir.join(RUN_CONFIG);
    let parsed = toml_file::parse::<RawRunConfig>(&file, text, crate::config::INIT_HINT)?;
    let unknown = facekit::suggest::describe_unknown_keys::<RawRunConfig>(&file, &parsed.unknown);
    let raw = parsed.value;
    let Some(vega) = raw.vega.as_ref() else {
        return Err(FileError::new(
            &file,
            "no [vega] table: the core's binary and admin socket go there (see `visor init`)",
        ));
    };
    // Everything `init` left to fill in, said at once.
    let unfilled = unfilled(&raw);
    if !unfilled.is_empty() {
        let said: Vec<String> = unfilled.iter().map(ToString::to_string).collect();
        return Err(FileError::new(&file, said.join("; and ")));
    }
    let core = process(&file, dir, "vega", "core", Some(vega))?;
    let rpc = vega.rpc.as_ref();
    let socket = non_empty(
        &file,
        "vega.rpc.socketPath",
        rpc.and_then(|r| r.socket_path.as_ref()),
        "set it to the core's admin socket, [Admin.Server] SocketPath in the core's config.toml",
    )?;
    let http_path = non_empty(
        &file,
        "vega.rpc.httpPath",
        rpc.and_then(|r| r.http_path.as_ref()),
        "set it to the core's [Admin.Server] HTTPPath, usually \"/rpc\"",
    )?;
    let mut processes = vec![core];
    if let Some(data_node) = raw.data_node.as_ref() {
        processes.push(process(&file, dir, "data_node", "data-node", Some(data_node))?);
    }
    let http_path = if http_path.starts_with('/') { http_path.to_owned() } else { format!("/{http_path}") };
    let spec =
        NodeSpec { processes, protocol: Protocol::Vega { admin: AdminEndpoint { socket: socket.into(), http_path } } };
    Ok((spec, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<NodeSpec, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RUN_CONFIG), text).unwrap();
        read(dir.path()).map_err(|e| e.to_string())
    }

    const GOOD: &str = r#"
name = "v1"
[vega]
  [vega.binary]
    path = "vega"
    args = ["start", "--home", "/h"]
  [vega.rpc]
    socketPath = "/run/vega.sock"
    httpPath = "/rpc"
[data_node]
  [data_node.binary]
    path = "/usr/bin/vega"
    args = ["datanode", "start"]
"#;

    #[test]
    fn reads_core_and_data_node() {
        let spec = read_text(GOOD).unwrap();
        assert_eq!(spec.processes.len(), 2);
        assert!(spec.processes[0].program.ends_with("vega") && spec.processes[0].program.is_absolute());
        assert_eq!(spec.processes[1].program, PathBuf::from("/usr/bin/vega"));
        assert_eq!(spec.admin().unwrap().http_path, "/rpc");
    }

    #[test]
    fn staged_release_config_follows_vega_visor() {
        let dir = tempfile::tempdir().unwrap();
        let text = GOOD.replace("args = [\"datanode\", \"start\"]", "args = [\"start\", \"--home\", \"/dn\"]");
        std::fs::write(dir.path().join(RUN_CONFIG), text).unwrap();
        let out = for_staged_release(&dir.path().join(RUN_CONFIG), "v2.0.0", Path::new("bin/vega")).unwrap();
        let staged = tempfile::tempdir().unwrap();
        std::fs::write(staged.path().join(RUN_CONFIG), &out).unwrap();
        let spec = read(staged.path()).unwrap();
        assert_eq!(spec.processes[0].program, staged.path().join("bin/vega"));
        assert_eq!(spec.processes[0].args, ["start", "--home", "/h"].map(OsString::from));
        assert_eq!(spec.processes[1].program, staged.path().join("bin/vega"));
        assert_eq!(spec.processes[1].args, ["datanode", "start", "--home", "/dn"].map(OsString::from));
        assert_eq!(spec.admin().unwrap().socket, PathBuf::from("/run/vega.sock"));
        assert!(out.contains("name = \"v2.0.0\""), "{out}");
    }

    #[test]
    fn empty_paths_are_errors_naming_the_key() {
        let e = read_text(&GOOD.replace("socketPath = \"/run/vega.sock\"", "socketPath = \"\"")).unwrap_err();
        assert!(e.contains("vega.rpc.socketPath") && e.contains("empty"), "{e}");
        let e = read_text(&GOOD.replace("path = \"vega\"", "path = \"\"")).unwrap_err();
        assert!(e.contains("vega.binary.path"), "{e}");
        let e = read_text("name = 1\n").unwrap_err();
        assert!(e.contains("`name`"), "{e}");
        let e = read_text("[zeta]\n").unwrap_err();
        assert!(e.contains("[vega]"), "{e}");
    }

    #[test]
    fn what_init_left_to_fill_in_is_refused_key_by_key() {
        let text = crate::init::run_config_toml("genesis", true);
        let e = read_text(&text).unwrap_err();
        assert!(e.contains("key `vega.binary.args` still holds the placeholders"), "{e}");
        assert!(e.contains("\"arg1\", \"arg2\", \"...\""), "{e}");
        assert!(e.contains("key `vega.rpc.socketPath` is empty"), "{e}");
        assert!(!e.contains("data_node.binary.args"), "the data node's example arguments are not placeholders: {e}");
        let raw: RawRunConfig = toml::from_str(&text).unwrap();
        let keys: Vec<String> = unfilled(&raw).into_iter().map(|u| u.key).collect();
        assert_eq!(keys, ["vega.binary.args", "vega.rpc.socketPath"]);
        let filled = text
            .replace("args = [\"arg1\", \"arg2\", \"...\"]", "args = [\"start\"]")
            .replace("socketPath = \"\"", "socketPath = \"/run/vega.sock\"");
        assert!(read_text(&filled).is_ok(), "{filled}");
    }
}
