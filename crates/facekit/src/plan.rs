//! `plan` for every face: what will happen next. The release that runs, then each upgrade
//! known, with its trigger (the node halting at a height, a time, a chain height), how far
//! away that is, and whether its release folder is present, being staged, will be downloaded,
//! or must be provided by hand. The face says what its plan files hold; the running visor's
//! status document adds what only it knows (the node's own announcement, staging, the chain's
//! height).
//!
//! The JSON form is one document, versioned like `status`'s: fields are added within a
//! version, never renamed or removed.

use serde::Serialize;
use visor_core::status::{Status, read_status};
use visor_core::{CurrentLink, Exit, Home, Trigger};

use crate::{Failure, Output};

/// The version of the JSON document `plan --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

/// `plan`'s options, shared by the faces that parse with clap.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// Output format.
    #[arg(long, short, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Option<PlanCommand>,
}

/// What `plan` does; nothing given means `list`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum PlanCommand {
    /// Show the release that runs and each upgrade planned, with its trigger and release.
    List,
    /// Remove a planned upgrade, so it is not applied (where the face's plan allows it).
    Cancel {
        /// The upgrade's name, as `plan list` shows it.
        name: String,
    },
}

/// The release that runs (or that `current` names when no visor runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentRelease {
    /// Its folder, as `current` names it.
    pub release: String,
    /// Its version, when the face's files say it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// When an upgrade is due, and how far away that is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TriggerView {
    /// When the node halts at a height and says it is ready (Vega's core; a Cosmos app's own
    /// plan).
    #[serde(rename_all = "camelCase")]
    NodeReady {
        /// The height.
        height: u64,
        /// Blocks until then, when the chain's height is known (negative: past it).
        #[serde(skip_serializing_if = "Option::is_none")]
        blocks_left: Option<i64>,
    },
    /// At a time.
    #[serde(rename_all = "camelCase")]
    Time {
        /// The time.
        at: jiff::Timestamp,
        /// Seconds until then (negative: due already).
        seconds_left: i64,
    },
    /// When the chain reaches a height.
    #[serde(rename_all = "camelCase")]
    Height {
        /// The height.
        height: u64,
        /// Blocks until then, when the chain's height is known (negative: past it).
        #[serde(skip_serializing_if = "Option::is_none")]
        blocks_left: Option<i64>,
    },
    /// As soon as possible.
    Now,
}

impl TriggerView {
    /// The view of `trigger` at `now`, with the chain at `chain_height` if known.
    pub fn new(trigger: &Trigger, now: jiff::Timestamp, chain_height: Option<u64>) -> Self {
        // Heights come from files and answers: any u64, so the difference is taken wide and
        // clamped.
        let left = |height: u64| {
            chain_height
                .map(|c| (i128::from(height) - i128::from(c)).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
        };
        match *trigger {
            Trigger::NodeReady { height } => Self::NodeReady { height, blocks_left: left(height) },
            Trigger::Height(height) => Self::Height { height, blocks_left: left(height) },
            Trigger::At(at) => Self::Time { at, seconds_left: at.as_second() - now.as_second() },
            Trigger::Now => Self::Now,
        }
    }

    /// The view of `trigger` from now, with the chain at `chain_height` if known.
    pub fn from_now(trigger: &Trigger, chain_height: Option<u64>) -> Self {
        Self::new(trigger, jiff::Timestamp::now(), chain_height)
    }

    /// For people: "at height 120 (in 30 blocks)", "at 2026-05-01T10:00:00Z (in 2h 13m)".
    pub fn describe(&self) -> String {
        let blocks = |left: Option<i64>| match left {
            Some(0) => " (the chain is there)".to_owned(),
            Some(n) if n > 0 => format!(" (in {n} block{})", if n == 1 { "" } else { "s" }),
            Some(n) => format!(" (passed {} block{} ago)", n.unsigned_abs(), if n == -1 { "" } else { "s" }),
            None => String::new(),
        };
        match self {
            Self::NodeReady { height, blocks_left } => {
                format!("when the node halts at height {height}{}", blocks(*blocks_left))
            }
            Self::Height { height, blocks_left } => format!("at height {height}{}", blocks(*blocks_left)),
            // Whole seconds: the fraction says nothing to plan by.
            Self::Time { at, seconds_left } => format!("at {at:.0} ({})", relative(*seconds_left)),
            Self::Now => "now".to_owned(),
        }
    }
}

/// A span of seconds from now, for people: "in 2h 13m", "due 5m ago", "due now". The two
/// largest units are enough to plan by.
pub fn relative(seconds: i64) -> String {
    if seconds == 0 {
        return "due now".to_owned();
    }
    let mut rest = seconds.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size || (!parts.is_empty() && parts.len() < 2) {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        }
        if parts.len() == 2 {
            break;
        }
    }
    // "1h 0m" says as much as "1h".
    if parts.len() == 2 && parts[1].starts_with('0') {
        parts.pop();
    }
    let span = parts.join(" ");
    if seconds > 0 { format!("in {span}") } else { format!("due {span} ago") }
}

/// Where an upgrade's release stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseState {
    /// The folder is there and complete.
    Present,
    /// The running visor staged (downloaded and verified) it.
    Staged,
    /// The running visor is staging it now.
    Staging,
    /// Missing; the visor downloads it when it runs (before the trigger).
    Download,
    /// Missing, and the visor cannot get it: an operator must provide it.
    Missing,
}

/// One upgrade planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedUpgrade {
    /// Its name (what `plan cancel` takes).
    pub name: String,
    /// The version it brings.
    pub version: String,
    /// The release folder it runs from, if its name makes a valid one.
    pub release: Option<String>,
    /// When it is due.
    pub trigger: TriggerView,
    /// Where its release stands.
    pub release_state: ReleaseState,
    /// Why, for a release that is missing or being staged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_detail: Option<String>,
    /// Where it comes from (a file, the node's admin RPC, the chain's governance).
    pub source: String,
    /// Whether `plan cancel` can remove it.
    pub cancellable: bool,
}

/// The whole `plan` document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanReport {
    /// The document's format version.
    pub schema_version: u32,
    /// The home folder.
    pub home: String,
    /// Whether a visor runs on the home.
    pub running: bool,
    /// Its PID, when one runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visor_pid: Option<u32>,
    /// The release that runs.
    pub current: Option<CurrentRelease>,
    /// The chain's height, as the running visor last read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain_height: Option<u64>,
    /// When this was looked at (the distances are from then).
    pub now: jiff::Timestamp,
    /// The upgrades planned, earliest first.
    pub upgrades: Vec<PlannedUpgrade>,
    /// What else an operator should know (where upgrades come from, what is not shown).
    pub notes: Vec<String>,
}

/// What the running visor says, if one runs on the home.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// Its status document.
    pub status: Option<Status>,
}

impl Live {
    /// Reads the status of the visor running on `home`, if any.
    pub fn read(home: &Home) -> Self {
        Self { status: read_status(&home.status_file()).filter(Status::writer_alive) }
    }

    /// The chain's height, as the running visor last read it.
    pub fn chain_height(&self) -> Option<u64> {
        self.status.as_ref().and_then(|s| s.chain_height)
    }

    /// Where an upgrade of `version` whose folder is `ready` (or not) stands: staged or being
    /// staged by the running visor, else present, else downloadable (`download` is `Err` with
    /// the reason when it is not).
    pub fn release_state(
        &self,
        version: &str,
        ready: bool,
        download: Result<(), String>,
    ) -> (ReleaseState, Option<String>) {
        let staging = self.status.as_ref().and_then(|s| s.staging.as_ref()).filter(|s| s.version == version);
        match staging {
            Some(s) if ready && s.phase == "staged" => (ReleaseState::Staged, None),
            _ if ready => (ReleaseState::Present, None),
            Some(s) if s.phase != "failed" => {
                let size = s.total.map(|t| format!(", {} of {t} bytes", s.bytes)).unwrap_or_default();
                (ReleaseState::Staging, Some(format!("{} (attempt {}{size})", s.phase, s.attempt)))
            }
            Some(s) => (
                ReleaseState::Missing,
                Some(format!("staging failed: {}", s.error.as_deref().unwrap_or("no reason given"))),
            ),
            None => match download {
                Ok(()) => (ReleaseState::Download, None),
                Err(why) => (ReleaseState::Missing, Some(why)),
            },
        }
    }
}

/// The release `current` names, as `plan` shows it.
pub fn current_release(home: &Home, live: &Live) -> Option<String> {
    if let Some(release) = live.status.as_ref().and_then(|s| s.release.clone()) {
        return Some(release);
    }
    match home.read_current() {
        Ok(CurrentLink::Release(name)) => Some(name.to_string()),
        Ok(CurrentLink::Outside(p)) => Some(p.display().to_string()),
        Ok(CurrentLink::Directory) => Some("current (a folder)".to_owned()),
        _ => None,
    }
}

impl PlanReport {
    /// A report on `home` with what the running visor says, and the face's `upgrades` (sorted
    /// here: by time, then height).
    pub fn new(home: &Home, live: &Live, current: Option<CurrentRelease>, mut upgrades: Vec<PlannedUpgrade>) -> Self {
        upgrades.sort_by_key(|u| match &u.trigger {
            TriggerView::Now => (0, 0, 0),
            TriggerView::Time { at, .. } => (1, at.as_second(), 0),
            TriggerView::NodeReady { height, .. } | TriggerView::Height { height, .. } => (2, 0, *height),
        });
        Self {
            schema_version: SCHEMA_VERSION,
            home: home.root().display().to_string(),
            running: live.status.is_some(),
            visor_pid: live.status.as_ref().map(|s| s.visor_pid),
            current,
            chain_height: live.chain_height(),
            now: jiff::Timestamp::now(),
            upgrades,
            notes: Vec::new(),
        }
    }

    /// The planned upgrade named `name`, or an error that lists the planned ones.
    pub fn find(&self, name: &str) -> Result<&PlannedUpgrade, Failure> {
        self.upgrades.iter().find(|u| u.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.upgrades.iter().map(|u| u.name.as_str()).collect();
            let error = if known.is_empty() {
                anyhow::anyhow!("no upgrade named {name:?} is planned: no upgrade is planned at all")
            } else {
                anyhow::anyhow!(
                    "no upgrade named {name:?} is planned; the planned ones are: {} (see `plan list`)",
                    known.join(", ")
                )
            };
            Failure::config(error)
        })
    }

    /// Prints the report.
    pub fn show(&self, output: Output) -> Result<Exit, Failure> {
        match output {
            Output::Json => crate::println_out(&serde_json::to_string_pretty(self)?),
            Output::Text => crate::print_out(&crate::output::printable(&self.text())),
        }
        Ok(Exit::Clean)
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let program = format!("{}:", visor_core::lock::program_name());
        match self.visor_pid {
            Some(pid) => out.push_str(&format!("{program:<10} running (pid {pid})\n")),
            None => out.push_str(&format!("{program:<10} not running\n")),
        }
        let current = match &self.current {
            Some(CurrentRelease { release, version: Some(v) }) if v != release => format!("{release} (version {v})"),
            Some(c) => c.release.clone(),
            None => "(none)".to_owned(),
        };
        out.push_str(&format!("{:<10} {current}\n", "release:"));
        if let Some(height) = self.chain_height {
            out.push_str(&format!("{:<10} height {height}\n", "chain:"));
        }
        if self.upgrades.is_empty() {
            out.push_str(&format!("{:<10} none planned\n", "upgrades:"));
        } else {
            out.push_str("upgrades:\n");
        }
        for u in &self.upgrades {
            let version = if u.version == u.name { String::new() } else { format!(" (version {})", u.version) };
            out.push_str(&format!("  {}{version}\n", u.name));
            out.push_str(&format!("    {:<9}{}\n", "when:", u.trigger.describe()));
            let state = match u.release_state {
                ReleaseState::Present => "present",
                ReleaseState::Staged => "staged (downloaded and verified)",
                ReleaseState::Staging => "being staged",
                ReleaseState::Download => "missing; the visor downloads it before the trigger",
                ReleaseState::Missing => "MISSING",
            };
            let detail = u.release_detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
            let folder = u.release.as_deref().unwrap_or("(no valid folder)");
            out.push_str(&format!("    {:<9}{folder}: {state}{detail}\n", "release:"));
            let cancel = if u.cancellable { format!("; `plan cancel {}` removes it", u.name) } else { String::new() };
            out.push_str(&format!("    {:<9}{}{cancel}\n", "from:", u.source));
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }
}

/// Prints what `plan cancel` removed.
pub fn show_cancelled(upgrade: &PlannedUpgrade, what_now: &str, output: Output) -> Result<Exit, Failure> {
    match output {
        Output::Json => crate::println_out(&serde_json::to_string_pretty(
            &serde_json::json!({ "cancelled": upgrade, "note": what_now }),
        )?),
        Output::Text => {
            let version =
                if upgrade.version == upgrade.name { String::new() } else { format!("version {}, ", upgrade.version) };
            crate::output::println_shown(&format!(
                "cancelled upgrade {} ({version}{}); {what_now}",
                upgrade.name,
                upgrade.trigger.describe()
            ));
        }
    }
    Ok(Exit::Clean)
}

/// A refusal of `plan cancel`: why, and what to do instead (exit 3).
pub fn refuse_cancel(why: impl std::fmt::Display) -> Failure {
    Failure::config(anyhow::anyhow!("{why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heights_from_files_never_overflow_the_blocks_left() {
        let now = jiff::Timestamp::now();
        let far = TriggerView::new(&Trigger::Height(u64::MAX), now, Some(5));
        assert!(matches!(far, TriggerView::Height { blocks_left: Some(i64::MAX), .. }), "{far:?}");
        let past = TriggerView::new(&Trigger::NodeReady { height: 0 }, now, Some(u64::MAX));
        assert!(past.describe().contains("passed 9223372036854775808 blocks ago"), "{}", past.describe());
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(relative(2 * 3600 + 13 * 60 + 5), "in 2h 13m");
        assert_eq!(relative(-5 * 60), "due 5m ago");
        assert_eq!(relative(42), "in 42s");
        assert_eq!(relative(3600), "in 1h");
        assert_eq!(relative(3 * 86_400 + 4 * 3600 + 59), "in 3d 4h");
        assert_eq!(relative(86_400 + 59), "in 1d");
        assert_eq!(relative(61), "in 1m 1s");
        assert_eq!(relative(0), "due now");
    }

    #[test]
    fn triggers_say_how_far_away_they_are() {
        let now = jiff::Timestamp::from_second(1_000_000).unwrap();
        let at = TriggerView::new(&Trigger::At(jiff::Timestamp::from_second(1_000_000 + 7980).unwrap()), now, None);
        assert!(at.describe().ends_with("(in 2h 13m)"), "{}", at.describe());
        let height = TriggerView::new(&Trigger::Height(120), now, Some(90));
        assert_eq!(height.describe(), "at height 120 (in 30 blocks)");
        let halt = TriggerView::new(&Trigger::NodeReady { height: 100 }, now, Some(101));
        assert_eq!(halt.describe(), "when the node halts at height 100 (passed 1 block ago)");
        assert_eq!(TriggerView::new(&Trigger::Height(5), now, None).describe(), "at height 5");
        let json = serde_json::to_value(&height).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "height", "height": 120, "blocksLeft": 30 }));
    }

    #[test]
    fn an_unknown_name_lists_the_planned_ones() {
        let home = Home::new("/h");
        let upgrade = |name: &str| PlannedUpgrade {
            name: name.to_owned(),
            version: "1".to_owned(),
            release: None,
            trigger: TriggerView::Now,
            release_state: ReleaseState::Present,
            release_detail: None,
            source: "test".to_owned(),
            cancellable: true,
        };
        let report = PlanReport::new(&home, &Live::default(), None, vec![upgrade("a"), upgrade("b")]);
        let e = report.find("c").unwrap_err();
        assert_eq!(e.exit, Exit::Config);
        assert!(e.error.to_string().contains("the planned ones are: a, b"), "{}", e.error);
        let empty = PlanReport::new(&home, &Live::default(), None, vec![]);
        assert!(empty.find("c").unwrap_err().error.to_string().contains("no upgrade is planned at all"));
    }
}
