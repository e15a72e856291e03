//! The machine's facts, written at the top of `BENCHMARKS.md`.

use std::path::Path;

use crate::sys::{first_line, read_bounded};

fn read_text(path: &str) -> String {
    read_bounded(Path::new(path), 1 << 20).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// The mount holding `path`: (device, type, options).
fn mount_of(path: &Path) -> (String, String, String) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    read_text("/proc/self/mounts")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && path.starts_with(f[1].replace("\\040", " ")))
                .then(|| (f[1].len(), f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| ("?".into(), "?".into(), String::new()), |(_, f)| (f[0].clone(), f[2].clone(), f[3].clone()))
}

fn load() -> String {
    read_text("/proc/loadavg").split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The facts known before the run.
pub(crate) fn facts(repo: &Path, tools: &[(String, String)]) -> Vec<(String, String)> {
    let cpuinfo = read_text("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = read_text("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok()))
        .map_or_else(|| "?".into(), |kib| format!("{:.1} GiB", kib as f64 / (1 << 20) as f64));
    let tmp = std::env::temp_dir();
    let (dev, fstype, opts) = mount_of(&tmp);
    let git = |args: &[&str]| {
        std::process::Command::new("git").arg("-C").arg(repo).args(args).output().ok().filter(|o| o.status.success())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|o| !o.stdout.is_empty());
    let mut facts = vec![
        ("date".to_owned(), jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC").to_string()),
        (
            "commit".to_owned(),
            match commit {
                Some(c) if dirty => format!("{c} with uncommitted changes"),
                Some(c) => c,
                None => "? (not a git checkout)".into(),
            },
        ),
        ("cores".to_owned(), format!("{cores} ({cpu})")),
        ("memory".to_owned(), memory),
        ("kernel".to_owned(), read_text("/proc/sys/kernel/osrelease").trim().to_owned()),
        ("temp dir".to_owned(), format!("{} on {fstype} ({dev}, {opts})", tmp.display())),
        ("load average at the start".to_owned(), load()),
        (
            "build".to_owned(),
            if cfg!(debug_assertions) {
                "the harness is a DEBUG build (the visors it runs are the release binaries)".into()
            } else {
                "release binaries (`cargo build --release`)".into()
            },
        ),
    ];
    for (k, v) in tools {
        facts.push((k.clone(), v.clone()));
    }
    facts
}

/// The load average now (added at the end of the run).
pub(crate) fn load_now() -> String {
    load()
}

/// A tool's version line, or that it is missing.
pub(crate) fn version(path: Option<&Path>, args: &[&str]) -> String {
    match path {
        Some(p) => {
            first_line(&p.display().to_string(), args).unwrap_or_else(|| format!("{} (no version)", p.display()))
        }
        None => "not installed".into(),
    }
}
