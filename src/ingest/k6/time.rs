//! k6's timestamps: Go's `time.Time` as JSON, RFC 3339 with up to nine
//! fraction digits and a zone (`2026-03-02T09:30:00.178941686+01:00`, or
//! `Z`), read into microseconds since the Unix epoch without a date library
//! (the `time` crate is built without parsing).

/// Microseconds since 1970-01-01T00:00:00Z, or `None` when `s` is not RFC 3339.
pub(super) fn unix_us(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut micros = 0i64;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 6 {
                micros = micros * 10 + i64::from(b[at] - b'0');
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        for _ in (at - start)..6 {
            micros *= 10;
        }
    }
    let offset_s = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if at + 6 == b.len() && b[at + 3] == b':' => {
            let (h, m) = (num(at + 1, 2)?, num(at + 4, 2)?);
            let s = h * 3600 + m * 60;
            if *sign == b'+' { s } else { -s }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(seconds * 1_000_000 + micros)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_timestamps_are_read_to_the_microsecond_with_their_zone() {
        assert_eq!(unix_us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_us("2021-02-24T13:37:10Z"), Some(1_614_173_830_000_000));
        assert_eq!(
            unix_us("2021-02-24T14:37:10.123456789+01:00"),
            Some(1_614_173_830_123_456)
        );
        assert_eq!(
            unix_us("2021-02-24T13:37:10.5-00:30"),
            Some(1_614_175_630_500_000)
        );
        assert_eq!(unix_us("2000-03-01T00:00:00Z"), Some(951_868_800_000_000));
        for bad in [
            "",
            "2021-02-24",
            "2021-02-24T13:37:10",
            "2021-13-24T13:37:10Z",
            "2021-02-24T13:37:10.Z",
            "2021-02-24T13:37:10+0100",
            "2021-02-24T13:37:10Zjunk",
        ] {
            assert_eq!(unix_us(bad), None, "{bad}");
        }
    }
}
