//! `BENCHMARKS.md`: the machine, the command, the targets and one section per measurement.

use std::fmt::Write as _;

/// A Markdown table.
#[derive(Debug, Default)]
pub(crate) struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(headers: &[&str]) -> Self {
        Self { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    /// Adds a row; missing cells are left empty and extra cells are dropped.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    fn markdown(&self) -> String {
        let cell = |c: &str| c.replace('|', "\\|").replace('\n', " ");
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", self.headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
        // Numbers align right, words left.
        let numeric = |i: usize| {
            self.rows
                .iter()
                .map(|r| r[i].trim())
                .filter(|c| !c.is_empty())
                .all(|c| c.starts_with(|ch: char| ch.is_ascii_digit() || ch == '-' || ch == '–'))
        };
        let rule: String =
            (0..self.headers.len()).map(|i| if i > 0 && numeric(i) { "---:|" } else { "---|" }).collect();
        let _ = writeln!(out, "|{rule}");
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
        }
        out
    }
}

/// One piece of a section.
#[derive(Debug)]
pub(crate) enum Block {
    Text(String),
    Table(Table),
    /// An SVG under `bench/plots/` (the file name) and what it shows.
    Plot {
        file: String,
        alt: String,
    },
}

/// The section of one measurement.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) blocks: Vec<Block>,
}

impl Section {
    pub(crate) fn new(title: &str) -> Self {
        Self { title: title.to_owned(), blocks: Vec::new() }
    }

    pub(crate) fn text(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Text(text.into()));
    }

    pub(crate) fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }

    pub(crate) fn plot(&mut self, file: &str, alt: &str) {
        self.blocks.push(Block::Plot { file: file.to_owned(), alt: alt.to_owned() });
    }
}

/// Whether a target of the issue is met by this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Met,
    NotMet,
    NotMeasured,
}

/// A target of the issue and what this run measured for it.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) what: String,
    pub(crate) target: String,
    pub(crate) verdict: Verdict,
    /// The figure the verdict rests on (or why there is none).
    pub(crate) measured: String,
}

impl Target {
    pub(crate) fn new(what: &str, target: &str, verdict: Verdict, measured: impl Into<String>) -> Self {
        Self { what: what.to_owned(), target: target.to_owned(), verdict, measured: measured.into() }
    }

    /// A target whose figure is `value` against a bound: met when `ok(value)`.
    pub(crate) fn bound(what: &str, target: &str, value: Option<f64>, ok: impl Fn(f64) -> bool, shown: String) -> Self {
        let verdict = match value {
            Some(v) if ok(v) => Verdict::Met,
            Some(_) => Verdict::NotMet,
            None => Verdict::NotMeasured,
        };
        Self::new(what, target, verdict, shown)
    }

    fn cell(&self) -> String {
        match self.verdict {
            Verdict::Met => format!("met (measured {})", self.measured),
            Verdict::NotMet => format!("**not met** (measured {})", self.measured),
            Verdict::NotMeasured => format!("not measured ({})", self.measured),
        }
    }
}

/// Everything `BENCHMARKS.md` says.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// The machine's facts, in order.
    pub(crate) facts: Vec<(String, String)>,
    /// The command that reproduces this file.
    pub(crate) command: String,
    pub(crate) targets: Vec<Target>,
    pub(crate) sections: Vec<Section>,
    /// What the run could not do (a tool it could not install, a peer not given).
    pub(crate) notes: Vec<String>,
}

impl Report {
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# Benchmarks\n\n");
        out.push_str(
            "Written by the benchmark harness (`crates/bench`); do not edit by hand. Every figure is the \
             median of repeated runs with its spread (min–max below 10 runs, p10–p90 from 10), through the \
             release binaries, with `testnode` as the node. Every comparison is a ratio of runs of the same \
             round: the compared tools run in turn, round after round, in the same run.\n\n",
        );
        let _ = writeln!(out, "Reproduce with:\n\n```sh\n{}\n```\n", self.command);
        out.push_str("## Machine\n\n");
        for (k, v) in &self.facts {
            let _ = writeln!(out, "- {k}: {v}");
        }
        out.push('\n');
        if !self.notes.is_empty() {
            out.push_str("Not measured in this run:\n\n");
            for n in &self.notes {
                let _ = writeln!(out, "- {n}");
            }
            out.push('\n');
        }
        out.push_str("## Targets (issue 12, DESIGN §6)\n\n");
        let mut targets = Table::new(&["what", "target", "this run"]);
        for t in &self.targets {
            targets.row(vec![t.what.clone(), t.target.clone(), t.cell()]);
        }
        out.push_str(&targets.markdown());
        for (i, section) in self.sections.iter().enumerate() {
            while out.ends_with("\n\n") {
                out.pop();
            }
            let _ = writeln!(out, "\n## {}. {}\n", i + 1, section.title);
            for block in &section.blocks {
                match block {
                    Block::Text(t) => {
                        out.push_str(t.trim_end());
                        out.push_str("\n\n");
                    }
                    Block::Table(t) => {
                        out.push_str(&t.markdown());
                        out.push('\n');
                    }
                    Block::Plot { file, alt } => {
                        let _ = writeln!(out, "![{alt}](bench/plots/{file})\n");
                    }
                }
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_escapes_pipes_pads_short_rows_and_aligns_numbers_right() {
        let mut t = Table::new(&["tool", "median", "spread"]);
        t.row(vec!["`a | b`".into(), "1 ms".into()]);
        let md = t.markdown();
        assert_eq!(md, "| tool | median | spread |\n|---|---:|---:|\n| `a \\| b` | 1 ms |  |\n");
        let mut words = Table::new(&["what", "verdict"]);
        words.row(vec!["switch".into(), "met (measured 3 ms)".into()]);
        assert!(words.markdown().contains("\n|---|---|\n"), "words align left");
    }

    #[test]
    fn the_report_has_the_command_the_machine_the_verdicts_and_numbered_sections() {
        let mut section = Section::new("crash → respawn");
        section.text("Killed with SIGKILL.");
        let mut t = Table::new(&["tool", "median"]);
        t.row(vec!["runsv".into(), "1.00 ms".into()]);
        section.table(t);
        section.plot("respawn.svg", "respawn latency");
        let report = Report {
            facts: vec![("cores".into(), "2".into())],
            command: "bench/run".into(),
            targets: vec![
                Target::bound("switch", "≤ 5 ms", Some(3.0), |v| v <= 5.0, "3.00 ms".into()),
                Target::bound("cosmos", "≤ 50 ms", Some(80.0), |v| v <= 50.0, "80.0 ms".into()),
                Target::bound("nym", "≤ half", None, |_| true, "no peer given".into()),
            ],
            sections: vec![section],
            notes: vec!["runit: not installed".into()],
        };
        let md = report.render();
        assert!(md.starts_with("# Benchmarks\n"));
        assert!(md.contains("```sh\nbench/run\n```"));
        assert!(md.contains("- cores: 2\n"));
        assert!(md.contains("- runit: not installed\n"));
        assert!(md.contains("| switch | ≤ 5 ms | met (measured 3.00 ms) |"));
        assert!(md.contains("| cosmos | ≤ 50 ms | **not met** (measured 80.0 ms) |"));
        assert!(md.contains("| nym | ≤ half | not measured (no peer given) |"));
        assert!(md.contains("\n## 1. crash → respawn\n\nKilled with SIGKILL.\n\n| tool | median |"));
        assert!(md.contains("![respawn latency](bench/plots/respawn.svg)"));
        assert!(md.ends_with(")\n"), "one newline at the end");
        assert!(!md.contains("\n\n\n"), "no double blank lines");
    }
}
