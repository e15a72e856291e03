//! Go's duration syntax, as Cosmovisor's variables and files use it: `300ms`, `1.5h`, `1m30s`.

use std::time::Duration;

/// A Go duration: a sequence of decimal numbers with units (`300ms`, `1.5h`, `2h45m`, `10us`);
/// `0` alone is zero.
pub(crate) fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let bad = |why: &str| format!("{text:?} is not a duration ({why}; write e.g. 300ms, 10s, 1m30s)");
    let s = text.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(bad("empty"));
    }
    if s.starts_with('-') {
        return Err(bad("negative"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits =
            rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(|| bad("a number has no unit"))?;
        let (number, after) = rest.split_at(digits);
        if number.is_empty() || number == "." {
            return Err(bad("a unit has no number"));
        }
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let nanos_per: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(bad(&format!("unknown unit {unit:?}"))),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if fraction.contains('.') {
            return Err(bad("a number has two points"));
        }
        let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad("a number is too large"))? };
        let mut part = whole.checked_mul(nanos_per).ok_or_else(|| bad("too long"))?;
        if !fraction.is_empty() {
            let digits = fraction.len().min(18) as u32;
            let f: u128 = fraction[..digits as usize].parse().map_err(|_| bad("a fraction is not a number"))?;
            part += f * nanos_per / 10u128.pow(digits);
        }
        total = total.checked_add(part).ok_or_else(|| bad("too long"))?;
        rest = next;
    }
    let secs = u64::try_from(total / 1_000_000_000).map_err(|_| bad("too long"))?;
    Ok(Duration::new(secs, (total % 1_000_000_000) as u32))
}

/// `d` in Go's syntax (`300ms`, `15s`, `1m30s`).
pub(crate) fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        "0s".to_owned()
    } else if nanos.is_multiple_of(1_000_000_000) {
        let secs = nanos / 1_000_000_000;
        let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
        let mut out = String::new();
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&format!("{s}s"));
        out
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{}ms", nanos / 1_000_000)
    } else {
        format!("{nanos}ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("300ms"), Ok(Duration::from_millis(300)));
        assert_eq!(parse_go_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_go_duration("10us"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_go_duration("1500000000ns"), Ok(Duration::from_millis(1500)));
        for bad in ["", "5", "1x", "-1s", "s", "1..5s", "99999999999999999999999h", ".s"] {
            assert!(parse_go_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn written_as_go_writes_them() {
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_secs(7200)), "2h0m0s");
        assert_eq!(go_duration(Duration::from_millis(300)), "300ms");
    }
}
