//! Measures the backup strategies (`snapshot`, `copy`, `tar.zst`, `tar.gz`) against `cp -a`,
//! `tar czf` and `tar --zstd` on the same two folders, in one run. A measurement, not a test:
//!
//! ```sh
//! cargo build --release -p testnode --bin visor-backup-bench
//! target/release/visor-backup-bench [--size-mib 1024] [--repeat 3] [--dir PATH] [--xfs] [--markdown]
//! ```
//!
//! Two folders are made once per filesystem: *many small files* (the size in files of
//! 4–64 KiB over nested folders, like a chain's key-value store) and *few large files* (the
//! size in 4 files, one of them sparse). Half of the data is text-like (it compresses), half
//! random (it does not). Each method runs `--repeat` times, its output removed between runs;
//! as root the page cache is dropped before every run, so each reads its source from disk.
//! `take` fsyncs what it writes, so every baseline is timed up to a `syncfs` of its output.
//! After a strategy's last run, its backup is sealed (read back and hashed) and restored over
//! the folder, each timed once. With `--xfs` (root only) everything runs again on an XFS made
//! in a loop-mounted image under `--dir`, where `snapshot` clones files instead of copying; the
//! compressing methods, whose time is the CPU's, run once there unless `--full-xfs`.

use std::fmt::Write as _;
use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use testnode::backup_methods::{Method, run_cmd, syncfs};
use testnode::datagen::{self, Rng};
use visor_core::backup::{self, Progress, Strategy};

const MIB: u64 = 1 << 20;

/// Set by SIGINT/SIGTERM: the run stops at the next step (a backup in progress is cancelled),
/// and what it made is removed and unmounted.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

type Res<T> = Result<T, String>;

struct Args {
    size_mib: u64,
    repeat: usize,
    dir: Option<PathBuf>,
    xfs: bool,
    /// Repeat the CPU-bound methods on XFS too (by default they run once there).
    full_xfs: bool,
    markdown: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: visor-backup-bench [--size-mib N (1024)] [--repeat R (3)] [--dir PATH] [--xfs [--full-xfs]] [--markdown]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args { size_mib: 1024, repeat: 3, dir: None, xfs: false, full_xfs: false, markdown: false };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--size-mib" => {
                args.size_mib = it.next().and_then(|v| v.parse().ok()).filter(|&n| n >= 4).unwrap_or_else(|| usage())
            }
            "--repeat" => {
                args.repeat = it.next().and_then(|v| v.parse().ok()).filter(|&n| n >= 1).unwrap_or_else(|| usage())
            }
            "--dir" => args.dir = Some(it.next().map(PathBuf::from).unwrap_or_else(|| usage())),
            "--xfs" => args.xfs = true,
            "--full-xfs" => args.full_xfs = true,
            "--markdown" => args.markdown = true,
            _ => usage(),
        }
    }
    args
}

/// Makes both folders under `root`; returns each with its number of files.
fn make_trees(root: &Path, size: u64) -> Res<[(PathBuf, usize); 2]> {
    let started = Instant::now();
    let small = root.join("small").join("data");
    let large = root.join("large").join("data");
    // Many small files: 4–64 KiB each, 16 × 16 folders, like a chain store's shards.
    let small_files =
        datagen::many_files(&small, datagen::Shape { total: size, min: 4096, max: 64 * 1024, seed: 0x5EED_0001 })?;
    // Few large files: 4 of a quarter each, 1 MiB text and 1 MiB random in turn; the last one
    // has a hole of a sixteenth of the size in its middle (not counted as data).
    fs::create_dir_all(large.join("blocks")).map_err(|e| e.to_string())?;
    let quarter = size / 4;
    let lens = [quarter, quarter, quarter, size - 3 * quarter];
    std::thread::scope(|s| {
        let handles: Vec<_> = lens
            .iter()
            .enumerate()
            .map(|(i, &len)| {
                let path = large.join(format!("blocks/{i:03}.dat"));
                s.spawn(move || -> Res<()> {
                    let mut file = fs::File::create(&path).map_err(|e| e.to_string())?;
                    let mut rng = Rng(0xB10C_0000 + i as u64);
                    let mut buf = Vec::with_capacity(MIB as usize);
                    let mut written = 0;
                    let mut chunk = 0;
                    while written < len {
                        if i == 3 && written >= len / 2 && written - len / 2 < MIB {
                            file.seek(SeekFrom::Current((size / 16).max(MIB) as i64)).map_err(|e| e.to_string())?;
                        }
                        let n = (len - written).min(MIB) as usize;
                        buf.clear();
                        if chunk % 2 == 0 {
                            rng.text(&mut buf, n)
                        } else {
                            rng.random(&mut buf, n)
                        }
                        file.write_all(&buf).map_err(|e| e.to_string())?;
                        written += n as u64;
                        chunk += 1;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().map_err(|_| "a generator thread panicked".to_owned())?)
    })?;
    let syncing = fs::File::open(root).map_err(|e| e.to_string())?;
    nix::unistd::syncfs(syncing.as_fd()).map_err(|e| e.to_string())?;
    eprintln!(
        "made {} files ({} MiB) and 4 files ({} MiB) in {:.1} s",
        small_files,
        size / MIB,
        size / MIB,
        started.elapsed().as_secs_f64()
    );
    Ok([(small, small_files), (large, 4)])
}

// ---------------------------------------------------------------------------------------------
// Facts and helpers.

fn read_trimmed(path: &str) -> String {
    fs::read_to_string(path).map(|s| s.trim().to_owned()).unwrap_or_else(|_| "?".into())
}

fn first_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").trim().to_owned())
}

/// The mount holding `path`: (device, type, options).
fn mount_of(path: &Path) -> (String, String, String) {
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && path.starts_with(f[1].replace("\\040", " "))).then(|| (f[1].len(), f))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(
            || ("?".into(), "?".into(), String::new()),
            |(_, f)| (f[0].to_owned(), f[2].to_owned(), f[3].to_owned()),
        )
}

fn free_bytes(path: &Path) -> u64 {
    nix::sys::statvfs::statvfs(path).map_or(0, |s| s.blocks_available() * s.fragment_size())
}

/// Bytes allocated to a file or a tree (like `du`).
fn allocated(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else { return 0 };
    let mut total = meta.blocks() * 512;
    if meta.is_dir()
        && let Ok(entries) = fs::read_dir(path)
    {
        total += entries.flatten().map(|e| allocated(&e.path())).sum::<u64>();
    }
    total
}

/// Drops the page cache (root only); whether it could.
fn drop_caches() -> bool {
    nix::unistd::sync();
    fs::write("/proc/sys/vm/drop_caches", b"3\n").is_ok()
}

fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

fn threads() -> usize {
    // As `visor_core::backup` chooses: every core, at most 8.
    std::thread::available_parallelism().map_or(2, usize::from).clamp(1, 8)
}

fn stopped() -> Res<()> {
    if STOP.load(Ordering::Relaxed) { Err("interrupted".into()) } else { Ok(()) }
}

// ---------------------------------------------------------------------------------------------
// Methods.

/// One measured method on one folder.
struct Row {
    method: Method,
    /// What it did, when not what was asked (a snapshot that had to copy).
    wrote: String,
    times: Vec<Duration>,
    on_disk: u64,
    seal: Option<Duration>,
    restore: Option<Duration>,
    skipped: Option<String>,
}

/// Where one filesystem's run works.
struct Place {
    /// `ext4`, `xfs (loop)`…
    name: String,
    root: PathBuf,
    /// The filesystem holds nothing else: space used is measured by its free space, which
    /// counts shared (cloned) blocks once.
    isolated: bool,
}

/// Runs `method` once on `source`; returns its time, the bytes its output takes, what it wrote,
/// and the backup (of a strategy).
fn run_once(place: &Place, source: &Path, method: Method, cold: bool) -> Res<(Duration, u64, String, PathBuf)> {
    let out_dir = place.root.join("out");
    remove(&out_dir);
    fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    syncfs(&place.root);
    if cold {
        drop_caches();
    }
    let free_before = free_bytes(&place.root);
    let ran = method
        .run(source, &out_dir, &STOP)
        .map_err(|e| if STOP.load(Ordering::Relaxed) { "interrupted".to_owned() } else { e })?;
    let (took, output, wrote) = (ran.took, ran.output, ran.wrote);
    let is_file = fs::symlink_metadata(&output).is_ok_and(|m| m.is_file());
    let on_disk = if is_file {
        fs::metadata(&output).map_or(0, |m| m.len())
    } else if place.isolated {
        syncfs(&place.root);
        free_before.saturating_sub(free_bytes(&place.root))
    } else {
        allocated(&output)
    };
    Ok((took, on_disk, wrote, output))
}

fn measure(place: &Place, tree: &str, source: &Path, method: Method, repeat: usize, cold: bool) -> Res<Row> {
    let mut row =
        Row { method, wrote: String::new(), times: vec![], on_disk: 0, seal: None, restore: None, skipped: None };
    if let Some(why) = method.missing() {
        eprintln!("[{} {tree}] {}: skipped, {why}", place.name, method.label());
        row.skipped = Some(why);
        return Ok(row);
    }
    let out_dir = place.root.join("out");
    for r in 1..=repeat {
        stopped()?;
        let (took, on_disk, wrote, backup) = run_once(place, source, method, cold)?;
        eprintln!(
            "[{} {tree}] {} {r}/{repeat}: {:.2} s{}",
            place.name,
            method.label(),
            took.as_secs_f64(),
            if wrote.is_empty() { String::new() } else { format!(" (wrote {wrote})") }
        );
        row.times.push(took);
        row.on_disk = row.on_disk.max(on_disk);
        row.wrote = wrote;
        if r == repeat
            && let Method::Take(_) = method
        {
            stopped()?;
            if cold {
                drop_caches();
            }
            let started = Instant::now();
            backup::seal(&backup, threads(), &STOP).map_err(|e| format!("seal: {e}"))?;
            row.seal = Some(started.elapsed());
            stopped()?;
            let journal = place.root.join("restore-journal.json");
            if cold {
                drop_caches();
            }
            let started = Instant::now();
            let sources = backup::manifest::read_header(&backup::manifest::manifest_path(&backup))
                .map(|m| m.sources.into_iter().map(|s| s.path).collect::<Vec<_>>())
                .unwrap_or_default();
            backup::restore(&backup, &sources, &journal, &STOP, &Progress::default())
                .map_err(|e| format!("restore: {e}"))?;
            row.restore = Some(started.elapsed());
            backup::restore::release_kept(&journal);
            eprintln!(
                "[{} {tree}] {}: seal {:.2} s, restore {:.2} s",
                place.name,
                method.label(),
                row.seal.unwrap_or_default().as_secs_f64(),
                row.restore.unwrap_or_default().as_secs_f64()
            );
        }
        remove(&out_dir);
    }
    Ok(row)
}

// ---------------------------------------------------------------------------------------------
// Tables.

fn median(times: &[Duration]) -> f64 {
    let mut t: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    t.sort_by(f64::total_cmp);
    let n = t.len();
    if n % 2 == 1 { t[n / 2] } else { (t[n / 2 - 1] + t[n / 2]) / 2.0 }
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= MIB {
        format!("{:.0} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}

fn table(rows: &[Row], data: u64, markdown: bool) -> String {
    let mib = data as f64 / MIB as f64;
    let czf = rows.iter().find(|r| r.method == Method::TarCzf && r.skipped.is_none()).map(|r| mib / median(&r.times));
    let header =
        ["method", "MiB/s (median)", "min–max MiB/s", "time (median)", "on disk", "× tar czf", "seal", "restore"];
    let mut lines: Vec<Vec<String>> = Vec::new();
    for r in rows {
        let mut label = r.method.label();
        if let Method::Take(s) = r.method
            && !r.wrote.is_empty()
            && r.wrote != s.name()
        {
            let _ = write!(label, " → wrote `{}` (no reflink)", r.wrote);
        }
        if let Some(why) = &r.skipped {
            lines.push(vec![
                label,
                format!("skipped: {why}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            continue;
        }
        let med = median(&r.times);
        let speeds: Vec<f64> = r.times.iter().map(|t| mib / t.as_secs_f64()).collect();
        let lo = speeds.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = speeds.iter().copied().fold(0.0, f64::max);
        let secs = |d: Option<Duration>| d.map_or_else(|| "–".to_owned(), |d| format!("{:.1} s", d.as_secs_f64()));
        lines.push(vec![
            label,
            format!("{:.0}", mib / med),
            if speeds.len() > 1 { format!("{lo:.0}–{hi:.0}") } else { "1 run".into() },
            if med < 0.1 { format!("{med:.3} s") } else { format!("{med:.2} s") },
            human(r.on_disk),
            czf.map_or_else(
                || "–".into(),
                |c| {
                    let x = mib / med / c;
                    if x >= 100.0 { format!("{x:.0}×") } else { format!("{x:.2}×") }
                },
            ),
            secs(r.seal),
            secs(r.restore),
        ]);
    }
    let mut out = String::new();
    if markdown {
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(header.len() - 1));
        for l in &lines {
            let _ = writeln!(out, "| {} |", l.join(" | "));
        }
    } else {
        let width =
            |i: usize| lines.iter().map(|l| l[i].chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0);
        let widths: Vec<usize> = (0..header.len()).map(width).collect();
        let row = |cells: Vec<String>| {
            cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ")
        };
        let _ = writeln!(out, "{}", row(header.iter().map(|h| (*h).to_owned()).collect()));
        for l in lines {
            let _ = writeln!(out, "{}", row(l));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// XFS.

/// An XFS in a loop-mounted image; unmounted and removed when dropped.
struct Xfs {
    image: PathBuf,
    mount: PathBuf,
}

impl Xfs {
    fn make(dir: &Path, bytes: u64) -> Res<Self> {
        if !nix::unistd::geteuid().is_root() {
            return Err("not root (loop mounts need it)".into());
        }
        let image = dir.join("xfs.img");
        let mount = dir.join("xfs");
        fs::File::create(&image).and_then(|f| f.set_len(bytes)).map_err(|e| format!("image: {e}"))?;
        if let Err(e) = run_cmd(Command::new("mkfs.xfs").args(["-q", "-f", "-m", "reflink=1"]).arg(&image)) {
            let _ = fs::remove_file(&image);
            return Err(format!("mkfs.xfs: {e}"));
        }
        fs::create_dir_all(&mount).map_err(|e| e.to_string())?;
        if let Err(e) = run_cmd(Command::new("mount").args(["-o", "loop"]).arg(&image).arg(&mount)) {
            let _ = fs::remove_file(&image);
            let _ = fs::remove_dir(&mount);
            return Err(format!("mount: {e}"));
        }
        Ok(Self { image, mount })
    }
}

impl Drop for Xfs {
    fn drop(&mut self) {
        for attempt in 0..5 {
            let ok = Command::new("umount").arg(&self.mount).status().is_ok_and(|s| s.success());
            if ok {
                let _ = fs::remove_dir(&self.mount);
                let _ = fs::remove_file(&self.image);
                eprintln!("unmounted and removed the XFS image");
                return;
            }
            std::thread::sleep(Duration::from_millis(500 * (attempt + 1)));
        }
        eprintln!("could not unmount {}: run `umount {0}` and remove {}", self.mount.display(), self.image.display());
    }
}

// ---------------------------------------------------------------------------------------------

const METHODS: [Method; 7] = [
    Method::CpA,
    Method::TarCzf,
    Method::TarZstd,
    Method::Take(Strategy::Snapshot),
    Method::Take(Strategy::Copy),
    Method::Take(Strategy::TarZst),
    Method::Take(Strategy::TarGz),
];

/// Makes the folders on `place` and measures every method on each; one table per folder.
fn run_place(place: &Place, args: &Args, cold: bool) -> Res<String> {
    let size = args.size_mib * MIB;
    let trees = make_trees(&place.root, size)?;
    let mut out = String::new();
    for ((source, files), name) in trees.iter().zip(["many small files", "few large files"]) {
        let short = if name.starts_with("many") { "small" } else { "large" };
        let mut rows = Vec::new();
        for method in METHODS {
            let repeat = if place.isolated && method.cpu_bound() && !args.full_xfs { 1 } else { args.repeat };
            rows.push(measure(place, short, source, method, repeat, cold)?);
        }
        let _ = writeln!(
            out,
            "\n{} {} — {}: {} MiB in {} files{}\n",
            if args.markdown { "####" } else { "==" },
            place.name,
            name,
            args.size_mib,
            files,
            if short == "large" { " (one sparse, its hole not counted)" } else { " of 4–64 KiB in 256 folders" },
        );
        out.push_str(&table(&rows, size, args.markdown));
        remove(source.parent().unwrap_or(source));
    }
    Ok(out)
}

fn main() {
    let args = parse_args();
    let begun = Instant::now();
    for sig in [nix::sys::signal::Signal::SIGINT, nix::sys::signal::Signal::SIGTERM] {
        let action = nix::sys::signal::SigAction::new(
            nix::sys::signal::SigHandler::Handler(on_signal),
            nix::sys::signal::SaFlags::empty(),
            nix::sys::signal::SigSet::empty(),
        );
        // SAFETY: the handler only stores to an atomic.
        unsafe { nix::sys::signal::sigaction(sig, &action) }.expect("signal handler");
    }
    let base = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::var_os("TMPDIR").map_or_else(|| PathBuf::from("/var/tmp"), PathBuf::from));
    let work = match tempfile::Builder::new().prefix("visor-backup-bench-").tempdir_in(&base) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("cannot make a folder in {}: {e}", base.display());
            std::process::exit(1)
        }
    };
    let size = args.size_mib * MIB;
    // Both folders, the largest backup, and a restore's rebuilt folder beside its source.
    let need = size * 5;
    let free = free_bytes(work.path());
    if free < need {
        eprintln!("{} has {} free; this run needs about {}", base.display(), human(free), human(need));
        std::process::exit(1)
    }
    let cold = nix::unistd::geteuid().is_root() && drop_caches();
    let (dev, fstype, opts) = mount_of(work.path());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        .unwrap_or_else(|| "?".into());
    let mem = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok()))
        .map_or_else(|| "?".into(), |kib| human(kib * 1024));
    let tool = |t: &str| {
        first_line(t, &["--version"])
            .map_or_else(|| format!("{t} not found"), |v| v.trim_matches('*').trim().to_owned())
    };
    let mut facts = String::new();
    let bullet = if args.markdown { "- " } else { "  " };
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(facts, "{bullet}{k}: {v}");
    };
    fact("date", jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC").to_string());
    fact("kernel", read_trimmed("/proc/sys/kernel/osrelease"));
    fact("cpu", format!("{cpu}, nproc {}", std::thread::available_parallelism().map_or(0, usize::from)));
    fact("memory", mem);
    fact("--dir", format!("{} on {fstype} ({dev}, {opts})", base.display()));
    fact("backup threads", threads().to_string());
    fact(
        "page cache",
        if cold {
            "dropped before every run (`sync; echo 3 > /proc/sys/vm/drop_caches`)".into()
        } else {
            "NOT dropped (not root): sources may be read from memory".into()
        },
    );
    fact("tools", format!("{}; {}; {}; {}", tool("cp"), tool("tar"), tool("gzip"), tool("zstd")));
    fact(
        "build",
        if cfg!(debug_assertions) {
            "DEBUG (numbers are meaningless: build with --release)".into()
        } else {
            "release".into()
        },
    );
    fact("size, repeats", format!("{} MiB per folder, {} runs per method", args.size_mib, args.repeat));
    let mut report = String::new();
    let mut passes = Vec::new();
    let ext = Place { name: fstype.clone(), root: work.path().join(&fstype), isolated: false };
    let result = fs::create_dir_all(&ext.root).map_err(|e| e.to_string()).and_then(|()| run_place(&ext, &args, cold));
    remove(&ext.root);
    passes.push(format!("{fstype} pass {:.1} min", begun.elapsed().as_secs_f64() / 60.0));
    let mut failed = false;
    match result {
        Ok(t) => report.push_str(&t),
        Err(e) => {
            eprintln!("the {fstype} run failed: {e}");
            failed = true;
        }
    }
    let mut xfs_note = None;
    if args.xfs && !failed {
        // Both folders with the hole, a backup, a restore beside its source, and room to spare.
        match Xfs::make(work.path(), size * 6 + (1 << 30)) {
            Ok(xfs) => {
                xfs_note = Some(format!(
                    "a {} XFS (`mkfs.xfs -m reflink=1`) in a sparse image file in --dir, loop-mounted; {}",
                    human(size * 6 + (1 << 30)),
                    if args.full_xfs {
                        "every method repeated as on ext4"
                    } else {
                        "the compressing methods (CPU-bound, as on ext4) run once there (`--full-xfs` repeats them)"
                    }
                ));
                let place = Place { name: "xfs (loop, reflink=1)".into(), root: xfs.mount.clone(), isolated: true };
                let started = Instant::now();
                let result = run_place(&place, &args, cold);
                passes.push(format!("XFS pass {:.1} min", started.elapsed().as_secs_f64() / 60.0));
                match result {
                    Ok(t) => report.push_str(&t),
                    Err(e) => {
                        eprintln!("the XFS run failed: {e}");
                        failed = true;
                    }
                }
                drop(xfs);
            }
            Err(e) => {
                eprintln!("XFS skipped: {e}");
                xfs_note = Some(format!("XFS skipped: {e}"));
            }
        }
    }
    let took = begun.elapsed();
    fact(
        "runtime",
        format!(
            "{:.1} min in all ({}), making the folders, every run, seals and restores",
            took.as_secs_f64() / 60.0,
            passes.join(", ")
        ),
    );
    if let Some(n) = xfs_note {
        fact("XFS", n);
    }
    println!("{}", if args.markdown { "### Machine" } else { "== machine" });
    println!();
    print!("{facts}");
    println!("{report}");
    if failed {
        std::process::exit(1)
    }
}
