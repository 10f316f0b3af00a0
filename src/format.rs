//! Number formatting for people: one function per kind of value, shared by
//! every output, so the terminal and the reports never show the same number
//! two ways. summary.json keeps the unrounded values.

use crate::config::MetricKind;

/// Trim a fixed-point rendering: `12.50` → `12.5`, `3.00` → `3`.
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A response time: `5 ms`, `5.43 ms`, `12.3 ms`, `3400 ms`.
pub fn ms(v: f64) -> String {
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{} ms", trim(format!("{v:.digits$}")))
}

/// A count with thousands separators: `68,902`.
pub fn count(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A per-second rate: `115.2/s`.
pub fn per_s(v: f64) -> String {
    let digits = if v >= 100.0 { 1 } else { 2 };
    format!("{}/s", trim(format!("{v:.digits$}")))
}

/// A percentage, truncated (not rounded) to two decimals so that 99.996%
/// success never shows as 100%: `100%`, `99.87%`.
pub fn percent(v: f64) -> String {
    let truncated = (v * 100.0 + 1e-9).floor() / 100.0;
    format!("{}%", trim(format!("{truncated:.2}")))
}

/// A ratio as a percentage of a target, floored so that a miss never shows
/// as 100%: `115%`, `99.7%`, `4%`. One decimal within 1% of the target.
pub fn percent_of(ratio: f64) -> String {
    // The epsilon keeps 1.15 * 100 = 114.99999999999999 from flooring to 114.
    let pct = ratio * 100.0 + 1e-9;
    if (pct - 100.0).abs() < 1.0 {
        format!("{}%", trim(format!("{:.1}", (pct * 10.0).floor() / 10.0)))
    } else {
        format!("{:.0}%", pct.floor())
    }
}

/// A rank-test result for people: `significant, p < 0.0001` or `not significant, p = 0.42`.
pub fn significance(t: &crate::evaluate::stats::RankTest) -> String {
    let p = if t.p_value < 0.0001 {
        "p < 0.0001".to_string()
    } else {
        format!("p = {}", trim(format!("{:.4}", t.p_value)))
    };
    let verdict = if t.significant() {
        "significant"
    } else {
        "not significant"
    };
    format!("{verdict}, {p}")
}

/// A value in one of summary.json's units (`ms`, `%`, `/s`, `s`, or ``
/// for counts), the way every output shows it.
pub fn in_unit(unit: &str, v: f64) -> String {
    match unit {
        "ms" => ms(v),
        "%" => percent(v),
        "/s" => per_s(v),
        "s" => duration(v),
        "" if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 => count(v as u64),
        _ => trim(format!("{v:.2}")),
    }
}

/// A value of the given metric kind.
pub fn value(kind: MetricKind, v: f64) -> String {
    match kind {
        MetricKind::Time => ms(v),
        MetricKind::Rate => percent(v),
        // Counts in thresholds may be fractional only by mistake; show as written.
        MetricKind::Count if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 => count(v as u64),
        MetricKind::Count => trim(format!("{v:.2}")),
        MetricKind::PerSecond => per_s(v),
    }
}

/// A duration in seconds: `45 s`, `4 min`, `1 min 30 s`, `2 h 5 min`.
pub fn duration(seconds: f64) -> String {
    let total = seconds.round() as i64;
    if seconds < 60.0 {
        return format!("{} s", trim(format!("{seconds:.1}")));
    }
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// A ratio such as `40x` or `2.1x`: whole numbers from 10 up, one decimal below.
pub fn times(ratio: f64) -> String {
    if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.1}x")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_with_sensible_precision() {
        assert_eq!(ms(5.0), "5 ms");
        assert_eq!(ms(5.4321), "5.43 ms");
        assert_eq!(ms(12.34), "12.3 ms");
        assert_eq!(ms(3400.0), "3400 ms");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(68902), "68,902");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn success_rates_never_round_up_to_100() {
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(99.996), "99.99%");
        assert_eq!(percent(99.5), "99.5%");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(13.0), "13 s");
        assert_eq!(duration(240.0), "4 min");
        assert_eq!(duration(90.0), "1 min 30 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
    }

    #[test]
    fn ratios() {
        assert_eq!(times(40.0), "40x");
        assert_eq!(times(76.9), "77x");
        assert_eq!(times(2.13), "2.1x");
    }
}
