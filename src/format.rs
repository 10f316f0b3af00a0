//! Number formatting for people: one function per kind of value, shared by
//! every output, so the terminal and the reports never show the same number
//! two ways. summary.json keeps the unrounded values.

use crate::model::{MetricKind, Unit};

/// `format!("{v:.digits$}")`, without the exact float formatting where its
/// answer is plain: `v` times `10^digits` rounded, unless that product lies
/// so near a half that the rounding of the multiplication could decide it.
/// Tick labels and response times are thousands of these in a large run.
pub fn fixed(v: f64, digits: usize) -> String {
    const SCALE: [f64; 5] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0];
    let a = v.abs();
    let x = a * SCALE.get(digits).copied().unwrap_or(f64::NAN);
    // Below 1e8 the product's error is under 1.5e-8, far inside the margin.
    if x.is_nan() || x >= 1e8 || ((x - x.floor()) - 0.5).abs() < 1e-6 {
        return format!("{v:.digits$}");
    }
    let n = x.round() as u64;
    // The digits, last first; a point after `digits` of them.
    let mut text = [0u8; 24];
    let mut at = text.len();
    let mut rest = n;
    let mut written = 0;
    while written <= digits || rest > 0 {
        if written == digits && digits > 0 {
            at -= 1;
            text[at] = b'.';
        }
        at -= 1;
        text[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        written += 1;
    }
    if v.is_sign_negative() {
        at -= 1;
        text[at] = b'-';
    }
    String::from_utf8_lossy(&text[at..]).into_owned()
}

/// Trim a fixed-point rendering: `12.50` → `12.5`, `3.00` → `3`.
fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Values from 10^15 up (possible only in a file that lies: no limit is
/// set on what a CSV may say) are shown in scientific notation, so no output
/// ever prints a 309-digit number.
const HUGE: f64 = 1e15;

/// `v` in scientific notation when it is [`HUGE`] or not finite.
fn huge(v: f64) -> Option<String> {
    match v {
        v if !v.is_finite() => Some(format!("{v}")),
        v if v.abs() >= HUGE => Some(format!("{v:.3e}")),
        _ => None,
    }
}

/// A response time: `5 ms`, `5.43 ms`, `12.3 ms`, `3400 ms`.
pub fn ms(v: f64) -> String {
    if let Some(h) = huge(v) {
        return format!("{h} ms");
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{} ms", trim(fixed(v, digits)))
}

/// A response time that may be missing: [`ms`], or `–`.
pub fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), ms)
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
    if let Some(h) = huge(v) {
        return format!("{h}/s");
    }
    let digits = if v >= 100.0 { 1 } else { 2 };
    format!("{}/s", trim(fixed(v, digits)))
}

/// A percentage, rounded to two decimals, with more where two would lie:
/// 99.996% success never shows as `100%`, nor 0.001% errors as `0%`:
/// `100%`, `99.87%`, `99.3%` (99.2992), `99.996%`, `0.001%`.
pub fn percent(v: f64) -> String {
    format!("{}%", percent_digits(v, 2))
}

/// [`percent`]'s number with at least `digits` decimals.
fn percent_digits(v: f64, digits: usize) -> String {
    if let Some(h) = huge(v) {
        return h;
    }
    let mut d = digits;
    loop {
        let text = trim(format!("{v:.d$}"));
        let lies = (text == "100" && v < 100.0) || (text == "0" && v > 0.0);
        if !lies || d >= 12 {
            return text;
        }
        d += 1;
    }
}

/// An actual value and its target in one of summary.json's units, shown
/// so that they never look equal when they are not: where the usual
/// rounding makes them the same text (`error_rate 0.18%, target < 0.18%`
/// for 0.1804), both get more decimals until they differ (`0.1804%` and
/// `0.18%`), up to six.
pub fn pair(unit: Unit, actual: f64, target: f64) -> (String, String) {
    let (a, t) = (in_unit(unit, actual), in_unit(unit, target));
    if a != t || actual == target || !actual.is_finite() || !target.is_finite() {
        return (a, t);
    }
    let with = |v: f64, d: usize| match unit {
        Unit::Percent => format!("{}%", percent_digits(v, d)),
        Unit::Ms => format!("{} ms", trim(format!("{v:.d$}"))),
        Unit::PerSecond => format!("{}/s", trim(format!("{v:.d$}"))),
        Unit::Seconds => format!("{} s", trim(format!("{v:.d$}"))),
        Unit::Count => trim(format!("{v:.d$}")),
    };
    for d in 1..=6 {
        let (a, t) = (with(actual, d), with(target, d));
        if a != t {
            return (a, t);
        }
    }
    (a, t)
}

/// A ratio as a percentage of a target, floored so that a miss never shows
/// as 100%: `115%`, `99.7%`, `4%`. One decimal within 1% of the target.
pub fn percent_of(ratio: f64) -> String {
    if !ratio.is_finite() || ratio >= 10_000.0 {
        return "more than 1,000,000%".to_string();
    }
    // The epsilon keeps 1.15 * 100 = 114.99999999999999 from flooring to 114.
    let pct = ratio * 100.0 + 1e-9;
    if (pct - 100.0).abs() < 1.0 {
        format!("{}%", trim(format!("{:.1}", (pct * 10.0).floor() / 10.0)))
    } else {
        format!("{:.0}%", pct.floor())
    }
}

/// A rank-test result for people, with its direction and size:
/// `slower, P(slower) = 0.62, p < 0.0001`, `faster, P(slower) = 0.38,
/// p = 0.002`, `no meaningful shift, P(slower) = 0.52 (p < 0.0001)`, or
/// `no clear shift, P(slower) = 0.51, p = 0.42`. P(slower) is the chance
/// that a random request of this run is slower than one of the baseline.
pub fn significance(t: &crate::model::RankTest) -> String {
    use crate::model::Shift;
    let p = if t.p_value < 0.0001 {
        "p < 0.0001".to_string()
    } else {
        format!("p = {}", trim(format!("{:.4}", t.p_value)))
    };
    let odds = format!("P(slower) = {:.2}", t.prob_slower);
    match t.shift() {
        Shift::Slower => format!("slower, {odds}, {p}"),
        Shift::Faster => format!("faster, {odds}, {p}"),
        Shift::Negligible => format!("no meaningful shift, {odds} ({p})"),
        Shift::Unclear => format!("no clear shift, {odds}, {p}"),
    }
}

/// A p-value for people: `< 0.0001` or four decimals at most (`0.15`).
pub fn p_value(p: f64) -> String {
    if p < 0.0001 {
        "< 0.0001".to_string()
    } else {
        trim(format!("{p:.4}"))
    }
}

/// A signed change in one of summary.json's units: `+3.2 ms`, `-5 pp`
/// (percentage points, for rates), `-2.5/s`, `+12`.
pub fn signed_in_unit(unit: Unit, v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "+" };
    let a = v.abs();
    match unit {
        Unit::Percent => format!("{sign}{} pp", percent_digits(a, 2)),
        _ => format!("{sign}{}", in_unit(unit, a)),
    }
}

/// A value in one of summary.json's units (`ms`, `%`, `/s`, `s`, or ``
/// for counts), the way every output shows it.
pub fn in_unit(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Ms => ms(v),
        Unit::Percent => percent(v),
        Unit::PerSecond => per_s(v),
        Unit::Seconds => duration(v),
        Unit::Count if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 => count(v as u64),
        Unit::Count => huge(v).unwrap_or_else(|| trim(fixed(v, 2))),
    }
}

/// A value of the given metric kind.
pub fn value(kind: MetricKind, v: f64) -> String {
    match kind {
        MetricKind::Time => ms(v),
        MetricKind::Rate => percent(v),
        // Counts in thresholds may be fractional only by mistake; show as written.
        MetricKind::Count if v.fract() == 0.0 && v >= 0.0 && v < u64::MAX as f64 => count(v as u64),
        MetricKind::Count => huge(v).unwrap_or_else(|| trim(fixed(v, 2))),
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
    if !ratio.is_finite() || ratio >= 1e6 {
        "more than 1,000,000x".to_string()
    } else if ratio >= 10.0 {
        format!("{ratio:.0}x")
    } else {
        format!("{ratio:.1}x")
    }
}

/// Whether `c` must never reach a person's screen raw: C0 and C1 control
/// characters, DEL, and the invisible or direction-changing formatting
/// characters that make text read differently than it is (U+202E and friends,
/// zero-width spaces, line and paragraph separators, the byte-order mark,
/// Unicode tag characters), plus the two non-characters XML 1.0 forbids.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{fffe}'
        | '\u{ffff}'
        | '\u{e0000}'..='\u{e007f}')
}

/// Untrusted text (an endpoint, scenario or file name, an error message from
/// the system under test) made safe to show: every character of
/// [`is_unsafe_char`] is written as an escape (`\n`, `\r`, `\t`, `\0`, `\x1b`,
/// `\u{202e}`), so one name is always one line, no name can move the cursor,
/// recolour the terminal, reorder the text around it or start a GitHub
/// workflow command on a line of its own. Everything else, including any
/// other Unicode, is kept. summary.json keeps the raw text.
pub fn display(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if (c as u32) < 0x80 && is_unsafe_char(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe_char(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// [`display`] of each line of a text meant to keep its lines (a traceback
/// shown in a `<pre>`): every unsafe character but the line break is escaped.
pub fn display_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| display(line.strip_suffix('\r').unwrap_or(line)).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`display`], then cut to at most `max_chars` characters, ending in `…`
/// when cut: for names in the terminal and annotations, where a 10,000
/// character endpoint would bury everything else. summary.json keeps the
/// whole name.
pub fn clipped(text: &str, max_chars: usize) -> String {
    let shown = display(text);
    if shown.chars().count() <= max_chars {
        return shown.into_owned();
    }
    let mut cut: String = shown.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The longest name the terminal and annotations show whole.
pub const MAX_NAME_CHARS: usize = 200;

/// The last guard before text meant for people reaches stdout or stderr.
///
/// Names are escaped where they are put into text ([`display`]); this makes
/// the promise hold for whatever else ends up in a line: every unsafe
/// character other than the line break and loadgate's own colour codes
/// (`ESC [ digits ; m`) is escaped, and a line that would begin, after
/// leading white space, with `::` gets its first colon escaped (`\::`),
/// because the GitHub runner reads a workflow command from any such line of
/// either stream. loadgate's own commands are written separately and never
/// pass through here.
pub fn guard_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut clean = String::with_capacity(line.len());
        let mut chars = line.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if c == '\u{1b}'
                && let Some(len) = sgr_len(&line[at..])
            {
                clean.push_str(&line[at..at + len]);
                while chars.peek().is_some_and(|(j, _)| *j < at + len) {
                    chars.next();
                }
                continue;
            }
            push_escaped(&mut clean, c);
        }
        if visible(&clean).trim_start().starts_with("::") {
            let colon = clean.find("::").unwrap_or(0);
            clean.insert(colon, '\\');
        }
        out.push_str(&clean);
    }
    out
}

/// The length of a colour escape `ESC [ (digits|;)* m` at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\u{1b}[")?;
    let params = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (rest.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// `line` without its colour escapes.
fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let len = sgr_len(&rest[at..]).unwrap_or(1);
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// `; did you mean `x`?` (or `x` or `y`) for a name or pattern that matched
/// nothing, with the closest of `candidates` by edit distance (case
/// ignored, `*` and `?` ignored too), or nothing when none is close: within
/// a third of the name's length, at least 2 edits.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let key = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| !matches!(c, '*' | '?'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let want = key(wanted);
    let limit = (want.len() / 3).max(2);
    let mut close: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(&want, &key(c)), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    close.sort();
    close.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<String> = close
        .iter()
        .take(3)
        .map(|(_, c)| format!("`{}`", clipped(c, MAX_NAME_CHARS)))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        [init @ .., last] => format!("; did you mean {} or {last}?", init.join(", ")),
    }
}

/// Levenshtein distance (insert, delete, substitute), two rows of memory.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

/// A Unix time in seconds as RFC 3339 UTC (`2026-11-28T00:09:30Z`);
/// `None` out of range.
pub fn rfc3339(unix_s: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(unix_s)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// A path for a message: [`display`] of its lossy text, so a file named
/// `a\n::error::x_stats.csv` is shown on one line.
pub fn path(p: &std::path::Path) -> String {
    display(&p.to_string_lossy()).into_owned()
}

/// `.show()` on a path: the [`path`] form for messages, in place of
/// `.display()`, which writes control characters in file names raw.
pub trait ShowPath {
    fn show(&self) -> String;
}

impl<T: AsRef<std::path::Path> + ?Sized> ShowPath for T {
    fn show(&self) -> String {
        path(self.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_is_exactly_what_format_writes() {
        // Ties, values near them, signs, zeros, large and tiny values, and a
        // spread of pseudo-random ones at every magnitude.
        let mut values = vec![
            0.0,
            -0.0,
            0.125,
            0.375,
            2.5,
            -2.5,
            1.005,
            0.285,
            1e-9,
            -1e-9,
            -0.004,
            99.995,
            9.995,
            0.5,
            1.5,
            1e8,
            1e7 + 0.5,
            123456.785,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa = (state >> 11) as f64 / (1u64 << 53) as f64;
            let exponent = (state % 17) as i32 - 6;
            let sign = if state & 1 == 0 { 1.0 } else { -1.0 };
            values.push(sign * mantissa * 10f64.powi(exponent));
            // Values on a grid, as ticks are, and just off it.
            let grid = (state % 100_000) as f64 / 1000.0;
            values.extend([grid, grid + 0.0005, grid - 1e-12, grid * 0.1]);
        }
        for v in values {
            for digits in 0..=4 {
                assert_eq!(
                    fixed(v, digits),
                    format!("{v:.digits$}"),
                    "{v:e} to {digits}"
                );
            }
        }
    }

    #[test]
    fn control_and_direction_characters_are_shown_escaped() {
        assert_eq!(
            display("/x\n::stop-commands::pwned"),
            "/x\\n::stop-commands::pwned"
        );
        assert_eq!(
            display("a\rb\tc\0d\u{1b}[31me\u{7}"),
            "a\\rb\\tc\\0d\\x1b[31me\\x07"
        );
        assert_eq!(display("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(
            display("\u{85}\u{2028}\u{feff}\u{200b}"),
            "\\u{85}\\u{2028}\\u{feff}\\u{200b}"
        );
        assert_eq!(display("/api/über/🔥 <b>|`"), "/api/über/🔥 <b>|`");
    }

    #[test]
    fn long_names_are_clipped_after_escaping() {
        assert_eq!(clipped("abcdef", 4), "abc…");
        assert_eq!(clipped("ab\ncd", 10), "ab\\ncd");
        assert_eq!(
            clipped(&"x".repeat(10_000), MAX_NAME_CHARS).chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn no_guarded_line_starts_a_workflow_command() {
        let text = "ok\n::error::forged\n   ::stop-commands::t\n\u{a0}::warning::x\nkeep \u{1b}[1mbold\u{1b}[0m\nbell\u{7}\u{1b}]0;title\u{7}";
        let guarded = guard_lines(text);
        for line in guarded.lines() {
            assert!(!line.trim_start().starts_with("::"), "{line:?}");
            assert!(!line.contains('\u{7}') && !line.contains('\r'), "{line:?}");
        }
        assert!(guarded.contains("\\::error::forged"), "{guarded}");
        assert!(
            guarded.contains("keep \u{1b}[1mbold\u{1b}[0m"),
            "{guarded:?}"
        );
        assert!(guarded.contains("\\x1b]0;title\\x07"), "{guarded:?}");
        assert_eq!(guarded.lines().count(), text.lines().count());
        // A colour code in front does not hide a command from the runner's view.
        assert!(!visible(&guard_lines("\u{1b}[1m::error::x")).starts_with("::"));
    }

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
    fn success_rates_are_rounded_but_never_to_100_or_0() {
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(99.996), "99.996%");
        assert_eq!(percent(99.9999999), "99.9999999%");
        assert_eq!(percent(99.5), "99.5%");
        assert_eq!(percent(99.2992), "99.3%");
        assert_eq!(percent(0.001), "0.001%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn a_miss_never_looks_equal_to_its_target() {
        assert_eq!(
            pair(Unit::Percent, 0.1804, 0.18),
            ("0.1804%".into(), "0.18%".into())
        );
        assert_eq!(
            pair(Unit::Ms, 200.4, 200.0),
            ("200.4 ms".into(), "200 ms".into())
        );
        assert_eq!(
            pair(Unit::PerSecond, 19.996, 20.0),
            ("19.996/s".into(), "20/s".into())
        );
        assert_eq!(
            pair(Unit::Percent, 95.22, 99.0),
            ("95.22%".into(), "99%".into())
        );
        assert_eq!(
            pair(Unit::Ms, 200.0, 200.0),
            ("200 ms".into(), "200 ms".into())
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(13.0), "13 s");
        assert_eq!(duration(240.0), "4 min");
        assert_eq!(duration(90.0), "1 min 30 s");
        assert_eq!(duration(7500.0), "2 h 5 min");
    }

    #[test]
    fn no_value_is_shown_with_hundreds_of_digits() {
        assert_eq!(per_s(1e308), "1.000e308/s");
        assert_eq!(ms(f64::INFINITY), "inf ms");
        assert_eq!(times(f64::INFINITY), "more than 1,000,000x");
        assert_eq!(percent_of(1e300), "more than 1,000,000%");
        assert!(in_unit(Unit::Count, 1e300).len() < 20);
        assert_eq!(per_s(999_999.0), "999999/s");
    }

    #[test]
    fn close_names_are_suggested_and_far_ones_not() {
        let names = [
            "scenario1_concurrent_deployments",
            "scenario2_cab_approvals",
            "checkout",
        ];
        assert_eq!(
            did_you_mean("scenario1_concurent_deployments", names),
            "; did you mean `scenario1_concurrent_deployments`?"
        );
        assert_eq!(
            did_you_mean("Checkout*", names),
            "; did you mean `checkout`?"
        );
        assert_eq!(did_you_mean("totally_different", names), "");
        assert_eq!(
            did_you_mean(
                "/api/deployment",
                ["/api/deployments", "/api/deployments/[id]", "/x"]
            ),
            "; did you mean `/api/deployments`?"
        );
    }

    #[test]
    fn ratios() {
        assert_eq!(times(40.0), "40x");
        assert_eq!(times(76.9), "77x");
        assert_eq!(times(2.13), "2.1x");
    }
}
