//! `check` for every face: validate a home without running its node. Each face adds one line
//! per thing it checks — its configuration, the home's layout, each release's binaries, the
//! next upgrades' releases, whether a visor runs, the source of upgrades — each ok, a warning or
//! a failure with the fix. Warnings leave the exit code 0; any failure makes it 3
//! (`Exit::Config`: what `run` would refuse, or an upgrade that could not happen).

use std::path::Path;

use serde::Serialize;
use visor_core::check::{BinaryCheck, FileProblem, LockState, lock_state};
use visor_core::{Exit, Home, IdentityError};

use crate::Output;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// As it should be.
    Ok,
    /// Worth a look; `run` would work.
    Warn,
    /// `run` would refuse, or an upgrade would not happen.
    Fail,
}

/// One line of `check`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckLine {
    /// What was checked (`config`, `current`, `release genesis`, `admin socket`...).
    pub check: String,
    /// How it came out.
    pub outcome: Outcome,
    /// What was found.
    pub detail: String,
    /// What to do, for a warning or a failure.
    pub fix: Option<String>,
}

/// The lines of one `check`, in order.
#[derive(Debug, Default)]
pub struct Checks {
    lines: Vec<CheckLine>,
}

impl Checks {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, check: &str, outcome: Outcome, detail: impl Into<String>, fix: Option<String>) {
        self.lines.push(CheckLine { check: check.to_owned(), outcome, detail: detail.into(), fix });
    }

    /// Adds a line that is as it should be.
    pub fn ok(&mut self, check: &str, detail: impl Into<String>) {
        self.push(check, Outcome::Ok, detail, None);
    }

    /// Adds a warning and its fix.
    pub fn warn(&mut self, check: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(check, Outcome::Warn, detail, Some(fix.into()));
    }

    /// Adds a failure and its fix.
    pub fn fail(&mut self, check: &str, detail: impl Into<String>, fix: impl Into<String>) {
        self.push(check, Outcome::Fail, detail, Some(fix.into()));
    }

    /// The lines so far.
    pub fn lines(&self) -> &[CheckLine] {
        &self.lines
    }

    /// Whether any line failed.
    pub fn failed(&self) -> bool {
        self.lines.iter().any(|l| l.outcome == Outcome::Fail)
    }

    /// Prints the lines (text: one a line, the fix below; JSON: an array of
    /// `{check, outcome, detail, fix}`) and says how `check` ends: 0, or 3 when anything failed.
    pub fn finish(self, output: Output) -> Result<Exit, crate::Failure> {
        match output {
            Output::Json => crate::println_out(&serde_json::to_string_pretty(&self.lines)?),
            Output::Text => crate::print_out(&crate::output::printable(&self.text())),
        }
        Ok(if self.failed() { Exit::Config } else { Exit::Clean })
    }

    /// The lines for people, and a summary.
    pub fn text(&self) -> String {
        let width = self.lines.iter().map(|l| l.check.len()).max().unwrap_or(0);
        let mut out = String::new();
        for line in &self.lines {
            let outcome = match line.outcome {
                Outcome::Ok => "ok",
                Outcome::Warn => "warn",
                Outcome::Fail => "FAIL",
            };
            out.push_str(&format!("{outcome:<5} {:<width$}  {}\n", line.check, line.detail));
            if let Some(fix) = &line.fix {
                out.push_str(&format!("{:<5} {:<width$}  fix: {fix}\n", "", ""));
            }
        }
        let count = |o: Outcome| self.lines.iter().filter(|l| l.outcome == o).count();
        let (failed, warned) = (count(Outcome::Fail), count(Outcome::Warn));
        out.push_str(&format!(
            "{}: {} ok, {warned} warning{}, {failed} failed\n",
            if failed > 0 { "check failed" } else { "check passed" },
            count(Outcome::Ok),
            if warned == 1 { "" } else { "s" },
        ));
        out
    }

    /// Whether a visor runs on `home` (never a problem: `check` only says so).
    pub fn lock(&mut self, home: &Home) {
        let live = crate::plan::Live::read(home);
        let state = live.status.as_ref().map(|s| format!(", {}", s.state)).unwrap_or_default();
        match lock_state(home) {
            Ok(LockState::Held(pid)) => self.ok(
                "lock",
                format!(
                    "a visor runs on this home{}{state}; what it runs is checked as it is on disk",
                    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
                ),
            ),
            Ok(LockState::Free) => self.ok("lock", "no visor runs on this home"),
            Err(e) => self.warn(
                "lock",
                format!("cannot look at the lock {}: {e}", home.lock_file().display()),
                refused(&home.lock_file()).map(|(_, explained)| explained).unwrap_or_else(|| {
                    "make the home's .visor folder readable by this user, or run check as the visor's user".to_owned()
                }),
            ),
        }
    }

    /// One line per binary of a release (`check` names it, e.g. `release genesis`): its file,
    /// then the version it reports. `fixes` words the fixes in the face's terms.
    pub fn binaries(&mut self, check: &str, binaries: &[BinaryCheck], fixes: &BinaryFixes<'_>) {
        for b in binaries {
            let shown = b.path.display();
            let role = &b.role;
            match (b.file, &b.identity) {
                (Some(FileProblem::Missing), _) => match std::fs::metadata(&b.path) {
                    // There, but not this user's to look at: not missing, and not the path's fault.
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        let explained = visor_core::access::explain_denied(&b.path, &e);
                        self.fail(
                            check,
                            format!("{role} binary {shown} cannot be looked at: {e}"),
                            explained.unwrap_or_else(|| fixes.path.to_owned()),
                        );
                    }
                    _ => self.fail(check, format!("{role} binary {shown} does not exist"), fixes.path.to_owned()),
                },
                (Some(FileProblem::NotAFile), _) => {
                    self.fail(check, format!("{role} binary {shown} is not a file"), fixes.path.to_owned());
                }
                (Some(FileProblem::NotExecutable), _) if fixes.makes_executable => self.warn(
                    check,
                    format!("{role} binary {shown} is not executable"),
                    format!("the visor makes it executable when it runs it; or `chmod +x {shown}` now"),
                ),
                (Some(FileProblem::NotExecutable), _) => {
                    self.fail(check, format!("{role} binary {shown} is not executable"), format!("chmod +x {shown}"))
                }
                (None, Some(Ok(version))) => self.ok(check, format!("{role} binary {shown} reports version {version}")),
                (None, Some(Err(e))) => {
                    let (detail, fix) = identity_problem(e, fixes);
                    self.fail(check, format!("{role} binary: {detail}"), fix);
                }
                (None, None) => self.ok(check, format!("{role} binary {shown} is an executable file")),
            }
        }
    }
}

/// How a face words the fixes of a release's binaries.
#[derive(Debug, Clone)]
pub struct BinaryFixes<'a> {
    /// A binary is missing or not a file: where its path comes from, or how to provide it.
    pub path: &'a str,
    /// A binary is another version or build: what to put there instead.
    pub identity: &'a str,
    /// The visor gives a binary without execute bits its bits itself (Nymvisor, Cosmovisor).
    pub makes_executable: bool,
}

fn identity_problem(e: &IdentityError, fixes: &BinaryFixes<'_>) -> (String, String) {
    match e {
        IdentityError::Run { binary, message } => (
            format!("cannot ask {} for its version: {message}", binary.display()),
            format!("check that {} is the node's binary, built for this machine", binary.display()),
        ),
        IdentityError::Unreadable { binary, output } => (
            format!("{} did not print its version information ({output:?})", binary.display()),
            format!("check that {} is the node's binary, not a wrapper or another program", binary.display()),
        ),
        IdentityError::Mismatch { binary, found, expected } => (
            format!("{} reports version {found}, but the release is {expected}", binary.display()),
            fixes.identity.to_owned(),
        ),
        IdentityError::BuildMismatch { binary, field, found, expected } => (
            format!("{} has {field} = {found}, but the upgrade expects {expected}", binary.display()),
            fixes.identity.to_owned(),
        ),
    }
}

/// Runs `future` to its end on a runtime of its own (identity checks and probes are async in
/// the engine; `check` is one short command).
pub fn block_on<F: Future>(future: F) -> std::io::Result<F::Output> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(future))
}

/// Checks the release folder `dir` exists (a line `check` when it does not, failing with
/// `fix`); returns whether it does. A folder this user may not look at is said so, with whose
/// it is and what to do, never called missing.
pub fn release_folder(checks: &mut Checks, check: &str, dir: &Path, fix: &str) -> bool {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => {
            checks.fail(check, format!("{} is not a folder", dir.display()), fix.to_owned());
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            checks.fail(check, format!("release folder {} does not exist", dir.display()), fix.to_owned());
            false
        }
        Err(e) => {
            let explained = visor_core::access::explain_denied(dir, &e);
            checks.fail(
                check,
                format!("cannot look at the release folder {}: {e}", dir.display()),
                explained.unwrap_or_else(|| fix.to_owned()),
            );
            false
        }
    }
}

/// When this user may not look at `path` (or list it, or read it): the refusal, and whose it is
/// and what to do ([`visor_core::access::explain_denied`]). `None` when it can, or fails for
/// another reason.
pub fn refused(path: &Path) -> Option<(std::io::Error, String)> {
    refused_with(path, visor_core::access::explain_denied)
}

/// [`refused`], with the face's own way of explaining a refusal (`explain` answers `None` for
/// an error that is not one).
pub fn refused_with(
    path: &Path,
    explain: impl Fn(&Path, &std::io::Error) -> Option<String>,
) -> Option<(std::io::Error, String)> {
    let error = match std::fs::metadata(path) {
        Err(e) => e,
        Ok(meta) if meta.is_dir() => std::fs::read_dir(path).err()?,
        Ok(_) => std::fs::File::open(path).err()?,
    };
    let explained = explain(path, &error)?;
    Some((error, explained))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_make_the_exit_code_and_warnings_do_not() {
        let mut checks = Checks::new();
        checks.ok("config", "valid");
        checks.warn("socket", "not reachable", "start the core");
        assert!(!checks.failed());
        let text = checks.text();
        assert!(text.contains("warn  socket  not reachable\n") && text.contains("fix: start the core"), "{text}");
        assert!(text.ends_with("check passed: 1 ok, 1 warning, 0 failed\n"), "{text}");
        checks.fail("release v2", "missing", "provide it");
        assert!(checks.failed());
        let json = serde_json::to_value(checks.lines()).unwrap();
        assert_eq!(json[0], serde_json::json!({ "check": "config", "outcome": "ok", "detail": "valid", "fix": null }));
        assert_eq!(json[2]["outcome"], "fail");
        assert!(checks.text().ends_with("check failed: 1 ok, 1 warning, 1 failed\n"));
    }
}
