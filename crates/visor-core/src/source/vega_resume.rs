//! Where a (re)started Vega core resumes from: the snapshot flag.
//!
//! After an upgrade the new core must load the snapshot taken at the upgrade height. On a
//! crash restart with a data node, the core must resume from the data node's latest history
//! segment, or the two disagree on the height (the data node's CLI tells which one).

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use crate::supervise::ProcessSpec;

/// The core's flag naming the snapshot to load.
pub const SNAPSHOT_FLAG: &str = "--snapshot.load-from-block-height";

/// Whether `args` already name a snapshot (as `--flag N` or `--flag=N`).
pub fn has_snapshot_flag(args: &[OsString]) -> bool {
    args.iter().any(|a| {
        let a = a.to_string_lossy();
        a == SNAPSHOT_FLAG || a.starts_with(&format!("{SNAPSHOT_FLAG}="))
    })
}

/// Adds the snapshot flag for `height` unless the operator set one.
pub fn add_snapshot_flag(args: &mut Vec<OsString>, height: u64) -> bool {
    if has_snapshot_flag(args) {
        return false;
    }
    args.push(SNAPSHOT_FLAG.into());
    args.push(height.to_string().into());
    true
}

/// The data-node query failed in a way that counts as a failed start.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the data node's latest history segment (`{command}`): {message}")]
pub struct SegmentError {
    /// The command line run.
    pub command: String,
    /// What failed.
    pub message: String,
}

const SEGMENT_TIMEOUT: Duration = Duration::from_secs(120);

/// The data node's query command for its latest history segment, built from its own args:
/// the `datanode` subcommand when the data node runs through the `vega` binary, and its
/// `--home` in either the `--home X` or the `--home=X` form.
pub(crate) fn segment_query_args(data_node_args: &[OsString]) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    if data_node_args.first().is_some_and(|a| a == "datanode") {
        args.push("datanode".into());
    }
    for s in ["network-history", "latest-history-segment", "--output", "json"] {
        args.push(s.into());
    }
    let mut iter = data_node_args.iter();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        if text == "--home" {
            if let Some(value) = iter.next() {
                args.push("--home".into());
                args.push(value.clone());
            }
        } else if text.starts_with("--home=") {
            args.push(arg.clone());
        }
    }
    args
}

/// Asks the data node for the height of its latest history segment. `Ok(None)` when it has
/// none yet ("no history segments found"): the core then starts without the flag.
pub async fn latest_segment_height(data_node: &ProcessSpec) -> Result<Option<u64>, SegmentError> {
    let args = segment_query_args(&data_node.args);
    let command = format!(
        "{} {}",
        data_node.program.display(),
        args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    let error = |message: String| SegmentError { command: command.clone(), message };
    let output = crate::supervise::run_helper(&data_node.program, &args, SEGMENT_TIMEOUT)
        .await
        .map_err(|e| error(e.to_string()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if stdout.contains("no history segments found") || stderr.contains("no history segments found") {
            return Ok(None);
        }
        return Err(error(format!(
            "{}: {}",
            crate::supervise::describe_status(&output.status),
            stderr.trim().chars().take(300).collect::<String>()
        )));
    }
    parse_segment(&stdout)
        .ok_or_else(|| error(format!("unexpected answer {:?}", stdout.chars().take(200).collect::<String>())))
}

/// Reads `{"LatestSegment":{"to_height":N,...}}`, skipping log lines printed before it.
pub(crate) fn parse_segment(stdout: &str) -> Option<Option<u64>> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "LatestSegment")]
        latest: Option<Segment>,
    }
    #[derive(serde::Deserialize)]
    struct Segment {
        to_height: u64,
    }
    let whole = std::iter::once(stdout.trim());
    whole
        .chain(stdout.lines().rev().map(str::trim))
        .find_map(|text| serde_json::from_str::<Answer>(text).ok())
        .map(|a| a.latest.map(|s| s.to_height))
}

/// The binaries of `spec` that must exist and be executable.
pub(crate) fn binaries(spec: &crate::node::NodeSpec) -> Vec<&Path> {
    let mut seen: Vec<&Path> = Vec::new();
    for p in &spec.processes {
        if !seen.contains(&p.program.as_path()) {
            seen.push(&p.program);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn snapshot_flag_is_added_once() {
        let mut args = os(&["start", "--home", "/h"]);
        assert!(add_snapshot_flag(&mut args, 30));
        assert_eq!(args, os(&["start", "--home", "/h", SNAPSHOT_FLAG, "30"]));
        assert!(!add_snapshot_flag(&mut args, 40));
        let mut eq = os(&["start", "--snapshot.load-from-block-height=5"]);
        assert!(!add_snapshot_flag(&mut eq, 40));
        // A flag that merely contains the name is not the flag (Vega matches substrings).
        let mut other = os(&["--snapshot.load-from-block-height-x"]);
        assert!(add_snapshot_flag(&mut other, 7));
    }

    #[test]
    fn segment_query_copies_subcommand_and_home() {
        assert_eq!(
            segment_query_args(&os(&["datanode", "start", "--home", "/dn"])),
            os(&["datanode", "network-history", "latest-history-segment", "--output", "json", "--home", "/dn"])
        );
        assert_eq!(
            segment_query_args(&os(&["start", "--home=/dn", "--x"])),
            os(&["network-history", "latest-history-segment", "--output", "json", "--home=/dn"])
        );
    }

    #[test]
    fn parses_segment_answers() {
        assert_eq!(parse_segment(r#"{"LatestSegment":{"to_height":1200,"from_height":1001}}"#), Some(Some(1200)));
        assert_eq!(parse_segment("log line\n{\"LatestSegment\":{\"to_height\":5}}\n"), Some(Some(5)));
        assert_eq!(parse_segment("garbage"), None);
    }
}
