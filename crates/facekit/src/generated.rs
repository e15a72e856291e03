//! Shell completions and man pages, generated from a face's command line (its clap `Command`),
//! and the check that the copies under `packaging/` are current.
//!
//! Everything here is derived from the `Command` a face parses with (or, for `cosmovisor`, the
//! `Command` that describes its hand-parsed line), so completions, man pages and `--help` cannot
//! drift apart; the packaged copies are checked byte for byte by one test per face, which
//! rewrites them when [`REGENERATE`] is set. The output depends on nothing but the `Command`:
//! no dates, no terminal width, no build facts.
//!
//! A command's `after_long_help` may hold sections in clap's own help layout, which become
//! sections of its man page: a line at the margin ending in `:` opens one (`Environment:` →
//! ENVIRONMENT), a line indented by two spaces names an entry, deeper lines describe it.
//! [`environment_help`] writes that layout for a face's environment variables.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Command, ValueEnum};
pub use clap_complete::Shell;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// Set (to anything but `0` or empty) to make [`check_current`] rewrite the packaged files
/// instead of comparing them.
pub const REGENERATE: &str = "VISOR_REGENERATE";

/// The argument of every face's `completions` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print the completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script of `cmd` for `shell`.
pub fn completions(mut cmd: Command, shell: Shell) -> Vec<u8> {
    let name = cmd.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    script
}

/// `<face> completions <shell>`: prints the completion script of `cmd` to stdout (a closed
/// pipe ends the output, not the process).
pub fn print_completions(cmd: Command, args: &CompletionsArgs) {
    let script = completions(cmd, args.shell);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&script).and_then(|()| out.flush());
}

/// Every shell's completion script of `cmd`, named as that shell's completion folder expects
/// (`visor.bash`, `_visor`, `visor.fish`, `visor.elv`, `_visor.ps1`).
pub fn completion_files(cmd: &Command) -> Vec<(String, Vec<u8>)> {
    Shell::value_variants()
        .iter()
        .map(|shell| {
            use clap_complete::Generator as _;
            (shell.file_name(cmd.get_name()), completions(cmd.clone(), *shell))
        })
        .collect()
}

/// The man pages of `cmd`: one for the command and one for each visible subcommand, at any
/// depth (`visor.1`, `visor-run.1`, `visor-backup-list.1`), in section 1.
pub fn man_pages(cmd: Command) -> Vec<(String, Vec<u8>)> {
    // `help` is how to read these pages, not a page of its own.
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let source = match cmd.get_version() {
        Some(version) => format!("{} {version}", cmd.get_name()),
        None => cmd.get_name().to_owned(),
    };
    let mut pages = Vec::new();
    add_pages(&cmd, &source, &mut pages);
    pages
}

fn add_pages(cmd: &Command, source: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    // The date stays empty (the page depends on the command line only), as a quoted empty
    // argument: left out, it would shift the source into the date's place.
    let man = Man::new(cmd.clone()).date("\"\"").source(source);
    pages.push((man.get_filename(), page(&man, cmd)));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        add_pages(sub, source, pages);
    }
}

/// One page: clap_mangen's sections, then the sections of `after_long_help` under their own
/// headings (clap_mangen puts it all under EXTRA), then the version as the command spells it.
fn page(man: &Man, cmd: &Command) -> Vec<u8> {
    type Section = fn(&Man, &mut dyn Write) -> std::io::Result<()>;
    let mut sections: Vec<Section> = vec![
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
    ];
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        sections.push(Man::render_options_section);
    }
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        sections.push(Man::render_subcommands_section);
    }
    let mut extra = Roff::new();
    if let Some(text) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) {
        after_help_sections(&mut extra, &text.to_string());
    }
    if let Some(version) = cmd.get_version() {
        extra.control("SH", ["VERSION"]).text([roman(version)]);
    }
    // Every rendering starts with the same definitions (of the apostrophe): the page has them
    // once, at its top.
    let preamble = Roff::new().render().into_bytes();
    let mut out = preamble.clone();
    for section in sections {
        let mut text = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = section(man, &mut text);
        out.extend_from_slice(text.strip_prefix(preamble.as_slice()).unwrap_or(&text));
    }
    let extra = extra.render().into_bytes();
    out.extend_from_slice(extra.strip_prefix(preamble.as_slice()).unwrap_or(&extra));
    out
}

/// Renders `text` (clap's help layout, see the module's docs) as man page sections.
fn after_help_sections(roff: &mut Roff, text: &str) {
    let mut in_section = false;
    // Lines at the margin run on as one paragraph until a blank line or an entry.
    let mut in_paragraph = false;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let content = line.trim();
        if content.is_empty() {
            in_paragraph = false;
            continue;
        }
        if indent == 0
            && let Some(heading) = content.strip_suffix(':')
        {
            roff.control("SH", [heading.to_uppercase().as_str()]);
            (in_section, in_paragraph) = (true, false);
            continue;
        }
        if !in_section {
            roff.control("SH", ["NOTES"]);
            in_section = true;
        }
        match indent {
            0 if in_paragraph => roff.text([roman(content)]),
            0 => roff.control("PP", []).text([roman(content)]),
            2 => roff.control("TP", []).text([bold(content)]),
            _ => roff.text([roman(content)]),
        };
        in_paragraph = indent == 0;
    }
}

/// `after_long_help` that lists `vars` (name, what it does) under `Environment:`, in clap's
/// help layout: shown by `--help`, and the ENVIRONMENT section of the man page.
pub fn environment_help(intro: &str, vars: &[(&str, &str)]) -> String {
    let mut text = String::from("Environment:\n");
    for line in wrap(intro, 78) {
        text.push_str(&format!("{line}\n"));
    }
    for (name, help) in vars {
        text.push_str(&format!("  {name}\n"));
        for line in wrap(help, 68) {
            text.push_str(&format!("          {line}\n"));
        }
    }
    text
}

/// `text` in lines of at most `width` characters (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The files generated from a face's `Command`: its completions under
/// `<packaging>/completions/` and its man pages under `<packaging>/man/`.
pub fn generated_files(cmd: &Command, packaging_dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let completions =
        completion_files(cmd).into_iter().map(|(name, bytes)| (packaging_dir.join("completions").join(name), bytes));
    let man = man_pages(cmd.clone()).into_iter().map(|(name, bytes)| (packaging_dir.join("man").join(name), bytes));
    completions.chain(man).collect()
}

/// The man pages of face `name` found in `man_dir` (`name.1`, `name-*.1`): any of them that
/// is not generated any more is stale.
fn packaged_pages(man_dir: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(man_dir) else { return Vec::new() };
    let prefix = format!("{name}-");
    let mut pages: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.strip_suffix(".1").is_some_and(|stem| stem == name || stem.starts_with(&prefix)))
        })
        .collect();
    pages.sort();
    pages
}

/// For a face's test: the completions and man pages of `cmd` under `packaging_dir` are what
/// the command line generates now, byte for byte, and no page of a removed subcommand is
/// left. Panics with the files that differ and how to regenerate them; with [`REGENERATE`]
/// set, rewrites them instead (and removes stale pages). `name` is the face's binary and
/// package.
pub fn check_current(cmd: Command, name: &str, packaging_dir: &Path) {
    let regenerate = std::env::var(REGENERATE).is_ok_and(|v| !v.is_empty() && v != "0");
    match reconcile(cmd, name, packaging_dir, regenerate) {
        Ok(done) => done.iter().for_each(|line| eprintln!("{line}")),
        Err(message) => panic!("{message}"),
    }
}

/// Compares (or, with `regenerate`, rewrites) the packaged files; what was rewritten, or why
/// they are not current.
fn reconcile(cmd: Command, name: &str, packaging_dir: &Path, regenerate: bool) -> Result<Vec<String>, String> {
    let expected = generated_files(&cmd, packaging_dir);
    let stale: Vec<PathBuf> = packaged_pages(&packaging_dir.join("man"), name)
        .into_iter()
        .filter(|p| !expected.iter().any(|(path, _)| path == p))
        .collect();
    let differing: Vec<&(PathBuf, Vec<u8>)> =
        expected.iter().filter(|(path, bytes)| std::fs::read(path).ok().as_ref() != Some(bytes)).collect();
    // Named from the repository's root, as the operator's `git status` does.
    let root = packaging_dir.parent().unwrap_or(packaging_dir);
    let shown = |path: &Path| path.strip_prefix(root).unwrap_or(path).display().to_string();
    let mut done = Vec::new();
    if regenerate {
        for (path, bytes) in differing {
            let dir = path.parent().unwrap_or(packaging_dir);
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            done.push(format!("regenerated {}", shown(path)));
        }
        for path in stale {
            std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            done.push(format!("removed {} (its command is gone)", shown(&path)));
        }
        return Ok(done);
    }
    if differing.is_empty() && stale.is_empty() {
        return Ok(done);
    }
    let mut message =
        format!("the completions and man pages of {name} under {} are not current:\n", packaging_dir.display());
    for (path, _) in differing {
        let state = if path.exists() { "differs from" } else { "is missing, yet" };
        message.push_str(&format!("  {} {state} what {name}'s command line generates\n", shown(path)));
    }
    for path in stale {
        message.push_str(&format!("  {} is a page of a command {name} no longer has\n", shown(&path)));
    }
    message.push_str(&format!(
        "regenerate them with `{REGENERATE}=1 cargo test -p {name} --test integration generated` and commit the result"
    ));
    Err(message)
}

/// For a face's test: what bash offers to complete the last of `words` (the line typed so far,
/// the face's name first), with the script `<binary> completions bash` prints loaded as an
/// operator loads it (`eval "$(visor completions bash)"`). Needs `bash` on the `PATH`.
pub fn bash_complete(binary: &Path, words: &[&str]) -> Result<Vec<String>, String> {
    const SCRIPT: &str = r#"eval "$("$0" completions bash)" || exit 97
COMP_WORDS=("$@")
COMP_CWORD=$(( $# - 1 ))
"$COMPLETE_FN" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let name = words.first().ok_or("no words to complete: give at least the face's name")?;
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(SCRIPT)
        .arg(binary)
        .args(words)
        .env("COMPLETE_FN", format!("_{}", name.replace('-', "__")))
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    if !out.status.success() {
        return Err(format!("bash failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn sample() -> Command {
        Command::new("sample")
            .version("v1.2.3")
            .about("Runs a sample")
            .arg(Arg::new("home").long("home").help("The home folder"))
            .subcommand(
                Command::new("backup")
                    .about("Backups")
                    .subcommand(Command::new("list").about("Lists them"))
                    .subcommand(Command::new("secret").hide(true)),
            )
            .subcommand(
                Command::new("run")
                    .about("Runs it")
                    .arg(Arg::new("now").long("now").action(ArgAction::SetTrue))
                    .after_long_help(environment_help(
                        &"Read at start. ".repeat(8),
                        &[("SAMPLE_HOME", "Where it lives.")],
                    )),
            )
    }

    fn page_text(pages: &[(String, Vec<u8>)], name: &str) -> String {
        let (_, bytes) = pages.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no page {name}"));
        String::from_utf8(bytes.clone()).unwrap()
    }

    #[test]
    fn a_page_for_the_command_and_every_visible_subcommand_without_help_or_a_date() {
        let pages = man_pages(sample());
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sample.1", "sample-backup.1", "sample-backup-list.1", "sample-run.1"]);
        let top = page_text(&pages, "sample.1");
        assert!(top.contains("\n.TH sample 1 \"\" \"sample v1.2.3\""), "{top}");
        assert_eq!(top.matches(".ds Aq").count(), 2, "the preamble once: {top}");
        assert!(top.contains(".SH VERSION\nv1.2.3"), "{top}");
        assert!(top.contains("\\-\\-home"), "{top}");
        let list = page_text(&pages, "sample-backup-list.1");
        assert!(list.contains("sample backup list"), "{list}");
        assert_eq!(man_pages(sample()), pages, "the same command gives the same bytes");
    }

    #[test]
    fn the_environment_of_a_long_help_becomes_its_own_section() {
        let run = page_text(&man_pages(sample()), "sample-run.1");
        let section = run.split(".SH ENVIRONMENT\n").nth(1).unwrap_or_else(|| panic!("no ENVIRONMENT: {run}"));
        let (intro, entries) = section.split_once(".TP\n").unwrap_or_else(|| panic!("no entry: {section}"));
        assert!(intro.starts_with(".PP\nRead at start.") && intro.lines().count() == 3, "one paragraph: {intro}");
        assert!(entries.starts_with("\\fBSAMPLE_HOME\\fR\nWhere it lives.\n"), "{entries}");
        assert!(!run.contains(".SH EXTRA"), "{run}");
    }

    #[test]
    fn environment_help_wraps_in_clap_layout() {
        let long = "word ".repeat(40);
        let text = environment_help("Intro.", &[("A_VAR", &long)]);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("Environment:"));
        assert_eq!(lines.next(), Some("Intro."));
        assert_eq!(lines.next(), Some("  A_VAR"));
        let rest: Vec<&str> = lines.collect();
        assert!(rest.len() > 2 && rest.iter().all(|l| l.starts_with("          word") && l.len() <= 78), "{rest:?}");
    }

    #[test]
    fn completions_name_the_subcommands_in_every_shell() {
        let files = completion_files(&sample());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["sample.bash", "sample.elv", "sample.fish", "_sample.ps1", "_sample"]);
        for (name, script) in files {
            let script = String::from_utf8(script).unwrap();
            assert!(script.contains("backup") && script.contains("home"), "{name}: {script}");
        }
    }

    #[test]
    fn a_stale_or_missing_file_fails_the_check_and_regeneration_rewrites_it() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let cmd = sample();
        assert_eq!(reconcile(cmd.clone(), "sample", dir, true).unwrap().len(), 9, "every file written");
        assert_eq!(reconcile(cmd.clone(), "sample", dir, false), Ok(Vec::new()));
        check_current(cmd.clone(), "sample", dir);

        std::fs::write(dir.join("man/sample-gone.1"), "old").unwrap();
        std::fs::write(dir.join("man/samplex.1"), "another face's").unwrap();
        std::fs::write(dir.join("man/sample-run.1"), "edited by hand").unwrap();
        std::fs::remove_file(dir.join("completions/_sample")).unwrap();
        let message = reconcile(cmd.clone(), "sample", dir, false).unwrap_err();
        assert!(message.contains("_sample is missing, yet what sample's command line generates"), "{message}");
        assert!(message.contains("sample-run.1 differs from"), "{message}");
        assert!(message.contains("sample-gone.1 is a page of a command sample no longer has"), "{message}");
        assert!(!message.contains("samplex.1"), "{message}");
        assert!(message.contains("VISOR_REGENERATE=1 cargo test -p sample --test integration generated"), "{message}");

        let done = reconcile(cmd.clone(), "sample", dir, true).unwrap();
        assert_eq!(done.len(), 3, "{done:?}");
        assert_eq!(reconcile(cmd, "sample", dir, false), Ok(Vec::new()));
        assert!(!dir.join("man/sample-gone.1").exists());
        assert!(dir.join("man/samplex.1").exists(), "another face's page is not touched");
    }
}
