//! The one way every figure is summarised: the median of repeated runs and its spread.

/// A summary of repeated measurements of one quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Summary {
    pub(crate) n: usize,
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    /// The 10th and 90th percentiles (linear interpolation between the closest ranks).
    pub(crate) p10: f64,
    pub(crate) p90: f64,
}

impl Summary {
    /// The summary of `values`, ignoring values that are not numbers; `None` when none is left.
    pub(crate) fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(Self {
            n: v.len(),
            median: percentile(&v, 0.5),
            min: v[0],
            max: v[v.len() - 1],
            p10: percentile(&v, 0.1),
            p90: percentile(&v, 0.9),
        })
    }

    /// The spread as it is printed: min–max for up to 10 values (percentiles of fewer say
    /// nothing more), else p10–p90.
    pub(crate) fn spread(&self, fmt: impl Fn(f64) -> String) -> String {
        match self.n {
            1 => "1 run".to_owned(),
            n if n < 10 => format!("{}–{} (min–max)", fmt(self.min), fmt(self.max)),
            _ => format!("{}–{} (p10–p90)", fmt(self.p10), fmt(self.p90)),
        }
    }

    /// The low and high ends of the printed spread (for error bars).
    pub(crate) fn range(&self) -> (f64, f64) {
        if self.n < 10 { (self.min, self.max) } else { (self.p10, self.p90) }
    }
}

/// The `q` quantile of sorted `v` (not empty), interpolating between the closest ranks.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// Ratios of paired runs (`ours[i] / theirs[i]`, runs of the same round), summarised: a
/// comparison taken from the same moments of a noisy machine.
pub(crate) fn paired_ratio(ours: &[f64], theirs: &[f64]) -> Option<Summary> {
    let ratios: Vec<f64> = ours.iter().zip(theirs).filter(|(_, t)| **t != 0.0).map(|(o, t)| o / t).collect();
    Summary::of(&ratios)
}

/// A duration in milliseconds, with the precision it deserves.
pub(crate) fn ms(value: f64) -> String {
    let a = value.abs();
    if a >= 100.0 {
        format!("{value:.0} ms")
    } else if a >= 10.0 {
        format!("{value:.1} ms")
    } else {
        format!("{value:.2} ms")
    }
}

/// A plain number with up to three significant figures (for throughputs and counts).
pub(crate) fn num(value: f64) -> String {
    let a = value.abs();
    if a >= 100.0 || a == 0.0 {
        format!("{value:.0}")
    } else if a >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// A ratio as `1.23×`.
pub(crate) fn times(value: f64) -> String {
    format!("{}×", num(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_odd_and_an_even_count_and_the_spread_of_few_runs_is_min_max() {
        let s = Summary::of(&[5.0, 1.0, 3.0]).unwrap();
        assert_eq!((s.n, s.median, s.min, s.max), (3, 3.0, 1.0, 5.0));
        assert_eq!(s.spread(|v| format!("{v}")), "1–5 (min–max)");
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert_eq!(Summary::of(&[7.0]).unwrap().spread(ms), "1 run");
    }

    #[test]
    fn ten_runs_or_more_are_spread_by_p10_p90_and_non_numbers_are_left_out() {
        let values: Vec<f64> = (1..=11).map(f64::from).chain([f64::NAN, f64::INFINITY]).collect();
        let s = Summary::of(&values).unwrap();
        assert_eq!(s.n, 11);
        assert_eq!(s.median, 6.0);
        assert!((s.p10 - 2.0).abs() < 1e-9 && (s.p90 - 10.0).abs() < 1e-9, "{s:?}");
        assert_eq!(s.range(), (s.p10, s.p90));
        assert_eq!(s.spread(num), "2.00–10.0 (p10–p90)");
        assert_eq!(Summary::of(&[f64::NAN]), None);
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn ratios_pair_runs_of_the_same_round_and_skip_a_zero() {
        let r = paired_ratio(&[2.0, 3.0, 8.0], &[1.0, 3.0, 0.0]).unwrap();
        assert_eq!((r.n, r.median, r.min, r.max), (2, 1.5, 1.0, 2.0));
        assert_eq!(paired_ratio(&[1.0], &[]), None);
    }

    #[test]
    fn numbers_are_printed_with_their_precision() {
        assert_eq!(ms(0.123), "0.12 ms");
        assert_eq!(ms(12.34), "12.3 ms");
        assert_eq!(ms(612.4), "612 ms");
        assert_eq!(times(0.8123), "0.81×");
        assert_eq!(num(1234.5), "1234");
    }
}
